"""``survfit(fit, newdata, id=)``: the curve of a subject whose covariates
(and stratum) change over the (start, stop] rows of ``newdata``, one curve
per id (``R/survfit.coxph.R``'s ``individual`` branch and ``onecurve`` of
``R/coxsurvfit.R``, survival 3.5-3).

Each row of a subject takes, from its stratum's baseline (``agsurv``), the
hazard at the event times inside (start, stop], times its own risk; the
curve's clock is the subject's time on study: the times are the row's
offsets from its start, added up, and a row without an event time carries
its length forward to the next.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from .._rmath import r_cumsum
from .agsurv import AgSurv

__all__ = ["Curve", "individual_curves"]


@dataclass(frozen=True)
class Curve:
    """One subject's curve (R's ``onecurve`` list)."""

    label: str
    n: int
    time: np.ndarray
    n_risk: np.ndarray
    n_event: np.ndarray
    n_censor: np.ndarray
    surv: np.ndarray
    cumhaz: np.ndarray
    std_err: np.ndarray | None


def _r_cumprod(x: np.ndarray) -> np.ndarray:
    """R's ``cumprod`` (``cum.c``: a long double product, each rounded to double)."""
    return np.cumprod(np.asarray(x, dtype=float).astype(np.longdouble)).astype(float)


def _quadratic(dt: np.ndarray, varmat: np.ndarray) -> np.ndarray:
    """``rowSums((dt %*% varmat) * dt)``: the product summed over varmat's
    rows in order (dgemm), the row sums in long double (``rowSums``)."""
    dv = np.zeros_like(dt)
    for j in range(varmat.shape[0]):
        dv += dt[:, j:j + 1] * varmat[j][None, :]
    q = dv * dt
    acc = np.zeros(q.shape[0], dtype=np.longdouble)
    for j in range(q.shape[1]):
        acc += q[:, j]
    return acc.astype(float)


def _onecurve(label: str, rows: np.ndarray, baselines: Sequence[AgSurv], stratum: np.ndarray, y2: np.ndarray,
              x2: np.ndarray, risk2: np.ndarray, varmat: np.ndarray, survtype: int, se_fit: bool,
              counts: np.ndarray) -> Curve:
    """coxsurv.fit's ``onecurve`` for the rows of one id, in newdata's order."""
    time, hazard, factor, n_event, n_risk, n_censor, varh1, varh2 = ([] for _ in range(8))
    forward = 0.0  # timeforward
    for i in rows:
        a = baselines[int(stratum[i])]
        inside = np.flatnonzero((a.time > y2[i, 0]) & (a.time <= y2[i, 1]))
        if inside.size == 0:
            forward = forward + (y2[i, 1] - y2[i, 0])
            continue
        t = np.diff(np.r_[y2[i, 0], a.time[inside]])
        t[0] = t[0] + forward
        forward = y2[i, 1] - a.time[inside].max()
        time.append(t)
        assert a.hazard is not None
        hazard.append(a.hazard[inside] * risk2[i])
        if survtype == 1:
            assert a.km is not None
            factor.append(a.km[inside] ** risk2[i])
        n_event.append(a.n_event[inside])
        n_risk.append(a.n_risk[inside])
        n_censor.append(a.n_censor[inside])
        if se_fit:
            assert a.xbar is not None
            dt = np.outer(a.cumhaz[inside], x2[i]) - a.xbar[inside]
            r2 = risk2[i] * risk2[i]  # R's x^2 is x * x
            varh1.append(a.varhaz[inside] * r2)
            varh2.append(_quadratic(dt, varmat) * r2)

    def cat(parts: list) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0)

    cumhaz = r_cumsum(cat(hazard))
    surv = _r_cumprod(cat(factor)) if survtype == 1 else np.exp(-cumhaz)
    std = np.sqrt(r_cumsum(cat(varh1)) + cat(varh2)) if se_fit else None
    return Curve(label=label, n=int(counts[int(stratum[rows[0]])]), time=r_cumsum(cat(time)),
                 n_risk=cat(n_risk), n_event=cat(n_event), n_censor=cat(n_censor), surv=surv, cumhaz=cumhaz,
                 std_err=std)


def individual_curves(baselines: Sequence[AgSurv], stratum: np.ndarray, y2: np.ndarray, x2: np.ndarray,
                      risk2: np.ndarray, ids: Sequence[Any], labels: Sequence[str], varmat: np.ndarray,
                      survtype: int, se_fit: bool, counts: np.ndarray) -> list[Curve]:
    """One curve per id, in the order ids first appear (``unique(id2)``).

    ``baselines``: agsurv of each stratum of the fit (with ``hazard``, and
    ``xbar`` for the standard errors); ``stratum``, ``y2`` (start, stop),
    ``x2``, ``risk2``: each newdata row's; ``labels``: each id's label (R's
    ``names(result)``, its ``as.character``); ``counts``: the fit's rows per
    stratum (each curve's ``n``)."""
    order: dict[Any, list[int]] = {}
    for i, v in enumerate(ids):
        order.setdefault(v, []).append(i)
    first_label = {v: labels[rows[0]] for v, rows in order.items()}
    return [_onecurve(first_label[v], np.asarray(rows), baselines, stratum, y2, x2, risk2, varmat, survtype,
                      se_fit, counts) for v, rows in order.items()]
