"""Typed, validated entries of a file of reported statistics.

:mod:`.reader` turns the TOML (or an equivalent dict) into these; each checker
takes one. An entry that cannot be read becomes an :class:`Unreadable` carrying
the reason, and the rest of the audit goes on.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from .printed import Printed

__all__ = [
    "CHISQ_OR_FISHER",
    "AuditSettings",
    "TableSpec",
    "ContingencyEntry",
    "PercentEntry",
    "RatioEntry",
    "LandmarkEntry",
    "Unreadable",
    "TESTS",
    "TEST_NAMES",
    "TREND_TESTS",
    "CONTINUOUS_TESTS",
    "CLAIM_ALIASES",
    "CLAIMABLE",
    "claims_of_kind",
]

#: The contingency tests recomputed for every row, in display order.
TESTS = ("fisher", "chisq", "chisq_yates", "g")

#: Trend tests of an ordered categorical row (computed when claimed, or for a
#: row marked ``ordered = true``).
TREND_TESTS = ("cochran_armitage", "linear_by_linear")

#: Tests of a continuous row (means and SDs, or medians and quantiles).
CONTINUOUS_TESTS = ("student_t", "welch_t", "anova", "welch_anova", "mann_whitney", "kruskal_wallis")

#: The rule "Fisher's exact test when an expected count is below 5, else
#: chi-square" (the usual "chi-square or Fisher's exact test as appropriate").
CHISQ_OR_FISHER = "chisq_or_fisher"

#: Loose names as papers write them, and the tests each may mean.
CLAIM_ALIASES: dict[str, tuple[str, ...]] = {
    # "chi-square test": SPSS's Chi-Square Tests table prints Pearson, the
    # continuity-corrected and the likelihood-ratio chi-square side by side
    "chi-square": ("chisq", "chisq_yates", "g"),
    "t": ("student_t", "welch_t"),
    "t-test": ("student_t", "welch_t"),
    "wilcoxon": ("mann_whitney",),
    "trend": TREND_TESTS,
}

#: Every name a claim (``test = ...``) may use.
CLAIMABLE = frozenset((*TESTS, *TREND_TESTS, *CONTINUOUS_TESTS, CHISQ_OR_FISHER, *CLAIM_ALIASES))

_KIND_TESTS = {
    "contingency": frozenset((*TESTS, *TREND_TESTS, CHISQ_OR_FISHER)),
    "continuous": frozenset(CONTINUOUS_TESTS),
}


def claims_of_kind(claimed: tuple[str, ...], kind: str) -> tuple[str, ...]:
    """The part of a claim that concerns rows of ``kind`` ("contingency" or
    "continuous"), aliases expanded, order kept: a table's ``test = ["chi-square",
    "t"]`` claims chisq/chisq_yates/g for its contingency rows and
    student_t/welch_t for its continuous rows."""
    out: list[str] = []
    for name in claimed:
        for t in CLAIM_ALIASES.get(name, (name,)):
            if t in _KIND_TESTS[kind] and t not in out:
                out.append(t)
    return tuple(out)


#: Human names of the tests.
TEST_NAMES = {
    "fisher": "Fisher's exact test",
    "chisq": "Pearson's chi-square (no continuity correction)",
    "chisq_yates": "Pearson's chi-square with Yates' correction",
    "g": "likelihood-ratio G test",
    "cochran_armitage": "Cochran-Armitage trend test (R's prop.trend.test)",
    "linear_by_linear": "linear-by-linear association (Mantel's M², SPSS)",
    "chisq_or_fisher": "Fisher's exact test when an expected count is < 5, else chi-square",
    "student_t": "Student's t-test (pooled variance)",
    "welch_t": "Welch's t-test",
    "anova": "one-way ANOVA",
    "welch_anova": "Welch's one-way ANOVA (R's oneway.test)",
    "mann_whitney": "Mann-Whitney (Wilcoxon rank-sum) test",
    "kruskal_wallis": "Kruskal-Wallis test",
}


@dataclass(frozen=True)
class AuditSettings:
    """Numerical settings of an audit (house style: one object per method).

    Attributes
    ----------
    g_williams : bool
        Apply Williams' correction to the G test (default False, as in the
        uncorrected likelihood-ratio test SPSS and most papers report).
    km_node_budget : int
        Node budget of the exhaustive search deciding whether a Kaplan-Meier
        estimate can take a printed value (see :mod:`.landmark`); when it runs
        out the answer is "cannot tell".
    """

    g_williams: bool = False
    km_node_budget: int = 200_000

    def to_dict(self) -> dict:
        return {"g_williams": self.g_williams, "km_node_budget": self.km_node_budget}


@dataclass(frozen=True)
class TableSpec:
    """Table-level facts shared by its entries."""

    id: str
    title: str = ""
    source: str = ""
    arms: tuple[str, ...] = ()
    n: tuple[int, ...] | None = None
    test: tuple[str, ...] = ()
    measure: str = "HR"
    conf_level: Fraction = Fraction(95, 100)
    ci_method: str = "wald"

    def arm_size(self, arm: str) -> int | None:
        if self.n is None or arm not in self.arms:
            return None
        return self.n[self.arms.index(arm)]


@dataclass(frozen=True)
class ContingencyEntry:
    """Counts of a categorical variable by arm and the printed p-value.

    ``counts[i][j]`` is the count of level ``i`` in arm ``j``.
    """

    table: TableSpec
    row: str
    levels: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    p: Printed | None
    test: tuple[str, ...]
    source: str = ""
    notes: tuple[str, ...] = ()
    ordered: bool = False
    claim_text: tuple[str, ...] = ()
    smd: Printed | None = None
    arm_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class PercentEntry:
    """A printed percentage of an arm: n (%) with the arm size N (n may be absent).

    ``available`` is, for a cell of a contingency row whose counts sum to less
    than the arm, that column total: papers sometimes give the percentage of the
    patients with data rather than of the arm. ``largest_remainder`` is the
    denominator (the arm size or that column total) when the printed
    percentages of the cell's column are a largest-remainder rounding of the
    exact ones (:func:`.percent.largest_remainder_rounding`).
    """

    table: TableSpec
    label: str
    N: int
    percent: Printed
    n: int | None = None
    source: str = ""
    available: int | None = None
    largest_remainder: int | None = None


@dataclass(frozen=True)
class RatioEntry:
    """A ratio estimate (HR, OR, RR) with its confidence interval and p-value."""

    table: TableSpec
    row: str
    estimate: Printed
    lower: Printed
    upper: Printed
    p: Printed | None
    measure: str
    conf_level: Fraction
    ci_method: str = "wald"
    source: str = ""


@dataclass(frozen=True)
class LandmarkEntry:
    """A Kaplan-Meier survival percentage at a time in an arm of size N."""

    table: TableSpec
    label: str
    N: int
    percent: Printed
    time: str = ""
    events: int | None = None
    n_risk: int | None = None
    source: str = ""


@dataclass(frozen=True)
class Unreadable:
    """An entry that could not be read, and why."""

    table: str
    kind: str
    label: str
    reason: str
    source: str = ""
    extra: dict = field(default_factory=dict)
