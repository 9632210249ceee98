"""``cmprsk::cuminc`` run in R (cmprsk 2.2-11 from Debian): the caller's
vectors go to R as they are (a Categorical as a factor, NaN as NA) and
cuminc accepts or refuses them."""
from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument
from rparity_contract.results.crr import Crr, CrrPredict
from rparity_contract.results.cuminc import CumInc, CumIncCurve, GrayTests

from ._session import session

__all__ = ["cuminc", "crr", "crr_predict", "crr_summary"]

_OMITTED = re.compile(r"^(\d+) cases omitted due to missing values$")


def cuminc(ftime, fstatus, group=None, strata=None, rho: Any = 0.0, cencode: Any = 0, subset=None) -> CumInc:
    """R's ``cmprsk::cuminc(ftime, fstatus, group, strata, rho, cencode,
    subset)``; ``subset`` a logical mask or 0-based row numbers (given to R
    1-based)."""
    s = session()
    s.require("cmprsk")
    sub = None
    if subset is not None:
        arr = np.asarray(subset)
        sub = arr if arr.dtype.kind == "b" else arr.astype(np.int64) + 1
    res = s.call("rparity_cuminc", ftime=ftime, fstatus=fstatus, group=group, strata=strata, rho=rho,
                 cencode=cencode, subset=sub)
    v = res.value
    names = [str(x) for x in v["names"]]
    curve_names = [x for x in names if x != "Tests"]
    causes = None if v["causes"] is None else tuple(str(x) for x in v["causes"])
    split = _splitter(curve_names, causes)
    curves = tuple(CumIncCurve(group=g, cause=c, time=np.atleast_1d(np.asarray(t, dtype=float)),
                               est=np.atleast_1d(np.asarray(e, dtype=float)),
                               var=np.atleast_1d(np.asarray(w, dtype=float)))
                   for (g, c), t, e, w in zip(map(split, curve_names), v["time"], v["est"], v["var"]))
    tests = None
    if causes is not None:
        tests = GrayTests(causes=causes, stat=np.atleast_1d(np.asarray(v["stat"], dtype=float)),
                          pv=np.atleast_1d(np.asarray(v["pv"], dtype=float)),
                          df=np.atleast_1d(np.asarray(v["df"], dtype=float)))
    printed = tuple(str(x) for x in (v["printed"] or ()))
    omitted = [int(m.group(1)) for m in map(_OMITTED.match, printed) if m]
    return CumInc(curves=curves, tests=tests, n_omitted=omitted[0] if omitted else 0, messages=printed,
                  engine="r", provenance=s.provenance("cmprsk::cuminc(ftime, fstatus, group, strata, rho, cencode)"),
                  warnings=res.warnings)


def _splitter(names: list[str], causes: tuple[str, ...] | None):
    """(group, cause) of a curve from R's ``paste(group, cause)``: with Gray's
    tests the causes are their row names; with one group the group is the
    prefix every name shares (up to a space)."""
    if causes is not None:
        def by_cause(name: str) -> tuple[str, str]:
            for c in sorted(causes, key=len, reverse=True):
                if name.endswith(" " + c):
                    return name[: -len(c) - 1], c
            raise ValueError(f"cuminc curve {name!r} names no cause of {causes}")
        return by_cause
    spaces = [i for i, ch in enumerate(names[0]) if ch == " "]
    common = [i for i in spaces if all(len(n) > i and n[: i + 1] == names[0][: i + 1] for n in names)]
    cut = (common[-1] if len(names) > 1 else common[0]) if common else spaces[0]
    return lambda name: (name[:cut], name[cut + 1:])


# -- crr ------------------------------------------------------------------------------------------


def _cov_arg(x: Any) -> tuple[Any, str]:
    """A covariate argument for R: a DataFrame as a data.frame, a 2-D array as
    its columns (cbind-ed in R, no column names), anything else as a vector."""
    if x is None or isinstance(x, pd.DataFrame):
        return x, "frame"
    arr = np.asarray(x)
    if arr.ndim == 2:
        return {str(j): arr[:, j] for j in range(arr.shape[1])}, "columns"
    return x, "vector"


def _to_matrix(x: Any, nrow: int) -> np.ndarray:
    v = np.atleast_1d(np.asarray(x, dtype=float))
    return v.reshape((nrow, -1), order="F") if v.size else np.zeros((nrow, 0))


def crr(ftime: Any, fstatus: Any, cov1: Any = None, cov2: Any = None, tf: Any = None, cengroup: Any = None,
        failcode: Any = 1, cencode: Any = 0, subset: Any = None, na_action: str = "omit", gtol: float = 1e-6,
        maxiter: int = 10, init: Any = None, variance: bool = True) -> Crr:
    """R's ``cmprsk::crr``. ``tf`` (a Python callable, elementwise in time) is
    evaluated here at every distinct finite time given and passed to R as a
    lookup table that crr's ``tf(uft)`` reads; ``subset`` a logical mask or
    0-based row numbers (given to R 1-based); ``na_action`` "omit", "exclude"
    or "fail" (``stats::na.omit``...)."""
    sess = session()
    sess.require("cmprsk")
    sub = None
    if subset is not None:
        arr = np.asarray(subset)
        sub = arr if arr.dtype.kind == "b" else arr.astype(np.int64) + 1
    c1, k1 = _cov_arg(cov1)
    c2, k2 = _cov_arg(cov2)
    tf_args: dict[str, Any] = {}
    if tf is not None and cov2 is not None:
        times = np.asarray(ftime, dtype=float)
        times = np.unique(times[np.isfinite(times)])
        raw = tf(times.copy())
        tf_names = [str(c) for c in raw.columns] if isinstance(raw, pd.DataFrame) else None
        vals = np.asarray(raw, dtype=float)
        vals = vals[:, None] if vals.ndim == 1 else vals
        if vals.ndim != 2 or vals.shape[0] != times.size:
            raise InvalidArgument(f"`tf(times)` must have one row per time ({times.size}); got shape {vals.shape}",
                                  kind="tf.shape")
        tf_args = {"tf_times": times, "tf_values": {str(j): vals[:, j] for j in range(vals.shape[1])},
                   "tf_names": tf_names}
    res = sess.call("rparity_crr", ftime=ftime, fstatus=fstatus, cov1=c1, cov1_kind=k1, cov2=c2, cov2_kind=k2,
                    cengroup=cengroup, failcode=failcode, cencode=cencode, subset=sub, na_action=na_action,
                    gtol=float(gtol), maxiter=maxiter, init=None if init is None else np.asarray(init, dtype=float),
                    variance=bool(variance), **tf_args)
    v = res.value
    names = tuple(str(x) for x in v["names"])
    p = len(names)
    uft = np.atleast_1d(np.asarray(v["uftime"], dtype=float))
    tdim = tuple(int(d) for d in np.atleast_1d(np.asarray(v["tfs_dim"])))
    printed = tuple(str(x) for x in (v["printed"] or ()))
    return Crr(names=names, coef=np.atleast_1d(np.asarray(v["coef"], dtype=float)),
               loglik=float(np.asarray(v["loglik"], dtype=float).reshape(-1)[0]),
               score=np.atleast_1d(np.asarray(v["score"], dtype=float)), inf=_to_matrix(v["inf"], p),
               var=_to_matrix(v["var"], p), res=None if v["res"] is None else _to_matrix(v["res"], uft.size),
               uftime=uft, bfitj=np.atleast_1d(np.asarray(v["bfitj"], dtype=float)),
               tfs=_to_matrix(v["tfs"], tdim[0]), converged=bool(np.asarray(v["converged"]).reshape(-1)[0]),
               n=int(np.asarray(v["n"]).reshape(-1)[0]), n_missing=int(np.asarray(v["n_missing"]).reshape(-1)[0]),
               loglik_null=float(np.asarray(v["loglik_null"], dtype=float).reshape(-1)[0]),
               invinf=_to_matrix(v["invinf"], p), messages=printed, engine="r",
               provenance=sess.provenance("cmprsk::crr(ftime, fstatus, cov1, cov2, tf, cengroup, failcode, "
                                          "cencode, subset, na.action, gtol, maxiter, init, variance)"),
               warnings=res.warnings)


def _fit_arg(fit: Crr) -> dict[str, Any]:
    if not isinstance(fit, Crr):
        raise InvalidArgument(f"`fit` must be a Crr result; got {type(fit).__name__}", kind="fit.type")
    tfs = np.asarray(fit.tfs, dtype=float)
    return {"names": list(fit.names), "coef": np.asarray(fit.coef, dtype=float),
            "var": np.asarray(fit.var, dtype=float).reshape(-1, order="F"),
            "bfitj": np.asarray(fit.bfitj, dtype=float), "uftime": np.asarray(fit.uftime, dtype=float),
            "tfs": tfs.reshape(-1, order="F"), "tfs_dim": np.array(tfs.shape, dtype=float), "n": int(fit.n),
            "n_missing": int(fit.n_missing), "loglik": float(fit.loglik), "loglik_null": float(fit.loglik_null),
            "converged": bool(fit.converged)}


def crr_predict(fit: Crr, cov1: Any = None, cov2: Any = None) -> CrrPredict:
    """R's ``predict(<crr>, cov1, cov2)`` on the fit's values."""
    sess = session()
    res = sess.call("rparity_crr_predict", fit=_fit_arg(fit), **_pred_arg("cov1", cov1), **_pred_arg("cov2", cov2))
    v = res.value
    dim = tuple(int(d) for d in np.atleast_1d(np.asarray(v["dim"])))
    m = np.asarray(v["x"], dtype=float).reshape(dim, order="F")
    return CrrPredict(time=m[:, 0], cif=m[:, 1:], engine="r", provenance=sess.provenance("predict(<crr>)"),
                      warnings=res.warnings)


def _pred_arg(name: str, x: Any) -> dict[str, Any]:
    """A vector as it is; a matrix flattened in column order with its dim."""
    if x is None:
        return {}
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 2:
        return {name: arr.reshape(-1, order="F"), f"{name}_dim": np.array(arr.shape, dtype=float)}
    return {name: arr}


def crr_summary(fit: Crr, conf_int: float = 0.95) -> pd.DataFrame:
    """R's ``summary(<crr>, conf.int=)``: ``$coef`` beside ``$conf.int``'s
    columns after exp(coef); ``attrs["logtest"]`` is ``$logtest``."""
    sess = session()
    v = sess.call("rparity_crr_summary", fit=_fit_arg(fit), conf_int=float(conf_int)).value
    p = len(fit.names)
    coef = np.asarray(v["coef"], dtype=float).reshape((p, -1), order="F")
    conf = np.asarray(v["conf"], dtype=float).reshape((p, -1), order="F")
    out = pd.DataFrame(coef, columns=[str(c) for c in v["coef_cols"]], index=list(fit.names))
    for j, c in enumerate(v["conf_cols"]):
        if str(c) != "exp(coef)":
            out[str(c)] = conf[:, j]
    out.attrs["logtest"] = tuple(float(x) for x in np.asarray(v["logtest"], dtype=float))
    return out
