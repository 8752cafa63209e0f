"""The compromise model by hand, batched, and on the case's issues."""

from __future__ import annotations

import math

import numpy as np
import pytest

import blocs
from blocs.bargaining.forecast import issue_arrays


def test_by_hand():
    # (3*50*0 + 1*50*100) / (3*50 + 1*50) = 25
    assert float(blocs.compromise([0, 100], [50, 50], [3, 1])) == pytest.approx(25.0)
    # Salience matters as much as capability: (1*10*20 + 1*30*80) / 40 = 65
    assert float(blocs.compromise([20, 80], [10, 30], [1, 1])) == pytest.approx(65.0)


def test_zero_weights_give_nan():
    assert math.isnan(float(blocs.compromise([10, 20], [0, 0], [1, 1])))


def test_batched_variants_equal_single_runs():
    rng = np.random.default_rng(20241)
    n, v = 12, 10_000
    pos = rng.uniform(0, 100, size=(v, n))
    sal = rng.uniform(0, 100, size=(v, n))
    cap = rng.uniform(0, 100, size=(v, n))
    batch = blocs.compromise(pos, sal, cap)
    assert batch.shape == (v,)
    for i in rng.choice(v, size=25, replace=False):
        assert batch[i] == pytest.approx(float(blocs.compromise(pos[i], sal[i], cap[i])),
                                         rel=1e-12)


def test_shared_weights_broadcast_over_variants():
    pos = np.array([[0.0, 100.0], [50.0, 50.0], [100.0, 0.0]])
    out = blocs.compromise(pos, [1, 1], [1, 3])
    assert out.tolist() == pytest.approx([75.0, 50.0, 25.0])


def test_several_dimensions():
    pos = np.array([[0.0, 10.0], [100.0, 30.0]])  # 2 actors x 2 dimensions
    out = blocs.compromise(pos, [1, 1], [1, 3], multidim=True)
    assert out.tolist() == pytest.approx([75.0, 25.0])


def test_forecast_matches_the_formula_on_the_case():
    s = blocs.load_case("serbia-2024")
    table = blocs.forecast(s, model="compromise").set_index("issue")
    for issue in s.case.issues:
        arr = issue_arrays(s, issue)
        w = arr.salience * arr.capability
        assert table.loc[issue, "outcome"] == pytest.approx(
            float((w * arr.positions).sum() / w.sum()), rel=1e-12)


def test_unknown_model_or_issue():
    s = blocs.load_case("serbia-2024")
    with pytest.raises(ValueError, match="unknown model"):
        blocs.forecast(s, model="oracle")
    with pytest.raises(ValueError, match="unknown issue"):
        blocs.forecast(s, issues=["nope"])
