"""The large-data machinery of pyimpl.cox, made to show itself on small data.

The regrouped evaluation walks the rows in blocks of ``BLOCK`` rows cut into
pieces at stratum starts, with running sums carried across blocks; the fit
plans its sums on another thread, and starts the concordance of the final
coefficients beside the last evaluation. At their real sizes (4096-row
blocks, 50,000 rows) none of that is reachable by a unit test, so the sizes
are lowered here until every branch runs, and each path is checked against
the one it replaces: the C-order replay (bit-for-bit R) to rounding, and the
concordance computed the plain way exactly.
"""
from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest

import pyimpl.cox._rowblocks as blocks
import pyimpl.cox.fit as fitmod
import pyimpl.cox.regrouped as regmod
from pyimpl import coxph
from pyimpl.cox.cindex import concordancefit

coxmod = importlib.import_module("pyimpl.cox.coxph")  # the module (pyimpl.cox exports the function)


def _cohort(seed, n=400, p=3, ties=6, strata=0, weights=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    X[:, 0] = rng.integers(0, 2, n)
    t = np.ceil(rng.exponential(size=n) * ties)
    e = rng.binomial(1, 0.7, n).astype(float)
    s = rng.integers(0, strata, n) if strata else None
    w = rng.integers(1, 4, n).astype(float) if weights else None
    return pd.DataFrame(X, columns=[f"x{j}" for j in range(p)]), t, e, s, w


def _same_fit(a, b, rtol_var=1e-11):
    assert a.iterations == b.iterations
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-12)
    np.testing.assert_allclose(a.loglik, b.loglik, rtol=1e-14)
    np.testing.assert_allclose(a.var, b.var, rtol=rtol_var, atol=1e-13 * np.abs(b.var).max())
    np.testing.assert_allclose(a.score_test.statistic, b.score_test.statistic, rtol=1e-11)


@pytest.mark.parametrize("block", [5, 16, 37, 4096])
@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("case", ["plain", "strata", "heavy-ties", "weights+strata"])
@pytest.mark.parametrize("short_run_max", [0, 10**6])
def test_blocks_and_pieces_match_c_order(monkeypatch, block, ties, case, short_run_max):
    """Every block size gives the C-order answer to rounding: carries across
    blocks, strata starting inside a block (several pieces), multi-death runs
    split by a block boundary, blocks with no death group, the branch for
    blocks with few death groups (heavy ties), and the tied deaths' sums
    taken row position by row position or by one masked sum over the block."""
    kw = {"plain": {}, "strata": {"strata": 5}, "heavy-ties": {"ties": 0.3},
          "weights+strata": {"strata": 3, "weights": True}}[case]
    X, t, e, s, w = _cohort(11, **kw)
    exact = coxph(X, t, e, ties=ties, strata=s, weights=w)
    monkeypatch.setattr(fitmod, "EXACT_ORDER_LIMIT", 0)
    monkeypatch.setattr(blocks, "BLOCK", block)
    monkeypatch.setattr(blocks, "SHORT_RUN_MAX", short_run_max)
    fast = coxph(X, t, e, ties=ties, strata=s, weights=w)
    _same_fit(fast, exact)


def test_block_branches_are_reached(monkeypatch):
    """The cases above do reach every branch of the pass (a test that cannot
    see its branch would pass on a broken one)."""
    seen = set()
    real = regmod._fused_pass

    def spy(d, seg, *args):
        for blk, (pl, ph, h0, h1, k0, k1) in enumerate(zip(seg.piece_lo, seg.piece_hi, seg.h_lo, seg.h_hi,
                                                           seg.k_lo, seg.k_hi)):
            if ph - pl > 1:
                seen.add("pieces")
            elif h1 == h0:
                seen.add("no death group")
            elif not seg.running[blk]:
                seen.add("few death groups")
            else:
                seen.add("running sum")
            if k1 > k0:
                if seg.running[blk]:
                    seen.add("deaths' sums off the running sum")
                elif seg.short_runs[blk] is not None:
                    seen.add("deaths' sums row by row")
                else:
                    seen.add("deaths' sums masked")
        crossing = (seg.run_start[:, None] < np.array(seg.starts)[None, 1:]) & \
                   (seg.run_start[:, None] + 1 >= np.array(seg.starts)[None, 1:])
        if seg.multi.size and crossing.any():
            seen.add("run across blocks")
        return real(d, seg, *args)

    monkeypatch.setattr(regmod, "_fused_pass", spy)
    monkeypatch.setattr(fitmod, "EXACT_ORDER_LIMIT", 0)
    for block, kw in [(16, {"strata": 5}), (37, {"ties": 0.3}), (5, {}), (64, {"ties": 0.05}), (4096, {"ties": 0.05})]:
        monkeypatch.setattr(blocks, "BLOCK", block)
        X, t, e, s, w = _cohort(11, **kw)
        coxph(X, t, e, strata=s, weights=w)
    assert seen == {"pieces", "no death group", "few death groups", "running sum", "run across blocks",
                    "deaths' sums off the running sum", "deaths' sums row by row", "deaths' sums masked"}


@pytest.mark.parametrize("guess", ["right", "wrong", "never", "off"])
def test_concordance_beside_the_last_evaluation(monkeypatch, guess):
    """The concordance started beside the last evaluation is the one computed
    afterwards, bit for bit, whether the guess of the final coefficients was
    right, wrong (computed again) or never made."""
    X, t, e, s, _ = _cohort(3, n=500, strata=2)
    plain = coxph(X, t, e, strata=s)  # below PARALLEL_MIN_ROWS: no thread
    monkeypatch.setattr(coxmod, "PARALLEL_MIN_ROWS", 0 if guess != "off" else 10**9)
    real = fitmod.coxfit6

    def steered(*args, ahead=None, **kw):
        if ahead is not None and guess == "wrong":
            return real(*args, ahead=lambda coef: ahead(coef * (1 + 1e-3)), **kw)
        if guess == "never":
            ahead = None
        return real(*args, ahead=ahead, **kw)

    monkeypatch.setattr(coxmod, "coxfit6", steered)
    fit = coxph(X, t, e, strata=s)
    assert _values(fit.concordance) == _values(plain.concordance)
    np.testing.assert_array_equal(fit.linear_predictors, plain.linear_predictors)
    np.testing.assert_array_equal(fit.coef, plain.coef)


def test_the_guess_is_made_on_the_last_step(monkeypatch):
    """coxfit6 guesses when the predicted gain is within the tolerance, which
    on a regular fit is the last iteration only, and the guess is then the
    fit's coefficients."""
    X, t, e, s, _ = _cohort(5, n=300)
    guesses = []
    real = fitmod.coxfit6

    def recording(*args, ahead=None, **kw):
        return real(*args, ahead=guesses.append, **kw)

    monkeypatch.setattr(coxmod, "coxfit6", recording)
    fit = coxph(X, t, e)
    assert fit.iterations >= 3 and len(guesses) == 1
    np.testing.assert_array_equal(guesses[0], fit.coef)


@pytest.mark.parametrize("parallel_rows", [0, 10**9])
def test_plan_beside_the_design(monkeypatch, parallel_rows):
    """The sums' plan made on another thread gives the fit made without it, bit for bit."""
    X, t, e, s, w = _cohort(8, n=600, strata=3, weights=True)
    monkeypatch.setattr(fitmod, "EXACT_ORDER_LIMIT", 0)
    base = coxph(X, t, e, strata=s, weights=w)
    monkeypatch.setattr(coxmod, "PARALLEL_MIN_ROWS", parallel_rows)
    fit = coxph(X, t, e, strata=s, weights=w)
    np.testing.assert_array_equal(fit.coef, base.coef)
    np.testing.assert_array_equal(fit.var, base.var)
    assert _values(fit.concordance) == _values(base.concordance)


@pytest.mark.parametrize("seed", range(4))
def test_concordance_threads_do_not_change_it(monkeypatch, seed):
    """The two wavelets of the concordance give the same counts on one thread or two."""
    import pyimpl.cox.cindex as ci

    rng = np.random.default_rng(seed)
    n = 3000
    t = np.ceil(rng.exponential(size=n) * 20)
    e = rng.binomial(1, 0.6, n).astype(float)
    x = np.round(rng.normal(size=n), 1)
    w = rng.uniform(0.5, 2, n) if seed % 2 else None
    s = rng.integers(0, 3, n)
    monkeypatch.setattr(ci, "PARALLEL_MIN_ITEMS", 10**9)
    one = concordancefit(t, e, x, s, w)
    monkeypatch.setattr(ci, "PARALLEL_MIN_ITEMS", 0)
    two = concordancefit(t, e, x, s, w)
    assert _values(one) == _values(two)


def _values(conc) -> str:
    """Every field, NaN included, as text (results compare by identity)."""
    return repr(vars(conc))


@pytest.mark.parametrize("pad_from", [0, 10**9])
@pytest.mark.parametrize("nseg", [1, 3, 40, 1500])
def test_running_sums_restart_like_the_c_loop(monkeypatch, pad_from, nseg):
    """cumsum_restart, padded or one segment at a time, is the C loop's
    ``s = 0`` at a stratum start then ``s += v``, bit for bit."""
    import pyimpl.cox._order as order

    monkeypatch.setattr(order, "PAD_MIN_SEGMENTS", pad_from)
    rng = np.random.default_rng(nseg)
    n = 6000
    starts = np.concatenate(([0], np.sort(rng.choice(np.arange(1, n), nseg - 1, replace=False))))
    v = rng.normal(size=(n, 2))
    got = order.cumsum_restart(v, starts)
    want = np.empty_like(v)
    for a, b in zip(starts, np.append(starts[1:], n)):
        s = np.zeros(2)
        for i in range(a, b):
            s = s + v[i]
            want[i] = s
    np.testing.assert_array_equal(got, want)


# ---- (start, stop] data: the information matrix as one Gram matrix ------------------------------------
def _intervals(seed, subjects=300, p=3, strata=0, weights=False, cuts=3, gap=False):
    """Subjects followed from a delayed entry, their follow-up cut in pieces
    (ties on a grid); with ``gap``, every other subject enters after all the
    others have left (the risk set empties between the two)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(subjects):
        x = rng.normal(size=p)
        t0 = float(rng.integers(0, 4)) + (100.0 if gap and i % 2 else 0.0)
        t1 = t0 + float(rng.integers(1, 12))
        inner = sorted(set(rng.integers(int(t0) + 1, int(t1) + 1, cuts).tolist()) - {int(t1)})
        bounds = [t0, *map(float, inner), t1]
        dead = float(rng.random() < 0.6)
        for k, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
            rows.append({**{f"x{j}": x[j] for j in range(p)}, "start": a, "stop": b,
                         "event": dead if k == len(bounds) - 2 else 0.0, "id": i,
                         "s": int(rng.integers(0, strata)) if strata else 0,
                         "w": float(rng.integers(1, 4)) if weights else 1.0})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed, ties, strata, weights, gap", [(1, "efron", 0, False, False),
                                                               (2, "breslow", 0, True, False),
                                                               (3, "efron", 3, True, False),
                                                               (4, "efron", 0, False, False),
                                                               (5, "efron", 0, True, True),
                                                               (6, "breslow", 2, False, True)])
def test_counting_information_as_one_gram_matrix(monkeypatch, seed, ties, strata, weights, gap):
    """Large (start, stop] data take ``X' diag(r h) X - A' diag(mw / D^2) A``
    (:func:`pyimpl.cox.agreg._information_gram`) for agfit4's running sums of
    ``r x x'`` and its regrouped running sums (:func:`pyimpl.cox.agreg._running_sums_regrouped`,
    restarting where the risk set empties with ``gap``): forced here on small
    data, the fit is the replay's to rounding."""
    import pyimpl.cox.agreg as agreg

    d = _intervals(seed, strata=strata, weights=weights, gap=gap)
    formula = "Surv(start, stop, event) ~ x0 + x1 + x2" + (" + strata(s)" if strata else "")
    kw = {"ties": ties, "weights": "w" if weights else None}
    exact = coxph(formula, data=d, **kw)
    monkeypatch.setattr(agreg, "GRAM_LIMIT", 0)
    gram = coxph(formula, data=d, **kw)
    np.testing.assert_allclose(gram.coef, exact.coef, rtol=1e-12)
    np.testing.assert_allclose(gram.var, exact.var, rtol=1e-11)
    np.testing.assert_allclose(gram.loglik, exact.loglik, rtol=1e-14)
    assert gram.iterations == exact.iterations
