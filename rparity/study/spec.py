"""The study spec: a TOML file declaring a study's cohort and methods, validated
into frozen dataclasses.

Every error is a :class:`~rparity.study.errors.SpecError` naming the key
(``km.landmarks``, ``covariates.afp.cut``) and what is wrong with its value;
unknown keys are refused with the closest known key, so a typo never silently
falls back to a default. The layout is documented key by key in
``rparity/study/specs/paper.toml``, the spec of the paper the project ships.

``[published.values]`` names each published number by the printed form of a
study key (``"km.before.os.surgery.landmark.12.surv"``); the name is resolved
to its :class:`~rparity.study.keys.StudyKey` by formatting the keys the
pipeline records for the spec (:mod:`~rparity.study.catalogue`), never by
splitting it (:class:`~rparity.study.catalogue.PublishedValue`).
"""
from __future__ import annotations

import dataclasses
import difflib
import hashlib
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from rparity_contract.values import LINKS

from .errors import SpecError
from .keys import StudyKey

if TYPE_CHECKING:  # pragma: no cover
    from .catalogue import PublishedValue

__all__ = ["StudySpec", "Arms", "Endpoint", "Covariate", "Table1Spec", "MatchingSpec", "KMSpec",
           "CoxSpec", "SubgroupSpec", "SecondarySpec", "load_spec", "parse_spec", "bundled_spec_path", "TREATMENT",
           "SAMPLES", "TABLE1_TESTS", "PROFILES", "WeightingSpec"]

#: Name of the treatment indicator in Cox models and in ``cox.force``.
TREATMENT = "treatment"
#: The two analysis samples: the whole cohort and the matched sample.
SAMPLES = ("before", "after")
TABLE1_TESTS = ("fisher", "chisq", "chisq_uncorrected")
#: Named sets of another package's conventions, reported beside R's (``[study] profile``; ``--profile``).
PROFILES = ("spss21",)
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_REQUIRED = object()


@dataclass(frozen=True)
class Arms:
    """``[arms]``: the treatment column and its two labels.

    ``treated`` is the propensity model's treated group (the focal group of
    ``estimand="ATT"``) and the arm whose hazard ratio is reported against
    ``reference``.
    """

    column: str
    treated: str
    reference: str
    labels: Mapping[str, str]

    @property
    def order(self) -> tuple[str, str]:
        """(treated, reference): the column order of Table 1."""
        return (self.treated, self.reference)

    def label(self, arm: str) -> str:
        return self.labels.get(arm, arm)


@dataclass(frozen=True)
class Endpoint:
    """``[endpoints.<name>]``: a time-to-event endpoint."""

    name: str
    time: str
    event: str
    label: str


@dataclass(frozen=True)
class Covariate:
    """``[[covariates]]``: a baseline covariate and its dichotomisation rule.

    Numeric rule: positive when ``value <direction> cut`` (``direction`` one of
    ``>=, >, <=, <``). Categorical rule: positive when the value is one of
    ``positive_values``, negative when one of ``negative_values``; any other
    value is an error.
    """

    name: str
    label: str
    column: str
    positive_label: str
    negative_label: str
    cut: float | None = None
    direction: str = ">="
    positive_values: tuple[str, ...] = ()
    negative_values: tuple[str, ...] = ()

    @property
    def numeric(self) -> bool:
        return self.cut is not None

    def rule(self) -> str:
        """The rule in words, for the report."""
        if self.numeric:
            return f"{self.column} {self.direction} {self.cut:g}"
        return f"{self.column} in {{{', '.join(self.positive_values)}}}"


@dataclass(frozen=True)
class Table1Spec:
    """``[table1]``: the test of each covariate between the arms (2 x 2 table):
    ``fisher`` (``fisher.test``), ``chisq`` (``chisq.test``, Yates' correction)
    or ``chisq_uncorrected`` (``correct = FALSE``)."""

    test: str = "fisher"


@dataclass(frozen=True)
class MatchingSpec:
    """``[matching]``: ``MatchIt::matchit(method = "nearest")`` settings.

    ``compat`` is passed to engines whose ``matchit`` takes it (pyimpl, and
    rbridge): the MatchIt whose behaviour to reproduce (``"4.5.1"``, or
    ``"3.0.2"``: the study paper's MatchIt, which rbridge runs from its private
    library) or ``"none"`` for the documented algorithm.
    """

    covariates: tuple[str, ...]
    distance: str = "glm"
    link: str = "logit"
    estimand: str = "ATT"
    ratio: int = 1
    replace: bool = False
    caliper: float | None = None
    std_caliper: bool = True
    m_order: str | None = None
    discard: str = "none"
    compat: str | None = "4.5.1"


@dataclass(frozen=True)
class KMSpec:
    """``[km]``: Kaplan-Meier landmarks and confidence intervals."""

    landmarks: tuple[float, ...]
    conf_type: str = "log"
    conf_int: float = 0.95


@dataclass(frozen=True)
class CoxSpec:
    """``[cox]``: Cox models and the multivariable selection rule.

    A variable enters the multivariable model when its univariate p is below
    ``univariate_p``, when it is named in ``force``, or when it is imbalanced
    between the arms in that sample (``imbalance``: ``table1_p`` = Table 1
    p-value below ``imbalance_threshold``, default 0.05; ``smd`` = |standardised
    mean difference| above it, default 0.1; ``none``).
    """

    ties: str = "efron"
    univariate_p: float = 0.05
    force: tuple[str, ...] = (TREATMENT,)
    imbalance: str = "table1_p"
    imbalance_threshold: float = 0.05
    after_matching: str = "unadjusted"


@dataclass(frozen=True)
class SubgroupSpec:
    """``[subgroups]``: treatment HR within each level of these covariates."""

    covariates: tuple[str, ...]
    samples: tuple[str, ...] = ("before",)


@dataclass(frozen=True)
class WeightingSpec:
    """``[weighting]`` (optional): inverse-probability weighting beside the
    matching, from the same propensity model (the matching's covariates and
    link, on the probability scale): ``ps_weights(estimand, stabilize, trim,
    trim_lower)``, WeightIt's conventions (stabilisation with ATE only; ``trim``
    a quantile in (0.5, 1) or a whole number >= 1 of weights)."""

    estimand: str = "ATT"
    stabilize: bool = False
    trim: float | None = None
    trim_lower: bool = False


@dataclass(frozen=True)
class SecondarySpec:
    """``[secondary]``: landmark rates of further endpoints."""

    endpoints: tuple[str, ...] = ()
    landmarks: tuple[float, ...] = ()


@dataclass(frozen=True)
class StudySpec:
    """A validated study spec."""

    title: str
    reference: str
    seed: int | None
    time_unit: str
    id_column: str | None
    arms: Arms
    endpoints: Mapping[str, Endpoint]
    primary: str
    covariates: tuple[Covariate, ...]
    table1: Table1Spec
    matching: MatchingSpec
    km: KMSpec
    cox: CoxSpec
    subgroups: SubgroupSpec
    secondary: SecondarySpec
    published: tuple[PublishedValue, ...] = ()
    published_note: str = ""
    profile: str | None = None  # a name of PROFILES: that package's conventions reported beside R's
    weighting: WeightingSpec | None = None  # [weighting]: the weighted analysis beside the matched one
    source_text: str = field(default="", repr=False)
    source_path: str | None = field(default=None, repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.source_text.encode()).hexdigest()

    def covariate(self, name: str) -> Covariate:
        for c in self.covariates:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def published_by_key(self) -> dict[StudyKey, str]:
        """The published numbers (as printed) under the keys they name (those the
        pipeline records for this spec)."""
        return {p.key: p.printed for p in self.published if p.key is not None}

    @property
    def covariate_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.covariates)

    def all_endpoints(self) -> tuple[str, ...]:
        """Primary first, then the secondary endpoints."""
        return (self.primary, *[e for e in self.secondary.endpoints if e != self.primary])


# ---------------------------------------------------------------- reading ---

def _show(v: Any) -> str:
    return repr(v)


class _Section:
    """One TOML table being read; remembers which keys were used."""

    def __init__(self, path: str, data: Any):
        if not isinstance(data, Mapping):
            raise SpecError(f"spec `{path}` must be a table; got {_show(data)}")
        self.path, self.data, self.used = path, data, set()

    def key(self, k: str) -> str:
        return f"{self.path}.{k}" if self.path else k

    def has(self, k: str) -> bool:
        return k in self.data

    def raw(self, k: str, default: Any = _REQUIRED) -> Any:
        self.used.add(k)
        if k not in self.data:
            if default is _REQUIRED:
                raise SpecError(f"spec `{self.key(k)}` is required but missing")
            return default
        return self.data[k]

    def string(self, k: str, default: Any = _REQUIRED, *, choices: tuple | None = None,
               name: bool = False) -> Any:
        v = self.raw(k, default)
        if v is default and default is not _REQUIRED:
            return v
        if not isinstance(v, str) or not v.strip():
            raise SpecError(f"spec `{self.key(k)}` must be a non-empty string; got {k}={_show(v)}")
        if choices is not None and v not in choices:
            raise SpecError(f"spec `{self.key(k)}` must be one of {', '.join(map(repr, choices))}; "
                            f"got {k}={_show(v)}")
        if name and not _NAME.match(v):
            raise SpecError(f"spec `{self.key(k)}` must be a name (a letter, then letters, digits or _); "
                            f"got {k}={_show(v)}")
        return v

    def number(self, k: str, default: Any = _REQUIRED, *, lo: float | None = None, hi: float | None = None,
               lo_open: bool = False, hi_open: bool = False) -> Any:
        v = self.raw(k, default)
        if v is default and default is not _REQUIRED:
            return v
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise SpecError(f"spec `{self.key(k)}` must be a finite number; got {k}={_show(v)}")
        bad_lo = lo is not None and (v <= lo if lo_open else v < lo)
        bad_hi = hi is not None and (v >= hi if hi_open else v > hi)
        if bad_lo or bad_hi:
            lo_s = "" if lo is None else f"{'>' if lo_open else '>='} {lo:g}"
            hi_s = "" if hi is None else f"{'<' if hi_open else '<='} {hi:g}"
            rng = " and ".join(s for s in (lo_s, hi_s) if s)
            raise SpecError(f"spec `{self.key(k)}` must be {rng}; got {k}={_show(v)}")
        return float(v)

    def integer(self, k: str, default: Any = _REQUIRED, *, lo: int | None = None) -> Any:
        v = self.raw(k, default)
        if v is default and default is not _REQUIRED:
            return v
        if isinstance(v, bool) or not isinstance(v, int) or (lo is not None and v < lo):
            need = "a whole number" + (f" >= {lo}" if lo is not None else "")
            raise SpecError(f"spec `{self.key(k)}` must be {need}; got {k}={_show(v)}")
        return int(v)

    def boolean(self, k: str, default: Any = _REQUIRED) -> Any:
        v = self.raw(k, default)
        if not isinstance(v, bool):
            raise SpecError(f"spec `{self.key(k)}` must be true or false; got {k}={_show(v)}")
        return v

    def strings(self, k: str, default: Any = _REQUIRED, *, allow_all: bool = False,
                nonempty: bool = True) -> Any:
        """A list of strings (or the string ``"all"`` when ``allow_all``)."""
        v = self.raw(k, default)
        if v is default and default is not _REQUIRED:
            return v
        if allow_all and v == "all":
            return "all"
        if (not isinstance(v, list) or not all(isinstance(x, str) and x for x in v)
                or (nonempty and not v)):
            what = "a non-empty list of strings" if nonempty else "a list of strings"
            raise SpecError(f"spec `{self.key(k)}` must be {what}" + (' or "all"' if allow_all else "")
                            + f"; got {k}={_show(v)}")
        dup = sorted({x for x in v if v.count(x) > 1})
        if dup:
            raise SpecError(f"spec `{self.key(k)}` lists {dup[0]!r} more than once")
        return tuple(v)

    def times(self, k: str, default: Any = _REQUIRED) -> Any:
        v = self.raw(k, default)
        if v is default and default is not _REQUIRED:
            return v
        ok = isinstance(v, list) and v and all(
            not isinstance(x, bool) and isinstance(x, (int, float)) and math.isfinite(x) and x > 0 for x in v)
        if not ok:
            raise SpecError(f"spec `{self.key(k)}` must be a non-empty list of positive times; got {k}={_show(v)}")
        if any(b <= a for a, b in zip(v, v[1:])):
            raise SpecError(f"spec `{self.key(k)}` must be increasing; got {k}={_show(v)}")
        return tuple(float(x) for x in v)

    def table(self, k: str, *, required: bool = True) -> "_Section":
        v = self.raw(k, _REQUIRED if required else {})
        return _Section(self.key(k), v)

    def finish(self) -> None:
        """Refuse keys that were never read (typos)."""
        for k in self.data:
            if k not in self.used:
                close = difflib.get_close_matches(k, sorted(self.used), n=1)
                hint = f" (did you mean `{self.key(close[0])}`?)" if close else ""
                known = ", ".join(sorted(self.used))
                raise SpecError(f"spec has an unknown key `{self.key(k)}`{hint}; known keys here: {known}")


# The keys each section understands (read even when absent so that `finish` can
# suggest them for typos).
def _read_arms(s: _Section) -> Arms:
    column = s.string("column")
    treated = s.string("treated")
    reference = s.string("reference")
    if treated == reference:
        raise SpecError(f"spec `arms.treated` and `arms.reference` must differ; both are {treated!r}")
    lab = s.table("labels", required=False)
    labels = {}
    for k in list(lab.data):
        if k not in (treated, reference):
            raise SpecError(f"spec `arms.labels.{k}` labels an arm that is not `arms.treated` or "
                            f"`arms.reference` ({treated!r}, {reference!r})")
        labels[k] = lab.string(k)
    s.finish()
    return Arms(column=column, treated=treated, reference=reference, labels=labels)


def _read_endpoints(s: _Section) -> dict[str, Endpoint]:
    out = {}
    if not s.data:
        raise SpecError("spec `endpoints` must declare at least one endpoint ([endpoints.<name>])")
    for name in list(s.data):
        if not _NAME.match(name):
            raise SpecError(f"spec `endpoints.{name}`: endpoint names must be names (a letter, then letters, "
                            f"digits or _); got {name!r}")
        e = s.table(name)
        out[name] = Endpoint(name=name, time=e.string("time"), event=e.string("event"),
                             label=e.string("label", name))
        e.finish()
    return out


def _read_covariate(i: int, data: Any) -> Covariate:
    s = _Section(f"covariates[{i + 1}]", data)
    name = s.string("name", name=True)
    s.path = f"covariates.{name}"
    if name == TREATMENT:
        raise SpecError(f"spec `covariates.{name}.name`: {TREATMENT!r} is reserved for the treatment indicator")
    column = s.string("column")
    label = s.string("label", name)
    has_cut = s.has("cut")
    has_vals = s.has("positive_values") or s.has("negative_values")
    if has_cut == has_vals:
        raise SpecError(f"spec `covariates.{name}` must have either `cut` (numeric column) or "
                        f"`positive_values` and `negative_values` (categorical column), not "
                        + ("both" if has_cut else "neither"))
    if has_cut:
        cut = s.number("cut")
        direction = s.string("direction", ">=", choices=(">=", ">", "<=", "<"))
        pos = s.string("positive_label", f"{direction}{cut:g}")
        neg_dir = {">=": "<", ">": "<=", "<=": ">", "<": ">="}[direction]
        neg = s.string("negative_label", f"{neg_dir}{cut:g}")
        cov = Covariate(name=name, label=label, column=column, cut=cut, direction=direction,
                        positive_label=pos, negative_label=neg)
    else:
        pv = s.strings("positive_values")
        nv = s.strings("negative_values")
        both = sorted(set(pv) & set(nv))
        if both:
            raise SpecError(f"spec `covariates.{name}`: value {both[0]!r} is in both `positive_values` and "
                            f"`negative_values`")
        cov = Covariate(name=name, label=label, column=column, positive_values=pv, negative_values=nv,
                        positive_label=s.string("positive_label", "/".join(pv)),
                        negative_label=s.string("negative_label", "/".join(nv)))
    s.finish()
    return cov


def _names_in(key: str, names: Any, known: tuple[str, ...], what: str) -> tuple[str, ...]:
    if names == "all":
        return known
    for n in names:
        if n not in known:
            close = difflib.get_close_matches(n, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise SpecError(f"spec `{key}` names {n!r}, which is not {what}{hint}; known: {', '.join(known)}")
    return tuple(names)


def _read_weighting(top: _Section) -> WeightingSpec | None:
    """``[weighting]`` (None when absent): estimand, stabilize, trim, trim_lower (WeightIt's rules)."""
    raw = top.raw("weighting", None)
    if raw is None:
        return None
    w = _Section("weighting", raw)
    estimand = w.string("estimand", "ATT", choices=("ATE", "ATT", "ATC"))
    stabilize = w.boolean("stabilize", False)
    if stabilize and estimand != "ATE":
        raise SpecError(f"spec `weighting.stabilize` can only be true with estimand = \"ATE\" (WeightIt: the ATT's "
                        f"and ATC's focal arm is not weighted, their stabilisation is not defined); got "
                        f"estimand={estimand!r}")
    trim = w.raw("trim", None)
    if trim is not None:
        ok = not isinstance(trim, bool) and isinstance(trim, (int, float)) and math.isfinite(trim) and (
            0.5 < trim < 1 or (trim >= 1 and trim == int(trim)))
        if not ok:
            raise SpecError(f"spec `weighting.trim` must be a quantile in (0.5, 1) or a whole number >= 1 of weights "
                            f"(WeightIt's trim(at =)); got trim={_show(trim)}")
        trim = float(trim)
    trim_lower = w.boolean("trim_lower", False)
    if trim_lower and trim is None:
        raise SpecError("spec `weighting.trim_lower` needs `weighting.trim` (the quantile or count to trim at)")
    w.finish()
    return WeightingSpec(estimand=estimand, stabilize=stabilize, trim=trim, trim_lower=trim_lower)


def parse_spec(text: str, *, source: str | None = None) -> StudySpec:
    """Validate the TOML ``text`` of a study spec."""
    where = f" ({source})" if source else ""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"spec{where} is not valid TOML: {exc}") from None
    top = _Section("", doc)

    st = top.table("study")
    title = st.string("title")
    reference = st.string("reference", "")
    seed = st.integer("seed", None, lo=0)
    time_unit = st.string("time_unit", "months")
    profile = st.string("profile", None, choices=PROFILES)
    st.finish()

    co = top.table("cohort", required=False)
    id_column = co.string("id", None)
    co.finish()

    arms = _read_arms(top.table("arms"))
    endpoints = _read_endpoints(top.table("endpoints"))

    an = top.table("analysis", required=False)
    primary = an.string("primary_endpoint", next(iter(endpoints)))
    if primary not in endpoints:
        raise SpecError(f"spec `analysis.primary_endpoint` must name an endpoint ({', '.join(endpoints)}); "
                        f"got primary_endpoint={primary!r}")
    an.finish()

    raw_covs = top.raw("covariates")
    if not isinstance(raw_covs, list) or not raw_covs:
        raise SpecError("spec `covariates` must be a non-empty array of tables ([[covariates]])")
    covs = tuple(_read_covariate(i, c) for i, c in enumerate(raw_covs))
    names = tuple(c.name for c in covs)
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise SpecError(f"spec `covariates`: name {dup[0]!r} is used by more than one covariate")

    t1 = top.table("table1", required=False)
    table1 = Table1Spec(test=t1.string("test", "fisher", choices=TABLE1_TESTS))
    t1.finish()

    ma = top.table("matching")
    m_covs = _names_in("matching.covariates", ma.strings("covariates", "all", allow_all=True), names,
                       "a covariate")
    distance = ma.string("distance", "glm", choices=("glm",))
    link = ma.string("link", "logit", choices=LINKS)
    estimand = ma.string("estimand", "ATT", choices=("ATT", "ATC"))
    ratio = ma.integer("ratio", 1, lo=1)
    if ratio != 1:
        raise SpecError(f"spec `matching.ratio` must be 1: the study pipeline analyses the matched sample "
                        f"unweighted (Table 1 counts, Fisher tests), which is only right for 1:1 matching; "
                        f"got ratio={ratio}")
    replace = ma.boolean("replace", False)
    if replace:
        raise SpecError("spec `matching.replace` must be false: the study pipeline analyses the matched "
                        "sample unweighted, which is only right without replacement; got replace=true")
    caliper = ma.number("caliper", None, lo=0, lo_open=True)
    std_caliper = ma.boolean("std_caliper", True)
    m_order = ma.string("m_order", None, choices=("largest", "smallest", "random", "data"))
    discard = ma.string("discard", "none", choices=("none", "both", "control", "treated"))
    compat = ma.string("compat", "4.5.1", choices=("4.5.1", "3.0.2", "none"))
    if compat == "3.0.2":
        # MatchIt 3.0.2 (the toolchain of R 3.4.3): ATT only, caliper in SD, draws at random
        if estimand != "ATT":
            raise SpecError(f"spec `matching.estimand` must be \"ATT\" with compat = \"3.0.2\": MatchIt 3.0.2 has "
                            f"no estimand; got estimand={estimand!r}")
        if not std_caliper:
            raise SpecError("spec `matching.std_caliper` must be true with compat = \"3.0.2\": MatchIt 3.0.2's "
                            "caliper is always in SD of the distance")
        if seed is None:
            raise SpecError("spec `matching.compat` is \"3.0.2\", whose matching draws at random (within the "
                            "caliper, among ties), which needs `study.seed` (R's set.seed); `study.seed` is missing")
    if m_order == "random" and seed is None:
        raise SpecError("spec `matching.m_order` is \"random\", which needs `study.seed` (R's set.seed) "
                        "for a reproducible match; `study.seed` is missing")
    ma.finish()
    matching = MatchingSpec(covariates=m_covs, distance=distance, link=link, estimand=estimand, ratio=ratio,
                            replace=replace, caliper=caliper, std_caliper=std_caliper, m_order=m_order,
                            discard=discard, compat=None if compat == "none" else compat)

    weighting = _read_weighting(top)

    km_s = top.table("km")
    km = KMSpec(landmarks=km_s.times("landmarks"),
                conf_type=km_s.string("conf_type", "log",
                                      choices=("log", "log-log", "plain", "logit", "arcsin", "none")),
                conf_int=km_s.number("conf_int", 0.95, lo=0, hi=1, lo_open=True, hi_open=True))
    km_s.finish()

    cx = top.table("cox", required=False)
    force = _names_in("cox.force", cx.strings("force", (TREATMENT,), nonempty=False), (TREATMENT, *names),
                      f"{TREATMENT!r} or a covariate")
    imbalance = cx.string("imbalance", "table1_p", choices=("table1_p", "smd", "none"))
    cox = CoxSpec(ties=cx.string("ties", "efron", choices=("efron", "breslow")),
                  univariate_p=cx.number("univariate_p", 0.05, lo=0, hi=1),
                  force=force,
                  imbalance=imbalance,
                  # defaults: p < 0.05 for Table 1 p-values, |SMD| > 0.1 for standardised differences
                  imbalance_threshold=cx.number("imbalance_threshold", 0.1 if imbalance == "smd" else 0.05, lo=0),
                  after_matching=cx.string("after_matching", "unadjusted", choices=("unadjusted", "robust_pairs")))
    cx.finish()

    sg = top.table("subgroups", required=False)
    subgroups = SubgroupSpec(
        covariates=_names_in("subgroups.covariates", sg.strings("covariates", "all", allow_all=True), names,
                             "a covariate"),
        samples=sg.strings("samples", ("before",)))
    for smp in subgroups.samples:
        if smp not in SAMPLES:
            raise SpecError(f"spec `subgroups.samples` must list 'before' and/or 'after'; got {smp!r}")
    sg.finish()

    se = top.table("secondary", required=False)
    sec_eps = se.strings("endpoints", (), nonempty=False)
    for e in sec_eps:
        if e not in endpoints:
            raise SpecError(f"spec `secondary.endpoints` names {e!r}, which is not an endpoint "
                            f"({', '.join(endpoints)})")
    secondary = SecondarySpec(endpoints=tuple(sec_eps), landmarks=se.times("landmarks", km.landmarks))
    se.finish()

    pu = top.table("published", required=False)
    note = pu.string("note", "")
    vals = pu.table("values", required=False)
    printed = {}
    for k in list(vals.data):
        v = vals.raw(k)
        if not isinstance(v, str) or not _PUBLISHED.match(v.strip()):
            raise SpecError(f"spec `published.values.\"{k}\"` must be a number written as printed in the paper, "
                            f"as a string (\"0.800\", \"45\", \"<0.001\"); got {_show(v)}")
        printed[k] = v.strip()
    vals.finish()
    pu.finish()

    top.finish()
    spec = StudySpec(title=title, reference=reference, seed=seed, time_unit=time_unit, id_column=id_column,
                     arms=arms, endpoints=endpoints, primary=primary, covariates=covs, table1=table1,
                     matching=matching, km=km, cox=cox, subgroups=subgroups, secondary=secondary,
                     published_note=note, profile=profile, weighting=weighting, source_text=text, source_path=source)
    from .catalogue import resolve_published  # (it lists the keys of a spec: it imports this module)

    return dataclasses.replace(spec, published=resolve_published(spec, printed))


_PUBLISHED = re.compile(r"^[<>]?\s*-?\d+(\.\d+)?$")


def load_spec(path: str | Path) -> StudySpec:
    """Read and validate the spec at ``path``."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"spec file {str(p)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"spec file {str(p)!r} cannot be read: {exc}") from None
    return parse_spec(text, source=str(p))


def bundled_spec_path(name: str = "paper") -> Path:
    """Path of a spec shipped with the package (``paper``: the paper's methods)."""
    from importlib import resources

    return Path(str(resources.files("rparity.study").joinpath("specs").joinpath(f"{name}.toml")))
