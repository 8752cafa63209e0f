"""A new model written from docs/bargaining.md ("Writing a model") alone: it extends
ModelBase, writes name and run, registers a factory, and runs through every door (the
forecast command, forecast_file, the backtest) with nothing else."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import blocs
from blocs.bargaining import registry
from blocs.bargaining.problem import Model, ModelBase, MultiIssueModel, one_round
from blocs.cli import build_app

runner = CliRunner()


class Middle(ModelBase):
    """The midpoint of the extreme positions."""

    name = "middle"

    def run(self, positions, salience, capability, reference=None):
        x = np.asarray(positions, dtype=float)
        return one_round(self.name, x, (x.min(axis=-1) + x.max(axis=-1)) / 2)


@pytest.fixture
def middle(monkeypatch):
    monkeypatch.setitem(registry.MODELS, "middle", lambda: Middle())


def test_the_documented_model_runs_through_every_door(middle, tmp_path):
    assert isinstance(Middle(), Model) and not isinstance(Middle(), MultiIssueModel)
    path = tmp_path / "m.csv"  # a 4-10 scale: mapped onto 0-100 for the model, and back
    path.write_text("Actor,Capability,Position,Salience\nA,1,4,0.5\nB,1,6,0.5\nC,2,10,0.5\n")
    result = runner.invoke(build_app(), ["forecast", str(path), "--model", "middle", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["model"] == "middle" and doc["issues"][0]["outcome"] == pytest.approx(7.0)
    assert blocs.forecast_file(path, "middle")["issues"][0]["outcome"] == pytest.approx(7.0)
    table = blocs.forecast(blocs.load_case("serbia-2024"), model="middle")
    assert set(table["model"]) == {"middle"}
    # An option the factory does not name is refused, never dropped.
    refused = runner.invoke(build_app(), ["forecast", str(path), "--model", "middle",
                                          "--rounds", "3"])
    assert refused.exit_code == 2
    assert "--rounds: model 'middle' takes no option 'rounds'" in refused.stderr


def test_an_object_without_the_interface_is_refused(monkeypatch):
    class Half:
        name = "half"  # no run, no run_problems

    monkeypatch.setitem(registry.MODELS, "half", lambda: Half())
    with pytest.raises(ValueError, match="does not implement the model interface"):
        blocs.get_model("half")


def test_every_builtin_model_implements_one_interface():
    for name in registry.MODELS:
        model = blocs.get_model(name)
        assert isinstance(model, Model) != isinstance(model, MultiIssueModel), name


def test_run_leaves_the_model_as_it_was():
    x, s, c = (np.array([[10.0, 40.0, 90.0]]), np.full((1, 3), 0.6), np.ones((1, 3)))
    for name in ("compromise", "median", "nash", "default", "eum", "smp"):
        model = blocs.get_model(name)
        before = dict(vars(model))
        first = model.run(x, s, c)
        assert vars(model).keys() == before.keys(), name
        for key, value in before.items():
            assert vars(model)[key] is value or np.array_equal(vars(model)[key], value), name
        np.testing.assert_array_equal(model.run(x, s, c).outcome, first.outcome)
