"""``survreg`` (and ``survreg_predict``) run in R (survival).

The formula goes to R as data with placeholder names (:class:`FormulaArgs`),
the data columns under those names, ``weights`` as a vector; R's ``survreg``
builds the model frame and matrix, accepts or refuses the call. Coefficient
names come back in placeholders and are mapped to the caller's names.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from rparity_contract.control import SurvregControl
from rparity_contract.errors import InvalidArgument
from rparity_contract.results.survreg import (
    SURVREG_RESIDUAL_TYPES,
    SurvReg,
    SurvregCall,
    SurvRegPredict,
    SurvRegResiduals,
)

from ._convert import r_literal as lit
from ._convert import scalar
from ._session import session
from .formula import FormulaArgs

__all__ = ["survreg", "survreg_predict", "survreg_residuals"]


def _control(c: Any) -> Any:
    """A :class:`SurvregControl` as the arguments of ``survreg.control`` (R checks them)."""
    if not isinstance(c, SurvregControl):
        return c
    return {"iter.max": c.iter_max, "rel.tolerance": c.rel_tolerance, "toler.chol": c.toler_chol,
            "outer.max": c.outer_max}


def _args(call: SurvregCall) -> tuple[FormulaArgs, dict]:
    fa = FormulaArgs(call.formula, call.data, call.subset)
    args: dict[str, Any] = dict(form=fa.form, weights=fa.column(call.weights, call.data), dist=call.dist,
                                control=_control(call.control))
    if call.scale != 0:
        args["scale"] = float(call.scale)
    if call.init is not None:
        args["init"] = np.asarray(call.init, dtype=float)
    if call.parms is not None:
        # a named list, or R's unnamed numeric parms (survreg assigns it by position)
        args["parms"] = dict(call.parms) if isinstance(call.parms, dict) else np.asarray(call.parms, dtype=float)
    if call.robust is not None:
        args["robust"] = bool(call.robust)
    if call.cluster is not None:
        args["cluster"] = fa.column(call.cluster, call.data)
    if call.na_action == "na.exclude":
        args["na_action"] = "na.exclude"
    return fa, args


def _vec(v: Any) -> np.ndarray:
    return np.asarray(v if v is not None else [], dtype=float).reshape(-1)


def survreg(formula: str, data: Any = None, *, dist: str = "weibull", weights: Any = None, subset: Any = None,
            scale: float = 0, init: Any = None, control: SurvregControl | None = None, robust: bool | None = None,
            cluster: Any = None, parms: Any = None, na_action: str = "na.omit") -> SurvReg:
    """R's ``survival::survreg(formula, data, dist=, weights=, subset=, scale=,
    init=, control=, parms=, na.action=)``."""
    if na_action not in ("na.omit", "na.exclude"):
        raise InvalidArgument(f"`na_action` must be one of na.omit, na.exclude; got na_action={na_action!r}",
                              kind="argument.value")
    call = SurvregCall(formula=formula, data=data, dist=dist, weights=weights, subset=subset, scale=scale,
                       init=init, control=control, robust=robust, cluster=cluster, parms=parms, na_action=na_action)
    fa, args = _args(call)
    sess = session()
    res = sess.call("rparity_survreg", stacklevel=3, placeholders=fa.names, **args)
    v = res.value
    names = tuple(fa.user_label(str(n)) for n in (v["names"] or []))
    coef = _vec(v["coef"])
    k = int(round(float(np.sqrt(_vec(v["var"]).size))))
    na_action = tuple(int(i) - 1 for i in np.asarray(v["na_action"], dtype=np.int64).reshape(-1))
    lp = _vec(v["lp"])
    text = f"survival::survreg({fa.text}, data = <data>, dist = {lit(dist)}"
    if weights is not None:
        text += f", weights = {weights if isinstance(weights, str) else '<w>'}"
    if scale != 0:
        text += f", scale = {lit(float(scale))}"
    return SurvReg(
        names=names, coef=coef, scale=_vec(v["scale"]),
        scale_names=tuple(fa.names.translate(str(s)) for s in (v["scale_names"] or [])),
        var=_vec(v["var"]).reshape(k, k),
        naive_var=None if v["naive_var"] is None else _vec(v["naive_var"]).reshape(k, k),
        loglik=_vec(v["loglik"]), icoef=_vec(v["icoef"]),
        iterations=int(scalar(v["iter"])), df=int(scalar(v["df"])), idf=int(scalar(v["idf"])),
        df_residual=float(scalar(v["df_residual"])), linear_predictors=lp, means=_vec(v["means"]), n=lp.size,
        n_dropped=len(na_action), dist=str(v["dist"][0]), na_action=na_action, call=call, engine="r",
        provenance=sess.provenance(text + ")"), warnings=res.warnings,
    )


def survreg_predict(fit: SurvReg, type: str = "response", *, p: Any = (0.1, 0.9), se_fit: bool = False,
                    newdata: Any = None) -> SurvRegPredict:
    """R's ``predict(fit, type=, p=, se.fit=, newdata=)`` on the fit's call, run again in R."""
    if not isinstance(fit, SurvReg) or fit.call is None:
        raise InvalidArgument(f"`fit` must be a SurvReg result that kept its call; got {fit.__class__.__name__}",
                              kind="fit.type")
    fa, args = _args(fit.call)
    if p is not None:
        args["p"] = np.asarray(p, dtype=float)
    if newdata is not None:
        args["newdata"] = {fa.placeholders.get(str(c), str(c)): newdata[c].reset_index(drop=True)
                           for c in newdata.columns}
    sess = session()
    res = sess.call("rparity_survreg_predict", stacklevel=3, placeholders=fa.names, type=type, se_fit=se_fit,
                    **args)
    v = res.value
    dim = None if v["dim"] is None else tuple(int(d) for d in np.asarray(v["dim"]).reshape(-1))
    fitv = _vec(v["fit"])
    se = None if v["se"] is None else _vec(v["se"])
    if dim is not None and len(dim) == 2:
        fitv = fitv.reshape(dim, order="F")
        se = None if se is None else se.reshape(dim, order="F")
    columns = tuple(fa.user_label(str(c)) for c in (v["columns"] or []))
    return SurvRegPredict(fit=fitv, se_fit=se, columns=columns, engine="r",
                          provenance=sess.provenance("predict(<survreg>)"), warnings=res.warnings)


_MATRIX_TYPES = ("dfbeta", "dfbetas", "matrix")


def survreg_residuals(fit: SurvReg, type: str = "response", *, rsigma: bool = True, collapse: Any = None,
                      weighted: bool = False) -> SurvRegResiduals:
    """R's ``residuals(fit, type=, rsigma=, collapse=, weighted=)`` on the fit's call, run again in R."""
    if not isinstance(fit, SurvReg) or fit.call is None:
        raise InvalidArgument(f"`fit` must be a SurvReg result that kept its call; got {fit.__class__.__name__}",
                              kind="fit.type")
    fa, args = _args(fit.call)
    if collapse is not None:
        args["collapse"] = collapse.reset_index(drop=True) if hasattr(collapse, "reset_index") else collapse
    sess = session()
    res = sess.call("rparity_survreg_residuals", stacklevel=3, placeholders=fa.names, type=type, rsigma=rsigma,
                    weighted=weighted, **args)
    v = res.value
    dim = None if v["dim"] is None else tuple(int(d) for d in np.asarray(v["dim"]).reshape(-1))
    vals = _vec(v["values"])
    kind = str(type)
    full = [t for t in SURVREG_RESIDUAL_TYPES if t == kind] or [t for t in SURVREG_RESIDUAL_TYPES
                                                                 if t.startswith(kind)]
    kind = full[0] if len(full) == 1 else kind
    if dim is not None and len(dim) == 2:
        vals = vals.reshape(dim, order="F")
    elif kind in _MATRIX_TYPES:  # R dropped a one-column (or one-row) collapsed matrix
        vals = vals.reshape(-1, 1) if kind != "matrix" or vals.size != 6 else vals.reshape(1, -1)
    cols = tuple(str(c) for c in (v["columns"] or [])) if kind == "matrix" else ()
    groups = None if collapse is None else tuple("NA" if g is None else str(g) for g in (v["groups"] or []))
    return SurvRegResiduals(type=kind, values=vals, columns=cols, groups=groups, engine="r",
                            provenance=sess.provenance("residuals(<survreg>)"), warnings=res.warnings)
