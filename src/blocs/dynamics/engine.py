"""The yearly step, for R runs at once (docs/dynamics.md).

Every input the step changes is an array with a leading run axis; one call advances all the
runs through the years, with a Python loop over years, issues, shocks and distinct maps, never
over runs.  For year t:

1. trends: positions and saliences move by their trends' yearly change;
2. shocks of year t: scheduled ones in every run, chance ones where the run's own uniform
   (`blocs.dynamics.draws`) falls below the chance; their effects change the inputs of t;
3. ties of year t (the case's figures and trends, times each run's effect factors) ->
   shares -> leverage by power and cell (`blocs.dynamics.levers`); bloc shares, effective
   numbers; reach and encirclement per distinct map (`blocs.dynamics.places`);
4. capabilities: typed, or k x leverage in the stakeholder's domains (from_leverage), times
   the relative-power ratio of the series that cover it, times effect factors;
5. each issue's bargaining with the case's model (`Model.run` on (R, n) arrays);
6. positions into t + 1: x_i(t+1) = lambda_i x_i^R(t) + (1 - lambda_i) y(t), x^R the positions
   after the model's rounds, y the outcome; the status quo becomes y(t);
7. triggers on year t's quantities; their effects change the inputs of t + 1 (made after
   step 6, so a trigger's change to a position is not undone by it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from blocs.dynamics.draws import uniforms
from blocs.dynamics.levers import leverage_cells, shares, year_structure
from blocs.dynamics.places import HOSTILE_AND_NEUTRAL, map_quantities, overlay_scenario
from blocs.dynamics.plan import CELLS, Action, Plan
from blocs.dynamics.runinputs import RunInputs
from blocs.scenario.schema import DOMAINS


@dataclass
class State:
    """The inputs that effects change, per run (R on the first axis)."""

    positions: np.ndarray      # (R, S)
    salience: np.ndarray       # (R, S)
    cap_factor: np.ndarray     # (R, S)
    cap_offset: np.ndarray     # (R, S)
    tie_factor: np.ndarray     # (R, K)
    tie_offset: np.ndarray     # (R, K)
    tie_set: np.ndarray        # (R, K) bool: a figure set by an effect counts
    status_quo: np.ndarray     # (R, I)
    power_factor: np.ndarray   # (R, X)
    presence_factor: np.ndarray  # (R, G)
    overlay: np.ndarray        # (R,) int: the run's map changes (`Simulation.overlays`)
    done: np.ndarray           # (R, shocks + triggers) bool: fired already
    overlays: list[tuple] = field(default_factory=lambda: [()])

    @classmethod
    def start(cls, plan: Plan, runs: int, inputs: RunInputs | None = None) -> State:
        """The state of the first year, with the runs' own starting values (``inputs``)."""
        st = cls._plain(plan, runs)
        if inputs is None:
            return st
        for name, arr in (("position", st.positions), ("salience", st.salience),
                          ("status_quo", st.status_quo)):
            for i, v in inputs.start.get(name, {}).items():
                arr[:, i] = v
        for g, v in inputs.start.get("presence", {}).items():
            size = plan.group_size(g, plan.start)
            st.presence_factor[:, g] = v / size if size > 0 else 0.0
        return st

    @classmethod
    def _plain(cls, plan: Plan, runs: int) -> State:
        n = len(plan.seats)
        k = len(plan.tie_keys)
        return cls(
            positions=np.tile(plan.position0, (runs, 1)),
            salience=np.tile(plan.salience0, (runs, 1)),
            cap_factor=np.ones((runs, n)), cap_offset=np.zeros((runs, n)),
            tie_factor=np.ones((runs, k)), tie_offset=np.zeros((runs, k)),
            tie_set=np.zeros((runs, k), dtype=bool),
            status_quo=np.tile(plan.status_quo0, (runs, 1)),
            power_factor=np.ones((runs, len(plan.power_ids))),
            presence_factor=np.ones((runs, len(plan.presence_groups))),
            overlay=np.zeros(runs, dtype=int),
            done=np.zeros((runs, len(plan.shocks) + len(plan.triggers)), dtype=bool))


def quantity_names(plan: Plan) -> list[tuple[str, str]]:
    """(table, name) of every quantity the step records, in output order."""
    scen = plan.scenario
    seats = [f"{i}/{a}" for i, a in plan.seats]
    names = [("outcomes", i) for i in plan.issues]
    names += [("status_quos", i) for i in plan.issues]
    names += [("positions", s) for s in seats]
    names += [("saliences", s) for s in seats]
    names += [("capabilities", s) for s in seats]
    names += [("leverage", f"{p}/{d}") for p in plan.powers for d in DOMAINS]
    names += [("powers", f"{p}/{w}") for p in plan.powers
              for w in ("soft", "hard", "total", "share")]
    names += [("blocs", b) for b in scen.case.blocs]
    names += [("pillars", "pillars"), ("pillars", "powers")]
    names += [("ties", "/".join(k)) for k in plan.tie_keys]
    names += [("power", x) for x in plan.power_ids]
    names += [("encirclement", b) for b in [*scen.case.blocs, *HOSTILE_AND_NEUTRAL]]
    names += [("reach", p) for p in plan.powers]
    names += [("events", s.id) for s in plan.shocks] + [("events", t.id) for t in plan.triggers]
    names += [("observables", o.id) for o in plan.observables]
    return names


def quantity_key(kind: str, ids: tuple[str, ...]) -> tuple[str, str]:
    """The (table, name) a quantity path reads (`blocs.scenario.paths.QUANTITIES`)."""
    if kind == "outcome":
        return "outcomes", ids[0]
    if kind in ("position", "capability", "salience"):
        return {"position": "positions", "capability": "capabilities",
                "salience": "saliences"}[kind], "/".join(ids)
    if kind == "leverage":
        return ("powers", f"{ids[0]}/total") if len(ids) == 1 else ("leverage", "/".join(ids))
    if kind == "share":
        return "powers", f"{ids[0]}/share"
    if kind == "bloc":
        return "blocs", ids[0]
    if kind == "pillars":
        return "pillars", "powers" if ids else "pillars"
    if kind == "tie":
        return "ties", "/".join(ids)
    return {"power": "power", "encirclement": "encirclement", "reach": "reach"}[kind], ids[0]


def effective(values: np.ndarray) -> np.ndarray:
    """Inverse Herfindahl index over the last axis of positive values (NaN when none)."""
    v = np.where(values > 0, values, 0.0)
    total = v.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = v / total[..., None]
        return np.where(total > 0, 1.0 / (p * p).sum(axis=-1), np.nan)


class Stepper:
    """Runs a `Plan` for R runs (see the module); `run` returns the (Y, Q, R) quantities."""

    def __init__(self, plan: Plan, model: Any):
        self.plan = plan
        self.model = model
        self.names = quantity_names(plan)
        self.index = {n: q for q, n in enumerate(self.names)}
        self.uses_veto = bool(getattr(model, "uses_veto", False))
        pillars = [plan.powers.index(p) for p in plan.pillars if p in plan.powers]
        self.pillars = np.array(pillars if plan.pillars else range(len(plan.powers)), dtype=int)
        self.domain_of = np.array([DOMAINS.index(d) for d, _ in CELLS])
        self.hard = np.array([k == "hard" for _, k in CELLS])
        self.scenarios: dict[tuple, Any] = {}  # the map of each set of changes
        self.inputs = RunInputs(1)

    # -- the whole period ----------------------------------------------------------------------
    def run(self, runs: int, seed: int, first_run: int = 0,
            inputs: RunInputs | None = None) -> np.ndarray:
        """The (years, quantities, runs) quantities of runs ``first_run`` ..; ``inputs`` the
        runs' own values of the case's uncertain inputs (`RunInputs`)."""
        plan = self.plan
        self.inputs = RunInputs(runs) if inputs is None else inputs
        state = State.start(plan, runs, inputs)
        out = np.full((len(plan.years), len(self.names), runs), np.nan)
        for yi, year in enumerate(plan.years):
            rec = out[yi]
            if yi > 0:
                state.positions = np.clip(state.positions + self._drift("position", yi), 0, 100)
                state.salience = np.clip(state.salience + self._drift("salience", yi), 0, 100)
            self._shocks(state, rec, yi, int(year), seed, first_run)
            outcome, final = self._year(state, rec, yi, int(year))
            self._observe(rec)
            self._carry(state, outcome, final)
            self._triggers(state, rec, yi, int(year))
        return out

    def _drift(self, kind: str, yi: int) -> np.ndarray:
        """This year's trend change of positions or saliences, (1 or R, S)."""
        base = (self.plan.position_drift if kind == "position" else self.plan.salience_drift)[yi]
        own = {s: d for (k, s), d in self.inputs.drift.items() if k == kind}
        if not own:
            return base[None, :]
        out = np.tile(base, (self.inputs.runs, 1))
        for s, d in own.items():
            out[:, s] = d[:, yi]
        return out

    def _carry(self, st: State, outcome: list[np.ndarray], final: list[np.ndarray]) -> None:
        """Positions and status quos into the next year (step 6 of the module)."""
        lam = (self.plan.inertia[None, :] if self.inputs.inertia is None
               else self.inputs.inertia)
        for i, sl in enumerate(self.plan.slices):
            y = outcome[i]
            moved = lam[:, sl] * final[i] + (1 - lam[:, sl]) * y[:, None]
            # A run whose issue has no outcome (no weight left) keeps its positions.
            st.positions[:, sl] = np.where(np.isfinite(moved), moved, st.positions[:, sl])
            has_sq = np.isfinite(st.status_quo[:, i])
            st.status_quo[:, i] = np.where(has_sq & np.isfinite(y), y, st.status_quo[:, i])
        st.positions = np.clip(st.positions, 0, 100)

    # -- one year's quantities -----------------------------------------------------------------
    def _year(self, st: State, rec: np.ndarray, yi: int, year: int
              ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Steps 3-5 of the module for year index ``yi``: leverage, maps, capabilities,
        bargaining; records the year's quantities in ``rec`` and returns each issue's
        outcome (R,) and positions after the rounds (R, n)."""
        lev = self._leverage(st, rec, yi)
        self._maps(st, rec, year, lev.sum(axis=2))
        cap = self._capabilities(st, rec, yi, lev)
        return self._bargain(st, rec, cap)

    def _leverage(self, st: State, rec: np.ndarray, yi: int) -> np.ndarray:
        """The runs' tie figures -> shares -> leverage (R, P, C); records the leverage,
        powers, pillars and ties tables."""
        plan = self.plan
        runs = st.positions.shape[0]
        base = self._tie_base(yi)
        known = np.isfinite(base)
        values = np.where(known, np.nan_to_num(base) * st.tie_factor + st.tie_offset,
                          st.tie_offset)
        values = np.clip(values, 0.0, None)
        present = known | st.tie_set
        ys = year_structure(plan, yi)
        s, colmask = shares(ys, values, present, st.presence_factor, len(plan.powers))
        lev, _ = leverage_cells(ys, s, colmask)
        totals = lev.sum(axis=2)
        hard = lev[:, :, self.hard].sum(axis=2)
        grand = totals.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(grand > 0, totals / grand, 0.0)
        by_domain = np.zeros((runs, len(plan.powers), len(DOMAINS)))
        np.add.at(by_domain.transpose(2, 0, 1), self.domain_of, lev.transpose(2, 0, 1))
        self._put(rec, "leverage", [f"{p}/{d}" for p in plan.powers for d in DOMAINS],
                  by_domain.reshape(runs, -1))
        for w, arr in (("soft", totals - hard), ("hard", hard), ("total", totals),
                       ("share", share)):
            self._put(rec, "powers", [f"{p}/{w}" for p in plan.powers], arr)
        rec[self.index[("pillars", "powers")]] = effective(totals)
        rec[self.index[("pillars", "pillars")]] = effective(totals[:, self.pillars])
        tie_share = np.full((runs, len(plan.tie_keys)), np.nan)
        for k, p, j in zip(ys.tie, ys.power, ys.column, strict=True):
            tie_share[:, k] = np.where(present[:, k], s[:, p, j], np.nan)
        self._put(rec, "ties", ["/".join(k) for k in plan.tie_keys], tie_share)
        return lev

    def _tie_base(self, yi: int) -> np.ndarray:
        """The ties' figures of year ``yi``, (1 or R, K): the plan's, with the runs' own tie
        trend paths and start figures (`RunInputs`)."""
        plan, inp = self.plan, self.inputs
        base = plan.tie_values[yi][None, :]
        if not inp.tie_value and not inp.tie_path:
            return base
        base = np.tile(plan.tie_values[yi], (inp.runs, 1))
        for k, path in inp.tie_path.items():
            base[:, k] = np.where(np.isfinite(path[:, yi]), path[:, yi], base[:, k])
        for k, v in inp.tie_value.items():
            if not plan.tie_start[yi, k]:
                continue
            start = plan.tie_values[0, k]
            # The start figure replaced: a trend's later moves on it scale with it.
            base[:, k] = (base[:, k] * v / start if np.isfinite(start) and start > 0
                          else v)
        return base

    def _capabilities(self, st: State, rec: np.ndarray, yi: int, lev: np.ndarray
                      ) -> np.ndarray:
        """Step 4: every stakeholder's capability (R, S); records the capabilities,
        positions, saliences and power tables."""
        plan = self.plan
        runs = st.positions.shape[0]
        # Each series' ratio times its id's effect factor; a stakeholder's multiplier is the
        # mean over the series that cover it (1 when none does).
        inp = self.inputs
        series = np.tile(plan.power_ratio[yi], (runs, 1))
        for j, path in inp.power_ratio.items():
            series[:, j] = path[:, yi]
        ratio = series * st.power_factor[:, plan.series_power]                    # (R, N)
        cover = plan.seat_powers                                              # (S, N)
        n_cover = cover.sum(axis=1)
        mult = np.where(n_cover > 0, (ratio @ cover.T) / np.where(n_cover > 0, n_cover, 1), 1.0)
        typed = np.tile(np.where(np.isfinite(plan.cap_values[yi]), plan.cap_values[yi],
                                 plan.capability0), (runs, 1))
        for s, v in inp.start.get("capability", {}).items():
            if not np.isfinite(plan.cap_values[yi, s]):
                typed[:, s] = v
        for s, path in inp.cap_value_path.items():
            typed[:, s] = np.where(np.isfinite(path[:, yi]), path[:, yi], typed[:, s])
        cap_path = np.tile(plan.cap_path[yi], (runs, 1))
        for s, path in inp.cap_mult_path.items():
            cap_path[:, s] = path[:, yi]
        scale = (plan.leverage_scale if inp.leverage_scale is None
                 else inp.leverage_scale[:, None])
        from_lev = np.zeros((runs, len(plan.seats)))
        fl = plan.from_leverage & (plan.seat_power >= 0)
        if fl.any():
            cells = lev[:, plan.seat_power[fl], :] * plan.seat_cells[fl][None]
            from_lev[:, fl] = scale * cells.sum(axis=2) * cap_path[:, fl]
        base_cap = np.where(plan.from_leverage[None, :], from_lev, typed)
        cap = np.clip(base_cap * mult * st.cap_factor + st.cap_offset, 0.0, None)
        seats = [f"{i}/{a}" for i, a in plan.seats]
        self._put(rec, "capabilities", seats, cap)
        self._put(rec, "positions", seats, st.positions)
        self._put(rec, "saliences", seats, st.salience)
        if plan.power_ids:
            # Per id: the mean of its series' ratios, times its factor.
            own = np.stack([ratio[:, plan.series_power == x].mean(axis=1)
                            for x in range(len(plan.power_ids))], axis=1)
            self._put(rec, "power", list(plan.power_ids), own)
        return cap

    def _bargain(self, st: State, rec: np.ndarray, cap: np.ndarray
                 ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Step 5: each issue through the model, all runs in one call; records the status
        quos and outcomes."""
        plan = self.plan
        runs = st.positions.shape[0]
        self._put(rec, "status_quos", list(plan.issues), st.status_quo)
        outcomes, finals = [], []
        for i, sl in enumerate(plan.slices):
            kwargs: dict[str, Any] = {}
            q = st.status_quo[:, i]
            if np.isfinite(q).all():
                kwargs["reference"] = q.copy()
            if self.uses_veto and plan.veto[i].any():
                kwargs["veto"] = np.tile(plan.veto[i], (runs, 1))
            traj = self.model.run(st.positions[:, sl].copy(), st.salience[:, sl] / 100.0,
                                  cap[:, sl].copy(), **kwargs)
            y = np.asarray(traj.outcome, dtype=float)[-1].reshape(runs)
            outcomes.append(y)
            finals.append(np.asarray(traj.positions, dtype=float)[-1].reshape(runs, -1))
            rec[self.index[("outcomes", plan.issues[i])]] = y
        return outcomes, finals

    def _maps(self, st: State, rec: np.ndarray, year: int, totals: np.ndarray) -> None:
        """Bloc shares, reach and encirclement, computed per distinct map."""
        plan = self.plan
        blocs = list(plan.scenario.case.blocs)
        cache = plan.extra.setdefault("maps", {})
        grand = totals.sum(axis=1)
        enc_names = [*blocs, *HOSTILE_AND_NEUTRAL]
        for ov in np.unique(st.overlay):
            rows = st.overlay == ov
            changes = st.overlays[int(ov)]
            scen = self.scenarios.get(changes)
            if scen is None:
                scen = overlay_scenario(plan.scenario, changes)
                self.scenarios[changes] = scen
            mq = map_quantities(scen, year, plan.powers, changes, cache)
            bloc_val = totals[rows] @ mq.bloc_members.T.astype(float)         # (r, B)
            with np.errstate(invalid="ignore", divide="ignore"):
                bshare = np.where(grand[rows, None] > 0, bloc_val / grand[rows, None], 0.0)
            for b, name in enumerate(blocs):
                rec[self.index[("blocs", name)], rows] = bshare[:, b]
            for p, name in enumerate(plan.powers):
                rec[self.index[("reach", name)], rows] = mq.reach[p]
            for name in enc_names:
                rec[self.index[("encirclement", name)], rows] = mq.encirclement.get(name, 0.0)

    def _put(self, rec: np.ndarray, table: str, names: list[str], values: np.ndarray) -> None:
        rows = [self.index[(table, n)] for n in names]
        rec[rows] = values.T

    # -- shocks, triggers, observables --------------------------------------------------------
    def _shocks(self, st: State, rec: np.ndarray, yi: int, year: int, seed: int,
                first_run: int) -> None:
        runs = st.positions.shape[0]
        for j, sh in enumerate(self.plan.shocks):
            if not sh.years[yi]:
                rec[self.index[("events", sh.id)]] = 0.0
                continue
            chance = self.inputs.chance.get(j, sh.chance)
            if np.all(np.asarray(chance) >= 1.0):
                fired = np.ones(runs, dtype=bool)
            else:
                fired = uniforms(seed, year, j, first_run, runs) < chance
            if sh.once:
                fired &= ~st.done[:, j]
                st.done[:, j] |= fired
            rec[self.index[("events", sh.id)]] = fired
            if fired.any():
                for action in sh.actions:
                    self._apply(st, action, fired, yi, year)

    def _triggers(self, st: State, rec: np.ndarray, yi: int, year: int) -> None:
        offset = len(self.plan.shocks)
        for j, tr in enumerate(self.plan.triggers):
            q = self.index.get(quantity_key(*tr.when))
            value = rec[q] if q is not None else np.full(st.positions.shape[0], np.nan)
            level = self.inputs.threshold.get(j, tr.above if tr.above is not None else tr.below)
            with np.errstate(invalid="ignore"):
                fired = (value > level) if tr.above is not None else (value < level)
            if tr.once:
                fired &= ~st.done[:, offset + j]
                st.done[:, offset + j] |= fired
            rec[self.index[("events", tr.id)]] = fired
            if fired.any() and yi + 1 < len(self.plan.years):
                for action in tr.actions:
                    self._apply(st, action, fired, yi + 1, year + 1)

    def _observe(self, rec: np.ndarray) -> None:
        """Observables before anchoring: offset + scale x the quantity."""
        for o in self.plan.observables:
            q = self.index.get(quantity_key(*o.quantity))
            raw = rec[q] if q is not None else np.nan
            rec[self.index[("observables", o.id)]] = o.offset + o.scale * raw

    # -- effects -------------------------------------------------------------------------------
    def _apply(self, st: State, a: Action, m: np.ndarray, yi: int, year: int) -> None:
        """Make effect ``a`` in the runs ``m``, from year ``year`` (index ``yi``) on."""
        if a.kind in ("membership", "border"):
            change = ((a.kind, a.ids[0], a.ids[1], a.value, year) if a.kind == "membership"
                      else (a.kind, a.ids[0], a.ids[1], bool(a.value), year))
            for ov in np.unique(st.overlay[m]):
                new = st.overlays[int(ov)] + (change,)
                if new not in st.overlays:
                    st.overlays.append(new)
                st.overlay[m & (st.overlay == ov)] = st.overlays.index(new)
            return
        if a.index < 0:
            return  # a tie into another state: outside the focus's leverage
        i = a.index
        if a.kind == "tie":
            _numeric(st.tie_factor, st.tie_offset, m, i, a)
            if a.op in ("set", "add"):
                st.tie_set[m, i] = True
        elif a.kind == "capability":
            _numeric(st.cap_factor, st.cap_offset, m, i, a)
        elif a.kind in ("position", "salience", "status_quo"):
            arr = {"position": st.positions, "salience": st.salience,
                   "status_quo": st.status_quo}[a.kind]
            arr[m, i] = np.clip(_op(arr[m, i], a), 0.0, 100.0)
        elif a.kind == "power":
            st.power_factor[m, i] = np.clip(_op(st.power_factor[m, i], a), 0.0, None)
        elif a.kind == "presence":
            size = self.plan.group_size(i, year)
            f = st.presence_factor[m, i]
            if a.op == "scale":
                f = f * a.value
            elif size > 0:
                f = (a.value / size) if a.op == "set" else f + a.value / size
            st.presence_factor[m, i] = np.clip(f, 0.0, None)


def _op(x: np.ndarray, a: Action) -> np.ndarray:
    if a.op == "set":
        return np.full_like(x, float(a.value))
    if a.op == "add":
        return x + float(a.value)
    return x * float(a.value)


def _numeric(factor: np.ndarray, offset: np.ndarray, m: np.ndarray, i: int, a: Action) -> None:
    """value = base x factor + offset: set (factor 0, offset v), add, scale (both)."""
    if a.op == "set":
        factor[m, i] = 0.0
        offset[m, i] = float(a.value)
    elif a.op == "add":
        offset[m, i] += float(a.value)
    else:
        factor[m, i] *= float(a.value)
        offset[m, i] *= float(a.value)
