"""Standardised mean differences (SMDs) of propensity-matched tables.

A printed SMD is compared with every common formula; the check reports which
reproduce it. All comparisons are exact (rational arithmetic, square roots
compared by squaring): an SMD is ``d = D / sqrt(V)`` with a rational difference
D and a rational variance V.

Continuous rows (first arm minus second, means ``m_i``, SDs ``s_i``):

* ``pooled_avg``: ``V = (s1^2 + s2^2) / 2`` (R's tableone, cobalt; Austin 2009);
* ``pooled_n``: ``V = ((n1-1) s1^2 + (n2-1) s2^2) / (n1+n2-2)`` (Cohen's d);
* ``first_arm``: ``V = s1^2`` (the treated arm's SD, cobalt for the ATT);
* ``second_arm``: ``V = s2^2`` (the control arm's SD).

The means and SDs range over their printed rounding boxes; D and V vary
independently, so the set of d is the closed interval between the extreme
ratios (computed exactly).

Categorical rows (counts ``counts[level][arm]``, two arms; proportions of the
column totals, exact):

* two levels, the proportion ``p_i`` of either level (the sign depends on which):
  ``avg_pq`` ``V = (p1 q1 + p2 q2)/2`` (tableone; Austin 2009), ``pooled_pq``
  ``V = pbar qbar`` (pooled proportion), ``first_arm_pq`` ``V = p1 q1``,
  ``second_arm_pq`` ``V = p2 q2``, ``sample_var_avg`` ``V = (s1^2 + s2^2)/2``
  and ``sample_var_pooled`` (Cohen's d of the 0/1 variable, ``s_i^2 = n_i p_i
  q_i / (n_i - 1)``);
* more levels: Yang & Dalton (2012) as R's tableone prints it, ``d =
  sqrt(T' S^-1 T)``, ``T`` the differences of the proportions of every level
  but the first, ``S_kk = (p1k q1k + p2k q2k)/2``, ``S_kl = -(p1k p1l + p2k
  p2l)/2``. Levels empty in both arms are dropped (tableone's generalised
  inverse gives the same); with two levels it equals ``avg_pq``.

A printed SMD may be signed (``-0.12``) or absolute: the signed value of a
formula must meet the printed interval, or its absolute value (reported as
"absolute"). Consistent when some formula reproduces it, inconsistent when
none does.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from .printed import Printed, RInterval
from .results import Check, Verdict

__all__ = ["check_smd_binary", "check_smd_continuous", "yang_dalton_sq", "CONTINUOUS_FORMULAS",
           "BINARY_FORMULAS"]

CONTINUOUS_FORMULAS = {
    "pooled_avg": "pooled SD sqrt((s1²+s2²)/2) (tableone, Austin 2009)",
    "pooled_n": "n-weighted pooled SD (Cohen's d)",
    "first_arm": "the first arm's SD",
    "second_arm": "the second arm's SD",
}
BINARY_FORMULAS = {
    "avg_pq": "sqrt((p1(1-p1) + p2(1-p2))/2) (tableone, Austin 2009)",
    "pooled_pq": "sqrt(p(1-p)) of the pooled proportion",
    "first_arm_pq": "sqrt(p1(1-p1)) of the first arm",
    "second_arm_pq": "sqrt(p2(1-p2)) of the second arm",
    "sample_var_avg": "sample SDs of the 0/1 variable, sqrt((s1²+s2²)/2)",
    "sample_var_pooled": "n-weighted pooled sample SD of the 0/1 variable (Cohen's d)",
    "yang_dalton": "Yang & Dalton 2012 multi-category SMD (tableone)",
}

Ratio = tuple[Fraction, Fraction] | float  # (D, V): D / sqrt(V); or +-inf


def _cmp(x: Ratio, c: Fraction) -> int:
    """sign(x - c) exactly, x = D/sqrt(V) (V > 0) or an infinite float."""
    if isinstance(x, float):
        return 1 if x > 0 else -1
    D, V = x
    if D >= 0 and c < 0:
        return 1
    if D <= 0 and c > 0:
        return -1
    if D == 0 and c == 0:
        return 0
    lhs, rhs = D * D, c * c * V  # compare |D|/sqrt(V) with |c|
    s = (lhs > rhs) - (lhs < rhs)
    return s if D > 0 or c > 0 else -s


def _ratio(D: Fraction, V: Fraction) -> Ratio:
    if V > 0:
        return (D, V)
    return math.inf if D > 0 else (-math.inf if D < 0 else (Fraction(0), Fraction(1)))


def _meets(lo: Ratio, hi: Ratio, P: RInterval) -> bool:
    """Does the closed interval [lo, hi] of ratios meet P (exact ends)?"""
    if P.hi is not None:
        c = _cmp(lo, P.hi)
        if c > 0 or (c == 0 and not P.hi_closed):
            return False
    if P.lo is not None:
        c = _cmp(hi, P.lo)
        if c < 0 or (c == 0 and not P.lo_closed):
            return False
    return True


def _val(x: Ratio) -> float:
    if isinstance(x, float):
        return x
    D, V = x
    return float(D) / math.sqrt(float(V))


def _ranges(D: tuple[Fraction, Fraction], V: tuple[Fraction, Fraction]) -> tuple[tuple[Ratio, Ratio],
                                                                                   tuple[Ratio, Ratio]]:
    """Signed and absolute ranges of D/sqrt(V) over independent closed boxes."""
    Dlo, Dhi = D
    Vlo, Vhi = V
    s_lo = _ratio(Dlo, Vhi if Dlo >= 0 else Vlo)
    s_hi = _ratio(Dhi, Vlo if Dhi >= 0 else Vhi)
    a_lo_D = Fraction(0) if Dlo <= 0 <= Dhi else min(abs(Dlo), abs(Dhi))
    a_hi_D = max(abs(Dlo), abs(Dhi))
    return (s_lo, s_hi), (_ratio(a_lo_D, Vhi), _ratio(a_hi_D, Vlo))


def _judge(name: str, printed: Printed, cands: dict[str, tuple[tuple[Ratio, Ratio], tuple[Ratio, Ratio]]],
           names: dict[str, str], note: str = "") -> Check:
    """Which formulas' ranges (signed: one interval; absolute) meet the printed SMD."""
    ranges = {f: ([signed], absolute) for f, (signed, absolute) in cands.items()}
    return _judge_ranges(name, printed, ranges, names, note, lambda v: _fmt_rng(v["signed"]))


def _judge_ranges(name: str, printed: Printed, ranges: dict[str, tuple[list[tuple[Ratio, Ratio]], tuple[Ratio, Ratio]]],
                  names: dict[str, str], note: str, show: Any) -> Check:
    """The verdict of an SMD check: a formula reproduces the printed value when one
    of its signed ranges, or its absolute range, meets the printed interval."""
    P = printed.interval
    reproducing: list[str] = []
    values: dict[str, dict] = {}
    for f, (signed, absolute) in ranges.items():
        s_ok = any(_meets(lo, hi, P) for lo, hi in signed)
        a_ok = _meets(absolute[0], absolute[1], P)
        values[f] = {"signed": [_val(signed[0][0]), _val(signed[-1][1])],
                     "absolute": [_val(absolute[0]), _val(absolute[1])],
                     "signed_reproduces": s_ok, "absolute_reproduces": a_ok}
        if s_ok:
            reproducing.append(f"{f} (signed)")
        elif a_ok:
            reproducing.append(f"{f} (absolute)")
    shown = "; ".join(f"{f} {show(v)}" for f, v in values.items())
    if reproducing:
        first = reproducing[0].split(" ")[0]
        detail = f"SMD {printed.text} reproduced by " + ", ".join(reproducing) + f"; e.g. {names[first]}"
        verdict = Verdict.CONSISTENT
    else:
        detail = f"SMD {printed.text} is reproduced by no formula ({shown})"
        verdict = Verdict.INCONSISTENT
    if note:
        detail += f" ({note})"
    return Check(name, verdict, printed=printed.text, interval=str(P), recomputed=shown, detail=detail,
                 data={"reproducing": reproducing, "formulas": values})


def _fmt_rng(r: list[float]) -> str:
    a, b = r
    if a == b or (math.isfinite(a) and math.isfinite(b) and f"{a:.4f}" == f"{b:.4f}"):
        return f"{a:.4f}"
    return f"[{a:.4f}, {b:.4f}]"


def check_smd_continuous(means: list[tuple[Fraction, Fraction]], var: list[tuple[Fraction, Fraction]],
                         ns: list[int], printed: Printed) -> Check:
    """SMD of a continuous row of 2 arms: closed boxes of the means and of the
    variances (SD^2) of the observations, arm sizes (module docstring)."""
    (a1, b1), (a2, b2) = means
    D = (a1 - b2, b1 - a2)
    n1, n2 = ns
    Vs = {
        "pooled_avg": ((var[0][0] + var[1][0]) / 2, (var[0][1] + var[1][1]) / 2),
        "pooled_n": (((n1 - 1) * var[0][0] + (n2 - 1) * var[1][0]) / (n1 + n2 - 2),
                     ((n1 - 1) * var[0][1] + (n2 - 1) * var[1][1]) / (n1 + n2 - 2)),
        "first_arm": var[0],
        "second_arm": var[1],
    }
    cands = {f: _ranges(D, V) for f, V in Vs.items()}
    return _judge("SMD", printed, cands, CONTINUOUS_FORMULAS)


def yang_dalton_sq(counts: Sequence[Sequence[int]]) -> Fraction:
    """``T' S^-1 T`` of Yang & Dalton (2012), exactly (module docstring)."""
    tot = [sum(r[j] for r in counts) for j in range(2)]
    if 0 in tot:
        raise ValueError("an arm with no counts has no proportions")
    levels = [r for r in counts if r[0] + r[1] > 0]
    if len(levels) < 2:
        return Fraction(0)
    p = [[Fraction(r[j], tot[j]) for r in levels[1:]] for j in range(2)]
    K = len(levels) - 1
    T = [p[0][k] - p[1][k] for k in range(K)]
    S = [[(p[0][k] * (1 - p[0][k]) + p[1][k] * (1 - p[1][k])) / 2 if k == l
          else -(p[0][k] * p[0][l] + p[1][k] * p[1][l]) / 2 for l in range(K)] for k in range(K)]
    x = _solve(S, T)
    return sum((t * xi for t, xi in zip(T, x)), Fraction(0))


def _solve(A: list[list[Fraction]], b: list[Fraction]) -> list[Fraction]:
    """Solve A x = b exactly (Gaussian elimination; A symmetric positive
    semi-definite: a zero pivot row is dropped, as a generalised inverse would)."""
    n = len(b)
    M = [row[:] + [b[i]] for i, row in enumerate(A)]
    piv_cols = []
    r = 0
    for c in range(n):
        p = next((i for i in range(r, n) if M[i][c] != 0), None)
        if p is None:
            continue
        M[r], M[p] = M[p], M[r]
        for i in range(n):
            if i != r and M[i][c] != 0:
                f = M[i][c] / M[r][c]
                M[i] = [a - f * b_ for a, b_ in zip(M[i], M[r])]
        piv_cols.append(c)
        r += 1
    x = [Fraction(0)] * n
    for i, c in enumerate(piv_cols):
        x[c] = M[i][n] / M[i][c]
    return x


def check_smd_binary(counts: Sequence[Sequence[int]], printed: Printed,
                     arm_names: tuple[str, ...] = ("arm 1", "arm 2")) -> Check:
    """SMD of a categorical row of 2 arms, ``counts[level][arm]`` (module docstring)."""
    if any(len(r) != 2 for r in counts):
        raise ValueError("an SMD is defined here for 2 arms")
    n1, n2 = (sum(r[j] for r in counts) for j in range(2))
    if n1 == 0 or n2 == 0:
        return Check("SMD", Verdict.NOT_APPLICABLE, printed=printed.text,
                     detail="an arm has no counts: no proportions")
    cands: dict = {}
    note = ""
    if len(counts) == 2:
        # the proportion of level 1 (level 2 gives the opposite sign): both signs are tried
        p1, p2 = Fraction(counts[0][0], n1), Fraction(counts[0][1], n2)
        pb = Fraction(counts[0][0] + counts[0][1], n1 + n2)
        s1 = n1 * p1 * (1 - p1) / (n1 - 1) if n1 > 1 else None
        s2 = n2 * p2 * (1 - p2) / (n2 - 1) if n2 > 1 else None
        Vs: dict[str, Fraction | None] = {
            "avg_pq": (p1 * (1 - p1) + p2 * (1 - p2)) / 2,
            "pooled_pq": pb * (1 - pb),
            "first_arm_pq": p1 * (1 - p1),
            "second_arm_pq": p2 * (1 - p2),
            "sample_var_avg": None if s1 is None or s2 is None else (s1 + s2) / 2,
            "sample_var_pooled": (n1 * p1 * (1 - p1) + n2 * p2 * (1 - p2)) / (n1 + n2 - 2)
            if n1 + n2 > 2 else None,
        }
        D = p1 - p2
        for f, V in Vs.items():
            if V is None:
                continue
            pos, neg = _ratio(D, V), _ratio(-D, V)
            lo, hi = (neg, pos) if D >= 0 else (pos, neg)
            # signed: either level's difference; absolute: |d|
            cands[f] = ((lo, hi), (_ratio(abs(D), V), _ratio(abs(D), V)))
        note = f"proportions of {arm_names[0]!s} and {arm_names[1]!s}: {p1} and {p2} (level 1)"
        # a signed SMD is d of level 1 or of level 2; both are in [lo, hi] only as the two ends
        return _judge_two_signs("SMD", printed, cands, note)
    q = yang_dalton_sq(counts)
    r = _ratio(Fraction(1), Fraction(1) / q) if q > 0 else (Fraction(0), Fraction(1))
    cands["yang_dalton"] = ((r, r), (r, r))
    return _judge("SMD", printed, cands, BINARY_FORMULAS)


def _judge_two_signs(name: str, printed: Printed, cands: dict[str, Any], note: str) -> Check:
    """As :func:`_judge`, for a 2-level row whose signed SMD is +d or -d (not
    anything between): each sign is a point."""
    ranges = {f: ([(lo, lo), (hi, hi)], (a, a)) for f, ((lo, hi), (a, _)) in cands.items()}
    return _judge_ranges(name, printed, ranges, BINARY_FORMULAS, note,
                         lambda v: f"±{abs(v['absolute'][0]):.4f}")
