"""What a printed table cell is: n (%), a ratio with its CI, a p-value, a summary
of a continuous variable, or something the drafter does not understand.

The patterns only *recognise*; the values are kept as printed (the audit's
reader, :mod:`.reader`, and :mod:`.printed` decide what they mean).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Cell", "classify", "is_p_header", "arm_size", "strip_arm_size", "ratio_measure",
           "DASHES", "NUM"]

NUM = r"\d+(?:\.\d+)?"
DASHES = "-–—‒−"
_SEP = rf"\s*(?:[{DASHES}]|,|;|\bto\b)\s*"

# "37 (62.7)", "37 (62.7%)", "37 (62.7 %)"
_COUNT = re.compile(rf"^(?P<n>\d+)\s*\(\s*(?P<pct>{NUM}\s*%?)\s*\)$")
# "2.845 (2.524–5.311)", "2.845 [2.524, 5.311]"
_RATIO = re.compile(rf"^(?P<est>{NUM})\s*[(\[]\s*(?P<lo>{NUM}){_SEP}(?P<hi>{NUM})\s*[)\]]$")
# a CI alone: "2.524–5.311", "(2.524–5.311)"
_CI = re.compile(rf"^[(\[]?\s*(?P<lo>{NUM}){_SEP}(?P<hi>{NUM})\s*[)\]]?$")
# "0.214", "<0.001", "< .001", "1.000", "P = 0.03", "0.03*" (a footnote mark)
_P = re.compile(r"^(?:[Pp]\s*)?(?P<v>(?:[<>≤≥=]\s*)?(?:0?\.\d+|[01](?:\.0+)?|\d?\.\d+e-?\d+))\s*(?P<mark>[*†‡§¶#]*)$")
# continuous summaries: "55 (23–78)" is caught as a ratio shape; these are the others
_MEAN_SD = re.compile(rf"^{NUM}\s*(?:±|\+/-|\+-)\s*{NUM}$")
_MEDIAN_IQR = re.compile(rf"^{NUM}\s*[(\[]\s*{NUM}\s*[,;{DASHES}]\s*{NUM}\s*[)\]]$")
_NUMBER = re.compile(rf"^[<>≤≥]?\s*{NUM}%?$")
_EMPTY = {"", "-", "–", "—", "NA", "N/A", "n/a", "NR", "..."}
_REFERENCE = re.compile(r"^(?:1(?:\.0+)?\s*)?[(\[]?\s*(?:ref\.?|reference|referent)\s*[)\]]?$", re.I)


@dataclass(frozen=True)
class Cell:
    """A classified cell. ``kind`` is one of ``empty``, ``count`` (``n``,
    ``pct``), ``ratio`` (``est``, ``lo``, ``hi``), ``ci`` (``lo``, ``hi``), ``p``
    (``p``: the value as printed, without a footnote mark), ``number``,
    ``continuous``, ``reference``, ``text``; ``text`` is the cell as printed."""

    kind: str
    text: str
    n: int | None = None
    pct: str | None = None
    est: str | None = None
    lo: str | None = None
    hi: str | None = None
    p: str | None = None


def classify(text: str) -> Cell:
    s = " ".join(text.split())
    if s in _EMPTY:
        return Cell("empty", s)
    m = _COUNT.match(s)
    if m:
        return Cell("count", s, n=int(m.group("n")), pct=m.group("pct").replace(" ", ""))
    m = _RATIO.match(s)
    if m:
        return Cell("ratio", s, est=m.group("est"), lo=m.group("lo"), hi=m.group("hi"))
    m = _P.match(s)
    if m and ("." in m.group("v") or s[:1] in "<>≤≥Pp"):
        return Cell("p", s, p=m.group("v"))
    m = _CI.match(s)
    if m and ("(" in s or "[" in s or any(d in s for d in DASHES)):
        return Cell("ci", s, lo=m.group("lo"), hi=m.group("hi"))
    if _REFERENCE.match(s):
        return Cell("reference", s)
    if _MEAN_SD.match(s) or _MEDIAN_IQR.match(s):
        return Cell("continuous", s)
    if _NUMBER.match(s):
        return Cell("number", s)
    return Cell("text", s)


_P_HEADER = re.compile(r"(?:^|[\s(])(?:p|P)(?:\s*[-‐ ]?\s*(?:value|val\.?)s?)?\s*(?:[a-z†‡§*]\b)?\s*$|"
                       r"^p\b|\bp[- ]?values?\b|^sig", re.I)


def is_p_header(text: str) -> bool:
    """A column header that names p-values: "P", "P-value", "p value", "P*"."""
    s = text.strip()
    return bool(s) and bool(_P_HEADER.search(s)) and len(s) <= 30


_ARM_SIZE = re.compile(r"[(\[]?\s*\b[nN]\s*=\s*(\d+)\s*[)\]]?")


def arm_size(text: str) -> int | None:
    """The arm size printed in a header: "(n = 59)", "n=59", "N = 59"."""
    m = _ARM_SIZE.search(text)
    return int(m.group(1)) if m else None


def strip_arm_size(text: str) -> str:
    s = _ARM_SIZE.sub("", text)
    return " ".join(s.replace("()", "").split()).strip(" ,;:")


_MEASURES = (("HR", r"\bHR\b|hazard ratio"), ("OR", r"\bOR\b|odds ratio"), ("RR", r"\bRR\b|relative risk|risk ratio"))


def ratio_measure(text: str) -> str | None:
    """HR / OR / RR named in a header or caption, if exactly one is."""
    found = [name for name, pat in _MEASURES if re.search(pat, text, re.I if name != "OR" else 0)]
    return found[0] if len(found) == 1 else None
