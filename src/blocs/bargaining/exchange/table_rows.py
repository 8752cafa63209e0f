"""The rows of the float64 engine's two tables (one column per candidate exchange).

`float_round.FloatRound` keeps a round's candidate exchanges in a table of constants ``C``
and a table of state ``st``; the compiled kernel (`kernel`) and REX (`rex`) read them by
these row numbers, defined here once.  Side I supplies issue q and demands p, side J supplies
p and demands q (docs/exchange.md, section 2); a pair of rows ``X``, ``X + 1`` (or ``XI``,
``XJ``) holds a quantity for side I then side J.

numba reads these as compile-time constants, and its on-disk cache of the kernel does not
notice an edit of this file: after changing a row, touch kernel.py (or delete its cache in
``__pycache__``) so that the kernel is compiled again.
"""

from __future__ import annotations

# -- constants C (21 rows) --------------------------------------------------------------------
DI, DJ = 0, 1  # each side's position on its demand issue (I on p, J on q)
FI, FJ = 2, 3  # s c / S of the side on its supply issue: the NBS shift of a unit move
KI, KJ = 4, 5  # S / (c s): the move that shifts the NBS by one unit
RIJ = 6  # (s_Jp + s_Ip) / (s_Jq + s_Iq): I's NBS shift per unit of J's (J moves first)
RJI = 7  # (s_Iq + s_Jq) / (s_Ip + s_Jp): J's NBS shift per unit of I's
SIS, SID, SJS, SJD = 8, 9, 10, 11  # saliences: I supply, I demand, J supply, J demand
BI, BJ = 12, 13  # the supply issue's NBS numerator without the side's actor (N - w x0)
WI, WJ = 14, 15  # the side actor's weight w = s c on its supply issue
SI, SJ = 16, 17  # the NBS denominator S of each side's supply issue
G = 18  # the gain per unit of J's NBS shift: |s_Jp s_Iq - s_Ip s_Jq| / (s_Iq + s_Jq)
TI, TJ = 19, 20  # each side's target: the other's position on the side's supply issue
CONSTANT_ROWS = 21

# -- state st (15 rows; side I then side J for each quantity) ---------------------------------
XS = 0  # the supply position now
HSUM, HMIN, HMAX = 2, 4, 6  # the side's earlier proposed moves: sum, min, max (none: 0, inf, -inf)
U = 8  # the others' learnt positions on the supply issue: sum of w (update - start)
OWN = 10  # the side actor's own learnt position there (NaN: none)
M = 12  # the move now proposed
GAIN = 14  # the exchange's gain
STATE_ROWS = 15
