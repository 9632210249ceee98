"""Recognising statistics stated in a paper's running text.

Contract
--------
Input: the paragraphs of :mod:`.draft_read` (reading stops at a "References"
heading) and the arm groups of the tables (:class:`.draft_tables.ArmGroup`).
Output (:class:`TextFound`):

* claimed tests: "categorical data were analyzed using Fisher's exact test"
  -> ``fisher``; "chi-square test" -> ``chi-square`` (Pearson, Yates or G: the
  audit's alias); "chi-square or Fisher's exact test as appropriate" ->
  ``chisq_or_fisher``; "Yates"/"continuity correction" -> ``chisq_yates``;
  "Pearson's chi-square" -> ``chisq``; "likelihood-ratio chi-square" -> ``g``;
* ratios: "HR = 2.177, 95% CI = 1.068–4.439", "(HR = 0.66; 95% CI = 0.52–0.85;
  descriptive P < 0.001)", "hazard ratio (HR) 2.1 (95% CI 1.1–4.0)";
* Kaplan–Meier landmarks: "(OS: 1-year, 80.0% vs. 59.3%; 2-year, ...)" and
  "The 1-, 2-, and 3-year RFS rates ... were 65.0%, 25.0%, and 16.7%, respectively";
* arm sizes "(n = 59)" stated with a name, used when no table gives the arms.

Which arm a value belongs to, which arm sizes apply, and what "0" means are
guesses, each explained in a ``GUESS`` marker naming the words it rests on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .draft_cells import DASHES, NUM
from .draft_read import Block
from .draft_tables import ArmGroup
from .draft_toml import DraftEntry, DraftTable, Field, Skip, excerpt

__all__ = ["Sentence", "sentences", "TextFound", "Claim", "Comparison", "find_claims", "recognise_text",
           "arm_positions", "ArmContext", "endpoint_key"]

_REFERENCES = re.compile(r"^\s*(?:\d+\.?\s*)?(?:references|bibliography|literature cited)\s*$", re.I)
_ABBREV = {"vs", "fig", "figs", "e.g", "i.e", "al", "no", "approx", "ref", "refs", "eq", "resp", "dr", "ca"}


@dataclass(frozen=True)
class Sentence:
    block: Block
    start: int  # offset in block.text
    text: str

    @property
    def line(self) -> int:
        return self.block.line_at(self.start)


def sentences(blocks: list[Block]) -> list[Sentence]:
    """The sentences of the paragraphs before the reference list."""
    out: list[Sentence] = []
    for b in blocks:
        if b.is_row:
            continue
        if _REFERENCES.match(b.text):
            break
        start = 0
        for m in re.finditer(r"[.!?]\s+(?=[A-Z(\[])", b.text):
            word = re.search(r"([\w.]+)$", b.text[start: m.start()])
            if word and word.group(1).lower().rstrip(".") in _ABBREV:
                continue
            out.append(Sentence(b, start, b.text[start: m.end()].strip()))
            start = m.end()
        if b.text[start:].strip():
            out.append(Sentence(b, start, b.text[start:].strip()))
    return out


# ----------------------------------------------------------------------------
# Claimed tests
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    test: str
    line: int
    text: str


_FISHER = re.compile(r"fisher", re.I)
_CHI = re.compile(r"chi[\s-]*squared?|χ\s*2|χ²|\bchi2\b|\bX2\s+test", re.I)
_YATES = re.compile(r"yates|continuity[\s-]+correct", re.I)
_LR = re.compile(r"likelihood[\s-]+ratio", re.I)


def find_claims(sents: list[Sentence]) -> list[Claim]:
    out = []
    for s in sents:
        fisher, chi = _FISHER.search(s.text), _CHI.search(s.text)
        if not (fisher or chi):
            continue
        if fisher and chi:
            test = "chisq_or_fisher"
        elif chi and _YATES.search(s.text):
            test = "chisq_yates"
        elif chi and _LR.search(s.text):
            test = "g"
        elif chi and re.search(r"pearson", s.text, re.I):
            test = "chisq"
        elif chi:
            test = "chi-square"
        else:
            test = "fisher"
        out.append(Claim(test, s.line, s.text))
    return out


# ----------------------------------------------------------------------------
# Ratios
# ----------------------------------------------------------------------------

_SEP = rf"\s*(?:[{DASHES}]|\bto\b|,)\s*"
_RATIO = re.compile(
    rf"\b(?P<m>a?HR|a?OR|RR|hazard ratio|odds ratio|relative risk|risk ratio)"
    rf"(?:\s*\((?:a?HR|a?OR|RR)\))?\s*(?:[=:,]\s*|\s+(?:of|was)\s+)?(?P<est>{NUM})\s*[,;(\[]?\s*"
    rf"(?P<cl>\d{{2}}(?:\.\d+)?)\s*%\s*(?:CI|confidence interval)(?:\s*\(CI\))?\s*[=:,]?\s*(?:of\s*)?"
    rf"(?P<lo>{NUM}){_SEP}(?P<hi>{NUM})")
_P_AFTER = re.compile(r"^\s*\)?\s*[,;]?\s*(?:\w+[\s-]+)?(?P<p>[Pp]\s*(?:[=<>≤≥]|&lt;)\s*\d*\.\d+)")
_MEASURE = {"hr": "HR", "ahr": "HR", "hazard ratio": "HR", "or": "OR", "aor": "OR", "odds ratio": "OR",
            "rr": "RR", "relative risk": "RR", "risk ratio": "RR"}


# ----------------------------------------------------------------------------
# Landmarks
# ----------------------------------------------------------------------------

_EP = (r"(?:overall\s+survival|progression[\s-]+free\s+survival|recurrence[\s-]+free\s+survival|"
       r"relapse[\s-]+free\s+survival|disease[\s-]+free\s+survival|event[\s-]+free\s+survival|"
       r"survival|OS|PFS|RFS|DFS|EFS|TTP)")
_EP_KEYS = (("OS", r"overall\s+survival|\bOS\b"), ("PFS", r"progression[\s-]+free|\bPFS\b"),
            ("RFS", r"re(?:currence|lapse)[\s-]+free|\bRFS\b"), ("DFS", r"disease[\s-]+free|\bDFS\b"),
            ("EFS", r"event[\s-]+free|\bEFS\b"), ("TTP", r"\bTTP\b"))
_EP_NAMES = {key for key, _ in _EP_KEYS}


def endpoint_key(text: str) -> str:
    """"OS" for "overall survival" / "OS", likewise PFS, RFS, DFS, EFS, TTP; else
    the words in lower case ("survival")."""
    for key, pat in _EP_KEYS:
        if re.search(pat, text, re.I):
            return key
    return " ".join(text.lower().split())


_VAL = rf"{NUM}\s*%?"
_VS_ITEM = re.compile(
    rf"(?P<t>{NUM})[-\s](?P<u>years?|months?|yr|mo)\b\s*[,:]?\s*(?P<a>{NUM}\s*%?)\s*(?:vs\.?|versus)\s*"
    rf"(?P<b>{NUM}\s*%?)")
_RESPECTIVELY = re.compile(
    rf"(?P<times>{NUM}-?(?:\s*,\s*{NUM}-?)*\s*,?\s*(?:and|&)\s*{NUM})[-\s]?(?P<u>years?|months?)\b"
    rf"(?P<what>[^.;%]{{0,150}}?)\b(?:was|were)\s+"
    rf"(?P<vals>{_VAL}(?:\s*,\s*{_VAL})*\s*,?\s*and\s+{_VAL})\s*,?\s*respectively")
_ARM_STOP = {"group", "groups", "arm", "arms", "cohort", "patients", "patient", "the", "and", "with", "plus",
             "alone", "only", "treated", "receiving"}
_TEXT_ARM = re.compile(r"(?P<name>(?:[A-Za-z][\w+-]*\s+){0,3}[A-Za-z][\w+-]*)\s*\(\s*[nN]\s*=\s*(?P<n>\d+)\s*\)")


@dataclass
class Comparison:
    """An "A vs. B" landmark statement as drafted (its landmark entries are in
    ``table``): what :mod:`.draft_survival` needs to draft the survival
    comparison it belongs to."""

    endpoint: str  # the label before the statement, as printed ("OS")
    group: ArmGroup  # the arms and sizes it was read with
    order: tuple[int, int]  # index in group.arms of the arm of the first and of the second value
    order_why: str
    pairs: list[tuple[str, str, str, str]]  # (time, unit, first value, second value), as printed
    table: DraftTable
    sentence: Sentence
    k: int  # index of the sentence in the paper's sentences
    span: tuple[int, int]  # the statement's offsets in the sentence's text
    line: int


@dataclass
class TextFound:
    tables: list[DraftTable] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)  # drafted (not repeated) "A vs. B" statements
    sents: list[Sentence] = field(default_factory=list)
    context: "ArmContext | None" = None


def _keywords(arm: str) -> list[str]:
    return [w for w in re.findall(r"[a-z][a-z-]+", arm.lower()) if len(w) >= 4 and w not in _ARM_STOP]


def arm_positions(text: str, arms: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """(position, arm index, word) of the first mention of each arm named in ``text``."""
    found = []
    for i, a in enumerate(arms):
        hits = [(m.start(), w) for w in _keywords(a) for m in re.finditer(r"\b" + re.escape(w), text, re.I)]
        if hits:
            pos, w = min(hits)
            found.append((pos, i, w))
    return sorted(found)


def _groups_from_text(sents: list[Sentence]) -> list[ArmGroup]:
    """Arms stated with their sizes, "surgery (n = 60) ... immunotherapy (n = 59)"."""
    names: list[str] = []
    sizes: list[int] = []
    line = 0
    for s in sents:
        for m in _TEXT_ARM.finditer(s.text):
            name = m.group("name").strip()
            if name.lower() not in {x.lower() for x in names}:
                names.append(name)
                sizes.append(int(m.group("n")))
                line = line or s.line
    if len(names) < 2:
        return []
    return [ArmGroup("text", "", tuple(names[:2]), tuple(sizes[:2]), line)]


class ArmContext:
    """The arms and arm sizes a statement refers to, with the reasons."""

    def __init__(self, groups: list[ArmGroup], sents: list[Sentence]):
        self.groups = groups
        self.sents = sents

    def group_for(self, context: str) -> tuple[ArmGroup, str | None]:
        best, where = None, -1
        for g in self.groups:
            if g.label:
                for m in re.finditer(re.escape(g.label), context, re.I):
                    if m.start() > where:
                        best, where = g, m.start()
        if best is not None:
            return best, (f"arm sizes n = {list(best.n)} of {best.table_id} ('{best.label}', header line "
                          f"{best.line}), because the sentence says '{best.label}'")
        g = self.groups[0]
        what = f"'{g.label}'" if g.label else "the only group"
        return g, (f"the sentence names no group: arm sizes n = {list(g.n)} of {g.table_id} ({what}, "
                   f"header line {g.line}) assumed (the whole cohort); check which patients the figure shows")


def recognise_text(blocks: list[Block], groups: list[ArmGroup],
                   table_ratios: dict[tuple[str, str, str], str]) -> TextFound:
    sents = sentences(blocks)
    found = TextFound(claims=find_claims(sents), sents=sents)
    arm_groups = groups or _groups_from_text(sents)
    if not groups and arm_groups:
        found.notes.append(f"arms and sizes taken from the text (line {arm_groups[0].line}): "
                           + ", ".join(f"{a} (n = {n})" for a, n in zip(arm_groups[0].arms, arm_groups[0].n)))
    ctx = ArmContext(arm_groups, sents)
    found.context = ctx
    _ratios(sents, table_ratios, found)
    _landmarks_vs(sents, ctx, found)
    _landmarks_respectively(sents, ctx, found)
    return found


def _ratios(sents: list[Sentence], table_ratios: dict[tuple[str, str, str], str], found: TextFound) -> None:
    seen: dict[tuple[str, str, str], int] = {}
    t = DraftTable(id="text-ratios", title="Ratio estimates stated in the text",
                   source="running text (not repeated from a table)")
    for s in sents:
        for m in _RATIO.finditer(s.text):
            key = (m.group("est"), m.group("lo"), m.group("hi"))
            line = s.block.line_at(s.start + m.start())
            printed = f"{key[0]} ({key[1]}–{key[2]})"
            if key in table_ratios:
                t.notes.append(f"line {line}: {m.group('m')} {printed} repeats {table_ratios[key]} "
                               "(drafted there)")
                continue
            if key in seen:
                t.notes.append(f"line {line}: {m.group('m')} {printed} repeats line {seen[key]}")
                continue
            seen[key] = line
            before = re.split(r"[()\[\];,]", s.text[: m.start()])[-1]
            tail = " ".join(before.split()[-6:])
            measure = _MEASURE[m.group("m").lower()]
            row = f"{measure} stated at line {line}" + (f" ({tail})" if tail else "")
            fields = [Field("row", row), Field("estimate", key[0]), Field("lower", key[1]),
                      Field("upper", key[2])]
            pm = _P_AFTER.match(s.text[m.end(): m.end() + 60])
            if pm:
                fields.append(Field("p", pm.group("p").replace("&lt;", "<")))
            fields += [Field("measure", measure), Field("conf_level", m.group("cl"))]
            t.entries.append(DraftEntry("ratio", fields, f"line {line}: {excerpt(s.text[m.start():], 70)}"))
    if t.entries:
        found.tables.append(t)
    elif t.notes:
        found.notes.extend(t.notes)


@dataclass
class _Stmt:
    key: tuple[object, ...]
    score: int
    table: DraftTable
    line: int


def _context_arms(sents: list[Sentence], k: int, prefix: str,
                  arms: tuple[str, ...]) -> tuple[str, list[tuple[int, int, str]], bool]:
    """The text that names the arms: the sentence up to the statement, or with
    the previous sentence when that names none."""
    found = arm_positions(prefix, arms)
    if len(found) >= min(2, len(arms)) or k == 0:
        return prefix, found, False
    wider = sents[k - 1].text + " " + prefix
    return wider, arm_positions(wider, arms), True


def _pct_field(v: str, what: str) -> Field:
    # the number as printed; its "%" sign is left out (the reader would drop it)
    printed = "".join(v.split())
    v = printed.rstrip("%")
    if not printed.endswith("%"):
        extra = " or decimals" if "." not in v else ""
        return Field("percent", v, guess=f"'{v}' printed without %{extra} in {what}: read as {v}%")
    return Field("percent", v)


def _landmarks_vs(sents: list[Sentence], ctx: ArmContext, found: TextFound) -> None:
    stmts: list[_Stmt] = []
    comparisons: list[Comparison] = []
    for k, s in enumerate(sents):
        items = list(_VS_ITEM.finditer(s.text))
        runs: list[list[re.Match[str]]] = []
        for it in items:
            if runs and re.fullmatch(r"\s*[;,]\s*", s.text[runs[-1][-1].end(): it.start()]):
                runs[-1].append(it)
            else:
                runs.append([it])
        for run in runs:
            line = s.block.line_at(s.start + run[0].start())
            text = s.text[run[0].start(): run[-1].end()]
            lab_m = re.search(r"([A-Za-z][\w-]{0,15})\s*[:,]?\s*$", s.text[max(0, run[0].start() - 20): run[0].start()])
            label = lab_m.group(1) if lab_m else "survival"
            if endpoint_key(label) not in _EP_NAMES:  # not "OS:" but e.g. "(": the last endpoint named before
                eps = list(re.finditer(_EP, s.text[: run[0].start()], re.I))
                if eps:
                    label = endpoint_key(eps[-1].group(0))
            if not ctx.groups:
                found.skips.append(Skip(line, text,
                                        "landmarks 'A vs. B' but no arms with sizes in a table or the text"))
                continue
            prefix = s.text[: run[0].start()]
            context, pos, widened = _context_arms(sents, k, prefix, ctx.groups[0].arms)
            g, g_why = ctx.group_for(context)
            if len(g.arms) != 2:
                found.skips.append(Skip(line, text, f"'A vs. B' needs two arms; {g.table_id} has {len(g.arms)}"))
                continue
            if len(pos) == 2:
                order = [pos[0][1], pos[1][1]]
                why = (f"named first in the {'previous ' if widened else ''}sentence ('{pos[0][2]}' before "
                       f"'{pos[1][2]}')")
                score = 2
            else:
                order = [0, 1]
                why = "the sentence does not name both arms: the table's order assumed"
                score = len(pos)
            t = DraftTable(id=f"text-{re.sub(r'[^a-z0-9]+', '-', label.lower())}-line{line}",
                           title=f"{label} landmarks stated in the text, line {line}",
                           source=f"line {line}: {excerpt(text, 90)}")
            t.fields += [Field("arms", list(g.arms)), Field("n", list(g.n), guess=g_why)]
            pairs = [(it.group("t"), it.group("u"), it.group("a"), it.group("b")) for it in run]
            for pos_in_pair, arm_i in enumerate(order):
                arm = g.arms[arm_i]
                for t_, u, a, b in pairs:
                    v = a if pos_in_pair == 0 else b
                    unit = u.rstrip("s")
                    time = f"{t_} {unit}{'s' if t_ != '1' else ''}"
                    t.entries.append(DraftEntry("landmark", [
                        Field("arm", arm, guess=(f"{'first' if pos_in_pair == 0 else 'second'} value of "
                                                 f"'{a.strip()} vs. {b.strip()}' -> {arm}: {why}")),
                        Field("time", time), Field("label", f"{label}, {arm}, {time}"),
                        _pct_field(v, f"'{a.strip()} vs. {b.strip()}'")],
                        f"line {line}: {excerpt(text, 70)}"))
            key = (label, tuple((t_, a.strip(), b.strip()) for t_, _, a, b in pairs), g.table_id)
            stmts.append(_Stmt(key, score, t, line))
            comparisons.append(Comparison(label, g, (order[0], order[1]), why, pairs, t, s, k,
                                          (run[0].start(), run[-1].end()), line))
    _keep_best(stmts, found)
    kept = {id(t) for t in found.tables}
    found.comparisons.extend(c for c in comparisons if id(c.table) in kept)


def _keep_best(stmts: list[_Stmt], found: TextFound) -> None:
    """A statement repeated (abstract and results) is drafted once, from the
    occurrence whose arms are best identified; the others are noted."""
    by_key: dict[tuple[object, ...], list[_Stmt]] = {}
    for st in stmts:
        by_key.setdefault(st.key, []).append(st)
    for group in by_key.values():
        best = max(group, key=lambda st: (st.score, -st.line))
        for st in group:
            if st is not best:
                best.table.notes.append(f"line {st.line} repeats this statement (not drafted twice)")
    for st in stmts:
        if st is max(by_key[st.key], key=lambda x: (x.score, -x.line)):
            found.tables.append(st.table)


def _landmarks_respectively(sents: list[Sentence], ctx: ArmContext, found: TextFound) -> None:
    stmts: list[_Stmt] = []
    for k, s in enumerate(sents):
        for m in _RESPECTIVELY.finditer(s.text):
            line = s.block.line_at(s.start + m.start())
            text = s.text[m.start(): m.end()]
            times = re.findall(NUM, m.group("times"))
            vals = re.findall(rf"{NUM}\s*%?", m.group("vals"))
            if len(times) != len(vals):
                found.skips.append(Skip(line, text, f"{len(times)} times but {len(vals)} values"))
                continue
            if not ctx.groups:
                found.skips.append(Skip(line, text, "survival rates but no arms with sizes in a table or the text"))
                continue
            what = m.group("what")
            acr = re.search(r"\b([A-Z]{2,5})\b", what)
            label = acr.group(1) if acr else "survival"
            arms = ctx.groups[0].arms
            own = s.text[: m.start()] + what
            pos = arm_positions(own, arms)
            widened = False
            if len(pos) != 1 and k > 0:
                prev = arm_positions(sents[k - 1].text, arms)
                if len(prev) == 1 and not pos:
                    pos, widened = prev, True
            if len(pos) != 1:
                found.skips.append(Skip(line, text, "the rates name no single arm"))
                continue
            context = (sents[k - 1].text + " " if widened else "") + own
            g, g_why = ctx.group_for(context)
            arm = g.arms[pos[0][1]] if pos[0][1] < len(g.arms) else arms[pos[0][1]]
            why = (f"the previous sentence names '{pos[0][2]}'" if widened
                   else f"the sentence names '{pos[0][2]}'")
            unit = m.group("u").rstrip("s")
            t = DraftTable(id=f"text-{label.lower()}-line{line}",
                           title=f"{label} rates stated in the text, line {line}",
                           source=f"line {line}: {excerpt(text, 90)}")
            t.fields += [Field("arms", list(g.arms)), Field("n", list(g.n), guess=g_why)]
            for t_, v in zip(times, vals):
                time = f"{t_} {unit}{'s' if t_ != '1' else ''}"
                t.entries.append(DraftEntry("landmark", [
                    Field("arm", arm, guess=f"{label} rates -> {arm}: {why}"),
                    Field("time", time), Field("label", f"{label}, {arm}, {time}"),
                    _pct_field(v, f"'{excerpt(m.group('vals'), 40)}'")],
                    f"line {line}: {excerpt(text, 70)}"))
            key = (label, tuple(times), tuple(v.strip() for v in vals), g.table_id, arm)
            stmts.append(_Stmt(key, 1, t, line))
    _keep_best(stmts, found)
