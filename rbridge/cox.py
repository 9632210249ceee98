"""``coxph`` and its derived functions (``coxph_summary``, ``cox_zph``,
``basehaz``, ``concordance``, ``coxph_residuals``, ``coxph_predict``,
``survfit_cox``) run in R (survival).

The caller's arguments are converted as they are: each column of ``X``
becomes an R vector named ``x1..xp`` (numeric, logical, factor or character,
missing values as ``NA``), and R builds the model frame, drops incomplete rows
(``na.omit``) and accepts or refuses the call. Coefficient names come back
from R and are mapped to the caller's column names through the model's
``assign`` (which columns belong to which term). Derived functions refit the
call in R and ask R (``summary(fit)``, ``cox.zph(fit)``...).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.calls import MISSING, CoxCall, clogit_call, cox_call, row_names
from rparity_contract.control import CoxControl
from rparity_contract.errors import InvalidArgument
from rparity_contract.results.cox import (
    Concordance,
    ConcordanceSet,
    CoxAnova,
    CoxDetail,
    CoxPH,
    CoxPredict,
    CoxResiduals,
    CoxTest,
    CoxZph,
    SurvFitCox,
)
from rparity_contract.values import NA_ACTIONS

from ._convert import Placeholders, scalar
from ._convert import r_literal as lit
from ._session import session
from .formula import FormulaArgs

__all__ = ["coxph", "coxph_summary", "cox_zph", "basehaz", "concordance", "coxph_residuals", "coxph_predict",
           "survfit_cox", "coxph_anova", "coxph_detail", "clogit"]


def _frame(X: Any) -> pd.DataFrame:
    """The covariates as columns: a DataFrame as it is, a Series as one column,
    an array as columns ``x1..xp`` (what R would see)."""
    if isinstance(X, pd.DataFrame):
        return X
    if isinstance(X, pd.Series):
        return X.to_frame(name=str(X.name) if X.name is not None else "x1")
    if X is None:
        return pd.DataFrame()
    try:
        arr = np.asarray(X)
    except Exception as exc:  # noqa: BLE001
        raise InvalidArgument(f"`X` cannot be read as columns of covariates ({exc})", kind="argument.type") from None
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise InvalidArgument(f"`X` must be 2-D; got an array of shape {arr.shape}", kind="argument.shape")
    return pd.DataFrame(arr, columns=[f"x{j + 1}" for j in range(arr.shape[1])])


class _Model:
    """The R arguments of a Cox call, and the placeholder names they use."""

    def __init__(self, call: CoxCall):
        self.call = call
        self.formula = None if call.formula is None else FormulaArgs(call.formula, call.data, call.subset)
        self.frame = _frame(call.X) if self.formula is None else pd.DataFrame()
        self.columns = [str(c) for c in self.frame.columns]
        self.placeholders = {f"x{j + 1}": c for j, c in enumerate(self.columns)}
        if self.formula is not None:
            self.placeholders = dict(self.formula.names.names)

    def args(self) -> dict:
        c = self.call
        if self.formula is not None:
            fa = self.formula
            return dict(x={}, time=None, event=None, weights=fa.column(c.weights, c.data), strata=c.strata,
                        cluster=fa.column(c.cluster, c.data), ties=c.ties, robust=c.robust, init=c.init,
                        control=_control(c.control), nocenter=c.nocenter, singular_ok=c.singular_ok, form=fa.form,
                        na_action=_na_action(c.na_action), id=fa.column(c.id, c.data))
        xs = {f"x{j + 1}": self.frame.iloc[:, j] for j in range(self.frame.shape[1])}
        return dict(x=xs, time=c.time, event=c.event, weights=c.weights, strata=c.strata, cluster=c.cluster,
                    ties=c.ties, robust=c.robust, init=c.init, control=_control(c.control), nocenter=c.nocenter,
                    singular_ok=c.singular_ok, na_action=_na_action(c.na_action), id=c.id)

    def names(self) -> Placeholders:
        return Placeholders(self.placeholders)

    def call_string(self, extra: str = "") -> str:
        c = self.call
        if self.formula is not None:  # provenance only (never evaluated)
            parts = [f"survival::coxph({self.formula.text}, data = <data>"]
            if c.subset is not None:
                parts.append(f"subset = {c.subset if isinstance(c.subset, str) else '<rows>'}")
            if c.weights is not None:
                parts.append(f"weights = {c.weights if isinstance(c.weights, str) else '<w>'}")
            if c.cluster is not None:
                parts.append(f"cluster = {c.cluster if isinstance(c.cluster, str) else '<cl>'}")
            parts.append(f"ties = {lit(c.ties)}")
            return ", ".join(parts) + ")" + extra
        rhs = " + ".join(self.placeholders) or "1"
        if c.strata is not None:
            rhs += " + strata(stratum)"
        surv = "Surv(time)" if c.event is None else "Surv(time, event)"
        parts = [f"survival::coxph({surv} ~ {rhs}"]
        if c.weights is not None:
            parts.append("weights = w")
        if c.cluster is not None:
            parts.append("cluster = cl")
        parts.append(f"ties = {lit(c.ties)}")
        if c.robust is not None:
            parts.append(f"robust = {lit(c.robust)}")
        if c.init is not None:
            parts.append("init = <init>")
        if c.control is not None:
            parts.append("control = coxph.control(<control>)")
        return ", ".join(parts) + ")" + extra


def _control(c: Any) -> Any:
    """A :class:`CoxControl` as the arguments of ``coxph.control`` (R checks
    them); anything else goes to R as it is."""
    if not isinstance(c, CoxControl):
        return c
    out = {"eps": c.eps, "toler.chol": c.toler_chol, "iter.max": c.iter_max, "outer.max": c.outer_max,
           "timefix": c.timefix}
    if c.toler_inf is not None:
        out["toler.inf"] = c.toler_inf
    return out


def _wald(v: dict) -> CoxTest | None:
    """``fit$wald.test`` (summary() rounds the statistic it prints to 2 decimals;
    its p-value is computed from the unrounded one)."""
    t = _test(v["waldtest"])
    if t is None or v["wald"] is None:
        return t
    return CoxTest(statistic=scalar(v["wald"]), df=t.df, pvalue=t.pvalue)


def _test(v: Any) -> CoxTest | None:
    """A test of ``summary(fit)`` (test, df, pvalue); R gives only ``df`` (0)
    when every coefficient is NA: the statistic and p-value are then NaN."""
    if v is None:
        return None
    a = np.asarray(v, dtype=float).reshape(-1)
    if a.size == 1:  # summary.coxph's waldtest without a test: c(df = 0)
        return CoxTest(statistic=float("nan"), df=int(a[0]), pvalue=float("nan"))
    return CoxTest(statistic=float(a[0]), df=int(a[1]) if np.isfinite(a[1]) else 0, pvalue=float(a[2]))


def _user_names(v: dict, m: _Model) -> tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[int, ...], ...]]:
    """(coefficient names, term names, assign) in the caller's terms: each R
    coefficient belongs to one term ``xj`` (R's ``assign``); its name is the
    term's column name followed by what R appended (a factor level, TRUE)."""
    rnames = [str(n) for n in (v["names"] or [])]
    terms = [str(t) for t in (v["assign_terms"] or [])]
    sizes = [int(k) for k in np.asarray(v["assign_sizes"] if v["assign_sizes"] is not None else [], dtype=int)]
    index = [int(i) - 1 for i in np.asarray(v["assign_index"] if v["assign_index"] is not None else [], dtype=int)]
    names = list(rnames)
    assign: list[tuple[int, ...]] = []
    if m.formula is not None:
        fa = m.formula
        pos = 0
        for k in sizes:
            assign.append(tuple(index[pos:pos + k]))
            pos += k
        return (tuple(fa.user_label(n) for n in rnames), tuple(fa.user_label(t) for t in terms), tuple(assign))
    pos = 0
    for term, k in zip(terms, sizes):
        cols = tuple(index[pos:pos + k])
        pos += k
        assign.append(cols)
        user = m.placeholders.get(term, term)
        for j in cols:
            if rnames[j].startswith(term):
                names[j] = user + rnames[j][len(term):]
    term_names = tuple(m.placeholders.get(t, t) for t in terms)
    return tuple(names), term_names, tuple(assign)


def coxph(X, time=None, event=MISSING, *, data=None, subset=None, ties: str = "efron", weights=None,
          strata=None, cluster=None, robust: bool | None = None, init=None, control: CoxControl | None = None,
          nocenter=(-1, 0, 1), singular_ok: bool = True, na_action: str = "na.omit", id=None) -> CoxPH:
    """R's ``survival::coxph(Surv(time, event) ~ X [+ strata(strata)], weights=,
    cluster=, ties=, robust=, init=, control=, nocenter=, singular.ok=, na.action=, id=)``."""
    call = cox_call(X, time, event, data=data, subset=subset, ties=ties, weights=weights, strata=strata,
                    cluster=cluster, robust=robust, init=init, control=control, nocenter=nocenter,
                    singular_ok=singular_ok, na_action=na_action, id=id)
    m = _Model(call)
    sess = session()
    res = sess.call("rparity_coxph", stacklevel=3, placeholders=m.names(), **m.args())
    return _cox_result(res, m, call, str(ties), sess.provenance(m.call_string()))


def _cox_result(res: Any, m: _Model, call: CoxCall, ties: str, provenance: Any) -> CoxPH:
    """R's coxph fit (``rparity_cox_result``) as the contract's CoxPH; ``call``
    is the call the fit records (what derived functions run again)."""
    v = res.value
    names, term_names, assign = _user_names(v, m)
    p = len(names)
    coef = np.asarray(v["coef"] if v["coef"] is not None else [], dtype=float).reshape(p)
    var = np.asarray(v["var"] if v["var"] is not None else np.zeros((0,)), dtype=float).reshape(p, p)
    naive = None if v["naive_var"] is None else np.asarray(v["naive_var"], dtype=float).reshape(p, p)
    cv = v["concordance"]
    n = int(scalar(v["n"]))
    conc = None
    if cv is not None:
        cv = np.asarray(cv, dtype=float)
        conc = Concordance(c=float(cv[5]), std=float(cv[6]), concordant=float(cv[0]), discordant=float(cv[1]),
                           tied_x=float(cv[2]), tied_y=float(cv[3]), tied_xy=float(cv[4]), n=n, engine="r")
    na_action = tuple(int(i) - 1 for i in np.asarray(v["na_action"], dtype=np.int64).reshape(-1))
    return CoxPH(
        names=names, coef=coef, se=np.sqrt(np.diag(var)), var=var, naive_var=naive,
        loglik=np.asarray(v["loglik"], dtype=float).reshape(-1), score_test=_test(v["sctest"]),
        wald_test=_wald(v), lr_test=_test(v["logtest"]), robust_score_test=_test(v["robscore"]),
        concordance=conc, n=n, nevent=int(round(scalar(v["nevent"]))), iterations=int(scalar(v["iter"])),
        means=np.asarray(v["means"] if v["means"] is not None else [], dtype=float).reshape(p),
        linear_predictors=np.asarray(v["lp"], dtype=float).reshape(-1), n_dropped=len(na_action),
        method=str(v["method"][0]) if v["method"] else ties, robust=naive is not None, na_action=na_action,
        term_names=term_names, assign=assign, call=call, engine="r",
        provenance=provenance, warnings=res.warnings,
    )


def _model_of(fit: Any) -> _Model:
    if not isinstance(fit, CoxPH) or fit.call is None:
        raise InvalidArgument("`fit` must be a CoxPH result that kept its call (from coxph() of any engine); "
                              f"got {type(fit).__name__}", kind="fit.type")
    return _Model(fit.call)


def coxph_summary(fit: CoxPH, *, conf_int: float = 0.95) -> pd.DataFrame:
    """R's ``summary(fit, conf.int=)`` on the fit's call, run again in R: columns
    ``coef, exp_coef, se, [robust_se,] z, p, lower, upper``."""
    m = _model_of(fit)
    v = session().call("rparity_coxph_summary", placeholders=m.names(), conf_int=conf_int, **m.args()).value
    rn = [str(x) for x in (v["names"] or [])]
    p = len(rn)
    # the null model has no coefficient table: the contract's columns, no rows
    cols_r = [str(c) for c in v["coef_cols"] or []] or ["coef", "exp(coef)", "se(coef)", "z", "Pr(>|z|)"]
    ct = np.asarray(v["coef"] if v["coef"] is not None else [], dtype=float).reshape(p, len(cols_r), order="F")
    ci = np.asarray(v["conf"] if v["conf"] is not None else [], dtype=float).reshape(p, -1, order="F") if p else \
        np.zeros((0, 4))
    rename = {"coef": "coef", "exp(coef)": "exp_coef", "se(coef)": "se", "robust se": "robust_se", "z": "z",
              "Pr(>|z|)": "p"}
    cols = {rename[c]: ct[:, j] for j, c in enumerate(cols_r) if c in rename}
    cols.update({"lower": ci[:, 2], "upper": ci[:, 3]})
    names = fit.names if len(fit.names) == p else tuple(rn)
    return pd.DataFrame(cols, index=pd.Index(list(names), name="term"))


def cox_zph(fit: CoxPH, transform: str = "km", *, global_: bool = True) -> CoxZph:
    """R's ``survival::cox.zph(fit, transform=, global=)`` on the fit's call, run again in R."""
    m = _model_of(fit)
    sess = session()
    res = sess.call("rparity_cox_zph", placeholders=m.names(), transform=transform, global_=global_, **m.args())
    v = res.value
    terms = tuple(m.formula.user_label(str(t)) if m.formula is not None else m.placeholders.get(str(t), str(t))
                  for t in v["terms"])
    return CoxZph(terms=terms, chisq=np.asarray(v["chisq"], dtype=float), df=np.asarray(v["df"], dtype=float),
                  p=np.asarray(v["p"], dtype=float), transform=str(transform), engine="r",
                  provenance=sess.provenance(f"survival::cox.zph({m.call_string()}, transform = {lit(transform)})"),
                  warnings=res.warnings)


def basehaz(fit: CoxPH, centered: bool = True) -> pd.DataFrame:
    """R's ``survival::basehaz(fit, centered=)`` on the fit's call, run again in
    R: columns ``time, hazard`` (and ``strata`` for a stratified fit)."""
    m = _model_of(fit)
    v = session().call("rparity_basehaz", placeholders=m.names(), centered=centered, **m.args()).value
    out = pd.DataFrame({"time": np.asarray(v["time"], dtype=float), "hazard": np.asarray(v["hazard"], dtype=float)})
    if v["strata"] is not None:
        out["strata"] = _strata_labels(m, v["strata"])
    return out


def _strata_labels(m: _Model, labels: Any) -> list[str]:
    """R's stratum labels in the caller's terms."""
    if m.formula is not None:  # R's own labels (strata(sex): "sex=1"), in the caller's names
        return [m.formula.names.translate(str(s)) for s in labels]
    # strata(stratum): "stratum=<label>" -> the label
    return [str(s).split("=", 1)[1] if "=" in str(s) else str(s) for s in labels]


def _matrix(v: dict, key: str = "values") -> np.ndarray:
    """A vector, or a matrix R sent by columns (``ncol`` > 0)."""
    vals = np.asarray(v[key] if v[key] is not None else [], dtype=float)
    k = int(scalar(v["ncol"]))
    return vals.reshape(-1, k, order="F") if k else vals


def _labels(r_names: Any, own: tuple[str, ...]) -> tuple[str, ...]:
    """Column labels: the fit's own names when R has as many (R's are placeholders)."""
    rn = tuple(str(c) for c in (r_names or []))
    return own if len(own) == len(rn) or not rn else rn


def _row_names(names: Any) -> list[str]:
    """R's row names as text; rowsum's NA group (NA_character_) as "NA"."""
    return ["NA" if r is None else str(r) for r in (names or [])]


def coxph_residuals(fit: CoxPH, type: str = "martingale", *, collapse: Any = None,
                    weighted: bool | None = None) -> CoxResiduals:
    """R's ``residuals(fit, type=, collapse=, weighted=)`` on the fit's call, run again in R."""
    m = _model_of(fit)
    sess = session()
    extra = {} if collapse is None else {"collapse": np.asarray(collapse)}
    res = sess.call("rparity_coxph_residuals", placeholders=m.names(), type=type, weighted=weighted, **extra,
                    **m.args())
    v = res.value
    values = _matrix(v)
    classed = bool(np.asarray(v["classed"]).ravel()[0])
    schoen = type in ("schoenfeld", "scaledsch") and classed  # residuals.default: $residuals by data row
    own = tuple(fit.term_names) if type == "partial" else tuple(fit.names)
    if values.ndim == 1 and type not in ("martingale", "deviance") and classed:
        values = values[:, None]  # R drops a one-column matrix; the contract keeps its two dimensions
    columns = _labels(v["columns"], own) if values.ndim == 2 else ()  # R's dfbeta has no column names
    rows = _row_names(v["rows"])
    return CoxResiduals(
        type=str(type), values=values, columns=columns,
        time=np.asarray([float(r) for r in rows]) if schoen else None,
        strata=tuple(_strata_labels(m, v["strata"])) if schoen and v["strata"] is not None and len(v["strata"])
        else None,
        groups=tuple(rows) if collapse is not None and not schoen else None, engine="r",
        provenance=sess.provenance(f"residuals({m.call_string()}, type = {lit(type)})"), warnings=res.warnings)


def coxph_predict(fit: CoxPH, type: str = "lp", *, newdata: Any = None, se_fit: bool = False,
                  reference: str | None = None, terms: Any = None, collapse: Any = None) -> CoxPredict:
    """R's ``predict(fit, newdata=, type=, se.fit=, reference=, terms=, collapse=)`` on the fit's call, run
    again in R. ``terms`` name the fit's terms; R sees its own labels of them."""
    m = _model_of(fit)
    sess = session()
    extra: dict[str, Any] = {}
    if newdata is not None:
        extra.update(_newdata(m, newdata))
    if collapse is not None:
        extra["collapse"] = np.asarray(collapse)
    wanted = tuple(fit.term_names)
    if terms is not None:  # R takes term numbers as well as its (placeholder) labels
        own = list(fit.term_names)
        wanted = (terms,) if isinstance(terms, str) else tuple(terms)
        if all(t in own for t in wanted):
            extra["terms"] = np.asarray([own.index(t) + 1 for t in wanted], dtype=np.int32)
        else:  # R judges names it does not know
            extra["terms"] = list(wanted)
    res = sess.call("rparity_coxph_predict", placeholders=m.names(), type=type, se_fit=se_fit,
                    reference=reference, **extra, **m.args())
    v = res.value
    values = _matrix(v)
    se = _matrix(v, "se") if v["se"] is not None else None
    columns = _labels(v["columns"], wanted) if values.ndim == 2 else ()
    rows = _row_names(v["rows"])
    return CoxPredict(type=str(type), values=values, se=se, columns=columns,
                      constant=None if v["constant"] is None else scalar(v["constant"]),
                      groups=tuple(rows) if collapse is not None else None, engine="r",
                      provenance=sess.provenance(f"predict({m.call_string()}, type = {lit(type)})"),
                      warnings=res.warnings)


def _na_action(value: Any) -> str | None:
    """R's ``na.action`` by name: only a name R knows goes (never a caller's
    string as code); na.omit, R's default, is left out."""
    if value == "na.omit":
        return None
    if value not in NA_ACTIONS:
        raise InvalidArgument(f"`na_action` must be one of {', '.join(NA_ACTIONS)}; got na_action={value!r}",
                              kind="argument.value")
    return str(value)


def _newdata(m: _Model, newdata: Any) -> dict:
    """``newdata`` under the fit's placeholder names (its columns) and its R row
    names (:func:`rparity_contract.calls.row_names`); anything but a DataFrame
    goes as it is (R accepts or refuses)."""
    if not isinstance(newdata, pd.DataFrame):
        return {"newdata": newdata}
    rename = m.formula.placeholders if m.formula is not None else {v: k for k, v in m.placeholders.items()}
    cols = {rename[str(c)]: newdata[c].reset_index(drop=True) for c in newdata.columns if str(c) in rename}
    return {"newdata": cols, "newdata_rows": list(row_names(newdata)) if len(newdata) else None}


def survfit_cox(fit: CoxPH, newdata: Any = None, *, se_fit: bool = True, conf_int: float = 0.95, stype: int = 2,
                ctype: int | None = None, conf_type: str = "log", censor: bool = True,
                start_time: Any = None, id: Any = None) -> SurvFitCox:
    """R's ``survfit(fit, newdata=, se.fit=, conf.int=, stype=, ctype=, conf.type=, censor=, start.time=,
    id=)`` on the fit's call, run again in R; ``id`` (a column of newdata, or values) goes as its values."""
    m = _model_of(fit)
    sess = session()
    extra = {} if newdata is None else _newdata(m, newdata)
    if isinstance(id, str) and isinstance(newdata, pd.DataFrame) and id in newdata.columns:
        extra["curve_id"] = newdata[id].reset_index(drop=True)
    elif isinstance(id, str):  # a name newdata lacks: R looks it up there and says so
        extra["curve_id_name"] = id
    elif id is not None:
        extra["curve_id"] = id
    res = sess.call("rparity_survfit_cox", placeholders=m.names(), se_fit=se_fit, conf_int=conf_int, stype=stype,
                    ctype=ctype, conf_type=conf_type, censor=censor, start_time=start_time, **extra, **m.args())
    v = res.value
    k = int(scalar(v["ncol"]))

    def mat(key: str) -> np.ndarray | None:
        if v[key] is None:
            return None
        return np.asarray(v[key], dtype=float).reshape(-1, k, order="F")

    strata = None if v["strata"] is None else tuple(_strata_labels(m, v["strata"]))
    def vec(key: str) -> np.ndarray:  # an id's curve without an event time inside its rows: R's NULL
        return np.asarray(v[key] if v[key] is not None else [], dtype=float)

    return SurvFitCox(
        time=vec("time"), n_risk=vec("n_risk"), n_event=vec("n_event"), n_censor=vec("n_censor"),
        surv=mat("surv"), cumhaz=mat("cumhaz"), std_err=mat("std_err"), lower=mat("lower"), upper=mat("upper"),
        strata=strata, n=tuple(int(x) for x in np.asarray(v["n"]).reshape(-1)),
        curves=tuple(str(c) for c in (v["curves"] or [])), conf_type=str(v["conf_type"][0]),
        conf_int=float(conf_int), stype=int(stype), ctype=int(ctype) if ctype is not None else
        (2 if fit.method == "efron" else 1), engine="r",
        start_time=None if v["start_time"] is None else scalar(v["start_time"]),
        provenance=sess.provenance(f"survfit({m.call_string()})"), warnings=res.warnings)


def coxph_anova(fit: CoxPH, *others: CoxPH) -> CoxAnova:
    """R's ``anova(fit)`` or ``anova(fit, other, ...)`` on the fits' calls, run again in R."""
    m = _model_of(fit)
    more = [_model_of(o) for o in others]
    sess = session()
    extra = {} if not more else {"others": {f"m{i + 1}": o.args() for i, o in enumerate(more)}}
    res = sess.call("rparity_coxph_anova", placeholders=m.names(), **extra, **m.args())
    v = res.value
    rows = [str(r) for r in (v["rows"] or [])]
    # the term labels, in the caller's names (rows "1".."k" of a list of fits stay as they are)
    rows = [r if r == "NULL" or r.isdigit() else (m.formula.user_label(r) if m.formula is not None
                                                  else m.placeholders.get(r, r)) for r in rows]

    def arr(key: str) -> np.ndarray:
        return np.asarray([np.nan if x is None else x for x in np.asarray(v[key], dtype=object).reshape(-1)],
                          dtype=float)

    return CoxAnova(rows=tuple(rows), loglik=arr("loglik"), chisq=arr("chisq"), df=arr("df"), pvalue=arr("p"),
                    engine="r", provenance=sess.provenance(f"anova({m.call_string()}, ...)"),
                    warnings=res.warnings)


def coxph_detail(fit: CoxPH, riskmat: Any = False, rorder: Any = "data") -> CoxDetail:
    """R's ``coxph.detail(fit, riskmat=, rorder=)`` on the fit's call, run again in R."""
    m = _model_of(fit)
    sess = session()
    res = sess.call("rparity_coxph_detail", placeholders=m.names(), riskmat=riskmat, rorder=rorder, **m.args())
    v = res.value
    p = int(scalar(v["p"]))
    time = np.asarray(v["time"], dtype=float).reshape(-1)
    k = time.size

    def mat(key: str, shape: tuple[int, ...]) -> np.ndarray:
        return np.asarray(v[key], dtype=float).reshape(shape, order="F")

    imat = mat("imat", (p, p, k)).transpose(2, 0, 1)
    strata = None if v["strata"] is None else tuple(_strata_labels(m, v["strata"]))
    return CoxDetail(time=time, nevent=np.asarray(v["nevent"], dtype=float).reshape(-1),
                     nrisk=np.asarray(v["nrisk"], dtype=float).reshape(-1),
                     hazard=np.asarray(v["hazard"], dtype=float).reshape(-1),
                     varhaz=np.asarray(v["varhaz"], dtype=float).reshape(-1), means=mat("means", (k, p)),
                     score=mat("score", (k, p)), imat=imat, strata=strata, columns=tuple(fit.names), engine="r",
                     riskmat=None if v["riskmat"] is None else mat("riskmat", (-1, k)),
                     sortorder=None if v["sortorder"] is None else
                     np.asarray(v["sortorder"], dtype=np.int64).reshape(-1) - 1,
                     provenance=sess.provenance(f"survival::coxph.detail({m.call_string()})"),
                     warnings=res.warnings)


_CONCORDANCE_OPTIONS = {"timewt": "timewt", "influence": "influence", "ranks": "ranks", "reverse": "reverse",
                        "keepstrata": "keepstrata", "ymin": "ymin", "ymax": "ymax"}


def _concordance_value(v: dict, sess: Any, call: str, warns: Any, translate: Any = str) -> Concordance:
    cnt = np.asarray(v["count"], dtype=float)
    k = int(scalar(v["nstrata"]))
    strata_counts = None if v["count_strata"] is None else \
        np.asarray(v["count_strata"], dtype=float).reshape((k, 5), order="F")
    infl = None if v["influence"] is None else np.asarray(v["influence"], dtype=float).reshape((-1, 5), order="F")
    rk = v.get("ranks") if hasattr(v, "get") else None
    ranks = ranks_strata = None
    if rk is not None:
        ranks = np.column_stack([np.asarray(rk[k], dtype=float).reshape(-1)
                                 for k in ("time", "rank", "timewt", "casewt")]).reshape(-1, 4)
        if rk["strata"] is not None:
            ranks_strata = tuple(translate(str(x)) for x in np.asarray(rk["strata"]).reshape(-1))
    return Concordance(c=scalar(v["concordance"]), std=scalar(v["std"]), concordant=float(cnt[0]),
                       discordant=float(cnt[1]), tied_x=float(cnt[2]), tied_y=float(cnt[3]),
                       tied_xy=float(cnt[4]), n=int(scalar(v["n"])), count_strata=strata_counts,
                       dfbeta=None if v["dfbeta"] is None else np.asarray(v["dfbeta"], dtype=float),
                       influence=infl, ranks=ranks, ranks_strata=ranks_strata, engine="r",
                       provenance=sess.provenance(call), warnings=warns)


def _concordance_formula(formula: str, data: Any, weights: Any, subset: Any, cluster: Any,
                         options: dict) -> Concordance:
    """R's ``survival::concordance(formula, data, ...)`` (concordance.formula)."""
    fa = FormulaArgs(formula, data, subset)
    sess = session()
    args: dict[str, Any] = {"form": fa.form, "options": options}
    if weights is not None:
        args["weights"] = fa.column(weights, data)
    if cluster is not None:
        args["cluster"] = fa.column(cluster, data)
    res = sess.call("rparity_concordance_formula", placeholders=fa.names, **args)
    opts = ", ".join(f"{k} = {lit(v)}" for k, v in options.items())
    call = f"survival::concordance({fa.text}, data = <data>" + (f", {opts}" if opts else "") + ")"
    return _concordance_value(res.value, sess, call, res.warnings, fa.names.translate)


def _concordance_several(fits: tuple, options: dict) -> ConcordanceSet:
    """R's ``survival::concordance(fit1, fit2, ...)`` on the fits' calls, run again in R."""
    models = [_model_of(f) for f in fits]
    sess = session()
    res = sess.call("rparity_concordance_several", placeholders=models[0].names(),
                    models={f"m{i + 1}": m.args() for i, m in enumerate(models)}, options=options)
    v = res.value
    k = len(fits)
    infl = None
    if v["influence"] is not None:
        dims = tuple(int(d) for d in np.asarray(v["influence_dim"]).reshape(-1))
        infl = np.asarray(v["influence"], dtype=float).reshape(dims, order="F")
    return ConcordanceSet(names=tuple(f"fit{i + 1}" for i in range(k)),
                          c=np.asarray(v["concordance"], dtype=float).reshape(-1),
                          var=np.asarray(v["var"], dtype=float).reshape((k, k), order="F"),
                          counts=np.asarray(v["count"], dtype=float).reshape((k, 5), order="F"),
                          n=int(scalar(v["n"])),
                          dfbeta=None if v["dfbeta"] is None else
                          np.asarray(v["dfbeta"], dtype=float).reshape((-1, k), order="F"),
                          influence=infl, engine="r",
                          provenance=sess.provenance("survival::concordance(" + ", ".join(
                              m.call_string() for m in models) + ")"), warnings=res.warnings)


def concordance(fit: CoxPH | str, *more: Any, influence: Any = None, keepstrata: Any = None, data: Any = None,
                weights: Any = None, subset: Any = None, cluster: Any = None, timewt: Any = None,
                ranks: Any = None, reverse: Any = None, ymin: Any = None, ymax: Any = None,
                newdata: Any = None) -> Any:
    """R's ``survival::concordance(fit, influence=, keepstrata=)`` on the fit's call, run again in R;
    several fits: ``concordance(fit1, fit2, ...)``; ``fit`` a formula ``y ~ x``: R's
    ``concordance(formula, data, weights=, subset=, cluster=, ...)``."""
    given = {"influence": influence, "keepstrata": keepstrata, "timewt": timewt, "ranks": ranks,
             "reverse": reverse, "ymin": ymin, "ymax": ymax}
    options = {_CONCORDANCE_OPTIONS[k]: v for k, v in given.items() if v is not None}
    if isinstance(fit, str) and "~" in fit:
        if len(more) > 1 or (more and data is not None):
            raise InvalidArgument("concordance(formula, data) takes one data frame", kind="argument.value")
        return _concordance_formula(fit, more[0] if more else data, weights, subset, cluster, options)
    if more:
        if data is not None or weights is not None or subset is not None or cluster is not None or \
                newdata is not None:
            raise InvalidArgument("`data`, `weights`, `subset` and `cluster` are for concordance(formula, data)",
                                  kind="argument.value")
        return _concordance_several((fit,) + tuple(more), options)
    if data is not None or weights is not None or subset is not None or cluster is not None or \
            set(options) - {"influence", "keepstrata", "timewt", "ranks"}:
        raise InvalidArgument("`data`, `weights`, `subset`, `cluster`, `timewt`, `ranks`, `reverse`, `ymin` and "
                              "`ymax` are for concordance(formula, data); a fit's concordance takes influence= "
                              "and keepstrata= here", kind="argument.value")
    m = _model_of(fit)
    sess = session()
    extra = {k: v for k, v in (("influence", influence), ("keepstrata", keepstrata), ("timewt", timewt),
                               ("ranks", ranks)) if v is not None}
    nd = {} if newdata is None else _newdata(m, newdata)
    res = sess.call("rparity_concordance", placeholders=m.names(), **extra, **nd, **m.args())
    v = res.value
    args = ", ".join([m.call_string()] + [f"{a} = {lit(b)}" for a, b in extra.items()])
    return _concordance_value(v, sess, f"survival::concordance({args})", res.warnings, m.names().translate)



def clogit(formula: str, data: Any, *, weights: Any = None, subset: Any = None, method: str = "exact",
           init: Any = None, control: CoxControl | None = None) -> CoxPH:
    """R's ``survival::clogit(formula, data, weights=, subset=, method=, init=,
    control=)``: R rewrites the call and fits it. The fit records the call as
    clogit.R rewrites it (:func:`clogit_call`), which derived functions run
    again with ``coxph``."""
    user = CoxCall(X=None, time=None, event=None, formula=formula, data=data, subset=subset, weights=weights,
                   init=init, control=control)
    m = _Model(user)
    fa = m.formula
    assert fa is not None
    sess = session()
    res = sess.call("rparity_clogit", stacklevel=3, placeholders=m.names(), form=fa.form,
                    weights=fa.column(weights, data), method=method, init=init, control=_control(control))
    c = clogit_call(formula, data, method, weights)  # R accepted the call: its record as coxph
    record = CoxCall(X=None, time=None, event=None, formula=c.formula, data=data, subset=subset, weights=c.weights,
                     ties=c.ties, init=init, control=control)
    return _cox_result(res, m, record, c.ties, sess.provenance(f"survival::clogit({formula}, data = <data>, "
                                                               f"method = {lit(method)})"))
