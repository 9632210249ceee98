"""Cox model (Efron ties): pyimpl vs R's ``coxph`` vs lifelines' ``CoxPHFitter``.

    python -m bench.cox [--sizes 10000 100000 200000] [--reps 3] [--p 10]

Data: 10 standard-normal covariates, exponential survival times with hazard
exp(0.1 * sum(x)), rounded up to whole hundredths of the median (heavy ties,
a few hundred distinct times), 30% censoring. Every engine gets the same
numbers. R is timed inside R around ``coxph(Surv(time, event) ~ ., data = d)``
(``proc.time``: formula, model frame, fit and concordance; no conversion, no
start-up). lifelines is timed around ``CoxPHFitter().fit`` (Efron ties, its
own Newton-Raphson). pyimpl's peak memory is measured with ``tracemalloc``
in a separate, untimed call, and shown next to the size of the design matrix.
Ratios are engine time / pyimpl time (> 1: pyimpl faster).

Targets (issue 3): pyimpl at most a quarter of R's time at 2 x 10^5, faster
than lifelines at every size, peak memory a few copies of the design matrix.
"""
from __future__ import annotations

import argparse
import tracemalloc
import warnings

import numpy as np
import pandas as pd

from bench._timing import best_of, fmt, r_session, ratio


def make_data(n: int, p: int = 10, seed: int = 20261127):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    rate = np.exp(0.1 * X.sum(axis=1))
    t = rng.exponential(1.0 / rate)
    time = np.ceil(t / np.median(t) * 100.0)
    event = (rng.random(n) > 0.3).astype(float)
    return pd.DataFrame(X, columns=[f"x{j + 1}" for j in range(p)]), time, event


def _peak_mb(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def run(sizes: list[int], reps: int, p: int) -> list[dict]:
    import pyimpl

    have_r = r_session() is not None
    if have_r:
        import rbridge
    try:
        from lifelines import CoxPHFitter
    except ImportError:
        CoxPHFitter = None
    rows = []
    for n in sizes:
        X, t, e = make_data(n, p)
        row = {"n": n, "design_mb": X.to_numpy().nbytes / 2**20}
        fit = pyimpl.coxph(X, t, e)
        row["iter_py"] = fit.iterations
        row["pyimpl"] = best_of(lambda: pyimpl.coxph(X, t, e), reps)
        row["peak_mb"] = _peak_mb(lambda: pyimpl.coxph(X, t, e))
        if have_r:
            xr = pd.DataFrame({f"x{j + 1}": X.iloc[:, j].to_numpy() for j in range(p)})
            v = rbridge.session().call("rparity_time_coxph", x=xr, time=t, event=e, reps=reps).value
            row["r"], row["iter_r"] = float(v[0]), int(v[1])
        if CoxPHFitter is not None:
            df = X.assign(time=t, event=e)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                row["lifelines"] = best_of(
                    lambda: CoxPHFitter().fit(df, duration_col="time", event_col="event"), reps)
        rows.append(row)
    return rows


def print_table(rows: list[dict]) -> None:
    print(f"{'n':>8} {'pyimpl s':>9} {'R s':>8} {'lifelines s':>12} {'R/py':>6} {'ll/py':>6} "
          f"{'iter py/R':>9} {'peak MB':>8} {'design MB':>9}")
    for r in rows:
        it = f"{r.get('iter_py', '-')}/{r.get('iter_r', '-')}"
        print(f"{r['n']:>8} {fmt(r.get('pyimpl')):>9} {fmt(r.get('r')):>8} {fmt(r.get('lifelines')):>12} "
              f"{ratio(r.get('r'), r.get('pyimpl')):>6} {ratio(r.get('lifelines'), r.get('pyimpl')):>6} "
              f"{it:>9} {r['peak_mb']:>8.1f} {r['design_mb']:>9.1f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 200_000])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--p", type=int, default=10)
    args = ap.parse_args(argv)
    print_table(run(args.sizes, args.reps, args.p))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
