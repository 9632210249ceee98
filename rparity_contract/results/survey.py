"""Result type of design-based Cox regression: the survey package's
``svycoxph`` (survey 4.1-1)."""
from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np

from .base import Result, rfield

__all__ = ["SvyCoxPH", "SvyKM", "SvyLogrank", "SvyGLM"]


@dataclass(frozen=True, kw_only=True, eq=False)
class SvyCoxPH(Result):
    """A Cox fit on a survey design: the coefficients of the weighted partial
    likelihood (weights rescaled to mean 1) with the design-based variance
    (``var``: the variance of a total of the weighted dfbeta residuals over
    the design's clusters and strata) and the model-based one (``inv_info``).
    """

    names: tuple[str, ...] = rfield("names(coef)")
    coef: np.ndarray = rfield("coef")
    var: np.ndarray = rfield("var", doc="design-based variance (svyrecvar)")
    inv_info: np.ndarray = rfield("inv.info", doc="model-based variance (the weighted fit's inverse information)")
    loglik: np.ndarray = rfield("ll", doc="log partial likelihoods (null, fitted)")
    wald: float = rfield("wald.test", doc="b' var^-1 b")
    n: int = rfield("n", doc="rows used by the fit")
    n_clusters: int = rfield("sum(design$fpc$sampsize per stratum)", default=0, doc="clusters of the design")
    n_strata: int = rfield("number of strata", default=1)


@dataclass(frozen=True, kw_only=True, eq=False)
class SvyKM(Result):
    """``svykm(formula, design, se =)`` (survey 4.1-1): one curve, or one per
    level of the grouping variable (R's ``svykmlist``), laid end to end:
    ``lengths[g]`` points of ``time``/``surv`` (and ``varlog`` with
    ``se = TRUE``) for ``groups[g]`` (``groups`` is empty for ``~ 1``).

    ``se = FALSE`` is the weighted product-limit estimate at ``c(0, unique
    times)``; ``se = TRUE`` is survey's ``km.stderr``: one point per event
    (ties repeated), ``surv = exp(-cumulative hazard)`` and the design-based
    variance of ``log(surv)``."""

    groups: tuple[str, ...] = rfield("names(<svykmlist>)", default=())
    lengths: np.ndarray = rfield("lengths of the curves' time")
    time: np.ndarray = rfield("time")
    surv: np.ndarray = rfield("surv")
    varlog: np.ndarray = rfield("varlog", doc="empty with se = FALSE")
    se: bool = False
    n_dropped: int = rfield("length(attr(, 'na.action'))", default=0)

    def curve(self, group: str | int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """(time, surv, varlog or None) of one curve, by its label or position."""
        g = self.groups.index(group) if isinstance(group, str) else int(group)
        a = int(np.sum(self.lengths[:g]))
        b = a + int(self.lengths[g])
        return self.time[a:b], self.surv[a:b], self.varlog[a:b] if self.se else None

    def quantile(self, probs: Any = (0.75, 0.5, 0.25), group: str | int = 0, ci: bool = False,
                 level: float = 0.95) -> tuple[np.ndarray, np.ndarray | None]:
        """``quantile(<svykm>, probs, ci, level)``: for each p the first time
        with ``surv <= p`` (inf if none); with ``ci`` the times where the
        limits ``exp(log(surv) -+ z sqrt(varlog))`` first reach p (columns
        lower, upper), needing ``se = True``."""
        t, s, v = self.curve(group)

        def first(curve: np.ndarray) -> np.ndarray:
            out = []
            for p in np.atleast_1d(np.asarray(probs, dtype=float)):
                hit = np.flatnonzero(curve <= p)
                out.append(t[hit[0]] if hit.size else np.inf)
            return np.array(out)

        qq = first(s)
        if not ci:
            return qq, None
        if v is None:
            raise ValueError("no confidence interval available (se = False)")
        z = -NormalDist().inv_cdf((1 - level) / 2)  # qnorm(halfalpha, lower.tail = FALSE) (AS241, as R)
        with np.errstate(divide="ignore"):
            su = np.exp(np.log(s) + z * np.sqrt(v))
            sl = np.exp(np.log(s) - z * np.sqrt(v))
        return qq, np.column_stack([first(sl), first(su)])

    def confint(self, parm: Any, group: str | int = 0, level: float = 0.95) -> np.ndarray:
        """``confint(<svykm>, parm, level)``: the pointwise interval of
        ``surv`` at each time in ``parm`` (the last point at or before it),
        ``exp(log(surv) -+ z sqrt(varlog))``, the upper limit capped at 1."""
        t, s, v = self.curve(group)
        if v is None:
            raise ValueError("no standard errors in object (se = False)")
        idx = np.array([np.flatnonzero(t <= x)[-1] for x in np.atleast_1d(np.asarray(parm, dtype=float))])
        z = NormalDist().inv_cdf((1 - level) / 2)
        ci = np.exp(np.log(s[idx])[:, None] + np.outer(np.sqrt(v[idx]), [z, -z]))
        ci[:, 1] = np.minimum(ci[:, 1], 1.0)
        return np.asarray(ci, dtype=float)


@dataclass(frozen=True, kw_only=True, eq=False)
class SvyLogrank(Result):
    """``svylogrank(formula, design, rho, gamma, method)`` (survey 4.1-1): the
    design-based (weighted) log-rank test. ``method = "small"``/``"large"``:
    the design total of the score residuals (one per model-matrix column:
    ``score``, its design standard error ``se``, ``z``, two-sided normal
    ``p``) and ``chisq = U' V^-1 U`` on ``df`` degrees of freedom.

    ``method = "score"`` (R returns only ``c(z, Chisq, p)``): ``score = b``,
    the coefficients of the one-step fit ``svycoxph(formula, design, iter =
    1)``; ``se = sqrt(diag(v))``, ``v`` the design variance of
    ``svycoxph(formula, design, iter = 0)``; ``z = b/se``; ``p`` empty (R
    gives no per-column p value); ``chisq = sum(b * solve(v, b))``;
    ``p_chisq`` R's ``p`` (``pchisq(chisq, df, lower.tail = FALSE)``); ``df
    = length(b)``. With ``rho``/``gamma`` the fits are on survey's
    ``expandlogrank`` data (split at the event times, weights times w(t))."""

    score: np.ndarray = rfield("score")
    se: np.ndarray = rfield("se")
    z: np.ndarray = rfield("z")
    p: np.ndarray = rfield("p")
    chisq: float = rfield("Chisq")
    p_chisq: float = rfield("p", doc="pchisq(chisq, df, lower.tail = FALSE)")
    df: int = rfield("ncol(x)")
    method: str = "small"


@dataclass(frozen=True, kw_only=True, eq=False)
class SvyGLM(Result):
    """``svyglm(formula, design, family)`` (survey 4.1-1): ``glm`` with the
    sampling weights (rescaled to mean 1) as prior weights, the design-based
    variance of the coefficients (``vcov``: the sandwich ``svyrecvar(estfun
    %*% Ainv)``), and ``summary()``'s t table on ``df_residual`` (the
    design's degrees of freedom + 1 - p) with its design-based dispersion
    (``svyvar`` of the Pearson residuals)."""

    names: tuple[str, ...] = rfield("names(coef)")
    coef: np.ndarray = rfield("coef")
    var: np.ndarray = rfield("vcov", doc="design-based variance")
    naive_cov: np.ndarray = rfield("naive.cov", doc="summary(glm)$cov.unscaled of the weighted glm")
    se: np.ndarray = rfield("coef(summary)[, 2]")
    t: np.ndarray = rfield("coef(summary)[, 3]")
    p: np.ndarray = rfield("coef(summary)[, 4]", doc="2 pt(-|t|, df.residual); NaN when df.residual <= 0")
    dispersion: float = rfield("summary()$dispersion")
    dispersion_var: float = rfield("attr(summary()$dispersion, 'var')")
    df_residual: float = rfield("df.residual", doc="degf(design) + 1 - p")
    deviance: float = rfield("deviance")
    null_deviance: float = rfield("null.deviance")
    iter: int = rfield("iter")
    n: int = rfield("length(y)", doc="rows of the fit")
    fitted: np.ndarray = rfield("fitted.values")
    family: str = "gaussian"
