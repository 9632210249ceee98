"""coxph without covariates: R's null model (``coxph.null``).

R fits ``Surv(time, event) ~ 1`` as coxph.fit does: a stand-in column, no
iteration, the log-likelihood at 0. Its closed-form meaning: the partial
log-likelihood of any model at coefficients 0, which is what every fit
reports as ``loglik[0]``; live R comparisons are in the check's matrix
(``coxph/edge-null-model*``)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pyimpl import basehaz, concordance, cox_zph, coxph
from rparity_contract.errors import InvalidArgument


def _cohort(seed, n=80):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.integers(0, 3, n).astype(float)})
    t = np.ceil(rng.exponential(size=n) * 6)
    e = rng.binomial(1, 0.7, n).astype(float)
    return X, t, e, rng


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("ties", ["efron", "breslow", "exact"])
def test_null_loglik_is_every_models_loglik_at_zero(seed, ties):
    X, t, e, rng = _cohort(seed)
    kw = {"strata": rng.integers(0, 2, t.size)} if seed % 2 else {}
    if seed % 3 == 1 and ties != "exact":
        kw["weights"] = rng.integers(1, 4, t.size).astype(float)
    null = coxph(X.iloc[:, :0], t, e, ties=ties, **kw)
    full = coxph(X, t, e, ties=ties, **kw)
    assert null.loglik.shape == (1,)
    assert null.loglik[0] == full.loglik[0]


def test_null_model_shape_like_r():
    X, t, e, _ = _cohort(1)
    f = coxph(X.iloc[:, :0], t, e)
    assert f.coef.shape == (0,) and f.var.shape == (0, 0) and f.means.shape == (0,)
    assert f.score_test is None and f.wald_test is None and f.lr_test is None
    assert f.iterations == 0 and not f.robust and f.naive_var is None
    np.testing.assert_array_equal(f.linear_predictors, np.zeros(t.size))
    c = f.concordance
    assert c.c == 0.5 and c.std == 0.0 and c.concordant == 0 and c.discordant == 0 and c.tied_x > 0


def test_derived_functions_on_the_null_model():
    X, t, e, _ = _cohort(2)
    f = coxph(X.iloc[:, :0], t, e)
    assert concordance(f).c == 0.5
    b = basehaz(f)
    assert np.all(np.diff(b["hazard"].to_numpy()) >= 0)
    with pytest.raises(InvalidArgument, match="null model") as exc:
        cox_zph(f)
    assert exc.value.kind == "fit.no_events"
