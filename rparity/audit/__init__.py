"""Audit of published statistics: are a paper's reported numbers consistent
with themselves?

Auditors often have only the paper. :func:`audit_file` reads a TOML file of
reported statistics (format: ``examples/audit/README.md``) and checks

* contingency rows: the printed p-value against Fisher's exact test, Pearson's
  chi-square with and without Yates' correction and the G test, and the test
  the paper claims (:mod:`.contingency`); per table, whether the p-values come
  from another test than the one claimed (:mod:`.summary`);
* percentages: n (%) against the arm size (GRIM for proportions, :mod:`.percent`);
* ratio estimates (HR, OR, RR) with CI and p: geometric midpoint and the
  Altman-Bland p, with a diagnosis of a mistyped value (:mod:`.ratio`);
* KM landmarks: whether a KM estimate of an arm of N can take the printed value
  (:mod:`.landmark`);
* continuous rows (mean ± SD or SE, median with IQR or range): Student's and
  Welch's t, ANOVA and Welch's ANOVA over the rounding boxes, bounds of the
  rank tests, GRIM/GRIMMER (:mod:`.continuous`, :mod:`.ttest_bounds`,
  :mod:`.ranks`, :mod:`.grim`); SMDs of continuous and categorical rows
  (:mod:`.smd`);
* survival comparisons: log-rank p against the HR and its CI, medians against
  landmarks, the direction of the HR against the curves (:mod:`.survival`).

Claims are read as papers write them ("chi-square", "chisq_or_fisher", "t");
a row whose printed numbers another test than the one claimed reproduces is
``other test``. :mod:`.draft` drafts the TOML from a paper's text
(``rparity audit draft``).

Printed numbers are read as the exact intervals their rounding allows
(:mod:`.printed`); verdicts are ``consistent``, ``inconsistent``, ``other test``,
``cannot tell`` or ``unreadable``.

>>> from rparity.audit import audit
>>> rep = audit({"tables": [{"id": "t", "percent": [{"label": "x", "N": 59, "n": 37, "percent": "62.7"}]}]})
>>> rep.entries[0].verdict.value
'consistent'
"""
from .api import audit, audit_file, check_entry
from .entries import AuditSettings
from .gtest import GTest, g_test
from .landmark import KMSearch, km_search
from .printed import Printed, RInterval, parse_printed
from .results import AuditReport, Check, EntryResult, TableSummary, Verdict

__all__ = [
    "audit",
    "audit_file",
    "check_entry",
    "AuditSettings",
    "AuditReport",
    "EntryResult",
    "TableSummary",
    "Check",
    "Verdict",
    "g_test",
    "GTest",
    "km_search",
    "KMSearch",
    "parse_printed",
    "Printed",
    "RInterval",
]
