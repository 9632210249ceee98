"""The study pipeline: reproduce an observational study's methods in every engine.

An auditor receives a cohort and a methods section; the study spec (TOML,
:mod:`~rparity.study.spec`) states the methods, the cohort CSV is validated and
dichotomised against it (:mod:`~rparity.study.cohort`), the pipeline
(:mod:`~rparity.study.pipeline`) runs Table 1, propensity-score matching,
Kaplan-Meier, Cox models and subgroups in each engine through the contract
functions only, recording typed values under typed keys
(:mod:`~rparity.study.keys`, :mod:`~rparity.study.result`), every number is
compared across engines key by key (:mod:`~rparity.study.parity`), and the
report (:mod:`~rparity.study.report`) and the versioned JSON document
(:mod:`~rparity.study.document`, format ``rparity-study`` version 2) are
written.

Command line: ``rparity study COHORT.csv --spec SPEC.toml --engines pyimpl,r``
and ``rparity demo`` (:mod:`~rparity.study.cli`).
"""
from .cohort import Cohort, load_cohort, read_cohort
from .document import StudyDocument, loads, read_document
from .errors import CohortError, SpecError, StudyFormatError, StudyInputError
from .keys import Level, Model, Quantity, Sample, Step, StepId, StudyKey, Table1Test
from .parity import NumberDiff, StudyParity, compare_results
from .pipeline import run_study
from .result import Source, StepState, StepStatus, StudyResult, StudyValue
from .run import StudyRun, run_study_files
from .spec import StudySpec, bundled_spec_path, load_spec, parse_spec

__all__ = ["StudySpec", "load_spec", "parse_spec", "bundled_spec_path", "Cohort", "load_cohort", "read_cohort",
           "run_study", "StudyResult", "StudyValue", "Source", "StepState", "StepStatus", "StudyKey", "StepId",
           "Step", "Sample", "Model", "Level", "Table1Test", "Quantity", "compare_results", "StudyParity",
           "NumberDiff", "run_study_files", "StudyRun", "StudyDocument", "loads", "read_document",
           "StudyInputError", "SpecError", "CohortError", "StudyFormatError"]
