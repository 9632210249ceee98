"""``coxph``, ``cox_zph``, ``basehaz`` and ``concordance`` run in R (survival),
returning pyimpl's result types.

Inputs go through pyimpl's validation first (same :class:`InvalidArgument` in
every engine); then the *original* rows, missing values included, are sent to
R, which drops incomplete rows itself (``na.omit``). Covariates reach R as
placeholder columns ``x1..xp``; coefficient names are mapped back to the
caller's.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pyimpl.cox.coxph import check_prefit, check_singular
from pyimpl.cox.control import CoxControl
from pyimpl.cox.design import build_design
from pyimpl.cox.inputs import float_with_nan, labels_with_nan, prepare_inputs
from pyimpl.cox.summary import chisq_test
from pyimpl._validate import as_choice
from pyimpl.cox.chol import WTEST_MESSAGE
from pyimpl.cox.exact import OVERFLOW_MESSAGE
from pyimpl.errors import InvalidArgument, RError
from pyimpl.results.cox import Concordance, CoxInputs, CoxPH, CoxTest, CoxZph

from ._session import Factor, session

__all__ = ["coxph", "cox_zph", "basehaz", "concordance"]


def _f(v: Any) -> float:
    return float(np.asarray(v, dtype=float).reshape(-1)[0])


def _r_args(inp: CoxInputs) -> dict:
    """Keyword arguments of the R helpers, from a fit's inputs."""
    design = build_design(inp.x)
    df = inp.x if isinstance(inp.x, pd.DataFrame) else pd.DataFrame(design.x, columns=list(design.names))
    cols: dict[str, Any] = {}
    for j, term in enumerate(design.terms):
        col = df.iloc[:, j] if isinstance(inp.x, pd.DataFrame) else pd.Series(design.x[:, j])
        name = f"x{j + 1}"
        if term.kind == "factor":
            cols[name] = Factor(np.asarray(col.cat.codes), list(term.levels))
        elif term.kind == "logical":
            v = col.astype("object")
            codes = np.array([-1 if (x is None or x is pd.NA or (isinstance(x, float) and np.isnan(x)))
                              else int(bool(x)) for x in v.tolist()])
            cols[name] = Factor(codes, ["FALSE", "TRUE"])
        else:
            cols[name] = col.to_numpy(dtype=float, na_value=np.nan)
    x_r = _data_frame(cols)
    args: dict[str, Any] = dict(
        x=x_r, time=float_with_nan(inp.time, "time"), event=float_with_nan(inp.event, "event"),
        weights=None if inp.weights is None else float_with_nan(inp.weights, "weights"),
        strata=None, cluster=None, ties=inp.ties, robust=None if inp.robust is None else bool(inp.robust),
        init=None if inp.init is None else np.asarray(inp.init, dtype=float),
        control=_control(inp.control), nocenter=np.asarray(inp.nocenter, dtype=float),
    )
    if inp.strata is not None:
        codes, levels, _ = labels_with_nan(inp.strata, "strata")
        args["strata"] = Factor(codes, [str(v) for v in levels])
    if inp.cluster is not None:
        codes, levels, _ = labels_with_nan(inp.cluster, "cluster")
        args["cluster"] = Factor(codes, [str(v) for v in levels])
    return args


def _data_frame(cols: dict) -> Any:
    import rpy2.robjects as ro

    from ._session import to_r

    return ro.DataFrame({k: to_r(v) for k, v in cols.items()})


def _control(c: CoxControl) -> dict:
    return {"eps": c.eps, "toler.chol": c.toler_chol, "iter.max": int(c.iter_max), "toler.inf": c.toler_inf,
            "outer.max": int(c.outer_max), "timefix": bool(c.timefix)}


def _call_string(inp: CoxInputs, p: int, extra: str = "") -> str:
    rhs = " + ".join(f"x{j + 1}" for j in range(p)) + (" + strata(stratum)" if inp.strata is not None else "")
    parts = [f"survival::coxph(Surv(time, event) ~ {rhs}, data = d"]
    if inp.weights is not None:
        parts.append("weights = w")
    if inp.cluster is not None:
        parts.append("cluster = cl")
    parts.append(f'ties = "{inp.ties}"')
    if inp.robust is not None:
        parts.append(f"robust = {'TRUE' if inp.robust else 'FALSE'}")
    if inp.init is not None:
        parts.append("init = c(" + ", ".join(repr(float(v)) for v in np.asarray(inp.init).ravel()) + ")")
    c = inp.control
    parts.append(f"control = coxph.control(eps = {c.eps!r}, toler.chol = {c.toler_chol!r}, "
                 f"iter.max = {c.iter_max}, toler.inf = {c.toler_inf!r}, timefix = {'TRUE' if c.timefix else 'FALSE'})")
    parts.append("nocenter = c(" + ", ".join(repr(float(v)) for v in inp.nocenter) + "))")
    return ", ".join(parts) + extra


def _test(v, df_default: int) -> CoxTest:
    a = np.asarray(v, dtype=float).reshape(-1)
    return CoxTest(statistic=float(a[0]), df=int(a[1]), pvalue=float(a[2]))


def coxph(X, time, event, *, ties: str = "efron", weights=None, strata=None, cluster=None,
          robust: bool | None = None, init=None, control: CoxControl | None = None,
          nocenter=(-1, 0, 1), singular_ok: bool = True) -> CoxPH:
    """R's ``survival::coxph``; see :func:`pyimpl.coxph`."""
    prep = prepare_inputs(X, time, event, ties=ties, weights=weights, strata=strata, cluster=cluster,
                          robust=robust, init=init, control=control, nocenter=nocenter)
    check_prefit(prep)
    fit = _coxph_r(prep.inputs, prep.design)
    check_singular(fit, singular_ok)
    return fit


def _coxph_r(inp: CoxInputs, design) -> CoxPH:
    sess = session()
    try:
        res = sess.call("rparity_coxph", stacklevel=4, **_r_args(inp))
    except RError as err:
        # R failure modes that pyimpl reports as InvalidArgument: same error in both engines
        if inp.ties == "exact" and "NA/NaN/Inf in foreign function call (arg 5)" in err.r_message:
            raise InvalidArgument(OVERFLOW_MESSAGE) from err
        if "infinite argument in coxph.wtest" in err.r_message:
            raise InvalidArgument(WTEST_MESSAGE) from err
        raise
    v = res.value
    p = len(design.names)
    names_r = list(v["names"] or [])
    expected = _placeholder_names(design)
    if names_r != expected:
        raise RuntimeError(f"internal: R named the coefficients {names_r}, expected {expected}")
    coef = np.asarray(v["coef"], dtype=float).reshape(p)
    var = np.asarray(v["var"], dtype=float).reshape(p, p)
    naive = None if v["naive_var"] is None else np.asarray(v["naive_var"], dtype=float).reshape(p, p)
    df = int(_f(v["df"]))
    nevent = int(round(_f(v["nevent"])))
    if nevent == 0:
        wald = score = lr = chisq_test(0.0, 0)
    else:
        lt = np.asarray(v["logtest"], dtype=float)
        st = np.asarray(v["sctest"], dtype=float)
        lr = CoxTest(statistic=float(lt[0]), df=int(lt[1]), pvalue=float(lt[2]))
        score = CoxTest(statistic=float(st[0]), df=int(st[1]), pvalue=float(st[2]))
        wv = np.asarray(v["wald"], dtype=float).reshape(-1)
        wald = CoxTest(statistic=float(wv[0]) if wv.size else float("nan"), df=df,
                       pvalue=_f(v["waldtest_p"]) if wv.size else float("nan"))
    rscore = None
    if v["robscore"] is not None:
        rs = np.asarray(v["robscore"], dtype=float)
        rscore = CoxTest(statistic=float(rs[0]), df=int(rs[1]), pvalue=float(rs[2]))
    conc = None
    cv = v["concordance"]
    n = int(_f(v["n"]))
    if cv is not None and nevent > 0:
        cv = np.asarray(cv, dtype=float)
        conc = Concordance(c=float(cv[5]), std=float(cv[6]), concordant=float(cv[0]), discordant=float(cv[1]),
                           tied_x=float(cv[2]), tied_y=float(cv[3]), tied_xy=float(cv[4]), n=n, engine="r")
    na_action = tuple(int(i) - 1 for i in np.asarray(v["na_action"], dtype=np.int64).reshape(-1))
    robust = naive is not None
    table = _summary_table(v, design.names, robust)
    return CoxPH(
        names=design.names, coef=coef, se=np.sqrt(np.diag(var)), var=var, naive_var=naive,
        loglik=np.asarray(v["loglik"], dtype=float).reshape(-1), score_test=score, wald_test=wald, lr_test=lr,
        robust_score_test=rscore, concordance=conc, n=n, nevent=nevent, iterations=int(_f(v["iter"])),
        means=np.asarray(v["means"], dtype=float).reshape(p), linear_predictors=np.asarray(v["lp"], dtype=float),
        n_dropped=len(na_action), method=inp.ties, robust=robust, na_action=na_action,
        term_names=design.term_names, assign=design.assign, inputs=inp, engine="r",
        provenance=sess.provenance(_call_string(inp, len(design.terms))), warnings=res.warnings,
        summary_table=table,
    )


def _summary_table(v: dict, names, robust: bool) -> pd.DataFrame:
    """``summary(fit)$coefficients`` and ``$conf.int`` (95%) as pyimpl's frame."""
    p = len(names)
    ct = np.asarray(v["coeftab"], dtype=float).reshape(p, -1, order="F")
    ci = np.asarray(v["conftab"], dtype=float).reshape(p, -1, order="F")
    cols = {"coef": ct[:, 0], "exp_coef": ct[:, 1], "se": ct[:, 2]}
    k = 3
    if robust:
        cols["robust_se"] = ct[:, 3]
        k = 4
    cols.update({"z": ct[:, k], "p": ct[:, k + 1], "lower": ci[:, 2], "upper": ci[:, 3]})
    return pd.DataFrame(cols, index=pd.Index(list(names), name="term"))


def _placeholder_names(design) -> list[str]:
    out = []
    for j, term in enumerate(design.terms):
        if term.kind == "numeric":
            out.append(f"x{j + 1}")
        elif term.kind == "logical":
            out.append(f"x{j + 1}TRUE")
        else:
            out.extend(f"x{j + 1}{lev}" for lev in term.levels[1:])
    return out


def _inputs_of(fit: CoxPH) -> CoxInputs:
    if not isinstance(fit, CoxPH) or fit.inputs is None:
        raise InvalidArgument("`fit` must be a CoxPH result that kept its inputs (from coxph() of any engine)")
    return fit.inputs


def cox_zph(fit: CoxPH, transform: str = "km") -> CoxZph:
    """R's ``survival::cox.zph(fit, transform=)`` on a refit of ``fit``'s inputs."""
    inp = _inputs_of(fit)
    transform = as_choice(transform, "transform", ("km", "rank", "identity", "log"))
    sess = session()
    res = sess.call("rparity_cox_zph", transform=transform, **_r_args(inp))
    v = res.value
    terms = tuple(_term_label(t, fit) for t in v["terms"])
    return CoxZph(terms=terms, chisq=np.asarray(v["chisq"], dtype=float), df=np.asarray(v["df"], dtype=float),
                  p=np.asarray(v["p"], dtype=float), transform=transform, engine="r",
                  provenance=sess.provenance(f"survival::cox.zph({_call_string(inp, len(fit.term_names))}, "
                                             f'transform = "{transform}")'),
                  warnings=res.warnings)


def _term_label(r_label: str, fit: CoxPH) -> str:
    if r_label == "GLOBAL":
        return r_label
    if r_label.startswith("x") and r_label[1:].isdigit():
        j = int(r_label[1:]) - 1
        if 0 <= j < len(fit.term_names):
            return fit.term_names[j]
    return r_label


def basehaz(fit: CoxPH, centered: bool = True) -> pd.DataFrame:
    """R's ``survival::basehaz(fit, centered=)`` on a refit of ``fit``'s inputs:
    columns ``time, hazard`` (and ``strata`` for a stratified fit)."""
    inp = _inputs_of(fit)
    if not isinstance(centered, (bool, np.bool_)):
        raise InvalidArgument(f"`centered` must be True or False; got centered={centered!r}")
    res = session().call("rparity_basehaz", centered=bool(centered), **_r_args(inp))
    v = res.value
    out = pd.DataFrame({"time": np.asarray(v["time"], dtype=float), "hazard": np.asarray(v["hazard"], dtype=float)})
    if v["strata"] is not None:
        out["strata"] = [s.split("=", 1)[1] if "=" in s else s for s in v["strata"]]
    return out


def concordance(fit: CoxPH) -> Concordance:
    """R's ``survival::concordance(fit)`` on a refit of ``fit``'s inputs."""
    inp = _inputs_of(fit)
    sess = session()
    res = sess.call("rparity_concordance", **_r_args(inp))
    v = res.value
    cnt = np.asarray(v["count"], dtype=float)
    return Concordance(c=_f(v["concordance"]), std=_f(v["std"]), concordant=float(cnt[0]),
                       discordant=float(cnt[1]), tied_x=float(cnt[2]), tied_y=float(cnt[3]),
                       tied_xy=float(cnt[4]), n=int(_f(v["n"])), engine="r",
                       provenance=sess.provenance(f"survival::concordance({_call_string(inp, len(fit.term_names))})"),
                       warnings=res.warnings)
