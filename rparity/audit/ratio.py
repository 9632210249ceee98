"""Ratio estimates (HR, OR, RR) with a confidence interval and a p-value.

A Wald interval is ``exp(b -+ z_c SE)`` around the estimate ``exp(b)``, so

1. **Geometric midpoint.** ``est^2 = lower x upper`` exactly, before rounding.
   With the three printed values read as rounding intervals E, L, U, the row is
   consistent iff some ``e in E, l in L, u in U`` satisfy ``e^2 = l u``, i.e.
   iff ``[min E^2, max E^2]`` meets ``[min L x min U, max L x max U]``. This is
   decided in exact rational arithmetic: no tolerance.
2. **p-value from the interval** (Altman & Bland, BMJ 2011;343:d2304):
   ``SE = (ln U - ln L) / (2 z_c)``, ``z = |ln est| / SE``, ``p = 2 (1 - Phi(z))``
   with the exact normal tail. Computed in outward-rounded interval arithmetic
   (:mod:`.fint`) over E, L, U and over ``z_c`` in ``[qnorm(1 - a/2), 1.96]``
   (the exact quantile and the tabled two-decimal one, e.g. 1.96 for 95%, as
   software and authors use either). The printed p must meet that interval.
   Altman & Bland's approximation ``exp(-0.717 z - 0.416 z^2)`` is reported
   beside it, never used for the verdict.

Which value is wrong?
---------------------
When the midpoint check fails, the three printed values cannot all be right,
and the midpoint alone cannot say which one is wrong: any of them can be
recomputed from the other two. The p-value decides. Each hypothesis "only X is
wrong" fixes X from the other two and predicts the p-value:

* lower bound wrong: ``L* = E^2 / U``; ``SE = (ln U - ln E) / z_c`` (the upper
  half-interval mirrored), ``p = 2 (1 - Phi(z_c |ln E| / (ln U - ln E)))``;
* upper bound wrong: ``U* = E^2 / L``, ``p = 2 (1 - Phi(z_c |ln E| / (ln E - ln L)))``;
* estimate wrong: ``E* = sqrt(L U)``, ``p = 2 (1 - Phi(z_c |ln L + ln U| / (ln U - ln L)))``.

A hypothesis survives when its predicted p meets the printed p's interval
(without a printed p every hypothesis survives). When exactly one survives the
report names the value and gives the range that would make the row consistent,
and lists any one-character slips of the printed text (one digit changed, or two
adjacent digits swapped) that fall in that range, as supporting evidence.

A CI that is not a Wald interval on the log scale (``ci_method = "other"``,
e.g. profile-likelihood or exact intervals) need not be symmetric: both checks
are then "cannot tell".
"""
from __future__ import annotations

import math
from fractions import Fraction

from pyimpl._rmath import qnorm

from .entries import RatioEntry
from .fint import FInterval, _dn, _un, down, up
from .printed import Printed, RInterval, UnreadableValue, fmt_fraction, parse_printed
from .results import Check, EntryResult, Verdict, combine

__all__ = ["check_ratio", "critical_value", "midpoint_consistent", "wald_p_interval", "one_slip_variants"]

POSITIVE = RInterval(Fraction(0), None, False, False)
P_DOMAIN = RInterval.closed(0, 1)


def critical_value(conf_level: Fraction) -> FInterval:
    """``[qnorm(1 - a/2), its two-decimal rounding]`` (hull), e.g. [1.959964, 1.96]."""
    zq = qnorm(float(1 - (1 - conf_level) / 2))
    z2 = round(zq, 2)
    return FInterval(_dn(min(zq, z2), 2), _un(max(zq, z2), 2))


def _pos(pr: Printed) -> RInterval:
    return pr.interval.intersect(POSITIVE)


def _fi(r: RInterval) -> FInterval:
    return FInterval(0.0 if r.lo is None else down(r.lo), math.inf if r.hi is None else up(r.hi))


def _sq(r: RInterval) -> RInterval:
    """r^2 for a non-negative interval (an unbounded end stays unbounded: an upper
    bound printed as ">100")."""
    hi = None if r.hi is None else r.hi * r.hi
    return RInterval(r.lo * r.lo, hi, r.lo_closed, r.hi_closed)


def _mul(a: RInterval, b: RInterval) -> RInterval:
    """a * b for non-negative intervals."""
    hi = None if (a.hi is None or b.hi is None) else a.hi * b.hi
    return RInterval(a.lo * b.lo, hi, a.lo_closed and b.lo_closed, a.hi_closed and b.hi_closed)


def _div(a: RInterval, b: RInterval) -> RInterval:
    """a / b for non-negative intervals (``b``'s low end may be 0: then unbounded)."""
    hi = None if (b.lo == 0 or a.hi is None) else a.hi / b.lo
    if b.hi is None:
        lo, lo_closed = Fraction(0), False
    else:
        lo, lo_closed = a.lo / b.hi, a.lo_closed and b.hi_closed
    return RInterval(lo, hi, lo_closed, hi is not None and a.hi_closed and b.lo_closed)


def _geometric_midpoint(L: RInterval, U: RInterval) -> FInterval:
    """sqrt(l u) over the boxes, outward (an unbounded U gives an unbounded end)."""
    lo = max(0.0, _dn(math.sqrt(down(L.lo * U.lo)), 2))
    hi = math.inf if (L.hi is None or U.hi is None) else _un(math.sqrt(up(L.hi * U.hi)), 2)
    return FInterval(lo, hi)


def midpoint_consistent(E: RInterval, L: RInterval, U: RInterval) -> bool:
    """Do some e in E, l in L, u in U satisfy e^2 = l u? (positive bounded intervals)"""
    return not _sq(E).intersect(_mul(L, U)).is_empty()


def _p_from(a: FInterval, w: FInterval, zc: FInterval) -> FInterval | None:
    """p = 2(1 - Phi(zc a / w)) over the intervals; None when w cannot be positive."""
    w = FInterval(max(0.0, w.lo), w.hi)
    a = FInterval(max(0.0, a.lo), a.hi)
    if w.hi <= 0:
        return None
    se = w.div_pos(zc)
    z = a.div_pos(se)
    return z.two_sided_normal_p()


def wald_p_interval(E: RInterval, L: RInterval, U: RInterval,
                    zc: FInterval) -> tuple[FInterval, FInterval, FInterval, FInterval | None]:
    """Altman-Bland: (SE, z, exact two-sided p, approximate p) intervals."""
    lnE, lnL, lnU = _fi(E).log(), _fi(L).log(), _fi(U).log()
    half = (lnU - lnL).scale(0.5)
    half = FInterval(max(0.0, half.lo), half.hi)
    se = half.div_pos(zc)
    z = lnE.abs().div_pos(se)
    return se, z, z.two_sided_normal_p(), z.altman_bland_p()


def _rational(F: FInterval) -> RInterval:
    """A float interval as an exact one; an infinite end is unbounded (a bound
    printed as "0.00" makes ln L = -inf, SE = inf and the implied values
    unbounded)."""
    lo = None if F.lo == -math.inf else Fraction(F.lo)
    hi = None if F.hi == math.inf else Fraction(F.hi)
    return RInterval(lo, hi)


def _meets(F: FInterval | None, I: RInterval) -> bool:
    if F is None:
        return False
    J = I.intersect(P_DOMAIN).intersect(_rational(F))
    return not J.is_empty()


def _fmt(x: float) -> str:
    if x == math.inf:
        return "inf"
    if x == 0:
        return "0"
    if abs(x) < 1e-4:
        return f"{x:.3g}"
    return f"{x:.5g}"


def _fmt_fi(F: FInterval) -> str:
    return f"[{_fmt(F.lo)}, {_fmt(F.hi)}]"


def one_slip_variants(text: str) -> list[str]:
    """Texts differing from ``text`` by one digit changed or two adjacent digits swapped."""
    out: list[str] = []
    s = text.strip()
    for i, ch in enumerate(s):
        if ch.isdigit():
            for d in "0123456789":
                if d != ch:
                    out.append(s[:i] + d + s[i + 1:])
    for i in range(len(s) - 1):
        if s[i].isdigit() and s[i + 1].isdigit() and s[i] != s[i + 1]:
            out.append(s[:i] + s[i + 1] + s[i] + s[i + 2:])
    return out


def _slips(pr: Printed, target: FInterval) -> list[str]:
    T = _rational(target)
    hits = []
    for v in one_slip_variants(pr.text):
        try:
            q = parse_printed(v, "variant")
        except UnreadableValue:
            continue
        if not q.interval.intersect(T).is_empty():
            hits.append(v)
    return hits


def _grid_values(pr: Printed, target: FInterval, limit: int = 3) -> list[str]:
    """Values printed at ``pr``'s precision whose rounding interval meets ``target``."""
    step = Fraction(10) ** (pr.exponent - pr.decimals)
    if not (math.isfinite(target.lo) and math.isfinite(target.hi)):
        return []
    lo = Fraction(target.lo) - step / 2
    hi = Fraction(target.hi) + step / 2
    k0, k1 = math.ceil(lo / step), math.floor(hi / step)
    if k1 - k0 + 1 > limit or k1 < k0:
        return []
    places = max(0, pr.decimals - pr.exponent)
    return [f"{float(k * step):.{places}f}" for k in range(k0, k1 + 1) if k > 0]


def check_ratio(entry: RatioEntry) -> EntryResult:
    """Check a ratio estimate's midpoint and p-value; diagnose a wrong value."""
    E, L, U = _pos(entry.estimate), _pos(entry.lower), _pos(entry.upper)
    m = entry.measure
    txt = f"{entry.estimate.text} ({entry.lower.text}-{entry.upper.text})"
    zc = critical_value(entry.conf_level)
    data: dict = {"measure": m, "printed": txt, "conf_level": fmt_fraction(entry.conf_level),
                  "critical_value": zc.to_list(),
                  "intervals": {"estimate": E.to_dict(), "lower": L.to_dict(), "upper": U.to_dict()}}
    if entry.ci_method != "wald":
        msg = ("cannot tell: the interval is not a Wald interval on the log scale (ci_method = "
               f"{entry.ci_method!r}), so neither the geometric midpoint nor the Altman-Bland p applies")
        checks = (Check("geometric midpoint", Verdict.CANNOT_TELL, printed=txt, detail=msg),)
        return EntryResult(table=entry.table.id, kind="ratio", label=entry.row, verdict=Verdict.CANNOT_TELL,
                           message=msg, checks=checks, source=entry.source, data=data)
    checks: list[Check] = []
    # 1. geometric midpoint (exact rationals)
    mid_ok = midpoint_consistent(E, L, U)
    mid = _geometric_midpoint(L, U)
    data["geometric_midpoint"] = mid.to_list()
    data["midpoint_consistent"] = mid_ok
    checks.append(Check(
        "geometric midpoint", Verdict.CONSISTENT if mid_ok else Verdict.INCONSISTENT,
        printed=entry.estimate.text, interval=f"E {E}\nL {L}\nU {U}", recomputed=f"{_fmt_fi(mid)}",
        detail=("the estimate is the geometric midpoint of the interval within rounding" if mid_ok
                else "the estimate is not the geometric midpoint of the interval, whatever the rounding"),
        data={"estimate": E.to_dict(), "midpoint": mid.to_list()}))
    # 2. p-value from the interval (Altman & Bland)
    se, z, p_int, p_ab = wald_p_interval(E, L, U, zc)
    data.update({"se": se.to_list(), "z": z.to_list(), "p_recomputed": p_int.to_list(),
                 "p_altman_bland_approx": p_ab.to_list()})
    p_ok = None
    if entry.p is not None:
        p_ok = _meets(p_int, entry.p.interval)
        PI = entry.p.interval.intersect(P_DOMAIN)
        checks.append(Check(
            "p from CI (Altman-Bland)", Verdict.CONSISTENT if p_ok else Verdict.INCONSISTENT,
            printed=entry.p.text, interval=f"p {PI}", recomputed=f"{_fmt_fi(p_int)}",
            detail=(f"SE {_fmt_fi(se)}, z {_fmt_fi(z)}; approximation exp(-0.717z-0.416z^2) gives "
                    f"{_fmt_fi(p_ab)}"),
            data={"p": p_int.to_list(), "approx": p_ab.to_list(), "z": z.to_list(), "se": se.to_list()}))
        data["p_consistent"] = p_ok
    verdict = combine([c.verdict for c in checks])
    parts: list[str] = []
    if mid_ok and (p_ok is None or p_ok):
        parts.append(f"{m} {txt} is a Wald interval around its estimate"
                     + (f" and p = {entry.p.text} matches it (recomputed {_fmt_fi(p_int)})" if p_ok else ""))
    if not mid_ok:
        parts.append(f"{m} {entry.estimate.text} is not the geometric midpoint of "
                     f"{entry.lower.text}-{entry.upper.text} (sqrt(L x U) in {_fmt_fi(mid)})")
        parts.append(_diagnose(entry, E, L, U, zc, data))
    if mid_ok and p_ok is False:
        parts.append(f"p = {entry.p.text} does not match the interval: recomputed {_fmt_fi(p_int)}")
        hint = _p_hints(entry, p_int)
        if hint:
            parts.append(hint)
    if not mid_ok and p_ok is not None:
        data["note_p"] = "the box p-value check uses the printed values as they are"
    msg = "; ".join(p for p in parts if p)
    return EntryResult(table=entry.table.id, kind="ratio", label=entry.row, verdict=verdict, message=msg,
                       checks=tuple(checks), source=entry.source, data=data)


def _p_hints(entry: RatioEntry, p_int: FInterval) -> str:
    hints = []
    if entry.p.text.strip() in (entry.estimate.text.strip(), entry.lower.text.strip(), entry.upper.text.strip()):
        hints.append("the printed p equals a printed value of the estimate or CI (a copy slip?)")
    half = FInterval(p_int.lo / 2, p_int.hi / 2)
    if _meets(half, entry.p.interval):
        hints.append("the printed p is half the two-sided p (one-sided?)")
    if not hints:
        hints.append("if the paper's p is from a likelihood-ratio or score test it can differ from the Wald p")
    return "; ".join(hints)


def _diagnose(entry: RatioEntry, E: RInterval, L: RInterval, U: RInterval, zc: FInterval, data: dict) -> str:
    lnE, lnL, lnU = _fi(E).log(), _fi(L).log(), _fi(U).log()
    hyps = {}
    # lower bound wrong: L* = E^2/U, half-width ln U - ln E
    Ls = _fi(_div(_sq(E), U))
    hyps["lower"] = (Ls, _p_from(lnE.abs(), lnU - lnE, zc), entry.lower, lnU.hi > lnE.lo)
    Us = _fi(_div(_sq(E), L))
    hyps["upper"] = (Us, _p_from(lnE.abs(), lnE - lnL, zc), entry.upper, lnE.hi > lnL.lo)
    Es = _geometric_midpoint(L, U)
    hyps["estimate"] = (Es, _p_from((lnL + lnU).abs().scale(0.5), (lnU - lnL).scale(0.5), zc), entry.estimate, True)
    survivors = []
    diag = {}
    for name, (implied, p_pred, pr, possible) in hyps.items():
        p_fits = None if entry.p is None else (possible and _meets(p_pred, entry.p.interval))
        ok = possible and (p_fits is None or p_fits)
        diag[name] = {"implied": implied.to_list(), "p_predicted": None if p_pred is None else p_pred.to_list(),
                      "p_fits": p_fits, "survives": ok, "slips": _slips(pr, implied) if ok else [],
                      "values": _grid_values(pr, implied) if ok else []}
        if ok:
            survivors.append(name)
    data["diagnosis"] = diag
    data["suspect"] = survivors[0] if len(survivors) == 1 else None
    if entry.p is None:
        return ("without a p-value the row cannot say which value is wrong: " +
                "; ".join(_hyp_text(n, diag[n], hyps[n][2]) for n in hyps))
    if len(survivors) == 1:
        n = survivors[0]
        d = diag[n]
        return (f"the {n} {'bound ' if n != 'estimate' else ''}looks like the transcription error: "
                f"with the other two values p = {entry.p.text} is reproduced "
                f"(predicted {_fmt_fi(FInterval(*d['p_predicted']))}); " + _hyp_text(n, d, hyps[n][2]))
    if not survivors:
        return ("no single wrong value explains the row (none of the three hypotheses reproduces "
                f"p = {entry.p.text})")
    return ("cannot tell which value is wrong; consistent with p: " +
            "; ".join(_hyp_text(n, diag[n], hyps[n][2]) for n in survivors))


def _hyp_text(name: str, d: dict, pr: Printed) -> str:
    lo, hi = d["implied"]
    s = f"{name} would be in [{_fmt(lo)}, {_fmt(hi)}]"
    if d["values"]:
        s += f" (printed {' or '.join(d['values'])})"
    if d["slips"]:
        s += f"; \"{pr.text}\" -> \"{d['slips'][0]}\" is a one-character slip" + (
            f" (also {', '.join(d['slips'][1:3])})" if len(d["slips"]) > 1 else "")
    return s
