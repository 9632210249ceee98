"""Run a study in one or two engines and write the report and the JSON.

:func:`run_study_files` is what ``rparity study`` and ``rparity demo`` call:
read and validate the spec and the cohort (bad input raises
:class:`~rparity.study.errors.StudyInputError` before anything is written), run
the pipeline in each engine, compare, and write ``study-report.html`` and
``study-results.json``. Both files are rendered in memory, written to
temporary files in the output directory, and only then moved into place
(``os.replace``), so a failed or interrupted run never leaves a partial or
mismatched report behind.
"""
from __future__ import annotations

import datetime as _dt
import math
import os
import platform
import shlex
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from . import keys as K
from .cohort import Cohort, load_cohort
from .document import dumps, to_document
from .errors import StudyInputError
from .keys import Quantity, Step, Table1Test
from .parity import ClassifyContext, StudyParity, compare_results, not_run
from .pipeline import run_study
from .published import PublishedVerdict, paper_selection_check, table1_test_verdicts
from .report import TEST_NAMES, TEST_SHORT_NAMES, ReportInputs, display_order, render_html
from .result import StudyResult
from .spec import StudySpec, load_spec
from .steps_matching import match_data_frame, matchit_kwargs, takes_compat
from .versions import encode as encode_versions

__all__ = ["StudyRun", "run_study_files", "write_outputs", "run_engines", "check_engines", "check_out_dir",
           "classify_context", "methods_notes", "REPORT_NAME", "JSON_NAME"]

REPORT_NAME = "study-report.html"
JSON_NAME = "study-results.json"


@dataclass
class StudyRun:
    spec: StudySpec
    cohort: Cohort
    results: list[StudyResult]
    parity: StudyParity
    provenance: dict
    methods_notes: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    html_path: Path | None = None
    json_path: Path | None = None
    skipped_engines: list[tuple[str, str]] = field(default_factory=list)
    versions: Any = None  # the MatchIt version matrix (rparity.study.versions), with --matchit


def _engine(name: str):
    """The engine ``name``; an unknown name (listing the valid ones and the
    closest) or an engine that cannot load is bad input."""
    from rparity.engines import PluginError, UnknownName, engine

    try:
        return engine(name)
    except UnknownName as exc:
        raise StudyInputError(f"`--engines`: {exc}") from None
    except PluginError as exc:
        raise StudyInputError(f"`--engines`: engine {name!r} cannot be used: {exc}") from None


def check_engines(names: Sequence[str]) -> list[str]:
    """The distinct engine names, checked (one or two, each known and loadable)
    before any work; :class:`StudyInputError` otherwise."""
    names = list(dict.fromkeys(names))
    if not 1 <= len(names) <= 2:
        raise StudyInputError(f"`--engines` takes one or two engines (the second is the reference); got {names}")
    for n in names:
        _engine(n)
    return names


def _r_missing_reason(name: str) -> str | None:
    """Why engine ``name`` cannot run here (only the R engine can be missing)."""
    if name != "r":
        return None
    import rbridge

    if rbridge.r_available():
        return None
    return "R (with rpy2) is not available here. " + rbridge.INSTALL_HINT.splitlines()[0]


def run_engines(cohort: Cohort, spec: StudySpec, names: Sequence[str]) -> tuple[list[StudyResult], list]:
    """Run the pipeline in each available engine: (results, [(engine, why skipped)])."""
    results, skipped = [], []
    for name in names:
        eng = _engine(name)
        why = _r_missing_reason(name)
        if why:
            if os.environ.get("RPARITY_REQUIRE_R") == "1":
                raise StudyInputError(f"engine {name!r} is required here (RPARITY_REQUIRE_R=1) but unavailable: {why}")
            skipped.append((name, why))
            continue
        results.append(run_study(eng, cohort, spec))
    return results, skipped


def _documented_pairs(cohort: Cohort, spec: StudySpec) -> int | None:
    """Pairs the documented matching algorithm (MatchIt >= 4.5.4) finds with the
    spec's settings, when an engine here can run it (pyimpl's compat=None)."""
    from rparity.engines import engine
    from rparity_contract.errors import RParityError

    try:
        eng = engine("pyimpl")
    except (KeyError, RParityError):  # pragma: no cover - pyimpl is built in
        return None
    if not eng.provides("matchit") or not takes_compat(eng):
        return None
    import warnings

    kw = matchit_kwargs(spec, eng)
    kw["compat"] = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            m = eng.matchit(match_data_frame(cohort, spec), "treatment", list(spec.matching.covariates), **kw)
        except Exception:  # noqa: BLE001 - a note, not a result
            return None
    return int((m.weights > 0).sum()) // 2


def classify_context(spec: StudySpec, cohort: Cohort, results: Sequence[StudyResult]) -> ClassifyContext:
    """Versions and settings the divergence predicates may look at."""
    import pandas as pd

    a, b = results[0], results[1]
    ref_versions = {k: v for k, v in (b.provenance[0] if b.provenance else {}).items()
                    if k not in ("call", "placeholders")}
    params = {"conf_type": spec.km.conf_type, "conf_int": spec.km.conf_int, "ties": spec.cox.ties,
              "matching_compat": spec.matching.compat, "link": spec.matching.link, "caliper": spec.matching.caliper,
              "table1_test": spec.table1.test}
    data = pd.DataFrame({f"time_{ep}": cohort.time[ep] for ep in cohort.time})
    return ClassifyContext(engines=(a.engine, b.engine), engine_version=a.engine_version,
                           reference_versions=ref_versions, params=params, data=data)


def _matchit_version(results: Sequence[StudyResult]) -> str | None:
    for r in results:
        for p in r.provenance:
            if p.get("MatchIt"):
                return str(p["MatchIt"])
    return None


def methods_notes(spec: StudySpec, cohort: Cohort, results: Sequence[StudyResult]) -> list[str]:
    """What a reader needs to know about how the methods ran here."""
    notes = []
    m = spec.matching
    a = display_order(results)[0] if results else None
    version = _matchit_version(results)
    if version and version.startswith(("4.5.1", "4.5.2", "4.5.3")) and m.caliper is not None:
        cal = a.get(K.matching(Quantity.CALIPER)) if a is not None else None
        cal_s = f" ({m.caliper:g} SD = {cal:.3g} on the distance scale)" if cal is not None and m.std_caliper else ""
        if m.link == "logit":
            notes.append(f"The installed MatchIt {version} compares propensity-score differences after truncating "
                         f"them to integers (C's int abs(), MatchIt issue #163, fixed in 4.5.4). On the probability "
                         f"scale every difference truncates to 0, so the caliper{cal_s} removes no pair.")
        elif cal is not None:
            floor_ = math.floor(cal) + 1
            notes.append(f"The installed MatchIt {version} compares distance differences after truncating them to "
                         f"integers (C's int abs(), MatchIt issue #163, fixed in 4.5.4). Matching on the logit with "
                         f"caliper{cal_s}, it rejects a pair only when the logit difference is {floor_} or more.")
    if m.compat == "4.5.1" and a is not None and K.matching(Quantity.PAIRS) in a:
        documented = _documented_pairs(cohort, spec)
        if documented is not None:
            notes.append(f"This run matched {len(a[K.matching(Quantity.PAIRS)])} pairs. The documented algorithm "
                         f"(MatchIt 4.5.4 and later: caliper honoured on the true distance; pyimpl with compat=None) "
                         f"matches {documented} pairs with the same settings.")
    pub = spec.published_by_key
    n_keys = [K.matching(Quantity.N, arm=arm) for arm in spec.arms.order]
    if a is not None and all(k in pub for k in n_keys) and all(k in a for k in n_keys):
        here = " + ".join(str(a[k]) for k in n_keys)
        paper = " + ".join(pub[k] for k in n_keys)
        notes.append(f"The paper reports {paper} matched patients, from MatchIt under R 3.4.3 with its caliper and "
                     f"matching order unreported; this run, with the spec's settings, gives {here}.")
    if a is not None and any(k.step is Step.PUBLISHED_AUDIT for k in a.keys()):
        v = table1_test_verdicts(spec, a)
        matches = {t: v[t].count(PublishedVerdict.MATCHES) for t in v}
        best = max(v, key=lambda t: (matches[t], v[t].count(PublishedVerdict.LAST_DIGIT)))
        chosen = Table1Test(spec.table1.test)
        parts = [f"{TEST_SHORT_NAMES[t]}: {matches[t]} of {v[t].n}" for t in v]
        line = ("The published Table 1 p-values, recomputed from the published counts: " + "; ".join(parts)
                + " reproduced at the printed precision.")
        if best is not chosen and matches[best] > matches[chosen]:
            line += (f" The paper's p-values are those of {TEST_NAMES[best]}, not of the test the spec names "
                     f"({TEST_NAMES[chosen]}).")
        notes.append(line)
    notes.extend(paper_selection_check(spec))
    return notes


def _versions(r: StudyResult) -> tuple[dict, int, list[str]]:
    import numpy
    import pandas
    import scipy

    import rparity

    if r.provenance:
        first = {k: v for k, v in r.provenance[0].items() if k not in ("call", "placeholders")}
        calls = [str(p.get("call", "")) for p in r.provenance]
        return first, len(calls), sorted(set(calls))
    return ({"rparity": rparity.__version__, "numpy": numpy.__version__, "scipy": scipy.__version__,
             "pandas": pandas.__version__}, 0, [])


def _provenance(spec: StudySpec, cohort: Cohort, results: Sequence[StudyResult], command: str) -> dict:
    import rparity

    engines = []
    for r in results:
        versions, n, calls = _versions(r)
        engines.append({"name": r.engine, "versions": versions, "calls": n, "call_list": calls})
    return {
        "rparity_version": rparity.__version__,
        "python": platform.python_version(),
        "created": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
        "command": command,
        "input": {"path": cohort.source, "sha256": cohort.sha256, "rows": len(cohort)},
        "spec": {"path": spec.source_path or "<string>", "sha256": spec.sha256},
        "seed": spec.seed,
        "engines": engines,
    }


def _write_all_atomic(files: Sequence[tuple[Path, str]]) -> None:
    """Write every file to a temporary file beside it, then move them all into
    place (``os.replace``): on any failure before the moves (a full disk,
    Ctrl-C) the temporary files are removed and the previous files, if any,
    are untouched."""
    tmps: list[str] = []
    try:
        for path, text in files:
            fd, tmp = tempfile.mkstemp(dir=str(path.parent), prefix=f".{path.name}.", suffix=".tmp")
            tmps.append(tmp)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a report is an ordinary file
        for (path, _), tmp in zip(files, tmps):
            os.replace(tmp, path)
    finally:
        for tmp in tmps:
            if os.path.exists(tmp):
                os.unlink(tmp)


def run_study_files(cohort_path: str | Path, spec: str | Path | StudySpec, engines: Sequence[str], *,
                    out_dir: str | Path | None = None, notices: Sequence[str] = (), command: str | None = None,
                    matchit_versions: Sequence[str] = (), seeds: int = 500, workers: int | None = None,
                    sweep: bool = True, profile: str | None = None) -> StudyRun:
    """Validate, run in each engine, compare, and (with ``out_dir``) write the report and JSON.
    With ``matchit_versions``, also the MatchIt version matrix (:mod:`.versions`); with ``profile``
    (``--profile``, overriding the spec's ``[study] profile``), another package's conventions."""
    names = check_engines(engines)
    if out_dir is not None:
        check_out_dir(out_dir)
    if seeds < 1:
        raise StudyInputError(f"`--seeds` must be at least 1; got {seeds}")
    if workers is not None and workers < 1:
        raise StudyInputError(f"`--workers` must be at least 1; got {workers}")
    spec_obj = spec if isinstance(spec, StudySpec) else load_spec(spec)
    if profile is not None:
        from .profile_spss import with_profile

        spec_obj = with_profile(spec_obj, profile)
    cohort = load_cohort(cohort_path, spec_obj)
    results, skipped = run_engines(cohort, spec_obj, names)
    if not results:
        raise StudyInputError("no engine could run: " + "; ".join(f"{n}: {w}" for n, w in skipped))
    notes = list(notices)
    for n, why in skipped:
        notes.append(f"Engine {n!r} did not run: {why}")
    if len(results) == 2:
        parity = compare_results(results[0], results[1], context=classify_context(spec_obj, cohort, results))
    else:
        reason = ("only one engine ran" + (f" ({skipped[0][0]!r} is unavailable: {skipped[0][1]})" if skipped else
                                           " (ask for two with --engines A,B)"))
        parity = not_run((results[0].engine, skipped[0][0] if skipped else "-"), reason)
    command = command if command is not None else "rparity " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    prov = _provenance(spec_obj, cohort, results, command)
    mnotes = methods_notes(spec_obj, cohort, results)
    matrix = None
    if matchit_versions:
        from .versions import run_versions

        matrix = run_versions(cohort, spec_obj, matchit_versions, seeds=seeds, workers=workers, sweep=sweep)
    run = StudyRun(spec=spec_obj, cohort=cohort, results=results, parity=parity, provenance=prov,
                   methods_notes=mnotes, notices=notes, skipped_engines=skipped, versions=matrix)
    if out_dir is not None:
        write_outputs(run, out_dir)
    return run


def check_out_dir(out_dir: str | Path) -> Path:
    """``out_dir`` can be created (or is a directory) and written by this user;
    :class:`StudyInputError` (one line, naming it) otherwise. Nothing is created."""
    from rparity._io import Unwritable, check_writable

    try:
        return check_writable(out_dir, directory=True, what="`--out`")
    except Unwritable as exc:
        raise StudyInputError(str(exc)) from None


def write_outputs(run: StudyRun, out_dir: str | Path) -> StudyRun:
    """Render the report and the JSON in memory, then move both into ``out_dir``."""
    out = check_out_dir(out_dir)
    html = render_html(ReportInputs(spec=run.spec, cohort=run.cohort, results=run.results, parity=run.parity,
                                    provenance=run.provenance, notices=run.notices,
                                    methods_notes=run.methods_notes, versions=run.versions))
    doc = dumps(to_document(run.spec, run.results, run.parity, run.provenance, run.methods_notes,
                            matchit_versions=None if run.versions is None else encode_versions(run.versions)))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StudyInputError(f"`--out`: cannot create directory {str(out)!r}: {exc}") from None
    json_path, html_path = out / JSON_NAME, out / REPORT_NAME
    _write_all_atomic([(json_path, doc), (html_path, html)])
    run.json_path, run.html_path = json_path, html_path
    return run
