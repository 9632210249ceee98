"""Cox model (Efron ties) in every tie regime: pyimpl vs R's ``coxph`` vs
lifelines' ``CoxPHFitter``, in the same run.

    python -m bench.cox [--n 200000] [--p 10] [--reps 5] [--regimes ...] [--scaling]

Regimes (n x p standard-normal covariates, exponential times with hazard
exp(0.1 * sum(x)), 30% censoring unless said otherwise):

* ``few-times``: times rounded up to hundredths of the median (a few hundred
  distinct times, heavy ties);
* ``many-times``: times rounded to a grid on which about n/3 are distinct;
* ``no-ties``: continuous times;
* ``censored-90``: 90% censoring;
* ``strata-100``: 100 strata;
* ``fractional-weights``: case weights drawn from (0.5, 1.5) (robust variance,
  as R switches to);
* ``cluster``: 1,000 clusters, robust variance.

Each engine gets the same numbers. R is timed inside R around ``coxph`` (model
frame, fit, concordance; no conversion, no start-up); lifelines around
``CoxPHFitter().fit`` (Efron ties, its own Newton-Raphson; one run, it is slow).
Times are the median of ``--reps`` runs, R's and pyimpl's in the same process
run; ratios are engine time / pyimpl time (> 1: pyimpl faster); "of R" is
pyimpl's time as a fraction of R's (the target is at most 0.25). ``--scaling``
adds 10^6 x 20 (few times) with pyimpl's peak memory (``tracemalloc``) in
copies of the design matrix (target: under 5 s, below 4 copies).
"""
from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bench._timing import fmt, r_session, ratio

REGIMES = ("few-times", "many-times", "no-ties", "censored-90", "strata-100", "fractional-weights", "cluster")


@dataclass
class CoxData:
    X: pd.DataFrame
    time: np.ndarray
    event: np.ndarray
    kw: dict = field(default_factory=dict)  # weights / strata / cluster / robust

    @property
    def design_mb(self) -> float:
        return self.X.to_numpy().nbytes / 2**20


def make_data(regime: str, n: int, p: int = 10, seed: int = 20261127) -> CoxData:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    rate = np.exp(0.1 * X.sum(axis=1))
    t = rng.exponential(1.0 / rate)
    censor = 0.9 if regime == "censored-90" else 0.3
    event = (rng.random(n) > censor).astype(float)
    if regime == "many-times":
        # about n/3 distinct times: a grid of 2n/3 steps over the bulk of the
        # distribution (half the cells stay empty or shared; measured n/2.96)
        step = np.quantile(t, 0.99) / (2 * n / 3)
        time_ = np.round(t / step) * step
    elif regime == "no-ties":
        time_ = t
    else:
        time_ = np.ceil(t / np.median(t) * 100.0)
    kw: dict = {}
    if regime == "strata-100":
        kw["strata"] = rng.integers(0, 100, size=n)
    elif regime == "fractional-weights":
        kw["weights"] = rng.uniform(0.5, 1.5, size=n)
    elif regime == "cluster":
        kw["cluster"] = rng.integers(0, 1000, size=n)
    return CoxData(pd.DataFrame(X, columns=[f"x{j + 1}" for j in range(p)]), time_, event, kw)


def median_of(fn, reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def peak_mb(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


#: an R fit slower than this is timed once, not ``reps`` times (R's robust
#: variance, coxscore2, grows as n x deaths: minutes at 2 x 10^5)
R_SLOW = 20.0


def time_r(d: CoxData, reps: int) -> tuple[float, int, int]:
    """Median seconds of ``coxph`` timed inside R, R's iteration count, and the
    number of runs timed."""
    import rbridge

    xr = pd.DataFrame({f"x{j + 1}": d.X.iloc[:, j].to_numpy() for j in range(d.X.shape[1])})
    secs: list[float] = []
    it = 0
    while len(secs) < reps:
        v = rbridge.session().call("rparity_time_coxph", x=xr, time=d.time, event=d.event,
                                   weights=d.kw.get("weights"), strata=d.kw.get("strata"),
                                   cluster=d.kw.get("cluster"), reps=1 if not secs else reps - len(secs)).value
        secs += np.asarray(v["seconds"], dtype=float).tolist()
        it = int(np.asarray(v["iter"]).ravel()[0])
        if secs[0] > R_SLOW:
            break
    return float(np.median(secs)), it, len(secs)


#: above this many rows lifelines' robust (sandwich) variance is not run: its
#: score residuals grow as n^2 in Python (measured 2.9 s at 16,000 rows, 12.6 s
#: at 32,000: about 8 minutes at 2 x 10^5)
LIFELINES_ROBUST_MAX = 40_000


def time_lifelines(d: CoxData) -> float | None:
    try:
        from lifelines import CoxPHFitter
    except ImportError:
        return None
    if ("weights" in d.kw or "cluster" in d.kw) and d.X.shape[0] > LIFELINES_ROBUST_MAX:
        print(f"  (lifelines' robust variance not run above {LIFELINES_ROBUST_MAX:,} rows: it grows as n^2)")
        return None
    df = d.X.assign(time=d.time, event=d.event)
    fit_kw: dict = {"duration_col": "time", "event_col": "event"}
    if "weights" in d.kw:
        df["w"] = d.kw["weights"]
        fit_kw.update(weights_col="w", robust=True)
    if "strata" in d.kw:
        df["s"] = d.kw["strata"]
        fit_kw["strata"] = ["s"]
    if "cluster" in d.kw:
        df["c"] = d.kw["cluster"]
        fit_kw.update(cluster_col="c", robust=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        CoxPHFitter().fit(df, **fit_kw)
        return time.perf_counter() - t0


def run(regimes: list[str], n: int, p: int, reps: int, with_lifelines: bool = True) -> list[dict]:
    import pyimpl

    have_r = r_session() is not None
    rows = []
    for regime in regimes:
        d = make_data(regime, n, p)
        fit = pyimpl.coxph(d.X, d.time, d.event, **d.kw)
        row = {"regime": regime, "n": n, "p": p, "distinct": int(np.unique(d.time).size),
               "iter_py": fit.iterations, "design_mb": d.design_mb}
        row["pyimpl"] = median_of(lambda: pyimpl.coxph(d.X, d.time, d.event, **d.kw), reps)
        if have_r:
            row["r"], row["iter_r"], row["r_runs"] = time_r(d, reps)
        if with_lifelines:
            row["lifelines"] = time_lifelines(d)
        rows.append(row)
        print_row(row)
    return rows


def scaling(n: int = 1_000_000, p: int = 20, reps: int = 3) -> dict:
    import pyimpl

    d = make_data("few-times", n, p)
    t = median_of(lambda: pyimpl.coxph(d.X, d.time, d.event), reps)
    mb = peak_mb(lambda: pyimpl.coxph(d.X, d.time, d.event))
    row = {"regime": f"scaling {n:.0e} x {p}", "n": n, "p": p, "pyimpl": t, "peak_mb": mb,
           "design_mb": d.design_mb, "copies": mb / d.design_mb}
    print(f"{row['regime']:>20} pyimpl {t:.3f} s (target < 5 s); peak {mb:.0f} MB = "
          f"{row['copies']:.2f} copies of the {d.design_mb:.0f} MB design (target < 4)")
    return row


_HEAD = (f"{'regime':>20} {'distinct':>9} {'pyimpl s':>9} {'R s':>8} {'R runs':>6} {'lifelines s':>11} "
         f"{'R/py':>6} {'of R':>6} {'ll/py':>6} {'iter py/R':>9}")


def print_row(r: dict) -> None:
    of_r = f"{r['pyimpl'] / r['r']:.2f}" if r.get("r") else "-"
    print(f"{r['regime']:>20} {r['distinct']:>9} {fmt(r['pyimpl']):>9} {fmt(r.get('r')):>8} "
          f"{r.get('r_runs', '-'):>6} {fmt(r.get('lifelines')):>11} {ratio(r.get('r'), r['pyimpl']):>6} {of_r:>6} "
          f"{ratio(r.get('lifelines'), r['pyimpl']):>6} {r['iter_py']:>4}/{r.get('iter_r', '-')}", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--p", type=int, default=10)
    ap.add_argument("--reps", type=int, default=5, help="runs per engine (median)")
    ap.add_argument("--regimes", nargs="+", default=list(REGIMES), choices=REGIMES)
    ap.add_argument("--no-lifelines", action="store_true")
    ap.add_argument("--scaling", action="store_true", help="also 10^6 x 20 with peak memory")
    args = ap.parse_args(argv)
    print(f"Efron ties, n = {args.n}, p = {args.p}; median of {args.reps} runs; R timed inside R")
    print(_HEAD)
    run(args.regimes, args.n, args.p, args.reps, with_lifelines=not args.no_lifelines)
    if args.scaling:
        scaling()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
