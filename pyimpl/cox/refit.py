"""The data behind a fit, rebuilt from the call it kept (for ``cox_zph``,
``basehaz`` and ``concordance``, which R computes from the model frame)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rparity_contract.errors import InvalidArgument
from rparity_contract.results.cox import CoxPH

from ..survival.timefix import aeq_surv
from .inputs import Prepared, prepare_inputs

__all__ = ["FitData", "fit_data", "is_unclassed", "refuse_unclassed"]


@dataclass
class FitData:
    prep: Prepared
    time: np.ndarray  # timefixed, as fit$y
    coef: np.ndarray  # the fit's coefficients (NaN where R has NA)
    lp: np.ndarray  # the fit's linear predictors
    means: np.ndarray

    def times(self) -> tuple[np.ndarray | None, np.ndarray]:
        """(start, stop) of the rows as the fit's Y has them (timefixed); start is
        None for right-censored data."""
        if self.prep.start is None:
            return None, self.time
        from .counting import counting_times

        return counting_times(self.prep)


def fit_data(fit: CoxPH) -> FitData:
    """The fit's data again (its call's inputs, prepared as the fit had them)."""
    if not isinstance(fit, CoxPH) or fit.call is None:
        raise InvalidArgument("`fit` must be a CoxPH result that kept its call (from coxph() of any engine); "
                              f"got fit={type(fit).__name__}", kind="fit.type")
    prep = prepare_inputs(fit.call)
    t = aeq_surv(prep.time) if prep.control.timefix else prep.time
    lp = np.asarray(fit.linear_predictors, dtype=float)
    if lp.size != t.size:
        raise InvalidArgument(f"`fit` does not match its inputs: {lp.size} linear predictors for {t.size} rows",
                              kind="fit.type")
    return FitData(prep=prep, time=t, coef=np.asarray(fit.coef, dtype=float), lp=lp,
                   means=np.asarray(fit.means, dtype=float))


def is_unclassed(fit: CoxPH) -> bool:
    """A fit that R returns as a bare list: ``ties = "exact"`` on (start, stop]
    data (survival 3.5-3's ``agexact.fit`` leaves out the class "coxph", so
    R's generics do not reach the coxph methods)."""
    if not isinstance(fit, CoxPH) or fit.method != "exact" or fit.call is None:
        return False
    return prepare_inputs(fit.call).start is not None


def refuse_unclassed(fit: CoxPH, function: str, r_message: str) -> None:
    """R's error for ``function`` on such a fit (see :func:`is_unclassed`)."""
    if is_unclassed(fit):
        raise InvalidArgument(f"`fit` is a ties='exact' fit of Surv(start, stop, event) data, which R returns as a "
                              f"list without the class 'coxph' (survival 3.5-3's agexact.fit): {function}() of it "
                              f"fails in R (R: '{r_message}')", kind="fit.unclassed")
