"""The log-rank p against a Cox hazard ratio and its Wald interval (two arms).

Why a printed HR with CI bounds the log-rank p
----------------------------------------------
Take the Cox model with one binary covariate x (1 = ``arms[0]``, 0 = the
reference ``arms[1]``). At an event time with ``A`` subjects of arm 0 and ``B``
of arm 1 at risk, the log partial likelihood has terms ``-log(A e^b + B)``;
Breslow's ties repeat such a term d times, Efron's use ``A - (r/d) a`` and
``B - (r/d)(d - a)`` (r = 0..d-1, a of the d deaths in arm 0), and the exact
(discrete) likelihood's term ``log sum_m C(A, m) C(B, d - m) e^{bm}`` is one
too, because that polynomial in ``e^b`` has only real non-positive zeros
(Fisher's noncentral hypergeometric law is a sum of independent Bernoullis), so
it factors into ``prod_i (e^b + c_i)`` with ``c_i >= 0``. So, with
``logistic(x) = 1/(1 + e^-x)``::

    l(b) = (linear in b) - sum_k log(A_k e^b + B_k),   A_k, B_k >= 0,
    I(b) = -l''(b) = sum_k logistic'(b + log(A_k / B_k)).

``d/dx log logistic'(x) = 1 - 2 logistic(x)`` lies in (-1, 1), so
``d/db log I(b)``, a weighted mean of such terms, does too: **log I is
1-Lipschitz**. Write ``a = |b^|`` (b^ the MLE), ``g(b) = I(b)/I(b^)``,
``U(0) = l'(0) = int_0^{b^} I(b) db``. The score statistic is
``z_s = |U(0)| / sqrt(I(0))`` and the Wald one ``z_w = a sqrt(I(b^))``, so

    z_s / sqrt(I(b^)) = int_0^a g / sqrt(g(0))     (orienting b^ > 0).

Over all g with log g 1-Lipschitz and g(a) = 1 the extremes are attained with
``h0 = log g(0) = 0``: ``log g(b) = min(b, a - b)`` gives the maximum
``2 (e^{a/2} - 1)`` and ``log g(b) = max(-b, b - a)`` the minimum
``2 (1 - e^{-a/2})`` (for a given h0 the integral is bounded by
``2 e^{(a+h0)/2} - e^{h0} - 1`` above and ``e^{h0} + 1 - 2 e^{(h0-a)/2}`` below;
divided by ``e^{h0/2}`` these are ``2 e^{a/2} - 2 cosh(h0/2)`` and
``2 cosh(h0/2) - 2 e^{-a/2}``, extreme at h0 = 0). Hence, with
``SE = 1/sqrt(I(b^))``::

    2 (1 - e^{-a/2}) / SE  <=  z_s  <=  2 (e^{a/2} - 1) / SE.          (*)

(The cruder bounds ``z_s/z_w in [(1 - e^-a) e^{-a/2}/a, (e^a - 1) e^{a/2}/a]``,
from bounding U(0) and I(0) separately, contain these.) For small a both
factors are ``1 -+ a/4 + O(a^2)``.

Which score test is the log-rank test?
--------------------------------------
* **No tied event times**: Breslow, Efron and exact coincide, their score at
  0 is ``O - E`` and ``I(0) = sum A B / n^2``, the log-rank variance: the
  log-rank z *is* z_s and (*) holds both ways.
* **Ties, exact likelihood**: its score test is the log-rank test with
  survdiff's hypergeometric variance ``d A B (n - d) / (n^2 (n - 1))``: (*) both ways.
* **Ties, Breslow**: the score at 0 is still ``O - E`` but ``I(0) = sum d A B / n^2``
  is at least the hypergeometric variance (factor ``(n - d)/(n - 1) <= 1``), so
  the log-rank z is **at least** the Breslow score z: only the lower bound of
  (*) survives; the log-rank p can only be *smaller* than (*) allows.
* **Ties, Efron** (R's default): the score at 0 is ``sum_j c_j (O_j - E_j)`` with
  ``c_j = 1 + (1/d_j) sum_{r<d_j} r/(n_j - r) >= 1`` varying with the tie
  pattern, not ``O - E``: no bound survives (simulations find both sides
  violated). The printed numbers cannot decide such a case: "cannot tell".

The Wald SE comes from the printed CI as in :mod:`.ratio`
(``SE = (ln U - ln L)/(2 z_c)``, over the rounding intervals and
``z_c in [qnorm(1 - alpha/2), 1.96]``); this assumes the HR is the unadjusted
Cox HR of the two arms with its model-based (not robust) SE. Everything is
evaluated in outward-rounded interval arithmetic (:mod:`.fint`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from .entries import RatioEntry
from .fint import FInterval, down, up
from .printed import RInterval
from .ratio import P_DOMAIN, critical_value, wald_p_interval

__all__ = ["LogrankBound", "logrank_bound", "score_over_wald", "TIES"]

#: Readings of ``ties``: "none" (no tied event times), "unknown" (ties possible,
#: method unknown; the default), or the Cox fit's ties method.
TIES = ("none", "unknown", "breslow", "efron", "exact")

_POS = RInterval(Fraction(0), None, False, False)


def score_over_wald(a: float) -> tuple[float, float]:
    """The bounds of ``z_s / z_w`` in (*) for ``a = |ln HR|`` (plain floats, for
    reports and tests): ``(2 (1 - e^{-a/2}) / a, 2 (e^{a/2} - 1) / a)``."""
    if a == 0:
        return 1.0, 1.0
    return -2 * math.expm1(-a / 2) / a, 2 * math.expm1(a / 2) / a


@dataclass(frozen=True)
class LogrankBound:
    """What a printed HR and CI allow for the log-rank statistic.

    ``z`` is the interval (*) of the score z; ``p_two`` its two-sided p
    interval (the log-rank p without tied event times, or with an exact-ties
    fit); ``p_one`` the interval left with tied event times and a Breslow fit:
    ``[0, p_two.hi]``. ``a`` and ``se`` are the intervals of ``|ln HR|`` and
    of the Wald SE used.
    """

    a: FInterval
    se: FInterval
    z: FInterval
    p_two: FInterval
    p_one: FInterval


def _fi(r: RInterval) -> FInterval:
    return FInterval(0.0 if r.lo is None else down(r.lo), math.inf if r.hi is None else up(r.hi))


def logrank_bound(hr: RatioEntry) -> LogrankBound:
    """Bound (*) over the rounding intervals of the printed HR, its CI and z_c."""
    E, L, U = (pr.interval.intersect(_POS) for pr in (hr.estimate, hr.lower, hr.upper))
    zc = critical_value(hr.conf_level)
    se, _z, _p, _ab = wald_p_interval(E, L, U, zc)
    a = _fi(E).log().abs()
    half = a.scale(0.5)
    one = FInterval(1.0, 1.0)
    # z_lo = 2 (1 - e^{-a/2}) / SE (increasing in a, decreasing in SE)
    lo_num = one - (-half).exp()
    lo_num = FInterval(max(0.0, lo_num.lo), max(0.0, lo_num.hi)).scale(2.0)
    hi_num = half.exp() - one
    hi_num = FInterval(max(0.0, hi_num.lo), max(0.0, hi_num.hi)).scale(2.0)
    z_lo = lo_num.div_pos(se).lo
    z_hi = hi_num.div_pos(se).hi
    z = FInterval(max(0.0, z_lo), max(0.0, z_hi))
    p_two = z.two_sided_normal_p()
    return LogrankBound(a=a, se=se, z=z, p_two=p_two, p_one=FInterval(0.0, p_two.hi))


def p_meets(F: FInterval, printed: RInterval) -> bool:
    """Does the printed p's interval (within [0, 1]) meet the float interval F?"""
    lo = None if F.lo == -math.inf else Fraction(F.lo)
    hi = None if F.hi == math.inf else Fraction(F.hi)
    return not printed.intersect(P_DOMAIN).intersect(RInterval(lo, hi)).is_empty()
