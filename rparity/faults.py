"""Seeded faults: proof that the referee fails when it should.

Each :class:`Fault` is pyimpl with one planted mistake in one contract
function: a value off by less than a tolerance class allows, a count off by
one, a dropped warning, a refusal of an input R accepts, a result for an input
R refuses, a wrong refusal reason, a value silently left out. Wrapped as an
engine (``rparity.faults:<attribute>``, or :func:`fault_engine`), a fault must
make ``rparity check`` report a new divergence or an engine error and exit 1,
against the golden files and against live R; ``rparity faults`` runs them all
and exits 0 only when every one is caught.

A fault changes what pyimpl returns or raises, never the reference and never
the harness: it is what a regression of pyimpl would look like to the check.
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

import pyimpl
from rparity_contract.errors import InvalidArgument
from rparity_contract.functions import FUNCTIONS

__all__ = ["Fault", "FAULTS", "fault_engine", "by_id", "FaultyEngine"]

Wrap = Callable[[Callable[..., Any]], Callable[..., Any]]


@dataclass(frozen=True)
class Fault:
    """One planted mistake.

    Attributes
    ----------
    id : the fault's name (also its attribute in this module, ``-`` as ``_``)
    function : the contract function it is planted in
    probes : what it tests: a tolerance class (``"1e-12 relative"``...),
        ``"refuses what R accepts"``, ``"accepts what R refuses"``,
        ``"refusal kind"``, ``"warnings"``, ``"missing value"``
    description : the mistake, in words
    wrap : turns pyimpl's function into the faulty one
    """

    id: str
    function: str
    probes: str
    description: str
    wrap: Wrap = dataclasses.field(repr=False)

    @property
    def attribute(self) -> str:
        return self.id.replace("-", "_").replace(".", "_")


class FaultyEngine:
    """pyimpl with one function replaced by its faulty version."""

    VERSION = getattr(pyimpl, "__version__", "")
    #: the same deliberate departures as pyimpl (documented matching mode...)
    CLASSIFY_AS = "pyimpl"

    def __init__(self, fault: Fault):
        self.fault = fault
        for name in FUNCTIONS:
            setattr(self, name, getattr(pyimpl, name))
        setattr(self, fault.function, fault.wrap(getattr(pyimpl, fault.function)))

    def __repr__(self) -> str:
        return f"FaultyEngine({self.fault.id})"


def fault_engine(fault: Fault | str):
    """The faulty engine, as the harness loads it (name ``pyimpl+<id>``)."""
    from .engines import Engine

    f = by_id(fault) if isinstance(fault, str) else fault
    return Engine(f"pyimpl+{f.id}", FaultyEngine(f), source=f"rparity.faults:{f.attribute}")


# -- helpers that build wraps -------------------------------------------------------
def _result(change: Callable[[Any], Any]) -> Wrap:
    """Change the function's result."""
    def wrap(fn):
        @functools.wraps(fn)
        def faulty(*args, **kwargs):
            return change(fn(*args, **kwargs))
        return faulty
    return wrap


def _field(name: str, change: Callable[[np.ndarray], Any]) -> Wrap:
    """Change one field of a result dataclass."""
    return _result(lambda r: dataclasses.replace(r, **{name: change(np.asarray(getattr(r, name)))}))


def _column(col: str, change: Callable[[np.ndarray], Any]) -> Wrap:
    """Change one column of a DataFrame result."""
    def change_frame(df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy()
        out[col] = change(out[col].to_numpy())
        return out
    return _result(change_frame)


def _scale(rel: float) -> Callable[[np.ndarray], np.ndarray]:
    return lambda v: np.asarray(v, dtype=float) * (1.0 + rel)


def _before(check: Callable[..., Exception | None]) -> Wrap:
    """Raise ``check(*args, **kwargs)`` when it returns an exception."""
    def wrap(fn):
        @functools.wraps(fn)
        def faulty(*args, **kwargs):
            exc = check(*args, **kwargs)
            if exc is not None:
                raise exc
            return fn(*args, **kwargs)
        return faulty
    return wrap


def _events(event) -> np.ndarray:
    return np.asarray(pd.to_numeric(pd.Series(np.asarray(event)), errors="coerce"), dtype=float)


def _refuse_without_events(time, event, *a, **k):
    e = _events(event)
    if np.nansum(e) == 0:
        return InvalidArgument("`event` has no events", kind="data.empty")
    return None


def _ignore_ctype(fn):
    @functools.wraps(fn)
    def faulty(*args, **kwargs):
        kwargs["ctype"] = 1
        kwargs.pop("type", None)
        return fn(*args, **kwargs)
    return faulty


def _set_kwarg(name: str, value: Any) -> Wrap:
    """Call the function with one keyword argument forced to ``value``."""
    def wrap(fn):
        @functools.wraps(fn)
        def faulty(*args, **kwargs):
            kwargs[name] = value
            return fn(*args, **kwargs)
        return faulty
    return wrap


def _without(*names: str) -> Wrap:
    """Drop keyword arguments (the function then ignores them)."""
    def wrap(fn):
        @functools.wraps(fn)
        def faulty(*args, **kwargs):
            for name in names:
                kwargs.pop(name, None)
            return fn(*args, **kwargs)
        return faulty
    return wrap


def _refuse_one_subject(time, event, *a, **k):
    if np.size(time) == 1:
        return InvalidArgument("`time` must have at least two observations", kind="data.empty")
    return None


def _refuse_one_stratum(X, time, event, *a, strata=None, **k):
    if strata is not None and pd.Series(np.asarray(strata)).nunique() == 1:
        return InvalidArgument("`strata` must have at least two levels", kind="strata.type")
    return None


def _wrong_kind(fn):
    @functools.wraps(fn)
    def faulty(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except InvalidArgument as exc:
            raise InvalidArgument(str(exc), kind="data.empty" if exc.kind != "data.empty" else "lengths") from None
    return faulty


def _accept_one_group(fn):
    @functools.wraps(fn)
    def faulty(time, event, group, *args, **kwargs):
        try:
            return fn(time, event, group, *args, **kwargs)
        except InvalidArgument as exc:
            if exc.kind != "group.levels":
                raise
            return pyimpl.SurvDiff(groups=("1",), n=np.array([np.size(time)]), obs=np.zeros(1), exp=np.zeros(1),
                                   var=np.zeros((1, 1)), chisq=0.0, df=0, pvalue=1.0)
    return faulty


def _accept_single_cluster(fn):
    @functools.wraps(fn)
    def faulty(X, time, event, **kwargs):
        try:
            return fn(X, time, event, **kwargs)
        except InvalidArgument as exc:
            if exc.kind != "cluster.single":
                raise
            return fn(X, time, event, **{**kwargs, "cluster": None, "robust": False})
    return faulty


def _patched(target: Any, name: str, replacement: Any) -> Wrap:
    """pyimpl's function with ``target.name`` replaced for the call: a mistake
    planted in the model-frame code pyimpl uses (the formula form)."""
    def wrap(fn):
        @functools.wraps(fn)
        def faulty(*args, **kwargs):
            original = getattr(target, name)
            setattr(target, name, replacement)
            try:
                return fn(*args, **kwargs)
            finally:
                setattr(target, name, original)
        return faulty
    return wrap


def _formula_model() -> Any:
    from rparity_contract.formula import model
    return model


def _formula_frame() -> Any:
    import pyimpl.cox.formula as cox_formula
    return cox_formula


def _cox_inputs() -> Any:
    import pyimpl.cox.inputs as cox_inputs
    return cox_inputs


def _counting() -> Any:
    import pyimpl.cox.counting as counting
    return counting


def _agfit4_without_entry(*args, **kwargs):
    """agfit4 called with every start at the earliest: delayed entry ignored."""
    from pyimpl.cox.agreg import agfit4
    x, start, *rest = args
    return agfit4(x, np.full_like(start, np.min(start)), *rest, **kwargs)


def _robust_by_row(x, start, stop, event, weights, strata, lp, naive_var, cluster, *rest):
    """The counting-process robust variance with every row its own cluster."""
    from pyimpl.cox.agscore import robust_variance_counting
    return robust_variance_counting(x, start, stop, event, weights, strata, lp, naive_var,
                                    np.arange(x.shape[0]), *rest)


def _agexact() -> Any:
    import pyimpl.cox.agexact as agexact
    return agexact


_AGEXACT_SUMS = _agexact()._sums  # the function the fault below replaces


def _agexact_breslow_sums(x, score, tm, il, jl):
    """agexact's sums at a time of d tied deaths taken as d times the risk
    set's (Breslow's approximation) instead of over the subsets of d rows."""
    one = dataclasses.replace(tm, deaths=tm.deaths[:1])
    denom, a, c = _AGEXACT_SUMS(x, score, one, il, jl)
    d = tm.deaths.size
    return (denom ** d, d * a * denom ** (d - 1), d * c * denom ** (d - 1)) if d > 1 else (denom, a, c)


def _formula_poly() -> Any:
    import pyimpl.formula.poly as poly
    return poly


_POLY = _formula_poly().poly  # the function the fault below wraps


def _poly_raw_centred(x, degree, raw, where):
    """poly() as the powers of the centred variable (R orthonormalises them)."""
    z, basis = _POLY(x, degree, raw, where)
    if raw:
        return z, basis
    xc = np.asarray(x, dtype=float) - np.mean(x)
    return np.column_stack([xc ** k for k in range(1, z.shape[1] + 1)]), basis


def _formula_splines() -> Any:
    import pyimpl.formula.splines as splines
    return splines


def _evenly_spaced_knots(x, nknots):
    """ns()/bs() interior knots spread evenly over the range (R: at quantiles)."""
    if nknots <= 0:
        return np.zeros(0)
    return np.linspace(np.min(x), np.max(x), nknots + 2)[1:-1]


def _influence_not_reversed(fn):
    """concordance(fit, influence=2) with R's raw columns: the Cox fit's reversal left out."""
    @functools.wraps(fn)
    def faulty(fit, **kw):
        res = fn(fit, **kw)
        if res.influence is None:
            return res
        return dataclasses.replace(res, influence=res.influence[:, [1, 0, 2, 3, 4]])
    return faulty


def _concordance_formula() -> Any:
    import pyimpl.cox.concordance_formula as concordance_formula
    return concordance_formula


_COUNTED = _concordance_formula()._counted  # the function the fault below wraps


def _counted_without_cluster(time, status, x, start, strata, w, cluster, *rest):
    """concordance(y ~ x)'s variance summed by row, the cluster ignored."""
    return _COUNTED(time, status, x, start, strata, w, None, *rest)


def _formula_evaluate() -> Any:
    import importlib
    return importlib.import_module("pyimpl.formula.evaluate")  # the module (the package exports a function so named)


_EXPAND = _formula_evaluate().expand  # the function the fault below wraps


def _expand_positional_only(e, functions):
    """A formula's own function called with its keyword arguments dropped."""
    from rparity_contract.formula import Call
    if isinstance(e, Call) and functions and e.fn in functions:
        e = Call(e.fn, e.args, ())
    return _EXPAND(e, functions)


_RANKS = _concordance_formula()._ranks  # the function the fault below wraps


def _ranks_flipped(*args):
    out = _RANKS(*args).copy()
    out[:, 1] = -out[:, 1]
    return out


def _several_independent(fn):
    """concordance(fit1, fit2, ...) with the off-diagonal covariances dropped."""
    @functools.wraps(fn)
    def faulty(*fits, **kw):
        res = fn(*fits, **kw)
        if not hasattr(res, "counts"):
            return res
        return dataclasses.replace(res, var=np.diag(np.diag(res.var)))
    return faulty


def _survival_formula() -> Any:
    import pyimpl.survival.formula as survival_formula
    return survival_formula


_LABELLED = _survival_formula()._labelled  # the function the fault below wraps


def _short_group_labels(t, label):
    """survdiff's formula groups labelled by their levels alone ("1", not "sex=1")."""
    out = _LABELLED(t, label)
    return dataclasses.replace(out, levels=tuple(lv.split("=", 1)[1] for lv in out.levels))


def _accept_negative_counts(fn):
    @functools.wraps(fn)
    def faulty(table, **kwargs):
        return fn(np.abs(np.asarray(table, dtype=float)), **kwargs)
    return faulty


def _without_warnings(r):
    return dataclasses.replace(r, warnings=())


def _infinite_loglik(r):
    if any("may be infinite" in w for w in r.warnings):
        return dataclasses.replace(r, loglik=np.asarray(r.loglik, float) * np.array([1.0, 1.3]))
    return r


def _drop_infinite_warning(r):
    return dataclasses.replace(r, warnings=tuple(w for w in r.warnings if "may be infinite" not in w))


def _fractional_counts(fn):
    @functools.wraps(fn)
    def faulty(time, event, *, weights=None, **kwargs):
        fit = fn(time, event, weights=weights, **kwargs)
        w = None if weights is None else np.asarray(weights, dtype=float)
        if w is not None and np.any(w != np.floor(w)):
            # a different summation order: weighted counts off in the last bits
            return dataclasses.replace(fit, n_event=np.asarray(fit.n_event) * (1 + 4e-15))
        return fit
    return faulty


def _unit_tie_weights(loop_out):
    """matching_match's loop with every pair weight 1."""
    return dataclasses.replace(loop_out, W=np.ones_like(loop_out.W))


def _zero_counts(est_out):
    """EstFuncC's (YCAUS, Kcount, KKcount) with the counts zeroed."""
    ycaus, kcount, kkcount = est_out
    return ycaus, np.zeros_like(kcount), np.zeros_like(kkcount)


def _swap_first_pair(m):
    mm = m.match_matrix.copy()
    if len(mm) >= 2:
        a, b = mm.iloc[0, 0], mm.iloc[1, 0]
        mm.iloc[0, 0], mm.iloc[1, 0] = b, a
    return dataclasses.replace(m, match_matrix=mm)


def _bump_last(v: np.ndarray) -> np.ndarray:
    out = np.asarray(v, dtype=float).copy()
    if out.size:
        out[-1] += 1
    return out


def _drop_last_row(df: pd.DataFrame) -> pd.DataFrame:
    return df.iloc[:-1].copy()


def _summary_smd(s):
    a = s.all.copy()
    a["std_mean_diff"] = a["std_mean_diff"].to_numpy(float) * (1 + 1e-9)
    return dataclasses.replace(s, all=a)


def _zph_chisq(z):
    return dataclasses.replace(z, chisq=np.asarray(z.chisq, float) * (1 + 1e-8))


def _concordant(c):
    return dataclasses.replace(c, concordant=float(c.concordant) * (1 + 1e-10))


def _chisq_uncorrected(fn):
    @functools.wraps(fn)
    def faulty(table, *, correct=True):
        return fn(table, correct=False)
    return faulty


def _drop_chisq_warning(r):
    return dataclasses.replace(r, warnings=())


def _module(name: str) -> Callable[[], Any]:
    """A pyimpl module, imported when the fault runs."""
    import importlib
    return lambda: importlib.import_module(name)


def _first_row_covariates(onecurve):
    def faulty(label, rows, baselines, stratum, y2, x2, risk2, *rest):
        x2, risk2 = x2.copy(), risk2.copy()
        x2[rows], risk2[rows] = x2[rows[0]], risk2[rows[0]]
        return onecurve(label, rows, baselines, stratum, y2, x2, risk2, *rest)
    return faulty


def _without_halving(survreg_fit):
    def faulty(*args, **kwargs):
        return survreg_fit(*args, **{**kwargs, "halving": False})
    return faulty


def _status_recoded(old: float, new: float):
    """read_surv_typed with survreg's status ``old`` read as ``new`` (3 -> 0: an
    interval taken as right censored at its lower bound; 2 -> 0: a left-censored
    time taken as right censored)."""
    def replacement(read_surv_typed):
        def faulty(*args, **kwargs):
            out = read_surv_typed(*args, **kwargs)
            return dataclasses.replace(out, status=np.where(out.status == old, new, out.status))
        return faulty
    return replacement


def _ds_without_minus_one(derivatives):
    def faulty(y1, y2, status, *rest):
        out = np.array(derivatives(y1, y2, status, *rest), copy=True)
        out[status == 1, 3] += 1.0  # residuals.survreg's ds - 1 for exact rows left out
        return out
    return faulty


def _without_scale_variance(survreg_predict):
    @functools.wraps(survreg_predict)
    def faulty(fit, *args, **kwargs):
        var = np.array(fit.var, dtype=float)
        k = len(fit.coef)
        var[k:, :] = 0.0
        var[:, k:] = 0.0
        return survreg_predict(dataclasses.replace(fit, var=var), *args, **kwargs)
    return faulty


def _tdc_index_strict(tdc_index):
    return lambda base_id, base_start, new_id, new_time: tdc_index(base_id, np.nextafter(base_start, -np.inf),
                                                                    new_id, new_time)


def _split_keeping_events(split):
    return lambda newdata, state, *a: split(newdata, dataclasses.replace(state, events=[], censors=[]), *a)


def _caliper_nearest(pool_draw):
    """MatchIt 3.0.2's pool draw replaced by the nearest control within the
    caliper (what MatchIt 4.x does): no random draw."""
    def faulty(st, x, cal, excl, rng):
        w = st.avail & (np.abs(st.ds - x) <= cal)
        cand = [int(c) for c in st.cidx[w] if int(c) not in excl]
        if not cand:
            return -1
        dev = {c: abs(float(st.ds[np.flatnonzero(st.cidx == c)[0]]) - x) for c in cand}
        return min(cand, key=lambda c: (dev[c], c))
    return faulty


def _always_rejection(rrandom):
    """R's sampler fixed at "Rejection" (R >= 3.6) whatever ``sample_kind`` says."""
    return lambda seed, kind="Rejection": rrandom(seed, "Rejection")


def _cells_by_value(fmt):
    """Exact matching's cells by the covariates' values, not by R's printed
    form (7 significant digits)."""
    return lambda x, digits=7: [repr(float(v)) for v in x]


def _subclass_weights_unscaled(weights_subclass):
    """The controls' subclass weights n1_s/n0_s not rescaled to sum to their number."""
    def faulty(sub, treat, estimand):
        w = weights_subclass(sub, treat, estimand)
        i0 = (treat == 0) & (sub > 0)
        if estimand == "ATT" and i0.any():
            t_by = np.bincount(sub[(treat == 1) & (sub > 0)], minlength=int(sub.max()) + 1).astype(float)
            c_by = np.bincount(sub[i0], minlength=int(sub.max()) + 1).astype(float)
            w[i0] = (t_by / c_by)[sub[i0]]
        return w
    return faulty


def _no_scoot(subclass_scoot):
    """Subclasses short of min.n units of a group left as they are (no subclass_scoot)."""
    return lambda sub, treat, x, min_n: sub


def _one_bin_fewer(nclass):
    """CEM's automatic number of bins one fewer than MatchIt's (Sturges' rule rounded down)."""
    return lambda spec, x: max(1, nclass(spec, x) - 1)


def _full_sample_cov(pooled_cov):
    """The Mahalanobis covariance of the whole sample (``cov(X)``), not MatchIt's pooled within-group one."""
    from pyimpl.matching import distances
    return lambda x, t: distances._cov(x)


def _antiexact_ignored(codes):
    """``antiexact`` read and then ignored: controls equal on it stay eligible."""
    return lambda terms, n: None


def _covariate_calipers_raw(process_calipers):
    """Calipers on covariates left on the variable's scale although ``std_caliper`` asks for SD units."""
    def faulty(spec, d, discarded):
        raw = tuple((name, value, False) for name, value, _ in spec.caliper_covs)
        return process_calipers(dataclasses.replace(spec, caliper_covs=raw), d, discarded)
    return faulty


def _glm_without_s_weights(propensity):
    """The propensity glm fitted unweighted although ``s_weights`` are given."""
    return lambda spec, n, sw: propensity(spec, n, None)


def _pooled_cov_unweighted(pooled_cov_weighted):
    """The Mahalanobis covariance without the sampling weights (``pooled_cov(X, t)``, not ``cov.wt``)."""
    from pyimpl.matching import distances
    return lambda x, t, w: distances._pooled_cov(x, t)


def _pooled_sd_unweighted(pooled_sd_weighted):
    """scaled_euclidean's pooled SDs without the sampling weights (``pooled_sd(X, t)``)."""
    from pyimpl.matching import distances
    return lambda x, t, w: distances._pooled_sd(x, t)


def _unit_id_ignored(unit_id_codes):
    """``unit_id`` read and then ignored: every row is a unit of its own."""
    return lambda data, unit_id, focal: None


def _balance_without_s_weights(bal1var):
    """Balance tables computed as if no ``s_weights`` had been given."""
    def faulty(*args, s_weights=None, **kwargs):
        return bal1var(*args, **kwargs)
    return faulty


def _match_data_without_s_weights(fn):
    """``match.data``'s weights without the sampling weights (``include.s.weights = FALSE``)."""
    @functools.wraps(fn)
    def faulty(m, *args, **kwargs):
        return fn(dataclasses.replace(m, s_weights=None), *args, **kwargs)
    return faulty


def _lazy_patched(target: Callable[[], Any], name: str, replacement: Callable[[Any], Any]) -> Wrap:
    """:func:`_patched` on a module found at call time; ``replacement`` gets the
    original and returns the faulty attribute."""
    def wrap(fn):
        @functools.wraps(fn)
        def faulty(*args, **kwargs):
            mod = target()
            original = getattr(mod, name)
            setattr(mod, name, replacement(original))
            try:
                return fn(*args, **kwargs)
            finally:
                setattr(mod, name, original)
        return faulty
    return wrap


def _efron_as_breslow(coxmart):
    return lambda time, status, strata, score, weights, efron: coxmart(time, status, strata, score, weights, False)


def _robust_var_for_dfbeta(_model_var):
    return lambda fit: np.atleast_2d(np.asarray(fit.var, dtype=float))


def _unsigned_deviance(r):
    if r.type != "deviance":
        return r
    return dataclasses.replace(r, values=np.abs(r.values))


def _groups_by_first_appearance(collapse_groups):
    def faulty(collapse, n):
        codes, labels, warns = collapse_groups(collapse, n)
        first = list(dict.fromkeys(codes.tolist()))
        remap = np.empty(len(labels), dtype=np.intp)
        remap[first] = np.arange(len(first))
        return remap[codes], tuple(labels[i] for i in first), warns
    return faulty


def _right_censored_times(_times):
    return lambda fd: (None, fd.prep.time)


def _fit_data_class() -> Any:
    from pyimpl.cox.refit import FitData
    return FitData


def _strata_reference_as_sample(_centred):
    return lambda fit, fd, reference: _centred(fit, fd, "sample" if reference == "strata" else reference)


def _breslow_agsurv(agsurv):
    def faulty(stop, event, w, risk, survtype, start=None, x=None):
        return agsurv(stop, event, w, risk, 2 if survtype == 3 else survtype, start, x)
    return faulty


def _levels_by_position(_relevel):
    """newdata's factor codes taken as codes of the fit's levels (its own levels ignored)."""
    def faulty(new, old, where):
        if old.kind == "numeric" or new.kind == "numeric":
            return _relevel(new, old, where)
        from pyimpl.design import Term
        codes = np.where(new.codes < len(old.levels), new.codes, -1)
        return Term(old.name, old.kind, codes=codes, levels=old.levels)
    return faulty


def _submodels_without_strata(prepare_inputs):
    return lambda call: prepare_inputs(dataclasses.replace(call, strata=None))


def _no_coef_variance(_quadratic):
    return lambda dt, varmat: np.zeros(dt.shape[:2])


def _kp_exponential(_agsurv4):
    """The Kalbfleisch-Prentice factor replaced by exp(-dH) (Breslow's curve)."""
    def faulty(ndeath, risk, wt, denom):
        out = np.ones(ndeath.size)
        j = 0
        for i, d in enumerate(ndeath.astype(int)):
            out[i] = np.exp(-np.sum(wt[j:j + d]) / denom[i]) if d else 1.0
            j += d
        return out
    return faulty


def _ctype_always_one(survfit_cox):
    def faulty(fit, newdata=None, **kw):
        kw.setdefault("ctype", 1)
        return survfit_cox(fit, newdata, **kw)
    return faulty


def _att_without_odds(weights_from_ps):
    """ATT controls weighted by the score itself, not its odds ps/(1 - ps)."""
    def faulty(ps, treat, estimand):
        w = weights_from_ps(ps, treat, estimand)
        return np.where(treat == 0, ps, w) if estimand == "ATT" else w
    return faulty


def _stabilize_other_arm(stabilize_weights):
    """Each weight times the proportion of the *other* arm."""
    def faulty(w, treat):
        t = np.asarray(treat)
        p1 = float(np.sum(t == 1)) / t.size
        return w * np.where(t == 1, 1.0 - p1, p1)
    return faulty


def _quantile_type7(quantile_type3):
    """R's default quantile (type 7, interpolated) instead of WeightIt's type 3."""
    def faulty(x, probs):
        return [float(np.quantile(np.asarray(x, dtype=float), p)) for p in probs]
    return faulty


FAULTS: list[Fault] = [
    # survfit and its derived functions
    Fault("survfit-surv-1e-11", "survfit", "1e-12 relative", "the survival curve off by 1e-11 relative",
          _field("surv", _scale(1e-11))),
    Fault("survfit-n-risk-plus-one", "survfit", "identical", "the last number at risk off by one",
          _field("n_risk", _bump_last)),
    Fault("survfit-fractional-counts", "survfit", "identical",
          "weighted event counts off by 4e-15 relative under fractional weights (another summation order)",
          _fractional_counts),
    Fault("survfit-refuses-no-events", "survfit", "refuses what R accepts", "refuses data without events",
          _before(_refuse_without_events)),
    Fault("survfit-refuses-one-subject", "survfit", "refuses what R accepts", "refuses a single subject",
          _before(_refuse_one_subject)),
    Fault("survfit-drops-std-chaz", "survfit", "missing value", "leaves std_chaz out",
          _result(lambda r: dataclasses.replace(r, std_chaz=None))),
    Fault("survfit-short-strata-labels", "survfit", "identical", "labels the curves by level alone ('1', not "
          "'sex=1')", _result(lambda r: r if r.strata is None else dataclasses.replace(
              r, strata=tuple(s.split("=")[-1] for s in r.strata)))),
    Fault("survfit-ctype-ignored", "survfit", "1e-12 relative", "takes the Nelson-Aalen hazard whatever ctype says",
          _ignore_ctype),
    Fault("survfit-ignores-id", "survfit", "identical", "ignores id: (start, stop] rows of one subject are not "
          "one follow-up, nor the robust variance's clusters", _without("id")),
    Fault("survfit-ignores-start-time", "survfit", "identical", "ignores start_time", _without("start_time")),
    Fault("survfit-influence-1e-9", "survfit", "1e-12 relative", "the influence on surv off by 1e-9 relative",
          _result(lambda r: r if r.influence_surv is None else dataclasses.replace(
              r, influence_surv=r.influence_surv * (1 + 1e-9)))),
    Fault("survfit-summary-std-err", "survfit_summary", "1e-12 relative", "summary's std_err off by 1e-9",
          _column("std_err", _scale(1e-9))),
    Fault("survfit-quantile-shifted", "survfit_quantile", "identical", "quantiles off by 1e-6 relative",
          _column("quantile", _scale(1e-6))),
    Fault("survfit-table-median", "survfit_table", "identical", "the printed median one time unit late",
          _result(lambda t: t.where(t.index != "median", t + 1))),
    # finegray
    Fault("finegray-keeps-every-interval", "finegray", "identical", "carries a competing event's subject over "
          "every later censoring interval, not only those that hold an endpoint event (finegray.R's ckeep)",
          _lazy_patched(_module("pyimpl.survival.finegray"), "_split",
                        lambda original: lambda ts, te, ct, cp, ex, keep: original(ts, te, ct, cp, ex,
                                                                                    np.ones_like(keep)))),
    # svycoxph
    Fault("svycoxph-clusters-ignored", "svycoxph", "1e-12 relative", "the design variance with each row its "
          "own cluster whatever ids says", _set_kwarg("ids", None)),
    Fault("svycoxph-var-1e-10", "svycoxph", "1e-12 relative", "the design variance 1e-10 relative off",
          _field("var", _scale(1e-10))),
    # svykm, svylogrank, svyglm (survey 4.1-1)
    Fault("svykm-strata-ignored", "svykm", "1e-12 relative", "varlog without the design's strata",
          _set_kwarg("strata", None)),
    Fault("svykm-varlog-1e-10", "svykm", "1e-12 relative", "varlog 1e-10 relative off",
          _field("varlog", _scale(1e-10))),
    Fault("svykm-surv-1e-10", "svykm", "1e-12 relative", "the curve 1e-10 relative off", _field("surv", _scale(1e-10))),
    Fault("svylogrank-clusters-ignored", "svylogrank", "1e-12 relative", "the design variance with each row its own "
          "cluster whatever ids says", _set_kwarg("ids", None)),
    Fault("svylogrank-se-1e-10", "svylogrank", "1e-12 relative", "the score's standard error 1e-10 relative off",
          _field("se", _scale(1e-10))),
    Fault("svylogrank-score-v-at-one-step", "svylogrank", "1e-12 relative", "method = 'score': the variance v "
          "from the one-step fit (svycoxph iter = 1) instead of iter = 0",
          _lazy_patched(_module("pyimpl.survey.svylogrank"), "_svycoxph_at",
                        lambda original: lambda f, d, design, iter_max: original(f, d, design, 1))),
    Fault("svyglm-clusters-ignored", "svyglm", "1e-12 relative", "the sandwich with each row its own cluster "
          "whatever ids says", _set_kwarg("ids", None)),
    Fault("svyglm-var-1e-10", "svyglm", "1e-12 relative", "the design variance 1e-10 relative off",
          _field("var", _scale(1e-10))),
    Fault("svyglm-dispersion-1e-10", "svyglm", "1e-12 relative", "the dispersion 1e-10 relative off",
          _field("dispersion", _scale(1e-10))),
    # matching_match
    Fault("matching-match-tie-weights-one", "matching_match", "identical", "every matched pair weighted 1 instead "
          "of 1/#matches of its focal unit (MatchLoopCfast's Wi_ratio dropped): weights, estimate and se wrong "
          "wherever a focal unit has tied matches",
          _lazy_patched(_module("pyimpl.matching.match_ai"), "match_loop",
                        lambda original: lambda *a, **k: _unit_tie_weights(original(*a, **k)))),
    Fault("matching-match-var-calc-ignored", "matching_match", "1e-12 relative", "Var.calc > 0 read as 0: the "
          "homoskedastic variance of the pairs in place of each unit's variance from matching within its own "
          "treatment group (VarCalcMatchC)", _set_kwarg("var_calc", 0)),
    Fault("matching-match-se-without-k-term", "matching_match", "1e-12 relative", "the Abadie-Imbens variance "
          "without its sigma^2 (K^2 - K') term (EstFuncC's match counts zeroed): only the spread of the unit "
          "effects is left", _lazy_patched(_module("pyimpl.matching.match_ai"), "est_func",
                                           lambda original: lambda *a, **k: _zero_counts(original(*a, **k)))),
    # cuminc
    Fault("cuminc-rho-ignored", "cuminc", "1e-12 relative", "Gray's test with rho = 0 whatever rho says (the "
          "weight (1 - F(t-))^rho left out)", _set_kwarg("rho", 0.0)),
    Fault("cuminc-strata-ignored", "cuminc", "1e-12 relative", "Gray's test pooled over the strata (crstm sums "
          "the per-stratum scores and variances)", _set_kwarg("strata", None)),
    # crr
    Fault("crr-cengroup-km-shifted", "crr", "1e-12 relative", "the censoring weights of each censoring group "
          "taken from the next group's Kaplan-Meier (uuu's rows rolled by one)",
          _lazy_patched(_module("pyimpl.survival.crr"), "_censoring_km",
                        lambda original: lambda *a: np.roll(original(*a), 1, axis=0))),
    Fault("crr-var-without-sandwich", "crr", "1e-12 relative", "var reported as the inverse information "
          "(the model-based variance) instead of the sandwich inf^-1 V inf^-1",
          _result(lambda r: dataclasses.replace(r, var=r.invinf))),
    Fault("crr-summary-se-1e-10", "crr_summary", "1e-12 relative", "summary's se(coef) 1e-10 relative off",
          _column("se(coef)", _scale(1e-10))),
    Fault("crr-predict-cif-1e-10", "crr_predict", "1e-12 relative", "the predicted cumulative incidence 1e-10 "
          "relative off", _field("cif", _scale(1e-10))),
    # survfit_ms
    Fault("survfit-ms-se-without-dh", "survfit_ms", "1e-12 relative", "the jackknife influence leaves out the "
          "dH term (U <- U H only): standard errors and limits wrong, the probabilities right",
          _lazy_patched(_module("pyimpl.survival.aj"), "add_dh", lambda original: lambda *a, **k: None)),
    Fault("survfit-ms-pstate-1e-11", "survfit_ms", "1e-12 relative", "every state probability 1e-11 relative "
          "off", _field("pstate", _scale(1e-11))),
    Fault("survfit-ms-istate-ignored", "survfit_ms", "1e-12 relative", "istate left out: every subject of "
          "(start, stop] data starts in \"(s0)\" (the states, p0 and every curve wrong)", _without("istate")),
    Fault("survfit-ms-jackknife-by-row", "survfit_ms", "1e-12 relative", "the jackknife of (start, stop] data "
          "not grouped by id: each row its own subject (pstate right, std_err wrong)",
          _lazy_patched(_module("pyimpl.survival.multistate"), "_docurve",
                        lambda original: lambda entry, etime, status, istate, w, idc, *rest: original(
                            entry, etime, status, istate, w, np.arange(idc.size), *rest))),
    # survreg
    Fault("survreg-no-step-halving", "survreg", "1e-9 relative", "takes every Newton-Raphson step, even one that "
          "lowers the log-likelihood (survreg6.c halves it, up to 5 times); the R-coded start is kept",
          _lazy_patched(_module("pyimpl.survreg.survreg"), "survreg_fit", _without_halving)),
    Fault("survreg-predict-quantile-se-fixed-scale", "survreg_predict", "1e-9 relative", "the quantiles' standard "
          "errors leave out the variance of the log scale (the fixed-scale formula whatever the fit)",
          _without_scale_variance),
    Fault("survreg-predict-terms-uncentred", "survreg_predict", "1e-9 relative", "type = 'terms' from the model "
          "matrix as it is, not centred by the fit's means (predict.survreg's sweep(x, 2, object$means) when the "
          "model has an intercept)",
          _lazy_patched(_module("pyimpl.survreg.predict"), "centred", lambda _orig: lambda x, means, i: x)),
    Fault("survreg-interval-as-right-censored", "survreg", "1e-9 relative", "an interval-censored row (status 3) "
          "taken as right censored at its lower bound (survregc1.c's F(upper) - F(lower) never used)",
          _lazy_patched(_module("pyimpl.survreg.survreg"), "read_surv_typed", _status_recoded(3.0, 0.0))),
    Fault("survreg-left-as-right-censored", "survreg", "1e-9 relative", "a left-censored row (status 2: log F) "
          "taken as right censored (log(1 - F))",
          _lazy_patched(_module("pyimpl.survreg.survreg"), "read_surv_typed", _status_recoded(2.0, 0.0))),
    Fault("survreg-residuals-ds-without-minus-one", "survreg_residuals", "1e-9 relative", "the log-scale score of "
          "an exact row without residuals.survreg's ds - 1: dfbeta's scale column, ldcase and the matrix wrong",
          _lazy_patched(_module("pyimpl.survreg.residuals"), "derivatives", _ds_without_minus_one)),
    Fault("survreg-na-exclude-unpadded", "survreg_residuals", "identical", "a fit with na.action = na.exclude "
          "gives its residuals one per kept row (naresid's NA rows at the dropped positions left out)",
          _lazy_patched(_module("pyimpl.survreg.residuals"), "naresid_exclude", lambda _orig: lambda fit, v: v)),
    Fault("survreg-intercept-always", "survreg", "identical", "adds the intercept column whatever the formula's "
          "`- 1` says (survreg.R keeps attr(Terms, 'intercept'))",
          _lazy_patched(_module("pyimpl.survreg.survreg"), "with_intercept", lambda orig: lambda x, i: orig(x, True))),
    Fault("survreg-robust-strata-interaction-accepted", "survreg", "accepts what R refuses", "a robust variance "
          "with strata() only inside interactions, which R refuses (residuals.survreg's model matrix is then the "
          "intercept alone: score %*% vv non-conformable), computed from the full model matrix",
          _lazy_patched(_module("pyimpl.survreg.survreg"), "_refuse_strata_only_in_interactions",
                        lambda _orig: lambda *a: None)),
    Fault("survreg-residuals-strata-interaction-full-x", "survreg_residuals", "accepts what R refuses", "the score "
          "residuals of a fit with strata() only inside interactions from the full model matrix (R's "
          "model.matrix(Terms[-integer(0)]) is the intercept alone: score %*% vv non-conformable)",
          _lazy_patched(_module("pyimpl.survreg.survreg"), "strata_only_in_interactions",
                        lambda _orig: lambda mf: False)),
    # clogit
    Fault("clogit-method-ignored", "clogit", "1e-10 relative", "fits the exact conditional likelihood whatever "
          "method says", _set_kwarg("method", "exact")),
    # survsplit
    Fault("survsplit-drops-missing-rows", "survsplit", "identical", "drops rows with a missing value (na.omit, where "
          "survSplit keeps them: na.pass)", _result(lambda df: df.dropna().reset_index(drop=True))),
    Fault("survfit-cox-id-first-row-only", "survfit_cox", "1e-9 relative", "an id's curve takes the covariates "
          "of its first row of newdata for every row (the covariate path ignored)",
          _lazy_patched(_module("pyimpl.cox.survfit_individual"), "_onecurve", _first_row_covariates)),
    # tmerge
    Fault("tmerge-tdc-strictly-before", "tmerge", "identical", "a tdc value measured exactly at an interval's start "
          "takes effect one interval later (time < start, where tmerge2.c has <=)",
          _lazy_patched(_module("pyimpl.survival.tmerge"), "tdc_index", _tdc_index_strict)),
    Fault("tmerge-doubles-as-integers", "tmerge", "identical", "reports its double columns as R integers (the "
          "class R's event type checks read)",
          _result(lambda t: dataclasses.replace(t, column_classes=tuple("integer" if k == "numeric" else k
                                                                        for k in t.column_classes)))),
    Fault("tmerge-split-keeps-events", "tmerge", "identical", "an interval cut by a later call keeps its event on "
          "every piece (tmerge.R censors the earlier pieces)",
          _lazy_patched(_module("pyimpl.survival.tmerge"), "_split", _split_keeping_events)),
    # survdiff
    Fault("survdiff-chisq-1e-10", "survdiff", "1e-12 relative", "the statistic off by 1e-10 relative",
          _field("chisq", lambda v: float(v) * (1 + 1e-10))),
    Fault("survdiff-pvalue-1e-10", "survdiff", "p-value 1e-12", "the p-value off by 1e-10 relative",
          _field("pvalue", lambda v: float(v) * (1 + 1e-10))),
    Fault("survdiff-accepts-one-group", "survdiff", "accepts what R refuses", "answers with a single group",
          _accept_one_group),
    Fault("survdiff-drops-warning", "survdiff", "warnings", "drops R's warnings (NaNs produced)",
          _result(_without_warnings)),
    # coxph and its derived functions
    Fault("coxph-coef-1e-8", "coxph", "1e-9 relative", "coefficients off by 1e-8 relative",
          _field("coef", _scale(1e-8))),
    Fault("coxph-loglik-infinite", "coxph", "1e-9 relative",
          "the final log-likelihood 30% off on a fit that warns of an infinite coefficient",
          _result(_infinite_loglik)),
    Fault("coxph-drops-infinite-warning", "coxph", "warnings", "drops the 'coefficient may be infinite' warning",
          _result(_drop_infinite_warning)),
    Fault("coxph-n-dropped", "coxph", "identical", "reports one row fewer dropped for missing values",
          _result(lambda r: dataclasses.replace(r, n_dropped=max(int(r.n_dropped) - 1, 0) if r.n_dropped
                                                else r.n_dropped + 1))),
    Fault("coxph-refuses-one-stratum", "coxph", "refuses what R accepts", "refuses a single stratum",
          _before(_refuse_one_stratum)),
    Fault("coxph-accepts-single-cluster", "coxph", "accepts what R refuses",
          "answers where R's robust variance fails (one cluster, two covariates)", _accept_single_cluster),
    Fault("coxph-wrong-refusal-kind", "coxph", "refusal kind", "refuses what R refuses, for another reason",
          _wrong_kind),
    Fault("coxph-formula-contrasts-everywhere", "coxph", "identical",
          "codes every factor of an interaction by contrasts (R codes a factor whose margin is absent by all "
          "its levels: TermCode)", _patched(_formula_model(), "_term_code", lambda terms, k, j: 1)),
    Fault("coxph-formula-keeps-rows-of-minus-terms", "coxph", "identical",
          "keeps rows missing a variable the formula removed with '-' (R's model frame still has it)",
          _patched(_formula_frame(), "incomplete_elsewhere", lambda frame: frame.na_rows.copy())),
    Fault("coxph-formula-drops-offset", "coxph", "1e-9 relative",
          "fits as if the formula had no offset() term", _patched(_cox_inputs(), "_centred_offset", lambda off: None)),
    Fault("coxph-counting-ignores-entry", "coxph", "1e-9 relative",
          "counting-process data fitted as if every interval started at the first start (delayed entry lost)",
          _patched(_counting(), "agfit4", _agfit4_without_entry)),
    Fault("coxph-counting-robust-by-row", "coxph", "1e-9 relative",
          "the robust variance of (start, stop] data summed by row, not by the cluster (a subject's rows "
          "treated as independent)", _patched(_counting(), "robust_variance_counting", _robust_by_row)),
    Fault("coxph-counting-exact-as-breslow", "coxph", "1e-9 relative",
          "ties='exact' on (start, stop] data: tied deaths' subsets replaced by powers of the risk set's sums",
          _patched(_agexact(), "_sums", _agexact_breslow_sums)),
    Fault("coxph-formula-poly-not-orthogonal", "coxph", "1e-9 relative",
          "poly(x, k) as the powers of the centred x, not R's orthonormal polynomials",
          _patched(_formula_poly(), "poly", _poly_raw_centred)),
    Fault("coxph-formula-spline-knots-even", "coxph", "1e-9 relative",
          "ns(x, df =)/bs(x, df =) knots spread evenly over x's range, not at R's quantiles",
          _patched(_formula_splines(), "_interior", _evenly_spaced_knots)),
    Fault("concordance-influence-not-reversed", "concordance", "1e-12 relative",
          "concordance(fit, influence = 2): each row's concordant and discordant counts not swapped for the Cox "
          "fit's reverse = TRUE", _influence_not_reversed),
    Fault("concordance-formula-ignores-cluster", "concordance", "1e-9 relative",
          "concordance(y ~ x, cluster =): the jackknife variance by row, not summed within clusters",
          _patched(_concordance_formula(), "_counted", _counted_without_cluster)),
    Fault("concordance-formula-timewt-ignored", "concordance", "1e-9 relative",
          "concordance(y ~ x, timewt =): every event time weighted 1 (R: S, S/G, n/G2 or I from the KM curves)",
          _patched(_concordance_formula(), "_time_weights", lambda time, status, x, w, timewt: np.ones(time.size))),
    Fault("coxph-formula-own-function-drops-keywords", "coxph", "refuses what R accepts",
          "a formula's own function called with its keyword arguments dropped (lg(x, b = 10) as lg(x))",
          _patched(_formula_evaluate(), "expand", _expand_positional_only)),
    Fault("concordance-ranks-sign", "concordance", "1e-9 relative",
          "concordance(ranks = TRUE): each event's rank with its sign flipped (less - greater)",
          _patched(_concordance_formula(), "_ranks", _ranks_flipped)),
    Fault("concordance-several-fits-independent", "concordance", "1e-9 relative",
          "concordance(fit1, fit2): the fits' C statistics taken as independent (covariance 0 off the diagonal)",
          _several_independent),
    Fault("survdiff-formula-short-labels", "survdiff", "identical",
          "labels the formula's groups by their levels alone ('1' where R says 'sex=1')",
          _patched(_survival_formula(), "_labelled", _short_group_labels)),
    Fault("coxph-summary-z", "coxph_summary", "1e-9 relative", "z statistics off by 1e-8 relative",
          _column("z", _scale(1e-8))),
    Fault("coxph-summary-p", "coxph_summary", "p-value 1e-9", "p-values off by 1e-7 relative",
          _column("p", _scale(1e-7))),
    Fault("cox-zph-chisq", "cox_zph", "1e-9 relative", "the PH test statistics off by 1e-8 relative",
          _result(_zph_chisq)),
    # residuals(fit, type=) and predict(fit, type=)
    Fault("residuals-values-1e-8", "coxph_residuals", "1e-9 of the largest residual",
          "every residual off by 1e-8 relative", _field("values", _scale(1e-8))),
    Fault("residuals-efron-as-breslow", "coxph_residuals", "1e-9 of the largest residual",
          "martingale residuals of an Efron fit with Breslow's hazard (tied deaths get the full increment)",
          _lazy_patched(_module("pyimpl.cox.martingale"), "coxmart", _efron_as_breslow)),
    Fault("residuals-dfbeta-robust-var", "coxph_residuals", "1e-9 of the largest residual",
          "dfbeta of a robust fit scaled by the robust variance instead of naive.var",
          _lazy_patched(_module("pyimpl.cox.residuals"), "_model_var", _robust_var_for_dfbeta)),
    Fault("residuals-deviance-unsigned", "coxph_residuals", "1e-9 of the largest residual",
          "deviance residuals without the sign of the martingale residual", _result(_unsigned_deviance)),
    Fault("residuals-collapse-unsorted", "coxph_residuals", "identical",
          "collapsed groups in order of first appearance (R's rowsum sorts them)",
          _lazy_patched(_module("pyimpl.cox.residuals"), "collapse_groups", _groups_by_first_appearance)),
    Fault("residuals-counting-ignores-entry", "coxph_residuals", "1e-9 of the largest residual",
          "residuals of (start, stop] data computed as if every row were at risk from time 0",
          _lazy_patched(_fit_data_class, "times", _right_censored_times)),
    Fault("predict-se-1e-8", "coxph_predict", "1e-9 relative", "standard errors off by 1e-8 relative",
          _result(lambda r: r if r.se is None else dataclasses.replace(r, se=r.se * (1 + 1e-8)))),
    Fault("predict-strata-reference-ignored", "coxph_predict", "1e-9 relative",
          "reference='strata' centred at the overall means (R centres each stratum at its own)",
          _lazy_patched(_module("pyimpl.cox.predict"), "_centred", _strata_reference_as_sample)),
    Fault("predict-expected-se-breslow", "coxph_predict", "1e-9 relative",
          "the se of expected events of an Efron fit from Breslow's variance terms",
          _lazy_patched(_module("pyimpl.cox.agsurv"), "agsurv", _breslow_agsurv)),
    # survfit(fit, newdata=)
    Fault("survfit-cox-surv-1e-8", "survfit_cox", "1e-9 relative", "predicted survival off by 1e-8 relative",
          _field("surv", _scale(1e-8))),
    Fault("survfit-cox-se-without-coef-variance", "survfit_cox", "1e-9 relative",
          "standard errors from the baseline hazard's variance alone (the coefficients' d V d' term left out)",
          _lazy_patched(_module("pyimpl.cox.survfit_cox"), "_quadratic", _no_coef_variance)),
    Fault("survfit-cox-kp-as-exponential", "survfit_cox", "1e-9 relative",
          "stype=1 (Kalbfleisch-Prentice) computed as exp(-hazard increment)",
          _lazy_patched(_module("pyimpl.cox.agsurv"), "_agsurv4", _kp_exponential)),
    Fault("survfit-cox-newdata-levels-by-position", "survfit_cox", "1e-9 relative",
          "newdata's factor read with its own levels' positions (a newdata without the first level shifts every "
          "row to the next level)", _lazy_patched(_module("pyimpl.cox.newdata"), "_relevel", _levels_by_position)),
    Fault("survfit-cox-ctype-breslow", "survfit_cox", "1e-9 relative",
          "the cumulative hazard of an Efron fit by Breslow's formula (ctype defaults to 1 whatever the ties)",
          _ctype_always_one),
    # coxph.detail
    Fault("detail-imat-1e-8", "coxph_detail", "1e-9 of the largest contribution",
          "information contributions off by 1e-8 relative", _field("imat", _scale(1e-8))),
    # anova
    Fault("anova-chisq-1e-8", "coxph_anova", "1e-9 of the largest chi-square",
          "likelihood-ratio statistics off by 1e-8 relative", _field("chisq", _scale(1e-8))),
    Fault("anova-submodels-without-strata", "coxph_anova", "1e-9 relative",
          "the smaller models of the sequential table refitted without the fit's strata",
          _lazy_patched(_module("pyimpl.cox.anova"), "prepare_inputs", _submodels_without_strata)),
    Fault("basehaz-hazard", "basehaz", "1e-9 relative", "the baseline hazard off by 1e-8 relative",
          _column("hazard", _scale(1e-8))),
    Fault("basehaz-drops-last-time", "basehaz", "identical", "leaves the last time out",
          _result(_drop_last_row)),
    Fault("concordance-count", "concordance", "1e-12 relative", "concordant pairs off by 1e-10 relative",
          _result(_concordant)),
    # ps_weights / weighted_balance
    Fault("ps-weights-att-without-odds", "ps_weights", "1e-10 relative", "ATT weights of the controls are the "
          "propensity score, not its odds ps/(1 - ps)",
          _lazy_patched(_module("pyimpl.weighting.weights"), "weights_from_ps", _att_without_odds)),
    Fault("ps-weights-stabilize-other-arm", "ps_weights", "1e-10 relative", "stabilised weights multiplied by the "
          "other arm's proportion", _lazy_patched(_module("pyimpl.weighting.weights"), "stabilize_weights",
                                                  _stabilize_other_arm)),
    Fault("ps-weights-trim-quantile-type7", "ps_weights", "1e-10 relative", "trimming at R's default quantile "
          "(type 7, interpolated) instead of WeightIt's type 3",
          _lazy_patched(_module("pyimpl.weighting.weights"), "quantile_type3", _quantile_type7)),
    Fault("weighted-balance-pooled-sd", "weighted_balance", "1e-10 relative", "SMDs standardised by the pooled "
          "SD whatever the estimand (cobalt: the treated SD for ATT, the controls' for ATC)",
          _set_kwarg("estimand", "ATE")),
    # glm and matching
    Fault("glm-coef-1e-9", "glm_logit", "1e-10 relative", "coefficients off by 1e-9 relative",
          _field("coef", _scale(1e-9))),
    Fault("glm-iterations", "glm_logit", "identical", "one IRLS iteration more",
          _result(lambda r: dataclasses.replace(r, iterations=int(r.iterations) + 1))),
    Fault("matchit-swaps-pair", "matchit", "identical", "the controls of the first two focal units swapped",
          _result(_swap_first_pair)),
    Fault("matchit-distance-1e-9", "matchit", "1e-10 relative", "propensity scores off by 1e-9 relative",
          _field("distance", _scale(1e-9))),
    Fault("matchit-summary-smd", "matchit_summary", "1e-10 relative",
          "standardised mean differences off by 1e-9 relative", _result(_summary_smd)),
    Fault("matchit302-caliper-nearest", "matchit", "identical", "with compat='3.0.2' takes the nearest control "
          "within the caliper instead of MatchIt 3.0.2's random draw among them",
          _lazy_patched(_module("pyimpl.matching.nearest302"), "_pool_draw", _caliper_nearest)),
    Fault("matchit302-rejection-sampler", "matchit", "identical", "draws with R >= 3.6's 'Rejection' sampler "
          "when 'Rounding' (R 3.4.3's, the default of compat='3.0.2') is asked",
          _lazy_patched(_module("pyimpl.matching.matchit302"), "RRandom", _always_rejection)),
    Fault("matchit-exact-cells-by-value", "matchit", "identical", "exact matching's cells by the covariates' "
          "values, not by R's printed form (format(): 7 significant digits)",
          _lazy_patched(_module("pyimpl.matching.exact"), "r_format_numbers", _cells_by_value)),
    Fault("matchit-exact-weights-unscaled", "matchit", "identical", "exact matching's control weights n1/n0 per "
          "subclass, not rescaled to sum to the number of controls",
          _lazy_patched(_module("pyimpl.matching.exact"), "weights_subclass", _subclass_weights_unscaled)),
    Fault("matchit-subclass-no-scoot", "matchit", "identical", "subclassification leaves a subclass short of "
          "min.n units of a group as it is (MatchIt moves units in from its neighbours: subclass_scoot)",
          _lazy_patched(_module("pyimpl.matching.subclass"), "subclass_scoot", _no_scoot)),
    Fault("matchit-cem-one-bin-fewer", "matchit", "identical", "coarsened exact matching cuts each numeric "
          "covariate into one bin fewer than Sturges' (or Scott's) rule gives",
          _lazy_patched(_module("pyimpl.matching.cem"), "_nclass", _one_bin_fewer)),
    Fault("matchit-mahvars-full-sample-cov", "matchit", "identical", "mahvars' Mahalanobis distance with the "
          "covariance of the whole sample instead of MatchIt's pooled within-group covariance",
          _lazy_patched(_module("pyimpl.matching.distances"), "_pooled_cov", _full_sample_cov)),
    Fault("matchit-antiexact-ignored", "matchit", "identical", "antiexact ignored: a control equal to its "
          "focal unit on the variable may be matched",
          _lazy_patched(_module("pyimpl.matching.matchit"), "_antiexact_codes", _antiexact_ignored)),
    Fault("matchit-caliper-covs-unstandardised", "matchit", "identical", "calipers on covariates on the "
          "variable's own scale when std_caliper asks for SD units",
          _lazy_patched(_module("pyimpl.matching.matchit"), "process_calipers", _covariate_calipers_raw)),
    Fault("match-data-drops-row", "match_data", "identical", "leaves the last matched row out",
          _result(_drop_last_row)),
    Fault("matchit-s-weights-not-in-glm", "matchit", "1e-10 relative", "the propensity glm fitted without the "
          "sampling weights (MatchIt: glm(weights = s.weights))",
          _lazy_patched(_module("pyimpl.matching.matchit"), "propensity", _glm_without_s_weights)),
    Fault("matchit-unit-id-ignored", "matchit", "identical", "unit_id ignored: a control row whose unit was "
          "already used may be matched", _lazy_patched(_module("pyimpl.matching.matchit"), "unit_id_codes",
                                                        _unit_id_ignored)),
    Fault("matchit-summary-s-weights-ignored", "matchit_summary", "1e-10 relative", "balance tables unweighted "
          "although s_weights are given",
          _lazy_patched(_module("pyimpl.matching.balance"), "bal1var", _balance_without_s_weights)),
    Fault("match-data-s-weights-ignored", "match_data", "identical", "match.data's weights not multiplied by "
          "the sampling weights", _match_data_without_s_weights),
    Fault("matchit-mahalanobis-cov-s-weights-ignored", "matchit", "identical", "the Mahalanobis covariance of "
          "mahvars / distance='mahalanobis' unweighted although s_weights are given (MatchIt: pooled_cov(X, t, w), "
          "cov.wt)", _lazy_patched(_module("pyimpl.matching.distances"), "_pooled_cov_weighted",
                                   _pooled_cov_unweighted)),
    Fault("matchit-scaled-euclidean-sd-s-weights-ignored", "matchit", "identical", "scaled_euclidean's pooled "
          "SDs unweighted although s_weights are given (MatchIt: pooled_sd(X, t, w))",
          _lazy_patched(_module("pyimpl.matching.distances"), "_pooled_sd_weighted", _pooled_sd_unweighted)),
    # contingency tables
    Fault("fisher-pvalue-1e-10", "fisher_test", "p-value 1e-12", "p-values off by 1e-10 relative",
          _field("pvalue", lambda v: float(v) * (1 + 1e-10))),
    Fault("fisher-conf-int", "fisher_test", "1e-12 relative", "confidence limits off by 1e-10 relative",
          _field("conf_int", _scale(1e-10))),
    Fault("chisq-no-yates", "chisq_test", "1e-12 relative", "ignores correct=True (no Yates correction)",
          _chisq_uncorrected),
    Fault("chisq-drops-warning", "chisq_test", "warnings",
          "drops 'Chi-squared approximation may be incorrect'", _result(_drop_chisq_warning)),
    Fault("chisq-accepts-negative", "chisq_test", "accepts what R refuses", "answers for a negative count",
          _accept_negative_counts),
]


def by_id(fault_id: str) -> Fault:
    for f in FAULTS:
        if f.id == fault_id:
            return f
    raise KeyError(f"no seeded fault {fault_id!r}; known: {', '.join(f.id for f in FAULTS)}")


# every fault as a module attribute: `rparity check --engine rparity.faults:survfit_surv_1e_11`
for _f in FAULTS:
    globals()[_f.attribute] = FaultyEngine(_f)
