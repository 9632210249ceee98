"""Drafting survival comparisons (``[[tables.survival]]``) from the text and the tables.

Contract
--------
Input: the "A vs. B" landmark statements :mod:`.draft_text` drafted
(:class:`~.draft_text.Comparison`, repeats already dropped), the paper's
sentences and arm groups, and the column groups of the ratio tables
(:class:`~.draft_tables.RatioGroup`).

Output: a ``[[tables.survival]]`` entry appended to the table of each statement
that has a P in its own parenthesis ("(OS: 1-year, 80.0% vs. 59.3%; ...; P <
0.001)") or medians stated for its endpoint and arms:

* ``logrank_p``: that P (GUESS: read as the log-rank p of the comparison);
* ``landmarks``: the statement's values as ``{time, percents}`` in the order of
  the entry's arms, times as numbers: "1-year" is 12 with ``time_unit =
  "months"`` when the paper's medians (else its follow-up, else its other
  landmarks) are in months, else 1 with ``"years"`` (GUESS);
* ``medians``: "the median OS was 24 months in the X group", "median OS of 19.2
  months (95% CI = 17.0–23.7)", "the X group did not reach the median OS",
  "median OS was not reached" (GUESS: which comparison they belong to, before or
  after PSM, by the words of their sentence);
* ``hr`` and ``hr_p``: the univariate HR of the treatment variable in a ratio
  table's column group of the same cohort (GUESS: direction and unadjusted),
  only when the row label clearly names the treatment variable or both arms;
  otherwise no ``hr`` and a comment says why.

``own_entries = false`` always: the statement's landmark entries stay as
drafted (their labels and times are what the audit of the hand transcription
keys on), and the HR is already a ratio entry of its table, so nothing is
audited twice and the draft's other findings do not change.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .draft_cells import NUM
from .draft_tables import ArmGroup, RatioGroup
from .draft_text import (
    _EP,
    _EP_KEYS,
    ArmContext,
    Comparison,
    Sentence,
    TextFound,
    _keywords,
    arm_positions,
    endpoint_key,
)
from .draft_toml import DraftEntry, Field, Skip, excerpt

__all__ = ["add_survival", "find_medians", "MedianStmt"]


def _endpoints_named(text: str) -> set[str]:
    return {key for key, pat in _EP_KEYS if re.search(pat, text, re.I)}


# ----------------------------------------------------------------------------
# Medians stated in the text
# ----------------------------------------------------------------------------

_SEP = r"\s*(?:[-–—‒−]|\bto\b|,)\s*"
_TIME_U = r"(?P<u>months?|years?|mo|yrs?)\b"
_MED_HEAD = re.compile(rf"\bmedian\s+(?P<ep>{_EP})\b(?:\s*\([A-Z]{{2,4}}\))?(?:\s+(?:time|duration))?", re.I)
_MED_LEAD = re.compile(r"\s*(?:(?:was|were|is|of|reached|:|=|,)\s*)*")
_BOUND = r"\d+(?:\.\d+)?|NR|not\s+reached"
_MED_ITEM = re.compile(
    rf"(?P<v>{NUM})\s*{_TIME_U}(?:\s*[(\[]\s*(?:95\s*%\s*(?:CI|confidence\s+interval)\s*[=:,]?\s*)?"
    rf"(?P<lo>{_BOUND}){_SEP}(?P<hi>{_BOUND})\s*[)\]])?"
    r"|(?P<nr>not\s+(?:yet\s+)?(?:been\s+)?reached|\bNR\b)", re.I)
_MED_NOT_REACHED = re.compile(
    rf"\b(?:did\s+not|didn['’]t|has\s+not|had\s+not|have\s+not|not)\s+(?:yet\s+)?reach(?:ed)?\s+"
    rf"(?:the\s+|its\s+|their\s+|a\s+)?median\s+(?P<ep>{_EP})\b", re.I)
_MED_JOIN = re.compile(r"\b(?:and|vs\.?|versus|compared\s+with|while|whereas)\b|,", re.I)
_FOLLOW_UP = re.compile(rf"follow[\s-]*up\b[^.;]{{0,40}}?\b{NUM}\s*{_TIME_U}", re.I)


@dataclass(frozen=True)
class MedianStmt:
    """One arm's median as stated: ``value`` as the survival entry's ``medians``
    takes it ("24", "19.2 (17.0–23.7)", "NR"), ``unit`` "months"/"years" (None
    for not reached), the arm (index in the first group's arms), where."""

    endpoint: str  # endpoint_key
    arm: int
    value: str
    unit: str | None
    line: int
    text: str  # the clause, for the GUESS
    group: ArmGroup
    group_why: str | None


def _unit(u: str | None) -> str | None:
    if not u:
        return None
    return "years" if u.lower().startswith("y") else "months"


def _one_arm(text: str, arms: tuple[str, ...]) -> int | None:
    pos = arm_positions(text, arms)
    return pos[0][1] if len(pos) == 1 else None


def find_medians(sents: list[Sentence], ctx: ArmContext) -> tuple[list[MedianStmt], list[Skip]]:
    """The medians the text states for the arms of the first group, clause by
    clause (a sentence split at ';'); a value whose arm cannot be told is skipped."""
    out: list[MedianStmt] = []
    skips: list[Skip] = []
    if not ctx.groups:
        return out, skips
    arms = ctx.groups[0].arms
    for s in sents:
        g, _ = ctx.group_for(s.text)
        if len(ctx.groups) == 1:
            g_why: str | None = f"the only arm group ({g.table_id}, n = {list(g.n)})"
        elif g.label and re.search(re.escape(g.label), s.text, re.I):
            g_why = f"the sentence says '{g.label}'"
        else:
            others = [x.label for x in ctx.groups if x.label]
            g_why = ("the sentence names no cohort" + (f" ({' / '.join(others)})" if others else "")
                     + f": the whole cohort assumed ({g.table_id}, n = {list(g.n)})")
        start = 0
        for clause in s.text.split(";"):
            base, start = start, start + len(clause) + 1
            found: list[tuple[int, str, int | None, str, str | None]] = []  # (offset, ep, arm, value, unit)
            for h in _MED_HEAD.finditer(clause):
                lead = _MED_LEAD.match(clause, h.end())
                pos = lead.end() if lead else h.end()
                items = []
                m = _MED_ITEM.match(clause, pos)
                while m is not None:
                    items.append(m)
                    nxt = _MED_ITEM.search(clause, m.end())
                    if nxt is None:
                        break
                    gap = clause[m.end(): nxt.start()]
                    if len(gap) > 60 or not _MED_JOIN.search(gap) or "median" in gap.lower():
                        break
                    m = nxt
                for i, it in enumerate(items):
                    after_end = items[i + 1].start() if i + 1 < len(items) else min(len(clause), it.end() + 60)
                    after = clause[it.end(): after_end]
                    arm = None
                    if re.match(r"\s*(?:in|with|for|among|of)\b", after, re.I):
                        arm = _one_arm(after, arms)
                    if arm is None and len(items) == 1:
                        arm = _one_arm(clause, arms)
                    if it.group("nr"):
                        value, unit = "NR", None
                    else:
                        value, unit = it.group("v"), _unit(it.group("u"))
                        if it.group("lo"):
                            value += f" ({_nr(it.group('lo'))}–{_nr(it.group('hi'))})"
                    found.append((it.start(), h.group("ep"), arm, value, unit))
            for h in _MED_NOT_REACHED.finditer(clause):
                arm = _one_arm(clause[: h.start()], arms)
                if arm is None:
                    arm = _one_arm(clause, arms)
                found.append((h.start(), h.group("ep"), arm, "NR", None))
            for off, ep, arm, value, unit in found:
                line = s.block.line_at(s.start + base + off)
                if arm is None:
                    skips.append(Skip(line, clause.strip(), f"a median {ep} ({value}) of no single arm of "
                                      f"{list(arms)}: not drafted"))
                    continue
                out.append(MedianStmt(endpoint_key(ep), arm, value, unit, line, clause.strip(), g, g_why))
    return out, skips


def _nr(tok: str) -> str:
    return "NR" if re.match(r"not", tok, re.I) else tok


# ----------------------------------------------------------------------------
# The P of the statement
# ----------------------------------------------------------------------------

_P = re.compile(r"(?:log[\s-]*rank\s+(?:test\s+)?)?(?P<p>[Pp]\s*(?:[=<>≤≥]|&lt;)\s*\d*\.\d+)")
_NOT_LOGRANK = re.compile(r"\b(?:a?HR|hazard|CI|confidence|OR|odds|Cox|Wald)\b")


def _statement_p(c: Comparison) -> tuple[str | None, str | None]:
    """The P printed in the statement's parenthesis after its values (or, outside
    any parenthesis, after them in the sentence); with a note when a P there
    belongs to an HR."""
    text = c.sentence.text
    a, b = c.span
    depth, inside = 0, False
    for i in range(a - 1, -1, -1):  # an unclosed "(" before the statement: it is inside a parenthesis
        if text[i] == ")":
            depth += 1
        elif text[i] == "(":
            if depth == 0:
                inside = True
                break
            depth -= 1
    end, depth = len(text), 0
    for i in range(b, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            if depth == 0 and inside:
                end = i
                break
            depth = max(0, depth - 1)
    seg = text[b:end]
    m = _P.search(seg)
    if m is None:
        return None, None
    before = seg[: m.start()]
    if _NOT_LOGRANK.search(before) or re.search(r"%", before) or len(before) > 40:
        return None, (f"'{m.group('p')}' after the statement follows '{excerpt(before.strip(), 40)}': not read "
                      "as the log-rank p (an HR's p?); add logrank_p if it is")
    return m.group("p").replace("&lt;", "<"), None


# ----------------------------------------------------------------------------
# The HR of the comparison from a ratio table
# ----------------------------------------------------------------------------

_UNI = re.compile(r"univariat|univariabl|unadjusted|crude", re.I)
_MULTI = re.compile(r"multivariat|multivariabl|\badjusted", re.I)
# words that name the treatment variable by themselves, and words that do only beside an arm's name
# ("Group, immuno"; not "Age group")
_TREATMENT_VAR = re.compile(r"\b(?:treatment|allocation|randomi[sz]ation|randomi[sz]ed|intervention|assignment)\b",
                            re.I)
_GROUP_WORD = re.compile(r"\b(?:group|arm|cohort)\b", re.I)


def _univariate(rg: RatioGroup) -> bool:
    if _UNI.search(rg.group):
        return True
    if _MULTI.search(rg.group):
        return False
    return bool(_UNI.search(rg.caption)) and not _MULTI.search(rg.caption)


def _arms_in_row(row: str, arms: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """(position, arm, word) of the arms a row label names, by a word that is an
    arm's keyword or its abbreviation ("immuno" for "Immunotherapy ..."), first
    mention each, in order."""
    hits: dict[int, tuple[int, str]] = {}
    for m in re.finditer(r"[A-Za-z][A-Za-z-]{3,}", row):
        tok = m.group(0).lower()
        owners = {i for i, a in enumerate(arms) for kw in _keywords(a) if kw.startswith(tok) or tok.startswith(kw)}
        if len(owners) == 1:
            i = owners.pop()
            hits.setdefault(i, (m.start(), m.group(0)))
    return sorted((p, i, w) for i, (p, w) in hits.items())


def _treatment_row(row: str, arms: tuple[str, ...]) -> tuple[bool, int | None, str]:
    """Is ``row`` clearly the treatment variable? (yes, the arm its HR is of, why)."""
    named = _arms_in_row(row, arms)
    var = _TREATMENT_VAR.search(row) or (_GROUP_WORD.search(row) if named else None)
    if len(named) == 2:
        return True, named[0][1], f"'{named[0][2]}' named before '{named[1][2]}' in the row label"
    if var and len(named) == 1:
        return True, named[0][1], f"the row names '{named[0][2]}' ({arms[named[0][1]]}) with '{var.group(0)}'"
    if var:
        return True, None, f"the row names '{var.group(0)}' but no arm: the direction is not printed"
    return False, None, ""


@dataclass(frozen=True)
class _HR:
    printed: str
    p: str | None
    conf_level: str | None
    arm: int | None  # the arm whose HR it is (arms[0]); None when the row does not say
    why: str


def _find_hr(c: Comparison, ratio_groups: list[RatioGroup], groups: list[ArmGroup]) -> tuple[_HR | None, str]:
    labels = [g.label.lower() for g in groups if g.label]
    own = c.group.label.lower()
    ep = endpoint_key(c.endpoint)
    cands: list[tuple[RatioGroup, str]] = []
    for rg in ratio_groups:
        if rg.table.get("measure") != "HR" or not _univariate(rg):
            continue
        named = _endpoints_named(rg.caption + " " + rg.group)
        if named and ep not in named:
            continue
        # the cohort: the column group's words ("Before PSM, Univariate"), else the caption's when it
        # names one cohort only; a table that names none is read as the whole cohort (the first group)
        in_group = {lab for lab in labels if lab in rg.group.lower()}
        in_caption = {lab for lab in labels if lab in rg.caption.lower()}
        if in_group:
            if in_group == {own}:
                cands.append((rg, f"its column group '{rg.group}' names '{c.group.label}'"))
        elif len(in_caption) == 1:
            if in_caption == {own}:
                cands.append((rg, f"its caption names '{c.group.label}'"))
        elif not in_caption and (not own or (groups and c.group is groups[0])):
            cands.append((rg, "the ratio table names no cohort: the whole cohort assumed" if own else "univariate"))
    if not cands:
        return None, ("no univariate HR column of the same cohort"
                      + (f" ('{c.group.label}')" if c.group.label else "") + " in a ratio table")
    rows = []
    for rg, why in cands:
        for e in rg.table.entries:
            row = str(e.get("row") or "")
            ok, arm, rwhy = _treatment_row(row, c.group.arms)
            if e.kind == "ratio" and ok:
                rows.append((rg, why, e, row, arm, rwhy))
    if len(rows) != 1:
        names = ", ".join(f"{rg.label} '{rg.group}'" for rg, _ in cands)
        if not rows:
            return None, (f"no row of {names} clearly names the treatment variable ('treatment', "
                          "'allocation', ...; 'group' or 'arm' with an arm's name; or both arms)")
        return None, "several rows could be the treatment variable: " + "; ".join(
            f"{rg.label} '{row}'" for rg, _, _, row, _, _ in rows)
    rg, why, e, row, arm, rwhy = rows[0]
    printed = e.get("printed")
    if not isinstance(printed, str):
        printed = f"{e.get('estimate')} ({e.get('lower')}–{e.get('upper')})"
    p = e.get("p")
    cl = rg.table.get("conf_level")
    src = re.match(r"line \d+", e.source)
    hr_why = (f"{rg.label}'s univariate HR of '{row}' ({rg.group or 'its only column group'}, "
              f"{src.group(0) if src else 'header line ' + str(rg.line)}) read as the HR of this comparison "
              f"({why}); direction: {rwhy}; check the direction (arms[0] vs arms[1]) and that it is unadjusted")
    return _HR(printed, p if isinstance(p, str) else None, cl if isinstance(cl, str) else None, arm, hr_why), ""


# ----------------------------------------------------------------------------
# Putting a comparison together
# ----------------------------------------------------------------------------


def _paper_unit(meds: list[MedianStmt], sents: list[Sentence], comps: list[Comparison]) -> tuple[str, str]:
    """The time unit of the paper's other times: its medians', else its
    follow-up's, else its landmark statements' when any is in months."""
    for m in meds:
        if m.unit:
            return m.unit, f"the paper's medians are in {m.unit} (line {m.line}: '{excerpt(m.text, 60)}')"
    for s in sents:
        f = _FOLLOW_UP.search(s.text)
        if f:
            u = _unit(f.group("u")) or "months"
            return u, f"the paper's follow-up is in {u} (line {s.line}: '{excerpt(f.group(0), 60)}')"
    for c in comps:
        if any(_unit(u) == "months" for _, u, _, _ in c.pairs):
            return "months", f"the landmarks of line {c.line} are in months"
    return "years", "no median or follow-up in months"


def _num(x: Fraction) -> int | str:
    return int(x) if x.denominator == 1 else str(float(x))


def add_survival(found: TextFound, ratio_groups: list[RatioGroup]) -> None:
    """Draft the survival comparison of each "A vs. B" statement (module docstring)."""
    ctx = found.context
    if ctx is None or not ctx.groups or not found.comparisons:
        return
    meds, skips = find_medians(found.sents, ctx)
    unit, unit_why = _paper_unit(meds, found.sents, found.comparisons)
    assigned: dict[int, dict[int, MedianStmt]] = {}
    notes: dict[int, list[str]] = {}
    for m in meds:
        cands = [c for c in found.comparisons if endpoint_key(c.endpoint) == m.endpoint]
        same = [c for c in cands if c.group.table_id == m.group.table_id]
        pick = same[0] if len(same) == 1 else (cands[0] if len(cands) == 1 else None)
        if pick is None:
            skips.append(Skip(m.line, m.text, f"a median {m.endpoint} of no single drafted comparison "
                              f"'A vs. B ...; P' of {m.endpoint} and these arms: not drafted"))
            continue
        arms_of = assigned.setdefault(id(pick), {})
        have = arms_of.get(m.arm)
        if have is None:
            arms_of[m.arm] = m
        elif have.value != m.value:
            notes.setdefault(id(pick), []).append(
                f"line {m.line} gives the median {m.endpoint} of {pick.group.arms[m.arm]} as {m.value} "
                f"(line {have.line}: {have.value}); the first is drafted")
        elif have.line != m.line:
            notes.setdefault(id(pick), []).append(f"line {m.line} repeats the median of {pick.group.arms[m.arm]} "
                                                  f"(line {have.line})")
    found.skips.extend(skips)
    for c in found.comparisons:
        _draft_one(c, found, ratio_groups, ctx, assigned.get(id(c), {}), notes.get(id(c), []), unit, unit_why)


def _draft_one(c: Comparison, found: TextFound, ratio_groups: list[RatioGroup], ctx: ArmContext,
               meds: dict[int, MedianStmt], notes: list[str], paper_unit: str, unit_why: str) -> None:
    lr, lr_note = _statement_p(c)
    if lr is None and not meds:
        c.table.notes.append("no P in the statement's parenthesis and no median stated: no [[tables.survival]] "
                             "drafted" + (f" ({lr_note})" if lr_note else ""))
        return
    hr, no_hr = _find_hr(c, ratio_groups, ctx.groups)
    first = hr.arm if hr is not None and hr.arm is not None else 0
    arms = (first, 1 - first)
    names = [c.group.arms[i] for i in arms]
    entry_notes = list(notes)
    fields: list[Field] = [
        Field("label", f"{c.endpoint} {c.group.label or 'comparison'}, {names[0]} vs {names[1]}".replace("  ", " ")),
        Field("arms", names)]
    # times: "1-year" -> 12 months when the paper's other times are in months
    units = {_unit(u) for _, u, _, _ in c.pairs}
    tu = "months" if "months" in units or paper_unit == "months" else "years"
    fields.append(Field("time_unit", tu))
    if lr is not None:
        fields.append(Field("logrank_p", lr, guess=(
            f"'{lr}' in the parenthesis of '{excerpt(c.sentence.text[c.span[0]:c.span[1]], 50)}' (line {c.line}) "
            "read as the log-rank p of the comparison; check the methods (log-rank or a Cox p?)")))
    elif lr_note:
        entry_notes.append(lr_note)
    if hr is not None:
        fields.append(Field("hr", hr.printed, guess=hr.why))
        if hr.p is not None:
            fields.append(Field("hr_p", hr.p))
        if hr.conf_level is not None and hr.conf_level != "95":
            fields.append(Field("conf_level", hr.conf_level))
    else:
        entry_notes.append(f"no hr drafted: {no_hr}; add hr = \"...\" (arms[0] vs arms[1]) if the paper gives it")
    _medians_field(meds, arms, names, tu, fields, entry_notes)
    lms: list[dict[str, Any]] = []
    zeros = False
    converted = False
    for t_, u, a, b in c.pairs:
        t = Fraction(t_)
        if _unit(u) == "years" and tu == "months":
            t, converted = t * 12, True
        by_arm = {c.order[0]: a, c.order[1]: b}
        pcts = ["".join(by_arm[i].split()).rstrip("%") for i in arms]  # as printed, "%" left out
        zeros = zeros or "0" in pcts
        lms.append({"time": _num(t), "percents": pcts})
    first_v = c.group.arms[c.order[0]]
    why = (f"values in the order of arms (first value of 'A vs. B' -> {first_v}: {c.order_why}, as for the "
           "landmark entries)")
    if converted:
        why = (f"times in {tu}: '{c.pairs[0][0]}-{c.pairs[0][1]}' read as {lms[0]['time']} {tu} because "
               f"{unit_why}; " + why)
    if zeros:
        why += "; '0' read as 0%"
    fields.append(Field("landmarks", lms, guess=why))
    fields.append(Field("own_entries", False))
    src = c.sentence.text[c.span[0]:]
    entry_notes.insert(0, "the comparison as a whole; own_entries = false: its landmarks are the entries above "
                          + ("and its HR a ratio entry of its table " if hr is not None else "")
                          + "(not audited twice)")
    c.table.entries.append(DraftEntry("survival", fields, f"line {c.line}: {excerpt(src, 70)}", entry_notes))
    c.table.title = c.table.title.replace(" landmarks stated", " landmarks and comparison stated")


def _medians_field(meds: dict[int, MedianStmt], arms: tuple[int, int], names: list[str], tu: str,
                   fields: list[Field], notes: list[str]) -> None:
    if not meds:
        return
    if len(meds) == 1:
        (i, m), = meds.items()
        notes.append(f"only the median of one arm is stated (line {m.line}: {names[arms.index(i)]} {m.value}): "
                     "`medians` needs both arms; not drafted")
        return
    bad = [m for m in meds.values() if m.unit is not None and m.unit != tu]
    if bad:
        notes.append(f"the median of line {bad[0].line} is in {bad[0].unit} but the landmarks in {tu}: "
                     "`medians` not drafted (convert it by hand)")
        return
    ms = [meds[i] for i in arms]
    where = "; ".join(sorted({f"line {m.line}: '{excerpt(m.text, 70)}'" for m in ms}))
    g_why = ms[0].group_why or ""
    why = (f"medians of {where} read as this comparison's ({ms[0].group.table_id}"
           + (f", '{ms[0].group.label}'" if ms[0].group.label else "") + f"): {g_why}"
           + ("; 'did not reach' / 'not reached' read as NR" if any(m.value == "NR" for m in ms) else "")
           + "; check which comparison (cohort) they belong to")
    fields.append(Field("medians", [m.value for m in ms], guess=why))
