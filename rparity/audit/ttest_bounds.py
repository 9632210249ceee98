"""p-values of t-tests and one-way ANOVAs over the rounding boxes of printed
means and SDs.

Contract
--------
Inputs: per arm, a closed box ``[lo, hi]`` (exact rationals) for the mean, one
for the *variance* of the observations (SD^2; an SE is converted exactly by
``SD^2 = n SE^2``), and the arm size ``n >= 2``. Output: a :class:`PBounds`
with

* ``outer``: a float interval containing the test's p for *every* point of
  the boxes (so a printed p outside it is impossible);
* ``inner``: a float interval of p-values that some point of the boxes gives
  for sure (so a printed p meeting it is reproduced), or None.

Statistics (R's ``t.test``, ``oneway.test`` and ``summary(aov())``):

* ``student_t``: ``t^2 = d^2 / (s_p^2 (1/n1 + 1/n2))``, ``s_p^2 =
  ((n1-1) s1^2 + (n2-1) s2^2) / (n1+n2-2)``, df ``n1+n2-2``;
* ``welch_t``: ``t^2 = d^2 / (v1 + v2)``, ``v_i = s_i^2 / n_i``, df
  ``(v1+v2)^2 / (v1^2/(n1-1) + v2^2/(n2-1))`` (Welch-Satterthwaite);
* ``anova``: ``F = (SSB/(k-1)) / (SSW/(N-k))``, ``SSB = sum n_i (m_i - m)^2``,
  ``SSW = sum (n_i - 1) s_i^2``; for k = 2, ``F = t^2`` of Student's t;
* ``welch_anova`` (R's ``oneway.test(var.equal = FALSE)``; Welch 1951): ``w_i
  = n_i / s_i^2``, ``m' = sum w_i m_i / sum w_i``, ``A = sum w_i (m_i - m')^2
  / (k-1)``, ``L = sum (1 - w_i/W)^2 / (n_i - 1)``, ``F = A / (1 + 2 (k-2) L /
  (k^2-1))``, df ``(k-1, (k^2-1) / (3 L))``; for k = 2 it is Welch's t.

Bounds (exact rational arithmetic up to the special function, then
:func:`.ftail.f_tail`):

* ``SSB = min_c sum n_i (m_i - c)^2`` is convex in the means: its minimum over
  the box is the 1-D convex problem ``min_c sum n_i dist(c, [lo_i, hi_i])^2``
  (piecewise quadratic; solved exactly on each piece), its maximum is at a
  vertex (all 2^k are tried). The same holds for Welch's ``A`` with weights
  ``w_i``, and ``A`` increases in every ``w_i`` (a minimum over c of
  functions increasing in w_i), so its range is [A at the smallest weights
  and the clipped means, A at the largest weights and the best vertex].
* Means and variances vary independently, so the Student/ANOVA F ranges
  exactly over ``[SSB_min / SSW_max, SSB_max / SSW_min]`` (times df).
* Welch's t df depends only on ``r = v1 / v2``: it increases for ``r <
  (n1-1)/(n2-1)`` and decreases after (d/dr log df has the sign of
  ``1/(n2-1) - r/(n1-1)``), so its range over ``r``'s interval is exact. Welch's
  ANOVA L is bounded term by term (``w_i / W`` between its extreme ratios).
  The p enclosure then takes x and df independently (outward).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction

from .fint import FInterval
from .ftail import f_tail

__all__ = ["PBounds", "mean_tests", "weighted_ss_min", "weighted_ss_max", "TWO_ARM", "MEAN_TESTS"]

Box = tuple[Fraction, Fraction]
MEAN_TESTS = ("student_t", "welch_t", "anova", "welch_anova")
TWO_ARM = ("student_t", "welch_t")
_MAX_VERTICES_K = 12


@dataclass(frozen=True)
class PBounds:
    """A test's p over the boxes: ``outer`` contains every p, ``inner`` is
    reproduced for sure (None: nothing certain); ``stat`` and ``df`` describe
    the statistic's range (text); ``status`` is "ok" or "undefined" (with
    ``note`` saying why)."""

    test: str
    outer: FInterval | None
    inner: FInterval | None
    stat: str = ""
    df: str = ""
    status: str = "ok"
    note: str = ""

    def to_dict(self) -> dict:
        return {"test": self.test, "status": self.status, "note": self.note,
                "outer": None if self.outer is None else self.outer.to_list(),
                "inner": None if self.inner is None else self.inner.to_list(),
                "stat": self.stat, "df": self.df}


def _dist2(c: Fraction, b: Box) -> Fraction:
    if c < b[0]:
        return (b[0] - c) ** 2
    if c > b[1]:
        return (c - b[1]) ** 2
    return Fraction(0)


def weighted_ss_min(boxes: list[Box], w: list[Fraction]) -> tuple[Fraction, list[Fraction]]:
    """``min over m in boxes of min_c sum w_i (m_i - c)^2`` and a minimising m.

    ``g(c) = sum w_i dist(c, box_i)^2`` is convex and quadratic between the
    sorted box ends; its minimum is at an end or at the stationary point
    ``c = sum_active w_i e_i / sum_active w_i`` of a piece (e_i the violated end).
    """
    pts = sorted({e for b in boxes for e in b})
    cands = list(pts)
    for a, b in zip(pts, pts[1:]):
        mid = (a + b) / 2
        num = den = Fraction(0)
        for bx, wi in zip(boxes, w):
            if mid < bx[0]:
                num, den = num + wi * bx[0], den + wi
            elif mid > bx[1]:
                num, den = num + wi * bx[1], den + wi
        if den > 0:
            c = num / den
            if a <= c <= b:
                cands.append(c)
    best = min(cands, key=lambda c: sum((wi * _dist2(c, bx) for bx, wi in zip(boxes, w)), Fraction(0)))
    m = [min(max(best, bx[0]), bx[1]) for bx in boxes]
    return sum((wi * _dist2(best, bx) for bx, wi in zip(boxes, w)), Fraction(0)), m


def _ss(m: list[Fraction], w: list[Fraction]) -> Fraction:
    W = sum(w, Fraction(0))
    c = sum((wi * mi for wi, mi in zip(w, m)), Fraction(0)) / W
    return sum((wi * (mi - c) ** 2 for wi, mi in zip(w, m)), Fraction(0))


def weighted_ss_max(boxes: list[Box], w: list[Fraction]) -> tuple[Fraction, list[Fraction]]:
    """``max over m in boxes of sum w_i (m_i - m_w)^2``: convex, so at a vertex."""
    best: tuple[Fraction, list[Fraction]] | None = None
    for v in itertools.product(*boxes):
        s = _ss(list(v), w)
        if best is None or s > best[0]:
            best = (s, list(v))
    assert best is not None
    return best


def _fmt(q: Fraction | None) -> str:
    return "inf" if q is None else f"{float(q):.6g}"


def _inner(d1: int, x1: Fraction, nu1: Fraction, x2: Fraction | None, nu2: Fraction) -> FInterval | None:
    """p certainly reproduced: between the p-values of two points of the boxes,
    (x1, nu1) expected to give the larger p and (x2, nu2) the smaller (x2 =
    None: +inf, p = 0)."""
    big = f_tail(d1, (nu1, nu1), (x1, x1)).lo
    small = 0.0 if x2 is None else f_tail(d1, (nu2, nu2), (x2, x2)).hi
    return FInterval(small, big) if small <= big else None


def _div(a: Fraction, b: Fraction) -> Fraction | None:
    """a / b for a >= 0, b >= 0 (None: +inf; 0/0 is taken as 0, the generous end)."""
    if b == 0:
        return Fraction(0) if a == 0 else None
    return a / b


def _anova(means: list[Box], var: list[Box], ns: list[int], test: str) -> PBounds:
    k, N = len(ns), sum(ns)
    d1, d2 = k - 1, N - k
    w = [Fraction(n) for n in ns]
    ssb_lo, m_lo = weighted_ss_min(means, w)
    ssb_hi, m_hi = weighted_ss_max(means, w)
    ssw_lo = sum(((n - 1) * v[0] for n, v in zip(ns, var)), Fraction(0))
    ssw_hi = sum(((n - 1) * v[1] for n, v in zip(ns, var)), Fraction(0))
    scale = Fraction(d2, d1)
    if ssw_hi == 0:
        return PBounds(test, None, None, status="undefined", note="every SD may be 0")
    x_lo = ssb_lo / ssw_hi * scale
    x_hi = _div(ssb_hi * scale, ssw_lo)
    nu = (Fraction(d2), Fraction(d2))
    outer = f_tail(d1, nu, (x_lo, x_hi))
    inner = _inner(d1, x_lo, nu[0], x_hi, nu[0])
    name = "t^2" if test == "student_t" else "F"
    df = f"{d2}" if test == "student_t" else f"{d1}, {d2}"
    return PBounds(test, outer, inner, stat=f"{name} in [{_fmt(x_lo)}, {_fmt(x_hi)}]", df=df)


def _welch_nu(r: Fraction | None, f1: int, f2: int) -> Fraction:
    """Welch-Satterthwaite df as a function of r = v1/v2 (None: +inf)."""
    if r is None:
        return Fraction(f1)
    return (r + 1) ** 2 / (r * r / f1 + Fraction(1, f2))


def _welch_t(means: list[Box], var: list[Box], ns: list[int]) -> PBounds:
    (a1, b1), (a2, b2) = means
    n1, n2 = ns
    f1, f2 = n1 - 1, n2 - 1
    v1 = (var[0][0] / n1, var[0][1] / n1)
    v2 = (var[1][0] / n2, var[1][1] / n2)
    if v1[1] == 0 and v2[1] == 0:
        return PBounds("welch_t", None, None, status="undefined", note="both SDs may be 0")
    d_hi = max(abs(b1 - a2), abs(a1 - b2))
    d_lo = Fraction(0) if (a1 <= b2 and a2 <= b1) else min(abs(a1 - b2), abs(b1 - a2))
    x_lo = d_lo ** 2 / (v1[1] + v2[1])
    x_hi = _div(d_hi ** 2, v1[0] + v2[0])
    # df over r = v1/v2 in [r_lo, r_hi]: unimodal with its peak f1 + f2 at r* = f1/f2
    r_lo = _div(v1[0], v2[1])
    r_hi = _div(v1[1], v2[0])
    ends = [_welch_nu(r_lo, f1, f2), _welch_nu(r_hi, f1, f2)]
    r_star = Fraction(f1, f2)
    inside = (r_lo is not None and r_lo <= r_star) and (r_hi is None or r_star <= r_hi)
    nu = (min(ends), Fraction(f1 + f2) if inside else max(ends))
    outer = f_tail(1, nu, (x_lo, x_hi))
    # the two extreme points: (d_lo, largest variances) and (d_hi, smallest variances)
    nu1 = _welch_nu(_div(v1[1], v2[1]), f1, f2)
    nu2 = _welch_nu(_div(v1[0], v2[0]), f1, f2) if v1[0] + v2[0] > 0 else nu1
    inner = _inner(1, x_lo, nu1, x_hi, nu2)
    return PBounds("welch_t", outer, inner, stat=f"t^2 in [{_fmt(x_lo)}, {_fmt(x_hi)}]",
                   df=f"[{_fmt(nu[0])}, {_fmt(nu[1])}]")


def _welch_lambda(w: list[Fraction], ns: list[int]) -> Fraction:
    W = sum(w, Fraction(0))
    return sum(((1 - wi / W) ** 2 / (n - 1) for wi, n in zip(w, ns)), Fraction(0))


def _welch_anova(means: list[Box], var: list[Box], ns: list[int]) -> PBounds:
    k = len(ns)
    if any(v[0] == 0 for v in var):
        return PBounds("welch_anova", None, None, status="undefined",
                       note="an SD may be 0 (Welch's weights n/s^2 unbounded)")
    w_lo = [Fraction(n) / v[1] for n, v in zip(ns, var)]
    w_hi = [Fraction(n) / v[0] for n, v in zip(ns, var)]
    a_lo, _ = weighted_ss_min(means, w_lo)
    a_hi, _ = weighted_ss_max(means, w_hi)
    # L: each term (1 - u_i)^2/(n_i - 1), u_i = w_i/W between its extreme ratios
    lam_lo = lam_hi = Fraction(0)
    for i, n in enumerate(ns):
        rest_hi = sum(w_hi[j] for j in range(k) if j != i)
        rest_lo = sum(w_lo[j] for j in range(k) if j != i)
        u_lo = w_lo[i] / (w_lo[i] + rest_hi)
        u_hi = w_hi[i] / (w_hi[i] + rest_lo)
        lam_lo += (1 - u_hi) ** 2 / (n - 1)
        lam_hi += (1 - u_lo) ** 2 / (n - 1)
    c = Fraction(2 * (k - 2), k * k - 1)
    x_lo = a_lo / (k - 1) / (1 + c * lam_hi)
    x_hi = a_hi / (k - 1) / (1 + c * lam_lo)
    nu = (Fraction(k * k - 1, 3) / lam_hi, Fraction(k * k - 1, 3) / lam_lo)
    outer = f_tail(k - 1, nu, (x_lo, x_hi))

    def point(w: list[Fraction], ss: Fraction) -> tuple[Fraction, Fraction]:
        lam = _welch_lambda(w, ns)
        return ss / (k - 1) / (1 + c * lam), Fraction(k * k - 1, 3) / lam

    x1, nu1 = point(w_lo, a_lo)
    x2, nu2 = point(w_hi, a_hi)
    inner = _inner(k - 1, x1, nu1, x2, nu2)
    return PBounds("welch_anova", outer, inner, stat=f"F in [{_fmt(x_lo)}, {_fmt(x_hi)}]",
                   df=f"{k - 1}, [{_fmt(nu[0])}, {_fmt(nu[1])}]")


def mean_tests(means: list[Box], var: list[Box], ns: list[int]) -> dict[str, PBounds]:
    """:class:`PBounds` of every test that applies to k arms (module docstring).

    For k = 2: student_t, welch_t, and anova / welch_anova (identical to them);
    for k >= 3: anova and welch_anova. Preconditions: ``len(means) ==
    len(var) == len(ns) >= 2``, every ``n >= 2``, boxes closed with lo <= hi,
    variances >= 0.
    """
    k = len(ns)
    out: dict[str, PBounds] = {}
    if k > _MAX_VERTICES_K:
        note = f"more than {_MAX_VERTICES_K} arms: not computed"
        return {t: PBounds(t, None, None, status="undefined", note=note) for t in MEAN_TESTS}
    if k == 2:
        st = _anova(means, var, ns, "student_t")
        wt = _welch_t(means, var, ns)
        out["student_t"], out["welch_t"] = st, wt
        out["anova"] = PBounds("anova", st.outer, st.inner, st.stat.replace("t^2", "F"), f"1, {st.df}",
                               st.status, "for 2 arms identical to Student's t")
        out["welch_anova"] = PBounds("welch_anova", wt.outer, wt.inner, wt.stat.replace("t^2", "F"),
                                     f"1, {wt.df}", wt.status, "for 2 arms identical to Welch's t")
        return out
    out["anova"] = _anova(means, var, ns, "anova")
    out["welch_anova"] = _welch_anova(means, var, ns)
    return out
