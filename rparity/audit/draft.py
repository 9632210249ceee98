"""``rparity audit draft PAPER``: a first TOML transcription of a paper's statistics.

Transcribing a paper into the audit's TOML is the real cost of an audit. The
drafter reads the paper's text (plain text, markdown or HTML export) and writes
a TOML draft of the reported statistics for a person to review: every value
copied as printed with the line it came from, a ``# GUESS:`` marker above every
guess (which column is which arm, which test is claimed, which arm a landmark
belongs to, what "0" means), and a ``# SKIPPED line N:`` comment for whatever
was recognised but not understood. Reading stays separate from checking::

    paper -> rparity audit draft -> reviewed TOML -> rparity audit

Modules: :mod:`.draft_read` (text, markdown, HTML -> paragraphs and table
rows), :mod:`.draft_cells` (what a cell is), :mod:`.draft_tables` (tables),
:mod:`.draft_text` (in-text statements), :mod:`.draft_survival` (survival
comparisons: log-rank p, landmarks, medians, the HR of a ratio table),
:mod:`.draft_toml` (the draft and its TOML). This module puts them together and assigns the claimed test.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .draft_read import Block, read_blocks
from .draft_survival import add_survival
from .draft_tables import TablesFound, recognise_tables
from .draft_text import Claim, find_claims, recognise_text, sentences
from .draft_toml import Draft, DraftTable, Field, excerpt, to_toml
from .printed import AuditInputError

__all__ = ["draft_blocks", "draft_file", "DraftResult"]


@dataclass(frozen=True)
class DraftResult:
    """The draft (data), its TOML text, and the counts the command reports."""

    draft: Draft
    toml: str

    @property
    def guesses(self) -> int:
        return self.draft.guesses()

    @property
    def skipped(self) -> int:
        return self.draft.n_skipped()

    @property
    def empty(self) -> bool:
        return not self.draft.tables


def draft_file(path: str | Path) -> DraftResult:
    """Draft the reported statistics of the paper at ``path`` (``.txt``, ``.md``,
    ``.html``). Raises :class:`~.printed.AuditInputError` when the file cannot be
    read as UTF-8 text."""
    p = Path(path)
    try:
        blocks = read_blocks(p)
    except OSError as exc:
        raise AuditInputError(f"cannot read the paper {str(p)!r}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise AuditInputError(f"the paper {str(p)!r} must be UTF-8 text (.txt, .md or .html)") from None
    return draft_blocks(blocks, str(p))


def draft_blocks(blocks: list[Block], path: str = "paper") -> DraftResult:
    tables = recognise_tables(blocks)
    text = recognise_text(blocks, tables.groups, tables.ratio_cells)
    add_survival(text, tables.ratio_groups)
    _assign_claims(blocks, tables, text.claims)
    seen: set[str] = set()
    for t in tables.tables + text.tables:  # table ids must be unique
        base, k = t.id, 2
        while t.id in seen:
            t.id = f"{base}-{k}"
            k += 1
        seen.add(t.id)
    d = Draft(path=path, tables=tables.tables + text.tables, skips=tables.skips + text.skips,
              notes=text.notes)
    return DraftResult(d, to_toml(d))


def _footnote_claims(blocks: list[Block], last: int) -> list[Claim]:
    """Claims in the paragraphs right after a table (its footnotes), up to the
    next table or caption."""
    foot: list[Block] = []
    for b in blocks[last + 1: last + 5]:
        if b.is_row or b.text.lower().startswith(("table ", "fig")):
            break
        foot.append(b)
    return find_claims(sentences(foot))


def _assign_claims(blocks: list[Block], tables: TablesFound, claims: list[Claim]) -> None:
    """Give every contingency table the test the paper claims, as a guess: its
    footnote's claim when there is one, else the text's (the first, when the
    text names several)."""
    for t in tables.tables:
        if not any(e.kind == "contingency" for e in t.entries):
            continue
        foot = _footnote_claims(blocks, tables.extent[t.id][1]) if t.id in tables.extent else []
        pool, where = (foot, "the table's footnote") if foot else (claims, "the text")
        if not pool:
            t.notes.append("no test is named in the text: add `test = ...` if the paper names one "
                           "(without it the audit reports which tests reproduce the p-values)")
            continue
        c = pool[0]
        others = sorted({x.test for x in pool} - {c.test})
        why = (f"{where} says '{excerpt(c.text, 90)}' (line {c.line}): read as the test of this table's "
               f"p-values ({c.test})")
        if others:
            why += f"; the text also names {', '.join(others)} elsewhere (" + ", ".join(
                f"line {x.line}" for x in pool if x.test != c.test) + ")"
        why += "; check the methods and the table's footnotes"
        t.fields.append(Field("test", c.test, guess=why))


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same directory and
    a rename, so that no half-written draft is ever left behind."""
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=str(path.parent), prefix="." + path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


__all__ += ["write_atomically", "DraftTable"]
