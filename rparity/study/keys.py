"""The names of the study's numbers: typed keys, never strings to split.

Every number the pipeline records is named by a :class:`StudyKey`: the step
that made it (:class:`Step`), the sample (:class:`Sample`: the whole cohort or
the matched one), and whichever of endpoint, arm, variable, Cox model,
subgroup level, Table 1 test and landmark time apply, then the
:class:`Quantity`. Code compares and looks keys up by their fields.

``str(key)`` is a human-readable form for tables and messages, e.g.::

    km.before.os.surgery.landmark.12.surv
    cox.after.multivariable.treatment.hr
    table1.before.afp.immuno.n
    matching.n.immuno
    published_audit.table1.before.afp.fisher.p

Nothing reads that form back. A spec's ``[published.values]`` names numbers in
it; they are found by formatting the keys the pipeline can record
(:mod:`~rparity.study.catalogue`), not by splitting the text.

The steps of a pipeline run (whose status is recorded: "ok", "not provided",
...) are named by :class:`StepId` (``km.before``, ``matching``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = ["Step", "Sample", "Model", "Level", "Table1Test", "ChiSquareRow", "Quantity", "StudyKey", "StepId",
           "cohort", "table1",
           "matching", "balance", "km", "logrank", "cox", "subgroup", "published_audit", "spss21", "COX_QUANTITIES",
           "SUMMARY_QUANTITIES", "CURVE_QUANTITIES", "BALANCE_QUANTITIES", "WEIGHTING_STEPS", "weighting",
           "weighted_km", "weighted_cox"]


class Step(StrEnum):
    """The part of the study a number belongs to (study.md's steps)."""

    COHORT = "cohort"
    TABLE1 = "table1"
    MATCHING = "matching"
    BALANCE = "balance"
    KM = "km"
    LOGRANK = "logrank"
    COX = "cox"
    SUBGROUP = "subgroup"
    PUBLISHED_AUDIT = "published_audit"
    WEIGHTING = "weighting"
    """Inverse-probability weights, their ESS and the weighted balance (``[weighting]``)."""
    WEIGHTED_KM = "weighted_km"
    """Kaplan-Meier curves of the weighted cohort."""
    WEIGHTED_COX = "weighted_cox"
    """The weighted Cox model of treatment (robust variance)."""
    SPSS21 = "spss21"
    """The SPSS 21 profile's numbers (:mod:`~rparity.study.profile_spss`)."""


class Sample(StrEnum):
    """The analysis sample: the whole cohort, or the matched sample."""

    BEFORE = "before"
    AFTER = "after"


class Model(StrEnum):
    """The Cox model of a Table 2 number."""

    UNIVARIATE = "univariate"
    MULTIVARIABLE = "multivariable"


class Level(StrEnum):
    """The level of a subgroup covariate (its positive level, or the other)."""

    POSITIVE = "positive"
    NEGATIVE = "negative"


class Table1Test(StrEnum):
    """The tests a Table 1 p-value can come from (the spec's ``table1.test``)."""

    FISHER = "fisher"
    CHISQ = "chisq"
    CHISQ_UNCORRECTED = "chisq_uncorrected"


class ChiSquareRow(StrEnum):
    """A row of SPSS CROSSTABS' "Chi-Square Tests" table (the SPSS 21 profile)."""

    PEARSON = "pearson"
    CONTINUITY_CORRECTION = "continuity_correction"
    LIKELIHOOD_RATIO = "likelihood_ratio"
    FISHER_EXACT = "fisher_exact"
    LINEAR_BY_LINEAR = "linear_by_linear"


class Quantity(StrEnum):
    """What a number is. The contract quantity it comes from (its tolerance) is
    its :class:`~rparity.study.result.Source`, recorded beside it."""

    # counts and their tests
    N = "n"
    EVENTS = "events"
    TOTAL = "total"
    P = "p"
    STATISTIC = "statistic"
    WARNINGS = "warnings"
    # matching and balance
    PAIRS = "pairs"
    DISTANCE = "distance"
    CALIPER = "caliper"
    SMD = "smd"
    MEANS_TREATED = "means_treated"
    MEANS_CONTROL = "means_control"
    # Kaplan-Meier (landmarks, medians, curves) and log-rank
    MEDIAN = "median"
    MEDIAN_LOWER = "median_lower"
    MEDIAN_UPPER = "median_upper"
    SURV = "surv"
    LOWER = "lower"
    UPPER = "upper"
    STD_ERR = "std_err"
    N_RISK = "n_risk"
    TIME = "time"
    N_EVENT = "n_event"
    CHISQ = "chisq"
    PVALUE = "pvalue"
    DF = "df"
    OBS = "obs"
    EXP = "exp"
    # Cox models
    COEF = "coef"
    HR = "hr"
    SE = "se"
    SELECTED = "selected"
    REASON = "reason"
    LOGLIK = "loglik"
    # weighting (inverse-probability weights)
    PS = "ps"
    WEIGHTS = "weights"
    ESS = "ess"
    SMD_UNWEIGHTED = "smd_unweighted"
    VAR_RATIO = "var_ratio"
    ROBUST_SE = "robust_se"
    # the SPSS 21 profile: KM's "Means and Medians for Survival Time"
    MEAN = "mean"
    MEAN_SE = "mean_se"
    MEAN_LOWER = "mean_lower"
    MEAN_UPPER = "mean_upper"
    MEDIAN_SE = "median_se"


Q = Quantity
#: The steps of the weighted analysis (``[weighting]``), run once on the whole cohort.
WEIGHTING_STEPS: tuple[Step, ...] = (Step.WEIGHTING, Step.WEIGHTED_KM, Step.WEIGHTED_COX)
#: A Cox row of Table 2 / a subgroup: the quantities recorded per variable.
COX_QUANTITIES: tuple[Quantity, ...] = (Q.COEF, Q.HR, Q.SE, Q.LOWER, Q.UPPER, Q.P)
#: Per Kaplan-Meier landmark (``summary(fit, times=)``).
SUMMARY_QUANTITIES: tuple[Quantity, ...] = (Q.SURV, Q.LOWER, Q.UPPER, Q.STD_ERR, Q.N_RISK)
#: Per Kaplan-Meier curve (the fit's arrays).
CURVE_QUANTITIES: tuple[Quantity, ...] = (Q.TIME, Q.SURV, Q.LOWER, Q.UPPER, Q.N_RISK, Q.N_EVENT)
#: Per balance-table row (``summary(m)``).
BALANCE_QUANTITIES: tuple[Quantity, ...] = (Q.SMD, Q.MEANS_TREATED, Q.MEANS_CONTROL)


def _enum(cls: type[StrEnum], name: str, value: Any, optional: bool = True) -> Any:
    if value is None and optional:
        return None
    try:
        return cls(value)
    except ValueError:
        valid = ", ".join(m.value for m in cls)
        raise ValueError(f"`{name}` must be one of {valid}; got {name}={value!r}") from None


def _text(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ValueError(f"`{name}` must be a non-empty string or None; got {name}={value!r}")
    return value


@dataclass(frozen=True)
class StudyKey:
    """The name of one number of the study.

    Attributes
    ----------
    step : the part of the study (:class:`Step`)
    quantity : what the number is (:class:`Quantity`)
    sample : the analysis sample, where the step is done on both
    model : the Cox model (Table 2 numbers)
    endpoint : the spec's endpoint name (Kaplan-Meier and log-rank numbers)
    variable : ``treatment``, a covariate name, or a balance-table row
    level : the subgroup level (subgroup numbers)
    test : the Table 1 test (the audit of the published Table 1)
    arm : an arm label of the spec
    landmark : the landmark time (Kaplan-Meier survival at a time)
    curve : the number is a whole Kaplan-Meier curve (an array)
    row : the row of SPSS's chi-square table (SPSS 21 profile numbers)
    """

    step: Step
    quantity: Quantity
    sample: Sample | None = None
    model: Model | None = None
    endpoint: str | None = None
    variable: str | None = None
    level: Level | None = None
    test: Table1Test | None = None
    arm: str | None = None
    landmark: float | None = None
    curve: bool = False
    row: ChiSquareRow | None = None

    def __post_init__(self) -> None:
        # members from their values ("km" -> Step.KM), so that keys read back from JSON are equal
        set_ = object.__setattr__
        set_(self, "step", _enum(Step, "step", self.step, optional=False))
        set_(self, "quantity", _enum(Quantity, "quantity", self.quantity, optional=False))
        set_(self, "sample", _enum(Sample, "sample", self.sample))
        set_(self, "model", _enum(Model, "model", self.model))
        set_(self, "level", _enum(Level, "level", self.level))
        set_(self, "test", _enum(Table1Test, "test", self.test))
        set_(self, "row", _enum(ChiSquareRow, "row", self.row))
        for name in ("endpoint", "variable", "arm"):
            set_(self, name, _text(name, getattr(self, name)))
        if self.landmark is not None:
            if isinstance(self.landmark, bool) or not isinstance(self.landmark, (int, float)) \
                    or not math.isfinite(self.landmark):
                raise ValueError(f"`landmark` must be a finite time or None; got landmark={self.landmark!r}")
            set_(self, "landmark", float(self.landmark))
        if not isinstance(self.curve, bool):
            raise ValueError(f"`curve` must be True or False; got curve={self.curve!r}")

    @property
    def stage(self) -> StepId | None:
        """The pipeline step that records this number (None: the cohort's own counts)."""
        if self.step is Step.COHORT:
            return None
        if self.step in (Step.MATCHING, Step.BALANCE):
            return StepId(Step.MATCHING)
        if self.step in (Step.PUBLISHED_AUDIT, *WEIGHTING_STEPS):
            return StepId(self.step)
        return StepId(Step.KM if self.step is Step.LOGRANK else self.step, self.sample)

    @property
    def follows_matching(self) -> bool:
        """Whether the number is computed from the matched sample (or is the
        matched sample: its pairs and sizes). The audit of the published Table 1
        uses the paper's counts, whatever the sample."""
        if self.step is Step.PUBLISHED_AUDIT:
            return False
        if self.step is Step.MATCHING:
            return self.quantity in (Q.PAIRS, Q.N)
        return self.sample is Sample.AFTER

    def __str__(self) -> str:
        parts: list[str] = [self.step.value]
        if self.step is Step.PUBLISHED_AUDIT:
            parts.append(Step.TABLE1.value)
        for p in (self.sample, self.model, self.endpoint, self.variable, self.level, self.test, self.row):
            if p is not None:
                parts.append(str(p))
        if self.step is Step.MATCHING and self.arm is not None:
            return ".".join([*parts, self.quantity.value, self.arm])  # matching.n.<arm>
        if self.arm is not None:
            parts.append(self.arm)
        if self.landmark is not None:
            parts += ["landmark", f"{self.landmark:g}"]
        if self.curve:
            parts.append("curve")
        parts.append(self.quantity.value)
        return ".".join(parts)

    def fields(self) -> dict[str, Any]:
        """The fields that are set, JSON-native (the key's record in the JSON format)."""
        out: dict[str, Any] = {"step": self.step.value}
        for name in ("sample", "model", "endpoint", "variable", "level", "test", "row", "arm", "landmark"):
            v = getattr(self, name)
            if v is not None:
                out[name] = v.value if isinstance(v, StrEnum) else v
        if self.curve:
            out["curve"] = True
        out["quantity"] = self.quantity.value
        return out


@dataclass(frozen=True)
class StepId:
    """A step of the pipeline run, whose status is recorded: Table 1, Kaplan-Meier
    (with the log-rank tests), Cox models and subgroups per sample; matching
    (with the balance tables) and the audit of the published Table 1 once."""

    step: Step
    sample: Sample | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "step", _enum(Step, "step", self.step, optional=False))
        object.__setattr__(self, "sample", _enum(Sample, "sample", self.sample))
        per_sample = (Step.TABLE1, Step.KM, Step.COX, Step.SUBGROUP, Step.SPSS21)
        if self.step not in (*per_sample, Step.MATCHING, Step.PUBLISHED_AUDIT, *WEIGHTING_STEPS):
            raise ValueError(f"`step` must be a pipeline step ({', '.join(s.value for s in per_sample)}, matching, "
                             f"published_audit); got step={self.step.value!r}")
        if (self.sample is None) == (self.step in per_sample):
            need = "needs a sample" if self.sample is None else "takes no sample"
            raise ValueError(f"step {self.step.value!r} {need}; got sample={self.sample!r}")

    def __str__(self) -> str:
        return self.step.value if self.sample is None else f"{self.step.value}.{self.sample.value}"

    def fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {"step": self.step.value}
        if self.sample is not None:
            out["sample"] = self.sample.value
        return out


# ------------------------------------------------------------------ keys ---
# One constructor per step, so the pipeline, the report and the tests name a
# number the same way.

def cohort(quantity: Quantity = Q.N, *, arm: str | None = None) -> StudyKey:
    """``cohort.n``, ``cohort.<arm>.n``."""
    return StudyKey(Step.COHORT, quantity, arm=arm)


def table1(sample: Sample | str, quantity: Quantity, *, variable: str | None = None,
           arm: str | None = None) -> StudyKey:
    """``table1.<s>.<arm>.total``, ``table1.<s>.<v>.<arm>.n``, ``table1.<s>.<v>.p|statistic|warnings``."""
    return StudyKey(Step.TABLE1, quantity, sample=sample, variable=variable, arm=arm)


def matching(quantity: Quantity, *, arm: str | None = None) -> StudyKey:
    """``matching.n.<arm>``, ``matching.pairs|distance|caliper|warnings``."""
    return StudyKey(Step.MATCHING, quantity, arm=arm)


def balance(sample: Sample | str, row: str, quantity: Quantity) -> StudyKey:
    """``balance.<s>.<row>.smd|means_treated|means_control`` (``row``: distance or a covariate)."""
    return StudyKey(Step.BALANCE, quantity, sample=sample, variable=row)


def km(sample: Sample | str, endpoint: str, arm: str, quantity: Quantity, *, landmark: float | None = None,
       curve: bool = False) -> StudyKey:
    """``km.<s>.<ep>.<arm>.<q>``, ``...landmark.<t>.<q>``, ``...curve.<q>``."""
    return StudyKey(Step.KM, quantity, sample=sample, endpoint=endpoint, arm=arm, landmark=landmark, curve=curve)


def logrank(sample: Sample | str, endpoint: str, quantity: Quantity, *, arm: str | None = None) -> StudyKey:
    """``logrank.<s>.<ep>.chisq|df|pvalue|warnings``, ``logrank.<s>.<ep>.<arm>.obs|exp``."""
    return StudyKey(Step.LOGRANK, quantity, sample=sample, endpoint=endpoint, arm=arm)


def cox(sample: Sample | str, model: Model | str, quantity: Quantity, *, variable: str | None = None) -> StudyKey:
    """``cox.<s>.<model>.<v>.<q>``, ``cox.<s>.multivariable.selected|loglik|warnings``."""
    return StudyKey(Step.COX, quantity, sample=sample, model=model, variable=variable)


def subgroup(sample: Sample | str, covariate: str, level: Level | str, quantity: Quantity, *,
             arm: str | None = None) -> StudyKey:
    """``subgroup.<s>.<cov>.<level>.<q>``, ``subgroup.<s>.<cov>.<level>.<arm>.n``."""
    return StudyKey(Step.SUBGROUP, quantity, sample=sample, variable=covariate, level=level, arm=arm)


def published_audit(sample: Sample | str, covariate: str, test: Table1Test | str) -> StudyKey:
    """``published_audit.table1.<s>.<cov>.<test>.p``: a Table 1 test on the paper's counts."""
    return StudyKey(Step.PUBLISHED_AUDIT, Q.P, sample=sample, variable=covariate, test=test)


def spss21(sample: Sample | str, quantity: Quantity, *, model: Model | str | None = None, endpoint: str | None = None,
           variable: str | None = None, arm: str | None = None, row: ChiSquareRow | str | None = None) -> StudyKey:
    """The SPSS 21 profile: ``spss21.<s>.<model>.<v>.<q>`` (Cox, Breslow ties),
    ``spss21.<s>.<v>.<row>.statistic|p`` (chi-square table), ``spss21.<s>.<ep>.<arm>.<q>`` (means and medians)."""
    return StudyKey(Step.SPSS21, quantity, sample=sample, model=model, endpoint=endpoint, variable=variable, arm=arm,
                    row=row)


def weighting(quantity: Quantity, *, arm: str | None = None, variable: str | None = None) -> StudyKey:
    """``weighting.<arm>.n|ess``, ``weighting.weights|ps|warnings``, ``weighting.<row>.smd|smd_unweighted|...``."""
    return StudyKey(Step.WEIGHTING, quantity, arm=arm, variable=variable)


def weighted_km(endpoint: str, arm: str, quantity: Quantity, *, landmark: float | None = None,
                curve: bool = False) -> StudyKey:
    """``weighted_km.<ep>.<arm>.<q>``, ``...landmark.<t>.<q>``, ``...curve.<q>``."""
    return StudyKey(Step.WEIGHTED_KM, quantity, endpoint=endpoint, arm=arm, landmark=landmark, curve=curve)


def weighted_cox(quantity: Quantity, *, variable: str = "treatment") -> StudyKey:
    """``weighted_cox.treatment.<q>`` (``coef|hr|se|robust_se|lower|upper|p``), ``weighted_cox.warnings``."""
    return StudyKey(Step.WEIGHTED_COX, quantity, variable=variable)
