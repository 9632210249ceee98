"""``fisher_test`` and ``chisq_test`` run in R (``stats::fisher.test``,
``stats::chisq.test``), returning pyimpl's result types.

Inputs are validated with pyimpl's validators before anything reaches R, so bad
input gives the same :class:`~pyimpl.errors.InvalidArgument` in every engine.
R is called with its defaults otherwise (``workspace = 200000`` for FEXACT):
tables that exhaust FEXACT's workspace raise :class:`~pyimpl.errors.RError`
with R's message, where pyimpl answers.
"""
from __future__ import annotations

import math

import numpy as np

from pyimpl.contingency._args import chisq_args, fisher_args
from pyimpl.results import ChisqTest, FisherTest

from ._session import session

__all__ = ["fisher_test", "chisq_test"]


def _num(v) -> str:
    if math.isinf(v):
        return "Inf"
    return repr(float(v))


def _scalar(v) -> float:
    return float(np.asarray(v, dtype=float).ravel()[0])


def fisher_test(table, *, alternative: str = "two.sided", conf_int: bool = True,
                conf_level: float = 0.95, or_: float = 1.0) -> FisherTest:
    """R's ``stats::fisher.test``; see :func:`pyimpl.fisher_test`."""
    x, alternative, conf_int, conf_level, or_ = fisher_args(table, alternative, conf_int, conf_level, or_)
    sess = session()
    # `or` is a Python keyword: the R argument name is passed through a dict
    args = {"x": x.astype(float), "alternative": alternative, "conf_int": conf_int,
            "conf_level": conf_level, "or": or_}
    res = sess.call("rparity_fisher_test", **args)
    v = res.value
    call = (f'stats::fisher.test(x, alternative = "{alternative}", conf.int = {"TRUE" if conf_int else "FALSE"}, '
            f"conf.level = {conf_level!r}, or = {_num(or_)})")
    is2x2 = x.shape == (2, 2)
    return FisherTest(
        pvalue=_scalar(v["p_value"]), estimate=_scalar(v["estimate"]),
        conf_int=np.asarray(v["conf_int"], dtype=float).ravel(),
        alternative=alternative if is2x2 else "two.sided", conf_level=conf_level,
        engine="r", provenance=sess.provenance(call), warnings=res.warnings,
    )


def chisq_test(table, *, correct: bool = True) -> ChisqTest:
    """R's ``stats::chisq.test`` on a matrix; see :func:`pyimpl.chisq_test`."""
    x, correct = chisq_args(table, correct)
    sess = session()
    res = sess.call("rparity_chisq_test", x=x, correct=correct)
    v = res.value
    shape = tuple(int(d) for d in np.asarray(v["dim"]).ravel())

    def mat(key: str) -> np.ndarray:
        return np.asarray(v[key], dtype=float).reshape(shape, order="F")

    call = f"stats::chisq.test(x, correct = {'TRUE' if correct else 'FALSE'})"
    return ChisqTest(
        statistic=_scalar(v["statistic"]), df=int(_scalar(v["parameter"])), pvalue=_scalar(v["p_value"]),
        expected=mat("expected"), residuals=mat("residuals"), stdres=mat("stdres"), correct=correct,
        engine="r", provenance=sess.provenance(call), warnings=res.warnings,
    )
