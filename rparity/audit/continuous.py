"""Continuous rows of a Table 1: mean ± SD (or SE), median (IQR) or median
(range) by arm, with the printed p-value and (PSM tables) an SMD.

Checks (each an exact statement about the printed rounding intervals, or an
outward bound of one):

1. **Means and SDs**: the p of Student's t, Welch's t, one-way ANOVA and
   Welch's ANOVA over every value the printed means and SDs allow
   (:mod:`.ttest_bounds`). A test *reproduces* the printed p when its p
   interval meets the printed p's (certainly: some point of the boxes gives a p
   in it; not at all: no point does; else "cannot tell" at a float boundary).
   Claimed test reproduces: consistent; another test does: "other test"; none:
   inconsistent (with statcheck's decision error at 0.05).
2. **Medians**: the median must lie in its IQR or range; the rank tests
   (Mann-Whitney, Kruskal-Wallis) cannot be recomputed, but the largest p any
   data with the printed quantiles allow is (:mod:`.ranks`): a printed p above
   it is inconsistent, anything else "cannot tell".
3. **Integer data** (``integer = true``): GRIM for means, GRIMMER for SDs
   (:mod:`.grim`); a median of n integers is a multiple of 1/2 (of 1 for odd
   n), a range's ends are integers.
4. **SMD** (:mod:`.smd`): the formulas that reproduce a printed SMD.

Boxes of means and SDs are taken closed (an excluded tie end is a single
value: using it is generous by one point, never by a tolerance).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .continuous_cells import MEAN_SUMMARIES, Cell, parse_cell, row_summary
from .entries import TEST_NAMES, AuditSettings, TableSpec, claims_of_kind
from .fint import FInterval
from .grim import grim_sums, grimmer_sums
from .printed import Printed, RInterval, parse_count, parse_p, parse_printed
from .ranks import ArmQuantiles, kw_p_max, mw_p_max
from .results import Check, EntryResult, Verdict, combine
from .smd import check_smd_continuous
from .ttest_bounds import MEAN_TESTS, TWO_ARM, PBounds, mean_tests

__all__ = ["ContinuousEntry", "read_continuous", "check_continuous", "RANK_TESTS"]

RANK_TESTS = ("mann_whitney", "kruskal_wallis")
P_DOMAIN = RInterval.closed(0, 1)
_KEYS = {"row", "values", "summary", "p", "test", "n", "integer", "smd", "source"}
YES, NO, EDGE, UNDEFINED, NOT_APPLICABLE = "yes", "no", "edge", "undefined", "not applicable"


@dataclass(frozen=True)
class ContinuousEntry:
    """A continuous row: one printed cell per arm (``cells``), the arm sizes
    ``n``, the summary kind (mean_sd, mean_se, median_iqr, median_range), the
    printed p and SMD (or None), the claimed tests (continuous ones,
    :func:`.entries.claims_of_kind`) and whether the values are integers."""

    table: TableSpec
    row: str
    summary: str
    cells: tuple[Cell, ...]
    n: tuple[int, ...]
    p: Printed | None
    test: tuple[str, ...]
    smd: Printed | None = None
    integer: bool = False
    source: str = ""


# ----------------------------------------------------------------------------
# Reading
# ----------------------------------------------------------------------------


def read_continuous(spec: TableSpec, e: dict) -> list[Any]:
    """A ``[[tables.continuous]]`` entry (``examples/audit/README.md``)."""
    from .reader import _Bad, _claimed, _need

    unknown = set(e) - _KEYS
    if unknown:
        raise _Bad(f"unknown field(s) {sorted(unknown)}; known: {sorted(_KEYS)}")
    row = _need(e, "row")
    if not isinstance(row, str):
        raise _Bad(f"`row` must be a string; got row={row!r}")
    vals = _need(e, "values")
    if not isinstance(vals, list) or len(vals) < 2:
        raise _Bad(f"`values` must be an array of at least 2 printed cells, one per arm; got values={vals!r}")
    cells = tuple(parse_cell(v, f"values[{i}]") for i, v in enumerate(vals))
    k = len(cells)
    if spec.arms and k != len(spec.arms):
        raise _Bad(f"`values` has {k} cells but the table has {len(spec.arms)} arms")
    summary = e.get("summary")
    if summary is not None and not isinstance(summary, str):
        raise _Bad(f"`summary` must be a string; got summary={summary!r}")
    summ = row_summary(cells, summary)
    if "n" in e:
        if not isinstance(e["n"], list):
            raise _Bad(f"`n` must be an array of arm sizes; got n={e['n']!r}")
        n = tuple(parse_count(v, f"n[{i}]") for i, v in enumerate(e["n"]))
    elif spec.n is not None:
        n = spec.n
    else:
        raise _Bad("missing field `n` (the arm sizes: give the row's `n` or the table's)")
    if len(n) != k:
        raise _Bad(f"`n` gives {len(n)} arm sizes for {k} cells of `values`")
    if any(x < 1 for x in n):
        raise _Bad(f"arm sizes `n` must be positive; got n={list(n)!r}")
    p = parse_p(e["p"], "p") if "p" in e else None
    smd = parse_printed(e["smd"], "smd") if "smd" in e else None
    if smd is not None and k != 2:
        raise _Bad(f"`smd` is the first arm versus the second: it needs 2 arms; got {k}")
    integer = e.get("integer", False)
    if not isinstance(integer, bool):
        raise _Bad(f"`integer` must be true or false; got integer={integer!r}")
    if "test" in e:
        test = claims_of_kind(_claimed(e["test"], "test"), "continuous")
        if not test:
            raise _Bad("`test` must name tests of a continuous row (e.g. t, student_t, welch_t, anova, "
                       f"welch_anova, mann_whitney, kruskal_wallis); got test={e['test']!r}")
    else:
        test = claims_of_kind(spec.test, "continuous")
    forms = {c.form for c in cells}
    if summ in MEAN_SUMMARIES:
        if "bare" in forms and forms != {"bare"}:
            raise _Bad("every cell must give its SD (or SE), or none may; got "
                       + ", ".join(repr(c.text) for c in cells))
        if forms == {"bare"} and (p is not None or smd is not None):
            raise _Bad("a mean without its SD cannot give a p-value or an SMD: write the cells as "
                       f"\"mean ± SD\"; got {cells[0].text!r}")
        if forms != {"bare"} and any(x < 2 for x in n):
            raise _Bad(f"an SD needs at least 2 values per arm; got n={list(n)!r}")
    else:
        for i, c in enumerate(cells):
            assert c.a is not None and c.b is not None
            if c.a.value > c.b.value:
                raise _Bad(f"`values[{i}]`: the lower quantile exceeds the upper one; got {c.text!r}")
    return [ContinuousEntry(table=spec, row=row, summary=summ, cells=cells, n=n, p=p, test=test, smd=smd,
                            integer=integer, source=str(e.get("source", spec.source)))]


# ----------------------------------------------------------------------------
# Checking
# ----------------------------------------------------------------------------


def _box(pr: Printed, nonneg: bool = False) -> tuple[Fraction, Fraction]:
    I = pr.interval
    assert I.lo is not None and I.hi is not None
    lo = max(Fraction(0), I.lo) if nonneg else I.lo
    return lo, I.hi


def _variance_box(entry: ContinuousEntry, i: int) -> tuple[Fraction, Fraction]:
    """SD^2 (exactly ``n SE^2`` for an SE)."""
    c = entry.cells[i]
    assert c.a is not None
    lo, hi = _box(c.a, nonneg=True)
    f = entry.n[i] if entry.summary == "mean_se" else 1
    return lo * lo * f, hi * hi * f


def _rational(F: FInterval) -> RInterval:
    return RInterval(Fraction(F.lo), Fraction(F.hi))


def _match(b: PBounds, I: RInterval) -> str:
    if b.status != "ok" or b.outer is None:
        return UNDEFINED
    if I.intersect(_rational(b.outer)).is_empty():
        return NO
    if b.inner is not None and not I.intersect(_rational(b.inner)).is_empty():
        return YES
    return EDGE


def _fmt(x: float) -> str:
    if x == 0:
        return "0"
    if x < 1e-4:
        return f"{x:.3g}"
    return f"{x:.4g}"


def _fi(F: FInterval | None) -> str:
    return "n/a" if F is None else f"[{_fmt(F.lo)}, {_fmt(F.hi)}]"


def _decision(I: RInterval, outer: list[FInterval]) -> str:
    alpha = Fraction(5, 100)
    sig = I.hi is not None and (I.hi < alpha or (I.hi == alpha and not I.hi_closed))
    nonsig = I.lo is not None and I.lo >= alpha
    if sig and all(o.lo >= 0.05 for o in outer):
        return "a decision error at 0.05: printed significant, recomputed not"
    if nonsig and all(o.hi < 0.05 for o in outer):
        return "a decision error at 0.05: printed not significant, recomputed significant"
    return ""


def _names(ts: Any) -> str:
    return " or ".join(TEST_NAMES.get(t, t) for t in ts)


def _p_mean(entry: ContinuousEntry) -> tuple[Verdict, str, list[Check], dict]:
    assert entry.p is not None
    I = entry.p.interval.intersect(P_DOMAIN)
    k = len(entry.n)
    means = [_box(c.center) for c in entry.cells]
    var = [_variance_box(entry, i) for i in range(k)]
    bounds = mean_tests(means, var, list(entry.n))
    match: dict[str, str] = {}
    checks = []
    for t in MEAN_TESTS:
        if t not in bounds or (k > 2 and t in TWO_ARM):
            match[t] = NOT_APPLICABLE
            continue
        b = bounds[t]
        m = _match(b, I)
        match[t] = m
        v = {YES: Verdict.CONSISTENT, NO: Verdict.INCONSISTENT, EDGE: Verdict.CANNOT_TELL,
             UNDEFINED: Verdict.NOT_APPLICABLE}[m]
        detail = {YES: "reproduces the printed p", NO: "does not reproduce the printed p",
                  EDGE: "meets the printed p only within the outward bound (a float boundary)",
                  UNDEFINED: "undefined"}[m]
        detail += f" ({b.stat}, df {b.df}" + (f"; {b.note}" if b.note else "") + ")"
        checks.append(Check(f"p-value ({t})", v, printed=entry.p.text, interval=str(I),
                            recomputed=_fi(b.outer), detail=detail,
                            data={"test": t, "claimed": t in entry.test, "match": m, **b.to_dict()}))
    for t in RANK_TESTS:
        match[t] = NOT_APPLICABLE
    intervals = {t: bounds[t].to_dict() for t in bounds if match.get(t) != NOT_APPLICABLE}
    reproducing = [t for t in MEAN_TESTS if match[t] == YES]
    verdict, msg = _p_verdict(entry, match, reproducing, [t for t in MEAN_TESTS if match[t] != NOT_APPLICABLE],
                              {t: bounds[t].outer for t in bounds}, I)
    data = {"printed_p": entry.p.text, "interval": I.to_dict(), "match": match,
            "reproducing": reproducing, "p_intervals": intervals}
    return verdict, msg, checks, data


def _p_verdict(entry: ContinuousEntry, match: dict[str, str], reproducing: list[str], applicable: list[str],
               outer: dict[str, FInterval | None], I: RInterval) -> tuple[Verdict, str]:
    pt = entry.p.text if entry.p else ""
    claimed = [t for t in entry.test if t in applicable]
    if entry.test and not claimed:
        return Verdict.CANNOT_TELL, (
            f"the claimed {_names(entry.test)} cannot be recomputed from these summaries; reproduced by: "
            + (", ".join(reproducing) or "none"))
    if claimed:
        cm = [match[t] for t in claimed]
        if YES in cm:
            others = [t for t in reproducing if t not in claimed]
            return Verdict.CONSISTENT, (f"p = {pt} is reproduced by the claimed {_names(claimed)}"
                                        + (f" (also by {', '.join(others)})" if others else ""))
        if EDGE in cm:
            return Verdict.CANNOT_TELL, ("cannot tell: the claimed test's p lies on the rounding boundary; "
                                         f"reproduced by: {', '.join(reproducing) or 'none'}")
        cp = "; ".join(f"{t} gives {_fi(outer.get(t))}" for t in claimed)
        if reproducing:
            return Verdict.OTHER_TEST, (f"p = {pt} is reproduced by {_names(reproducing)}, not the claimed "
                                        f"{_names(claimed)} ({cp})")
        if any(match[t] == EDGE for t in applicable):
            return Verdict.CANNOT_TELL, f"cannot tell: the claimed test does not give p = {pt} ({cp}), " \
                "another test is on the rounding boundary"
        msg = f"p = {pt} is not what the claimed {_names(claimed)} gives ({cp}); no test reproduces it"
        dec = _decision(I, [o for t in claimed if (o := outer.get(t)) is not None])
        return Verdict.INCONSISTENT, msg + (f"; {dec}" if dec else "")
    if reproducing:
        return Verdict.CONSISTENT, f"p = {pt} is reproduced by {', '.join(reproducing)} (no test claimed)"
    if any(match[t] == EDGE for t in applicable):
        return Verdict.CANNOT_TELL, "cannot tell: no test reproduces it for sure and some are on the boundary"
    if not applicable or all(match[t] == UNDEFINED for t in applicable):
        return Verdict.CANNOT_TELL, "no test can be recomputed (an SD may be 0)"
    txt = ", ".join(f"{t} {_fi(outer.get(t))}" for t in applicable)
    dec = _decision(I, [o for t in applicable if (o := outer.get(t)) is not None])
    return Verdict.INCONSISTENT, f"p = {pt} is reproduced by none of the tests ({txt})" + (f"; {dec}" if dec else "")


def _quantiles(entry: ContinuousEntry) -> list[ArmQuantiles]:
    out = []
    for c, n in zip(entry.cells, entry.n):
        assert c.a is not None and c.b is not None
        if entry.summary == "median_iqr":
            out.append(ArmQuantiles(n, _box(c.center), q1=_box(c.a), q3=_box(c.b)))
        else:
            out.append(ArmQuantiles(n, _box(c.center), lo=_box(c.a), hi=_box(c.b)))
    return out


def _order_checks(entry: ContinuousEntry) -> list[Check]:
    what = "IQR" if entry.summary == "median_iqr" else "range"
    out = []
    for i, c in enumerate(entry.cells):
        assert c.a is not None and c.b is not None
        m, a, b = c.center.interval, c.a.interval, c.b.interval
        assert m.lo is not None and m.hi is not None and a.lo is not None and b.hi is not None
        ok = a.lo <= m.hi and m.lo <= b.hi
        if entry.n[i] == 1 and entry.summary == "median_range":
            ok = ok and not m.intersect(a).intersect(b).is_empty()
        out.append(Check(f"median inside its {what} (arm {i + 1})", Verdict.CONSISTENT if ok else Verdict.INCONSISTENT,
                         printed=c.text, detail=(f"{c.center.text} lies in {c.a.text}–{c.b.text}" if ok else
                                                 f"the median {c.center.text} lies outside its {what} "
                                                 f"{c.a.text}–{c.b.text}")))
    return out


def _p_median(entry: ContinuousEntry) -> tuple[Verdict, str, list[Check], dict]:
    assert entry.p is not None
    I = entry.p.interval.intersect(P_DOMAIN)
    arms = _quantiles(entry)
    k = len(arms)
    pmax: dict[str, float] = {}
    info: dict[str, str] = {}
    if k == 2:
        mx, mn, (u0, u1), det = mw_p_max(arms[0], arms[1])
        pmax["mann_whitney"] = mx
        info["mann_whitney"] = (f"U (R's W) in [{u0}, {u1}] of {arms[0].n * arms[1].n}; p at most {_fmt(mx)}"
                                f" (without ties, at least {_fmt(mn)})")
    kmx, h = kw_p_max(arms)
    pmax["kruskal_wallis"] = kmx
    info["kruskal_wallis"] = f"H at least {float(h):.4g}; p at most {_fmt(kmx)}"
    match: dict[str, str] = {t: NOT_APPLICABLE for t in MEAN_TESTS}
    checks = []
    for t in RANK_TESTS:
        if t not in pmax:
            match[t] = NOT_APPLICABLE
            continue
        excluded = I.lo is not None and (I.lo > Fraction(pmax[t]))
        match[t] = NO if excluded else "not excluded"
        checks.append(Check(f"p-value ({t}, largest possible)",
                            Verdict.INCONSISTENT if excluded else Verdict.CANNOT_TELL,
                            printed=entry.p.text, interval=str(I), recomputed=f"[0, {_fmt(pmax[t])}]",
                            detail=("the printed p exceeds the largest p any data with these quantiles give; "
                                    if excluded else "the quantiles allow it; ") + info[t],
                            data={"test": t, "p_max": pmax[t], "claimed": t in entry.test, "match": match[t]}))
    applicable = list(pmax)
    claimed = [t for t in entry.test if t in applicable]
    consider = claimed or applicable
    if entry.test and not claimed:
        verdict = Verdict.CANNOT_TELL
        msg = f"the claimed {_names(entry.test)} cannot be recomputed from medians and quantiles"
    elif all(match[t] == NO for t in consider):
        verdict = Verdict.INCONSISTENT
        msg = (f"p = {entry.p.text} is larger than any p the printed quantiles allow for "
               f"{_names(consider)} (" + "; ".join(info[t] for t in consider) + ")")
    else:
        verdict = Verdict.CANNOT_TELL
        msg = (f"cannot tell: the printed quantiles allow p up to {_fmt(max(pmax[t] for t in consider))} ("
               + "; ".join(info[t] for t in consider) + "); the printed p is not checked further")
    data = {"printed_p": entry.p.text, "interval": I.to_dict(), "match": match, "reproducing": [],
            "p_max": pmax}
    return verdict, msg, checks, data


def _integer_checks(entry: ContinuousEntry) -> tuple[list[Check], dict]:
    checks: list[Check] = []
    data: dict = {}
    for i, (c, n) in enumerate(zip(entry.cells, entry.n)):
        arm = f"arm {i + 1}"
        if entry.summary in MEAN_SUMMARIES:
            g = grim_sums(c.center.interval, n)
            if g.n_candidates is None:
                checks.append(Check(f"GRIM ({arm})", Verdict.CONSISTENT, printed=c.center.text,
                                    detail=f"uninformative: n = {n} is large for the printed precision"))
                continue
            ok = bool(g.sums)
            checks.append(Check(f"GRIM ({arm})", Verdict.CONSISTENT if ok else Verdict.INCONSISTENT,
                                printed=c.center.text, interval=str(c.center.interval),
                                recomputed=", ".join(f"{S}/{n}" for S in g.sums[:6]) or "none",
                                detail=(f"mean = S/{n} for S in {list(g.sums[:6])}" if ok else
                                        f"no integer sum S gives S/{n} in {c.center.interval}"),
                                data={"sums": list(g.sums)}))
            data[arm] = {"sums": list(g.sums)}
            if ok and c.a is not None:
                pairs = grimmer_sums(g.sums, _variance_box(entry, i), n)
                ok2 = bool(pairs)
                checks.append(Check(f"GRIMMER ({arm})", Verdict.CONSISTENT if ok2 else Verdict.INCONSISTENT,
                                    printed=c.text, recomputed=", ".join(f"S={S}, Q={Q}" for S, Q in pairs[:4])
                                    or "none",
                                    detail=("SD reachable: sum of squares Q integer, of the parity of S"
                                            if ok2 else "no integer data of these sums give the printed SD "
                                            "(sum of squares not an integer of the right parity)"),
                                    data={"pairs": [list(p) for p in pairs]}))
                data[arm]["pairs"] = [list(p) for p in pairs]
        else:
            assert c.a is not None and c.b is not None
            step = Fraction(1, 2) if n % 2 == 0 else Fraction(1)
            ok = _has_multiple(c.center.interval, step)
            checks.append(Check(f"integer median ({arm})", Verdict.CONSISTENT if ok else Verdict.INCONSISTENT,
                                printed=c.center.text,
                                detail=f"the median of {n} integers is a multiple of {step}"
                                + ("" if ok else f"; none lies in {c.center.interval}")))
            if entry.summary == "median_range":
                ok = _has_multiple(c.a.interval, Fraction(1)) and _has_multiple(c.b.interval, Fraction(1))
                checks.append(Check(f"integer range ({arm})", Verdict.CONSISTENT if ok else Verdict.INCONSISTENT,
                                    printed=c.text, detail="the minimum and maximum of integers are integers"))
    return checks, data


def _has_multiple(I: RInterval, step: Fraction) -> bool:
    assert I.lo is not None and I.hi is not None
    k = math.ceil(I.lo / step)
    while k * step <= I.hi:
        if I.contains(k * step):
            return True
        k += 1
    return False


def check_continuous(entry: ContinuousEntry, settings: AuditSettings = AuditSettings()) -> EntryResult:
    """Check one continuous row (module docstring)."""
    checks: list[Check] = []
    verdicts: list[Verdict] = []
    msgs: list[str] = []
    data: dict = {"summary": entry.summary, "claimed": list(entry.test), "reproducing": [],
                  "values": [c.text for c in entry.cells], "n": list(entry.n)}
    means = entry.summary in MEAN_SUMMARIES and all(c.form != "bare" for c in entry.cells)
    if entry.summary not in MEAN_SUMMARIES:
        oc = _order_checks(entry)
        checks.extend(oc)
        verdicts.extend(c.verdict for c in oc)
        bad = [c.detail for c in oc if c.verdict is Verdict.INCONSISTENT]
        msgs.extend(bad)
    if entry.p is not None:
        if means:
            v, m, cs, d = _p_mean(entry)
        elif not any(c.verdict is Verdict.INCONSISTENT for c in checks):
            v, m, cs, d = _p_median(entry)
        else:
            v, m, cs, d = Verdict.NOT_APPLICABLE, "", [], {}
        checks.extend(cs)
        data.update(d)
        if m:
            msgs.insert(0, m)
        verdicts.append(v)
    if entry.integer:
        ic, idata = _integer_checks(entry)
        checks.extend(ic)
        verdicts.extend(c.verdict for c in ic)
        data["integer"] = idata
        msgs.extend(c.name + ": " + c.detail for c in ic if c.verdict is Verdict.INCONSISTENT)
    if entry.smd is not None:
        if means:
            sc = check_smd_continuous([_box(c.center) for c in entry.cells],
                                      [_variance_box(entry, i) for i in range(2)], list(entry.n), entry.smd)
        else:
            sc = Check("SMD", Verdict.CANNOT_TELL, printed=entry.smd.text,
                       detail="an SMD of medians and quantiles cannot be recomputed")
        checks.append(sc)
        verdicts.append(sc.verdict)
        data["smd"] = sc.data
        if sc.verdict is not Verdict.CONSISTENT or entry.p is None:
            msgs.append(sc.detail)
    verdict = combine(verdicts)
    if not msgs:
        msgs.append("; ".join(c.name + ": " + c.detail for c in checks if c.verdict is verdict)[:400]
                    or "nothing could be checked")
    return EntryResult(table=entry.table.id, kind="continuous", label=entry.row, verdict=verdict,
                       message="; ".join(msgs), checks=tuple(checks), source=entry.source, data=data)
