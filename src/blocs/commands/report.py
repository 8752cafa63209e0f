"""``blocs report CASE -o FILE``: the briefing, one self-contained HTML file (docs/report.md);
``--pdf FILE`` prints it through WeasyPrint, ``--figures DIR`` writes every chart as PNG and
SVG.  Files are written whole or not at all."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from blocs.commands.common import CASE_HELP, load
from blocs.commands.output import fail, progress_bar, say
from blocs.textfile import write_whole

#: The most runs the briefing's ensemble takes (its fan charts need no more).
MAX_RUNS = 100_000


def report(
    case: Annotated[str, typer.Argument(help=CASE_HELP, metavar="CASE", show_default=False)],
    output: Annotated[Path, typer.Option(
        "-o", "--output", metavar="FILE", help="Write the briefing to FILE (HTML).",
        show_default=False)],
    runs: Annotated[int | None, typer.Option(
        metavar="N", help="Add an ensemble of N runs: fan charts and event probabilities "
                          "(1 to 100,000; docs/ensembles.md).", show_default=False)] = None,
    seed: Annotated[int, typer.Option(
        metavar="N", help="Seed of the chance shocks and of the ensemble (0 to 2**63 - 1).")
    ] = 0,
    pdf: Annotated[Path | None, typer.Option(
        metavar="FILE", help="Also print the briefing to FILE as PDF (WeasyPrint).",
        show_default=False)] = None,
    figures: Annotated[Path | None, typer.Option(
        metavar="DIR", help="Also write each chart and the map as PNG and SVG into DIR.",
        show_default=False)] = None,
) -> None:
    """Write the briefing of a case: a summary from the numbers, the balance sheet as charts,
    the map, each issue, the years to the end of the period, the claims beside the numbers,
    sources, methods and assumptions.

    Examples:

      blocs report serbia-2024 -o briefing.html

      blocs report serbia-2024 -o briefing.html --runs 2000 --pdf briefing.pdf

      blocs report my-case.yaml -o my.html --figures figures/
    """
    if runs is not None and not 1 <= runs <= MAX_RUNS:
        raise fail(f"--runs: {runs} is out of range (allowed: 1 to {MAX_RUNS:,})")
    if not 0 <= seed < 2**63:
        raise fail(f"--seed: {seed} is out of range (allowed: 0 to 2**63 - 1)")
    for flag, path in (("-o", output), ("--pdf", pdf)):
        if path is not None and path.exists() and not path.is_file():
            raise fail(f"{path}: {flag}: is not a file (allowed: a file, new or to replace)")
    if figures is not None and figures.exists() and not figures.is_dir():
        raise fail(f"{figures}: --figures: is a file (allowed: a folder, new or existing)")
    scenario = load(case)
    from blocs.report.briefing import build_briefing, render_html, write_figures

    with progress_bar():
        try:
            briefing = build_briefing(scenario, runs=runs, seed=seed)
        except ValueError as exc:
            raise fail(f"{scenario.label}: {exc}") from None
    html = render_html(briefing)
    try:
        write_whole(output, html.encode("utf-8"))
        if pdf is not None:
            write_whole(pdf, _pdf(html))
        if figures is not None:
            write_figures(briefing, figures)
    except OSError as exc:
        raise fail(f"cannot write the briefing: {exc.strerror or exc}", code=1) from None
    say(f"Briefing written to {output}" + (f", {pdf}" if pdf else "")
        + (f"; figures in {figures}/" if figures else "") + ".")


def _pdf(html: str) -> bytes:
    """The briefing printed by WeasyPrint (a maintained HTML-to-PDF engine; it resolves no
    URL: the page has none to fetch)."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return HTML(string=html, base_url=None).write_pdf()
