"""MatchIt 3.0.2 compatibility (``compat="3.0.2"``): pyimpl vs MatchIt 3.0.2
itself, timed inside R.

    python -m bench.matchit302 [--sizes 2000 10000 100000] [--r-max 20000] [--reps 3]

Data as :mod:`bench.matching` (three covariates, about a quarter treated); 1:1
matching without replacement, caliper 0.2 SD of the propensity score
(probability scale, 3.0.2's default), ``set.seed(1)`` under the "Rounding"
sampler. With a caliper, 3.0.2 draws a random control within it for every
treated unit. Its R loop recomputes every control's deviation for every
treated unit (quadratic, with string comparisons of row names); pyimpl keeps
each stratum's controls sorted and draws from the caliper window (a partial
sort of the window per treated unit). R is timed for sizes up to ``--r-max``
(beyond, 3.0.2 takes minutes to hours); "pairs" says whether the match matrices
are identical. Needs MatchIt 3.0.2 in its private library (``make
matchit302``); without it only pyimpl is timed.
"""
from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd

from bench._timing import best_of, fmt, ratio
from bench.matching import COVS, make_data


def run(sizes: list[int], reps: int, r_max: int) -> list[dict]:
    import pyimpl

    lib = None
    try:
        import rbridge
        from rbridge.matching import matchit302_library

        lib = matchit302_library()
        rbridge.session().require("MatchIt")
    except Exception as exc:  # noqa: BLE001
        print(f"MatchIt 3.0.2 unavailable ({str(exc).splitlines()[0]}); R columns left empty")
    rows = []
    for n in sizes:
        d = make_data(n)
        row: dict = {"n": n, "treated": int(d.treat.sum())}
        res = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            row["pyimpl"] = best_of(lambda: res.__setitem__("m", pyimpl.matchit(
                d, "treat", COVS, compat="3.0.2", caliper=0.2, seed=1)), reps)
        if lib is not None and n <= r_max:
            xs = pd.DataFrame({f"x{j + 1}": d[c] for j, c in enumerate(COVS)})
            v = rbridge.session().call("rparity_time_matchit302", lib=lib, X=xs, treat=d["treat"].to_numpy(np.int32),
                                       caliper=0.2, seed=1, sample_kind="Rounding", reps=1).value
            row["r"] = float(np.asarray(v["seconds"]).ravel()[0])
            r_mm = np.asarray(v["match_matrix"], dtype=float)
            r_mm = np.where(np.isfinite(r_mm), r_mm - 1, -1).astype(np.int64)
            row["pairs"] = bool(np.array_equal(res["m"].match_positions[:, 0], r_mm))
        rows.append(row)
    return rows


def print_table(rows: list[dict]) -> None:
    print("wall seconds (pyimpl best of reps; R once, inside R with system.time)")
    print(f"{'n':>8} {'treated':>8} {'pyimpl s':>9} {'3.0.2 s':>9} {'R/pyimpl':>9} {'pairs':>6}")
    for r in rows:
        print(f"{r['n']:>8} {r['treated']:>8} {fmt(r['pyimpl']):>9} {fmt(r.get('r')):>9} "
              f"{ratio(r.get('r'), r['pyimpl']):>9} {str(r.get('pairs', '-')):>6}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[2_000, 10_000, 100_000])
    ap.add_argument("--reps", type=int, default=3, help="pyimpl repetitions (best of)")
    ap.add_argument("--r-max", type=int, default=20_000, help="largest size R is timed at")
    args = ap.parse_args(argv)
    print_table(run(args.sizes, args.reps, args.r_max))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
