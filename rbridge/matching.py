"""``glm_logit`` and ``matchit`` (with ``matchit_summary`` and ``match_data``)
run in R (``stats::glm``, ``MatchIt::matchit``, ``summary.matchit``,
``match.data``).

Nothing is checked here: every column of ``data`` reaches R under a
placeholder name (``v1..vk``), the treatment and covariates are given by those
names (a name that is not a column of ``data`` gets a placeholder of its own,
``u1..``, which R then reports as not found), and MatchIt accepts or refuses
the call. R's messages name the caller's columns again. Options left at None
are not passed (R's own defaults apply).
"""
from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.calls import MatchItCall
from rparity_contract.errors import InvalidArgument, RUnavailable
from rparity_contract.matchit302 import COMPAT_302, check_options_302, r_options_302, sample_kind_for
from rparity_contract.results.matching import GlmLogit, MatchIt, MatchItSummary
from rparity_contract.values import BALANCE_COLUMNS, COMPAT_MODES, NN_ROWS

from ._convert import Placeholders, scalar
from ._convert import r_literal as lit
from ._session import session

__all__ = ["glm_logit", "matchit", "matchit_summary", "match_data"]


def _frame(X: Any, prefix: str = "x") -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    if isinstance(X, pd.Series):
        return X.to_frame(name=str(X.name) if X.name is not None else f"{prefix}1")
    arr = np.asarray(X)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise InvalidArgument(f"`X` must be 2-D; got an array of shape {arr.shape}", kind="argument.shape")
    return pd.DataFrame(arr, columns=[f"x{j + 1}" for j in range(arr.shape[1])])


def _same(v: Any, default: Any) -> bool:
    """``v`` is the default (a string, a bool or a number equal to it)."""
    if isinstance(default, bool) or isinstance(v, bool):
        return v is default
    if isinstance(default, str):
        return isinstance(v, str) and v == default
    return isinstance(v, (int, float, np.integer, np.floating)) and v == default


def _user_glm_names(v: dict, placeholders: dict[str, str]) -> tuple[str, ...]:
    """Coefficient names in the caller's terms, through ``assign`` (0 =
    intercept, k = the k-th term label)."""
    rnames = [str(n) for n in v["names"] or []]
    labels = [str(t) for t in v["term_labels"] or []]
    assign = [int(a) for a in np.asarray(v["assign"], dtype=int).reshape(-1)]
    out = []
    for name, a in zip(rnames, assign):
        if a == 0:
            out.append(name)
            continue
        term = labels[a - 1]
        user = placeholders.get(term, term)
        out.append(user + name[len(term):] if name.startswith(term) else name)
    return tuple(out)


def _glm_result(v: dict, placeholders: dict[str, str], **kw: Any) -> GlmLogit:
    names = _user_glm_names(v, placeholders)
    return GlmLogit(names=names, coef=np.asarray(v["coef"], dtype=float).reshape(-1),
                    fitted=np.asarray(v["fitted"], float).reshape(-1),
                    linear_predictor=np.asarray(v["linear_predictor"], float).reshape(-1),
                    deviance=scalar(v["deviance"]), null_deviance=scalar(v["null_deviance"]),
                    aic=scalar(v["aic"]), iterations=int(scalar(v["iterations"])),
                    converged=bool(np.asarray(v["converged"]).reshape(-1)[0]), rank=int(scalar(v["rank"])),
                    engine="r", **kw)


def glm_logit(X, y, *, weights=None) -> GlmLogit:
    """R's ``glm(y ~ x1 + ... + xp, family = binomial, weights =)``."""
    frame = _frame(X)
    ph = {f"x{j + 1}": str(c) for j, c in enumerate(frame.columns)}
    xs = {f"x{j + 1}": frame.iloc[:, j] for j in range(frame.shape[1])}
    sess = session()
    res = sess.call("rparity_glm_logit", placeholders=Placeholders(ph), x=xs, y=y, weights=weights)
    rhs = " + ".join(ph) or "1"
    call = f"stats::glm(y ~ {rhs}, family = binomial()" + (", weights = w)" if weights is not None else ")")
    return _glm_result(res.value, ph, provenance={**sess.provenance(call), "placeholders": ph},
                       warnings=res.warnings)


class _Call:
    """The R arguments of a matchit call and its placeholder names."""

    def __init__(self, call: MatchItCall):
        data = call.data
        if not isinstance(data, pd.DataFrame):
            raise InvalidArgument(f"`data` must be a pandas DataFrame (R's data.frame); got {type(data).__name__}",
                                  kind="data.type")
        self.call = call
        self.data = data
        cols = list(data.columns)
        # fixed-width names (v01..v12): no placeholder is a prefix of another, so a
        # model-matrix column "v03black" has one reading
        self.width = len(str(len(cols) + 1))
        self.to_ph = {c: f"v{j + 1:0{self.width}d}" for j, c in enumerate(cols)}
        self.extra: dict[str, str] = {}
        self.names = {ph: str(c) for c, ph in self.to_ph.items()}

    def ph(self, name: Any) -> str:
        """The placeholder of a column (a fresh one, absent from the data, for
        a name that is not a column: R then reports it as not found)."""
        try:
            if name in self.to_ph:
                return self.to_ph[name]
        except TypeError:  # unhashable: not a column
            pass
        key = repr(name)
        if key not in self.extra:
            self.extra[key] = f"u{len(self.extra) + 1:0{self.width}d}"
            self.names[self.extra[key]] = str(name)
        return self.extra[key]

    def names_of(self, cols: Any) -> list[str] | None:
        if cols is None:
            return None
        if isinstance(cols, str):
            cols = [cols]
        return [self.ph(c) for c in cols]

    @property
    def is_302(self) -> bool:
        return self.call.options.get("compat") == COMPAT_302

    def args(self) -> dict:
        c = self.call
        opts = dict(c.options)
        seed = opts.pop("seed", None)
        exact = opts.pop("exact", None)
        compat = opts.pop("compat", None)
        kind = sample_kind_for(compat, opts.pop("sample_kind", None))
        if compat == COMPAT_302:
            # MatchIt 3.0.2's spelling of the contract's options (rparity_contract.matchit302)
            check_options_302(estimand=opts.get("estimand", "ATT"), std_caliper=opts.get("std_caliper", True),
                              caliper=opts.get("caliper"), m_order=opts.get("m_order"), seed=seed)
            options = r_options_302(distance=opts.get("distance", "glm"), link=opts.get("link", "logit"),
                                    ratio=opts.get("ratio", 1), replace=opts.get("replace", False),
                                    caliper=opts.get("caliper"), m_order=opts.get("m_order"),
                                    discard=opts.get("discard", "none"))
        else:
            renamed = {"std_caliper": "std.caliper", "m_order": "m.order", "min_n": "min.n", "s_weights": "s.weights",
                       "unit_id": "unit.id"}
            if opts.get("method", "nearest") != "nearest":
                # MatchIt warns about the options *given* to exact matching (check.inputs compares them with
                # matchit()'s defaults): pass only those the caller set to something else
                defaults = dict(distance="glm", link="logit", estimand="ATT", ratio=1, replace=False,
                                std_caliper=True, discard="none")
                opts = {k: v for k, v in opts.items() if not (k in defaults and _same(v, defaults[k]))}
            if isinstance(opts.get("cutpoints"), dict):  # per covariate: under the placeholder names
                opts["cutpoints"] = {self.ph(k): v for k, v in opts["cutpoints"].items()}
            for k in ("mahvars", "antiexact"):  # character vectors of (placeholder) names
                if opts.get(k) is not None:
                    opts[k] = self.names_of(opts[k])
            for k in ("s_weights", "unit_id"):  # a name or names (placeholders); anything else as given
                v = opts.get(k)
                if isinstance(v, str) or (isinstance(v, (list, tuple)) and v and all(isinstance(e, str) for e in v)):
                    opts[k] = self.names_of(v)
                elif isinstance(v, (list, tuple)):
                    opts[k] = np.asarray(v)
            cal = opts.get("caliper")
            if isinstance(cal, dict):  # R's named vector: values, and their names (the distance's is "")
                keys = list(cal)
                caliper_names = [k if k == "" else self.ph(k) for k in keys]
                opts["caliper"] = [float(cal[k]) for k in keys]
                std = opts.get("std_caliper", True)
                if isinstance(std, dict):
                    opts["std_caliper"] = [std.get(k) for k in keys] if set(std) == set(keys) else list(std.values())
                elif isinstance(std, tuple):
                    opts["std_caliper"] = list(std)
            options = {renamed.get(k, k): v for k, v in opts.items() if v is not None}
        frame = self.data.set_axis([self.to_ph[c] for c in self.data.columns], axis=1)
        frame.index = pd.RangeIndex(1, len(frame) + 1)
        out = dict(data=frame, treat=self.ph(c.treat), covariates=self.names_of(c.covariates) or [],
                   exact=self.names_of(exact), options=options, seed=seed, sample_kind=kind)
        if compat != COMPAT_302 and isinstance(c.options.get("caliper"), dict):
            out["caliper_names"] = caliper_names
        if "method" in c.options and c.options["method"] is None:
            out["null_method"] = True  # MatchIt's method = NULL (dropped above with the other Nones)
        if compat == COMPAT_302:
            out["lib"] = matchit302_library()
        return out

    def placeholders(self) -> Placeholders:
        return Placeholders(self.names)

    def call_string(self) -> str:
        a = self.args()
        xs = " + ".join(a["covariates"]) or "1"
        def show(k, v):
            if isinstance(v, (str, bool, int, float)):
                return lit(v)
            if isinstance(v, list) and all(isinstance(e, (str, bool, int, float)) for e in v):
                names = a.get("caliper_names") if k == "caliper" else None
                parts = [(f"{nm} = " if names and nm else "") + lit(e) for e, nm in zip(v, names or [""] * len(v))]
                return f"c({', '.join(parts)})"
            return "d_user"

        opts = ", ".join(f"{k} = {show(k, v)}" for k, v in a["options"].items())
        kind = f"RNGkind(sample.kind = \"{a['sample_kind']}\"); " if a["sample_kind"] != "Rejection" else ""
        seed = f"{kind}set.seed({a['seed']}); " if a["seed"] is not None else kind
        if self.is_302:
            exact = f", exact = c({', '.join(lit(e) for e in a['exact'])})" if a["exact"] else ""
            return (f"{seed}matchit({a['treat']} ~ {xs}, data = d, method = \"nearest\", {opts}{exact})  "
                    f"# MatchIt 3.0.2 from {a['lib']}")
        exact = f", exact = ~{' + '.join(a['exact'])}" if a["exact"] else ""
        method = "method = NULL, " if a.get("null_method") else "" if "method" in a["options"] else \
            "method = \"nearest\", "
        return f"{seed}MatchIt::matchit({a['treat']} ~ {xs}, data = d, {method}{opts}{exact})"


def matchit302_library() -> str:
    """The private R library holding MatchIt 3.0.2: ``RPARITY_MATCHIT302_LIB``,
    else ``~/R-matchit302`` (``make matchit302`` installs it there from the
    package's git history; CI has no network and uses golden files)."""
    lib = os.environ.get("RPARITY_MATCHIT302_LIB") or os.path.expanduser("~/R-matchit302")
    if not os.path.isfile(os.path.join(lib, "MatchIt", "DESCRIPTION")):
        raise RUnavailable(f"MatchIt 3.0.2 is not installed in {lib} (set RPARITY_MATCHIT302_LIB, or run "
                           f"`make matchit302`: see docs/matchit-302.md)")
    return lib


def matchit302_available() -> bool:
    """Whether MatchIt 3.0.2 can be run here (its private library exists)."""
    try:
        matchit302_library()
    except RUnavailable:
        return False
    return True


def _provenance_302(c: _Call) -> dict[str, str]:
    """MatchIt 3.0.2's version and source (the file ``RPARITY_SOURCE`` that
    scripts/install-matchit302.sh writes: repository, tag, commit)."""
    if not c.is_302:
        return {}
    lib = matchit302_library()
    src = os.path.join(lib, "MatchIt", "RPARITY_SOURCE")
    source = "unrecorded"
    if os.path.isfile(src):
        with open(src) as fh:
            source = fh.read().strip()
    return {"MatchIt": "3.0.2", "MatchIt.source": source, "MatchIt.library": lib}


def matchit(data: pd.DataFrame, treat: str, covariates, *, distance="glm", link: str = "logit",
            estimand: str = "ATT", ratio: int = 1, replace: bool = False, caliper: float | None = None,
            std_caliper: bool = True, m_order: str | None = None, discard: str = "none", exact=None,
            seed: int | None = None, compat: str | None = None, sample_kind: str | None = None,
            method: str | None = "nearest", subclass=None, min_n=None, cutpoints=None, mahvars=None,
            antiexact=None, s_weights=None, unit_id=None) -> MatchIt:
    """R's ``MatchIt::matchit(treat ~ covariates, data, method = "nearest", ...)``
    (``set.seed(seed)`` first when a seed is given, under
    ``RNGkind(sample.kind = sample_kind)``).

    ``compat="3.0.2"`` runs MatchIt 3.0.2 (from its private library,
    :func:`matchit302_library`) with the options in 3.0.2's spelling
    (:mod:`rparity_contract.matchit302`); otherwise the installed MatchIt
    (``compat`` "4.5.1" or None: R has no "documented algorithm"). ``method=None``
    is R's ``method = NULL``; ``s_weights`` (a column name, or numbers) and
    ``unit_id`` (column names) are R's ``s.weights`` and ``unit.id``."""
    call = MatchItCall(data=data, treat=treat, covariates=covariates,
                       options=dict(distance=distance, link=link, estimand=estimand, ratio=ratio, replace=replace,
                                    caliper=caliper, std_caliper=std_caliper, m_order=m_order, discard=discard,
                                    exact=exact, seed=seed, compat=compat, sample_kind=sample_kind,
                                    **({"method": method} if method != "nearest" else {}),
                                    **({"subclass": subclass} if subclass is not None else {}),
                                    **({"min_n": min_n} if min_n is not None else {}),
                                    **({"cutpoints": cutpoints} if cutpoints is not None else {}),
                                    **({"mahvars": mahvars} if mahvars is not None else {}),
                                    **({"antiexact": antiexact} if antiexact is not None else {}),
                                    **({"s_weights": s_weights} if s_weights is not None else {}),
                                    **({"unit_id": unit_id} if unit_id is not None else {})))
    if compat not in COMPAT_MODES:
        raise InvalidArgument(f"`compat` must be None, '4.5.1' or '3.0.2'; got compat={compat!r}",
                              kind="compat.value")
    if (method != "nearest" or s_weights is not None or unit_id is not None) and compat == COMPAT_302:
        raise NotImplementedError(f"method={method!r} with compat='3.0.2': rbridge runs MatchIt 3.0.2's "
                                  "nearest-neighbour matching only")
    c = _Call(call)
    sess = session()
    sess.require("MatchIt")
    fname = "rparity_matchit302" if c.is_302 else "rparity_matchit"
    res = sess.call(fname, placeholders=c.placeholders(), **c.args())
    v = res.value
    labels = data.index
    ncol = int(scalar(v["mm_ncol"]))
    frows = np.asarray(v["focal_rows"], dtype=np.int64).reshape(-1) - 1
    mmv = np.asarray(v["match_matrix"], dtype=float).reshape(ncol, -1).T if frows.size else np.zeros((0, ncol))
    entries = np.empty(mmv.shape, dtype=object)
    entries.ravel()[:] = [labels[int(x) - 1] if np.isfinite(x) else None for x in mmv.ravel().tolist()]
    match_matrix = pd.DataFrame(entries, index=labels[frows], columns=list(range(1, ncol + 1)))
    sub = None
    if v.get("subclass") is not None:
        s = np.asarray(v["subclass"], dtype=float)
        codes = np.where(np.isfinite(s), s - 1, -1).astype(np.int64)
        k = int(codes.max()) + 1 if codes.size else 0
        sub = pd.Categorical.from_codes(codes, categories=list(range(1, k + 1)))
    model = None
    if v.get("model") is not None:
        ph = {p: n for p, n in c.names.items()}
        model = _glm_result(v["model"], ph)
    cal, cal_covs = v.get("caliper"), None
    if cal is not None:
        vals = np.asarray(cal, dtype=float).reshape(-1)
        cnames = [str(x) for x in (v.get("caliper_names") or [""] * vals.size)]
        cal_covs = {c.names.get(nm, nm): float(x) for nm, x in zip(cnames, vals) if nm != ""} or None
        unnamed = [float(x) for nm, x in zip(cnames, vals) if nm == ""]
        cal = unnamed[0] if unnamed else None
    n1 = int(frows.size)
    m_used = m_order or ("smallest" if str(v["estimand"][0]) == "ATC" else "largest")
    if c.is_302:  # 3.0.2 keeps its m.order with replacement; an unknown one is "largest" (with a warning)
        m_used = m_order if m_order in ("largest", "smallest", "random") else "largest"
    elif replace is True or n1 <= 1:
        m_used = "data"
    exact_method = method != "nearest"
    if exact_method:  # a subclass method: no match matrix (and, for exact, no distance): R's NULLs
        match_matrix, m_used = None, ""
    dist = None if v.get("distance") is None else np.asarray(v["distance"], float).reshape(-1)
    return MatchIt(distance=dist, match_matrix=match_matrix,
                   weights=np.asarray(v["weights"], float).reshape(-1), subclass=sub,
                   discarded=np.asarray(v["discarded"], dtype=bool).reshape(-1),
                   caliper=cal, caliper_covs=cal_covs,
                   treat=np.asarray(v["treat"], dtype=np.int64).reshape(-1), index=labels,
                   estimand=str(v["estimand"][0]), ratio=ncol if c.is_302 else
                   int(ratio) if isinstance(ratio, (int, np.integer)) and not exact_method else 1,
                   replace=bool(replace) and not exact_method, m_order=m_used, compat=compat, model=model, call=call,
                   engine="r", method=method,
                   s_weights=None if v.get("s_weights") is None else np.asarray(v["s_weights"], float).reshape(-1),
                   q_cut=None if v.get("q_cut") is None else np.asarray(v["q_cut"], float).reshape(-1),
                   provenance={**sess.provenance(c.call_string()), **_provenance_302(c),
                               "placeholders": dict(c.names)},
                   warnings=res.warnings)


def _call_of(m: Any) -> _Call:
    if not isinstance(m, MatchIt) or m.call is None:
        raise InvalidArgument("`m` must be a MatchIt result that kept its call (from matchit() of any engine); "
                              f"got {type(m).__name__}", kind="fit.type")
    return _Call(m.call)


def _row_name(row: str, names: dict[str, str]) -> str:
    """A model-matrix column named after a placeholder (``v03black``) in the
    caller's terms (``raceblack``)."""
    for ph in sorted(names, key=len, reverse=True):
        if row.startswith(ph):
            return names[ph] + row[len(ph):]
    return row


def _table(v: dict, c: _Call) -> pd.DataFrame:
    rows = [_row_name(str(r), c.names) for r in v["rows"]]
    return pd.DataFrame({k: np.asarray(v[k], dtype=float).reshape(-1) for k in BALANCE_COLUMNS},
                        index=pd.Index(rows))


def matchit_summary(m: MatchIt) -> MatchItSummary:
    """R's ``summary(m)`` on the match's call, run again in R (same seed)."""
    c = _call_of(m)
    if c.is_302:
        raise NotImplementedError("summary() of a MatchIt 3.0.2 match: 3.0.2's summary.matchit (means, SDs, eQQ "
                                  "statistics) is not part of the contract; MatchIt 4.x's balance tables apply to "
                                  "4.x matches")
    sess = session()
    res = sess.call("rparity_matchit_summary", placeholders=c.placeholders(), **c.args())
    v = res.value
    nn = pd.DataFrame({"control": np.asarray(v["nn_control"], float).reshape(-1),
                       "treated": np.asarray(v["nn_treated"], float).reshape(-1)}, index=pd.Index(list(NN_ROWS)))
    matched = None if v.get("sum_matched") is None else _table(v["sum_matched"], c)  # None: method = NULL
    return MatchItSummary(all=_table(v["sum_all"], c), matched=matched, nn=nn, engine="r",
                          provenance=sess.provenance(f"summary({c.call_string()})"), warnings=res.warnings)


def match_data(m: MatchIt) -> pd.DataFrame:
    """R's ``match.data(m)`` on the match's call, run again in R (same seed):
    the matched rows of ``data`` with ``distance``, ``weights`` and (without
    replacement) ``subclass``."""
    c = _call_of(m)
    fname = "rparity_match_data302" if c.is_302 else "rparity_match_data"
    v = session().call(fname, placeholders=c.placeholders(), **c.args()).value
    rows = np.asarray(v["rows"], dtype=np.int64).reshape(-1) - 1
    out = c.data.iloc[rows].copy()
    if v.get("distance") is not None:
        out["distance"] = np.asarray(v["distance"], float).reshape(-1)
    out["weights"] = np.asarray(v["weights"], float).reshape(-1)
    if v.get("subclass") is not None:
        s = np.asarray(v["subclass"], dtype=float).reshape(-1)
        codes = np.where(np.isfinite(s), s - 1, -1).astype(np.int64)
        k = int(codes.max()) + 1 if codes.size else 0
        out["subclass"] = pd.Categorical.from_codes(codes, categories=list(range(1, k + 1)))
    return out
