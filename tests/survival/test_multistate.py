"""Competing risks curves (``survfit_ms``, R's survfitCI): closed forms,
metamorphic properties, refusals, and differential properties against R."""
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pyimpl
from fixtures.strategies import survival_cohorts
from rparity.testing import differential
from rparity_contract.errors import InvalidArgument


def _factor(codes, levels=("censor", "a", "b")):
    return pd.Categorical.from_codes(np.asarray(codes, dtype=int), list(levels))


# -- closed forms -----------------------------------------------------------------------------------
def test_without_censoring_each_state_is_the_running_proportion():
    t = np.array([1.0, 2, 2, 3, 4, 5, 6, 7])
    ev = _factor([1, 2, 1, 1, 2, 1, 2, 1])
    f = pyimpl.survfit_ms(t, ev)
    n = t.size
    for i, ti in enumerate(f.time):
        done = t <= ti
        a = np.sum(done & (ev == "a")) / n
        b = np.sum(done & (ev == "b")) / n
        np.testing.assert_allclose(f.pstate[i], [1 - a - b, a, b], rtol=0, atol=1e-15)
        # the jackknife se of a proportion of n: sqrt(p (1 - p) / n)
        np.testing.assert_allclose(f.std_err[i, 1:], np.sqrt(np.array([a * (1 - a), b * (1 - b)]) / n),
                                   rtol=1e-13, atol=1e-15)
    assert f.states == ("(s0)", "a", "b")
    assert f.cumhaz_names == ("1.2", "1.3")
    assert f.transitions.loc["(s0)"].to_dict() == {"a": 5, "b": 3}


def test_one_state_is_one_minus_kaplan_meier():
    rng = np.random.default_rng(3)
    t = rng.integers(1, 30, 80).astype(float)
    e = rng.integers(0, 2, 80)
    f = pyimpl.survfit_ms(t, _factor(e, ("censor", "death")))
    km = pyimpl.survfit(t, e.astype(float))
    np.testing.assert_allclose(f.pstate[:, 0], km.surv, rtol=1e-14)
    np.testing.assert_allclose(f.pstate[:, 1], 1 - km.surv, atol=1e-14)
    np.testing.assert_allclose(f.cumhaz[:, 0], km.cumhaz, rtol=1e-14)
    np.testing.assert_array_equal(f.n_risk[:, 0], km.n_risk)


def test_aalen_johansen_by_hand():
    # times 1 (a), 2 (censored), 3 (b), 3 (a), 4 (b): at risk 5, 3 at time 3
    f = pyimpl.survfit_ms([1.0, 2, 3, 3, 4], _factor([1, 0, 2, 1, 2]))
    p1 = np.array([4 / 5, 1 / 5, 0])
    p3 = np.array([p1[0] * (1 - 2 / 3), p1[1] + p1[0] / 3, p1[0] / 3])
    np.testing.assert_allclose(f.pstate[0], p1, rtol=1e-15)
    np.testing.assert_allclose(f.pstate[2], p3, rtol=1e-15)
    np.testing.assert_allclose(f.pstate[3], [0, p3[1], p3[2] + p3[0]], atol=1e-15)
    np.testing.assert_array_equal(f.n_risk[:, 0], [5, 4, 3, 1])
    np.testing.assert_array_equal(f.n_censor, [0, 1, 0, 0])
    np.testing.assert_allclose(f.cumhaz[-1], [1 / 5 + 1 / 3, 1 / 3 + 1], rtol=1e-15)


# -- metamorphic ------------------------------------------------------------------------------------
@given(df=survival_cohorts(min_n=1, max_n=60, weights="any"), cause=st.integers(0, 2**32 - 1),
       scale=st.sampled_from([2.0, 0.5, 8.0]))
@settings(max_examples=40, deadline=None)
def test_weights_times_a_power_of_two_change_nothing(df, cause, scale):
    ev = _events(df, cause)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = pyimpl.survfit_ms(df.time.to_numpy(), ev, weights=df.weights.to_numpy())
        b = pyimpl.survfit_ms(df.time.to_numpy(), ev, weights=df.weights.to_numpy() * scale)
    for k in ("pstate", "std_err", "cumhaz", "lower", "upper"):
        np.testing.assert_array_equal(getattr(a, k), getattr(b, k), err_msg=k)


@given(df=survival_cohorts(min_n=1, max_n=60), cause=st.integers(0, 2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_each_row_twice_is_each_row_with_weight_two(df, cause):
    ev = _events(df, cause)
    t = df.time.to_numpy()
    twice = pyimpl.survfit_ms(np.repeat(t, 2), pd.Categorical(np.repeat(np.asarray(ev), 2),
                                                              categories=ev.categories))
    weighted = pyimpl.survfit_ms(t, ev, weights=np.full(t.size, 2.0))
    np.testing.assert_array_equal(twice.pstate, weighted.pstate)
    np.testing.assert_array_equal(twice.cumhaz, weighted.cumhaz)


# -- refusals ---------------------------------------------------------------------------------------
_T = [1.0, 2, 3, 4]
_E = _factor([0, 1, 2, 1])
BAD = [
    ("numeric status", dict(time=_T, event=[0, 1, 1, 0]), "event.type", "Kaplan-Meier"),
    ("text status", dict(time=_T, event=["c", "a", "b", "a"]), "event.type", "Invalid status value"),
    ("blank state", dict(time=_T, event=_factor([0, 1, 2, 1], ("censor", "", "b"))), "event.states", "non-blank"),
    ("no state", dict(time=_T, event=_factor([0, 0, 0, 0], ("censor",))), "event.states", "besides censoring"),
    ("p0 length", dict(time=_T, event=_E, p0=[1.0, 0.0]), "p0.value", "wrong length for p0"),
    ("p0 sum", dict(time=_T, event=_E, p0=[0.5, 0.2, 0.2]), "p0.value", "adds to 1"),
    ("start after", dict(time=_T, event=_E, start_time=9.0), "start_time.value", "removed all observations"),
    ("start text", dict(time=_T, event=_E, start_time="1"), "start_time.value", "single numeric value"),
    ("weights negative", dict(time=_T, event=_E, weights=[1, -1, 1, 1]), "weights.negative", "weights[1]"),
    ("weights infinite", dict(time=_T, event=_E, weights=[1, np.inf, 1, 1]), "weights.nonfinite", "weights[1]"),
    ("lengths", dict(time=_T, event=_factor([0, 1, 2])), "lengths", "len(event)=3"),
    ("conf_type", dict(time=_T, event=_E, conf_type="normal"), "conf_type.value", "conf_type='normal'"),
    ("time text", dict(time=["1", "2", "3", "4"], event=_E), "time.type", "time"),
    ("every row missing", dict(time=[np.nan] * 4, event=_E), "data.empty", "no rows left"),
]


@pytest.mark.parametrize("label,kw,kind,words", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_with_its_kind(label, kw, kind, words):
    kw = dict(kw)
    with pytest.raises(InvalidArgument, match=None) as info:
        pyimpl.survfit_ms(kw.pop("time"), kw.pop("event"), **kw)
    assert info.value.kind == kind, label
    assert words in str(info.value)


def test_start_stop_data_need_an_id_as_in_r():
    d = pd.DataFrame({"t0": [0.0, 0, 0], "t1": [1.0, 2, 3], "e": _factor([1, 0, 2])})
    with pytest.raises(InvalidArgument, match="an id statement is required") as info:
        pyimpl.survfit_ms("Surv(t0, t1, e) ~ 1", data=d)
    assert info.value.kind == "id.missing"


def test_missing_values_drop_their_rows():
    t = np.array([1.0, np.nan, 3, 4, 5])
    ev = pd.Categorical(["a", "a", None, "b", "censor"], categories=["censor", "a", "b"])
    f = pyimpl.survfit_ms(t, ev, weights=[1, 1, 1, np.nan, 1])
    g = pyimpl.survfit_ms([1.0, 5.0], pd.Categorical(["a", "censor"], categories=["censor", "a", "b"]))
    assert f.n == 2
    np.testing.assert_array_equal(f.pstate, g.pstate)


# -- against R --------------------------------------------------------------------------------------
def _events(df: pd.DataFrame, seed: int, nlevels: int | None = None) -> pd.Categorical:
    """The cohort's events spread over up to 3 causes (seeded)."""
    rng = np.random.default_rng(seed)
    k = nlevels or int(rng.integers(1, 4))
    cause = rng.integers(1, k + 1, len(df))
    codes = np.where(df.event.to_numpy() == 1, cause, 0)
    return _factor(codes, ("censor", "relapse", "death", "other")[:k + 1])


def _probe(df, seed, conf_type, grouped, weighted, se_fit):
    d = df.copy()
    d["status"] = _events(df, seed)
    params = {"conf_type": conf_type, "se_fit": se_fit}
    if weighted:
        params["weights"] = d["weights"]

    def run(engine):
        from rparity.cases.multistate import SURVFIT_MS_QUANTITIES

        if grouped:
            fit = engine.survfit_ms("Surv(time, status) ~ group", data=d, **params)
        else:
            fit = engine.survfit_ms(d.time.to_numpy(), d.status, **params)
        out = {k: getattr(fit, k) for k in SURVFIT_MS_QUANTITIES if getattr(fit, k) is not None}
        out["states"] = tuple(out["states"])
        out["cumhaz_names"] = tuple(out["cumhaz_names"])
        out["strata_n"] = tuple(fit.strata_n)
        if "strata" in out:
            out["strata"] = tuple(out["strata"])
        out["transitions"] = fit.transitions.to_numpy()
        out["warnings"] = tuple(fit.warnings)
        return out
    return run


@pytest.mark.r
@given(df=survival_cohorts(min_n=1, max_n=80, groups=(1, 3), weights="any"), seed=st.integers(0, 2**32 - 1),
       conf_type=st.sampled_from(["log", "log-log", "plain", "logit", "arcsin", "none"]),
       grouped=st.booleans(), weighted=st.booleans(), se_fit=st.booleans())
@settings(max_examples=60, deadline=None)
def test_survfit_ms_matches_r(py_engine, r_engine, df, seed, conf_type, grouped, weighted, se_fit):
    differential("survfit_ms", _probe(df, seed, conf_type, grouped, weighted, se_fit), py_engine, r_engine)


@pytest.mark.r
def test_matches_r_bit_for_bit_on_mgus2():
    import rbridge
    from rparity.cases import get_case

    case = get_case("survfit_ms/mgus2-sex-weights-fractional")
    a, b = case.run(pyimpl), case.run(rbridge)
    for k in ("pstate", "std_err", "lower", "upper", "cumhaz"):
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


# -- survival against cmprsk --------------------------------------------------------------------------
@given(df=survival_cohorts(min_n=2, max_n=80, near_ties=False), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_cuminc_and_survfit_ms_give_the_same_incidence_and_different_variances(df, seed):
    """cmprsk's cuminc and survival's multi-state survfit are the same Aalen-Johansen
    estimate (F(t) = F(t-) + S(t-) d/n, in another order of operations: ~1e-15),
    with different variances: Gray's delta method (with the tie term 1 - (d-1)/(n-1))
    against the infinitesimal jackknife. cuminc's curve is sampled after each jump.
    (Times a relative 1e-11 apart are one time for survival's timefix, two for cmprsk:
    not generated here.)"""
    ev = _events(df, seed, nlevels=2)
    t = df.time.to_numpy()
    ms = pyimpl.survfit_ms(t, ev)
    codes = np.asarray(ev.codes)
    if not (codes > 0).any():
        return
    ci = pyimpl.cuminc(t, codes)
    for curve in ci.curves:
        k = int(curve.cause)  # the state's column in pstate: (s0), relapse, death
        jumps = curve.time[2:-1:2] if curve.time.size > 2 else curve.time[:0]
        after = curve.est[2:-1:2]
        rows = np.searchsorted(ms.time, jumps)
        np.testing.assert_allclose(ms.pstate[rows, k], after, rtol=1e-13, atol=1e-15)
        var = curve.var[2:-1:2]
        se = ms.std_err[rows, k]
        assert np.all(np.isfinite(var)) and np.all(se >= 0)
