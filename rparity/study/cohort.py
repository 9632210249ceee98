"""The cohort: a CSV read against a study spec, validated, and dichotomised.

Every value the pipeline uses is parsed here, once, by Python, so every engine
sees the same 0/1 covariates, times and events. Errors are
:class:`~rparity.study.errors.CohortError` naming the column (and the spec
setting that asked for it), the first offending row (1-based, with the file's
line number and the patient id when the spec declares one), the value, and
how many rows have the same problem.

Missing values are refused rather than dropped: the paper's analysis is
complete-case, and silently dropping rows in one place would change every
number downstream.
"""
from __future__ import annotations

import csv
import hashlib
import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from .errors import CohortError
from .spec import Covariate, StudySpec

__all__ = ["Cohort", "load_cohort", "read_cohort", "dichotomise", "MISSING_TOKENS"]

#: Cell values read as missing.
MISSING_TOKENS = frozenset({"", "NA", "N/A", "NaN", "nan", "NULL", "null", ".", "-"})


@dataclass(frozen=True, eq=False)
class Cohort:
    """A validated cohort.

    ``covariates`` holds the dichotomised covariates (0/1 integers, columns
    named as in the spec, index the patient ids); ``treat`` is 1 for the
    spec's treated arm; ``time[ep]``/``event[ep]`` are per endpoint.
    """

    ids: pd.Index
    arm: np.ndarray
    treat: np.ndarray
    time: Mapping[str, np.ndarray]
    event: Mapping[str, np.ndarray]
    covariates: pd.DataFrame
    source: str = ""
    sha256: str = ""
    raw: pd.DataFrame | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, mask: np.ndarray) -> "Cohort":
        """The rows where ``mask`` is true, in cohort order."""
        m = np.asarray(mask, dtype=bool)
        return Cohort(ids=self.ids[m], arm=self.arm[m], treat=self.treat[m],
                      time={k: v[m] for k, v in self.time.items()},
                      event={k: v[m] for k, v in self.event.items()},
                      covariates=self.covariates.loc[m], source=self.source, sha256=self.sha256,
                      raw=None if self.raw is None else self.raw.loc[m])

    def arm_mask(self, arm: str) -> np.ndarray:
        return self.arm == arm


def _row_ref(i: int, ids: list | None) -> str:
    ref = f"row {i + 1} (line {i + 2})"
    if ids is not None:
        ref += f", id {ids[i]!r}"
    return ref


def _fail(column: str, what: str, setting: str, bad: np.ndarray, values: list, ids: list | None,
          problem: str) -> None:
    idx = np.flatnonzero(bad)
    if idx.size == 0:
        return
    i = int(idx[0])
    more = f"; {idx.size} rows have this problem" if idx.size > 1 else ""
    raise CohortError(f"cohort column `{column}` ({what}, spec `{setting}`): {_row_ref(i, ids)} has "
                      f"{values[i]!r}, {problem}{more}")


def _missing(col: list[str]) -> np.ndarray:
    return np.array([v.strip() in MISSING_TOKENS for v in col], dtype=bool)


def _parse_numbers(col: list[str], column: str, what: str, setting: str, ids: list | None) -> np.ndarray:
    _fail(column, what, setting, _missing(col), col, ids,
          "a missing value (the analysis is complete-case: remove or complete the row)")
    out = np.empty(len(col))
    bad = np.zeros(len(col), dtype=bool)
    for i, v in enumerate(col):
        try:
            x = float(v.strip())
        except ValueError:
            bad[i] = True
            continue
        if not math.isfinite(x):
            bad[i] = True
        out[i] = x
    _fail(column, what, setting, bad, col, ids, "which is not a finite number")
    return out


def dichotomise(cov: Covariate, col: list[str], ids: list | None = None) -> np.ndarray:
    """The 0/1 indicator of ``cov``'s positive level for the raw string values ``col``."""
    what = f"covariate {cov.name!r}"
    setting = f"covariates.{cov.name}.column"
    if cov.numeric:
        x = _parse_numbers(col, cov.column, what, setting, ids)
        op = {">=": np.greater_equal, ">": np.greater, "<=": np.less_equal, "<": np.less}[cov.direction]
        return op(x, cov.cut).astype(np.int64)
    _fail(cov.column, what, setting, _missing(col), col, ids,
          "a missing value (the analysis is complete-case: remove or complete the row)")
    vals = [v.strip() for v in col]
    pos, neg = set(cov.positive_values), set(cov.negative_values)
    bad = np.array([v not in pos and v not in neg for v in vals], dtype=bool)
    allowed = ", ".join(repr(v) for v in (*cov.positive_values, *cov.negative_values))
    _fail(cov.column, what, f"covariates.{cov.name}.positive_values/negative_values", bad, vals, ids,
          f"which is not one of the values the spec dichotomises ({allowed})")
    return np.array([v in pos for v in vals], dtype=np.int64)


def read_cohort(text: str | bytes, spec: StudySpec, *, source: str = "<cohort>") -> Cohort:
    """Validate the CSV ``text`` against ``spec``."""
    data = text.encode() if isinstance(text, str) else text
    digest = hashlib.sha256(data).hexdigest()
    try:
        raw = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_filter=False,
                          skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise CohortError(f"cohort file {source!r} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise CohortError(f"cohort file {source!r} is not a readable CSV: {str(exc).strip()}") from None
    # pandas renames a repeated header ("t", "t.1"): check the header as written
    header = next(csv.reader(io.StringIO(data.decode("utf-8", errors="replace").splitlines()[0])), [])
    header = [h.strip() for h in header]
    dups = sorted({c for c in header if header.count(c) > 1})
    if dups:
        raise CohortError(f"cohort file {source!r} has column {dups[0]!r} more than once")
    raw.columns = [str(c).strip() for c in raw.columns]

    needed: dict[str, str] = {}
    if spec.id_column:
        needed.setdefault(spec.id_column, "cohort.id")
    needed.setdefault(spec.arms.column, "arms.column")
    for ep in spec.all_endpoints():
        e = spec.endpoints[ep]
        needed.setdefault(e.time, f"endpoints.{ep}.time")
        needed.setdefault(e.event, f"endpoints.{ep}.event")
    for c in spec.covariates:
        needed.setdefault(c.column, f"covariates.{c.name}.column")
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        listed = ", ".join(f"`{c}` (spec `{needed[c]}`)" for c in missing)
        raise CohortError(f"cohort file {source!r} is missing column{'s' if len(missing) > 1 else ''} {listed}; "
                          f"its columns are: {', '.join(raw.columns)}")
    if len(raw) == 0:
        raise CohortError(f"cohort file {source!r} has a header but no rows")

    ids = None
    if spec.id_column:
        ids = [v.strip() for v in raw[spec.id_column].tolist()]
        _fail(spec.id_column, "patient id", "cohort.id", _missing(ids), ids, None, "a missing id")
        seen: dict[str, int] = {}
        for i, v in enumerate(ids):
            if v in seen:
                raise CohortError(f"cohort column `{spec.id_column}` (patient id, spec `cohort.id`): "
                                  f"{_row_ref(i, None)} repeats id {v!r} of row {seen[v] + 1}")
            seen[v] = i
        index = pd.Index(ids, name=spec.id_column)
    else:
        index = pd.Index([f"row{i + 1}" for i in range(len(raw))], name="row")

    arms = spec.arms
    arm = np.array([v.strip() for v in raw[arms.column].tolist()], dtype=object)
    bad = np.array([a not in (arms.treated, arms.reference) for a in arm], dtype=bool)
    _fail(arms.column, "treatment arm", "arms.column", bad, list(arm), ids,
          f"an arm label that is not in the spec (arms.treated={arms.treated!r}, "
          f"arms.reference={arms.reference!r})")
    for a, key in ((arms.treated, "arms.treated"), (arms.reference, "arms.reference")):
        if not (arm == a).any():
            raise CohortError(f"cohort column `{arms.column}` has no patient in arm {a!r} (spec `{key}`): "
                              f"both arms need patients")

    times, events = {}, {}
    for ep in spec.all_endpoints():
        e = spec.endpoints[ep]
        col = raw[e.time].tolist()
        t = _parse_numbers(col, e.time, f"time of endpoint {ep!r}", f"endpoints.{ep}.time", ids)
        _fail(e.time, f"time of endpoint {ep!r}", f"endpoints.{ep}.time", t < 0, col, ids,
              "a negative time")
        ecol = raw[e.event].tolist()
        ev = _parse_numbers(ecol, e.event, f"event indicator of endpoint {ep!r}", f"endpoints.{ep}.event", ids)
        _fail(e.event, f"event indicator of endpoint {ep!r}", f"endpoints.{ep}.event", (ev != 0) & (ev != 1),
              ecol, ids, "which is not 0 (censored) or 1 (event)")
        times[ep], events[ep] = t, ev.astype(np.int64)

    cov = pd.DataFrame({c.name: dichotomise(c, raw[c.column].tolist(), ids) for c in spec.covariates},
                       index=index)
    treat = (arm == arms.treated).astype(np.int64)
    return Cohort(ids=index, arm=arm, treat=treat, time=times, event=events, covariates=cov, source=source,
                  sha256=digest, raw=raw.set_axis(index, axis=0))


def load_cohort(path: str | Path, spec: StudySpec) -> Cohort:
    """Read the cohort CSV at ``path`` and validate it against ``spec``."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise CohortError(f"cohort file {str(p)!r} does not exist") from None
    except OSError as exc:
        raise CohortError(f"cohort file {str(p)!r} cannot be read: {exc}") from None
    return read_cohort(data, spec, source=str(p))
