"""Survival comparisons (rparity.audit.survival, survival_logrank, survival_curves).

The score/Wald bound is tested on data sets fitted with pyimpl's coxph and
survdiff (R survival 3.5 ports), on R literals (the R call beside each), and
through the audit on rounded summaries of simulated data; the curve checks on
hand cases and planted errors; bad input on one table."""
from __future__ import annotations

import math
import warnings
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

import pyimpl
from rparity.audit import Verdict, audit
from rparity.audit.entries import RatioEntry, TableSpec
from rparity.audit.printed import parse_printed
from rparity.audit.survival_curves import parse_median
from rparity.audit.survival_logrank import logrank_bound, score_over_wald

ARMS = ["Surgery", "Immuno"]


def run(entry: dict, **table):
    t = {"id": "t", "arms": ARMS, "n": [60, 59], "survival": [entry], **table}
    return audit({"tables": [t]}).entries


def surv(entry: dict, **table):
    return next(e for e in run(entry, **table) if e.kind == "survival")


def check_named(res, prefix: str):
    return next(c for c in res.checks if c.name.startswith(prefix))


def base(**kw) -> dict:
    e = {"label": "OS", "arms": ARMS, "time_unit": "months"}
    e.update(kw)
    return e


def fmt(x: float, places: int) -> str:
    return str(Decimal(x).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN))


def hr_entry(text: str) -> RatioEntry:
    est, rest = text.split(" (")
    lo, hi = rest.rstrip(")").split("-")
    return RatioEntry(table=TableSpec("t"), row="r", estimate=parse_printed(est, "e"), lower=parse_printed(lo, "l"),
                      upper=parse_printed(hi, "u"), p=None, measure="HR", conf_level=Fraction(95, 100))


# ----------------------------------------------------------------------------
# The bound: closed forms
# ----------------------------------------------------------------------------


def test_score_over_wald_closed_forms():
    # a -> 0: 1 -+ a/4 + O(a^2); a = 2 ln 2: 2(1 - 1/2)/a and 2(2 - 1)/a
    lo, hi = score_over_wald(1e-6)
    assert lo == pytest.approx(1 - 0.25e-6, abs=1e-12) and hi == pytest.approx(1 + 0.25e-6, abs=1e-12)
    a = 2 * math.log(2)
    assert score_over_wald(a) == pytest.approx((1 / a, 2 / a))
    assert score_over_wald(0) == (1.0, 1.0)
    # the bounds of the brief, from bounding U(0) and I(0) separately, contain them
    for a in (0.1, 1.0, 3.0):
        lo, hi = score_over_wald(a)
        assert (1 - math.exp(-a)) * math.exp(-a / 2) / a <= lo and hi <= math.expm1(a) * math.exp(a / 2) / a


def test_bound_for_hr_2_ci_1_4():
    # SE = (ln 4 - ln 1)/(2 z_c) = ln 2 / z_c, a = ln 2: the score z lies in
    # [2(1 - 2^-1/2) z_c / ln 2, 2(2^1/2 - 1) z_c / ln 2] for z_c in [1.959964, 1.96]
    b = logrank_bound(hr_entry("2.000 (1.000-4.000)"))
    for zc in (1.959963984540054, 1.96):
        se = math.log(2) / zc
        assert b.se.lo <= se <= b.se.hi
        assert b.z.lo <= 2 * (1 - 2 ** -0.5) / se and 2 * (2 ** 0.5 - 1) / se <= b.z.hi
    assert b.z.lo == pytest.approx(2 * (1 - 2 ** -0.5) * 1.959964 / math.log(2), rel=2e-3)
    assert b.z.hi == pytest.approx(2 * (2 ** 0.5 - 1) * 1.96 / math.log(2), rel=2e-3)
    assert b.p_one.lo == 0 and b.p_one.hi == b.p_two.hi


def test_bound_with_hr_near_one_allows_p_one():
    b = logrank_bound(hr_entry("1.00 (0.50-2.00)"))
    assert b.z.lo == 0 and b.p_two.hi == 1


# ----------------------------------------------------------------------------
# The bound on data: pyimpl (R survival ports) and R literals
# ----------------------------------------------------------------------------


def _fit(t, e, g, ties):
    f = pyimpl.coxph(pd.DataFrame({"g": g}), t, e, ties=ties)
    return float(f.coef[0]), math.sqrt(float(f.var[0][0]))


def _datasets(seed: int, tied: bool, count: int):
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < count:
        n = int(rng.integers(4, 70))
        g = (rng.uniform(size=n) < rng.uniform(0.05, 0.95)).astype(int)
        if g.sum() in (0, n):
            continue
        hr = math.exp(rng.normal(0, 1.5))  # up to extreme effects
        t = rng.exponential(1, n) / np.where(g == 1, hr, 1)
        c = rng.exponential(rng.uniform(0.2, 5), n)  # light to heavy censoring
        e = (t <= c).astype(int)
        tt = np.minimum(t, c)
        if tied:
            tt = np.ceil(tt * rng.choice([1, 2, 4]))
        if e.sum() == 0:
            continue
        out.append((tt, e, g))
    return out


def _ratios(data, ties):
    """(a, z_logrank / z_wald) per data set, skipping fits that do not converge."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for t, e, g in data:
            try:
                zl = math.sqrt(pyimpl.survdiff(t, e, g).chisq)
                b, se = _fit(t, e, g, ties)
            except Exception:  # singular survdiff (one arm without subjects at risk), no convergence
                continue
            a = abs(b)
            if 1e-8 < a < 12 and math.isfinite(se):
                yield a, zl / (a / se)


@pytest.mark.parametrize("ties", ["efron", "breslow", "exact"])
def test_bound_holds_without_ties(ties):
    n = 0
    for a, r in _ratios(_datasets(11, tied=False, count=80), ties):
        lo, hi = score_over_wald(a)
        assert lo * (1 - 1e-7) <= r <= hi * (1 + 1e-7), (a, r, lo, hi)
        n += 1
    assert n > 50


def test_bound_with_ties_exact_two_sided_breslow_lower_only():
    data = _datasets(12, tied=True, count=120)
    for a, r in _ratios(data, "exact"):
        lo, hi = score_over_wald(a)
        assert lo * (1 - 1e-7) <= r <= hi * (1 + 1e-7)
    above = 0
    for a, r in _ratios(data, "breslow"):
        lo, hi = score_over_wald(a)
        assert lo * (1 - 1e-7) <= r
        above += r > hi
    assert above > 0  # the upper side fails with ties: it is not applied


def test_efron_with_ties_breaks_the_lower_bound():
    # R: t <- c(2,3,3,1,2,2,2,1,1,2,1,2); s <- c(1,0,1,1,1,1,0,0,1,1,0,1); g <- rep(0:1, 6)
    #    coxph(Surv(t, s) ~ g) -> coef 0.104404545437653, se 0.708820342203416 (Efron)
    #    coxph(..., ties = "breslow") -> coef 0;  survdiff(Surv(t, s) ~ g)$chisq -> 0
    t = [2, 3, 3, 1, 2, 2, 2, 1, 1, 2, 1, 2]
    s = [1, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1]
    g = [0, 1] * 6
    b, se = _fit(np.array(t, float), np.array(s), np.array(g), "efron")
    assert b == pytest.approx(0.104404545437653, rel=1e-8) and se == pytest.approx(0.708820342203416, rel=1e-8)
    assert pyimpl.survdiff(np.array(t, float), np.array(s), np.array(g)).chisq == pytest.approx(0, abs=1e-12)
    # the log-rank z is 0 while Efron's Wald z is not: no lower bound for Efron with ties


def test_bound_on_r_aml():
    # R: coxph(Surv(time, status) ~ x, aml, ties = m); survdiff(Surv(time, status) ~ x, aml)$chisq
    chisq = 3.3963886989776
    fits = {"breslow": (0.9042197236857, 0.512247907304151), "efron": (0.915532575014718, 0.511934275172005),
            "exact": (0.921760869158881, 0.516248400809654)}
    zl = math.sqrt(chisq)
    for m, (b, se) in fits.items():
        lo, hi = score_over_wald(b)
        r = zl / (b / se)
        assert lo <= r, m
        if m == "exact":
            assert r <= hi


def test_rounded_summaries_of_untied_data_are_consistent():
    """Data generated, fitted, rounded as a paper prints them: never inconsistent."""
    checked = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for t, e, g in _datasets(13, tied=False, count=60):
            try:
                p = pyimpl.survdiff(t, e, 1 - g).pvalue
                b, se = _fit(t, e, g, "efron")
            except Exception:
                continue
            if not (abs(b) < 6 and math.isfinite(se)):
                continue
            hr = f"{fmt(math.exp(b), 2)} ({fmt(math.exp(b - 1.96 * se), 2)}-{fmt(math.exp(b + 1.96 * se), 2)})"
            if Decimal(hr.split("(")[1].split("-")[0]) == 0:
                continue
            lr = "<0.001" if p < 0.001 else fmt(p, 3)
            res = surv({"arms": ["a", "b"], "hr": hr, "logrank_p": lr, "ties": False}, arms=[], n=[])
            c = check_named(res, "log-rank")
            assert c.verdict is Verdict.CONSISTENT, (hr, lr, c.detail)
            checked += 1
    assert checked > 30


# ----------------------------------------------------------------------------
# Check 1 through the audit: planted errors and ties
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("ties, verdict", [
    (False, Verdict.INCONSISTENT), ("exact", Verdict.INCONSISTENT), ("breslow", Verdict.INCONSISTENT),
    (True, Verdict.CANNOT_TELL), ("efron", Verdict.CANNOT_TELL)])
def test_logrank_p_far_above_the_bound(ties, verdict):
    # HR 0.35 (0.20-0.61): SE ~ 0.285, a ~ 1.05, score z >= 2(1 - e^-0.525)/0.293 ~ 2.76, p <= 0.0058
    res = surv(base(hr="0.35 (0.20-0.61)", logrank_p="0.45", ties=ties))
    assert check_named(res, "log-rank").verdict is verdict


@pytest.mark.parametrize("ties, verdict", [
    (False, Verdict.INCONSISTENT), ("exact", Verdict.INCONSISTENT), ("efron", Verdict.CANNOT_TELL),
    ("breslow", Verdict.CONSISTENT), (True, Verdict.CONSISTENT)])
def test_logrank_p_far_below_the_bound(ties, verdict):
    # HR 0.95 (0.60-1.50): z_w ~ 0.22, score z <= ~0.23: p >= 0.8 without ties; ties can make it smaller
    res = surv(base(hr="0.95 (0.60-1.50)", logrank_p="<0.001", ties=ties))
    assert check_named(res, "log-rank").verdict is verdict


def test_logrank_adjusted_hr_is_not_applicable():
    res = surv(base(hr="0.35 (0.20-0.61)", logrank_p="0.45", hr_adjusted=True, ties=False))
    c = check_named(res, "log-rank")
    assert c.verdict is Verdict.NOT_APPLICABLE and "adjusted" in c.detail


def test_hr_gets_the_ratio_checks():
    entries = run(base(hr="0.35 (0.10-0.61)", hr_p="0.001"))
    ratio = next(e for e in entries if e.kind == "ratio")
    assert ratio.verdict is Verdict.INCONSISTENT and ratio.label == "OS: HR Surgery vs Immuno"


# ----------------------------------------------------------------------------
# Medians and landmarks
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("text, med, lo, hi", [
    ("24", "24", None, None), ("NR", None, None, None), ("not reached", None, None, None),
    ("24 (18.1-29.9)", "24", "18.1", "29.9"), ("24 [18.1, 29.9]", "24", "18.1", "29.9"),
    ("24 (18.1 to 29.9)", "24", "18.1", "29.9"), ("24 (18.1–NR)", "24", "18.1", None),
    ("NR (18.1-not reached)", None, "18.1", None), ("NA (20.5-NA)", None, "20.5", None)])
def test_parse_median(text, med, lo, hi):
    m = parse_median(text, "m")
    assert (m.median.text if m.median.reached else None) == med
    if lo is not None:
        assert m.lower.text == lo and (m.upper.text if m.upper.reached else None) == hi


@pytest.mark.parametrize("medians, landmarks, verdict", [
    # median 24: a landmark at 12 months needs S >= 50%, one at 36 months S <= 50%
    (["24", "30"], [(12, ["60.0", "70.0"]), (36, ["40.0", "45.0"])], Verdict.CONSISTENT),
    (["24", "30"], [(12, ["40.0", "70.0"])], Verdict.INCONSISTENT),
    (["24", "30"], [(36, ["60.0", "40.0"])], Verdict.INCONSISTENT),
    # landmark inside the median's rounding interval [23.5, 24.5]: either side
    (["24", "30"], [(24, ["30.0", "70.0"])], Verdict.CONSISTENT),
    # exactly 50%: allowed before the median (R's midpoint rule) and after it
    (["24", "30"], [(12, ["50.0", "70.0"]), (36, ["50.0", "40.0"])], Verdict.CONSISTENT),
    # not reached: every landmark above 50%
    (["NR", "30"], [(36, ["51.0", "40.0"])], Verdict.CONSISTENT),
    (["NR", "30"], [(36, ["45.0", "40.0"])], Verdict.INCONSISTENT),
    (["NR", "30"], [(36, ["50", "40.0"])], Verdict.CONSISTENT),   # "50" allows 50.4
    (["NR", "30"], [(36, ["50.0", "40.0"])], Verdict.CONSISTENT),  # allows 50.04
])
def test_median_vs_landmarks(medians, landmarks, verdict):
    lms = [{"time": t, "percents": p} for t, p in landmarks]
    res = surv(base(medians=medians, landmarks=lms))
    got = [c.verdict for c in res.checks if c.name.startswith("median vs landmarks")]
    assert (Verdict.INCONSISTENT if Verdict.INCONSISTENT in got else Verdict.CONSISTENT) is verdict


def test_not_reached_needs_strictly_above_half():
    res = surv(base(medians=["NR", "30"], landmarks=[{"time": 36, "percents": ["49.9", "40.0"]}]))
    assert check_named(res, "median vs landmarks (Surgery)").verdict is Verdict.INCONSISTENT


@pytest.mark.parametrize("median, verdict", [
    ("24 (18.1-29.9)", Verdict.CONSISTENT), ("31 (18.1-29.9)", Verdict.INCONSISTENT),
    ("30 (18.1-29.9)", Verdict.CONSISTENT),  # [29.5, 30.5] meets [29.85, 29.95]
    ("24 (29.9-18.1)", Verdict.INCONSISTENT), ("24 (18.1-NR)", Verdict.CONSISTENT),
    ("NR (18.1-NR)", Verdict.CONSISTENT), ("NR (18.1-29.9)", Verdict.INCONSISTENT),
    ("24 (NR-NR)", Verdict.INCONSISTENT), ("10 (18.1-29.9)", Verdict.INCONSISTENT)])
def test_median_within_its_ci(median, verdict):
    res = surv(base(medians=[median, "30"]))
    assert check_named(res, "median within its CI (Surgery)").verdict is verdict


def test_km_never_increases():
    res = surv(base(landmarks=[{"time": 24, "percents": ["60.0", "40.0"]},
                                {"time": 12, "percents": ["50.0", "45.0"]}]))
    assert check_named(res, "KM non-increasing (Surgery)").verdict is Verdict.INCONSISTENT
    assert check_named(res, "KM non-increasing (Immuno)").verdict is Verdict.CONSISTENT


def _km(times, events):
    """KM curve as (event time, S after it), untied times (an independent few lines)."""
    order = np.argsort(times)
    n, s, out = len(times), Fraction(1), []
    for k, i in enumerate(order):
        if events[i]:
            s *= Fraction(n - k - 1, n - k)
            out.append((float(times[i]), s))
    return out


def test_km_summaries_of_simulated_arms_are_consistent():
    """Medians (smallest t with S <= 0.5) and landmarks of simulated arms, rounded to one decimal."""
    rng = np.random.default_rng(5)
    for _ in range(60):
        arms = []
        for _arm in range(2):
            n = int(rng.integers(8, 60))
            t = rng.exponential(rng.uniform(5, 40), n)
            c = rng.uniform(10, 80, n)
            arms.append((n, _km(np.minimum(t, c), t <= c)))
        grid = sorted(set(int(x) for x in rng.uniform(1, 40, 3)))
        meds, lms = [], []
        for n, curve in arms:
            m = next((tm for tm, s in curve if s <= Fraction(1, 2)), None)
            meds.append("NR" if m is None else fmt(m, 1))
        for g in grid:
            pcts = []
            for n, curve in arms:
                s = next((s for tm, s in reversed(curve) if tm <= g), Fraction(1))
                pcts.append(fmt(float(100 * s), 1))
            lms.append({"time": g, "percents": pcts})
        entries = run({"arms": ["a", "b"], "n": [arms[0][0], arms[1][0]], "medians": meds, "landmarks": lms},
                      arms=[], n=[])
        for e in entries:
            assert e.verdict in (Verdict.CONSISTENT, Verdict.CANNOT_TELL), (meds, lms, e.message)


# ----------------------------------------------------------------------------
# Direction
# ----------------------------------------------------------------------------


def test_swapped_arms_are_caught():
    res = surv(base(hr="0.35 (0.20-0.61)", medians=["24", "NR"],
                    landmarks=[{"time": 12, "percents": ["59.3", "80.0"]}, {"time": 24, "percents": ["50.3", "71.7"]}]))
    c = check_named(res, "HR direction")
    assert c.verdict is Verdict.INCONSISTENT and "swapped" in c.detail
    assert res.verdict is Verdict.INCONSISTENT


def test_crossing_curves_are_consistent():
    res = surv(base(hr="0.35 (0.20-0.61)",
                    landmarks=[{"time": 6, "percents": ["85.0", "90.0"]}, {"time": 24, "percents": ["60.0", "40.0"]}]))
    c = check_named(res, "HR direction")
    assert c.verdict is Verdict.CONSISTENT and "cross" in c.detail


def test_direction_not_applicable_when_ci_contains_one():
    res = surv(base(hr="0.80 (0.50-1.00)", landmarks=[{"time": 12, "percents": ["50.0", "80.0"]}]))
    assert check_named(res, "HR direction").verdict is Verdict.NOT_APPLICABLE


def test_hr_above_one_expects_the_reference_arm_above():
    ok = surv(base(hr="2.10 (1.30-3.40)", landmarks=[{"time": 12, "percents": ["50.0", "80.0"]}]))
    bad = surv(base(hr="2.10 (1.30-3.40)", landmarks=[{"time": 12, "percents": ["80.0", "50.0"]}]))
    assert check_named(ok, "HR direction").verdict is Verdict.CONSISTENT
    assert check_named(bad, "HR direction").verdict is Verdict.INCONSISTENT


# ----------------------------------------------------------------------------
# Landmark entries and bad input
# ----------------------------------------------------------------------------


def test_landmarks_become_km_landmark_entries():
    entries = run(base(landmarks=[{"time": 12, "percents": ["99.5", "59.3"]}]))
    lm = [e for e in entries if e.kind == "landmark"]
    assert [e.label for e in lm] == ["OS: Surgery at 12 months", "OS: Immuno at 12 months"]
    assert lm[0].verdict is Verdict.INCONSISTENT  # no KM value of 60 lies in (59/60, 1)
    assert lm[1].verdict is Verdict.CONSISTENT


def test_arm_sizes_from_the_entry():
    entries = run({"arms": ["x", "y"], "n": [10, 12], "landmarks": [{"time": 1, "percents": ["90.0", ""]}]})
    assert [e.label for e in entries if e.kind == "landmark"] == ["x vs y: x at 1"]


def test_nothing_to_check_is_cannot_tell():
    res = surv(base(logrank_p="0.03"))
    assert res.verdict is Verdict.CANNOT_TELL and "nothing" in res.message


BAD = [
    ({"medians": ["24 (18.1", "30"]}, r"`medians\[0\]` must look like"),
    ({"medians": ["24"]}, r"`medians` must give one printed median per arm"),
    ({"medians": [24, "30"]}, r"`medians\[0\]` must be the printed median as a string"),
    ({"landmarks": [{"time": "one year", "percents": ["80.0", "59.3"]}]}, r"`landmarks\[0\]\.time` must be a number"),
    ({"landmarks": [{"time": 12, "percents": ["80.0"]}]}, r"`landmarks\[0\]\.percents` must give one"),
    ({"landmarks": [{"time": 12, "percents": ["80.0", "59.3"], "n_risk": 3}]}, r"unknown field"),
    ({"landmarks": [{"time": -1, "percents": ["80.0", "59.3"]}]}, r"must not be negative"),
    ({"landmarks": [{"time": 12, "percents": ["8O.0", "59.3"]}]}, r"percents\[0\]"),
    ({"arms": ["Surgery", "Chemo"]}, r"`arms\[1\]` must be one of the table's arms"),
    ({"arms": ["Surgery"]}, r"`arms` must name the two"),
    ({"n": [60]}, r"`n` must give the sizes of the two arms"),
    ({"n": [61, 59]}, r"disagrees with the table's n = 60"),
    ({"ties": "maybe"}, r"`ties` must be true"),
    ({"hr": "0.35"}, r"`hr` must look like"),
    ({"hr": "0.61 (0.35-0.20)"}, r"lower bound exceeds"),
    ({"hr_p": "0.01"}, r"`hr_p` needs `hr`"),
    ({"hr": "0.35 (0.20-0.61)", "hr_adjusted": "no"}, r"`hr_adjusted` must be true or false"),
    ({"logrank_p": 0.001}, r"`logrank_p` must be the printed text as a string"),
    ({"pvalue": "0.01"}, r"unknown field\(s\) \['pvalue'\]"),
]


@pytest.mark.parametrize("fields, match", BAD)
def test_bad_input_is_unreadable(fields, match):
    entries = run(base(**fields))
    assert len(entries) == 1
    assert entries[0].verdict is Verdict.UNREADABLE
    import re
    assert re.search(match, entries[0].message), entries[0].message


def test_landmarks_need_arm_sizes():
    t = {"id": "t", "survival": [{"arms": ["a", "b"], "landmarks": [{"time": 1, "percents": ["90", "80"]}]}]}
    e = audit({"tables": [t]}).entries[0]
    assert e.verdict is Verdict.UNREADABLE and "arm sizes" in e.message


def test_example_file():
    from pathlib import Path

    from rparity.audit import audit_file

    r = audit_file(Path(__file__).parents[2] / "examples/audit/survival.toml")
    assert r.exit_status == 1
    for e in r.entries:
        if e.kind == "survival":
            related = [x.verdict for x in r.entries if x.label.split(":")[0] == e.label]
            if e.label.endswith("-inconsistent"):
                assert Verdict.INCONSISTENT in related, e.label
            else:
                assert Verdict.INCONSISTENT not in related, e.label


def test_own_entries_false_audits_the_hr_and_landmarks_only_here():
    from rparity.audit import audit

    row = {"label": "OS", "arms": ["A", "B"], "n": [20, 20], "logrank_p": "0.02",
           "hr": "2.00 (1.11-3.60)", "landmarks": [{"time": 12, "percents": ["50.0", "70.0"]}]}
    kinds = [e.kind for e in audit({"tables": [{"id": "t", "survival": [row]}]}).entries]
    assert sorted(kinds) == ["landmark", "landmark", "ratio", "survival"]
    kinds = [e.kind for e in audit({"tables": [{"id": "t", "survival": [{**row, "own_entries": False}]}]}).entries]
    assert kinds == ["survival"]
    rep = audit({"tables": [{"id": "t", "survival": [{**row, "own_entries": "no"}]}]})
    assert rep.entries[0].verdict.value == "unreadable" and "own_entries" in rep.entries[0].message
