"""Exact matching and subclassification (``method="exact"``, ``"subclass"``):
pyimpl vs ``MatchIt::matchit`` timed inside R.

    python -m bench.matching_exact [--sizes 100000 1000000] [--reps 3]

Data: n units, three categorical covariates (3, 4 and 5 levels) and an integer
one (0..9), about a third treated; ATT; subclassification on a glm propensity
score, 6 subclasses. R is timed inside R with
``system.time`` around ``MatchIt::matchit``; "same" says whether the subclass
partitions and weights are identical. Ratios are R time / pyimpl time.
"""
from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd

from bench._timing import best_of, fmt, r_session, ratio

COVS = ["a", "b", "c", "k"]


def make_data(n: int, seed: int = 20261204) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"a": pd.Categorical(rng.choice(list("xyz"), n)),
                      "b": pd.Categorical(rng.choice(list("pqrs"), n)),
                      "c": pd.Categorical(rng.choice(list("lmnop"), n)),
                      "k": rng.integers(0, 10, n)})
    lp = -1.0 + 0.3 * (d["a"] == "x") - 0.2 * d["k"] / 10
    d.insert(0, "treat", rng.binomial(1, 1 / (1 + np.exp(-lp.to_numpy()))))
    return d


def run(sizes: list[int], reps: int) -> list[dict]:
    import pyimpl

    sess = r_session()
    rows = []
    for n in sizes:
        for method in ("exact", "subclass"):
            d = make_data(n)
            row: dict = {"n": n, "method": method}
            res = {}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                def fit(method=method):
                    res["m"] = pyimpl.matchit(d, "treat", COVS, method=method)
                row["pyimpl"] = best_of(fit, reps)
            if sess is not None:
                v = sess.call("rparity_time_matchit_exact", X=d[COVS], treat=d["treat"].to_numpy(np.int32),
                              method=method).value
                row["r"] = float(np.asarray(v["seconds"]).ravel()[0])
                w = np.asarray(v["weights"], dtype=float)
                s = np.asarray(v["subclass"], dtype=float)
                s = np.where(np.isfinite(s), s - 1, -1).astype(np.int64)
                row["same"] = bool(np.array_equal(w, res["m"].weights)
                                   and np.array_equal(s, pd.Categorical(res["m"].subclass).codes))
            rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args(argv)
    rows = run(args.sizes, args.reps)
    print("wall seconds (pyimpl best of reps; R once, inside R)")
    print(f"{'n':>9} {'method':>9} {'pyimpl s':>9} {'R s':>9} {'R/pyimpl':>9} {'same':>5}")
    for r in rows:
        print(f"{r['n']:>9} {r['method']:>9} {fmt(r['pyimpl']):>9} {fmt(r.get('r')):>9} "
              f"{ratio(r.get('r'), r['pyimpl']):>9} {str(r.get('same', '-')):>5}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
