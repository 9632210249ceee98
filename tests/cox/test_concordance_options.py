"""concordance(fit, influence=, keepstrata=): each row's counts by the pair
definition, each stratum's counts summing to the totals, the dfbeta whose
sum of squares is the variance, R's reading of the arguments, and live R."""
from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest

import pyimpl
from fixtures import load
from rparity_contract.errors import InvalidArgument


def _pairs_by_definition(t, d, x, s):
    """Each row's (concordant, discordant, tied.x, tied.y, tied.xy) pairs of a
    Cox fit (reverse: concordant when the earlier event has the larger x)."""
    n = t.size
    imat = np.zeros((n, 5))
    for i, j in itertools.permutations(range(n), 2):
        if s[i] != s[j] or not d[i]:
            continue
        if t[j] > t[i] or (t[j] == t[i] and not d[j]):  # j at risk when i has its event
            k = 0 if x[i] > x[j] else (1 if x[i] < x[j] else 2)
            imat[i, k] += 1
            imat[j, k] += 1
        elif t[j] == t[i] and d[j] and i < j:  # two events at one time
            k = 4 if x[i] == x[j] else 3
            imat[i, k] += 1
            imat[j, k] += 1
    return imat


def _small():
    rng = np.random.default_rng(7)
    n = 40
    return pd.DataFrame({"time": rng.integers(1, 12, n).astype(float), "status": rng.integers(0, 2, n),
                         "x": rng.integers(0, 4, n).astype(float), "g": rng.integers(0, 2, n)})


def test_influence_rows_are_the_pair_counts_by_definition():
    d = _small()
    fit = pyimpl.coxph("Surv(time, status) ~ x + strata(g)", data=d)
    c = pyimpl.concordance(fit, influence=2)
    want = _pairs_by_definition(d["time"].to_numpy(), d["status"].to_numpy() == 1, fit.linear_predictors,
                                d["g"].to_numpy())
    np.testing.assert_allclose(c.influence, want, atol=1e-12)
    # each pair is counted once in the totals and twice over the rows
    totals = np.array([c.concordant, c.discordant, c.tied_x, c.tied_y, c.tied_xy])
    np.testing.assert_allclose(c.influence.sum(axis=0), 2 * totals)


def test_strata_counts_sum_to_the_totals_and_dfbeta_gives_the_variance():
    lung = load("lung")
    fit = pyimpl.coxph("Surv(time, status) ~ age + sex + strata(ph.ecog)", data=lung)
    c = pyimpl.concordance(fit, influence=1, keepstrata=True)
    assert c.count_strata.shape == (4, 5)
    np.testing.assert_allclose(c.count_strata.sum(axis=0),
                               [c.concordant, c.discordant, c.tied_x, c.tied_y, c.tied_xy])
    assert np.sum(c.dfbeta ** 2) == pytest.approx(c.std ** 2, rel=1e-12)
    assert pyimpl.concordance(fit, keepstrata=3).count_strata is None  # four strata: more than 3
    assert pyimpl.concordance(fit, keepstrata=False).count_strata is None


def test_r_reading_of_influence():
    fit = pyimpl.coxph("Surv(time, status) ~ age", data=load("lung"))
    five = pyimpl.concordance(fit, influence=5)  # R: influence >= 2 -> the matrix; not 1 or 3 -> no dfbeta
    assert five.influence is not None and five.dfbeta is None
    assert pyimpl.concordance(fit, influence=True).dfbeta is not None
    with pytest.raises(InvalidArgument):
        pyimpl.concordance(fit, keepstrata="yes")


@pytest.mark.r
@pytest.mark.parametrize("seed", range(3))
def test_concordance_options_against_r(seed):
    import rbridge

    rng = np.random.default_rng(seed)
    n = 150
    start = rng.integers(0, 5, n).astype(float)
    d = pd.DataFrame({"start": start, "stop": start + rng.integers(1, 9, n), "event": rng.integers(0, 2, n),
                      "x": rng.normal(size=n).round(1), "s": rng.integers(0, 3, n), "w": rng.integers(1, 4, n),
                      "cl": rng.integers(0, 12, n)})
    for f in ("Surv(stop, event) ~ x + strata(s)", "Surv(start, stop, event) ~ x + strata(s)"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = pyimpl.coxph(f, data=d, weights="w", cluster="cl")
            b = rbridge.coxph(f, data=d, weights="w", cluster="cl")
        ca, cb = pyimpl.concordance(a, influence=3), rbridge.concordance(b, influence=3)
        np.testing.assert_allclose(ca.count_strata, cb.count_strata, rtol=1e-13)
        np.testing.assert_allclose(ca.influence, cb.influence, rtol=1e-13, atol=1e-12)
        np.testing.assert_allclose(ca.dfbeta, cb.dfbeta, rtol=1e-10, atol=1e-15)


# ---- concordance(y ~ x, data): concordance.formula ------------------------------------------------


def test_standalone_is_the_pair_definition_without_reversal():
    d = _small()
    c = pyimpl.concordance("Surv(time, status) ~ x + strata(g)", d, influence=2)
    # not reversed: concordant when the earlier event has the smaller x (longer survival, larger x)
    want = _pairs_by_definition(d["time"].to_numpy(), d["status"].to_numpy() == 1, d["x"].to_numpy(float),
                                d["g"].to_numpy())[:, [1, 0, 2, 3, 4]]
    np.testing.assert_allclose(c.influence, want, atol=1e-12)
    r = pyimpl.concordance("Surv(time, status) ~ x + strata(g)", d, influence=2, reverse=True)
    assert r.c == pytest.approx(1 - c.c, abs=1e-15)
    np.testing.assert_array_equal(r.influence, c.influence[:, [1, 0, 2, 3, 4]])


def test_standalone_of_the_fit_linear_predictor_is_the_fit_concordance():
    lung = load("lung").assign(lp=0.0)
    fit = pyimpl.coxph("Surv(time, status) ~ age + sex", data=lung)
    lung.loc[np.flatnonzero(lung[["age", "sex"]].notna().all(axis=1)), "lp"] = fit.linear_predictors
    a = pyimpl.concordance(fit)
    b = pyimpl.concordance("Surv(time, status) ~ lp", lung, reverse=True)
    assert (a.c, a.concordant, a.discordant, a.tied_x) == pytest.approx((b.c, b.concordant, b.discordant, b.tied_x))
    assert a.std == pytest.approx(b.std, rel=1e-12)


def test_numeric_response_is_every_row_an_event():
    d = _small()
    a = pyimpl.concordance("time ~ x", d)
    b = pyimpl.concordance("Surv(time, one) ~ x", d.assign(one=1))
    assert (a.c, a.std, a.tied_y) == (b.c, b.std, b.tied_y)


@pytest.mark.parametrize("formula, kw, kind", [
    ("Surv(time, status) ~ age + sex", {}, "formula.terms"),
    ("Surv(time, status) ~ age + offset(sex)", {}, "formula.special"),
    ("factor(ph.ecog) ~ age", {}, "formula.response"),
    ("I(sex == 2) ~ age", {}, "formula.response"),
    ("Surv(time, status) ~ age", {"timewt": "x"}, "timewt.value"),
    ("Surv(time, status) ~ age", {"reverse": "yes"}, "reverse.type"),
    ("Surv(tstart, time, status) ~ age", {"timewt": "n/G2"}, "timewt.value"),
])
def test_standalone_bad_arguments(formula, kw, kind):
    with pytest.raises(InvalidArgument) as err:
        pyimpl.concordance(formula, load("lung_split" if "tstart" in formula else "lung"), **kw)
    assert err.value.kind == kind


@pytest.mark.r
@pytest.mark.parametrize("seed", range(3))
def test_standalone_against_r(seed):
    import rbridge

    rng = np.random.default_rng(50 + seed)
    n = 200
    start = rng.integers(0, 5, n).astype(float)
    d = pd.DataFrame({"start": start, "stop": start + rng.integers(1, 9, n), "event": rng.integers(0, 2, n),
                      "x": rng.normal(size=n).round(1), "s": rng.integers(0, 3, n), "w": rng.integers(1, 4, n),
                      "cl": rng.integers(0, 12, n)})
    for f, kw in (("Surv(stop, event) ~ x + strata(s)", {"weights": "w", "cluster": "cl", "influence": 3}),
                  ("Surv(stop, event) ~ x + strata(s)", {"timewt": ("S", "S/G", "n/G2", "I")[seed], "influence": 3}),
                  ("Surv(start, stop, event) ~ x", {"reverse": True, "influence": 2}),
                  ("stop ~ x + cluster(cl)", {"influence": 1, "subset": "s != 1"})):
        a, b = pyimpl.concordance(f, d, **kw), rbridge.concordance(f, d, **kw)
        # whole-number counts exactly; time-weighted ones (timewt) to rounding
        _assert_same(a, b, 0 if "timewt" not in kw else 1e-13, 1e-14, 1e-12, ("dfbeta", "influence", "count_strata"))
        assert a.n == b.n


@pytest.mark.r
@pytest.mark.parametrize("timewt", ["S", "S/G", "n/G2", "I"])
def test_fit_timewt_against_r(timewt):
    import rbridge

    lung = load("lung")
    f = "Surv(time, status) ~ age + ph.ecog + strata(sex)"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a, b = pyimpl.coxph(f, data=lung, weights="ph.karno"), rbridge.coxph(f, data=lung, weights="ph.karno")
    ca, cb = pyimpl.concordance(a, timewt=timewt, influence=3), rbridge.concordance(b, timewt=timewt, influence=3)
    assert ca.c == pytest.approx(cb.c, rel=1e-14) and ca.std == pytest.approx(cb.std, rel=1e-12)
    np.testing.assert_allclose(ca.count_strata, cb.count_strata, rtol=1e-13)
    np.testing.assert_allclose(ca.influence, cb.influence, rtol=1e-11, atol=1e-12 * np.abs(cb.influence).max())


def test_ranks_are_each_events_standing_in_its_risk_set():
    d = _small()
    c = pyimpl.concordance("Surv(time, status) ~ x", d, ranks=True)
    t, ev, x = d["time"].to_numpy(), d["status"].to_numpy() == 1, d["x"].to_numpy(float)
    want = []
    for i in np.flatnonzero(ev):
        risk = t >= t[i]
        want.append((t[i], (np.sum(x[risk] > x[i]) - np.sum(x[risk] < x[i])) / risk.sum()))
    got = sorted(map(tuple, c.ranks[:, :2].tolist()))
    np.testing.assert_allclose(np.array(got), np.array(sorted(want)), atol=1e-14)
    assert np.all(c.ranks[:, 3] == 1)


@pytest.mark.r
def test_ranks_against_r():
    import rbridge

    lung = load("lung")
    for kw in ({"ranks": True, "timewt": "S/G", "weights": "ph.karno"}, {"ranks": True, "reverse": True}):
        f = "Surv(time, status) ~ age + strata(sex)"
        a, b = pyimpl.concordance(f, lung, **kw), rbridge.concordance(f, lung, **kw)
        np.testing.assert_allclose(a.ranks, b.ranks, rtol=1e-13, atol=1e-15)
        assert a.ranks_strata == b.ranks_strata


# ---- concordance(fit1, fit2, ...) -----------------------------------------------------------------


def test_several_fits_variance_diagonal_is_each_fits_own():
    lung = load("lung")
    fits = [pyimpl.coxph(f, data=lung) for f in ("Surv(time, status) ~ age", "Surv(time, status) ~ age + sex",
                                                  "Surv(time, status) ~ sex")]
    s = pyimpl.concordance(*fits, influence=1)
    assert s.names == ("fit1", "fit2", "fit3") and s.var.shape == (3, 3)
    for i, f in enumerate(fits):
        one = pyimpl.concordance(f)
        assert s.c[i] == one.c
        assert s.var[i, i] == pytest.approx(one.std ** 2, rel=1e-12)
    np.testing.assert_allclose(s.var, s.var.T)
    np.testing.assert_allclose(s.var, s.dfbeta.T @ s.dfbeta)


def test_several_fits_need_the_same_rows():
    lung = load("lung")
    a = pyimpl.coxph("Surv(time, status) ~ age", data=lung)
    b = pyimpl.coxph("Surv(time, status) ~ ph.ecog", data=lung)
    with pytest.raises(InvalidArgument, match="same sample size") as err:
        pyimpl.concordance(a, b)
    assert err.value.kind == "lengths"


@pytest.mark.r
def test_several_fits_against_r():
    import rbridge

    lung = load("lung")
    fs = ("Surv(time, status) ~ age + strata(sex)", "Surv(time, status) ~ age + I(age^2) + strata(sex)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fa = [pyimpl.coxph(f, data=lung, weights="ph.karno") for f in fs]
        fb = [rbridge.coxph(f, data=lung, weights="ph.karno") for f in fs]
    for opts in ({"influence": 1}, {"influence": 2, "timewt": "I"}):
        a, b = pyimpl.concordance(*fa, **opts), rbridge.concordance(*fb, **opts)
        np.testing.assert_allclose(a.c, b.c, rtol=1e-14)
        np.testing.assert_allclose(a.var, b.var, rtol=1e-11)
        np.testing.assert_allclose(a.counts, b.counts, rtol=1e-13)
        for q in ("dfbeta", "influence"):
            x, y = getattr(a, q), getattr(b, q)
            assert (x is None) == (y is None)
            if x is not None:
                np.testing.assert_allclose(x, y, rtol=1e-11, atol=1e-12 * np.abs(y).max())


@pytest.mark.r
def test_newdata_against_r():
    import rbridge

    lung = load("lung")
    train, test = lung.iloc[:150].reset_index(drop=True), lung.iloc[150:].reset_index(drop=True)
    f = "Surv(time, status) ~ age + sex + strata(ph.ecog)"
    a, b = pyimpl.coxph(f, data=train), rbridge.coxph(f, data=train)
    ca, cb = pyimpl.concordance(a, newdata=test, influence=2), rbridge.concordance(b, newdata=test, influence=2)
    assert ca.n == cb.n and ca.c == pytest.approx(cb.c, rel=1e-14) and ca.std == pytest.approx(cb.std, rel=1e-12)
    np.testing.assert_allclose(ca.influence, cb.influence, rtol=1e-12, atol=1e-12)


def test_newdata_of_the_fit_rows_is_the_fit_concordance():
    lung = load("lung").dropna(subset=["age", "ph.ecog"]).reset_index(drop=True)
    fit = pyimpl.coxph("Surv(time, status) ~ age + ph.ecog", data=lung)
    a, b = pyimpl.concordance(fit), pyimpl.concordance(fit, newdata=lung)
    assert (a.concordant, a.discordant, a.tied_x, a.tied_y) == (b.concordant, b.discordant, b.tied_x, b.tied_y)
    assert a.std == pytest.approx(b.std, rel=1e-12)


# ---- ymin, ymax ------------------------------------------------------------------------------------
def test_ymax_leaves_out_the_events_after_it():
    """concordancefit's ymax: the events after it weigh nothing; the pairs
    they make are those of the data cut there (events after ymax censored)."""
    d = _small()
    tmax = float(np.median(d["time"]))
    a = pyimpl.concordance("Surv(time, status) ~ x", d, ymax=tmax)
    cut = d.assign(status=np.where(d["time"] > tmax, 0, d["status"]))
    b = pyimpl.concordance("Surv(time, status) ~ x", cut)
    assert (a.concordant, a.discordant, a.tied_x) == (b.concordant, b.discordant, b.tied_x)


def test_ymin_raises_the_early_times():
    d = _small()
    tmin = float(d.loc[d["status"] == 0, "time"].min())
    a = pyimpl.concordance("Surv(time, status) ~ x", d, ymin=tmin)
    b = pyimpl.concordance("Surv(time, status) ~ x", d.assign(time=np.maximum(d["time"], tmin)))
    assert (a.c, a.std, a.tied_y) == (b.c, b.std, b.tied_y)


@pytest.mark.parametrize("kw, kind", [({"ymin": "a"}, "ymin.value"), ({"ymax": "a"}, "ymax.value"),
                                      ({"ymin": 1e9}, "ymin.value")])
def test_ymin_ymax_bad_arguments(kw, kind):
    with pytest.raises(InvalidArgument) as err:
        pyimpl.concordance("Surv(time, status) ~ age", load("lung"), **kw)
    assert err.value.kind == kind


@pytest.mark.r
@pytest.mark.parametrize("kw", [{"ymax": 500.0}, {"ymin": 5.0, "ymax": 700.0, "timewt": "S"},
                                {"ymax": 300.0, "influence": 3, "timewt": "I"}, {"ymin": 10.0, "ranks": True}])
def test_ymin_ymax_against_r(kw):
    import rbridge

    lung = load("lung")
    a, b = (eng.concordance("Surv(time, status) ~ age + strata(sex)", lung, **kw) for eng in (pyimpl, rbridge))
    _assert_same(a, b, 1e-13, 1e-13, 1e-11, ("dfbeta", "influence", "ranks"))


def _assert_same(a, b, counts_rtol: float, c_rtol: float, std_rtol: float, arrays: tuple[str, ...]) -> None:
    """Two concordances agree: the five counts, C and its std, and the arrays named."""
    np.testing.assert_allclose([a.concordant, a.discordant, a.tied_x, a.tied_y, a.tied_xy],
                               [b.concordant, b.discordant, b.tied_x, b.tied_y, b.tied_xy], rtol=counts_rtol)
    assert a.c == pytest.approx(b.c, rel=c_rtol) and a.std == pytest.approx(b.std, rel=std_rtol)
    for q in arrays:
        x, y = getattr(a, q), getattr(b, q)
        assert (x is None) == (y is None)
        if x is not None:
            np.testing.assert_allclose(x, y, rtol=1e-11, atol=1e-12 * float(np.max(np.abs(y))))


# ---- ymin, ymax and timewt on (start, stop] data -----------------------------------------------------
def _counting_data(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(80 + seed)
    n = 150
    start = rng.integers(0, 5, n).astype(float)
    return pd.DataFrame({"start": start, "stop": start + rng.integers(1, 9, n), "event": rng.integers(0, 2, n),
                         "x": rng.normal(size=n).round(1), "s": rng.integers(0, 2, n), "w": rng.integers(1, 4, n)})


@pytest.mark.r
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("kw", [{"ymax": 6.0, "influence": 3}, {"ymin": 1.0, "ymax": 7.0, "influence": 1},
                                {"ymax": 4.0, "influence": 2, "keepstrata": True}])
def test_counting_ymin_ymax_against_r(seed, kw):
    """concordance4's time weights: the events after ymax count nothing."""
    import rbridge

    d = _counting_data(seed)
    f = "Surv(start, stop, event) ~ x + strata(s)"
    a, b = pyimpl.concordance(f, d, weights="w", **kw), rbridge.concordance(f, d, weights="w", **kw)
    _assert_same(a, b, 1e-13, 1e-13, 1e-11, ("dfbeta", "influence", "count_strata"))


_CRASHES = [lambda eng, d: eng.concordance("Surv(start, stop, event) ~ x", d, timewt="S"),
            lambda eng, d: eng.concordance("Surv(start, stop, event) ~ x + strata(s)", d, timewt="I"),
            lambda eng, d: eng.concordance(eng.coxph("Surv(start, stop, event) ~ x", data=d), timewt="S"),
            lambda eng, d: eng.concordance(eng.coxph("Surv(start, stop, event) ~ x", data=d),
                                           eng.coxph("Surv(start, stop, event) ~ s", data=d), timewt="I")]


@pytest.mark.parametrize("call", _CRASHES)
def test_counting_timewt_s_and_i_are_refused(call):
    """survival 3.5-3 aborts R on these (its C code): no engine answers them."""
    with pytest.raises(InvalidArgument) as err:
        call(pyimpl, _counting_data(0))
    assert err.value.kind == "timewt.value"


@pytest.mark.r
@pytest.mark.parametrize("call", _CRASHES)
def test_r_engine_guards_the_crash(call):
    import rbridge
    from rparity.refusals import refusal_kind

    with pytest.raises(Exception) as err:
        call(rbridge, _counting_data(0))
    assert refusal_kind(err.value, "concordance") == "timewt.value"


@pytest.mark.r
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("kw", [{}, {"weights": "w", "reverse": True}, {"ymax": 6.0}])
def test_counting_ranks_against_r(seed, kw):
    """concordance4's residuals: each event's standing in its risk set (entries at or after t out)."""
    import rbridge

    d = _counting_data(seed)
    f = "Surv(start, stop, event) ~ x + strata(s)"
    a, b = pyimpl.concordance(f, d, ranks=True, **kw), rbridge.concordance(f, d, ranks=True, **kw)
    _assert_same(a, b, 1e-13, 1e-13, 1e-11, ("ranks",))
    assert a.ranks_strata == b.ranks_strata


@pytest.mark.r
def test_counting_fit_ranks_against_r():
    import rbridge

    split = load("lung_split")
    a, b = (eng.concordance(eng.coxph("Surv(tstart, time, status) ~ age + sex", data=split), ranks=True)
            for eng in (pyimpl, rbridge))
    _assert_same(a, b, 1e-12, 1e-12, 1e-9, ("ranks",))
