"""SPSS's "Means and Medians for Survival Time" (pyimpl.survival.spss_km): hand-computed
closed forms for every part, bad arguments, and the R-checkable parts (the mean and its
standard error) against R's print(survfit, rmean = "individual")."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from pyimpl.survival import survfit
from pyimpl.survival.spss_km import spss_km_table
from rparity_contract.errors import InvalidArgument

Z = 1.959963984540054  # qnorm(0.975)


def test_uncensored_one_to_ten_closed_forms():
    tab = spss_km_table(survfit(np.arange(1.0, 11), np.ones(10)))
    # mean: area under the curve = sum of the times / n; var = sum (x - mean)^2 / n^2 without censoring
    assert tab.mean == pytest.approx(5.5, rel=1e-14)
    assert tab.mean_se == pytest.approx(math.sqrt(82.5 / 100), rel=1e-14)
    assert (tab.mean_lower, tab.mean_upper) == pytest.approx((5.5 - Z * tab.mean_se, 5.5 + Z * tab.mean_se))
    assert not tab.mean_limited and tab.end_time == 10
    # median: min{t : S(t) <= 0.5} = 5 (S = 0.5 exactly on [5, 6); R prints the midpoint 5.5)
    assert tab.median == 5.0
    # Collett: u = 4 (S = 0.6 >= 0.55), l = 6 (S = 0.4 <= 0.45), f = 0.2 / 2; se(S(5)) = sqrt(0.5 * 0.5 / 10)
    assert (tab.u, tab.l) == (4.0, 6.0)
    assert tab.density == pytest.approx(0.1, rel=1e-14)
    assert tab.median_se == pytest.approx(math.sqrt(0.025) / 0.1, rel=1e-13)
    assert (tab.median_lower, tab.median_upper) == pytest.approx((5 - Z * tab.median_se, 5 + Z * tab.median_se),
                                                                  rel=1e-14)


def test_censored_closed_forms():
    t = [1, 2, 2, 3, 4, 5, 6, 7, 8, 9.0]
    d = [1, 1, 0, 1, 1, 0, 1, 1, 0, 0]
    tab = spss_km_table(survfit(t, d))
    # S: 0.9, 0.8 (t=2, n=9), 0.8*6/7 (t=3), *5/6 (t=4), *3/4 (t=6), *2/3 (t=7); last time censored
    s3, s4 = 0.8 * 6 / 7, 0.8 * 6 / 7 * 5 / 6
    s6, s7 = s4 * 3 / 4, s4 * 3 / 4 * 2 / 3
    assert tab.mean == pytest.approx(1 + 0.9 + 0.8 + s3 + 2 * s4 + s6 + 2 * s7, rel=1e-14)
    assert tab.mean_limited and tab.end_time == 9.0
    assert tab.median == 6.0
    assert (tab.u, tab.l) == (4.0, 6.0)
    assert tab.density == pytest.approx((s4 - s6) / 2, rel=1e-13)
    greenwood = 1 / (10 * 9) + 1 / (9 * 8) + 1 / (7 * 6) + 1 / (6 * 5) + 1 / (4 * 3)
    assert tab.median_se == pytest.approx(s6 * math.sqrt(greenwood) / ((s4 - s6) / 2), rel=1e-13)
    assert tab.median_upper - tab.median == pytest.approx(tab.median - tab.median_lower, rel=1e-14)


def test_the_origin_serves_as_u_when_no_death_time_is_above_055():
    tab = spss_km_table(survfit([1.0, 2.0], [1, 1]))  # S = 0.5 at 1, 0 at 2
    assert tab.median == 1.0 and (tab.u, tab.l) == (0.0, 2.0)
    assert tab.density == pytest.approx(0.5)
    assert tab.median_se == pytest.approx(math.sqrt(0.25 / 2) / 0.5, rel=1e-14)


def test_median_not_reached_and_se_not_estimable():
    tab = spss_km_table(survfit([1.0, 2, 3, 4], [1, 0, 0, 0]))
    assert math.isnan(tab.median) and math.isnan(tab.median_se) and math.isnan(tab.median_lower)
    assert not math.isnan(tab.mean) and tab.mean_limited
    # the curve reaches 0.5 but never 0.45 at a death time: the median exists, its SE does not
    tab = spss_km_table(survfit([1.0, 2, 3, 4], [1, 1, 0, 0]))
    assert tab.median == 2.0 and math.isnan(tab.median_se) and math.isnan(tab.l)


def test_conf_int_sets_z():
    fit = survfit(np.arange(1.0, 11), np.ones(10))
    tab = spss_km_table(fit, 0.9)
    assert tab.median_upper - tab.median == pytest.approx(1.6448536269514729 * tab.median_se, rel=1e-14)


def _bad_fits():
    fit = survfit([1.0, 2, 3], [1, 1, 0])
    return fit, dataclasses.replace(fit, strata=("g=1", "g=1", "g=2"), strata_n=(2, 1)), \
        dataclasses.replace(fit, counting=True)


@pytest.mark.parametrize("which, conf_int, kind, match", [
    ("none", 0.95, "fit.type", r"`fit` must be a SurvFit"),
    ("strata", 0.95, "argument.value", r"`fit` must be one curve"),
    ("counting", 0.95, "argument.value", r"right-censored"),
    ("ok", 0.0, "conf_int.value", r"`conf_int` must be a level strictly between 0 and 1; got conf_int=0.0"),
    ("ok", 1, "conf_int.value", r"conf_int=1"),
    ("ok", True, "conf_int.value", r"conf_int=True"),
    ("ok", "0.95", "conf_int.value", r"conf_int='0.95'"),
])
def test_bad_arguments(which, conf_int, kind, match):
    fit, strata, counting = _bad_fits()
    arg = {"none": {"time": [1]}, "strata": strata, "counting": counting, "ok": fit}[which]
    with pytest.raises(InvalidArgument, match=match) as err:
        spss_km_table(arg, conf_int)
    assert err.value.kind == kind


def _r_rmean(t, d) -> tuple[float, float, float]:
    """R: summary(survfit(Surv(t, d) ~ 1), rmean = "individual")$table: rmean, se(rmean), median."""
    import rbridge

    with rbridge.exclusive_r():
        import rpy2.robjects as ro

        fn = ro.r("""function(t, d) {
            tab <- summary(survival::survfit(survival::Surv(t, d) ~ 1), rmean = "individual")$table
            c(tab[["rmean"]], tab[["se(rmean)"]], tab[["median"]]) }""")
        out = fn(ro.FloatVector(t), ro.FloatVector(d))
        return float(out[0]), float(out[1]), float(out[2])


@pytest.mark.r
@pytest.mark.parametrize("seed, n, ties", [(1, 12, False), (2, 40, True), (3, 80, True), (4, 7, False),
                                           (5, 150, True), (6, 25, True)])
def test_mean_and_its_se_are_r_rmean_individual(seed, n, ties):
    rng = np.random.default_rng(seed)
    t = rng.exponential(10, n)
    if ties:
        t = np.ceil(t)
    d = (rng.uniform(size=n) < 0.7).astype(float)
    d[np.argmax(t)] = float(seed % 2)  # the largest time censored in half the cases
    tab = spss_km_table(survfit(t, d))
    r_mean, r_se, r_median = _r_rmean(t, d)
    assert tab.mean == pytest.approx(r_mean, rel=1e-12)
    assert tab.mean_se == pytest.approx(r_se, rel=1e-12)
    # the medians agree except where the curve is exactly 0.5 over a stretch (R's midpoint)
    fit = survfit(t, d)
    flat = np.isclose(fit.surv, 0.5, rtol=0, atol=1e-12).any()
    if not flat and not math.isnan(r_median):
        assert tab.median == r_median


@pytest.mark.r
def test_median_differs_from_r_only_on_a_flat_stretch_at_one_half():
    t = np.arange(1.0, 11)
    r_mean, r_se, r_median = _r_rmean(t, np.ones(10))
    tab = spss_km_table(survfit(t, np.ones(10)))
    assert (r_median, tab.median) == (5.5, 5.0)
    assert (tab.mean, tab.mean_se) == pytest.approx((r_mean, r_se), rel=1e-14)
