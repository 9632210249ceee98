"""Medians and landmark percentages of two Kaplan-Meier curves, against each
other and against the hazard ratio's direction.

Median against landmarks (same arm, same time unit)
---------------------------------------------------
R's ``survfit`` median (``quantile.survfit``, survival 3.5) is the smallest t
with ``S(t) <= 0.5``, except that where S is exactly 0.5 on a flat stretch
``[t1, t2)`` it is the midpoint ``(t1 + t2)/2`` (checked: events at 1, 2, 3 of
four subjects give 2.5; ``print.survfit`` gives the left end on a final flat
stretch). Either way, for the true median m and a landmark at time t:

* t < m  implies  S(t) >= 0.5 (> 0.5 under "smallest t"; = 0.5 possible on the
  flat stretch under the midpoint rule: we accept either);
* t >= m implies  S(t) <= 0.5;
* "not reached" (R prints NA) means S never falls to 0.5: S(t) > 0.5 at every
  landmark (a curve ending exactly at 0.5 has a finite median under both rules).

With the printed median read as its rounding interval M and the printed
percentage as P, a landmark is consistent iff some m in M and s in P satisfy
these. A median CI ``(l-u)`` needs ``l <= m <= u`` for some allowed values
("NR"/"NA" bounds are +infinity: R's lower limit is NA only when the median is).

KM estimates never increase: a landmark at an earlier time needs a printed
percentage that allows at least the later one.

Direction of the HR against the curves
--------------------------------------
Under proportional hazards ``S_0(t) = S_1(t)^HR``: with HR < 1 (the whole CI
below 1) arm 0's curve lies above arm 1's and its median is longer. Kaplan-Meier
curves may still cross, so only when *every* printed comparison (landmark pairs,
medians) orders the arms strictly the other way (rounding intervals disjoint)
is the entry inconsistent: the reference arm is probably swapped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .entries import RatioEntry
from .printed import Printed, RInterval, UnreadableValue, fmt_fraction, parse_printed
from .results import Check, Verdict

__all__ = ["TimeValue", "MedianCI", "Landmark", "parse_median", "check_median_ci", "check_median_landmarks",
           "check_monotone", "check_direction"]

PERCENT = RInterval.closed(0, 100)
AT_LEAST_HALF = RInterval.closed(50, 100)
ABOVE_HALF = RInterval(Fraction(50), Fraction(100), False, True)
AT_MOST_HALF = RInterval.closed(0, 50)

_NR = re.compile(r"^(?:NR|N\.R\.?|not\s+reached|NA|NE|not\s+estimable)$", re.IGNORECASE)
_NR_TOKEN = r"not\s+reached|not\s+estimable"
_MEDIAN_TEXT = re.compile(
    rf"^\s*(?P<m>{_NR_TOKEN}|[^\s(\[]+)\s*"
    rf"(?:[(\[]\s*(?P<lo>{_NR_TOKEN}|[^\s,;()\[\]]+?)\s*(?:-|–|—|‒|,|;|\bto\b)\s*"
    rf"(?P<hi>{_NR_TOKEN}|[^\s,;()\[\]]+)\s*[)\]])?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class TimeValue:
    """A printed time: its rounding interval, or ``None`` for "not reached" (+inf)."""

    text: str
    interval: RInterval | None

    @property
    def reached(self) -> bool:
        return self.interval is not None


@dataclass(frozen=True)
class MedianCI:
    """A printed median survival time with its optional confidence interval."""

    text: str
    median: TimeValue
    lower: TimeValue | None = None
    upper: TimeValue | None = None


@dataclass(frozen=True)
class Landmark:
    """A landmark time (exact, in the entry's time unit) and the printed
    percentage of each arm (``None`` where not printed)."""

    time: Fraction
    time_text: str
    percents: tuple[Printed | None, Printed | None]


def _time_value(tok: str, name: str) -> TimeValue:
    tok = tok.strip()
    if _NR.match(tok):
        return TimeValue(tok, None)
    pr = parse_printed(tok, name)
    if pr.relation != "=" or pr.value < 0:
        raise UnreadableValue(f"`{name}` must be a non-negative printed time or \"NR\"; got {name}={tok!r}")
    return TimeValue(tok, pr.interval.intersect(RInterval(Fraction(0), None)))


def parse_median(text: object, name: str) -> MedianCI:
    """``"24"``, ``"24 (18.1-29.9)"``, ``"NR"``, ``"not reached"``, ``"NR (18.1-NR)"``."""
    if not isinstance(text, str):
        raise UnreadableValue(f"`{name}` must be the printed median as a string such as \"24 (18.1-29.9)\" "
                              f"or \"NR\"; got {name}={text!r}")
    m = _MEDIAN_TEXT.match(text)
    if m is None:
        raise UnreadableValue(f"`{name}` must look like \"24\", \"24 (18.1-29.9)\" or \"NR\" (not reached); "
                              f"got {name}={text!r}")
    med = _time_value(m.group("m"), name)
    if m.group("lo") is None:
        return MedianCI(text, med)
    return MedianCI(text, med, _time_value(m.group("lo"), f"{name} (lower)"),
                    _time_value(m.group("hi"), f"{name} (upper)"))


# ----------------------------------------------------------------------------
# Order relations between printed intervals
# ----------------------------------------------------------------------------


def _above(a: RInterval, b: RInterval) -> bool:
    """Is every value of a strictly greater than every value of b?"""
    if a.lo is None or b.hi is None:
        return False
    return a.lo > b.hi or (a.lo == b.hi and not (a.lo_closed and b.hi_closed))


def _time_above(a: TimeValue, b: TimeValue) -> bool:
    if a.interval is None:
        return b.interval is not None
    if b.interval is None:
        return False
    return _above(a.interval, b.interval)


def _meets(a: RInterval, b: RInterval) -> bool:
    return not a.intersect(b).is_empty()


def _pct(pr: Printed) -> RInterval:
    return pr.interval.intersect(PERCENT)


# ----------------------------------------------------------------------------
# Checks
# ----------------------------------------------------------------------------


def check_median_ci(arm: str, mc: MedianCI) -> Check | None:
    """l <= m <= u for some values the printing allows (NR = +inf)."""
    if mc.lower is None or mc.upper is None:
        return None
    name = f"median within its CI ({arm})"
    lo, med, hi = mc.lower, mc.median, mc.upper
    problem = ""
    if lo.interval is None:
        if hi.interval is not None:
            problem = f"the CI's lower limit {lo.text} (not reached) is above its upper limit {hi.text}"
        elif med.interval is not None:
            problem = f"the CI's lower limit is not reached, so the median cannot be {med.text}"
    elif hi.interval is not None and _above(lo.interval, hi.interval):
        problem = f"the CI's lower limit {lo.text} exceeds its upper limit {hi.text}"
    elif med.interval is None:
        if hi.interval is not None:
            problem = f"the median is not reached but the CI's upper limit is {hi.text}"
    else:
        span = RInterval(lo.interval.lo, None if hi.interval is None else hi.interval.hi,
                         lo.interval.lo_closed, True if hi.interval is None else hi.interval.hi_closed)
        if not _meets(med.interval, span):
            problem = f"the median {med.text} lies outside its CI ({lo.text}-{hi.text}) whatever the rounding"
    if problem:
        return Check(name, Verdict.INCONSISTENT, printed=mc.text, detail=problem)
    return Check(name, Verdict.CONSISTENT, printed=mc.text,
                 detail=f"{med.text} lies within ({lo.text}-{hi.text}) for some values the rounding allows")


def check_median_landmarks(arm: str, mc: MedianCI, marks: list[tuple[Landmark, Printed]],
                           unit: str) -> Check | None:
    """The median against the same arm's landmark percentages (module docstring)."""
    if not marks:
        return None
    name = f"median vs landmarks ({arm})"
    med = mc.median
    bad: list[str] = []
    for lm, pr in marks:
        P = _pct(pr)
        t = f"{lm.time_text}{' ' + unit if unit else ''}"
        if med.interval is None:
            if not _meets(P, ABOVE_HALF):
                bad.append(f"the median is not reached, so S({t}) > 50%, but {pr.text}% is printed")
            continue
        M = med.interval
        before = _meets(M, RInterval(lm.time, None, False, False))  # some m > t
        after = _meets(M, RInterval(None, lm.time, False, True))    # some m <= t
        ok = (before and _meets(P, AT_LEAST_HALF)) or (after and _meets(P, AT_MOST_HALF))
        if not ok:
            need = ">= 50%" if before else "<= 50%"
            where = "before" if before else "at or after"
            bad.append(f"{t} is {where} the median {med.text} ({M}), so S({t}) {need}, "
                       f"but {pr.text}% is printed")
    rule = ("R's survfit median: smallest t with S(t) <= 0.5, or the midpoint of a flat stretch at "
            "exactly 0.5; both accepted")
    if bad:
        return Check(name, Verdict.INCONSISTENT, printed=mc.text, detail="; ".join(bad) + f" ({rule})",
                     data={"violations": bad})
    return Check(name, Verdict.CONSISTENT, printed=mc.text,
                 detail=f"every landmark is on the side of 50% its time requires ({rule})")


def check_monotone(arm: str, marks: list[tuple[Landmark, Printed]]) -> Check | None:
    """Landmarks in time order must allow non-increasing KM values."""
    if len(marks) < 2:
        return None
    ordered = sorted(marks, key=lambda x: x[0].time)
    bad = []
    for (l1, p1), (l2, p2) in zip(ordered, ordered[1:]):
        if l1.time < l2.time and _above(_pct(p2), _pct(p1)):
            bad.append(f"S({l2.time_text}) = {p2.text}% exceeds S({l1.time_text}) = {p1.text}%")
    name = f"KM non-increasing ({arm})"
    if bad:
        return Check(name, Verdict.INCONSISTENT, detail="a Kaplan-Meier curve never rises: " + "; ".join(bad))
    return Check(name, Verdict.CONSISTENT, detail="the landmark percentages do not increase with time")


def check_direction(hr: RatioEntry | None, arms: tuple[str, str], medians: tuple[MedianCI, MedianCI] | None,
                    landmarks: tuple[Landmark, ...]) -> Check | None:
    """The HR's direction against the order of the printed curves (module docstring)."""
    if hr is None:
        return None
    name = "HR direction vs curves"
    one = RInterval.point(1)
    below = _above(one, hr.upper.interval)
    above = _above(hr.lower.interval, one)
    txt = f"HR {hr.estimate.text} ({hr.lower.text}-{hr.upper.text})"
    if not (below or above):
        return Check(name, Verdict.NOT_APPLICABLE, printed=txt,
                     detail="the HR's CI does not exclude 1: no direction to compare")
    better = 0 if below else 1  # the arm whose curve should lie above
    agree: list[str] = []
    disagree: list[str] = []
    neutral: list[str] = []

    def compare(pair: tuple[Any, Any], above: Any, s: str) -> None:
        """File one printed comparison: the expected arm strictly above, strictly below, or neither."""
        (agree if above(pair[better], pair[1 - better])
         else disagree if above(pair[1 - better], pair[better]) else neutral).append(s)
    for lm in landmarks:
        p0, p1 = lm.percents
        if p0 is not None and p1 is not None:
            compare((_pct(p0), _pct(p1)), _above, f"at {lm.time_text}: {p0.text}% vs {p1.text}%")
    if medians is not None:
        m = (medians[0].median, medians[1].median)
        compare(m, _time_above, f"medians {m[0].text} vs {m[1].text}")
    n = len(agree) + len(disagree) + len(neutral)
    expect = (f"{txt} of {arms[0]} vs {arms[1]} says {arms[better]}'s curve lies above "
              f"(proportional hazards: S_0 = S_1^HR)")
    data: dict[str, object] = {"agree": agree, "disagree": disagree, "neutral": len(neutral)}
    if disagree:
        data["note"] = "the curves cross" if agree else "some comparisons reversed, the others within rounding"
    if n == 0:
        return Check(name, Verdict.NOT_APPLICABLE, printed=txt, detail="no pair of landmarks or medians to compare")
    if disagree and len(disagree) == n:
        return Check(name, Verdict.INCONSISTENT, printed=txt, data=data,
                     detail=(f"{expect}, but every printed comparison orders the arms the other way "
                             f"({'; '.join(disagree)}): the reference arm is probably swapped"))
    if disagree and agree:
        return Check(name, Verdict.CONSISTENT, printed=txt, data=data,
                     detail=(f"{expect}; some comparisons agree ({'; '.join(agree)}) and some do not "
                             f"({'; '.join(disagree)}): the curves cross"))
    if disagree:
        return Check(name, Verdict.CONSISTENT, printed=txt, data=data,
                     detail=(f"{expect}; {'; '.join(disagree)} orders them the other way, the other "
                             "comparisons are within rounding of each other (the curves may cross)"))
    return Check(name, Verdict.CONSISTENT, printed=txt, data=data,
                 detail=f"{expect}; the printed curves agree" + (f" ({'; '.join(agree)})" if agree else ""))


def fmt_time(t: Fraction) -> str:
    return fmt_fraction(t, digits=8)
