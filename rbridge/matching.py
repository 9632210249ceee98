"""``glm_logit`` and ``matchit`` run in R (stats::glm, MatchIt::matchit and
``summary.matchit``), returning pyimpl's result types.

Arguments are validated by pyimpl's validators first, so bad input raises the
same :class:`~pyimpl.errors.InvalidArgument` in every engine. Columns reach R
under placeholder names (``x1..xp``, ``e1..``); the formulas are built from
those names in R, never from user strings. R's errors that are about the input
("No matches were found.", "No units were matched.") are re-raised as
``InvalidArgument`` with R's message, as pyimpl raises them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pyimpl._validate import as_weights, check_lengths
from pyimpl.errors import InvalidArgument, RError
from pyimpl.matching.design import Term, covariate_terms, glm_matrix
from pyimpl.matching.glm import as_covariate_frame, as_response
from pyimpl.matching.matchit import MatchSpec, balance_design, validate
from pyimpl.results.matching import BALANCE_COLUMNS, NN_ROWS, GlmLogit, MatchIt, MatchItSummary

from ._session import Factor, session

__all__ = ["glm_logit", "matchit"]

_INPUT_ERRORS = ("No matches were found.", "No units were matched.", "No treated units were matched.",
                 "No control units were matched.", "Calipers cannot be used with binary")


def _term_to_r(t: Term) -> Any:
    if t.kind == "numeric":
        return np.asarray(t.values, dtype=float)
    return Factor(np.asarray(t.codes), [str(v) for v in t.levels])


def _glm_from_r(v: dict, names: list[str], engine_warnings=()) -> GlmLogit:
    coef = np.asarray(v["coef"], dtype=float)
    if len(coef) != len(names):  # pragma: no cover - design mismatch would be a bug
        raise RuntimeError(f"R's design has {len(coef)} columns, pyimpl's {len(names)}: {v['names']}")
    g = lambda k: np.asarray(v[k]).ravel()[0]  # noqa: E731
    return GlmLogit(names=tuple(names), coef=coef, fitted=np.asarray(v["fitted"], float),
                    linear_predictor=np.asarray(v["linear_predictor"], float),
                    deviance=float(g("deviance")), null_deviance=float(g("null_deviance")),
                    aic=float(g("aic")), iterations=int(g("iterations")), converged=bool(g("converged")),
                    rank=int(g("rank")), engine="r", warnings=tuple(engine_warnings))


def glm_logit(X, y, *, weights=None) -> GlmLogit:
    """R's ``glm(y ~ ., family = binomial)``; see :func:`pyimpl.glm_logit`."""
    frame = as_covariate_frame(X)
    yv = as_response(y)
    check_lengths(X=frame.index, y=yv)
    w = None if weights is None else as_weights(weights, yv.size, "weights")
    terms = covariate_terms(frame, list(frame.columns), arg="X")
    _, names = glm_matrix(terms, yv.size)
    sess = session()
    res = sess.call("rparity_glm_logit", X=_rframe(terms, "x"),
                    y=yv, weights=w)
    out = _glm_from_r(res.value, names, res.warnings)
    rhs = " + ".join(f"x{j + 1}" for j in range(len(terms)))
    call = f"stats::glm(y ~ {rhs}, data = d, family = binomial()" + (", weights = w)" if w is not None else ")")
    return out.replace(provenance={**sess.provenance(call),
                                   "placeholders": {f"x{j + 1}": t.name for j, t in enumerate(terms)}})


def _rframe(terms: list[Term], prefix: str):
    """An R data.frame with placeholder column names."""
    import rpy2.robjects as ro

    from ._session import to_r

    cols = {f"{prefix}{j + 1}": to_r(_term_to_r(t)) for j, t in enumerate(terms)}
    return ro.DataFrame(cols)


@dataclass(frozen=True)
class _RSummary:
    """Implements :class:`pyimpl.results.MatchItMethods` with the summary R
    computed (``summary.matchit``) in the same call."""

    value: MatchItSummary

    def summary(self, m: MatchIt) -> MatchItSummary:
        return self.value


def _table(v: dict, names: tuple) -> pd.DataFrame:
    rows = list(v["rows"])
    if len(rows) != len(names) + 1:  # pragma: no cover
        raise RuntimeError(f"R's balance table has rows {rows}; expected distance + {list(names)}")
    return pd.DataFrame({c: np.asarray(v[c], dtype=float) for c in BALANCE_COLUMNS},
                        index=pd.Index(["distance", *names]))


def matchit(data: pd.DataFrame, treat: str, covariates, *, distance="glm", link: str = "logit",
            estimand: str = "ATT", ratio: int = 1, replace: bool = False, caliper: float | None = None,
            std_caliper: bool = True, m_order: str | None = None, discard: str = "none", exact=None,
            seed: int | None = None) -> MatchIt:
    """R's ``MatchIt::matchit(method = "nearest")``; see :func:`pyimpl.matchit`."""
    spec: MatchSpec = validate(data, treat, covariates, distance=distance, link=link, estimand=estimand,
                               ratio=ratio, replace=replace, caliper=caliper, std_caliper=std_caliper,
                               m_order=m_order, discard=discard, exact=exact, seed=seed, compat=None)
    sess = session()
    sess.require("MatchIt")
    n = len(data)
    cov_names = [t.name for t in spec.terms]
    exact_frame, exact_names, ex_only = None, None, []
    if spec.exact_terms is not None:
        exact_names = []
        for t in spec.exact_terms:
            if t.name in cov_names:
                exact_names.append(f"x{cov_names.index(t.name) + 1}")
            else:
                ex_only.append(t)
                exact_names.append(f"e{len(ex_only)}")
        exact_frame = _rframe(ex_only, "e") if ex_only else None
    try:
        res = sess.call("rparity_matchit", X=_rframe(spec.terms, "x"), treat=spec.treat.astype(np.int32),
                        exact_data=exact_frame, exact_names=exact_names, distance=spec.distance, link=spec.link,
                        estimand=spec.estimand, ratio=spec.ratio, replace=spec.replace, caliper=spec.caliper,
                        std_caliper=spec.std_caliper, m_order=spec.m_order, discard=spec.discard,
                        seed=spec.seed)
    except RError as exc:
        if exc.r_message.strip().startswith(_INPUT_ERRORS):
            raise InvalidArgument(exc.r_message.strip()) from exc
        raise
    v = res.value
    labels = data.index
    ncol = int(np.asarray(v["mm_ncol"]).ravel()[0])
    frows = np.asarray(v["focal_rows"], dtype=np.int64) - 1
    mmv = np.asarray(v["match_matrix"], dtype=float).reshape(ncol, -1).T if frows.size else \
        np.zeros((0, ncol))
    entries = np.empty(mmv.shape, dtype=object)
    entries.ravel()[:] = [labels[int(x) - 1] if np.isfinite(x) else None for x in mmv.ravel().tolist()]
    match_matrix = pd.DataFrame(entries, index=labels[frows], columns=list(range(1, ncol + 1)))
    sub = None
    if v.get("subclass") is not None:
        s = np.asarray(v["subclass"], dtype=float)
        codes = np.where(np.isfinite(s), s - 1, -1).astype(np.int64)
        k = int(codes.max()) + 1 if codes.size else 0
        sub = pd.Categorical.from_codes(codes, categories=list(range(1, k + 1)))
    bx, bnames = balance_design(spec, n)
    nn = pd.DataFrame({"control": np.asarray(v["nn_control"], float),
                       "treated": np.asarray(v["nn_treated"], float)}, index=pd.Index(NN_ROWS))
    summ = MatchItSummary(all=_table(v["sum_all"], bnames), matched=_table(v["sum_matched"], bnames), nn=nn,
                          engine="r")
    model = None
    if v.get("model") is not None:
        model = _glm_from_r(v["model"], glm_matrix(spec.terms, n)[1])
    cal = v.get("caliper")
    cal = None if cal is None else float(np.asarray(cal).ravel()[0])
    m_used = spec.m_order or ("smallest" if spec.estimand == "ATC" else "largest")
    n1 = int(frows.size)
    if spec.replace or n1 <= 1:
        m_used = "data"
    xs = " + ".join(f"x{j + 1}" for j in range(len(spec.terms)))
    call = (("set.seed({}); ".format(spec.seed) if spec.seed is not None else "")
            + f"MatchIt::matchit(treat ~ {xs}, data = d, method = \"nearest\", "
            + ("distance = \"glm\"" if spec.distance is None else "distance = <numeric>")
            + f", link = \"{spec.link}\", estimand = \"{spec.estimand}\", ratio = {spec.ratio}, "
            + f"replace = {str(spec.replace).upper()}, caliper = {'NULL' if spec.caliper is None else repr(spec.caliper)}, "
            + f"std.caliper = {str(spec.std_caliper).upper()}, "
            + f"m.order = {'NULL' if spec.m_order is None else chr(34) + spec.m_order + chr(34)}, "
            + f"discard = \"{spec.discard}\""
            + (f", exact = ~{' + '.join(exact_names)})" if exact_names else ")"))
    placeholders = {f"x{j + 1}": t.name for j, t in enumerate(spec.terms)}
    placeholders.update({f"e{j + 1}": t.name for j, t in enumerate(ex_only)})
    return MatchIt(distance=np.asarray(v["distance"], float), match_matrix=match_matrix,
                   weights=np.asarray(v["weights"], float), subclass=sub,
                   discarded=np.asarray(v["discarded"], dtype=bool), caliper=cal, treat=spec.treat,
                   index=labels, estimand=spec.estimand, ratio=spec.ratio, replace=spec.replace,
                   m_order=m_used, compat=None, model=model, data=data, balance_x=bx, balance_names=bnames,
                   engine="r", provenance={**sess.provenance(call), "placeholders": placeholders},
                   warnings=res.warnings, _methods=_RSummary(summ))
