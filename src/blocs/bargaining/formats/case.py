"""A blocs case file's issues as problems (docs/case-format.md).

Each issue of the case is one problem: its stakeholders in file order, positions on the 0-100
scale, salience / 100, capability as given; ``meta`` holds the question and what 0 and 100
mean.  The case is loaded and validated by `blocs.scenario.load_case`, so a built-in case name
(``serbia-2024``) works as well as a path.
"""

from __future__ import annotations

from pathlib import Path

from blocs.bargaining.formats.errors import FormatError, problem, refused
from blocs.bargaining.problem import Problem, check_problem
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
    from blocs.bargaining.forecast import case_problems  # pandas: only once the file is good

    problems = case_problems(scenario)
    # The case's validation (blocs.scenario.validate) already refuses, on the YAML's lines,
    # what no model can take (docs/bargaining.md); this is the same rule as every format's,
    # for what reached here without it (the line of the issue is not known here).
    why = [line for p in problems
           for line in refused(scenario.label, p, check_problem(p), 1,
                               lambda r, p=p: _field(r, p))]
    if why:
        raise FormatError(why)
    return problems


def _field(refusal, prob: Problem) -> str:
    """The dotted path of a refusal: the issue's stakeholders, or one stakeholder's value."""
    who = "" if refusal.actor is None else f".{prob.actors[refusal.actor]}.{refusal.field}"
    return f"issues.{prob.id}.stakeholders{who}"
