"""Parity cases for ``glm_logit`` and ``matchit`` (with its balance summary).

``matchit`` cases come in two modes:

* ``mode="installed"`` (ids ``matchit/<config>``): pyimpl runs with the compat
  mode that matches the R MatchIt the golden files / live R come from
  (:func:`compat_for`), so pairs must be identical to R's.
* ``mode="3.0.2"`` (ids ``matchit/3.0.2/<config>``, :data:`CASES_302`): both
  engines run MatchIt 3.0.2 (``compat="3.0.2"``: pyimpl reproduces it, R runs
  the package from its private library); the golden files are 3.0.2's output,
  with its source (git tag and commit) in their provenance. 3.0.2's summary is
  not part of the contract: these cases compare the match itself.
* ``mode="documented"`` (ids ``matchit/documented/<config>``, listed in
  :data:`DOCUMENTED_CASES` and part of :data:`CASES`): pyimpl runs the
  documented algorithm (``compat=None``) against the same R output. Where the
  installed MatchIt 4.5.1's bugs change the pairs these differ: the harness
  classifies that as the known divergence ``matchit-4.5.1-nearest-bugs``
  (kosukeimai/MatchIt #163 integer ``abs``, #159 ``check_in`` off-by-one,
  #151 exact strata without focal units; registered in
  :mod:`rparity.divergences`), never as a failure.

Subclasses are compared as partitions (labels renumbered by first appearance
in data order); match matrices as 0-based row positions (-1 = no match).
"""
from __future__ import annotations

import os
from typing import Any, Mapping

import numpy as np
import pandas as pd

from rparity_contract.values import BALANCE_COLUMNS, NN_ROWS

from ..compare import NotProvided
from .base import Case

__all__ = ["CASES", "CASES_302", "DOCUMENTED_CASES", "EXACT_CONFIGS", "SUBCLASS_CONFIGS", "CEM_CONFIGS",
           "SAMPLING_CONFIGS",
           "matching_cohorts",
           "logistic_cohorts", "compat_for", "compat_for_version",
           "installed_matchit_version", "run_glm_logit", "run_matchit", "canonical_subclass", "MATCHIT_ISSUES",
           "GOLDEN_MATCHIT_VERSION", "takes_compat"]

#: The MatchIt version the golden files were generated with (recorded in their provenance).
GOLDEN_MATCHIT_VERSION = "4.5.1"

#: MatchIt issues behind the documented-vs-installed difference.
MATCHIT_ISSUES = {
    "#163": "4.5.1-4.5.3 compare distances with C's int abs: caliper ignored on the PS scale, "
            "left neighbour always preferred (fixed in 4.5.4)",
    "#159": "check_in off-by-one: with replacement and ratio > 1 the same control repeats; "
            "without replacement the row after an earlier match is skipped (fixed in 4.5.3)",
    "#151": "an exact stratum without focal units makes rbind fail (fixed in 4.5.2)",
}

_COMPAT_BY_VERSION = {"4.5.0": "4.5.1", "4.5.1": "4.5.1", "4.5.2": "4.5.1"}


def compat_for_version(version: str | None) -> str | None:
    """pyimpl's ``compat`` for an R MatchIt version: ``"4.5.1"`` for the
    builds with both matching bugs (4.5.0-4.5.2), else the documented algorithm."""
    return _COMPAT_BY_VERSION.get(str(version)) if version else None


def installed_matchit_version() -> str:
    """The MatchIt version to be at parity with: ``RPARITY_MATCHIT_VERSION`` if
    set, else the version in the running R (if R is available), else the
    version the golden files were generated with."""
    env = os.environ.get("RPARITY_MATCHIT_VERSION")
    if env:
        return env
    try:
        import rbridge

        if rbridge.r_available():
            v = rbridge.session().versions.get("MatchIt")
            if v:
                return str(v)
    except Exception:  # pragma: no cover - no rpy2 / no R
        pass
    return GOLDEN_MATCHIT_VERSION


def takes_compat(engine: Any) -> bool:
    """Whether the engine's ``matchit`` has pyimpl's ``compat`` parameter (pyimpl,
    and engines that wrap it)."""
    import inspect

    fn = getattr(getattr(engine, "impl", engine), "matchit", None)
    try:
        return fn is not None and "compat" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def compat_for(engine: Any, matchit_version: str | None = None) -> str | None:
    """The ``compat`` argument to give ``engine.matchit`` (when it takes one):
    ``"4.5.1"`` when the R MatchIt compared against is 4.5.0-4.5.2."""
    if not takes_compat(engine):
        return None
    return compat_for_version(matchit_version or installed_matchit_version())


def canonical_subclass(sub) -> np.ndarray:
    """Subclass partition: labels renumbered 0, 1, ... by first appearance in
    data order, -1 for units in no subclass; empty when there are none (with
    replacement, as R's NULL)."""
    if sub is None:
        return np.zeros(0, dtype=np.int64)
    codes = np.asarray(pd.Categorical(sub).codes)
    out = np.full(codes.size, -1, dtype=np.int64)
    seen: dict = {}
    for i, c in enumerate(codes.tolist()):
        if c >= 0:
            out[i] = seen.setdefault(c, len(seen))
    return out


def _prepare(data: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    return data.dropna(subset=cols).reset_index(drop=True)


def run_glm_logit(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    d = _prepare(data, [*p["covariates"], p["y_column"]] + ([p["weights"]] if p.get("weights") else []))
    y = (d[p["y_column"]] == p.get("y_value", 1)).astype(float).to_numpy()
    w = None
    if p.get("weights"):
        w = d[p["weights"]].to_numpy(float) * p.get("weights_scale", 1.0) + p.get("weights_offset", 0.0)
    fit = engine.glm_logit(d[list(p["covariates"])], y, weights=w)
    out = dict(fit.quantities())
    out["names"] = tuple(fit.names)
    out["warnings"] = tuple(fit.warnings)
    return out


_MATCHIT_OPTIONS = ("link", "estimand", "ratio", "replace", "caliper", "std_caliper", "m_order", "discard",
                    "exact", "seed", "sample_kind", "method", "subclass", "min_n", "cutpoints", "distance", "mahvars",
                    "antiexact", "s_weights", "unit_id")


def _sampling_columns(data: pd.DataFrame, p: Mapping[str, Any]) -> pd.DataFrame:
    """Columns a case derives for ``s_weights``/``unit_id``: ``sw`` (from
    ``sw_from``: [column, offset, scale], ``offset + scale * column``; or the
    fixed pattern ``0.5 + ((i * 7919) % 101)/67``, in [0.5, 2]), ``uid``
    (``uid_block = k``: rows i // k share an id, treated and control alike).
    ``s_weights_vector`` passes the ``sw`` column as numbers instead of its name."""
    if not any(k in p for k in ("sw_from", "sw_pattern", "uid_block")):
        return data
    out = data.copy()
    i = np.arange(len(out))
    if "sw_from" in p:
        col, offset, scale = p["sw_from"]
        out["sw"] = offset + scale * out[col].to_numpy(float)
    elif p.get("sw_pattern"):
        out["sw"] = 0.5 + ((i * 7919) % 101) / 67.0
    if "uid_block" in p:
        out["uid"] = i // int(p["uid_block"])
    return out


def _treatment(data: pd.DataFrame, p: Mapping[str, Any]) -> pd.DataFrame:
    """``treat_from = [column, value]``: a 0/1 treatment column ``p["treat"]``
    made from a labelled arm (1 where the column equals the value)."""
    if "treat_from" not in p:
        return data
    col, value = p["treat_from"]
    out = data.copy()
    out[p["treat"]] = (out[col] == value).astype(np.int64)
    return out


def run_matchit(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    kw = {k: p[k] for k in _MATCHIT_OPTIONS if k in p}
    data = _sampling_columns(_treatment(data, p), p)
    if p.get("s_weights_vector"):
        kw["s_weights"] = data[kw["s_weights"]].to_numpy(float)
    mode = p.get("mode")
    if mode == "3.0.2":
        if not takes_compat(engine):
            raise NotImplementedError("the engine's matchit has no compat='3.0.2' (MatchIt 3.0.2)")
        kw["compat"] = "3.0.2"
    elif takes_compat(engine):
        kw["compat"] = None if mode == "documented" else compat_for(engine)
    m = engine.matchit(data, p["treat"], list(p["covariates"]), **kw)
    out = {
        "distance": np.zeros(0) if m.distance is None else np.asarray(m.distance, dtype=float),
        "focal": np.flatnonzero(m.treat == (0 if m.estimand == "ATC" else 1)).astype(np.int64),
        "match_matrix": m.match_positions,
        "weights": np.asarray(m.weights, dtype=float),
        "subclass": canonical_subclass(m.subclass),
        "discarded": np.asarray(m.discarded, dtype=bool),
        "caliper": float("nan") if m.caliper is None else float(m.caliper),
        "warnings": tuple(m.warnings),
    }
    if "s_weights" in p:  # m$s.weights
        sw = getattr(m, "s_weights", None)
        out["s_weights"] = np.zeros(0) if sw is None else np.asarray(sw, dtype=float)
    if isinstance(p.get("caliper"), dict):  # the named calipers (on covariates), in R's order
        out["caliper_covs"] = np.array(list((getattr(m, "caliper_covs", None) or {}).values()), dtype=float)
    if getattr(m, "method", "nearest") == "subclass":
        out["q_cut"] = np.asarray(m.q_cut, dtype=float)
    if mode == "3.0.2":  # 3.0.2's summary is not in the contract
        out.update(_match_data_quantities(engine, m))
        return out
    absent = None
    try:
        s = engine.matchit_summary(m)
    except NotImplementedError as exc:
        s, absent = None, NotProvided(str(exc))
    out["summary.rows"] = absent if s is None else tuple(str(r) for r in s.all.index)
    for part in ("all", "matched"):
        tab = None if s is None else getattr(s, part)  # no matched table after method = NULL (R's NULL)
        out.update({f"summary.{part}.{c}": absent if s is None else np.zeros(0) if tab is None else tab[c].to_numpy()
                    for c in BALANCE_COLUMNS})
    out.update({f"summary.nn.{r}": absent if s is None else s.nn.loc[r].to_numpy(float) for r in NN_ROWS})
    out.update(_match_data_quantities(engine, m))
    return out


def _match_data_quantities(engine: Any, m: Any) -> dict:
    """``match.data(m)``: which rows (0-based positions in data order), and
    their distance, weight and subclass partition."""
    try:
        md = engine.match_data(m)
    except NotImplementedError as exc:
        return {f"match_data.{k}": NotProvided(str(exc)) for k in ("rows", "distance", "weights", "subclass")}
    pos = {lab: i for i, lab in enumerate(m.index)}
    return {
        "match_data.rows": np.array([pos[lab] for lab in md.index], dtype=np.int64),
        "match_data.distance": md["distance"].to_numpy(float) if "distance" in md.columns else np.zeros(0),
        "match_data.weights": md["weights"].to_numpy(float),
        "match_data.subclass": canonical_subclass(md["subclass"]) if "subclass" in md.columns
        else np.zeros(0, dtype=np.int64),
    }


LALONDE_COVS = ["age", "educ", "race", "married", "nodegree", "re74", "re75"]
# lalonde's covariates without the factor (every level of a factor makes the Mahalanobis covariance singular:
# MatchIt's SVD generalised inverse is not replayed, pyimpl refuses it)
_NUM_COVS = ["age", "educ", "married", "nodegree", "re74", "re75"]

#: Option combinations on lalonde: the spec's 14 verified ones, then more.
MATCHIT_CONFIGS: dict[str, dict] = {
    "default": {},
    "smallest": dict(m_order="smallest"),
    "data": dict(m_order="data"),
    "random": dict(m_order="random", seed=1234),
    "ratio2": dict(ratio=2),
    "ratio3": dict(ratio=3),
    "ratio3-replace": dict(ratio=3, replace=True),
    "atc": dict(estimand="ATC"),
    "atc-ratio2": dict(estimand="ATC", ratio=2),
    "caliper0.1": dict(caliper=0.1),
    "linear-caliper0.2": dict(link="linear.logit", caliper=0.2),
    "linear-ratio2": dict(link="linear.logit", ratio=2),
    "discard-both": dict(discard="both"),
    "exact-married": dict(exact="married"),
    # beyond the spec's list
    "exact-married-nodegree-ratio2": dict(exact=["married", "nodegree"], ratio=2),
    "exact-race-random": dict(exact="race", m_order="random", seed=7),
    "discard-treated-linear-caliper0.05": dict(discard="treated", link="linear.logit", caliper=0.05),
    "discard-control-atc-ratio2-replace": dict(discard="control", estimand="ATC", ratio=2, replace=True),
    "linear-caliper0.5-raw-ratio2": dict(link="linear.logit", caliper=0.5, std_caliper=False, ratio=2),
    "replace": dict(replace=True),
    # the other binomial links of the propensity glm (quasibinomial(link) in MatchIt 4.5.1)
    "probit": dict(link="probit"),
    "linear-probit-caliper0.1": dict(link="linear.probit", caliper=0.1),
    "linear-cloglog-caliper0.2": dict(link="linear.cloglog", caliper=0.2),
    "cauchit-ratio2": dict(link="cauchit", ratio=2),
    "log-link-fails": dict(link="log"),  # glm.fit finds no valid coefficients on lalonde: both refuse
    # a rarer treatment (12% hispanic), where the log-binomial model converges
    "log-hispanic": dict(link="log", treat="hisp", treat_from=["race", "hispan"],
                         covariates=["age", "educ", "re74", "re75", "married", "nodegree"]),
    "linear-log-hispanic-caliper0.2": dict(link="linear.log", caliper=0.2, treat="hisp", treat_from=["race", "hispan"],
                                           covariates=["age", "educ", "re74", "re75", "married", "nodegree"]),
    # mahvars, distances on the covariates, antiexact, calipers on covariates (MatchIt 4.5.1 nn_matchC,
    # nn_matchC_vec, transform_covariates, process.caliper)
    **{
        "mahvars": dict(mahvars=["age", "educ", "re74"]),
        "mahvars-caliper0.2": dict(mahvars=["age", "educ", "re74"], caliper=0.2),
        "mahvars-ratio2-caliper0.3": dict(mahvars=["age", "educ", "re75", "married"], caliper=0.3, ratio=2),
        "mahvars-replace-ratio3": dict(mahvars=["age", "educ"], replace=True, ratio=3),
        "mahvars-exact-married": dict(mahvars=["age", "re74"], exact="married"),
        "mahvars-atc-discard-both": dict(mahvars=["age", "educ", "re74"], estimand="ATC", discard="both"),
        "mahalanobis": dict(distance="mahalanobis", covariates=_NUM_COVS),
        "mahalanobis-ratio2": dict(distance="mahalanobis", covariates=_NUM_COVS, ratio=2),
        "mahalanobis-random": dict(distance="mahalanobis", covariates=_NUM_COVS, m_order="random", seed=3),
        "mahalanobis-replace-ratio2": dict(distance="mahalanobis", covariates=_NUM_COVS, replace=True, ratio=2),
        "mahalanobis-caliper-age": dict(distance="mahalanobis", covariates=_NUM_COVS, caliper={"age": 0.5}),
        "scaled-euclidean": dict(distance="scaled_euclidean"),
        "euclidean-age-educ": dict(distance="euclidean", covariates=["age", "educ"]),
        "euclidean-replace-ratio3": dict(distance="euclidean", covariates=["age", "educ"], replace=True, ratio=3),
        "antiexact-married": dict(antiexact="married"),
        "antiexact-caliper0.1": dict(antiexact=["married", "nodegree"], caliper=0.1),
        "caliper-age-raw": dict(caliper={"age": 2, "": 0.2}, std_caliper={"age": False, "": True}),
        "caliper-age-re74-std": dict(caliper={"age": 0.5, "re74": 0.3}),
        "caliper-re78-ratio2": dict(caliper={"re78": 0.3}, ratio=2),  # not a covariate: joins the balance table
        "caliper-age-negative": dict(caliper={"age": -0.5}),  # R takes abs()
        "caliper-age-huge": dict(caliper={"age": 1e6}),  # binds nowhere: the plain match
        "mahvars-antiexact-caliper-educ": dict(mahvars=["age", "re74"], antiexact="nodegree",
                                               caliper={"": 0.25, "educ": 1}, std_caliper=[True, False]),
        # refused by both, for the same reason
        "mahvars-with-mahalanobis-refused": dict(distance="mahalanobis", covariates=_NUM_COVS, mahvars=["age"]),
        "mahalanobis-discard-refused": dict(distance="mahalanobis", covariates=_NUM_COVS, discard="both"),
        "mahalanobis-unnamed-caliper-refused": dict(distance="mahalanobis", covariates=_NUM_COVS, caliper=0.2),
        "mahalanobis-m-order-largest-refused": dict(distance="mahalanobis", covariates=_NUM_COVS, m_order="largest"),
        "caliper-binary-refused": dict(caliper={"married": 0.5}),
        "caliper-unknown-refused": dict(caliper={"nope": 0.5}),
        "mahvars-unknown-refused": dict(mahvars=["age", "nope"]),
        "antiexact-unknown-refused": dict(antiexact="nope"),
    },
}


def _mi(cfg: str, mode: str = "installed") -> Case:
    params = {"treat": "treat", "covariates": LALONDE_COVS, "mode": mode, **MATCHIT_CONFIGS[cfg]}
    cid = f"matchit/{cfg}" if mode == "installed" else f"matchit/documented/{cfg}"
    desc = ("pyimpl at parity with the installed MatchIt" if mode == "installed" else
            "pyimpl's documented algorithm vs the installed MatchIt 4.5.1: known divergence "
            "(MatchIt #163, #159, #151) where they differ")
    return Case(cid, "matchit", "lalonde", params, run_matchit, description=desc)


#: MatchIt 3.0.2 on lalonde: every option 3.0.2 has, both samplers, seeds that
#: change the draws; 3.0.2's warnings for options it cannot use.
MATCHIT302_CONFIGS: dict[str, dict] = {
    "caliper0.2-seed1": dict(caliper=0.2, seed=1),
    "caliper0.2-seed2": dict(caliper=0.2, seed=2),
    "caliper0.2-seed1-rejection": dict(caliper=0.2, seed=1, sample_kind="Rejection"),
    "nocaliper-ties-seed42": dict(seed=42),
    "random-seed5": dict(m_order="random", seed=5),
    "random-seed5-rejection": dict(m_order="random", seed=5, sample_kind="Rejection"),
    "smallest-ratio2-caliper0.5-seed8": dict(m_order="smallest", ratio=2, caliper=0.5, seed=8),
    "ratio2-seed1": dict(ratio=2, seed=1),
    "ratio3-replace-caliper0.3-seed9": dict(ratio=3, replace=True, caliper=0.3, seed=9),
    "ratio2-replace-seed3": dict(ratio=2, replace=True, seed=3),
    "linear-caliper0.1-seed3": dict(link="linear.logit", caliper=0.1, seed=3),
    "linear-random-ratio2-seed3": dict(link="linear.logit", m_order="random", ratio=2, seed=3),
    "discard-both-caliper0.05-seed11": dict(discard="both", caliper=0.05, seed=11),
    "discard-treated-linear-caliper0.25-seed6": dict(discard="treated", link="linear.logit", caliper=0.25, seed=6),
    "discard-control-random-seed12": dict(discard="control", m_order="random", seed=12),
    "exact-married-caliper0.2-seed4": dict(exact="married", caliper=0.2, seed=4),
    "exact-race-nodegree-seed14": dict(exact=["race", "nodegree"], seed=14),
    "morder-data-warns-seed2": dict(m_order="data", seed=2),
    "caliper-negative-warns-seed2": dict(caliper=-0.1, seed=2),
    "ratio-rounded-2.4-seed7": dict(ratio=2.4, seed=7),
    "probit-caliper0.2-seed3": dict(link="probit", caliper=0.2, seed=3),
    "linear-cloglog-caliper0.1-seed4": dict(link="linear.cloglog", caliper=0.1, seed=4),
    "cauchit-random-seed2": dict(link="cauchit", m_order="random", seed=2),
    "linear-cauchit-misnamed": dict(link="linear.cauchit", seed=1),  # 3.0.2's distance2linearcauchit
}

#: The study cohort (arms immuno / surgery), its raw baseline covariates:
#: 3.0.2's random draw within the caliper, a tight caliper, many seeds' worth of draws.
STUDY302_CONFIGS: dict[str, dict] = {
    "caliper0.2-seed1": dict(caliper=0.2, seed=1),
    "caliper0.2-seed123": dict(caliper=0.2, seed=123),
    "caliper0.05-seed7-rejection": dict(caliper=0.05, seed=7, sample_kind="Rejection"),
    "linear-caliper0.2-seed99": dict(link="linear.logit", caliper=0.2, seed=99),
    "log-caliper0.2-seed5": dict(link="log", caliper=0.2, seed=5),
    "linear-log-caliper0.1-seed6": dict(link="linear.log", caliper=0.1, seed=6),
}
STUDY_COVS = ["age", "sex", "hbsag", "afp", "alt", "tbil", "plt", "wbc", "t_stage", "pm_count"]


def _mi302(cfg: str, dataset: str = "lalonde") -> Case:
    if dataset == "lalonde":
        params = {"treat": "treat", "covariates": LALONDE_COVS, "mode": "3.0.2", **MATCHIT302_CONFIGS[cfg]}
        cid = f"matchit/3.0.2/{cfg}"
    else:
        params = {"treat": "immuno", "treat_from": ["arm", "immuno"], "covariates": STUDY_COVS, "mode": "3.0.2",
                  **STUDY302_CONFIGS[cfg]}
        cid = f"matchit/3.0.2/study-{cfg}"
    return Case(cid, "matchit", dataset, params, run_matchit,
                description="MatchIt 3.0.2 (the study paper's), random draws with R's sampler")


def _glm(id_: str, dataset: str, y_column: str, covariates: list[str], **extra: Any) -> Case:
    params = {"y_column": y_column, "covariates": covariates, **extra}
    return Case(f"glm_logit/{id_}", "glm_logit", dataset, params, run_glm_logit)


CASES: list[Case] = [
    _glm("lalonde", "lalonde", "treat", LALONDE_COVS),
    _glm("lalonde-weights-fractional", "lalonde", "treat", LALONDE_COVS, weights="educ", weights_scale=0.25),
    _glm("lalonde-separated", "lalonde", "nodegree", ["educ", "age"]),
    _glm("lalonde-re78-positive", "lalonde", "married", ["age", "race", "re74", "re75", "re78"]),
    _glm("lung-death", "lung", "status", ["age", "sex", "ph.ecog", "wt.loss"], y_value=2),
    _glm("veteran-celltype", "veteran", "status", ["trt", "celltype", "karno", "age", "prior"]),
    *[_mi(c) for c in MATCHIT_CONFIGS],
]

#: Exact matching (MatchIt 4.5.1 ``method = "exact"``): cells of the printed covariate
#: values, subclass weights for each estimand, the ignored-options warning.
EXACT_CONFIGS: dict[str, dict] = {
    "race-married-nodegree-educ": dict(covariates=["race", "married", "nodegree", "educ"]),
    "atc": dict(covariates=["race", "married", "nodegree"], estimand="ATC"),
    "ate": dict(covariates=["race", "married"], estimand="ATE"),
    "continuous-re74": dict(covariates=["re74"]),  # 7 significant digits decide the cells
    "age-educ-re75": dict(covariates=["age", "educ", "re75"]),
    "ignored-options-warn": dict(covariates=["race", "nodegree"], ratio=2, caliper=0.2, m_order="random",
                                 exact="age"),
    "no-covariates-refused": dict(covariates=[]),
    "digits-7-significant": dict(dataset="digits", covariates=["x", "g"]),
    "digits-7-significant-ate": dict(dataset="digits", covariates=["x", "k"], estimand="ATE"),
}


def _mi_exact(cfg: str) -> Case:
    conf = dict(EXACT_CONFIGS[cfg])
    dataset = conf.pop("dataset", "lalonde")
    params = {"treat": "treat", "covariates": LALONDE_COVS, "mode": "installed", "method": "exact", **conf}
    return Case(f"matchit/exact/{cfg}", "matchit", dataset, params, run_matchit,
                description="exact matching (MatchIt 4.5.1 matchit2exact)")


CASES += [_mi_exact(c) for c in EXACT_CONFIGS]

#: Coarsened exact matching (MatchIt 4.5.1's own ``method = "cem"``).
CEM_CONFIGS: dict[str, dict] = {
    "sturges": dict(covariates=["age", "educ", "race", "married"]),
    "ate-re74": dict(covariates=["age", "educ", "re74"], estimand="ATE"),
    "atc-all": dict(covariates=LALONDE_COVS, estimand="ATC"),
    "bins3": dict(covariates=["age", "educ"], cutpoints=3),
    "scott": dict(covariates=["age", "educ", "re75"], cutpoints="scott"),
    "quartiles": dict(covariates=["age", "re74"], cutpoints="q4"),
    "per-variable": dict(covariates=["age", "educ"], cutpoints={"age": [20, 30, 40], "educ": 0}),
    "unknown-variable-warns": dict(covariates=["age", "educ"], cutpoints={"age": 5, "nope": 3}),
    "ignored-options-warn": dict(covariates=["race", "married"], ratio=2, caliper=0.1),
}


def _mi_cem(cfg: str) -> Case:
    params = {"treat": "treat", "mode": "installed", "method": "cem", **CEM_CONFIGS[cfg]}
    return Case(f"matchit/cem/{cfg}", "matchit", "lalonde", params, run_matchit,
                description="coarsened exact matching (MatchIt 4.5.1 matchit2cem)")


CASES += [_mi_cem(c) for c in CEM_CONFIGS]

#: Subclassification on the propensity score (MatchIt 4.5.1 ``method = "subclass"``).
SUBCLASS_CONFIGS: dict[str, dict] = {
    "default-6": dict(),
    "subclass4": dict(subclass=4),
    "ate-10": dict(subclass=10, estimand="ATE"),
    "atc-8": dict(subclass=8, estimand="ATC"),
    "quantiles": dict(subclass=[0.3, 0.6]),
    "min-n0-12": dict(subclass=12, min_n=0),
    "min-n3-20-scoot": dict(subclass=20, min_n=3),  # units moved between subclasses (subclass_scoot)
    "linear-discard-both-5": dict(subclass=5, link="linear.logit", discard="both"),
    "probit-7": dict(subclass=7, link="probit"),
    "ignored-options-warn": dict(ratio=2, caliper=0.1, m_order="largest"),
    "subclass1-refused": dict(subclass=1),
    "min-n-too-large-refused": dict(subclass=10, min_n=40),
}


def _mi_subclass(cfg: str) -> Case:
    params = {"treat": "treat", "covariates": LALONDE_COVS, "mode": "installed", "method": "subclass",
              **SUBCLASS_CONFIGS[cfg]}
    return Case(f"matchit/subclass/{cfg}", "matchit", "lalonde", params, run_matchit,
                description="subclassification (MatchIt 4.5.1 matchit2subclass)")


CASES += [_mi_subclass(c) for c in SUBCLASS_CONFIGS]

_SW = dict(s_weights="sw", sw_pattern=True)
#: Sampling weights (``s.weights``) and unit ids (``unit.id``), MatchIt 4.5.1: the
#: s.weighted propensity glm, m$s.weights, the s.weighted summary and match.data;
#: unit ids used up as a whole without replacement (nn_matchC_vec / nn_matchC).
SAMPLING_CONFIGS: dict[str, dict] = {
    "sw-nearest": dict(_SW),
    "sw-vector-ratio2": dict(_SW, s_weights_vector=True, ratio=2),
    "sw-caliper0.1": dict(_SW, caliper=0.1),
    "sw-linear-caliper0.2-ratio2": dict(_SW, link="linear.logit", caliper=0.2, ratio=2),
    "sw-replace-ratio2": dict(_SW, replace=True, ratio=2),
    "sw-atc-discard-both": dict(_SW, estimand="ATC", discard="both"),
    "sw-zero-for-some": dict(s_weights="sw", sw_from=["nodegree", 0.0, 1.5]),  # s.weights 0 where nodegree is 0
    "sw-exact-married": dict(_SW, exact="married"),
    "sw-euclidean": dict(_SW, distance="euclidean", covariates=["age", "educ"]),
    "sw-negative-euclidean": dict(s_weights="sw", sw_from=["educ", -6.0, 1.0], distance="euclidean",
                                      covariates=["age", "educ"]),  # no glm: R accepts negative weights
    "sw-method-exact": dict(_SW, method="exact", covariates=["race", "married", "nodegree"]),
    "sw-method-exact-ate": dict(_SW, method="exact", covariates=["race", "married"], estimand="ATE"),
    "sw-method-cem": dict(_SW, method="cem", covariates=["age", "educ", "race"]),
    "sw-method-subclass": dict(_SW, method="subclass"),
    "sw-method-subclass-ate": dict(_SW, method="subclass", subclass=5, estimand="ATE"),
    "sw-method-null": dict(_SW, method=None),
    "sw-method-null-discard-both": dict(_SW, method=None, discard="both", ratio=2, caliper=0.1),  # ignored, warned
    "null-no-weights": dict(method=None),
    "sw-negative-glm-refused": dict(s_weights="sw", sw_from=["educ", -6.0, 1.0]),
    "sw-missing-column-refused": dict(s_weights="nope"),
    "sw-two-columns-refused": dict(s_weights=["age", "educ"]),
    # s.weights in the covariate distances (transform_covariates: pooled_cov / pooled_sd with w, cov.wt)
    "sw-mahvars": dict(_SW, mahvars=["age", "educ", "re74"]),
    "sw-mahvars-discard-both-caliper0.3-ratio2": dict(_SW, mahvars=["age", "educ", "re74", "married"],
                                                     discard="both", caliper=0.3, ratio=2),
    "sw-mahvars-atc-exact-married": dict(_SW, mahvars=["age", "re74"], estimand="ATC", exact="married"),
    "sw-mahalanobis-ratio2": dict(_SW, distance="mahalanobis", covariates=_NUM_COVS, ratio=2),
    "sw-mahalanobis-caliper-age-raw": dict(_SW, distance="mahalanobis", covariates=_NUM_COVS, caliper={"age": 5},
                                           std_caliper=False),
    "sw-mahalanobis-caliper-age0.5-ratio2": dict(_SW, distance="mahalanobis", covariates=_NUM_COVS,
                                                 caliper={"age": 0.5}, ratio=2),  # sd(age): unweighted
    # s.weights re78/1000: 0 for the 23% without 1978 earnings, up to 60 for the others
    "sw-mahalanobis-replace-re78-weights": dict(s_weights="sw", sw_from=["re78", 0.0, 1e-3], distance="mahalanobis",
                                                covariates=_NUM_COVS, replace=True),
    "sw-scaled-euclidean": dict(_SW, distance="scaled_euclidean"),  # race's levels: continuous columns
    "sw-scaled-euclidean-atc-ratio2": dict(_SW, distance="scaled_euclidean", covariates=_NUM_COVS, estimand="ATC",
                                           ratio=2),  # married, nodegree: the 0/1 formula
    "sw-negative-scaled-euclidean": dict(s_weights="sw", sw_from=["educ", -6.0, 1.0], distance="scaled_euclidean",
                                         covariates=_NUM_COVS),  # no glm, no cov.wt: R accepts them
    "sw-euclidean-ratio2-caliper-age": dict(_SW, distance="euclidean", covariates=["age", "educ", "re74"], ratio=2,
                                            caliper={"age": 3}, std_caliper=False),  # the weights do not matter
    "sw-negative-mahalanobis-refused": dict(s_weights="sw", sw_from=["educ", -6.0, 1.0], distance="mahalanobis",
                                            covariates=_NUM_COVS),  # cov.wt: weights must be non-negative
    "sw-zero-treated-mahalanobis-refused": dict(s_weights="sw", sw_from=["treat", 1.0, -1.0],
                                                distance="mahalanobis", covariates=_NUM_COVS),  # wm: 0/0
    "sw-zero-treated-scaled-euclidean-refused": dict(s_weights="sw", sw_from=["treat", 1.0, -1.0],
                                                     distance="scaled_euclidean", covariates=_NUM_COVS),  # NaN SDs
    "uid-block3": dict(unit_id="uid", uid_block=3),
    "uid-block3-ratio2": dict(unit_id="uid", uid_block=3, ratio=2),
    "uid-block5-caliper0.1": dict(unit_id="uid", uid_block=5, caliper=0.1),
    "uid-block4-exact-married": dict(unit_id="uid", uid_block=4, exact="married"),
    "uid-block3-random": dict(unit_id="uid", uid_block=3, m_order="random", seed=11),
    "uid-block3-replace": dict(unit_id="uid", uid_block=3, replace=True),  # unit.id not read
    "uid-block3-mahvars": dict(unit_id="uid", uid_block=3, mahvars=["age", "educ", "re74"]),
    "uid-block2-antiexact": dict(unit_id="uid", uid_block=2, antiexact="married"),
    "uid-with-sw": dict(unit_id="uid", uid_block=2, **_SW),
    "uid-unknown-refused": dict(unit_id="nope"),
    "uid-unknown-replace-ignored": dict(unit_id="nope", replace=True),
    "uid-unknown-exact-ignored": dict(unit_id="nope", method="exact", covariates=["race", "married"]),
}


def _mi_sampling(cfg: str) -> Case:
    params = {"treat": "treat", "covariates": LALONDE_COVS, "mode": "installed", **SAMPLING_CONFIGS[cfg]}
    return Case(f"matchit/sampling/{cfg}", "matchit", "lalonde", params, run_matchit,
                description="s.weights and unit.id (MatchIt 4.5.1)")


CASES += [_mi_sampling(c) for c in SAMPLING_CONFIGS]

#: MatchIt 3.0.2: golden files made by 3.0.2 itself.
CASES_302: list[Case] = [_mi302(c) for c in MATCHIT302_CONFIGS] + [_mi302(c, "study_cohort")
                                                                  for c in STUDY302_CONFIGS]
CASES += CASES_302

#: pyimpl's documented algorithm against the installed R: the known divergence.
def _bugs_can_bite(cfg: str) -> bool:
    """MatchIt 4.5.1's bugs are in nn_matchC_vec (the scalar distance): a match on
    transformed covariates (mahvars, distance = "mahalanobis"...: nn_matchC) and a
    refused call are the same in both modes, and have no documented case."""
    p = MATCHIT_CONFIGS[cfg]
    return not (cfg.endswith(("-fails", "-refused")) or "mahvars" in p or isinstance(p.get("distance"), str))


DOCUMENTED_CASES: list[Case] = [_mi(c, "documented") for c in MATCHIT_CONFIGS if _bugs_can_bite(c)]
CASES += DOCUMENTED_CASES


# -- strategies (kept in fixtures.strategies, re-exported here) ----------------------
from fixtures.strategies import logistic_cohorts, matching_cohorts  # noqa: E402,F401
