"""Recognising a paper's tables: contingency tables of n (%) by arm with p-values,
and tables of ratio estimates (HR / OR / RR with CI) with p-values.

Contract
--------
Input: the blocks of :mod:`.draft_read`; rows with the same ``table`` number form
one table. Output (:class:`TablesFound`): one :class:`~.draft_toml.DraftTable`
per column group (e.g. Table 1 "Before PSM" and "After PSM"; Table 2 "Before
PSM, Univariate", ...), the arm groups (for in-text statements that need arm
sizes), and what was skipped and why.

How a table is read
-------------------
* Header rows are the rows before the first row holding an n (%), ratio, CI or
  p-value cell. A header row with fewer filled cells than the widest one is a
  *group* row; its labels span the columns up to the next label (text exports
  and HTML ``colspan`` both leave the spanned cells empty).
* A column is an arm when its cells are n (%) ("37 (62.7)", "37 (62.7%)"), a
  ratio column when they are "2.845 (2.524–5.311)" (or a number column followed
  by a CI column), a p column when its header says P (or, when no header does,
  when its cells are p-values only). Each p column closes the group of arm (or
  ratio) columns before it.
* Body rows: a label row (with the p-values, or nothing) followed by level rows
  (n (%) cells) is one variable; a label row with nothing in it after a label
  row continues its label ("Hepatic tumor" / "T stage"); a single row with n (%)
  and p is a variable with one printed level (its complement is a guess).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .draft_cells import Cell, arm_size, classify, is_p_header, ratio_measure, strip_arm_size
from .draft_read import Block
from .draft_toml import DraftEntry, DraftTable, Field, Skip, excerpt

__all__ = ["ArmGroup", "RatioGroup", "TablesFound", "recognise_tables", "caption_before", "slug"]


@dataclass(frozen=True)
class ArmGroup:
    """The arms of one column group of a contingency table, with their sizes."""

    table_id: str
    label: str  # the group label, e.g. "After PSM" ("" when the table has one group)
    arms: tuple[str, ...]
    n: tuple[int, ...]
    line: int


@dataclass(frozen=True)
class RatioGroup:
    """One column group of a ratio table, e.g. Table 2 "Before PSM, Univariate"
    (for the HR of a survival comparison, :mod:`.draft_survival`)."""

    table: DraftTable
    label: str  # "Table 2"
    group: str  # the labels spanning the column, "Before PSM, Univariate" ("" when none)
    caption: str  # the table's title
    line: int  # the header line


@dataclass
class TablesFound:
    tables: list[DraftTable] = field(default_factory=list)
    groups: list[ArmGroup] = field(default_factory=list)
    ratio_groups: list[RatioGroup] = field(default_factory=list)
    ratio_cells: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (est, lo, hi) -> where
    skips: list[Skip] = field(default_factory=list)
    extent: dict[str, tuple[int, int]] = field(default_factory=dict)  # table id -> first, last block


def slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


_CAPTION = re.compile(r"^\s*(?:\*\*)?(?P<label>(?:Supplementary\s+)?Table\s+[A-Z]?\d+[A-Za-z]?)\b\.?:?\s*(?P<rest>.*)$",
                      re.I)


def caption_before(blocks: list[Block], i: int) -> tuple[str, str, int]:
    """("Table 1", its title, line) from the paragraphs just before block ``i``
    (up to three back), or ("", "", 0)."""
    paras: list[Block] = []
    j = i - 1
    while j >= 0 and len(paras) < 3 and not blocks[j].is_row:
        paras.insert(0, blocks[j])
        j -= 1
    for k in range(len(paras) - 1, -1, -1):
        m = _CAPTION.match(paras[k].text)
        if m:
            rest = m.group("rest").strip()
            if not rest and k + 1 < len(paras):
                rest = paras[k + 1].text
            return m.group("label").title().replace("Table", "Table"), excerpt(rest, 120), paras[k].line
    return "", "", 0


def recognise_tables(blocks: list[Block]) -> TablesFound:
    found = TablesFound()
    runs: dict[int, list[int]] = {}
    for i, b in enumerate(blocks):
        if b.is_row:
            runs.setdefault(b.table, []).append(i)
    used_ids: set[str] = set()
    for _, idx in sorted(runs.items()):
        rows = [blocks[i] for i in idx]
        label, title, cap_line = caption_before(blocks, idx[0])
        base = slug(label).replace("table-", "table") if label else f"table-line{rows[0].line}"
        while base in used_ids:
            base += "-b"
        used_ids.add(base)
        before = len(found.tables)
        _Table(rows, base, label or f"Table at line {rows[0].line}", title, found).read()
        for t in found.tables[before:]:
            found.extent[t.id] = (idx[0], idx[-1])
    return found


class _Table:
    """One table's grid, header analysis, and the two recognisers."""

    def __init__(self, rows: list[Block], base: str, label: str, title: str, found: TablesFound):
        width = max(len(r.cells or ()) for r in rows)
        self.rows = rows
        self.grid = [list(r.cells or ()) + [""] * (width - len(r.cells or ())) for r in rows]
        self.cells = [[classify(c) for c in g] for g in self.grid]
        self.width = width
        self.base, self.label, self.title, self.found = base, label, title, found
        data = {"count", "ratio", "p", "ci"}
        self.n_header = next((k for k, r in enumerate(self.cells) if any(c.kind in data for c in r[1:])),
                             len(rows))
        head = self.grid[: self.n_header]
        self.head = head
        self.head_text = " ".join(" ".join(h) for h in head) + " " + label + " " + title

    # header helpers -------------------------------------------------------
    def _own_row(self, c: int) -> int:
        """The lowest header row with a label in column ``c`` (-1 if none)."""
        return max((k for k, h in enumerate(self.head) if h[c]), default=-1)

    def own(self, c: int) -> str:
        """Column ``c``'s own header: its lowest label (arm name, "HR (95% CI)", "P")."""
        k = self._own_row(c)
        return self.head[k][c] if k >= 0 else ""

    def group(self, c: int) -> str:
        """The labels spanning column ``c`` from the header rows above its own:
        the nearest label at or left of ``c`` (a span leaves its other cells empty)."""
        out = []
        for h in self.head[: max(self._own_row(c), 0)]:
            lab = next((h[k] for k in range(c, 0, -1) if h[k]), "")
            if lab:
                out.append(lab)
        return ", ".join(out)

    def body(self) -> range:
        return range(self.n_header, len(self.rows))

    def column_kinds(self) -> list[str]:
        kinds = ["label"]
        any_p_header = any(is_p_header(self.own(c)) for c in range(1, self.width))
        measure_named = bool(ratio_measure(self.head_text)) or bool(re.search(r"\bCI\b|confidence", self.head_text))
        for c in range(1, self.width):
            col = [self.cells[r][c] for r in self.body()]
            k = {kind: sum(1 for x in col if x.kind == kind) for kind in ("count", "ratio", "p", "ci", "number")}
            if is_p_header(self.own(c)):
                kinds.append("p")
            elif k["count"] and k["count"] >= k["ratio"]:
                kinds.append("count")
            elif k["ratio"] and measure_named:
                kinds.append("ratio")
            elif k["ci"] and measure_named:
                kinds.append("ci")
            elif k["number"] and measure_named and c + 1 < self.width and any(
                    self.cells[r][c + 1].kind == "ci" for r in self.body()):
                kinds.append("estimate")
            elif k["p"] and not any_p_header and not k["count"] and not k["ratio"]:
                kinds.append("p?")  # p-values by their look only: a guess
            else:
                kinds.append("other")
        return kinds

    def read(self) -> None:
        kinds = self.column_kinds()
        if "count" in kinds:
            self._contingency(kinds)
        if "ratio" in kinds or "estimate" in kinds:
            self._ratio(kinds)
        if "count" not in kinds and "ratio" not in kinds and "estimate" not in kinds:
            self.found.skips.append(Skip(self.rows[0].line, f"{self.label}: {self.rows[0].text}",
                                         "a table without n (%) or ratio (CI) cells: not drafted"))

    def _table_id(self, group: str, k: int, n_groups: int, suffix: str = "") -> str:
        if n_groups == 1:
            return self.base + suffix
        return f"{self.base}-{slug(group) or f'part{k + 1}'}"

    # contingency ---------------------------------------------------------
    def _segments(self, kinds: list[str], data_kinds: tuple[str, ...]) -> list[tuple[list[int], int | None]]:
        segs: list[tuple[list[int], int | None]] = []
        cur: list[int] = []
        for c, k in enumerate(kinds):
            if k in data_kinds:
                cur.append(c)
            elif k in ("p", "p?") and cur:
                segs.append((cur, c))
                cur = []
        if cur:
            segs.append((cur, None))
        return segs

    def _contingency(self, kinds: list[str]) -> None:
        segs = self._segments(kinds, ("count",))
        p_cols = [c for c, k in enumerate(kinds) if k in ("p", "p?")]
        variables = self._variables([c for c, k in enumerate(kinds) if k == "count"], p_cols)
        for k, (cols, pc) in enumerate(segs):
            group = self.group(cols[0])
            tid = self._table_id(group, k, len(segs))
            arms: list[str] = []
            sizes: list[int | None] = []
            for c in cols:
                name = strip_arm_size(self.own(c)) or f"arm {len(arms) + 1}"
                while name in arms:
                    name += " (2)"
                arms.append(name)
                sizes.append(next((arm_size(h[c]) for h in self.grid[: self.n_header] if arm_size(h[c])), None))
            head_line = self.rows[max(0, self.n_header - 1)].line
            where = f"header line {head_line}"
            t = DraftTable(id=tid, title=" ".join(x for x in (self.label + ",", group, "n (%) and P:", self.title) if x)
                           .replace(", n (%)", " n (%)"),
                           source=f"{self.label}, columns {', '.join(map(str, [c + 1 for c in cols]))}"
                                  + (f" ('{group}')" if group else "") + f"; {where}")
            header_cells = "; ".join(f"column {c + 1} '{self.own(c)}'" for c in cols)
            t.fields.append(Field("arms", arms, guess=(
                f"columns read as arms from the header ({header_cells}, line {head_line}); "
                "check the order and names against the table")))
            if all(s is not None for s in sizes):
                t.fields.append(Field("n", [int(s) for s in sizes if s is not None]))
            else:
                inferred = self._infer_sizes(variables, cols)
                if inferred:
                    t.fields.append(Field("n", inferred, guess=(
                        "no arm size printed in the header: taken as the column sums of the first "
                        "variable; check against the paper")))
                else:
                    t.notes.append("no arm sizes found: add `n = [...]` for the percentages to be checked")
            if pc is not None and kinds[pc] == "p?":
                t.notes.append(f"column {pc + 1} is read as p-values by its look (no header says P)")
            for v in variables:
                self._emit_var(t, v, cols, pc, sizes)
            if t.entries or t.skips:
                self.found.tables.append(t)
                if all(s is not None for s in sizes):
                    self.found.groups.append(ArmGroup(tid, group, tuple(arms),
                                                      tuple(int(s) for s in sizes if s is not None), head_line))

    def _infer_sizes(self, variables: list["_Var"], cols: list[int]) -> list[int] | None:
        for v in variables:
            if len(v.levels) >= 2 and not v.problems:
                sums = [sum(lv.cells[c].n or 0 for lv in v.levels if c in lv.cells) for c in cols]
                if all(sums):
                    return sums
        return None

    def _variables(self, count_cols: list[int], p_cols: list[int]) -> list["_Var"]:
        out: list[_Var] = []
        cur: _Var | None = None

        def flush() -> None:
            nonlocal cur
            if cur is not None and (cur.levels or cur.p or cur.problems):
                out.append(cur)
            cur = None

        for r in self.body():
            row, block = self.cells[r], self.rows[r]
            lab = self.grid[r][0].strip()
            cc = {c: row[c] for c in count_cols if row[c].kind == "count"}
            bad = {c: row[c] for c in count_cols if row[c].kind not in ("count", "empty")}
            pc = {c: row[c] for c in p_cols if row[c].kind == "p"}
            badp = {c: row[c] for c in p_cols if row[c].kind not in ("p", "empty")}
            if not (cc or bad or pc or badp):
                if not lab:
                    continue
                if cur is not None and not cur.levels and cur.p:
                    cur.label += " " + lab  # a label wrapped over two rows
                    cur.lines.append(block.line)
                    continue
                flush()
                cur = _Var(lab, block.line, block.text)
                continue
            if bad and all(x.kind in ("ratio", "continuous") for x in bad.values()) and not cc:
                flush()
                self.found_skip(block, "a continuous variable (median (range) or mean ± SD): not drafted")
                continue
            if not cc and not bad:  # a label row with p-values
                flush()
                cur = _Var(lab, block.line, block.text, p=pc)
                for c, x in badp.items():
                    cur.problems.append(f"p cell '{x.text}' (column {c + 1}) is not a p-value")
                continue
            # a row of n (%) cells: a level of the current variable, or a variable of its own
            if cur is None or (pc and (cur.levels or cur.p)):
                flush()
                cur = _Var(lab, block.line, block.text)
            if pc and not cur.p:
                cur.p = pc
            for c, x in badp.items():
                cur.problems.append(f"p cell '{x.text}' (line {block.line}, column {c + 1}) is not a p-value")
            for c, x in bad.items():
                cur.problems.append(f"cell '{x.text}' (line {block.line}, column {c + 1}) is not n (%)")
            cur.levels.append(_Level(lab, block.line, cc))
            cur.lines.append(block.line)
            if pc and len(cur.levels) == 1 and cur.label == lab:
                flush()  # one row: label, n (%) and p together
        flush()
        return out

    def found_skip(self, block: Block, why: str) -> None:
        self.found.skips.append(Skip(block.line, block.text, why))

    def _emit_var(self, t: DraftTable, v: "_Var", cols: list[int], pc: int | None,
                  sizes: list[int | None]) -> None:
        levels = [lv for lv in v.levels if any(c in lv.cells for c in cols)]
        p = v.p.get(pc) if pc is not None else None
        text = v.text if v.text else v.label
        if v.problems:
            # report once per variable, in the first group only
            if cols == sorted(cols) and not any(s.line == v.line for s in t.skips):
                t.skips.append(Skip(v.line, text, "; ".join(v.problems)))
            return
        if not levels:
            if p is not None and v.levels == []:
                t.skips.append(Skip(v.line, text, "a p-value without n (%) rows under it"))
            return
        missing = [(lv.label, c) for lv in levels for c in cols if c not in lv.cells]
        if missing:
            t.skips.append(Skip(v.line, text, "missing n (%) cells: " + ", ".join(
                f"'{lab}' column {c + 1}" for lab, c in missing)))
            return
        counts = [[lv.cells[c].n or 0 for c in cols] for lv in levels]
        percents = [[lv.cells[c].pct or "" for c in cols] for lv in levels]
        names = [lv.label or f"level {i + 1}" for i, lv in enumerate(levels)]
        fields = [Field("row", v.label)]
        lines = sorted(set([v.line] + [lv.line for lv in levels]))
        span = f"line {lines[0]}" + (f"–{lines[-1]}" if len(lines) > 1 else "")
        src = f"{span}: {excerpt(text, 60)}"
        if len(levels) == 1:
            if any(s is None for s in sizes):
                t.skips.append(Skip(v.line, text, "one level printed and no arm sizes to complete it"))
                return
            rest = [s - k for s, k in zip(sizes, counts[0]) if s is not None]
            if any(x < 0 for x in rest):
                t.skips.append(Skip(v.line, text, "one level printed with counts above the arm sizes"))
                return
            names.append(f"not {names[0]}")
            counts.append(rest)
            percents.append(["" for _ in cols])
            fields += [Field("levels", names, guess=(
                f"only '{levels[0].label}' is printed; the second level is the rest of each arm "
                "(assumes no missing values); check against the paper"))]
        else:
            fields.append(Field("levels", names))
        fields += [Field("counts", counts), Field("percents", percents)]
        if p is not None:
            fields.append(Field("p", p.p or p.text))
        t.entries.append(DraftEntry("contingency", fields, src))

    # ratio ---------------------------------------------------------------
    def _ratio(self, kinds: list[str]) -> None:
        items: list[tuple[int, int | None, int | None]] = []  # (estimate col, ci col, p col)
        c = 1
        while c < self.width:
            kind = kinds[c]
            if kind in ("ratio", "estimate"):
                ci = c + 1 if kind == "estimate" else None
                nxt = c + (2 if ci else 1)
                p = nxt if nxt < self.width and kinds[nxt] in ("p", "p?") else None
                items.append((c, ci, p))
                c = nxt
            else:
                c += 1
        for k, (ec, ci, pc) in enumerate(items):
            group = self.group(ec)
            tid = self._table_id(group, k, len(items))
            own = self.own(ec) + (" " + self.own(ci) if ci else "")
            measure = ratio_measure(own) or ratio_measure(self.head_text)
            level = re.search(r"(\d{2}(?:\.\d+)?)\s*%\s*(?:CI|confidence)", own + " " + self.head_text, re.I)
            head_line = self.rows[max(0, self.n_header - 1)].line
            t = DraftTable(id=tid, title=" ".join(x for x in (self.label + ",", group, own + ":", self.title) if x),
                           source=f"{self.label}, column {ec + 1}" + (f" ('{group}')" if group else "")
                                  + f"; header line {head_line}")
            t.fields.append(Field("measure", measure or "HR", guess=None if measure else (
                f"the header ('{own}') names no HR / OR / RR: HR assumed")))
            t.fields.append(Field("conf_level", level.group(1) if level else "95", guess=None if level else (
                "no confidence level printed: 95% assumed")))
            if pc is not None and kinds[pc] == "p?":
                t.notes.append(f"column {pc + 1} is read as p-values by its look (no header says P)")
            prefix = ""
            for r in self.body():
                row, block = self.cells[r], self.rows[r]
                lab = self.grid[r][0].strip()
                if all(x.kind == "empty" for x in row[1:]):
                    prefix = lab
                    continue
                cell = row[ec]
                name = f"{prefix}: {lab}" if prefix and lab else (lab or prefix or f"row at line {block.line}")
                src = f"line {block.line}: {excerpt(block.text, 60)}"
                if cell.kind == "empty" or cell.kind == "reference":
                    continue
                fields = [Field("row", name)]
                if ci is not None:
                    cic = row[ci]
                    if cell.kind != "number" or cic.kind != "ci":
                        t.skips.append(Skip(block.line, block.text,
                                            f"estimate '{cell.text}' and CI '{cic.text}' not read as a ratio"))
                        continue
                    fields += [Field("estimate", cell.text), Field("lower", cic.lo or ""),
                               Field("upper", cic.hi or "")]
                    key = (cell.text, cic.lo or "", cic.hi or "")
                elif cell.kind == "ratio":
                    fields.append(Field("printed", cell.text))
                    key = (cell.est or "", cell.lo or "", cell.hi or "")
                else:
                    t.skips.append(Skip(block.line, block.text,
                                        f"cell '{cell.text}' (column {ec + 1}) is not 'estimate (lower–upper)'"))
                    continue
                if pc is not None:
                    pcell = row[pc]
                    if pcell.kind == "p":
                        fields.append(Field("p", pcell.p or pcell.text))
                    elif pcell.kind != "empty":
                        t.skips.append(Skip(block.line, block.text,
                                            f"p cell '{pcell.text}' is not a p-value; the row is drafted without p"))
                t.entries.append(DraftEntry("ratio", fields, src))
                self.found.ratio_cells.setdefault(key, f"{self.label} line {block.line}")
            if t.entries or t.skips:
                self.found.tables.append(t)
                self.found.ratio_groups.append(RatioGroup(t, self.label, group, self.title, head_line))


@dataclass
class _Level:
    label: str
    line: int
    cells: dict[int, Cell]


@dataclass
class _Var:
    label: str
    line: int
    text: str
    p: dict[int, Cell] = field(default_factory=dict)
    levels: list[_Level] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
