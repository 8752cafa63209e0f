"""The methods appendix of the briefing: each model's equations and references, in words and
plain mathematics (Unicode, no script: the briefing opens offline).  The full derivations are
in docs/ (leverage.md, geography.md, bargaining.md, eum.md, smp.md, exchange.md,
baselines.md, backtest.md, dynamics.md, ensembles.md, sensitivity.md)."""

from __future__ import annotations

from typing import NamedTuple


class Method(NamedTuple):
    title: str
    equations: tuple[str, ...]
    text: str
    references: tuple[str, ...]


METHODS: dict[str, Method] = {
    "leverage": Method(
        "Leverage (after the FBIC index)",
        ("bandwidth_c(P) = Σ_m w_m s_m(P) / Σ_m w_m",
         "dependence_c(P) = Σ_m w_m max(s_m(P) − r_m(P), 0) / Σ_m w_m",
         "leverage_c(P) = √(bandwidth_c(P) · dependence_c(P))",
         "effective number = 1 / Σ_i p_i²"),
        "For each power P and cell c (domain × soft/hard), the shares s_m(P) of the state's "
        "totals of the measures m recorded in the cell that pass through P, r_m(P) the part "
        "of P's own total that is with the state, w_m the measures' weights.  A figure counts "
        "from its year on until a later one replaces it.  Blocs sum their powers; the "
        "effective number of pillars is the inverse Herfindahl index of the powers' shares "
        "of all leverage.",
        ("Moyer, Bohl, Hanna, Mapes & Rettig (2018), Pardee Center FBIC index",
         "Keohane & Nye (1977), Power and Interdependence",
         "Laakso & Taagepera (1979), Comparative Political Studies 12(1)")),
    "reach": Method(
        "Reach and encirclement",
        ("route = a path of land masses from P's territory to the focus through no rival "
         "bloc's country and across no closed border (fewest sea legs, then border "
         "crossings)",
         "encirclement(B) = Σ_{neighbours held by B} border km / Σ_all border km"),
        "A graph of land borders (Natural Earth shapes) and the case's stated sea routes, "
        "coloured by bloc membership in the year; a power that has no such route is blocked "
        "by the blocs whose consent would open one.",
        ("Boulding (1962), Conflict and Defense (loss-of-strength gradient)",
         "Natural Earth 1:50m, public domain")),
    "default": Method(
        "The default forecaster",
        ("w_i = c_i^a s_i^k",
         "x₀ = Σ w_i x_i / Σ w_i;  x₁ = x₀ + g (x₀ − q)",
         "x₂ = x₁ + f (u − x₁) if |u − x₁| ≤ D (u the nearest position)",
         "80% interval: x₂ ± h, h the split-conformal half-width"),
        "A calibrated compromise model, its parameters frozen after cross-validation on real "
        "EU decisions (docs/backtest.md).",
        ("Achen (2006), in Thomson et al., The European Union Decides",
         "Vovk, Gammerman & Shafer (2005), Algorithmic Learning in a Random World")),
    "compromise": Method(
        "The compromise model",
        ("x* = Σ_i c_i s_i x_i / Σ_i c_i s_i",),
        "The capability × salience weighted mean of the positions: the baseline richer models "
        "must beat.",
        ("van den Bos (1991)", "Achen (2006)")),
    "median": Method(
        "The weighted median",
        ("x* = the position where the cumulative weight c_i s_i first reaches half",),
        "The median voter of a weighted vote.",
        ("Black (1948), Journal of Political Economy 56(1)",)),
    "nash": Method(
        "Nash bargaining",
        ("x* = argmax_x Π_{i ∈ veto} (U_i(x) − U_i(q))^{c_i s_i}",),
        "Asymmetric Nash bargaining among the veto players, from the status quo q.",
        ("Nash (1950), Econometrica 18(2)", "Tsebelis (2002), Veto Players")),
    "eum": Method(
        "Expected utility model",
        ("EU_i(challenge j) = s_j P_ij U_s + (1 − s_j) U_s ... − EU_i(no challenge)",),
        "Bueno de Mesquita's model as reconstructed by Scholz, Calbert & Smith: actors "
        "challenge one another round by round and move towards the offers they accept "
        "(docs/eum.md).",
        ("Bueno de Mesquita (1994), in Political Economy of Policy Reform",
         "Scholz, Calbert & Smith (2011), Journal of Theoretical Politics 23(4)")),
    "smp": Method(
        "Spatial model of politics (KTAB)",
        ("P(x ≻ y) from Condorcet contests weighted by c_i s_i",),
        "KAPSARC's probabilistic Condorcet elections among positions, actors moving to the "
        "best response each turn (docs/smp.md).",
        ("Wise, Lester & Efird (2015), KAPSARC discussion paper",)),
    "exchange": Method(
        "Exchange model",
        ("exchange(i, j) on issues a, b when both gain in expected utility",),
        "Stokman's exchange of positions across issues, as in Decide (docs/exchange.md).",
        ("Stokman & Van Oosten (1994)", "Stokman & Van der Knoop (2000)")),
    "dynamics": Method(
        "Dynamics",
        ("x_i(t+1) = λ_i x_i^R(t) + (1 − λ_i) y(t);  q(t+1) = y(t)",
         "c_i(t) = c̄_i(t) m_i(t) (from leverage: k Σ_{c ∈ D_i} L_c(P_i, t))",
         "path(t) = v (1 + r)^n or v + r n"),
        "Year by year: trends, shocks (scheduled or by chance, each run with its own draws), "
        "leverage, capabilities scaled by the blocs' relative power, bargaining, positions "
        "carried over with inertia, triggers by which decisions feed back into levers "
        "(docs/dynamics.md).",
        ("Nerlove (1958), Quarterly Journal of Economics 72(2)",
         "Singer, Bremer & Stuckey (1972), in Peace, War, and Numbers")),
    "ensembles": Method(
        "Ensembles",
        ("x_j = F_j⁻¹(u_j),  u a Latin hypercube or Sobol' point",
         "quantiles over the runs; P(event) = share of runs"),
        "The case's uncertainties sampled and run as one batch (docs/ensembles.md).",
        ("McKay, Beckman & Conover (1979), Technometrics 21(2)",
         "Sobol' (1967)", "Kwakkel (2017), Environmental Modelling & Software 96")),
    "sensitivity": Method(
        "Sensitivity",
        ("S_i = V[E(Y | X_i)] / V(Y);  ST_i = E[V(Y | X_~i)] / V(Y)",),
        "Sobol' first-order and total indices, SALib's Saltelli sampling and estimators "
        "(docs/sensitivity.md).",
        ("Saltelli et al. (2010), Computer Physics Communications 181(2)",
         "Herman & Usher (2017), SALib, Journal of Open Source Software 2(9)")),
}
