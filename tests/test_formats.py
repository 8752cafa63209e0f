"""Readers of other tools' files (BDM, Decide, KTAB, DEU) and of case files, as `Problem`s.

Every shipped peer input file is read (shared/peers, shared/validation/deu); hand-written broken
files check that each problem is one ``FILE:LINE: field: what (allowed)`` line.  Reference
numbers are those of shared/peers/ALGORITHMS.md (sections 1c, 2c, 3c and 4).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

import blocs
from blocs.bargaining.compromise import Compromise, compromise
from blocs.bargaining.formats import (
    FORMATS,
    FormatError,
    detect_format,
    read_problems,
)
from blocs.bargaining.formats.bdm import read_bdm
from blocs.bargaining.formats.case import read_case
from blocs.bargaining.formats.decide import read_decide
from blocs.bargaining.formats.ktab import read_ktab
from blocs.bargaining.scale import to_model_scale
from blocs.scenario import CaseError, load_case
from tests.conftest import VALID_CASE, find_problem, mutate, problem_lines_ok
from tests.paths import SHARED, needs_shared

PEERS = SHARED / "peers"
BDM = PEERS / "BDM_DecisionModel_Replication"
SCHOLZ = PEERS / "bdm-scholz-expected-utility-model"
DECIDE = PEERS / "decide-exchange-model"
KTAB = PEERS / "KTAB"
DEU = SHARED / "validation" / "deu" / "deu-dev.tsv"


def weighted_mean(p) -> np.ndarray:
    """The compromise model on a problem (per dimension with per-dimension saliences)."""
    x, s, c = p.batch(1)
    return Compromise().run(x, s, c).final[0]


# ---------------------------------------------------------------------------------------------
# BDM / Scholz CSV


BDM_FILES = {
    # file: (actors, salience scale, position scale)
    BDM / "ExampleActors.csv": (10, "0-100", (4.0, 10.0)),
    BDM / "ChinaData.csv": (24, "0-100", (10.0, 100.0)),
    BDM / "HondurasCrisisData.csv": (5, "0-1", (0.0, 1.0)),
    SCHOLZ / "ExampleActors.csv": (10, "0-1", (4.0, 10.0)),
    SCHOLZ / "Sultan.csv": (17, "0-1", (12.85, 14.25)),
}


@pytest.mark.parametrize("path", list(BDM_FILES), ids=lambda p: f"{p.parent.name}/{p.name}")
@needs_shared
def test_bdm_shipped_files(path):
    n, sal_scale, scale = BDM_FILES[path]
    [p] = read_bdm(path)
    assert p.id == path.stem
    assert p.n == n and p.positions.shape == (n,) and p.salience.shape == (n,)
    assert p.meta["salience_scale"] == sal_scale
    assert p.scale == scale
    assert ((0 <= p.salience) & (p.salience <= 1)).all()
    assert (p.capability >= 0).all()
    assert not p.multidim and p.dimensions == ()


@needs_shared
def test_bdm_replication_files_have_old_mac_line_endings():
    for name in ("ExampleActors.csv", "ChinaData.csv", "HondurasCrisisData.csv"):
        data = (BDM / name).read_bytes()
        assert b"\r" in data and b"\n" not in data, name  # CR only: universal newlines needed
    [p] = read_bdm(BDM / "ChinaData.csv")
    assert p.actors[:3] == ("Zeming", "Lipeng", "Qiaoshi")
    assert p.actors[-1] == "Guandung"
    assert "STU/INTEL" in p.actors and "Hong Kong" in p.actors
    assert p.meta["lines"][:2] == (2, 3)  # CR-only lines are numbered like any others


@needs_shared
def test_bdm_values():
    [a] = read_bdm(BDM / "ExampleActors.csv")  # salience 0-100
    [b] = read_bdm(SCHOLZ / "ExampleActors.csv")  # the same actors, salience 0-1
    assert a.actors == b.actors
    assert a.actors[0] == "Netherlands" and a.actors[-1] == "Greece"
    np.testing.assert_array_equal(a.positions, b.positions)
    np.testing.assert_array_equal(a.capability, b.capability)
    np.testing.assert_allclose(a.salience, b.salience, rtol=0, atol=1e-15)
    assert (a.capability[0], a.positions[0], b.salience[0]) == (0.08, 4.0, 0.8)
    # ALGORITHMS.md 1c says "sums to 1.0"; the file's capabilities sum to 1.01 (harmless: only
    # their ratios matter).
    assert a.capability.sum() == pytest.approx(1.01, abs=1e-12)
    [h] = read_bdm(BDM / "HondurasCrisisData.csv")  # raw resources, positions on 0-1
    assert h.actors == ("Nicaragua", "Honduras", "Costa Rica", "United States",
                        "Dominican Republic")
    assert h.capability[3] == 0.2550486 and h.salience[2] == 0.3
    [china] = read_bdm(BDM / "ChinaData.csv")
    assert (china.capability[0], china.positions[0], china.salience[0]) == (80.0, 25.0, 0.5)


@pytest.mark.parametrize(("path", "expected"), [
    # ALGORITHMS.md section 1d / 4.  Tolerance 1e-12: the reference sums the terms in Python's
    # order, numpy sums pairwise, and the 0-100 files divide the saliences by 100 - the last
    # one or two bits differ (7.389955686853767 vs ...766, see section 4).
    (BDM / "ExampleActors.csv", 7.389955686853767),
    (SCHOLZ / "ExampleActors.csv", 7.389955686853767),
    (BDM / "ChinaData.csv", 30.72153991497402),
    (BDM / "HondurasCrisisData.csv", 0.5008503306692198),
    (SCHOLZ / "Sultan.csv", 13.619912134884823),
], ids=["ExampleActors-0-100", "ExampleActors-0-1", "China", "Honduras", "Sultan"])
@needs_shared
def test_bdm_weighted_means(path, expected):
    [p] = read_bdm(path)
    assert float(weighted_mean(p)) == pytest.approx(expected, rel=0, abs=1e-12)


def test_bdm_explicit_scales(tmp_path):
    path = tmp_path / "ones.csv"
    path.write_text("Actor,Capability,Position,Salience\nA,1,0,1\nB,1,100,0\n")
    [p] = read_bdm(path)
    assert p.meta["salience_scale"] == "0-1" and p.salience.tolist() == [1.0, 0.0]
    [q] = read_bdm(path, salience_scale="0-100", scale=(-100, 100))
    assert q.meta["salience_scale"] == "0-100" and q.salience.tolist() == [0.01, 0.0]
    assert q.scale == (-100.0, 100.0)
    with pytest.raises(FormatError) as info:
        read_bdm(path, scale=(0, 50))
    problem_lines_ok(info.value)
    find_problem(info.value, line=3, path="Position", fragments=["100", "off the scale",
                                                                 "0 to 50"])


def test_bdm_other_spellings(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('\ufeffsalience ; position;STAKEHOLDER;Resources\n80;3;"A; B";5\n'
                    "20;9;C;1\n", encoding="utf-8")
    [p] = read_bdm(path)
    assert p.actors == ("A; B", "C")
    assert p.positions.tolist() == [3.0, 9.0] and p.capability.tolist() == [5.0, 1.0]
    assert p.salience.tolist() == [0.8, 0.2]


# ---------------------------------------------------------------------------------------------
# Decide


SAMPLE_ISSUES = ["tolheffing-binnenstad", "tol-hoogte", "wanneer-tol", "woonwerkverkeer",
                 "extra-investering", "kleine-of-grote-ring"]
# ALGORITHMS.md 2c: "Preference MDS" of round 1 = the compromise on Decide's 0-100 normalisation.
SAMPLE_MDS = [49.353233830845774, 27.24603640634175, 50.578947368421055, 52.48554913294798,
              49.48830409356725, 56.600831600831604]
COP21_ISSUES = ["differentiation", "mrv", "legal", "adapt_legal", "adapt_inst", "finance_vol",
                "finance_who", "adapt_finance", "ld", "progress", "amb2050", "amb2100", "eaa"]
COP21_MDS = [49.255404, 57.211274, 57.96875, 59.51145, 59.64036, 47.644085, 38.097126,
             55.121727, 40.105843, 45.596171, 67.877517, 85.708583, 57.100515]
COPENHAGEN_ISSUES = ["Newtreaty", "DevlopC2020", "Domestred", "MRVdecrease", "Commitments",
                     "Control", "Extra"]
COPENHAGEN_MDS = [61.576271, 58.144654, 30.707395, 52.235915, 51.949891, 57.621448, 64.62069]


def decide_mds(problems) -> list[float]:
    return [float(compromise(to_model_scale(p.positions, p.scale), p.salience, p.capability))
            for p in problems]


@needs_shared
def test_decide_sample_data():
    ps = read_decide(DECIDE / "sample_data.txt")  # tab-separated, single-quoted
    assert [p.id for p in ps] == SAMPLE_ISSUES
    for p in ps:
        assert p.actors == ("Willems", "PvdA", "GL", "VVDs", "SP", "CDA", "D66", "CU", "KvK",
                            "Wcentr")
    hoogte = ps[1]
    assert hoogte.scale == (0.5, 7.0)  # kept on the #M scale, not normalised
    assert (hoogte.positions[0], hoogte.salience[0], hoogte.capability[0]) == (3.0, 0.7, 1.0)
    assert ps[2].meta["name"] == "wanneer-tol"
    assert all(p.scale == (0.0, 100.0) for p in ps if p.id != "tol-hoogte")
    # Decide's own test data: 1e-12 absorbs its Decimal arithmetic against our floats.
    np.testing.assert_allclose(decide_mds(ps), SAMPLE_MDS, rtol=0, atol=1e-12)


@needs_shared
def test_decide_cop21_and_copenhagen():
    cop = read_decide(DECIDE / "cop21.csv")
    assert [p.id for p in cop] == COP21_ISSUES
    assert [p.n for p in cop] == [15] * 10 + [8, 8, 15]  # amb2050/amb2100: 8 actors only
    assert cop[0].actors[0] == "African_grp" and cop[0].actors[-1] == "USA"
    # The reference has 6 decimals: half a unit of the last one.
    np.testing.assert_allclose(decide_mds(cop), COP21_MDS, rtol=0, atol=5e-7)
    cph = read_decide(DECIDE / "copenhagen.csv")
    assert [p.id for p in cph] == COPENHAGEN_ISSUES
    assert [p.n for p in cph] == [11, 11, 11, 11, 10, 11, 10]  # Russia sits out two issues
    assert "Russia" not in cph[4].actors and "Russia" in cph[5].actors
    assert cph[1].actors[1] == "EU (incl Norway)"
    np.testing.assert_allclose(decide_mds(cph), COPENHAGEN_MDS, rtol=0, atol=5e-7)


@needs_shared
def test_decide_2016_semicolon_files():
    cop = read_decide(DECIDE / "history-2016" / "CoP21.csv")  # ';', #O title, many #M points
    assert len(cop) == 13 and cop[3].id == "adaptlegal"
    assert cop[0].actors[:3] == ("Africangrp", "AILAC", "ALBA")
    assert cop[0].meta["title"].startswith("CoP21 Paris negotiations")
    assert all(p.scale == (0.0, 100.0) for p in cop)
    assert cop[0].meta["points"] == (0.0, 25.0, 50.0, 75.0, 100.0)
    np.testing.assert_allclose(decide_mds(cop), COP21_MDS, rtol=0, atol=5e-7)
    kop = read_decide(DECIDE / "history-2016" / "kopenhagen.csv")
    # 'technology' and 'Forestry' are declared (#P) but have no #D rows: left out, listed.
    assert [p.id for p in kop] == COPENHAGEN_ISSUES
    assert kop[0].meta["empty_issues"] == ("technology", "Forestry")
    assert kop[0].actors[1] == "EU" and kop[0].meta["actor_names"][1] == "EU (incl Norway)"
    assert kop[0].capability[0] == 1.0


@needs_shared
def test_decide_compare_file_is_not_an_input_file():
    # history-2016/CoP21.compare.csv lists reference exchanges, it is not a Decide input.
    path = DECIDE / "history-2016" / "CoP21.compare.csv"
    with pytest.raises(FormatError) as info:
        read_problems(path)
    problem_lines_ok(info.value)
    find_problem(info.value, line=1, path="(format)", fragments=["cannot tell the format",
                                                                 "--format"])
    with pytest.raises(FormatError) as info:
        read_decide(path)
    assert len(info.value.problems) == 1
    find_problem(info.value, line=1, path="(file)", fragments=["no Decide rows", "#A"])


@needs_shared
def test_decide_copenhagen_with_errors():
    with pytest.raises(FormatError) as info:
        read_problems(DECIDE / "copenhagen_with_errors.csv")
    err = info.value
    problem_lines_ok(err)
    assert len(err.problems) == 2
    find_problem(err, line=86, path="#D position", fragments=["160", "0 to 100"])
    find_problem(err, line=87, path="#D power", fragments=["-0.247", "negative", ">= 0"])
    text = (DECIDE / "copenhagen_with_errors.csv").read_text().splitlines()
    assert text[85].split("\t")[1:4] == ["Russia", "Control", "160"]


# ---------------------------------------------------------------------------------------------
# KTAB


KTAB_FILES = {
    # file: (actors, dimensions, dimension names)
    "SOE-Policy.csv": (26, 1, ("Policy",)),
    "SOE-Competitive.csv": (34, 1, ("Competitive",)),
    "SOE-Pol-Comp.csv": (13, 2, ("Policy", "Competitive")),
    "dummyData_3Dim.csv": (7, 3, ("Pstn1", "Pstn2", "Pstn3")),
    "dummyData_3Dim-no-final-comma.csv": (7, 3, ("Pstn1", "Pstn2", "Pstn3")),
    "dummyData_6Dim.csv": (27, 6, tuple(f"Dim{k}" for k in range(6))),
    "dummyData-a040.csv": (40, 1, ("XYZ",)),
    "dummyData-a080.csv": (80, 1, ("XYZ",)),
    "dummyData-a160.csv": (160, 1, ("XYZ",)),
    "reference-2016/SOE-Policy.csv": (26, 1, ("Policy",)),
    "reference-2016/SOE-Competitive.csv": (34, 1, ("Competitive",)),
}


@needs_shared
def test_every_ktab_input_file_is_covered():
    shipped = {str(p.relative_to(KTAB)) for p in KTAB.rglob("*.csv")
               if p.parent.name != "generated" and not p.name.endswith(("_effPow.csv",
                                                                        "_posLog.csv"))}
    assert shipped == set(KTAB_FILES)


@pytest.mark.parametrize("name", list(KTAB_FILES))
@needs_shared
def test_ktab_shipped_files(name):
    n, d, dims = KTAB_FILES[name]
    assert detect_format(KTAB / name) == "ktab"
    [p] = read_ktab(KTAB / name)
    assert p.id == Path(name).stem and p.n == n and p.dimensions == dims
    assert p.positions.shape == ((n, d) if d > 1 else (n,))
    assert p.salience.shape == p.positions.shape
    assert p.scale == (0.0, 100.0) and p.multidim == (d > 1)
    assert ((0 <= p.positions) & (p.positions <= 100)).all()
    assert ((0 <= p.salience) & (p.salience <= 1)).all()
    assert (p.salience.reshape(n, -1).sum(axis=1) <= 1 + 1e-8).all()


@needs_shared
def test_ktab_values():
    [p] = read_ktab(KTAB / "SOE-Pol-Comp.csv")
    assert p.actors[0] == "XJ" and p.actors[-1] == "WY"
    assert p.capability[0] == 100.0 and p.capability[1] == 60.2
    assert p.positions[0].tolist() == [30.0, 20.0]
    np.testing.assert_allclose(p.salience[0], [0.24, 0.48], rtol=0, atol=1e-15)
    assert p.meta["scenario"] == "China Policy/Competitive; scen 2"
    assert p.meta["actor_descriptions"][0] == "Xi Jinping"
    [a] = read_ktab(KTAB / "dummyData_3Dim.csv")
    [b] = read_ktab(KTAB / "dummyData_3Dim-no-final-comma.csv")
    np.testing.assert_array_equal(a.positions, b.positions)
    np.testing.assert_array_equal(a.salience, b.salience)
    assert a.positions[0].tolist() == [75.79, 6.37, 70.45] and a.capability[0] == 102.543
    assert b.meta["scenario"] == "Scenario-0x89B9E56731783372"
    assert a.meta["description"] == "Dummy scenario to test reading format"
    assert b"\r\n" in (KTAB / "dummyData_6Dim.csv").read_bytes()  # Windows line endings
    [six] = read_ktab(KTAB / "dummyData_6Dim.csv")
    assert six.actors[-1] == "AA26" and six.positions[-1].tolist() == [0, 50, 50, 50, 0, 50]
    # The 2016 reference files hold the same actor data as the current ones.
    for name in ("SOE-Policy.csv", "SOE-Competitive.csv"):
        [old] = read_ktab(KTAB / "reference-2016" / name)
        [new] = read_ktab(KTAB / name)
        assert old.actors == new.actors
        np.testing.assert_array_equal(old.positions, new.positions)
        np.testing.assert_array_equal(old.salience, new.salience)


@pytest.mark.parametrize(("name", "expected"), [
    # ALGORITHMS.md 3c and 4 (6 decimals, hence 5e-7).
    ("SOE-Policy.csv", [35.006301]),
    ("SOE-Competitive.csv", [39.963494]),
    ("SOE-Pol-Comp.csv", [36.293563, 38.885365]),
    ("dummyData-a040.csv", [62.951384]),
    ("dummyData-a080.csv", [67.184076]),
    ("dummyData-a160.csv", [68.544]),
])
@needs_shared
def test_ktab_weighted_means(name, expected):
    [p] = read_ktab(KTAB / name)
    np.testing.assert_allclose(np.atleast_1d(weighted_mean(p)), expected, rtol=0, atol=5e-7)


@needs_shared
def test_ktab_multidim_compromise_is_per_dimension():
    """SOE-Pol-Comp's 36.293563 / 38.885365 are each dimension's mean weighted by capability x
    that dimension's salience; one weight per actor (capability x the sum of its saliences, or
    capability alone) does not reproduce them."""
    [p] = read_ktab(KTAB / "SOE-Pol-Comp.csv")
    x, s, c = p.positions, p.salience, p.capability
    per_dim = (c[:, None] * s * x).sum(0) / (c[:, None] * s).sum(0)
    np.testing.assert_allclose(per_dim, [36.293563, 38.885365], rtol=0, atol=5e-7)
    summed = compromise(x, s.sum(axis=1), c, multidim=True)
    assert abs(summed[1] - 38.885365) > 1  # 40.64
    alone = compromise(x, np.ones(p.n), c, multidim=True)
    assert abs(alone[0] - 36.293563) > 0.5  # 35.70


# ---------------------------------------------------------------------------------------------
# blocs case files and DEU


def test_case_issues():
    ps = read_case("serbia-2024")
    scenario = load_case("serbia-2024")
    assert [p.id for p in ps] == list(scenario.case.issues)
    for p in ps:
        st = scenario.case.issues[p.id].stakeholders
        assert p.actors == tuple(st)
        assert p.positions.tolist() == [s.position for s in st.values()]
        np.testing.assert_allclose(p.salience * 100, [s.salience for s in st.values()],
                                   rtol=1e-15)
        # Typed capabilities as written; from_leverage ones are the case's leverage_scale times
        # the power's leverage over the focus in its domains (docs/dynamics.md).
        lev = blocs.leverage(scenario)
        k = scenario.case.dynamics.leverage_scale
        expected = [s.capability if s.capability != "from_leverage" else
                    k * lev[(lev["from"] == a) & lev["domain"].isin(s.domains)]["value"].sum()
                    for a, s in st.items()]
        assert p.capability.tolist() == pytest.approx(expected, rel=1e-12)
        assert p.scale == (0.0, 100.0) and p.meta["question"]
    assert read_problems("serbia-2024")[0].id == ps[0].id


def test_case_file_path_and_errors(case_file):
    [p] = read_problems(case_file())
    assert p.id == "align" and p.actors == ("SRB", "RUS")
    assert p.salience.tolist() == [0.9, 0.5]
    # A case with a broken issue: the loader's own line, as a FormatError.
    bad = case_file(mutate("RUS: {position: 100,", "RUS: {position: 140,"))
    with pytest.raises(FormatError) as info:
        read_problems(bad)
    problem_lines_ok(info.value)
    assert isinstance(info.value, CaseError)
    find_problem(info.value, line=30, path="issues.align.stakeholders.RUS.position")
    # A valid case without issues has nothing to forecast.
    head = VALID_CASE.split("issues:")[0]
    with pytest.raises(FormatError) as info:
        read_problems(case_file(head))
    problem_lines_ok(info.value)
    find_problem(info.value, line=1, path="issues", fragments=["no issues"])


@needs_shared
def test_deu_reader_is_there_and_detected():
    """The DEU reader (blocs.bargaining.formats.deu, another module) through read_problems."""
    assert importlib.util.find_spec("blocs.bargaining.formats.deu") is not None
    assert detect_format(DEU) == "deu"
    ps = read_problems(DEU)
    assert len(ps) == 253  # the README: 253 issues
    assert all(p.scale == (0.0, 100.0) for p in ps)
    # README: 246 issues count (outcome on 0-100, >= 3 actors); salience-weighted mean 23.45.
    counted = [p for p in ps if p.outcome is not None and p.n >= 3]
    assert len(counted) == 246
    mae = np.mean([abs(float(weighted_mean(p)) - p.outcome) for p in counted])
    assert round(mae, 2) == 23.45


# ---------------------------------------------------------------------------------------------
# detection


@pytest.mark.parametrize(("path", "fmt"), [
    (BDM / "ExampleActors.csv", "bdm"),
    (BDM / "ChinaData.csv", "bdm"),
    (SCHOLZ / "Sultan.csv", "bdm"),
    (DECIDE / "sample_data.txt", "decide"),
    (DECIDE / "cop21.csv", "decide"),
    (DECIDE / "copenhagen_with_errors.csv", "decide"),
    (DECIDE / "history-2016" / "kopenhagen.csv", "decide"),
    (KTAB / "SOE-Pol-Comp.csv", "ktab"),
    (KTAB / "dummyData-a040.csv", "ktab"),
    (KTAB / "dummyData_6Dim.csv", "ktab"),
    (DEU, "deu"),
    ("serbia-2024", "blocs"),
], ids=lambda v: Path(str(v)).name)
@needs_shared
def test_detection(path, fmt):
    assert detect_format(path) == fmt


def test_detection_of_written_files(tmp_path, case_file):
    assert detect_format(case_file()) == "blocs"
    other = tmp_path / "case.txt"
    other.write_text(VALID_CASE)
    assert detect_format(other) == "blocs"
    unknown = tmp_path / "x.csv"
    unknown.write_text("a,b\n1,2\n")
    with pytest.raises(FormatError) as info:
        read_problems(unknown)
    problem_lines_ok(info.value)
    find_problem(info.value, line=1, path="(format)", fragments=["--format blocs, bdm"])
    assert list(FORMATS) == ["blocs", "bdm", "decide", "ktab", "deu"]
    with pytest.raises(ValueError, match="unknown format"):
        read_problems(unknown, "xml")


# ---------------------------------------------------------------------------------------------
# malformed files: one line per problem, at the right line


def write(tmp_path: Path, text: str | bytes, name: str = "bad.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def errors(path, fmt=None) -> FormatError:
    with pytest.raises(FormatError) as info:
        read_problems(path, fmt)
    problem_lines_ok(info.value)
    return info.value


BDM_HEAD = "Actor,Capability,Position,Salience\n"

MALFORMED = [
    # (id, format, file text, [(line, field, fragments), ...])
    ("bdm-wrong-columns", "bdm", "Actor,Power,Position,Salience\nA,1,2,3\n",
     [(1, "column 2", ["unknown column 'Power'", "Actor,Capability"]),
      (1, "(header)", ["missing column capability"])]),
    ("bdm-not-a-number", "bdm", BDM_HEAD + "A,1,4,50\nB,1,four,50\n",
     [(3, "Position", ["'four' is not a number", "a number"])]),
    ("bdm-salience-out-of-range", "bdm", BDM_HEAD + "A,1,4,50\nB,1,5,150\n",
     [(3, "Salience", ["150 is out of range", "0 to 1, or from 0 to 100"])]),
    ("bdm-negative-capability", "bdm", BDM_HEAD + "A,-1,4,50\n",
     [(2, "Capability", ["-1 is negative", ">= 0"])]),
    ("bdm-duplicate-actor", "bdm", BDM_HEAD + "A,1,4,50\nB,1,5,50\nA,2,6,50\n",
     [(4, "Actor", ["duplicate actor 'A'", "first on line 2", "each actor once"])]),
    ("bdm-short-row", "bdm", BDM_HEAD + "A,1,4\n",
     [(2, "(row)", ["3 cells", "4: Actor, Capability, Position, Salience"])]),
    ("bdm-no-rows", "bdm", BDM_HEAD + "\n\n",
     [(1, "(file)", ["no actor rows"])]),
    ("bdm-cr-line-endings", "bdm", BDM_HEAD.replace("\n", "\r") + "A,1,4,50\rB,1,x,50\r",
     [(3, "Position", ["'x' is not a number"])]),
    ("bdm-nan", "bdm", BDM_HEAD + "A,1,nan,50\n",
     [(2, "Position", ["'nan' is not a number"])]),
    ("decide-unknown-actor-and-issue", "decide",
     "#A\tUSA\tUSA\n#P\tt\tt\n#D\tUSA\tt\t10\t0.5\t1\n#D\tEU\tx\t10\t0.5\t1\n",
     [(4, "#D actor", ["unknown actor 'EU'", "#A row"]),
      (4, "#D issue", ["unknown issue 'x'", "#P row"])]),
    ("decide-salience-out-of-range", "decide",
     "#A;USA;USA\n#A;EU;EU\n#P;t;t\n#D;USA;t;10;0.5;1\n#D;EU;t;20;50;1\n",
     [(5, "#D salience", ["50 is out of range", "0 to 1"])]),
    ("decide-not-a-number", "decide",
     "'#A'\t'USA'\t'USA'\n'#P'\t't'\t't'\n'#D'\t'USA'\t't'\t'ten'\t0.5\t1\n",
     [(3, "#D position", ["'ten' is not a number"])]),
    ("decide-off-the-m-scale", "decide",
     "#A\tUSA\n#P\tt\tt\n#M\tt\t1\n#M\tt\t7\n#D\tUSA\tt\t9\t0.5\t1\n",
     [(5, "#D position", ["9 is out of range", "1 to 7, the issue's #M scale"])]),
    ("decide-duplicates", "decide",
     "#A\tUSA\n#A\tUSA\n#P\tt\n#D\tUSA\tt\t1\t0.5\t1\n#D\tUSA\tt\t2\t0.5\t1\n",
     [(2, "#A key", ["duplicate actor 'USA'", "first on line 1"]),
      (5, "#D", ["second row for actor 'USA' on issue 't'", "first on line 4"])]),
    ("decide-short-row-and-unknown-identifier", "decide",
     "#A\tUSA\n#P\tt\n#D\tUSA\tt\t1\t0.5\n#X\tfoo\n#D\tUSA\tt\t1\t0.5\t1\n",
     [(3, "#D", ["5 cells", "#D, actor, issue, position, salience, power"]),
      (4, "(row)", ["unknown row identifier '#X'", "#A, #P, #M, #D"])]),
    ("decide-one-point-scale", "decide",
     "#A\tUSA\n#P\tt\n#M\tt\t5\n#D\tUSA\tt\t5\t0.5\t1\n",
     [(3, "#M position", ["has one point", "lowest and highest"])]),
    ("decide-no-data", "decide", "#/ a comment\n#A\tUSA\n#P\tt\n",
     [(1, "(file)", ["no #D rows"])]),
    ("ktab-too-few-rows", "ktab",
     "s, d, 3, 1,\nActor, Desc, Cap, P, S,\nA, a, 1, 10, 50,\nB, b, 1, 20, 50,\n",
     [(1, "numActors", ["3 actors but 2 actor rows", "numActors equal to the number"])]),
    ("ktab-too-many-rows", "ktab",
     "s, d, 1, 1,\nActor, Desc, Cap, P, S,\nA, a, 1, 10, 50,\nB, b, 1, 20, 50,\n",
     [(4, "(row)", ["more actor rows than numActors 1", "exactly 1 rows"])]),
    ("ktab-bad-counts", "ktab", "s, d, three, 0,\n",
     [(1, "numActors", ["'three' is not a whole number"]),
      (1, "numDims", ["0 (allowed: a whole number >= 1)"])]),
    ("ktab-header-vs-dims", "ktab",
     "s, d, 1, 2,\nActor, Desc, Cap, P, S,\nA, a, 1, 10, 50,\n",
     [(2, "(header)", ["5 columns for numDims 2", "7: Actor, Description"])]),
    ("ktab-values", "ktab",
     "s, d, 3, 2,\nActor, Desc, Cap, P1, S1, P2, S2\n"
     "A, a, 1, 10, 50, 120, 40\nB, b, 1, 20, 60, 30, 50\nA, c, x, 1, 1, 1, 1\n",
     [(3, "P2", ["120 is out of range", "0 to 100"]),
      (4, "(saliences)", ["sum to 110", "at most 100"]),
      (5, "Actor", ["duplicate actor 'A'", "first on line 3"]),
      (5, "Cap", ["'x' is not a number", "0 to 1e+08"])]),
    ("ktab-short-row", "ktab", "s, d, 1, 1,\nActor, Desc, Cap, P, S,\nA, a, 1, 10\n",
     [(3, "(row)", ["4 cells", "allowed: 5"])]),
]


@pytest.mark.parametrize(("fmt", "text", "expected"), [m[1:] for m in MALFORMED],
                         ids=[m[0] for m in MALFORMED])
def test_malformed(tmp_path, fmt, text, expected):
    path = write(tmp_path, text)
    if "three" not in text:
        assert detect_format(path) == fmt  # the broken files are still recognised
    err = errors(path, fmt)
    for line, field, fragments in expected:
        find_problem(err, line=line, path=field, fragments=fragments)
    assert len(err.problems) == len(expected), str(err)
    assert all(p.file == str(path) for p in err.problems)


@pytest.mark.parametrize("fmt", ["bdm", "decide", "ktab", "deu", "blocs"])
def test_empty_binary_missing_and_folder(tmp_path, fmt):
    for content, fragment in ((b"", "empty file"), (b"  \n\r\n\t\n", "empty file"),
                              (b"Actor,x\n\x00\x01\x02", "binary")):
        err = errors(write(tmp_path, content, f"f-{fmt}.csv"), fmt)
        assert len(err.problems) == 1
        p = err.problems[0]
        assert p.path == "(file)" and fragment in p.message, str(err)
        if fragment == "binary":
            assert p.line == 2
    err = errors(tmp_path / "missing.csv", fmt)
    assert len(err.problems) == 1 and "no such file" in err.problems[0].message
    err = errors(tmp_path, fmt)
    assert len(err.problems) == 1 and "folder" in err.problems[0].message


def test_detection_of_bad_files(tmp_path):
    for content, fragment in ((b"", "empty file"), (b"\x00\x01", "binary")):
        err = errors(write(tmp_path, content, "x.dat"))
        assert fragment in err.problems[0].message
    err = errors(tmp_path / "nope.csv")
    assert "no such file" in err.problems[0].message


def test_latin1_and_many_problems(tmp_path):
    [p] = read_bdm(write(tmp_path, BDM_HEAD.encode() + "Bélgica,1,4,50\n".encode("latin-1")))
    assert p.actors == ("Bélgica",)
    rows = "".join(f"A{i},1,x,50\n" for i in range(80))
    err = errors(write(tmp_path, BDM_HEAD + rows))
    assert len(err.problems) == 51  # 50 shown, then one line with the count of the rest
    assert "30 more problems not shown" in err.problems[-1].message
