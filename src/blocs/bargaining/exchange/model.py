"""The exchange model's entry points: `run_exchange`, `run_variants`, `candidates`, and
`ExchangeModel` for ``blocs forecast --model exchange``.

`run_exchange` runs the issues of one file together (the `Problem` list of
``blocs.bargaining.formats.read_problems``) and returns an `ExchangeResult`: one `Trajectory`
per issue on Decide's 0-100 scale, plus every realised exchange.  The rounds themselves:
`rounds.run_tables`.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from blocs.bargaining.exchange.arithmetic import Numbers, decimal_context
from blocs.bargaining.exchange.rex import Rex
from blocs.bargaining.exchange.rounds import new_round, run_tables
from blocs.bargaining.exchange.tables import (
    denormalise,
    merged_actors,
    problem_tables,
    start_tables,
    sum_order,
)
from blocs.bargaining.problem import Problem, Trajectory


@dataclass(frozen=True)
class Exchange:
    """One realised exchange: actor ``i`` gives way on ``supply_i`` (from ``x_i`` to ``y_i``)
    and in return actor ``j`` gives way on ``supply_j`` (``x_j`` to ``y_j``); both gain
    ``gain``.  Positions on the 0-100 scale; ``x`` is the supply position when realised (it
    may already reflect an earlier exchange of the round)."""

    i: str
    supply_i: str
    j: str
    supply_j: str
    gain: float
    x_i: float
    y_i: float
    x_j: float
    y_j: float

    def as_list(self) -> list:
        """In Decide's order: [i, supply_i, j, supply_j, gain, x_i, y_i, x_j, y_j]."""
        return [self.i, self.supply_i, self.j, self.supply_j, self.gain,
                self.x_i, self.y_i, self.x_j, self.y_j]


@dataclass
class ExchangeResult:
    """What `run_exchange` gives.

    ``trajectories[k]``: issue ``issues[k]`` as a `Trajectory` (V = 1) on the 0-100 scale:
    ``positions[0]`` the input, ``positions[t]`` the *voting* positions of round t (after its
    exchanges), ``outcome[t]`` their NBS (capability x salience weighted mean; round 0 = the
    compromise model); ``events[t][0]`` the moves on the issue in round t, in the order made:
    {actor, from_position, to_position, with (the partner), in_return_on (the issue the
    partner gave way on), gain}.
    ``start[t]`` (A, P): every actor's position at the start of round t + 1 (round 0 = input;
    NaN where an actor has no position); ``nbs_start[t]`` (P): the NBS of ``start[t]``.
    ``exchanges[t - 1]``: the exchanges of round t in the order realised.
    ``candidates[t - 1]``: how many exchanges were built at the start of round t.
    ``scales``: each issue's own scale (for mapping back: x * (high - low) / 100 + low).
    ``converged``: the round in which no exchange was realised (under REX: no exchange was
    even a candidate), after which every round would be the same again, so the run stopped
    there (R = converged); -1 when the last round asked for still realised exchanges.
    """

    actors: tuple[str, ...]
    issues: tuple[str, ...]
    scales: tuple[tuple[float, float], ...]
    trajectories: list[Trajectory]
    start: np.ndarray
    nbs_start: np.ndarray
    voting: np.ndarray
    outcome: np.ndarray
    exchanges: list[list[Exchange]] = field(default_factory=list)
    candidates: list[int] = field(default_factory=list)
    ties: int = 0
    converged: int = -1

    def trajectory(self, issue: str) -> Trajectory:
        return self.trajectories[self.issues.index(issue)]


def run_exchange(
    problems: Sequence[Problem],
    rounds: int = 10,
    *,
    tie_break: str = "first",
    seed: int | np.random.Generator | None = None,
    actors: Sequence[str] | None = None,
    arithmetic: str = "hybrid",
    p: float = 0.0,
) -> ExchangeResult:
    """Stokman's exchange model (Equal Gain) over all ``problems`` (the issues of one file).

    Every issue is normalised onto 0-100 as Decide does ((x - low) * 100 / (high - low), from
    ``Problem.scale``); all positions and outcomes of the result are on that scale
    (`denormalise` maps them back).  ``tie_break="first"``: exchanges of equal gain are
    realised in the order of Decide's list (deterministic, Decide's ``ALLOW_RANDOM = False``);
    ``"random"``: Decide's coin between the first two, from ``seed`` (an int or a numpy
    Generator; the same seed gives the same run).  ``actors``: the actor order (default: the
    problems' actors merged in order), which fixes the order exchanges are built in.
    ``arithmetic``: "hybrid" (default; reproduces Decide's Decimal run), "float" (float64
    only: fastest; exchanges of mathematically equal gain may come in another order than in
    Decide) or "decimal" (all in Decimal, slow).  ``p`` > 0: REX, Decide's randomised
    exchange rates (``--p``; docs/exchange.md section 4), drawn from ``seed``; needs
    ``arithmetic="float"``.  ``Exchange.gain`` stays the equal gain (the order of
    realisation); the positions are the drawn ones.  The run stops early after a round that
    realised no exchange (``ExchangeResult.converged``; `run_tables`).
    """
    problems, names, x, s, c, has, order = _setup(problems, actors)
    rng = _generator(seed) if tie_break == "random" or p > 0 else None
    out = run_tables(x, s, c, has, rounds, tie_break=tie_break, rng=rng, arithmetic=arithmetic,
                     order=order, scales=[prob.scale for prob in problems], p=p)
    ids = tuple(p.id for p in problems)
    exchanges = [[Exchange(names[aI], ids[sI], names[aJ], ids[sJ], g, xi, yi, xj, yj)
                  for aI, sI, aJ, sJ, g, xi, yi, xj, yj in rows] for rows in out["rows"]]
    trajectories = []
    for k, prob in enumerate(problems):
        rows = [names.index(a) for a in prob.actors]
        pos = out["voting"][:, rows, k][:, None, :]
        outc = out["outcome"][:, k][:, None]
        events: list[list[list[dict[str, Any]]]] = [[[]]]
        for rnd in exchanges:
            evs = []
            for ex in rnd:
                if ex.supply_i == prob.id:
                    evs.append({"actor": ex.i, "from_position": ex.x_i, "to_position": ex.y_i,
                                "with": ex.j, "in_return_on": ex.supply_j, "gain": ex.gain})
                if ex.supply_j == prob.id:
                    evs.append({"actor": ex.j, "from_position": ex.x_j, "to_position": ex.y_j,
                                "with": ex.i, "in_return_on": ex.supply_i, "gain": ex.gain})
            events.append([evs])
        trajectories.append(Trajectory(model="exchange", positions=pos, outcome=outc,
                                       events=events,
                                       converged=np.array([out["converged"]], dtype=np.intp)))
    return ExchangeResult(
        actors=names, issues=ids, scales=tuple(tuple(map(float, p.scale)) for p in problems),
        trajectories=trajectories, start=out["start"], nbs_start=out["nbs_start"],
        voting=out["voting"], outcome=out["outcome"], exchanges=exchanges,
        candidates=out["candidates"], ties=out["ties"], converged=out["converged"])


def _setup(problems, actors):
    """(problems as a list, actor names, then `tables.problem_tables`'s x, s, c, has, order)."""
    problems = list(problems)
    if not problems:
        raise ValueError("no issues")
    names = tuple(actors) if actors is not None else merged_actors(problems)
    return problems, names, *problem_tables(problems, names)


def _generator(seed: int | np.random.Generator | None) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def candidates(problems: Sequence[Problem], *, arithmetic: str = "decimal",
               actors: Sequence[str] | None = None, p: float = 0.0,
               seed: int | np.random.Generator | None = None) -> list[dict[str, Any]]:
    """The candidate exchanges of the first round, in the order Decide builds them, each as
    {i, supply_i, j, supply_j, gain, y_i, y_j, valid} (Decimal gains and positions with
    ``arithmetic="decimal"``, floats with "float"); the exchanges realised first are the
    valid ones of highest gain.  ``p`` > 0 (``arithmetic="float"``): with REX's rates, drawn
    from ``seed`` (an int or a numpy Generator) candidate by candidate as `run_exchange`
    draws them: the voting positions and validity are the drawn ones, the gain the equal
    gain."""
    if arithmetic not in ("decimal", "float"):
        raise ValueError(f"arithmetic '{arithmetic}' (allowed: decimal, float)")
    if not p >= 0:
        raise ValueError(f"p {p} (allowed: >= 0)")
    if p > 0 and arithmetic != "float":
        raise ValueError("REX (p > 0) needs arithmetic 'float'")
    problems, names, x, s, c, has, order = _setup(problems, actors)
    num = Numbers(arithmetic == "decimal")
    rex = Rex(p, _generator(seed)) if p > 0 else None
    ids = [prob.id for prob in problems]
    with decimal.localcontext(decimal_context()), np.errstate(divide="ignore", invalid="ignore",
                                                             over="ignore"):
        t = start_tables(num, x, s, c, has, sum_order(has, order),
                         [prob.scale for prob in problems])
        rd = new_round(t, arithmetic, rex)
        yI, yJ = rd.yI, rd.yJ
        return [{"i": names[rd.aI[k]], "supply_i": ids[rd.sI[k]], "j": names[rd.aJ[k]],
                 "supply_j": ids[rd.sJ[k]], "gain": rd.gain[k], "y_i": yI[k], "y_j": yJ[k],
                 "valid": bool(rd.valid[k])} for k in range(rd.count)]


def run_variants(problems: Sequence[Problem], positions=None, salience=None, capability=None,
                 rounds: int = 10, *, tie_break: str = "first",
                 seed: int | np.random.Generator | None = None, arithmetic: str = "hybrid",
                 actors: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """V perturbed variants of the issues of ``problems``: ``positions`` (V, A, P) on each
    issue's own scale, ``salience`` and ``capability`` (V, A, P) (None: the problems' own,
    repeated; A actors in `merged_actors` order, P issues in problem order; NaN positions:
    no position).  The variants run one after another (the exchange model is a sequence of
    dependent steps), each with vectorised inner work, and each equals `run_exchange` on
    that variant alone; with ``tie_break="random"`` variant v draws from its own generator,
    spawned from ``seed``.

    Returns ``outcome`` (V, rounds + 1, P) on 0-100, ``voting`` (V, rounds + 1, A, P),
    ``exchanges`` (V, rounds): how many exchanges each round realised, and ``converged``
    (V,): the round from which a variant realised no exchange, or -1 (`run_tables`; the
    rounds after it, which were not run, repeat it: its outcome and voting positions, no
    exchanges).
    """
    problems, _, x, s, c, has, order = _setup(problems, actors)
    arrays = [np.asarray(a, dtype=float) if a is not None else None
              for a in (positions, salience, capability)]
    V = next((a.shape[0] for a in arrays if a is not None), 1)
    base = (x, s, c)
    full = []
    for a, b in zip(arrays, base, strict=True):
        if a is None:
            a = np.broadcast_to(b, (V, *b.shape))
        if a.shape != (V, *b.shape):
            raise ValueError(f"variant arrays must be (V, {b.shape[0]}, {b.shape[1]}), "
                             f"got {a.shape}")
        full.append(a)
    rngs: list = [None] * V
    if tie_break == "random":
        rngs = list(_generator(seed).spawn(V))
    scales = [p.scale for p in problems]
    outs, votes, counts, conv = [], [], [], []

    def padded(a: np.ndarray) -> np.ndarray:  # a converged run: its last round repeats
        return np.concatenate([a, np.repeat(a[-1:], rounds + 1 - len(a), axis=0)])

    for v in range(V):
        hv = has & np.isfinite(full[0][v])
        out = run_tables(full[0][v], full[1][v], full[2][v], hv, rounds, tie_break=tie_break,
                         rng=rngs[v], arithmetic=arithmetic, order=order, scales=scales)
        outs.append(padded(out["outcome"]))
        votes.append(padded(out["voting"]))
        done = [len(r) for r in out["rows"]]
        counts.append(done + [0] * (rounds - len(done)))
        conv.append(out["converged"])
    return {"outcome": np.array(outs), "voting": np.array(votes),
            "exchanges": np.array(counts, dtype=int).reshape(V, rounds),
            "converged": np.array(conv, dtype=np.intp)}


# ---------------------------------------------------------------------------------------------
# for `blocs forecast --model exchange`

VARIANTS = {
    "deterministic": {"tie_break": "first", "arithmetic": "hybrid"},
    "random": {"tie_break": "random", "arithmetic": "hybrid"},
    "float": {"tie_break": "first", "arithmetic": "float"},
    "decimal": {"tie_break": "first", "arithmetic": "decimal"},
    # Decide's --p (REX) with its CLI's random tie-breaking (ALLOW_RANDOM = True)
    "rex": {"tie_break": "random", "arithmetic": "float"},
}
REX_P = 1.0  # p of variant "rex" unless given (Decide's test_rex; its CLI default 0.0 is off)


class ExchangeModel:
    """Stokman's exchange model for the forecast command.  It works across the issues of a
    file, so it is a `MultiIssueModel`: ``run_problems(problems)``, not the per-issue ``run``.

    ``variant``: "deterministic" (default: Decide with ``ALLOW_RANDOM = False``, exchange by
    exchange), "random" (Decide's random tie-breaking, from ``seed``), "float" (float64
    only: fastest, may order exchanges of mathematically equal gain differently from
    Decide), "decimal" (all in Decimal, the slow reference), "rex" (Decide's randomised
    exchange rates, ``--p``, strength ``p`` (default 1.0), drawn from ``seed``, with random
    tie-breaking; float64).
    """

    name = "exchange"

    def __init__(self, rounds: int = 10, variant: str | None = None, seed: int | None = None,
                 p: float | None = None):
        variant = variant or "deterministic"
        if variant not in VARIANTS:
            raise ValueError(f"unknown variant '{variant}' (allowed: {', '.join(VARIANTS)})")
        if rounds < 0:
            raise ValueError(f"rounds {rounds} (allowed: >= 0)")
        if p is not None and variant != "rex":
            raise ValueError("p is the strength of variant 'rex' only")
        p = (REX_P if p is None else float(p)) if variant == "rex" else 0.0
        if not 0 <= p:
            raise ValueError(f"p {p} (allowed: >= 0)")
        self.rounds, self.variant, self.seed, self.p = rounds, variant, seed, p

    def run_problems(self, problems: Sequence[Problem]) -> list[dict[str, Any]]:
        """One entry per problem in the forecast JSON contract (``id``, ``actors``,
        ``rounds`` [{positions, outcome, events}], ``outcome``), on each issue's own scale:
        round 0 the input, round t the voting positions of round t and their NBS (the
        capability x salience weighted mean), events the exchanges of round t on the issue;
        ``converged``: the round that realised no exchange, where the run stopped (the rounds
        end there), or None (`run_tables`).
        """
        res = run_exchange(problems, self.rounds, seed=self.seed, p=self.p,
                           **VARIANTS[self.variant])
        from blocs.bargaining.run import trajectory_entry

        return [trajectory_entry(prob, traj, to_issue_scale=denormalise)
                for prob, traj in zip(problems, res.trajectories, strict=True)]
