"""Inputs that differ run by run (an ensemble's sampled uncertainties, docs/ensembles.md).

`RunInputs.build` turns ``overrides`` — (kind, ids, values) triples, one value per run, for
the input kinds of `blocs.scenario.paths.UNCERTAIN` — into arrays with a leading run axis
that the yearly step reads in place of the plan's own numbers:

* a tie's figure: the figure known at the start, in the years it counts (`Plan.tie_start`),
  is replaced by the run's value (a trend's moves on it scale with it);
* a position, salience, status quo or typed capability: the run's starting value;
* a presence's size (actor, country): the run's troops there;
* a trend's rate: the trend's path recomputed with the run's rate (`Plan.trends`);
* a shock's chance, a trigger's threshold, ``dynamics/inertia`` (for the stakeholders
  without their own) and ``dynamics/leverage_scale``: the run's value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from blocs.dynamics.plan import Plan, growth


@dataclass
class RunInputs:
    """Run-varying parameters, each (R, ...) or None when no run differs from the plan."""

    runs: int
    tie_value: dict[int, np.ndarray] = field(default_factory=dict)
    """tie index -> (R,) the start figure's value."""
    tie_path: dict[int, np.ndarray] = field(default_factory=dict)
    """tie index -> (R, Y) the tie trend's path."""
    start: dict[str, dict[int, np.ndarray]] = field(default_factory=dict)
    """state array ("positions", "salience", "status_quo", "capability", "presence") ->
    index -> (R,) starting values."""
    cap_value_path: dict[int, np.ndarray] = field(default_factory=dict)
    """stakeholder -> (R, Y) a capability trend's values."""
    cap_mult_path: dict[int, np.ndarray] = field(default_factory=dict)
    """stakeholder -> (R, Y) a from_leverage capability trend's multiplier."""
    drift: dict[tuple[str, int], np.ndarray] = field(default_factory=dict)
    """("position" | "salience", stakeholder) -> (R, Y) the yearly change."""
    power_ratio: dict[int, np.ndarray] = field(default_factory=dict)
    """power series -> (R, Y) its ratio to the start."""
    chance: dict[int, np.ndarray] = field(default_factory=dict)
    threshold: dict[int, np.ndarray] = field(default_factory=dict)
    inertia: np.ndarray | None = None
    """(R, S)."""
    leverage_scale: np.ndarray | None = None
    """(R,)."""

    @classmethod
    def build(cls, plan: Plan, runs: int,
              overrides: list[tuple[str, tuple[str, ...], np.ndarray]]) -> RunInputs:
        """See the module; ValueError (one line) for an input the step cannot vary."""
        out = cls(runs)
        seats = {s: i for i, s in enumerate(plan.seats)}
        keys = {k: i for i, k in enumerate(plan.tie_keys)}
        issues = {iid: i for i, iid in enumerate(plan.issues)}
        for kind, ids, values in overrides:
            v = np.asarray(values, dtype=float).reshape(runs)
            if kind == "tie":
                if ids in keys:  # a tie into another state moves no lever over the focus
                    out.tie_value[keys[ids]] = v
            elif kind in ("position", "salience", "capability"):
                s = seats[ids]
                if kind == "capability" and plan.from_leverage[s]:
                    raise ValueError(
                        f"uncertain capability/{'/'.join(ids)}: the capability comes from "
                        "leverage (allowed: an uncertain tie of that power, or "
                        "dynamics/leverage_scale)")
                out.start.setdefault(kind, {})[s] = v
            elif kind == "status_quo":
                out.start.setdefault(kind, {})[issues[ids[0]]] = v
            elif kind == "presence":
                g = plan.presence_groups.index(ids) if ids in plan.presence_groups else -1
                if g >= 0:
                    out.start.setdefault(kind, {})[g] = v
            elif kind == "trend":
                out._trend(plan, ids[0], v)
            elif kind == "shock":
                out.chance[[s.id for s in plan.shocks].index(ids[0])] = v
            elif kind == "trigger":
                out.threshold[[t.id for t in plan.triggers].index(ids[0])] = v
            elif ids[0] == "inertia":
                own = plan.own_inertia
                out.inertia = np.where(own[None, :], plan.inertia[None, :], v[:, None])
            else:
                out.leverage_scale = v
        return out

    def _trend(self, plan: Plan, tid: str, rate: np.ndarray) -> None:
        """The path of trend ``tid`` under each run's rate."""
        tp = next(t for t in plan.trends if t.id == tid)
        path = growth(tp.last[None, :], rate[:, None], tp.change, tp.n[None, :])
        if tp.kind == "tie":
            self.tie_path[tp.index] = path
        elif tp.kind == "capability":
            (self.cap_mult_path if tp.multiplier else self.cap_value_path)[tp.index] = path
        elif tp.kind in ("position", "salience"):
            prev = np.concatenate([np.full((self.runs, 1), tp.base), path[:, :-1]], axis=1)
            self.drift[(tp.kind, tp.index)] = np.nan_to_num(path - prev)
        else:
            finite = np.isfinite(path[0])
            first = int(np.argmax(finite)) if finite.any() else 0
            base = path[:, first:first + 1]
            with np.errstate(invalid="ignore", divide="ignore"):
                self.power_ratio[tp.index] = np.where(np.isfinite(path) & (base != 0),
                                                      path / base, 1.0)
