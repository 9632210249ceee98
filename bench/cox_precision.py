"""How close the regrouped Cox path (large data) comes to R, measured.

    python -m bench.cox_precision [--n 20000]

Small data replay coxfit6's sums in C order and agree with R to the bit; data
with ``n p^2`` above ``pyimpl.cox.fit.EXACT_ORDER_LIMIT`` regroup the sums.
This script fits data sets chosen to stress that path (strong effects,
covariates with large means and mixed scales, binary columns, heavy ties,
Efron's tied-death terms on many small tie groups, strata, weights; Efron
and Breslow) in both engines and prints, per fit:

* ``coef``: max |pyimpl - R| / |R| over the coefficients;
* ``var``: max |pyimpl - R| over the variance matrix, relative to the matrix's
  scale ``sqrt(var_ii var_jj)`` of each element (an off-diagonal element near 0
  has no meaningful relative error of its own);
* ``loglik``: relative difference of the final log partial likelihood;
* the iteration counts.
"""
from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from bench._timing import r_session


def datasets(n: int, seed: int = 7):
    rng = np.random.default_rng(seed)
    p = 10
    X = rng.standard_normal((n, p))
    yield "standard, efron", X, {}, 0.1, "efron"
    yield "standard, breslow", X, {}, 0.1, "breslow"
    big = X.copy()
    big[:, 0] = 60 + 10 * X[:, 0]  # age
    big[:, 1] = 1e5 + 2e4 * X[:, 1]  # income
    big[:, 2] = (X[:, 2] > 0.5).astype(float)  # binary
    big[:, 3] = 1e-3 * X[:, 3]  # tiny scale
    yield "large means, mixed scales", big, {}, 0.1, "efron"
    yield "strong effects", X, {}, 0.8, "efron"
    yield "heavy ties, breslow, 14 columns", rng.standard_normal((n, 14)), {"ties": 20}, 0.2, "breslow"
    kw = {"strata": rng.integers(0, 50, n), "weights": rng.integers(1, 4, n).astype(float)}
    yield "strata 50 + weights", X, kw, 0.2, "efron"
    # Efron's tied-death terms on many small tie groups (about 3 rows a time)
    yield "n/3 distinct times, efron", X, {"ties": n // 3}, 0.2, "efron"
    yield "n/6 distinct times, 100 strata, efron", X, {"ties": n // 6, "strata": rng.integers(0, 100, n)}, 0.2, \
        "efron"


def one(X, kw, effect, ties, rng):
    n = X.shape[0]
    xs = (X - X.mean(0)) / X.std(0)
    t = rng.exponential(1 / np.exp(effect * xs.sum(1)))
    if "ties" in kw:
        t = np.ceil(t / np.quantile(t, 0.95) * kw["ties"])
    e = (rng.random(n) < 0.7).astype(float)
    cols = [f"x{j + 1}" for j in range(X.shape[1])]
    args = dict(ties=ties)
    for k in ("strata", "weights"):
        if k in kw:
            args[k] = kw[k]
    return pd.DataFrame(X, columns=cols), t, e, args


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=20000)
    args = ap.parse_args(argv)
    if r_session() is None:
        print("R is not available: nothing to compare")
        return 1
    import pyimpl
    import rbridge
    from pyimpl.cox import fit as fitmod

    rng = np.random.default_rng(11)
    print(f"{'data':>34} {'path':>9} {'coef':>9} {'var':>9} {'loglik':>9} {'iter py/R':>9}")
    worst = {"coef": 0.0, "var": 0.0, "loglik": 0.0}
    for name, X, kw, effect, ties in datasets(args.n):
        df, t, e, a = one(X, kw, effect, ties, rng)
        f = pyimpl.coxph(df, t, e, **a)
        g = rbridge.coxph(df, t, e, **a)
        path = "exact" if df.shape[0] * df.shape[1] ** 2 <= fitmod.EXACT_ORDER_LIMIT else "regrouped"
        d_coef = float(np.max(np.abs(f.coef - g.coef) / np.abs(g.coef)))
        scale = np.sqrt(np.outer(np.diag(g.var), np.diag(g.var)))
        d_var = float(np.max(np.abs(f.var - g.var) / scale))
        d_ll = float(abs(f.loglik[1] - g.loglik[1]) / abs(g.loglik[1]))
        for k, v in (("coef", d_coef), ("var", d_var), ("loglik", d_ll)):
            worst[k] = max(worst[k], v)
        print(f"{name:>34} {path:>9} {d_coef:9.1e} {d_var:9.1e} {d_ll:9.1e} {f.iterations:>4}/{g.iterations}")
    print(f"{'worst':>34} {'':>9} {worst['coef']:9.1e} {worst['var']:9.1e} {worst['loglik']:9.1e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
