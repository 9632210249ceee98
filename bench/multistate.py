"""Competing risks curves (``survfit_ms``, Aalen-Johansen): pyimpl vs R's
``survfit(Surv(time, <factor>) ~ 1)`` in the same run.

    python -m bench.multistate [--n 100000] [--times 1000] [--reps 3] [--no-se] [--closed-form]

Data: n subjects, integer times 1..``--times`` (ties), three states (no event
30%, two causes 40% / 30%). R is timed inside R around ``survfit`` (model frame
and survfitCI; no conversion); pyimpl around ``pyimpl.survfit_ms``. Times are
the median of ``--reps`` runs; the ratio is R's time / pyimpl's (> 1: pyimpl
faster). The largest difference of pstate (and std.err) between the engines
is printed too (0: bit for bit), and the largest relative difference of
std.err (the contract's measure). ``--closed-form`` turns on pyimpl's closed
form of the jackknife (``pyimpl.survival.aj.CLOSED_FORM_MIN_WORK``, off by
default: not R's order of operations, see that module).
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from bench._timing import fmt, r_session, ratio


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--times", type=int, default=1000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--no-se", action="store_true", help="se.fit = FALSE")
    ap.add_argument("--closed-form", action="store_true", help="pyimpl's closed-form std.err (off by default)")
    a = ap.parse_args(argv)
    import pyimpl
    from pyimpl.survival import aj

    if a.closed_form:
        aj.CLOSED_FORM_MIN_WORK = 0

    rng = np.random.default_rng(20261205)
    t = rng.integers(1, a.times + 1, a.n).astype(float)
    e = pd.Categorical.from_codes(rng.choice(3, a.n, p=[0.3, 0.4, 0.3]), ["censor", "a", "b"])
    se = not a.no_se
    secs = []
    fit = None
    for _ in range(a.reps):
        t0 = time.perf_counter()
        fit = pyimpl.survfit_ms(t, e, se_fit=se, conf_type="none")
        secs.append(time.perf_counter() - t0)
    assert fit is not None
    t_py = statistics.median(secs)
    t_r = diff = rel_se = None
    sess = r_session()
    if sess is not None:
        v = sess.call("rparity_time_survfit_ms", time=t, event=e, se_fit=se, reps=a.reps).value
        t_r = statistics.median(np.asarray(v["seconds"], dtype=float).tolist())
        diff = float(np.max(np.abs(fit.pstate - np.asarray(v["pstate"], dtype=float))))
        if se and fit.std_err is not None:
            r_se = np.asarray(v["std_err"], dtype=float)
            diff = max(diff, float(np.max(np.abs(fit.std_err - r_se))))
            # the contract's measure (rparity/tolerance.py "rel"): |a - b| / max(|a|, |b|), elementwise
            big = np.maximum(np.abs(fit.std_err), np.abs(r_se))
            rel_se = float(np.max(np.where(big > 0, np.abs(fit.std_err - r_se) / np.where(big > 0, big, 1), 0)))
    print(f"survfit_ms n={a.n}, {a.times} distinct times, 3 states, se.fit={se}"
          f"{', closed form' if a.closed_form else ''}, {a.reps} runs (median seconds)")
    print(f"  pyimpl  {fmt(t_py)}")
    print(f"  R       {fmt(t_r)}")
    print(f"  R / pyimpl  {ratio(t_r, t_py)}")
    if diff is not None:
        print(f"  max abs difference (pstate{', std.err' if se else ''})  {diff:.1e}")
    if rel_se is not None:
        print(f"  max relative difference of std.err  {rel_se:.1e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
