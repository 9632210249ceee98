"""Fisher's exact test on a 2 x 2 table, as R's ``fisher.test`` computes it
(R 4.2.2, ``stats/R/fisher.test.R``, the ``have.2x2`` branch).

With m = column 1 total, n = column 2 total, k = row 1 total and x = the
[1, 1] cell, x is non-central hypergeometric on the support lo..hi,
lo = max(0, k - n), hi = min(k, m):

    logdc     = dhyper(support, m, n, k, log = TRUE)
    dnhyper(t) = normalised exp(logdc + log(t) * support - max(...))
    mnhyper(t) = sum(support * dnhyper(t))                     (E[x; t])
    pnhyper(q, t) = sum of dnhyper(t) over support <= q (>= q upper)

* two-sided p = sum of dnhyper(or) over d <= d[x] * (1 + 1e-7);
* estimate = the conditional MLE: the root of mnhyper(t) = x, by ``uniroot``
  on (0, 1) or of mnhyper(1/t) = x on (eps, 1); 0 at x = lo, Inf at x = hi;
* conf.int = the roots of pnhyper(x, t) = alpha (upper limit) and of the upper
  tail (lower limit), with the same shortcuts.

R's ``sum`` accumulates in long double, ``exp``/``log`` are the C library's;
both are replayed (:func:`pyimpl._rmath.r_sum`, :mod:`math`), and the roots
come from :func:`~pyimpl.contingency.zeroin.uniroot`, R's own iteration.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._rmath import DBL_EPS, r_sum
from .nmath import dhyper, phyper
from .zeroin import UnirootControl, uniroot

__all__ = ["Fisher2x2", "fisher_2x2"]

REL_ERR = 1 + 10 ** (-7)  # R: relErr <- 1 + 10^(-7)


@dataclass(frozen=True)
class Fisher2x2:
    pvalue: float
    estimate: float
    conf_int: tuple[float, float] | None


class _NCHyper:
    """The non-central hypergeometric distribution of the [1, 1] cell."""

    def __init__(self, x: int, m: int, n: int, k: int):
        self.x, self.m, self.n, self.k = x, m, n, k
        self.lo = max(0, k - n)
        self.hi = min(k, m)
        self.support = np.arange(self.lo, self.hi + 1, dtype=float)
        self.logdc = np.array([dhyper(float(s), float(m), float(n), float(k), log=True)
                               for s in self.support])

    def dnhyper(self, ncp: float) -> np.ndarray:
        # d <- logdc + log(ncp) * support; d <- exp(d - max(d)); d / sum(d)
        d = self.logdc + math.log(ncp) * self.support
        d = d - np.max(d)
        d = np.array([math.exp(v) for v in d])
        return d / r_sum(d)

    def mnhyper(self, ncp: float) -> float:
        if ncp == 0:
            return float(self.lo)
        if ncp == math.inf:
            return float(self.hi)
        return r_sum(self.support * self.dnhyper(ncp))

    def pnhyper(self, q: int, ncp: float, upper_tail: bool = False) -> float:
        if ncp == 1:
            # R uses the enclosing x here (q is always x in fisher.test)
            if upper_tail:
                return phyper(self.x - 1, self.m, self.n, self.k, lower_tail=False)
            return phyper(self.x, self.m, self.n, self.k)
        if ncp == 0:
            return float(q <= self.lo) if upper_tail else float(q >= self.lo)
        if ncp == math.inf:
            return float(q <= self.hi) if upper_tail else float(q >= self.hi)
        d = self.dnhyper(ncp)
        keep = self.support >= q if upper_tail else self.support <= q
        return r_sum(d[keep])


def fisher_2x2(x: int, m: int, n: int, k: int, *, alternative: str, conf_int: bool,
               conf_level: float, or_: float, control: UnirootControl = UnirootControl()) -> Fisher2x2:
    """The 2 x 2 branch of ``fisher.test``.

    Contract
    --------
    x : the [1, 1] count; m, n : column totals; k : row 1 total (integers >= 0,
    x within lo..hi). ``alternative`` one of two.sided/less/greater,
    0 < conf_level < 1, or_ >= 0 (may be inf). Returns p-value, conditional MLE
    and (if ``conf_int``) the interval, each exactly as R computes it.
    """
    h = _NCHyper(x, m, n, k)
    lo, hi = h.lo, h.hi

    if alternative == "less":
        pval = h.pnhyper(x, or_)
    elif alternative == "greater":
        pval = h.pnhyper(x, or_, upper_tail=True)
    elif or_ == 0:
        pval = float(x == lo)
    elif or_ == math.inf:
        pval = float(x == hi)
    else:
        d = h.dnhyper(or_)
        pval = r_sum(d[d <= d[x - lo] * REL_ERR])

    def mle() -> float:
        if x == lo:
            return 0.0
        if x == hi:
            return math.inf
        mu = h.mnhyper(1.0)
        if mu > x:
            return uniroot(lambda t: h.mnhyper(t) - x, 0.0, 1.0, control).root
        if mu < x:
            return 1.0 / uniroot(lambda t: h.mnhyper(1.0 / t) - x, DBL_EPS, 1.0, control).root
        return 1.0

    def ncp_upper(alpha: float) -> float:
        if x == hi:
            return math.inf
        p = h.pnhyper(x, 1.0)
        if p < alpha:
            return uniroot(lambda t: h.pnhyper(x, t) - alpha, 0.0, 1.0, control).root
        if p > alpha:
            return 1.0 / uniroot(lambda t: h.pnhyper(x, 1.0 / t) - alpha, DBL_EPS, 1.0, control).root
        return 1.0

    def ncp_lower(alpha: float) -> float:
        if x == lo:
            return 0.0
        p = h.pnhyper(x, 1.0, upper_tail=True)
        if p > alpha:
            return uniroot(lambda t: h.pnhyper(x, t, upper_tail=True) - alpha, 0.0, 1.0, control).root
        if p < alpha:
            return 1.0 / uniroot(lambda t: h.pnhyper(x, 1.0 / t, upper_tail=True) - alpha,
                                 DBL_EPS, 1.0, control).root
        return 1.0

    estimate = mle()
    cint = None
    if conf_int:
        if alternative == "less":
            cint = (0.0, ncp_upper(1 - conf_level))
        elif alternative == "greater":
            cint = (ncp_lower(1 - conf_level), math.inf)
        else:
            alpha = (1 - conf_level) / 2
            cint = (ncp_lower(alpha), ncp_upper(alpha))
    return Fisher2x2(pvalue=float(pval), estimate=float(estimate), conf_int=cint)
