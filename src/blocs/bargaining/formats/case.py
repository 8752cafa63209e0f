"""A blocs case file's issues as problems (docs/case-format.md).

Each issue of the case is one problem: its stakeholders in file order, positions on the 0-100
scale, salience / 100, capability as given; ``meta`` holds the question and what 0 and 100
mean.  The case is loaded and validated by `blocs.scenario.load_case`, so a built-in case name
(``serbia-2024``) works as well as a path.
"""

from __future__ import annotations

from pathlib import Path

from blocs.bargaining.forecast import case_problems
from blocs.bargaining.formats.errors import FormatError, problem
from blocs.bargaining.problem import Problem
from blocs.scenario.load import CaseError, load_case


def read_case(path: str | Path) -> list[Problem]:
    """The issues of a case file (or built-in case) as problems, in file order.

    Raises `FormatError` with the case loader's one-line problems, or for a case without
    issues.

    >>> [(p.id, p.n) for p in read_case("serbia-2024")][0]
    ('alignment', 8)
    """
    try:
        scenario = load_case(path)
    except FormatError:
        raise
    except CaseError as exc:
        raise FormatError(exc.problems) from None
    issues = scenario.case.issues
    if not issues:
        raise FormatError([problem(scenario.label, 1, "issues", (
            "the case has no issues to forecast (allowed: an issues: mapping with at least one "
            "issue; see docs/case-format.md)"
        ))])
    return case_problems(scenario)
