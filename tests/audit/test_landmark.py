"""KM landmarks: which values can a Kaplan-Meier estimate of an arm of N take?
(rparity.audit.landmark)

Oracles independent of the search:
* brute force: every right-censored data set of N <= 7 subjects (sequences of
  distinct times, each with d deaths and c censorings), with KM computed here by
  the textbook product, at every landmark position;
* pyimpl's survfit (and R's survfit, marked r) on data built from a witness chain;
* the proven gaps ((N-1)/N, 1) and (0, 1/N), checked by hand.
"""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction as F
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import pyimpl
from rparity.audit import Verdict, audit
from rparity.audit.landmark import chain_value, km_search
from rparity.audit.printed import parse_printed


@lru_cache(None)
def _datasets(N: int) -> tuple:
    """All sequences of (deaths, censored) groups at distinct times summing to N."""
    out = []

    def rec(left, acc):
        if left == 0:
            out.append(tuple(acc))
            return
        for size in range(1, left + 1):
            for d in range(size + 1):
                rec(left - size, acc + [(d, size - d)])
    rec(N, [])
    return tuple(out)


@lru_cache(None)
def triples(N: int) -> frozenset:
    """(S, D, R) at every landmark position of every data set of N subjects."""
    out = {(F(1), 0, N)}
    for ds in _datasets(N):
        S, D, at_risk = F(1), 0, N
        for d, c in ds:
            n = at_risk
            S = S * F(n - d, n) if d else S
            D += d
            out.add((S, D, n))               # landmark at this time: R = n
            at_risk = n - d - c
            out.add((S, D, at_risk))         # landmark just after it
    return frozenset(out)


def interval(text):
    return parse_printed(text, "percent", allow_percent=True).interval.scale(F(1, 100))


def all_prints(places):
    step = Decimal(1).scaleb(-places)
    return [str(Decimal(i) * step) for i in range(int(100 / step) + 1)]


@pytest.mark.parametrize("N", range(1, 8))
def test_unconstrained_search_matches_brute_force(N):
    values = {S for S, _, _ in triples(N)}
    for text in all_prints(1):
        I = interval(text)
        truth = any(I.contains(v) for v in values)
        res = km_search(N, I)
        assert res.found is truth, (N, text)
        if res.found:
            assert I.contains(chain_value(res.chain))
            assert chain_value(res.chain) in values or chain_value(res.chain) == 0


@pytest.mark.parametrize("N", [4, 6, 7])
def test_constrained_search_matches_brute_force(N):
    T = triples(N)
    rng = np.random.default_rng(N)
    texts = all_prints(1)
    for _ in range(400):
        text = texts[rng.integers(len(texts))]
        D = None if rng.random() < 0.3 else int(rng.integers(0, N + 1))
        R = None if rng.random() < 0.3 else int(rng.integers(0, N + 1))
        I = interval(text)
        truth = any(I.contains(S) and (D is None or d == D) and (R is None or r == R) for S, d, r in T)
        res = km_search(N, I, events=D, n_risk=R)
        assert res.found is truth, (N, text, D, R)


def test_data_behind_printed_values_of_seven():
    # spot checks by hand: N = 7
    assert km_search(7, interval("85.7")).found      # 6/7
    assert km_search(7, interval("83.3")).found      # 1 censored, 1 of 6 dies: 5/6
    assert not km_search(7, interval("90.0")).found  # > 6/7
    assert not km_search(7, interval("10.0")).found  # < 1/7 and not 0


@pytest.mark.parametrize("N, text", [(23, "97.0"), (23, "96.0"), (60, "98.5"), (23, "0.1"), (59, "1.0")])
def test_proven_gaps(N, text):
    # no KM value in ((N-1)/N, 1) nor in (0, 1/N): by hand, 22/23 = 95.65%, 59/60 = 98.33%,
    # 1/23 = 4.35%, 1/59 = 1.69%
    res = km_search(N, interval(text))
    assert res.found is False
    assert "strictly between" in res.reason


def test_between_one_minus_two_over_n_and_one_minus_one_over_n():
    # for N = 23 the only KM values in (1 - 2/23, 22/23) are 1 - 1/n, n = 12..22;
    # 93.75% (n = 16) and 94.12% (n = 17) straddle [93.95, 94.05]
    assert km_search(23, interval("94.0")).found is False
    assert km_search(23, interval("93.8")).found is True
    assert km_search(23, interval("94.1")).found is True


def _data_from_chain(N, chain, n_risk=None):
    """A data set realising a chain: censorings before each event time i = 1, 2, ...,
    deaths at i; then the landmark, with ``n_risk`` subjects at risk at it if given.
    Returns (time, event, landmark)."""
    time, event = [], []
    prev = N
    for i, (n, r) in enumerate(chain, start=1):
        time += [i - 0.5] * (prev - n)           # censored before the event time
        event += [0] * (prev - n)
        time += [float(i)] * (n - r)
        event += [1] * (n - r)
        prev = r
    k = len(chain)
    if n_risk is not None and chain and n_risk > prev:
        # the last event is at the landmark: n_risk = n_k
        assert n_risk == chain[-1][0]
        landmark = float(k)
        time += [k + 1.0] * prev
        event += [0] * prev
    else:
        landmark = k + 0.25
        drop = 0 if n_risk is None else prev - n_risk
        time += [k + 0.1] * drop + [k + 1.0] * (prev - drop)  # censored before / after the landmark
        event += [0] * prev
    return np.array(time), np.array(event), landmark


@pytest.mark.parametrize("N, text, kw", [(10, "55.6", {}), (23, "87.0", {}), (60, "31.7", {}),
                                          (40, "12.3", {}), (59, "20.3", {}), (15, "6.7", {}),
                                          (30, "47.2", {"n_risk": 9}), (30, "47.2", {"events": 13}),
                                          (30, "47.2", {"events": 13, "n_risk": 12}),
                                          (30, "15.0", {"n_risk": 20})])
def test_witness_reproduced_by_survfit(N, text, kw):
    res = km_search(N, interval(text), **kw)
    assert res.found
    t, e, landmark = _data_from_chain(N, res.chain, kw.get("n_risk"))
    assert t.size == N
    s = pyimpl.survfit(t, e).summary([landmark])
    surv = float(s["surv"].iloc[0])
    assert surv == pytest.approx(float(chain_value(res.chain)), rel=1e-13)
    assert interval(text).contains(chain_value(res.chain))
    if "events" in kw:
        assert int(e[t <= landmark].sum()) == kw["events"]
    if "n_risk" in kw:
        assert int((t >= landmark).sum()) == kw["n_risk"]
        assert int(s["n_risk"].iloc[0]) == kw["n_risk"]


@pytest.mark.r
def test_witness_reproduced_by_r(r_engine):
    res = km_search(23, interval("69.6"))
    t, e, landmark = _data_from_chain(23, res.chain)
    fit = r_engine.survfit(t, e)
    s = fit.summary([landmark])
    assert float(s["surv"].iloc[0]) == pytest.approx(float(chain_value(res.chain)), rel=1e-14)


cohorts = st.integers(2, 60).flatmap(lambda n: st.tuples(
    st.lists(st.integers(1, 40), min_size=n, max_size=n),
    st.lists(st.booleans(), min_size=n, max_size=n),
    st.integers(0, 41)))


@given(cohorts, st.sampled_from(["none", "events", "n_risk", "both"]))
def test_real_km_values_are_never_called_impossible(cohort, extra):
    times, events, landmark = cohort
    t = np.array(times, float)
    e = np.array(events, int)
    fit = pyimpl.survfit(t, e)
    idx = np.searchsorted(fit.time, landmark, side="right") - 1
    S = 1.0 if idx < 0 else float(fit.surv[idx])
    text = str(Decimal(100 * S).quantize(Decimal("0.1")))
    D = int(e[t <= landmark].sum())
    R = int((t >= landmark).sum())
    kw = {"none": {}, "events": {"events": D}, "n_risk": {"n_risk": R}, "both": {"events": D, "n_risk": R}}[extra]
    res = km_search(t.size, interval(text), budget=50_000, **kw)
    assert res.found is not False, (text, kw)


def test_landmark_entries_through_audit():
    rep = audit({"tables": [{"id": "os", "arms": ["A"], "n": [23], "landmark": [
        {"arm": "A", "time": "1 y", "percent": "87.0"},
        {"arm": "A", "time": "2 y", "percent": "97.0"},
        {"N": 23, "time": "3 y", "percent": "0"},
    ]}]})
    v = [e.verdict for e in rep.entries]
    assert v == [Verdict.CONSISTENT, Verdict.INCONSISTENT, Verdict.CONSISTENT]
    assert "k = 20" in rep.entries[0].message
    assert rep.entries[0].data["chain"] == [[23, 20]]


def test_budget_exhaustion_is_cannot_tell():
    rep = audit({"options": {"km_node_budget": 1},
                 "tables": [{"id": "t", "landmark": [{"N": 23, "time": "2", "percent": "94.0"}]}]})
    assert rep.entries[0].verdict is Verdict.CANNOT_TELL
    assert "budget" in rep.entries[0].message
