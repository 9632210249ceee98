"""Printed cells of a continuous row: "54.2 ± 10.1", "54.2 (10.1)", "55 (48–61)".

One cell per arm, as printed. The forms read:

* ``"54.2 ± 10.1"``, ``"54.2±10.1"``, ``"54.2 +/- 10.1"``: a mean and its SD
  (or SE with ``summary = "mean_se"``);
* ``"54.2 (10.1)"``, ``"54.2 [10.1]"``: the same;
* ``"55 (48–61)"``, ``"55 (48-61)"``, ``"55 [48, 61]"``, ``"55 (48 to 61)"``:
  a median and two quantiles, the IQR (``summary = "median_iqr"``) or the range
  (``summary = "median_range"``). Which one is not visible in the cell, so it
  must be given;
* ``"54.2"``: a mean alone (checkable only by GRIM).

Every number is read by :func:`.printed.parse_printed` as the interval its
rounding allows; inequalities ("<0.1") are refused inside a cell. Cells that
look like another kind of row are refused with the reason: ``"12 (4.5%)"`` and
``"4.5% (12)"`` (n (%) of a categorical row), ``"12/45"`` (a count n/N).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .printed import AuditInputError, Printed, UnreadableValue, parse_printed

__all__ = ["Cell", "SUMMARIES", "MEAN_SUMMARIES", "MEDIAN_SUMMARIES", "parse_cell", "row_summary"]

MEAN_SUMMARIES = ("mean_sd", "mean_se")
MEDIAN_SUMMARIES = ("median_iqr", "median_range")
SUMMARIES = (*MEAN_SUMMARIES, *MEDIAN_SUMMARIES)

_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_PM = re.compile(rf"^(?P<c>{_NUM})\s*(?:±|\+/-|\+-)\s*(?P<a>{_NUM})$")
_ONE = re.compile(rf"^(?P<c>{_NUM})\s*[(\[]\s*(?P<a>{_NUM})\s*[)\]]$")
_TWO = re.compile(rf"^(?P<c>{_NUM})\s*[(\[]\s*(?P<a>{_NUM})\s*(?:–|—|‒|-|,|;|\bto\b)\s*(?P<b>{_NUM})\s*[)\]]$")
_BARE = re.compile(rf"^(?P<c>{_NUM})$")


@dataclass(frozen=True)
class Cell:
    """One printed cell.

    ``form`` is ``"pm"`` (mean ± spread), ``"one"`` (centre (spread)), ``"two"``
    (centre (a–b)) or ``"bare"``; ``center`` the mean or median, ``a`` the SD/SE
    or the lower quantile, ``b`` the upper quantile (``"two"`` only).
    """

    text: str
    form: str
    center: Printed
    a: Printed | None = None
    b: Printed | None = None


def _normalise(s: str) -> str:
    return (s.strip().replace("\u2212", "-").replace("\u00a0", " ").replace("\u2009", " ")
            .replace("\u202f", " "))


def _num(txt: str, name: str, what: str) -> Printed:
    pr = parse_printed(txt, f"{name} ({what})")
    if pr.relation != "=":
        raise UnreadableValue(f"`{name}`: the {what} must be a printed value, not an inequality; got {txt!r}")
    return pr


def parse_cell(text: object, name: str) -> Cell:
    """Read one printed cell (module docstring); AuditInputError naming ``name`` otherwise."""
    if not isinstance(text, str):
        raise AuditInputError(f"`{name}` must be the printed cell as a string, e.g. \"54.2 ± 10.1\"; "
                              f"got {name}={text!r}")
    s = _normalise(text)
    if "%" in s:
        raise AuditInputError(f"`{name}` looks like a count with a percentage (n (%)), not a continuous "
                              f"summary: put it in [[tables.contingency]]; got {name}={text!r}")
    if "/" in s.replace("+/-", ""):
        raise AuditInputError(f"`{name}` looks like a count n/N, not a continuous summary; got {name}={text!r}")
    if "," in s and not re.search(r"[(\[].*,.*[)\]]", s):
        raise AuditInputError(f"`{name}` must not contain a comma outside brackets (thousands separator or "
                              f"decimal comma?); got {name}={text!r}")
    for rx, form in ((_PM, "pm"), (_ONE, "one"), (_TWO, "two"), (_BARE, "bare")):
        m = rx.match(s)
        if m is None:
            continue
        c = _num(m.group("c"), name, "centre")
        a = _num(m.group("a"), name, "spread" if form in ("pm", "one") else "lower quantile") \
            if form != "bare" else None
        b = _num(m.group("b"), name, "upper quantile") if form == "two" else None
        if form in ("pm", "one") and a is not None and a.value < 0:
            raise AuditInputError(f"`{name}`: a standard deviation or error cannot be negative; got {name}={text!r}")
        return Cell(text=text, form=form, center=c, a=a, b=b)
    raise AuditInputError(
        f"`{name}` must be a printed summary such as \"54.2 ± 10.1\", \"54.2 (10.1)\", \"55 (48–61)\" or "
        f"\"55 [48, 61]\"; got {name}={text!r}")


def row_summary(cells: tuple[Cell, ...], summary: str | None) -> str:
    """The row's summary kind from its cells and the optional ``summary`` field.

    ``±`` and one bracketed number are a mean and SD unless ``summary =
    "mean_se"``; two bracketed numbers need ``summary`` (IQR or range cannot be
    told apart); a bare number is a mean.
    """
    forms = {c.form for c in cells}
    if "two" in forms and forms != {"two"}:
        raise AuditInputError("every cell of a row must have the same form; got "
                              + ", ".join(repr(c.text) for c in cells))
    if summary is not None and summary not in SUMMARIES:
        raise AuditInputError(f"`summary` must be one of {', '.join(SUMMARIES)}; got summary={summary!r}")
    if forms == {"two"}:
        if summary is None:
            raise AuditInputError("a cell such as " + repr(cells[0].text) + " is a median with its IQR or "
                                  "its range: say which with summary = \"median_iqr\" or \"median_range\"")
        if summary not in MEDIAN_SUMMARIES:
            raise AuditInputError(f"`summary` = {summary!r} needs cells \"mean ± SD\" or \"mean (SD)\"; got "
                                  f"{cells[0].text!r}, a median with two quantiles")
        return summary
    if summary in MEDIAN_SUMMARIES:
        raise AuditInputError(f"`summary` = {summary!r} needs cells \"median (q1–q3)\"; got {cells[0].text!r}")
    return summary or "mean_sd"
