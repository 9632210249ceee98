"""Propensity-score matching: pyimpl (compat "4.5.1" and documented) vs
``MatchIt::matchit`` timed inside R.

    python -m bench.matching [--sizes 10000 100000 200000] [--reps 3] [--r-reps 1]

Data: n units, three covariates (two normal, one binary), about a quarter
treated through a logistic model; 1:1 nearest-neighbour matching without
replacement on a glm propensity score, ``m.order="largest"`` (MatchIt's
defaults). Each engine gets the same data; the whole ``matchit`` call is timed
(propensity model included). R is timed inside R with ``system.time`` around
``MatchIt::matchit`` (no conversion, no start-up). "pairs" says whether pyimpl's
compat match matrix is identical to R's. Ratios are R time / pyimpl time
(> 1: pyimpl faster). MatchIt 4.5.1's nearest-neighbour loop scans linearly
from each treated unit past used controls, so it is quadratic; pyimpl's is
O(n log n) (sort + union-find).
"""
from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from bench._timing import best_of, fmt, ratio

COVS = ["x1", "x2", "x3"]


def best_cpu_of(fn, reps: int) -> float:
    """Best CPU time of ``reps`` calls (this process only: steadier than wall time)."""
    return best_of(fn, reps, clock=time.process_time)


def make_data(n: int, seed: int = 20261127) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.normal(size=n)
    x3 = rng.binomial(1, 0.4, size=n).astype(float)
    lp = -1.3 + 0.5 * x1 - 0.4 * x2 + 0.3 * x3
    t = rng.binomial(1, 1 / (1 + np.exp(-lp)))
    return pd.DataFrame({"treat": t, "x1": x1, "x2": x2, "x3": x3})


def run(sizes: list[int], reps: int, r_reps: int, with_r: bool = True) -> list[dict]:
    import pyimpl

    have_r = False
    if with_r:
        try:
            import rbridge

            rbridge.session().require("MatchIt")
            have_r = True
        except Exception as exc:  # noqa: BLE001
            print(f"R/MatchIt unavailable ({exc}); R columns left empty")
    rows = []
    for n in sizes:
        d = make_data(n)
        row: dict = {"n": n, "treated": int(d.treat.sum())}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = {}
            for mode, compat in (("compat", "4.5.1"), ("documented", None)):
                row[mode] = best_of(lambda: res.__setitem__(mode, pyimpl.matchit(d, "treat", COVS, compat=compat)),
                                    reps)
                row[mode + "_cpu"] = best_cpu_of(lambda: pyimpl.matchit(d, "treat", COVS, compat=compat), reps)
        if have_r:
            # the covariates as they are (numeric), under placeholder names
            xs = {f"x{j + 1}": d[c] for j, c in enumerate(COVS)}
            v = rbridge.session().call("rparity_time_matchit", X=pd.DataFrame(xs),
                                       treat=d["treat"].to_numpy(np.int32), reps=r_reps).value
            row["r"] = float(np.asarray(v["seconds"]).ravel()[0])
            row["r_cpu"] = float(np.asarray(v["cpu_seconds"]).ravel()[0])
            r_mm = np.asarray(v["match_matrix"], dtype=float)
            r_mm = np.where(np.isfinite(r_mm), r_mm - 1, -1).astype(np.int64)
            row["pairs"] = bool(np.array_equal(res["compat"].match_positions[:, 0], r_mm))
            row["documented_rows_differ"] = int((res["documented"].match_positions[:, 0] != r_mm).sum())
        rows.append(row)
    return rows


def print_table(rows: list[dict]) -> None:
    print("wall seconds (best of reps); R timed inside R with system.time")
    print(f"{'n':>8} {'treated':>8} {'compat s':>9} {'document s':>10} {'R s':>9} {'R/compat':>9} "
          f"{'R/doc':>7} {'pairs':>6} {'doc≠R rows':>10}")
    for r in rows:
        print(f"{r['n']:>8} {r['treated']:>8} {fmt(r['compat']):>9} {fmt(r['documented']):>10} "
              f"{fmt(r.get('r')):>9} {ratio(r.get('r'), r['compat']):>9} {ratio(r.get('r'), r['documented']):>7} "
              f"{str(r.get('pairs', '-')):>6} {str(r.get('documented_rows_differ', '-')):>10}")
    print("CPU seconds (process time; steadier when other work shares the machine)")
    print(f"{'n':>8} {'compat s':>9} {'document s':>10} {'R s':>9} {'R/compat':>9} {'R/doc':>7}")
    for r in rows:
        print(f"{r['n']:>8} {fmt(r['compat_cpu']):>9} {fmt(r['documented_cpu']):>10} {fmt(r.get('r_cpu')):>9} "
              f"{ratio(r.get('r_cpu'), r['compat_cpu']):>9} {ratio(r.get('r_cpu'), r['documented_cpu']):>7}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 200_000])
    ap.add_argument("--reps", type=int, default=3, help="pyimpl repetitions (best of)")
    ap.add_argument("--r-reps", type=int, default=1, help="R repetitions (best of; R is slow at 2e5)")
    ap.add_argument("--no-r", action="store_true", help="time pyimpl only")
    args = ap.parse_args(argv)
    print_table(run(args.sizes, args.reps, args.r_reps, with_r=not args.no_r))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
