"""Survival comparisons of two arms: log-rank p, HR with CI, medians, landmarks.

A ``[[tables.survival]]`` entry (format in ``examples/audit/README.md``) is read
into a :class:`SurvivalEntry` plus, to be audited like their own kinds, a
:class:`~.entries.RatioEntry` for the HR (geometric midpoint, Altman-Bland p)
and one :class:`~.entries.LandmarkEntry` per printed landmark percentage (is it
a KM value of an arm of N?). :func:`check_survival` then checks the printed
numbers against each other:

1. the log-rank p against the HR and its CI (:mod:`.survival_logrank`);
2. each arm's median against its CI and its landmarks, and the landmarks'
   order in time (:mod:`.survival_curves`);
3. the HR's direction against the order of the curves (:mod:`.survival_curves`).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .entries import AuditSettings, LandmarkEntry, RatioEntry, TableSpec
from .printed import Printed, parse_count, parse_p, parse_percent, parse_printed
from .reader import _CI_METHODS, _RATIO_TEXT, _Bad, _conf_level, _need, _str_list
from .results import Check, EntryResult, Verdict, combine
from .survival_curves import (
    Landmark,
    MedianCI,
    check_direction,
    check_median_ci,
    check_median_landmarks,
    check_monotone,
    parse_median,
)
from .survival_logrank import logrank_bound, p_meets

__all__ = ["SurvivalEntry", "read_survival", "check_survival"]

_KEYS = {"label", "arms", "n", "time_unit", "logrank_p", "hr", "hr_p", "hr_adjusted", "ties", "conf_level",
         "ci_method", "medians", "landmarks", "source", "own_entries"}
_LANDMARK_KEYS = {"time", "percents"}


@dataclass(frozen=True)
class SurvivalEntry:
    """Two arms' survival compared as printed.

    ``hr`` is the HR of ``arms[0]`` vs ``arms[1]`` (reference ``arms[1]``) as a
    ratio entry; ``ties`` one of :data:`.survival_logrank.TIES`; ``medians``
    one per arm; ``landmarks`` in the order given.
    """

    table: TableSpec
    label: str
    arms: tuple[str, str]
    n: tuple[int, int] | None = None
    time_unit: str = ""
    logrank_p: Printed | None = None
    hr: RatioEntry | None = None
    hr_adjusted: bool = False
    ties: str = "unknown"
    medians: tuple[MedianCI, MedianCI] | None = None
    landmarks: tuple[Landmark, ...] = ()
    source: str = ""


# ----------------------------------------------------------------------------
# Reading
# ----------------------------------------------------------------------------


def _arm_sizes(spec: TableSpec, e: dict[str, Any], arms: tuple[str, str]) -> tuple[int, int] | None:
    if "n" in e:
        raw = e["n"]
        if not isinstance(raw, list) or len(raw) != 2:
            raise _Bad(f"`n` must give the sizes of the two arms, e.g. n = [60, 59]; got n={raw!r}")
        n = (parse_count(raw[0], "n[0]"), parse_count(raw[1], "n[1]"))
        for arm, size in zip(arms, n):
            if size == 0:
                raise _Bad(f"arm sizes `n` must be positive; got n={raw!r}")
            known = spec.arm_size(arm)
            if known is not None and known != size:
                raise _Bad(f"`n` = {size} for arm {arm!r} disagrees with the table's n = {known}")
        return n
    for i, arm in enumerate(arms):
        if spec.arms and arm not in spec.arms:
            raise _Bad(f"`arms[{i}]` must be one of the table's arms {list(spec.arms)!r}, or give `n`; "
                       f"got arms[{i}]={arm!r}")
    s0, s1 = spec.arm_size(arms[0]), spec.arm_size(arms[1])
    return None if s0 is None or s1 is None else (s0, s1)


def _hr(spec: TableSpec, e: dict[str, Any], label: str, arms: tuple[str, str], src: str) -> RatioEntry | None:
    if "hr" not in e:
        if "hr_p" in e:
            raise _Bad("`hr_p` needs `hr`")
        return None
    txt = e["hr"]
    m = _RATIO_TEXT.match(txt) if isinstance(txt, str) else None
    if m is None:
        raise _Bad("`hr` must look like \"0.35 (0.20-0.61)\" (the HR, then its CI in brackets); "
                   f"got hr={txt!r}")
    est = parse_printed(m.group("est"), "hr (estimate)")
    lo = parse_printed(m.group("lo"), "hr (lower)")
    hi = parse_printed(m.group("hi"), "hr (upper)")
    for name, pr in (("estimate", est), ("lower", lo), ("upper", hi)):
        if pr.relation != "=" or pr.value < 0:
            raise _Bad(f"`hr` {name} must be a printed positive value; got {pr.text!r}")
    if lo.value > hi.value:
        raise _Bad(f"`hr`: the CI's lower bound exceeds its upper bound; got hr={txt!r}")
    p = parse_p(e["hr_p"], "hr_p") if "hr_p" in e else None
    cl = _conf_level(e["conf_level"], "conf_level") if "conf_level" in e else spec.conf_level
    ci_method = e.get("ci_method", spec.ci_method)
    if ci_method not in _CI_METHODS:
        raise _Bad(f"`ci_method` must be one of {', '.join(map(repr, _CI_METHODS))}; got ci_method={ci_method!r}")
    return RatioEntry(table=spec, row=f"{label}: HR {arms[0]} vs {arms[1]}", estimate=est, lower=lo, upper=hi,
                      p=p, measure="HR", conf_level=cl, ci_method=ci_method, source=src)


def _ties(e: dict[str, Any]) -> str:
    t = e.get("ties", True)
    if t is True:
        return "unknown"
    if t is False:
        return "none"
    if isinstance(t, str) and t in ("breslow", "efron", "exact"):
        return t
    raise _Bad("`ties` must be true (tied event times possible, the default), false (no tied event times), "
               f"or the Cox fit's ties method \"breslow\", \"efron\" or \"exact\"; got ties={t!r}")


def _landmark_time(x: Any, name: str) -> Fraction:
    if isinstance(x, bool) or not isinstance(x, (int, float, str)):
        raise _Bad(f"`{name}` must be a number in the entry's time unit, e.g. time = 12; got {name}={x!r}")
    try:
        t = Fraction(str(x).strip())
    except (ValueError, ZeroDivisionError):
        raise _Bad(f"`{name}` must be a number in the entry's time unit, e.g. time = 12; got {name}={x!r}") from None
    if t < 0:
        raise _Bad(f"`{name}` must not be negative; got {name}={x!r}")
    return t


def _landmarks(raw: Any) -> tuple[Landmark, ...]:
    if not isinstance(raw, list) or not all(isinstance(x, dict) for x in raw):
        raise _Bad("`landmarks` must be an array of tables such as {time = 12, percents = [\"80.0\", \"59.3\"]}; "
                   f"got landmarks={raw!r}")
    out = []
    for i, lm in enumerate(raw):
        unknown = set(lm) - _LANDMARK_KEYS
        if unknown:
            raise _Bad(f"`landmarks[{i}]` has unknown field(s) {sorted(unknown)}; known: time, percents")
        t = _landmark_time(_need(lm, "time"), f"landmarks[{i}].time")
        pct = _need(lm, "percents")
        if not isinstance(pct, list) or len(pct) != 2:
            raise _Bad(f"`landmarks[{i}].percents` must give one printed percentage per arm (2; \"\" where not "
                       f"printed); got percents={pct!r}")
        prs = tuple(None if v == "" else parse_percent(v, f"landmarks[{i}].percents[{j}]")
                    for j, v in enumerate(pct))
        if all(p is None for p in prs):
            raise _Bad(f"`landmarks[{i}].percents` are both empty")
        out.append(Landmark(time=t, time_text=str(lm["time"]).strip(), percents=(prs[0], prs[1])))
    return tuple(out)


def read_survival(spec: TableSpec, e: dict[str, Any]) -> list[Any]:
    """Read one ``[[tables.survival]]`` entry: ``[SurvivalEntry, RatioEntry?, LandmarkEntry...]``."""
    unknown = set(e) - _KEYS
    if unknown:
        raise _Bad(f"unknown field(s) {sorted(unknown)}; known: {sorted(_KEYS)}")
    arms_t = _str_list(_need(e, "arms"), "arms")
    if len(arms_t) != 2 or arms_t[0] == arms_t[1]:
        raise _Bad(f"`arms` must name the two (different) arms compared; got arms={list(arms_t)!r}")
    arms = (arms_t[0], arms_t[1])
    label = e.get("label", f"{arms[0]} vs {arms[1]}")
    unit = e.get("time_unit", "")
    for key, val in (("label", label), ("time_unit", unit)):
        if not isinstance(val, str):
            raise _Bad(f"`{key}` must be a string; got {key}={val!r}")
    src = str(e.get("source", spec.source))
    n = _arm_sizes(spec, e, arms)
    hr = _hr(spec, e, label, arms, src)
    adjusted = e.get("hr_adjusted", False)
    if not isinstance(adjusted, bool):
        raise _Bad(f"`hr_adjusted` must be true or false; got hr_adjusted={adjusted!r}")
    lr = parse_p(e["logrank_p"], "logrank_p") if "logrank_p" in e else None
    medians = None
    if "medians" in e:
        raw = e["medians"]
        if not isinstance(raw, list) or len(raw) != 2:
            raise _Bad(f"`medians` must give one printed median per arm (2); got medians={raw!r}")
        medians = (parse_median(raw[0], "medians[0]"), parse_median(raw[1], "medians[1]"))
    landmarks = _landmarks(e["landmarks"]) if "landmarks" in e else ()
    if landmarks and n is None:
        raise _Bad("`landmarks` need the arm sizes: give `n` (or the table's arms and n)")
    entry = SurvivalEntry(table=spec, label=label, arms=arms, n=n, time_unit=unit, logrank_p=lr, hr=hr,
                          hr_adjusted=adjusted, ties=_ties(e), medians=medians, landmarks=landmarks, source=src)
    own = e.get("own_entries", True)
    if not isinstance(own, bool):
        raise _Bad(f"`own_entries` must be true or false; got own_entries={own!r}")
    out: list[Any] = [entry]
    if not own:  # the HR and the landmarks are ratio / landmark entries elsewhere in the file
        return out
    if hr is not None:
        out.append(hr)
    for lm in landmarks:
        for j, pr in enumerate(lm.percents):
            if pr is not None and n is not None:
                t = f"{lm.time_text}{' ' + unit if unit else ''}"
                out.append(LandmarkEntry(table=spec, label=f"{label}: {arms[j]} at {t}", N=n[j], percent=pr,
                                         time=t, source=src))
    return out


# ----------------------------------------------------------------------------
# Checking
# ----------------------------------------------------------------------------

_ASSUME = ("assumes the HR is the unadjusted Cox HR of the two arms with a Wald CI from the model-based SE, "
           "on the same data as the log-rank test")


def _fmt(x: float) -> str:
    return "inf" if x == float("inf") else (f"{x:.3g}" if 0 < abs(x) < 1e-4 else f"{x:.4g}")


def check_logrank(entry: SurvivalEntry) -> Check | None:
    """Check 1: the printed log-rank p against the bound (*) of :mod:`.survival_logrank`."""
    if entry.logrank_p is None or entry.hr is None:
        return None
    name = "log-rank p vs HR"
    pr = entry.logrank_p
    if entry.hr_adjusted:
        return Check(name, Verdict.NOT_APPLICABLE, printed=pr.text,
                     detail="the HR is adjusted (another model): the log-rank test is not its score test")
    if entry.hr.ci_method != "wald":
        return Check(name, Verdict.NOT_APPLICABLE, printed=pr.text,
                     detail="the HR's CI is not a Wald interval, so it gives no SE")
    b = logrank_bound(entry.hr)
    two, one = b.p_two, b.p_one
    in_two, in_one = p_meets(two, pr.interval), p_meets(one, pr.interval)
    data = {"ties": entry.ties, "a": b.a.to_list(), "se": b.se.to_list(), "z": b.z.to_list(),
            "p_untied": two.to_list(), "p_tied_breslow": one.to_list()}
    rng2 = f"[{_fmt(two.lo)}, {_fmt(two.hi)}]"
    rng1 = f"[0, {_fmt(one.hi)}]"
    how = (f"score z within 2(1-e^(-a/2))/SE .. 2(e^(a/2)-1)/SE = [{_fmt(b.z.lo)}, {_fmt(b.z.hi)}] "
           f"(a = |ln HR|, log-information 1-Lipschitz); {_ASSUME}")
    t = entry.ties
    if in_two:
        v, msg = Verdict.CONSISTENT, (f"log-rank p = {pr.text} is within {rng2}, what the HR allows without "
                                      "tied event times")
    elif t == "none":
        v, msg = Verdict.INCONSISTENT, (f"log-rank p = {pr.text} is outside {rng2}, what the HR allows "
                                        "with no tied event times (ties = false)")
    elif t == "exact":
        v, msg = Verdict.INCONSISTENT, (f"log-rank p = {pr.text} is outside {rng2}, what the HR of an exact-ties "
                                        "Cox fit allows (the log-rank test is its score test)")
    elif t == "efron":
        v, msg = Verdict.CANNOT_TELL, (f"log-rank p = {pr.text} is outside {rng2} (untied event times); with "
                                       "ties, Efron's score at 0 weights each time's O - E differently from the "
                                       "log-rank test, so nothing bounds it")
    elif in_one:
        v, msg = Verdict.CONSISTENT, (f"log-rank p = {pr.text} is below what untied data allow ({rng2}) but "
                                      f"within {rng1}: possible with tied event times (survdiff's "
                                      "hypergeometric variance is at most Breslow's information, so the log-rank "
                                      "z can only be larger)")
    elif t == "breslow":
        v, msg = Verdict.INCONSISTENT, (f"log-rank p = {pr.text} exceeds {_fmt(one.hi)}, the largest the HR of a "
                                        "Breslow Cox fit allows even with tied event times (the hypergeometric "
                                        "variance only makes the log-rank z larger)")
    else:  # unknown ties method
        v, msg = Verdict.CANNOT_TELL, (f"log-rank p = {pr.text} exceeds {_fmt(one.hi)}, the largest the HR allows "
                                       "without tied event times or with a Breslow or exact-ties fit; only an "
                                       "Efron fit with tied event times (R's default) could give it, and that is "
                                       "not bounded (say ties = false, \"breslow\" or \"exact\" if known)")
    if v is Verdict.CONSISTENT and not in_two:
        data["note"] = "only with tied event times"
    return Check(name, v, printed=pr.text, interval=f"p {pr.interval}",
                 recomputed=rng2 if t in ("none", "exact", "efron") else f"{rng2} untied; {rng1} tied",
                 detail=f"{msg}; {how}", data=data)


def check_survival(entry: SurvivalEntry, settings: AuditSettings = AuditSettings()) -> EntryResult:
    """Check a survival comparison's printed numbers against each other."""
    checks: list[Check] = []
    c = check_logrank(entry)
    if c is not None:
        checks.append(c)
    for j, arm in enumerate(entry.arms):
        marks = [(lm, p) for lm in entry.landmarks if (p := lm.percents[j]) is not None]
        if entry.medians is not None:
            for got in (check_median_ci(arm, entry.medians[j]),
                        check_median_landmarks(arm, entry.medians[j], marks, entry.time_unit)):
                if got is not None:
                    checks.append(got)
        mono = check_monotone(arm, marks)
        if mono is not None:
            checks.append(mono)
    d = check_direction(entry.hr, entry.arms, entry.medians, entry.landmarks)
    if d is not None:
        checks.append(d)
    verdict = combine([c.verdict for c in checks])
    if not checks or all(c.verdict is Verdict.NOT_APPLICABLE for c in checks):
        msg = "nothing here to check against each other" + (
            ": " + "; ".join(c.detail for c in checks) if checks else
            " (give logrank_p with hr, medians, or landmarks)")
    else:
        shown = [c for c in checks if c.verdict is not Verdict.CONSISTENT and c.verdict is not Verdict.NOT_APPLICABLE]
        if not shown:
            msg = "; ".join(f"{c.name}: consistent" + (f" ({c.data['note']})" if c.data.get("note") else "")
                            for c in checks if c.verdict is Verdict.CONSISTENT)
        else:
            msg = "; ".join(f"{c.name}: {c.detail}" for c in shown)
    data = {"arms": list(entry.arms), "n": None if entry.n is None else list(entry.n), "ties": entry.ties,
            "time_unit": entry.time_unit, "hr_adjusted": entry.hr_adjusted}
    return EntryResult(table=entry.table.id, kind="survival", label=entry.label, verdict=verdict, message=msg,
                       checks=tuple(checks), source=entry.source, data=data)

