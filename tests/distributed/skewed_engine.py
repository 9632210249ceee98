"""A deliberately wrong engine for the distributed tests: fast and deterministic.

pyimpl with two planted faults in ``survdiff`` on small cohorts (at most 12
subjects, so that hypothesis shrinks them in few steps), so that a campaign
against pyimpl or R finds divergences to shrink and merge:

* ``chisq`` 1e-6 (relative) too large when some subject is censored: a new
  divergence of ``chisq``;
* ``rho=1`` (the Peto-Peto test) raises an error: an engine error.
"""
import dataclasses

import numpy as np

import pyimpl

VERSION = "0.test"
ENGINE = __name__  # the engine's name for rparity: this module's import path
SMALL = 12


def survdiff(time, event, group, *, strata=None, rho=0.0):
    small = len(time) <= SMALL
    if small and rho == 1.0:
        raise RuntimeError("skewed_engine: rho=1 is not supported")
    res = pyimpl.survdiff(time, event, group, strata=strata, rho=rho)
    if small and np.any(np.asarray(event, dtype=float) == 0):
        res = dataclasses.replace(res, chisq=res.chisq * (1 + 1e-6))
    return res
