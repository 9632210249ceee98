"""The MatchIt version matrix: ``rparity study ... --matchit 3.0.2,4.5.1,documented``.

The auditor's first question about a matched analysis: *with the authors'
toolchain, could these numbers have come out?* The study paper matched with
MatchIt under R 3.4.3, so with MatchIt 3.0.2, whose caliper matching draws a
random control within the caliper: its matched sample depends on the seed.

For each version asked (``3.0.2``: pyimpl's ``compat="3.0.2"``, at parity with
MatchIt 3.0.2; ``4.5.1``: the Debian MatchIt build, bugs included;
``documented``: the documented algorithm, MatchIt >= 4.5.4) the spec's
matching and everything downstream of it run in pyimpl
(:func:`~rparity.study.pipeline.run_after_matching`):

* per version: matched n per arm, balance after matching (the largest absolute
  standardised difference of the 0/1 covariates, treated-arm SD as MatchIt's
  ATT summary), the treatment hazard ratio after matching, and the overlap of
  the pairs between versions;
* per version that draws at random (3.0.2 always; any version with
  ``m_order = "random"``): the distribution over ``seeds`` seeds of the matched
  n and of the hazard ratio, and where the paper's published values (the
  spec's ``[published.values]``) fall in it;
* a sweep of the settings the paper does not report (scale, caliper, order):
  which toolchain settings give the published matched sample, and for how many
  of the seeds tried.

On the bundled synthetic cohort this is a demonstration; run on the authors'
data it is the answer.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from . import keys as K
from .cohort import Cohort
from .errors import StudyInputError
from .keys import Model, Quantity, Sample
from .spec import StudySpec
from .steps_matching import matchit_kwargs

__all__ = ["VERSIONS", "parse_versions", "VersionRun", "SeedDistribution", "SettingsRow", "VersionMatrix",
           "run_versions", "DEFAULT_SEEDS", "SWEEP_CALIPERS"]

#: The versions the matrix can run, and pyimpl's ``compat`` for each.
VERSIONS: dict[str, str | None] = {"3.0.2": "3.0.2", "4.5.1": "4.5.1", "documented": None}
#: Seeds of the distribution when a version draws at random.
DEFAULT_SEEDS = 500
#: Calipers of the settings sweep (SD of the distance; None: no caliper).
SWEEP_CALIPERS: tuple[float | None, ...] = (None, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25)
_SWEEP_LINKS = ("logit", "linear.logit")
_SWEEP_ORDERS = ("largest", "smallest", "random")
#: Seeds per setting in the sweep (of those of the distribution).
_SWEEP_SEEDS = 20


def parse_versions(text: str) -> tuple[str, ...]:
    """``--matchit`` as given: known versions, each once."""
    out: list[str] = []
    for v in (t.strip() for t in text.split(",")):
        if not v:
            continue
        if v not in VERSIONS:
            raise StudyInputError(f"`--matchit`: unknown MatchIt version {v!r}; known: {', '.join(VERSIONS)}")
        if v in out:
            raise StudyInputError(f"`--matchit`: version {v!r} is given twice")
        out.append(v)
    if not out:
        raise StudyInputError("`--matchit` names no version; e.g. --matchit 3.0.2,4.5.1,documented")
    return tuple(out)


def _kwargs(spec: StudySpec, version: str, seed: int | None, **override: Any) -> dict:
    import rparity

    kw = matchit_kwargs(spec, rparity.engine("pyimpl"))
    kw.update(override)
    kw["compat"] = VERSIONS[version]
    kw["seed"] = seed
    if version == "3.0.2":
        if kw["estimand"] != "ATT":
            raise StudyInputError(f"spec `matching.estimand` is {kw['estimand']!r}: MatchIt 3.0.2 has no estimand "
                                  f"(always ATT); drop 3.0.2 from --matchit or set estimand = \"ATT\"")
        if not kw["std_caliper"]:
            raise StudyInputError("spec `matching.std_caliper` is false: MatchIt 3.0.2's caliper is always in SD "
                                  "of the distance; drop 3.0.2 from --matchit or set std_caliper = true")
    return kw


def draws_at_random(version: str, m_order: str | None) -> bool:
    """Whether the version's match depends on the seed: 3.0.2 breaks ties and
    picks within the caliper at random; every version with a random order."""
    return version == "3.0.2" or m_order == "random"


@dataclass(frozen=True)
class VersionRun:
    """One version, the spec's settings, one seed."""

    version: str
    seed: int | None
    n: dict[str, int]
    pairs: frozenset[str]
    max_abs_smd: float
    hr_after: float
    error: str | None = None


@dataclass(frozen=True)
class SeedDistribution:
    """A version that draws at random, over many seeds."""

    version: str
    seeds: tuple[int, ...]
    n_pairs: np.ndarray  # matched treated units per seed (-1: matching failed)
    hr: np.ndarray  # treatment HR after matching per seed (NaN: not estimated)
    published_pairs: int | None
    published_hr: float | None

    @property
    def share_published_pairs(self) -> float | None:
        """Fraction of seeds that match as many treated units as the paper."""
        if self.published_pairs is None or not len(self.seeds):
            return None
        return float(np.mean(self.n_pairs == self.published_pairs))

    def pairs_counts(self) -> dict[int, int]:
        vals, counts = np.unique(self.n_pairs, return_counts=True)
        return {int(v): int(c) for v, c in zip(vals, counts)}

    def hr_quantiles(self) -> tuple[float, float, float]:
        h = self.hr[np.isfinite(self.hr)]
        if not h.size:
            return (math.nan, math.nan, math.nan)
        q = np.quantile(h, [0.05, 0.5, 0.95])
        return (float(q[0]), float(q[1]), float(q[2]))

    @property
    def published_hr_rank(self) -> float | None:
        """Fraction of the seeds' HRs at or below the published HR."""
        h = self.hr[np.isfinite(self.hr)]
        if self.published_hr is None or not h.size:
            return None
        return float(np.mean(h <= self.published_hr))


@dataclass(frozen=True)
class SettingsRow:
    """One combination of the unreported settings, for one version."""

    version: str
    link: str
    m_order: str
    caliper: float | None
    n_pairs: tuple[int, ...]  # per seed tried (one seed when the version does not draw); -1: it fails

    @property
    def failures(self) -> int:
        return sum(1 for n in self.n_pairs if n < 0)

    def share(self, published: int | None) -> float:
        if published is None or not self.n_pairs:
            return 0.0
        return float(np.mean(np.asarray(self.n_pairs) == published))


@dataclass(frozen=True)
class VersionMatrix:
    versions: tuple[VersionRun, ...]
    overlap: tuple[tuple[str, str, int, float], ...]  # (a, b, shared pairs, Jaccard index)
    seeds: tuple[SeedDistribution, ...]
    sweep: tuple[SettingsRow, ...]
    published_pairs: int | None
    published_hr: float | None
    seed: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    def consistent_settings(self) -> list[SettingsRow]:
        """The sweep's settings that give the published matched sample for at
        least one seed tried."""
        return [r for r in self.sweep if r.share(self.published_pairs) > 0]


def _published(spec: StudySpec, arm: str) -> tuple[int | None, float | None]:
    pub = spec.published_by_key

    def num(key) -> float | None:
        v = pub.get(key)
        try:
            return float(v) if v is not None else None
        except ValueError:  # a bound as printed ("<0.001"): not a value to place
            return None

    n = num(K.matching(Quantity.N, arm=arm))
    hr = num(K.cox(Sample.AFTER, Model.MULTIVARIABLE, Quantity.HR, variable="treatment"))
    return (int(n) if n is not None else None), hr


def _hr_after(res) -> float:
    for model in (Model.MULTIVARIABLE, Model.UNIVARIATE):
        v = res.get(K.cox(Sample.AFTER, model, Quantity.HR, variable="treatment"))
        if v is not None:
            return float(v)
    return math.nan


def _max_abs_smd(cohort: Cohort, spec: StudySpec, matched_ids: Sequence[str]) -> float:
    """Largest |SMD| of the matching covariates (0/1) on the matched sample:
    (mean_t - mean_c) / sd_t (MatchIt's ATT standardisation; a covariate
    constant among the treated is skipped)."""
    from .steps_matching import match_data_frame

    d = match_data_frame(cohort, spec)
    keep = np.isin(np.asarray([str(i) for i in cohort.ids]), np.asarray(list(matched_ids), dtype=str))
    d = d[keep]
    t = d["treatment"].to_numpy() == 1
    worst = 0.0
    for c in spec.matching.covariates:
        x = d[c].to_numpy(dtype=float)
        if t.sum() < 2 or (~t).sum() < 1:
            return math.nan
        sd = float(np.std(x[t], ddof=1))
        if sd > 0:
            worst = max(worst, abs(float(x[t].mean() - x[~t].mean())) / sd)
    return worst


def _one(cohort: Cohort, spec: StudySpec, version: str, seed: int | None, **override: Any):
    import rparity

    from .pipeline import run_after_matching

    kw = _kwargs(spec, version, seed, **override)
    return run_after_matching(rparity.engine("pyimpl"), cohort, spec, match_kwargs=kw)


def _version_run(cohort: Cohort, spec: StudySpec, version: str, seed: int) -> VersionRun:
    from .keys import Step, StepId

    use_seed = seed if draws_at_random(version, spec.matching.m_order) else spec.seed
    res = _one(cohort, spec, version, use_seed)
    status = res.steps.get(StepId(Step.MATCHING))
    if status is None or not status.ok:
        return VersionRun(version, use_seed, {}, frozenset(), math.nan, math.nan,
                          error=str(status) if status is not None else "matching did not run")
    n = {arm: int(res.get(K.matching(Quantity.N, arm=arm), 0)) for arm in spec.arms.order}
    pairs = frozenset(res.get(K.matching(Quantity.PAIRS), ()))
    return VersionRun(version, use_seed, n, pairs, _max_abs_smd(cohort, spec, res.matched_ids), _hr_after(res))


def seed_chunk(cohort: Cohort, spec: StudySpec, version: str, seeds: Sequence[int]) -> list[tuple[int, float]]:
    """(matched treated units, HR after matching) for each seed (a Dask task)."""
    from .keys import Step, StepId

    out = []
    for s in seeds:
        res = _one(cohort, spec, version, int(s))
        status = res.steps.get(StepId(Step.MATCHING))
        if status is None or not status.ok:
            out.append((-1, math.nan))
            continue
        out.append((int(res.get(K.matching(Quantity.N, arm=spec.arms.treated), 0)), _hr_after(res)))
    return out


def sweep_chunk(cohort: Cohort, spec: StudySpec, version: str, link: str, m_order: str,
                caliper: float | None, seeds: Sequence[int]) -> SettingsRow:
    """Matched treated units under one combination of unreported settings."""
    import warnings

    import rparity

    from .steps_matching import TREATMENT, match_data_frame

    eng = rparity.engine("pyimpl")
    data = match_data_frame(cohort, spec)
    treated = data[TREATMENT].to_numpy() == 1
    got = []
    tried = seeds if draws_at_random(version, m_order) else seeds[:1]
    for s in tried:
        kw = _kwargs(spec, version, int(s), link=link, m_order=m_order, caliper=caliper)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                m = eng.matchit(data, TREATMENT, list(spec.matching.covariates), **kw)
            got.append(int(((m.weights > 0) & treated).sum()))
        except Exception:  # noqa: BLE001 - the version fails or refuses (as R would): recorded as -1
            got.append(-1)
    return SettingsRow(version, link, m_order, caliper, tuple(got))


def _map(fn, tasks: list[tuple], workers: int | None) -> list:
    """Run ``fn(*task)`` for each task: here, or on a local Dask cluster of
    ``workers`` processes (pyimpl only: no R is started)."""
    if not workers or workers <= 1 or len(tasks) <= 1:
        return [fn(*t) for t in tasks]
    from rparity.distributed import dask_client

    with dask_client(workers=workers, needs_r=False) as client:
        futures = [client.submit(fn, *t, pure=False) for t in tasks]
        return client.gather(futures)


def run_versions(cohort: Cohort, spec: StudySpec, versions: Sequence[str], *, seeds: int = DEFAULT_SEEDS,
                 workers: int | None = None, sweep: bool = True) -> VersionMatrix:
    """The version matrix of the spec's matching (see the module docstring)."""
    if seeds < 1:
        raise StudyInputError(f"`--seeds` must be at least 1; got {seeds}")
    base = spec.seed if spec.seed is not None else 1
    notes = []
    if spec.seed is None:
        notes.append("The spec has no `study.seed`: versions that draw at random use seed 1 for the row above, "
                     "and seeds 1, 2, ... for the distribution.")
    for v in versions:
        _kwargs(spec, v, base)  # settings the version cannot take: before any work
    runs = tuple(_version_run(cohort, spec, v, base) for v in versions)
    overlap = []
    for i, a in enumerate(runs):
        for b in runs[i + 1:]:
            shared = len(a.pairs & b.pairs)
            union = len(a.pairs | b.pairs)
            overlap.append((a.version, b.version, shared, shared / union if union else math.nan))
    pub_n, pub_hr = _published(spec, spec.arms.treated)
    seed_list = [base + i for i in range(seeds)]
    dists = []
    random_versions = [v for v in versions if draws_at_random(v, spec.matching.m_order)]
    chunk = max(1, math.ceil(seeds / (4 * (workers or 1))))
    tasks: list[tuple] = []
    owner: list[str] = []
    for v in random_versions:
        for i in range(0, seeds, chunk):
            tasks.append((cohort, spec, v, seed_list[i:i + chunk]))
            owner.append(v)
    sweep_tasks: list[tuple] = []
    if sweep:
        for v in versions:
            for link in _SWEEP_LINKS:
                for order in _SWEEP_ORDERS:
                    for cal in SWEEP_CALIPERS:
                        sweep_tasks.append((cohort, spec, v, link, order, cal, seed_list[:_SWEEP_SEEDS]))
    results = _map(_dispatch, [("seeds", t) for t in tasks] + [("sweep", t) for t in sweep_tasks], workers)
    seed_results, sweep_rows = results[:len(tasks)], results[len(tasks):]
    for v in random_versions:
        vals = [x for o, part in zip(owner, seed_results) if o == v for x in part]
        dists.append(SeedDistribution(v, tuple(seed_list), np.array([x[0] for x in vals], dtype=np.int64),
                                      np.array([x[1] for x in vals], dtype=float), pub_n, pub_hr))
    return VersionMatrix(versions=runs, overlap=tuple(overlap), seeds=tuple(dists), sweep=tuple(sweep_rows),
                         published_pairs=pub_n, published_hr=pub_hr, seed=base, notes=tuple(notes))


def _dispatch(what: str, task: tuple):
    return seed_chunk(*task) if what == "seeds" else sweep_chunk(*task)


# -- presentation -------------------------------------------------------------------------
_LABEL = {"3.0.2": "MatchIt 3.0.2 (R 3.4.3's; the paper's)", "4.5.1": "MatchIt 4.5.1 (Debian's build)",
          "documented": "documented algorithm (MatchIt >= 4.5.4)"}


def _fmt(x: float | None, spec: str = ".3f") -> str:
    return "—" if x is None or (isinstance(x, float) and not math.isfinite(x)) else format(x, spec)


def _cal(c: float | None) -> str:
    return "none" if c is None else f"{c:g} SD"


def context(vm: VersionMatrix, spec: StudySpec) -> dict:
    """The report's section, formatted."""
    arms = spec.arms.order
    rows = [{"label": _LABEL[r.version], "seed": "—" if r.seed is None else str(r.seed),
             "n": " + ".join(str(r.n.get(a, "—")) for a in arms) if r.error is None else f"fails: {r.error}",
             "smd": _fmt(r.max_abs_smd), "hr": _fmt(r.hr_after)} for r in vm.versions]
    overlap = [{"a": a, "b": b, "shared": shared, "jaccard": _fmt(j, ".2f")} for a, b, shared, j in vm.overlap]
    dists = []
    for d in vm.seeds:
        q = d.hr_quantiles()
        counts = ", ".join(f"{n if n >= 0 else 'fails'}: {c}" for n, c in sorted(d.pairs_counts().items()))
        share = d.share_published_pairs
        rank = d.published_hr_rank
        from .figures import seed_figure
        from .report_util import data_uri

        figure = data_uri(seed_figure(_LABEL[d.version], d.n_pairs, d.hr, d.published_pairs, d.published_hr))
        dists.append({"figure": figure, "label": _LABEL[d.version],
                      "seeds": f"{d.seeds[0]}–{d.seeds[-1]}" if d.seeds else "—",
                      "count": len(d.seeds), "counts": counts,
                      "hr": f"{_fmt(q[1])} (5–95%: {_fmt(q[0])} to {_fmt(q[2])})",
                      "share": "—" if share is None else f"{100 * share:.1f}%",
                      "rank": "—" if rank is None else f"{100 * rank:.1f}%"})
    consistent = [{"label": _LABEL[r.version], "link": r.link, "order": r.m_order, "caliper": _cal(r.caliper),
                   "share": f"{sum(1 for n in r.n_pairs if n == vm.published_pairs)} of {len(r.n_pairs)}"}
                  for r in vm.consistent_settings()]
    tried = {v.version for v in vm.versions}
    return {"rows": rows, "overlap": overlap, "dists": dists, "consistent": consistent,
            "swept": len(vm.sweep), "sweep_calipers": ", ".join(_cal(c) for c in SWEEP_CALIPERS),
            "published_pairs": vm.published_pairs, "published_hr": _fmt(vm.published_hr),
            "versions": ", ".join(_LABEL[v] for v in VERSIONS if v in tried), "notes": list(vm.notes),
            "settings": (f"link {spec.matching.link}, caliper {_cal(spec.matching.caliper)}, "
                         f"m_order {spec.matching.m_order or 'largest'}, ratio {spec.matching.ratio}")}


def encode(vm: VersionMatrix) -> dict:
    """The matrix for the JSON document (plain JSON values; NaN as null)."""
    def num(x: float) -> float | None:
        return float(x) if x is not None and math.isfinite(x) else None

    return {
        "versions": [{"version": r.version, "seed": r.seed, "n": dict(r.n), "pairs": sorted(r.pairs),
                      "max_abs_smd": num(r.max_abs_smd), "hr_after": num(r.hr_after), "error": r.error}
                     for r in vm.versions],
        "overlap": [{"a": a, "b": b, "shared_pairs": s, "jaccard": num(j)} for a, b, s, j in vm.overlap],
        "seeds": [{"version": d.version, "seeds": list(d.seeds), "n_pairs": d.n_pairs.tolist(),
                   "hr": [num(h) for h in d.hr.tolist()]} for d in vm.seeds],
        "sweep": [{"version": r.version, "link": r.link, "m_order": r.m_order, "caliper": r.caliper,
                   "n_pairs": list(r.n_pairs)} for r in vm.sweep],
        "published": {"pairs": vm.published_pairs, "hr_after": vm.published_hr},
        "notes": list(vm.notes),
    }
