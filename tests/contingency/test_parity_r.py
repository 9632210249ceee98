"""Live parity against R (``stats::fisher.test`` / ``stats::chisq.test``):
every registered case, every option, and hypothesis-generated tables
(differential: pyimpl == R within the tolerance table)."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pyimpl
import rbridge
from rparity.cases import all_cases
from rparity.compare import outcome_of
from rparity_contract.errors import RError

from ._compare import assert_parity

pytestmark = pytest.mark.r

CASES = [c for c in all_cases() if c.function in ("fisher_test", "chisq_test")]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case_parity(case, py_engine, r_engine):
    a = outcome_of("pyimpl", case.function, lambda: case.run(py_engine))
    b = outcome_of("r", case.function, lambda: case.run(r_engine))
    if not (a.ok and b.ok):  # an input R refuses: pyimpl refuses it too, for the same reason
        assert a.refused and b.refused and a.kind == b.kind, (a, b)
        return
    ours, theirs = a.values, b.values
    assert set(ours) == set(theirs)
    for quantity in ours:
        assert_parity(case.function, quantity, ours[quantity], theirs[quantity])


OPTIONS = [dict(alternative=a, conf_level=cl, or_=o, conf_int=ci)
           for a in ("two.sided", "less", "greater") for cl in (0.8, 0.95, 0.99)
           for o in (0.0, 0.5, 1.0, 3.0, math.inf) for ci in (True, False) if ci or cl == 0.95]


@pytest.mark.parametrize("table", [[[3, 1], [1, 3]], [[10, 2], [3, 15]], [[0, 4], [6, 1]], [[7, 0], [2, 9]]],
                         ids=str)
def test_fisher_2x2_every_option(table):
    for kw in OPTIONS:
        ours, theirs = pyimpl.fisher_test(table, **kw), rbridge.fisher_test(table, **kw)
        for q in ("pvalue", "estimate", "conf_int"):
            assert_parity("fisher_test", q, getattr(ours, q), getattr(theirs, q))


def test_r_results_carry_provenance_and_warnings():
    with pytest.warns(UserWarning, match="Chi-squared approximation may be incorrect"):
        r = rbridge.chisq_test([[1, 2], [3, 4]])
    assert r.engine == "r"
    assert r.warnings == ("Chi-squared approximation may be incorrect",)
    assert r.provenance["call"] == "stats::chisq.test(x, correct = TRUE)"
    assert r.provenance["R"].startswith("R version")
    f = rbridge.fisher_test([[3, 1], [1, 3]], alternative="less")
    assert f.provenance["call"] == ('stats::fisher.test(x, alternative = "less", conf.int = TRUE, '
                                    "conf.level = 0.95, or = 1.0)")


def test_where_fexact_runs_out_of_workspace_pyimpl_answers():
    t = [[40, 45, 42], [38, 44, 41], [43, 39, 40]]  # R: FEXACT error 6 (LDKEY too small)
    with pytest.raises(RError, match="FEXACT error"):
        rbridge.fisher_test(t)
    assert pyimpl.fisher_test(t).pvalue == pytest.approx(0.9478618, rel=1e-6)  # R, workspace = 2e8


# -- differential -----------------------------------------------------------------------
def _tables(max_count: int):
    return st.integers(2, 4).flatmap(lambda r: st.integers(2, 4).flatmap(
        lambda c: st.lists(st.lists(st.integers(0, max_count), min_size=c, max_size=c),
                           min_size=r, max_size=r))).map(np.array)


DIFF = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)


@DIFF
@given(st.one_of(_tables(3), _tables(12)), st.sampled_from(["two.sided", "less", "greater"]))
def test_fisher_differential(t, alternative):
    if t.sum() == 0 and t.shape != (2, 2):
        return
    if t.shape != (2, 2) and t.sum() > 60:
        # beyond N ~ 60, R's FEXACT itself is off the exact sum by up to ~3e-12
        # (it skips some qualifying tables: see test_fexact_skips_a_qualifying_table)
        return
    ours = pyimpl.fisher_test(t, alternative=alternative)
    try:
        theirs = rbridge.fisher_test(t, alternative=alternative)
    except RError as exc:
        # FEXACT's default workspace is exhausted even by some 4 x 4 tables with
        # N ~ 50 (e.g. [[0,0,0,5],[0,0,11,9],[1,9,0,2],[9,2,0,4]]); pyimpl answers
        assert "FEXACT error" in exc.r_message
        assert 0.0 <= ours.pvalue <= 1.0
        return
    for q in ("pvalue", "estimate", "conf_int"):
        assert_parity("fisher_test", q, getattr(ours, q), getattr(theirs, q))


@DIFF
@given(st.one_of(_tables(3), _tables(40)), st.booleans())
def test_chisq_differential(t, correct):
    if t.sum() == 0:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = pyimpl.chisq_test(t, correct=correct), rbridge.chisq_test(t, correct=correct)
    for q in ("statistic", "df", "pvalue", "expected", "residuals", "stdres"):
        assert_parity("chisq_test", q, getattr(ours, q), getattr(theirs, q))
    assert_parity("chisq_test", "warnings", ours.warnings, theirs.warnings)


@pytest.mark.slow
def test_fexact_skips_a_qualifying_table():
    """R 4.2.2's FEXACT leaves out tables that satisfy its own criterion.

    For this 3 x 3 table (N = 237) R's p-value is short of the exact sum over the
    qualifying tables -- computed here by brute force over all 2.9 million tables
    with FEXACT's own log-factorials -- by exactly the probability of one of them,
    [[13, 63, 2], [22, 13, 44], [35, 7, 38]] (rows and columns in ascending order
    of total), P = 3.0459e-31: 8.8e-13 of the p-value. pyimpl gives the exact sum.
    """
    from pyimpl.contingency.rxc_table import RxCControl, RxCProblem, compositions

    t = np.array([[31, 7, 40], [34, 40, 5], [5, 36, 39]])
    r_value = rbridge.fisher_test(t).pvalue
    prob = RxCProblem(t, RxCControl())
    fact = prob.fact

    def ddf(c, x):
        return fact[c] - fact[x].sum(axis=-1)

    x0 = compositions(int(prob.cols[0]), prob.rows)
    x1 = compositions(int(prob.cols[1]), prob.rows)
    d0, d1 = ddf(prob.cols[0], x0), ddf(prob.cols[1], x1)
    terms = []
    for a in range(len(x0)):
        rest = prob.rows - x0[a] - x1
        ok = (rest >= 0).all(axis=1)
        length = d0[a] + d1[ok] + ddf(prob.cols[2], rest[ok])
        terms.append(np.exp(length[length <= prob.obs] - prob.dro))
    exact = math.fsum(np.concatenate(terms).tolist())
    skipped = math.exp(ddf(70, np.array([13, 22, 35])) + ddf(83, np.array([63, 13, 7]))
                       + ddf(84, np.array([2, 44, 38])) - prob.dro)
    assert pyimpl.fisher_test(t).pvalue == pytest.approx(exact, rel=1e-14)
    assert (exact - r_value) / exact > 5e-13
    assert exact - r_value == pytest.approx(skipped, rel=1e-5)
