"""``blocs show CASE``: a case, every figure with its source."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from blocs.commands.common import CASE_HELP, load
from blocs.commands.output import console, write


def show(
    case: Annotated[str, typer.Argument(help=CASE_HELP, metavar="CASE", show_default=False)],
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print the case as one JSON object instead of tables.")] = False,
) -> None:
    """Print a case with every figure and its source.

    Examples:

      blocs show serbia-2024

      blocs show my-case.yaml --json
    """
    from blocs.report.show import case_json, print_case

    scenario = load(case)
    if as_json:
        write(json.dumps(case_json(scenario), ensure_ascii=False, allow_nan=False) + "\n")
        return
    print_case(scenario, console())
