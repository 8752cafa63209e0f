"""The briefing (docs/report.md): one self-contained HTML file that asks for nothing, every
figure and table numbered, every cited source footnoted, text from the case escaped, the
summary made from the numbers; sensible for cases with no issues, no map or one bloc; PDF and
figure files; bad options one line."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

import blocs
from blocs.cli import build_app
from blocs.report.briefing import build_briefing, render_html

runner = CliRunner()


@pytest.fixture(scope="module")
def serbia_html(tmp_path_factory):
    folder = tmp_path_factory.mktemp("briefing")
    out = folder / "briefing.html"
    result = runner.invoke(build_app(), ["report", "serbia-2024", "-o", str(out), "--runs",
                                         "200", "--pdf", str(folder / "briefing.pdf"),
                                         "--figures", str(folder / "figures")],
                           env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return folder, out.read_text("utf-8")


def test_self_contained_and_small(serbia_html):
    _, html = serbia_html
    assert len(html.encode("utf-8")) < 5_000_000
    # Nothing that could fetch: no script, stylesheet link, image or frame source, CSS url().
    # (url(#id) inside an SVG names a clip path or hatch of the same SVG: no request.)
    for pattern in (r"<script", r"<link", r"\ssrc=", r"url\((?!#)", r"@import", r"<iframe",
                    r"<img"):
        assert not re.search(pattern, html, re.I), pattern
    # The only URLs are text (sources) or SVG namespaces, never an attribute to load.
    for m in re.finditer(r"""(?:href|xlink:href)=["']([^"']+)""", html):
        assert m.group(1).startswith("#"), m.group(1)


def test_sections_figures_tables_numbered(serbia_html):
    _, html = serbia_html
    for title in ("Summary", "The balance sheet", "Reach and the map", "The contested decisions",
                  "The years to the end of the period", "What decides it",
                  "The claims and the numbers",
                  "Sources", "Methods", "Assumptions"):
        assert f">{title}</h2>" in html, title
    figures = [int(n) for n in re.findall(r'id="figure-(\d+)"', html)]
    tables = [int(n) for n in re.findall(r'id="table-(\d+)"', html)]
    assert figures == list(range(1, len(figures) + 1)) and len(figures) >= 10
    assert tables == list(range(1, len(tables) + 1)) and len(tables) >= 5
    assert html.count("<svg") >= len(figures)
    # The map, fan charts and events are there (an ensemble was asked for).
    for key in ("map", "leverage", "pillars", "fan_alignment", "events", "path_kosovo"):
        assert f'data-figure="{key}"' in html, key


def test_every_cited_source_is_footnoted(serbia_html):
    _, html = serbia_html
    cited = {int(n) for n in re.findall(r'href="#note-(\d+)"', html)}
    notes = {int(n) for n in re.findall(r'id="note-(\d+)"', html)}
    assert cited and cited <= notes
    # A footnote carries the source's title and its quoted words (the gas figure's E02).
    s = blocs.load_case("serbia-2024")
    assert s.sources["E02"].title.replace("'", "&#39;") in html


def test_summary_is_made_from_the_numbers(serbia_html):
    _, html = serbia_html
    s = blocs.load_case("serbia-2024")
    balance = blocs.analyse(s)
    top = balance.powers.iloc[0]
    summary = html.split('id="summary"')[1].split("</section>")[0]
    assert f"the largest single power is {top['power']} ({top['share']:.0%})" in summary
    lev = balance.leverage.groupby(["domain", "from"])["value"].sum()
    energy_leader = lev.loc["energy"].idxmax()
    assert f"In the energy domain {energy_leader} leads ({lev.loc['energy'].max():.2f})" \
        in summary
    assert "RUS cannot: every land route crosses West." in summary
    assert "The default forecaster puts it at" in summary


def test_what_decides_it_in_words(serbia_html):
    """With an ensemble over uncertain inputs: Sobol' indices of each issue in words (SALib)
    and each declared event's scenario discovery (PRIM) in words."""
    _, html = serbia_html
    part = html.split('id="analysis"')[1].split("</section>")[0]
    assert "outcome/alignment in 2035 depends mostly on" in part
    assert "first order S1" in part
    for name in ("alignment above 60 in 2030", "fewer than 2.5 effective pillars in 2035"):
        assert name in part


def test_claims_beside_their_numbers(serbia_html):
    _, html = serbia_html
    s = blocs.load_case("serbia-2024")
    for cid in s.case.claims:
        assert f"{cid}: " in html
    claims = html.split('id="claims"')[1].split("</section>")[0]
    assert "encirclement/West" in claims and "power/East" in claims


def test_pdf_and_figures(serbia_html):
    folder, html = serbia_html
    assert (folder / "briefing.pdf").read_bytes()[:5] == b"%PDF-"
    pngs = sorted((folder / "figures").glob("*.png"))
    svgs = sorted((folder / "figures").glob("*.svg"))
    n = len(re.findall(r'id="figure-\d+"', html))
    assert len(pngs) == len(svgs) == n
    assert pngs[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


MINI = """\
format: 1
name: "<script>alert('x')</script> & co"
focus: SRB
year: 2024
sources:
  s1: {title: "<b>bold</b> source", url: "https://example.org/?q=<script>"}
actors:
  SRB: {name: Serbia, kind: state}
  "X1": {name: "<script>evil()</script>", kind: state, country: HUN}
"""


@pytest.mark.parametrize("extra", [
    "",  # no ties, no issues, no blocs, no period
    "ties:\n  - {from: X1, to: SRB, measure: trade, value: 0.5, year: 2024, source: s1}\n"
    "blocs:\n  Only: {members: [X1]}\n"
    "issues:\n  q:\n    question: \"<img src=x onerror=alert(1)>?\"\n    stakeholders:\n"
    "      SRB: {position: 50, salience: 90, capability: 1, assumption: \"<i>why</i>\"}\n"
    "      X1: {position: 0, salience: 50, capability: 1, source: s1}\n",
])
def test_odd_cases_give_a_sensible_escaped_briefing(extra):
    s = blocs.load_text(MINI + extra, "<mini>")
    html = render_html(build_briefing(s))
    assert "<script" not in html.lower()
    assert "&lt;script&gt;" in html
    assert "<img" not in html and "<b>bold" not in html
    if not extra:
        assert "The case has no issues" in html
        assert "no period beyond its year" in html
        assert "No ensemble over uncertain inputs was run" in html


def test_island_focus_without_neighbours():
    text = MINI.replace("focus: SRB", "focus: ISL").replace(
        "SRB: {name: Serbia, kind: state}", "ISL: {name: Iceland, kind: state}")
    html = render_html(build_briefing(blocs.load_text(text, "<island>")))
    assert 'data-figure="map"' in html


@pytest.mark.parametrize(("args", "fragment"), [
    (["--runs", "0"], "--runs: 0 is out of range"),
    (["--seed", "-1"], "--seed: -1 is out of range"),
])
def test_bad_options_one_line(tmp_path, args, fragment):
    result = runner.invoke(build_app(), ["report", "serbia-2024", "-o",
                                         str(tmp_path / "b.html"), *args])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0]
    assert not (tmp_path / "b.html").exists()


def test_files_get_the_permissions_of_a_new_file(serbia_html):
    """Written whole through a temporary file, yet with a new file's permissions (0666 less
    the umask), not the temporary file's 0600."""
    import os

    folder, _ = serbia_html
    umask = os.umask(0)
    os.umask(umask)
    for path in (folder / "briefing.html", folder / "briefing.pdf",
                 next((folder / "figures").glob("*.png"))):
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask, path
