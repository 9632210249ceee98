"""The study pipeline: reproduce an observational study's methods in every engine.

An auditor receives a cohort and a methods section; the study spec (TOML,
:mod:`~rparity.study.spec`) states the methods, the cohort CSV is validated and
dichotomised against it (:mod:`~rparity.study.cohort`), the pipeline
(:mod:`~rparity.study.pipeline`) runs Table 1, propensity-score matching,
Kaplan-Meier, Cox models and subgroups in each engine through the contract
functions only, every number is compared across engines
(:mod:`~rparity.study.parity`), and the report (:mod:`~rparity.study.report`)
and JSON (:mod:`~rparity.study.json_out`) are written.

Command line: ``rparity study COHORT.csv --spec SPEC.toml --engines pyimpl,r``
and ``rparity demo`` (:mod:`~rparity.study.cli`).
"""
from .cohort import Cohort, load_cohort, read_cohort
from .errors import CohortError, SpecError, StudyInputError
from .parity import StudyParity, compare_results
from .pipeline import run_study
from .result import StudyResult
from .run import StudyRun, run_study_files
from .spec import StudySpec, bundled_spec_path, load_spec, parse_spec

__all__ = ["StudySpec", "load_spec", "parse_spec", "bundled_spec_path", "Cohort", "load_cohort", "read_cohort",
           "run_study", "StudyResult", "compare_results", "StudyParity", "run_study_files", "StudyRun",
           "StudyInputError", "SpecError", "CohortError"]
