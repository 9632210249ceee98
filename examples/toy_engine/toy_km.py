"""toy_km: a method developer's own Kaplan-Meier, written from the textbook.

S(t) = prod over event times u <= t of (1 - d_u / n_u), Greenwood's variance,
log-scale confidence limits. Only what rparity needs: return the contract's
result type, refuse bad input saying why (a refusal kind), and say what it
cannot do.
"""
import numpy as np
from scipy.stats import norm

from rparity_contract.errors import InvalidArgument
from rparity_contract.results import SurvFit

ENGINE_NAME = "toy_km"
VERSION = "0.1"
UNSUPPORTED = {"survfit": ["weights", "conf_type other than 'log'", "conf_lower other than 'usual'",
                           "event=None (R's one-argument Surv(time))"]}


def survfit(time, event, *, weights=None, conf_type="log", conf_int=0.95, conf_lower="usual"):
    if event is None:
        raise NotImplementedError("toy_km: needs an event vector")
    try:
        t = np.asarray(time, dtype=float)
    except ValueError:
        raise InvalidArgument("time must be numeric", kind="time.type") from None
    e = np.asarray(event, dtype=float)
    if t.shape != e.shape or t.ndim != 1 or t.size == 0:
        raise InvalidArgument("time and event must be 1-D arrays of the same, non-zero length", kind="lengths")
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise InvalidArgument("time must be finite and non-negative", kind="time.negative")
    if not np.all((e == 0) | (e == 1)):
        raise InvalidArgument("event must be 0 or 1", kind="event.values")
    if weights is not None or conf_type != "log" or conf_lower != "usual":
        raise NotImplementedError("toy_km: unweighted, log-scale intervals only")

    times = np.unique(t)
    n_risk = np.array([np.sum(t >= u) for u in times], dtype=float)
    n_event = np.array([np.sum((t == u) & (e == 1)) for u in times], dtype=float)
    n_censor = np.array([np.sum((t == u) & (e == 0)) for u in times], dtype=float)

    surv = np.cumprod(1 - n_event / n_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        std_err = np.sqrt(np.cumsum(n_event / (n_risk * (n_risk - n_event))))
        z = norm.ppf(1 - (1 - conf_int) / 2)
        lower = np.where(surv > 0, surv * np.exp(-z * std_err), np.nan)
        upper = np.where(surv > 0, np.minimum(surv * np.exp(z * std_err), 1.0), np.nan)
    cumhaz = np.cumsum(n_event / n_risk)
    std_chaz = np.sqrt(np.cumsum(n_event / n_risk**2))

    return SurvFit(time=times, n_risk=n_risk, n_event=n_event, n_censor=n_censor, surv=surv,
                   std_err=std_err, lower=lower, upper=upper, cumhaz=cumhaz, std_chaz=std_chaz,
                   n=int(t.size), logse=True, conf_type=conf_type, conf_int=conf_int,
                   conf_lower=conf_lower, engine=ENGINE_NAME)
