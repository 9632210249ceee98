"""Kaplan-Meier and log-rank: pyimpl vs R (survival) vs lifelines.

    python -m bench.survival [--sizes 10000 100000 1000000] [--reps 3]

Data: exponential survival times rounded up to whole months (heavy ties:
about 60 distinct times whatever n), 30% censoring, two groups. Each engine
gets the same arrays. R is timed two ways: inside R around the ``survfit``/
``survdiff`` call (``proc.time``, no conversion, no start-up: R's own speed)
and through rbridge from Python (conversion and result extraction included,
start-up excluded). Ratios are engine time / pyimpl time (> 1: pyimpl faster).
Targets (issue 2): pyimpl at least as fast as R's survfit and survdiff at 10^6,
and at least as fast as lifelines.
"""
from __future__ import annotations

import argparse
import warnings

import numpy as np

from bench._timing import best_of, fmt, r_session, ratio


def make_data(n: int, seed: int = 20261127):
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 2, size=n)
    time = np.ceil(rng.exponential(np.where(group == 1, 20.0, 14.0)))
    time = np.minimum(time, 60.0)
    event = (rng.random(n) > 0.3).astype(float)
    return time, event, np.where(group == 1, "b", "a")


def run(sizes: list[int], reps: int) -> list[dict]:
    import pyimpl

    rows = []
    have_r = r_session() is not None
    if have_r:
        import rbridge
    try:
        import lifelines
        from lifelines.statistics import logrank_test
    except ImportError:
        lifelines = None
    for n in sizes:
        t, e, g = make_data(n)
        row = {"n": n}
        row["km_pyimpl"] = best_of(lambda: pyimpl.survfit(t, e), reps)
        row["lr_pyimpl"] = best_of(lambda: pyimpl.survdiff(t, e, g), reps)
        if have_r:
            s = rbridge.session()
            row["km_r_inside"] = float(s.call("rparity_time_survfit", time=t, event=e, reps=reps).value[0])
            row["lr_r_inside"] = float(s.call("rparity_time_survdiff", time=t, event=e, group=g,
                                              reps=reps).value[0])
            row["km_r_bridge"] = best_of(lambda: rbridge.survfit(t, e), reps)
            row["lr_r_bridge"] = best_of(lambda: rbridge.survdiff(t, e, g), reps)
        if lifelines is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                row["km_lifelines"] = best_of(lambda: lifelines.KaplanMeierFitter().fit(t, e), reps)
                a = g == "a"
                row["lr_lifelines"] = best_of(lambda: logrank_test(t[a], t[~a], e[a], e[~a]), reps)
        rows.append(row)
    return rows


def print_table(rows: list[dict]) -> None:
    head = (f"{'test':<9}{'n':>9} {'pyimpl s':>10} {'R in-R s':>10} {'R bridge s':>11} {'lifelines s':>12}"
            f" {'R/py':>7} {'Rbr/py':>7} {'ll/py':>7}")
    print(head)
    for r in rows:
        for k, name in (("km", "survfit"), ("lr", "survdiff")):
            py, ri, rb, ll = (r.get(f"{k}_{x}") for x in ("pyimpl", "r_inside", "r_bridge", "lifelines"))
            print(f"{name:<9}{r['n']:>9} {fmt(py):>10} {fmt(ri):>10} {fmt(rb):>11} {fmt(ll):>12}"
                  f" {ratio(ri, py):>7} {ratio(rb, py):>7} {ratio(ll, py):>7}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args(argv)
    print_table(run(args.sizes, args.reps))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
