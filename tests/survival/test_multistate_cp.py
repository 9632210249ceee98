"""Multi-state (start, stop] curves (``survfit_ms`` with ``id``/``istate``, R's
survfitCI on "mcounting" data): hand values, metamorphic properties,
refusals, live parity with R on the cases and on random multi-state
histories, and the seeded faults shown caught."""
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pyimpl
from rparity.cases.multistate import CASES, ILLNESS_DEATH, ms_quantities
from rparity.testing import differential
from rparity_contract.errors import InvalidArgument

STATES = ["censor", "ill", "death", "health"]


def _frame(rows, istate=None):
    d = pd.DataFrame(rows, columns=["id", "t1", "t2", "st"]).astype({"t1": float, "t2": float})
    d["event"] = pd.Categorical.from_codes(d.pop("st"), STATES[:3])
    if istate is not None:
        d["istate"] = pd.Categorical(istate, categories=["health", "ill"])
    return d


# -- hand values ------------------------------------------------------------------------------------
# A: (0,1] ill, (1,3] death; B: (0,2] death; C: (0,4] censored; D: (0,3] ill
TINY = _frame([(1, 0, 1, 1), (1, 1, 3, 2), (2, 0, 2, 2), (3, 0, 4, 0), (4, 0, 3, 1)])


def test_illness_death_by_hand():
    f = pyimpl.survfit_ms("Surv(t1, t2, event) ~ 1", data=TINY, id="id")
    # t=1: 4 at risk in (s0), one falls ill; t=2: 3 in (s0), one dies; t=3: 2 in (s0) (one falls ill), 1 ill (dies)
    p1 = np.array([3 / 4, 1 / 4, 0])
    p2 = np.array([p1[0] * 2 / 3, p1[1], p1[0] / 3])
    p3 = np.array([p2[0] / 2, p2[0] / 2, p2[2] + p2[1]])
    assert f.states == ("(s0)", "ill", "death")
    np.testing.assert_array_equal(f.time, [1, 2, 3, 4])
    np.testing.assert_allclose(f.pstate, [p1, p2, p3, p3], rtol=0, atol=1e-15)
    np.testing.assert_array_equal(f.n_risk, [[4, 0, 0], [3, 1, 0], [2, 1, 0], [1, 0, 0]])
    np.testing.assert_array_equal(f.n_event, [[0, 1, 0], [0, 0, 1], [0, 1, 1], [0, 0, 0]])
    np.testing.assert_array_equal(f.n_censor, [0, 0, 0, 1])
    # the cumulative hazards of (s0) -> ill, (s0) -> death, ill -> death
    assert f.cumhaz_names == ("1.2", "1.3", "2.3")
    np.testing.assert_allclose(f.cumhaz[-1], [1 / 4 + 1 / 2, 1 / 3, 1], rtol=1e-15)
    # the first step is a proportion of 4: the jackknife se sqrt(p (1 - p) / n)
    np.testing.assert_allclose(f.std_err[0, :2], np.sqrt(3 / 64), rtol=1e-15)
    assert f.transitions.loc["(s0)"].to_dict() == {"ill": 2, "death": 1, "(censored)": 1}
    assert f.transitions.loc["ill"].to_dict() == {"ill": 0, "death": 1, "(censored)": 0}


def test_istate_sets_p0_and_the_order_of_the_states():
    # B enters ill: two of four start ill; "health" (a level of istate, not a state of the status) comes first
    d = TINY.copy()
    d["istate"] = pd.Categorical(["health", "ill", "ill", "health", "health"], categories=["health", "ill"])
    f = pyimpl.survfit_ms("Surv(t1, t2, event) ~ 1", data=d, id="id", istate="istate", influence=True)
    assert f.states == ("health", "ill", "death")
    np.testing.assert_array_equal(f.p0[0], [3 / 4, 1 / 4, 0])
    # i0 = (1{state} - p0) / wtsum for the rows at risk at the first event time; sp0 = sqrt(colSums(i0^2))
    i0 = (np.array([[1, 0, 0], [0, 1, 0], [1, 0, 0], [1, 0, 0]]) - f.p0[0]) / 4
    np.testing.assert_allclose(f.influence_pstate[0][:, 0, :], i0, rtol=0, atol=1e-16)
    np.testing.assert_allclose(f.sp0[0], np.sqrt((i0 ** 2).sum(axis=0)), rtol=1e-15)
    assert f.influence_ids == (("1", "2", "3", "4"),)
    # without influence, the estimated p0 adds nothing to the standard errors (R's i0 is 0 then)
    g = pyimpl.survfit_ms("Surv(t1, t2, event) ~ 1", data=d, id="id", istate="istate")
    np.testing.assert_array_equal(g.sp0, 0)
    assert np.all(g.std_err[0] <= f.std_err[0])


def test_a_censored_row_inside_a_run_changes_nothing():
    # splitting a subject's interval in two contiguous rows, the first censored: survfitCI merges them back
    split = _frame([(1, 0, 1, 1), (1, 1, 2, 0), (1, 2, 3, 2), (2, 0, 2, 2), (3, 0, 4, 0), (4, 0, 3, 1)])
    a = pyimpl.survfit_ms("Surv(t1, t2, event) ~ 1", data=TINY, id="id")
    b = pyimpl.survfit_ms("Surv(t1, t2, event) ~ 1", data=split, id="id")
    for k in ("time", "pstate", "std_err", "cumhaz", "n_risk", "n_censor"):
        np.testing.assert_array_equal(getattr(a, k), getattr(b, k), err_msg=k)


def test_right_censored_competing_risks_as_one_row_per_id():
    # every subject one row (0, t]: the same curves as Surv(t, event), up to the order of the sums
    rng = np.random.default_rng(7)
    t = rng.integers(1, 20, 60).astype(float)
    e = pd.Categorical.from_codes(rng.integers(0, 3, 60), STATES[:3])
    d = pd.DataFrame({"id": np.arange(60), "t1": 0.0, "t2": t, "event": e})
    a = pyimpl.survfit_ms("Surv(t1, t2, event) ~ 1", data=d, id="id")
    b = pyimpl.survfit_ms(t, e)
    np.testing.assert_array_equal(a.time, b.time)
    np.testing.assert_allclose(a.pstate, b.pstate, rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(a.std_err, b.std_err, rtol=1e-12, atol=1e-16)


# -- refusals ---------------------------------------------------------------------------------------
def _bad(**change):
    d = TINY.copy()
    for (row, col), v in change.get("cells", {}).items():
        d.loc[row, col] = v
    return d


BAD = [
    ("no id", dict(data=TINY), "id.missing", "an id statement is required"),
    ("overlap", dict(data=_bad(cells={(1, "t1"): 0.5}), id="id"), "data.survcheck", "overlap"),
    ("gap", dict(data=_bad(cells={(1, "t1"): 2.0}), id="id"), "data.survcheck", "gap"),
    ("istate inconsistent", dict(data=TINY.assign(istate=pd.Categorical(["health"] * 5)), id="id",
                                 istate="istate"), "data.survcheck", "teleport"),
    ("influence 5", dict(data=TINY, id="id", influence=5), "influence.value", "0, 1, 2, or 3"),
    ("influence text", dict(data=TINY, id="id", influence="yes"), "influence.value", "numeric or logical"),
    ("id length", dict(data=TINY, id=[1, 2]), "lengths", "one value per row"),
    ("id column", dict(data=TINY, id="subject"), "data.column", "subject"),
    ("p0 length", dict(data=TINY, id="id", p0=[0.5, 0.5]), "p0.value", "wrong length for p0"),
]


@pytest.mark.parametrize("label,kw,kind,words", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_with_its_kind(label, kw, kind, words):
    with pytest.raises(InvalidArgument) as info:
        pyimpl.survfit_ms("Surv(t1, t2, event) ~ 1", **kw)
    assert info.value.kind == kind, label
    assert words in str(info.value)


def test_array_form_istate_of_the_wrong_length_is_refused():
    with pytest.raises(InvalidArgument) as info:
        pyimpl.survfit_ms([1.0, 2.0], pd.Categorical(["a", "b"], categories=["c", "a", "b"]), istate=["x"])
    assert info.value.kind == "lengths"


def test_missing_id_or_istate_drops_the_row():
    d = TINY.copy()
    d["id"] = [1, 1, 2, None, 4]
    f = pyimpl.survfit_ms("Surv(t1, t2, event) ~ 1", data=d, id="id")
    g = pyimpl.survfit_ms("Surv(t1, t2, event) ~ 1", data=TINY.drop(index=3), id="id")
    assert f.n == 4
    np.testing.assert_array_equal(f.pstate, g.pstate)


# -- against R --------------------------------------------------------------------------------------
CP_CASES = [c.id for c in CASES if c.runner.__name__ == "run_survfit_ms_cp"]


@pytest.mark.r
@pytest.mark.parametrize("case_id", CP_CASES)
def test_cases_are_bit_identical_to_r(case_id):
    import rbridge
    from rparity.cases import get_case

    case = get_case(case_id)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            a = case.run(pyimpl)
        except InvalidArgument as exc:
            a = exc
        try:
            b = case.run(rbridge)
        except Exception as exc:  # noqa: BLE001 - R's refusal
            b = exc
    if isinstance(a, Exception) or isinstance(b, Exception):
        assert case_id.endswith("-refused") and isinstance(a, InvalidArgument) and isinstance(b, Exception)
        return
    assert set(a) == set(b)
    for k in a:
        if isinstance(a[k], np.ndarray):
            np.testing.assert_array_equal(a[k], b[k], err_msg=k)
        else:
            assert a[k] == b[k], k


@st.composite
def histories(draw):
    """Random multi-state histories: each subject enters at 0 or later, in "health" or "ill", and has 1-3
    contiguous rows ending in a censoring, an illness, a recovery, a stay in its state or death (which
    ends its follow-up); integer or half-integer times (ties); optional weights that change by row."""
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(1, 18))
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        t = float(rng.integers(0, 3)) * (0.5 if rng.random() < 0.3 else 1.0)
        state = int(rng.integers(0, 2))  # 0 health, 1 ill
        for r in range(int(rng.integers(1, 4))):
            stop = t + float(rng.integers(1, 5)) / (2 if rng.random() < 0.3 else 1)
            st_ = int(rng.choice([0, 1, 2, 3], p=[0.35, 0.25, 0.2, 0.2]))
            rows.append((i + 1, t, stop, st_, ["health", "ill"][state], float(rng.choice([0.5, 1, 2, 3]))))
            if st_ == 2:
                break
            state = {1: 1, 3: 0}.get(st_, state)
            t = stop
    d = pd.DataFrame(rows, columns=["id", "t1", "t2", "st", "istate", "w"])
    d["event"] = pd.Categorical.from_codes(d.pop("st"), STATES)
    d["istate"] = pd.Categorical(d["istate"], categories=["health", "ill"])
    d["g"] = np.where(d["id"] % 2 == 0, "a", "b")
    return d


@pytest.mark.r
@given(d=histories(), use_istate=st.booleans(), weighted=st.booleans(), grouped=st.booleans(),
       influence=st.booleans(), start_time=st.sampled_from([None, 1.0, 2.5]),
       conf_type=st.sampled_from(["log", "log-log", "plain", "logit"]), shuffle=st.booleans())
@settings(max_examples=60, deadline=None)
def test_random_histories_match_r(py_engine, r_engine, d, use_istate, weighted, grouped, influence, start_time,
                                  conf_type, shuffle):
    if shuffle:  # rows out of (id, time) order: survfitCI's merge of censored rows then works in data order
        d = d.sample(frac=1, random_state=len(d)).reset_index(drop=True)
    kw = {"id": "id", "conf_type": conf_type, "influence": influence}
    if use_istate:
        kw["istate"] = "istate"
    if weighted:
        kw["weights"] = "w"
    if start_time is not None:
        kw["start_time"] = start_time
    form = "Surv(t1, t2, event) ~ g" if grouped else "Surv(t1, t2, event) ~ 1"

    def probe(engine):
        return ms_quantities(engine.survfit_ms(form, data=d, **kw))

    differential("survfit_ms", probe, py_engine, r_engine)


# -- seeded faults: the comparison must fail --------------------------------------------------------
@pytest.mark.parametrize("fault_id, case_id", [
    ("survfit-ms-istate-ignored", "survfit_ms/illness-death-istate"),
    ("survfit-ms-jackknife-by-row", "survfit_ms/mgus2-ms"),
    ("survfit-ms-jackknife-by-row", "survfit_ms/illness-death-istate"),
])
def test_seeded_faults_are_caught_against_the_golden_files(fault_id, case_id):
    from rparity.cases import get_case
    from rparity.compare import Outcome, compare_outcomes
    from rparity.faults import FAULTS, FaultyEngine
    from rparity.golden import read_golden
    from rparity_contract.verdicts import Verdict

    case = get_case(case_id)
    _, golden = read_golden(case)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        good = case.run(pyimpl)
        bad = case.run(FaultyEngine(next(f for f in FAULTS if f.id == fault_id)))

    def agrees(values) -> bool:
        rows = compare_outcomes(case.function, case.id, case.dataset, Outcome("pyimpl", values=values), golden)
        return all(r.verdict == Verdict.AGREE for r in rows)

    assert agrees(good)
    assert not agrees(bad)


def test_the_hand_built_data_are_sorted_by_id_and_time():
    d = ILLNESS_DEATH
    assert (d.groupby("id")["t1"].apply(lambda s: s.is_monotonic_increasing)).all()
    assert d["id"].is_monotonic_increasing
