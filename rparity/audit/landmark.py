"""Survival landmarks: can a Kaplan-Meier estimate of an arm of N take the printed value?

Which values can a KM estimate take?
------------------------------------
Let an arm start with N subjects, and let ``t_1 < ... < t_k`` be the distinct
event times up to the landmark t, with ``n_i`` at risk and ``d_i >= 1`` events at
``t_i``; write ``r_i = n_i - d_i``. Subjects leave the risk set only by an event
or by censoring, so ``n_1 <= N`` and ``n_{i+1} <= r_i``. The KM estimate at t is
``S = prod_i r_i / n_i``. Hence

    **S > 0 is achievable iff S = prod_{i=1..k} r_i / n_i for some chain
    N >= n_1 > r_1 >= n_2 > r_2 >= ... >= n_k > r_k >= 1** (k >= 0; k = 0 is S = 1),

and S = 0 is achievable (everyone at risk dies at some event time). The "if"
direction: censor ``N - n_1`` subjects before ``t_1``, let ``d_i = n_i - r_i``
die at ``t_i``, censor ``r_i - n_{i+1}`` between ``t_i`` and ``t_{i+1}``;
R's ``survfit`` then gives exactly this product (censorings tied with an event
time count as at risk, which the chain also covers). Without censoring the chain
telescopes to ``S = r_k / N``: the values ``k/N``.

Consequences we use (all from the chain):

* ``S < 1`` implies ``S <= (N - 1)/N`` (one factor ``r/n <= 1 - 1/n <= 1 - 1/N``):
  no KM estimate lies strictly between ``(N-1)/N`` and 1. More generally, from at
  most m at risk, the values below 1 are ``<= (m-1)/m``.
* ``S > 0`` implies ``S >= 1/N``: rewrite ``S = (r_k / n_1) prod_{i<k} (r_i / n_{i+1})``;
  every ``r_i / n_{i+1} >= 1``, so ``S >= r_k / n_1 >= 1/N``. No KM estimate lies
  strictly between 0 and 1/N; from at most m at risk, positive values are ``>= 1/m``.
* With ``D`` events in total from at most m at risk, ``S <= (m - D)/m``
  (by induction: ``(x - a)/x`` increases in x), and ``S > 0`` implies
  ``S >= 1/(D + 1)``: ``r_1 >= n_2 >= r_k + (D - d_1) >= D - d_1 + 1``, so
  ``r_1/n_1 = r_1/(r_1 + d_1) >= (D - d_1 + 1)/(D + 1)``, and by induction the rest
  of the chain (``D - d_1`` events) is ``>= 1/(D - d_1 + 1)``.
* With R at risk at t (below) and the last event before t, ``r_k >= R`` and the same
  induction gives ``S >= R/(R + D)`` (``>= R/N`` without D); with the last event at t,
  ``n_k = R`` and ``S = prefix x r_k/R`` with ``prefix >= R/n_1``.
* A single factor gives every fraction ``p/q`` in (0, 1) with ``q <= N``; so a
  rounding interval containing such a fraction is achievable at once.

Decision procedure
------------------
:func:`km_search` looks for a chain whose product lies in the printed value's
rounding interval I by depth-first search over ``(n_i, r_i)``, carrying the
interval ``I / (product so far)`` that the remaining factors must hit. It prunes
with the bounds above, stops a branch when the product falls below I (factors
are <= 1), memoises failed states, and at every node first tries the
single-factor shortcut. The search is exhaustive: if it ends without a chain, no
KM estimate of an arm of N takes a value in I (**inconsistent**). It is bounded
by a node budget (:class:`~.entries.AuditSettings`); if the budget runs out the
answer is **cannot tell**.

Optional extra information tightens the check:

* ``events`` = D, the number of events up to and including t: ``sum d_i = D``;
* ``n_risk`` = R, the number at risk at t as in a risk table (subjects whose
  time is >= t): ``R <= r_k`` if the last event is before t, or ``R = n_k`` if it
  is at t (both are allowed: we do not know which); ``R <= N`` when k = 0.

Not modelled: delayed entry (left truncation) and case weights, under which a
KM estimate can take other values. The landmark time itself is a label: without
the event times it constrains nothing.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from .entries import AuditSettings, LandmarkEntry
from .percent import counts_matching
from .printed import RInterval, fmt_fraction
from .results import Check, EntryResult, Verdict

__all__ = ["km_search", "KMSearch", "check_landmark", "chain_value", "describe_chain", "UNIT"]

UNIT = RInterval.closed(0, 1)


@dataclass(frozen=True)
class KMSearch:
    """Outcome of :func:`km_search`.

    ``found`` is True (``chain`` is a witness), False (exhaustive: impossible) or
    None (budget exhausted). ``chain`` is a tuple of ``(n_i, r_i)``; ``reason`` a
    sentence for the report; ``nodes`` the nodes visited.
    """

    found: bool | None
    chain: tuple[tuple[int, int], ...] | None
    nodes: int
    reason: str = ""


class _Budget(Exception):
    pass


def chain_value(chain) -> Fraction:
    """The KM value ``prod r_i / n_i`` of a chain."""
    v = Fraction(1)
    for n, r in chain:
        v *= Fraction(r, n)
    return v


def describe_chain(N: int, chain) -> str:
    """The data that realise a chain, in words."""
    if not chain:
        return f"no events: S = 1 (all {N} event-free)"
    parts = []
    prev = N
    for n, r in chain:
        if prev > n:
            parts.append(f"{prev - n} censored")
        parts.append(f"{n - r} of {n} die")
        prev = r
    return "; ".join(parts) + f" -> S = {fmt_fraction(chain_value(chain), digits=8)}"


def km_search(N: int, target: RInterval, *, events: int | None = None, n_risk: int | None = None,
              budget: int = AuditSettings.km_node_budget) -> KMSearch:
    """Is there a KM estimate of an arm of ``N`` in ``target`` (a subset of [0, 1])?

    See the module docstring for the characterisation and the search.
    """
    # Contract: N >= 1; target an RInterval (clipped here to [0, 1]);
    # events in 0..N or None; n_risk in 0..N or None; budget >= 1.
    # Exact integer arithmetic throughout: the product so far is pn/pd, the
    # interval is [a/b, c/d] with closedness lo_c, hi_c.
    I = target.intersect(UNIT)
    if I.is_empty():
        return KMSearch(False, None, 0, "the printed value is outside [0, 100]%")
    D, R = events, n_risk
    a, b = I.lo.numerator, I.lo.denominator
    c, d = I.hi.numerator, I.hi.denominator
    lo_c, hi_c = I.lo_closed, I.hi_closed
    zero_ok = I.contains(0)
    nodes = 0
    failed: set = set()

    def in_lo(num: int, den: int) -> bool:  # num/den >= a/b (or >)
        return num * b >= a * den if lo_c else num * b > a * den

    def in_hi(num: int, den: int) -> bool:  # num/den <= c/d (or <)
        return num * d <= c * den if hi_c else num * d < c * den

    def terminal_ok(deaths: int, last: tuple[int, int] | None) -> bool:
        if D is not None and deaths != D:
            return False
        if R is not None:
            if last is None:
                return R <= N
            n, r = last
            return R <= r or R == n
        return True

    def r_feasible(m: int, rem: int | None, pn: int, pd: int) -> bool:
        # With R at risk at t, further factors v lie in A or B (closed supersets):
        # A (last event before t, r_k >= R): n_first >= R + events, and
        #   R/(R + rem) <= v <= (m - rem)/m  (R/m <= v <= (m-1)/m without D);
        # B (last event at t, n_k = R): v = prefix * r/R with prefix in [R/m, 1],
        #   r = r_k in [max(1, R - rem), R - 1], so r/m <= v <= r/R.
        # J = [a pd / (b pn), c pd / (d pn)] is what v must hit (taken closed).
        k = rem if rem is not None else 1
        if m >= R + k:
            lo_n, lo_d = (R, R + rem) if rem is not None else (R, m)
            # A_lo <= J.hi and A_hi >= J.lo
            if lo_n * d * pn <= c * pd * lo_d and (m - k) * b * pn >= a * pd * m:
                return True
        if m >= R >= 2:
            r_lo = max(1, R - rem) if rem is not None else 1
            r_lo = max(r_lo, -(-a * pd * R // (b * pn)))
            r_hi = min(R - 1, (c * pd * m) // (d * pn))
            if r_lo <= r_hi:
                return True
        return False

    def dfs(m: int, pn: int, pd: int, deaths: int, last, chain: list) -> list | None:
        nonlocal nodes
        nodes += 1
        if nodes > budget:
            raise _Budget
        if in_lo(pn, pd) and in_hi(pn, pd) and terminal_ok(deaths, last):
            return chain
        key = (m, pn, pd, deaths if D is not None else 0)  # deaths matter only with D
        if key in failed:
            return None
        rem = None if D is None else D - deaths
        if rem == 0 or m < 1:
            failed.add(key)
            return None
        # all-die step (S becomes 0): terminal, allowed when 0 is in the interval
        if zero_ok:
            for n in range(m, 0, -1):
                if (D is None or n == rem) and terminal_ok(deaths + n, (n, 0)):
                    return chain + [(n, 0)]
        # further factors v satisfy 1/m <= v <= (m - k)/m, k = remaining events or 1,
        # and v >= 1/(rem + 1) with rem events (module docstring)
        k = rem if rem else 1
        if k >= m or not in_lo(pn * (m - k), pd * m) or not in_hi(pn, pd * (m if rem is None else min(m, rem + 1))):
            failed.add(key)
            return None
        if R and not r_feasible(m, rem, pn, pd):
            failed.add(key)
            return None
        if D is None:
            # one factor p/q, q <= m, with S p / q in the interval
            for q in range(m, max(2, R or 0) - 1, -1):  # the largest risk set first
                p0 = max(1, -(-a * q * pd // (b * pn)))
                p1 = min(q - 1, (c * q * pd) // (d * pn))
                for p in range(p0, p1 + 1):
                    if in_lo(pn * p, pd * q) and in_hi(pn * p, pd * q) and terminal_ok(0, (q, p)):
                        return chain + [(q, p)]
        elif rem is not None:
            # one last step with all remaining events: n - rem of n survive
            for n in range(m, rem, -1):
                r = n - rem
                if in_lo(pn * r, pd * n) and in_hi(pn * r, pd * n) and terminal_ok(D, (n, r)):
                    return chain + [(n, r)]
        n_min = 1 if R is None else max(1, R)
        for n in range(m, n_min - 1, -1):
            # S r / n >= a/b  <=>  r >= a n pd / (b pn)
            r_min = max(1, -(-a * n * pd // (b * pn)))
            if rem is not None:
                r_min = max(r_min, n - rem)
            for r in range(n - 1, r_min - 1, -1):
                qn, qd = pn * r, pd * n
                g = math.gcd(qn, qd)
                got = dfs(r, qn // g, qd // g, deaths + n - r, (n, r), chain + [(n, r)])
                if got is not None:
                    return got
        failed.add(key)
        return None

    try:
        found = dfs(N, 1, 1, 0, None, [])
    except _Budget:
        return KMSearch(None, None, nodes, f"the exhaustive search ran out of its budget of {budget} nodes")
    if found is None:
        return KMSearch(False, None, nodes, _impossible_reason(N, I, D, R))
    return KMSearch(True, tuple(found), nodes, "")


def _impossible_reason(N: int, I: RInterval, D, R) -> str:
    top = Fraction(N - 1, N)
    if D is None and R is None and I.lo is not None and I.lo > top and not I.contains(1):
        return (f"no KM estimate of an arm of {N} lies strictly between (N-1)/N = "
                f"{fmt_fraction(top, digits=6)} and 1")
    bottom = Fraction(1, N)
    if D is None and R is None and I.hi is not None and I.hi < bottom and not I.contains(0):
        return (f"no KM estimate of an arm of {N} lies strictly between 0 and 1/N = "
                f"{fmt_fraction(bottom, digits=6)}")
    extra = []
    if D is not None:
        extra.append(f"{D} events")
    if R is not None:
        extra.append(f"{R} at risk at the landmark")
    return ("no chain of risk sets and events " + (f"with {' and '.join(extra)} " if extra else "")
            + "gives a value in the interval (exhaustive search)")


def check_landmark(entry: LandmarkEntry, settings: AuditSettings = AuditSettings()) -> EntryResult:
    """Check one printed KM landmark percentage against the arm size."""
    pr, N = entry.percent, entry.N
    I100 = pr.interval.intersect(RInterval.closed(0, 100))
    I = I100.scale(Fraction(1, 100)) if not I100.is_empty() else I100
    res = km_search(N, I, events=entry.events, n_risk=entry.n_risk, budget=settings.km_node_budget)
    crude = counts_matching(pr.interval, N)
    data = {"N": N, "time": entry.time, "printed": pr.text, "interval_percent": I100.to_dict(),
            "events": entry.events, "n_risk": entry.n_risk, "nodes": res.nodes,
            "found": res.found, "chain": None if res.chain is None else [list(s) for s in res.chain],
            "k_over_N": crude}
    if res.found:
        verdict = Verdict.CONSISTENT
        v = chain_value(res.chain)
        rec = f"{fmt_fraction(100 * v, digits=8)}%"
        msg = f"{_pct_text(pr)} is a KM value for N = {N}: e.g. {describe_chain(N, res.chain)}"
        data["witness_value"] = fmt_fraction(v, digits=15)
    elif res.found is False:
        verdict = Verdict.INCONSISTENT
        rec = "none"
        msg = f"{_pct_text(pr)} cannot be a KM estimate for N = {N}: {res.reason}"
    else:
        verdict = Verdict.CANNOT_TELL
        rec = "undecided"
        msg = f"cannot tell whether {_pct_text(pr)} is a KM value for N = {N}: {res.reason}"
    if crude and entry.events is None:
        msg += f" (also k/N without censoring: k = {', '.join(map(str, crude))})"
    check = Check("KM value", verdict, printed=pr.text, interval=str(I100), recomputed=rec, detail=msg,
                  data={"chain": data["chain"], "nodes": res.nodes})
    return EntryResult(table=entry.table.id, kind="landmark", label=entry.label, verdict=verdict,
                       message=msg, checks=(check,), source=entry.source, data=data)


def _pct_text(pr) -> str:
    """The printed percentage with one "%" (it may be printed with or without one)."""
    t = pr.text.strip()
    return t if t.endswith("%") else f"{t}%"
