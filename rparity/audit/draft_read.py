"""Reading a paper's text into blocks: paragraphs and table rows, each with its line.

The drafter (:mod:`.draft`) never looks at the raw file again: every number it
finds is traced back to a :class:`Block` and, through ``Block.line_at``, to the
line of the input it was printed on.

Contract
--------
Input: a paper as plain text (``.txt``: journals' text exports, tab-separated
table rows), markdown (``.md``: pipe tables ``| a | b |`` with a ``|---|``
separator row) or HTML (``.html``/``.htm``: ``<table>`` read with the standard
library's :mod:`html.parser`, ``colspan``/``rowspan`` expanded so that the cells
of a row stay under their column headers).

Output: a list of :class:`Block` in reading order. A paragraph is a run of
non-blank, non-table lines joined by spaces (hard-wrapped text stays one
sentence); a table row carries its cells. Consecutive rows of one table share a
``table`` number. Nothing is dropped: every non-blank line is in some block.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable

__all__ = ["Block", "read_blocks", "blocks_from_text", "blocks_from_markdown", "blocks_from_html"]


@dataclass(frozen=True)
class Block:
    """A paragraph (``cells is None``) or a table row, from input line ``line`` on.

    ``breaks`` are the offsets in ``text`` where later input lines begin (a
    paragraph joined from several lines), so ``line_at(offset)`` is the input line
    of any character. ``table`` numbers the table a row belongs to (0 for a
    paragraph).
    """

    line: int
    text: str
    cells: tuple[str, ...] | None = None
    breaks: tuple[int, ...] = ()
    table: int = 0

    def line_at(self, offset: int) -> int:
        return self.line + bisect_right(self.breaks, offset)

    @property
    def is_row(self) -> bool:
        return self.cells is not None


def read_blocks(path: str | Path) -> list[Block]:
    """The blocks of a paper file; the format follows the suffix (``.html``/``.htm``,
    ``.md``/``.markdown``, anything else is plain text). Raises ``OSError`` or
    ``UnicodeDecodeError`` for a file that cannot be read as UTF-8 text."""
    p = Path(path)
    text = p.read_bytes().decode("utf-8-sig")
    suffix = p.suffix.lower()
    if suffix in (".html", ".htm", ".xhtml"):
        return blocks_from_html(text)
    if suffix in (".md", ".markdown"):
        return blocks_from_markdown(text)
    return blocks_from_text(text)


def _clean(s: str) -> str:
    """Inline markup that carries no number: LaTeX ``$...$`` delimiters, markdown
    emphasis ``**``; non-breaking and thin spaces become spaces."""
    s = s.replace("$", "").replace("**", "")
    return re.sub(r"[\u00a0\u2009\u202f]", " ", s)


def _paragraphs_and_rows(lines: list[str], row_of: Callable[[int], list[str] | None]) -> list[Block]:
    """Group lines into paragraphs and table rows. ``row_of(i)`` gives the cells of
    line ``i`` if it is a table row, ``[]`` for a layout line inside a table, else
    None; rows separated only by blank lines stay in one table."""
    out: list[Block] = []
    para: list[tuple[int, str]] = []
    table_no = 0
    last_was_row = False

    def flush() -> None:
        if not para:
            return
        parts, breaks, pos = [], [], 0
        for k, (_, t) in enumerate(para):
            if k:
                breaks.append(pos)
            parts.append(t)
            pos += len(t) + 1
        out.append(Block(line=para[0][0], text=" ".join(parts), breaks=tuple(breaks)))
        para.clear()

    for i, raw in enumerate(lines):
        cells = row_of(i)
        if cells == []:
            continue  # layout inside a table (a markdown separator row)
        if cells is not None:
            flush()
            if not last_was_row:
                table_no += 1
            out.append(Block(line=i + 1, text=" | ".join(c for c in cells), cells=tuple(cells),
                             table=table_no))
            last_was_row = True
            continue
        s = _clean(raw).strip()
        if not s:
            flush()
            continue  # a blank line does not end a table
        para.append((i + 1, s))
        last_was_row = False
    flush()
    return out


def blocks_from_text(text: str) -> list[Block]:
    """Plain text: a line with a tab is a table row (cells split at tabs)."""
    lines = text.splitlines()

    def row_of(i: int) -> list[str] | None:
        if "\t" not in lines[i] or not lines[i].strip():
            return None
        return [_clean(c).strip() for c in lines[i].split("\t")]

    return _paragraphs_and_rows(lines, row_of)


_MD_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def blocks_from_markdown(text: str) -> list[Block]:
    """Markdown: pipe tables (runs of lines with ``|`` holding a ``---`` separator
    row, or all starting with ``|``); tab-separated rows as in plain text."""
    lines = text.splitlines()
    is_pipe = [False] * len(lines)
    i = 0
    while i < len(lines):
        if "|" not in lines[i]:
            i += 1
            continue
        j = i
        while j < len(lines) and "|" in lines[j]:
            j += 1
        run = range(i, j)
        if any(_MD_SEP.match(lines[k]) for k in run) or all(lines[k].lstrip().startswith("|") for k in run):
            for k in run:
                is_pipe[k] = True
        i = j

    def row_of(k: int) -> list[str] | None:
        if is_pipe[k]:
            if _MD_SEP.match(lines[k]):
                return []  # the separator row is layout, not content
            s = lines[k].strip()
            if s.startswith("|"):
                s = s[1:]
            if s.endswith("|") and not s.endswith("\\|"):
                s = s[:-1]
            return [_clean(c).strip() for c in re.split(r"(?<!\\)\|", s)]
        if "\t" in lines[k] and lines[k].strip():
            return [_clean(c).strip() for c in lines[k].split("\t")]
        return None

    return _paragraphs_and_rows(lines, row_of)


# ----------------------------------------------------------------------------
# HTML
# ----------------------------------------------------------------------------

_BLOCK_TAGS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "caption", "title",
               "section", "article", "header", "footer", "blockquote", "figcaption", "dt", "dd",
               "table", "tr", "ul", "ol", "body"}
_SKIP_TAGS = {"script", "style", "head"}


class _HTMLBlocks(HTMLParser):
    """Collects paragraphs (text between block tags) and table rows (cells with
    their colspan/rowspan expanded). Line numbers are those of the opening tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._text: list[str] = []
        self._text_line = 0
        self._skip = 0
        self._table_depth = 0
        self._table_no = 0
        self._row: list[str] | None = None
        self._row_line = 0
        self._cell: list[str] | None = None
        self._cell_span = (1, 1)
        self._spans: dict[int, tuple[int, str]] = {}  # column -> (rows left, text) from rowspan
        self._row_spans: list[tuple[int, int, int]] = []  # (column, colspan, rowspan) of this row

    # text outside tables -------------------------------------------------
    def _flush_text(self) -> None:
        """A paragraph; ``breaks`` keep the source lines of its words (a break
        repeated for each line a part moves down)."""
        parts = "".join(self._text).split("\n")
        while parts and not parts[0].strip():
            parts.pop(0)
        pieces: list[str] = []
        breaks: list[int] = []
        pos, down = 0, 0
        for part in parts:
            t = re.sub(r"\s+", " ", _clean(part)).strip()
            if t:
                if pieces:
                    breaks.extend([pos] * down)
                pieces.append(t)
                pos += len(t) + 1
                down = 0
            down += 1
        if pieces:
            self.blocks.append(Block(line=self._text_line, text=" ".join(pieces), breaks=tuple(breaks)))
        self._text = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if tag in _SKIP_TAGS:
            self._skip += 1
            return
        if tag == "table":
            self._flush_text()
            self._table_depth += 1
            if self._table_depth == 1:
                self._table_no += 1
                self._spans = {}
            return
        if self._table_depth:
            if tag == "tr":
                self._end_row()
                self._row, self._row_line, self._row_spans = [], line, []
            elif tag in ("td", "th"):
                if self._row is None:
                    self._row, self._row_line, self._row_spans = [], line, []
                self._end_cell()
                a = dict(attrs)
                self._cell = []
                self._cell_span = (_span(a.get("colspan")), _span(a.get("rowspan")))
            elif tag == "caption":
                self._flush_text()
                self._text_line = line
            elif tag == "br" and self._cell is not None:
                self._cell.append(" ")
            return
        if tag in _BLOCK_TAGS or tag == "br":
            self._flush_text()
        if not self._text:
            self._text_line = line

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
            return
        if tag == "table" and self._table_depth:
            self._end_row()
            self._table_depth -= 1
            return
        if self._table_depth:
            if tag in ("td", "th"):
                self._end_cell()
            elif tag == "tr":
                self._end_row()
            elif tag == "caption":
                self._flush_text()
            return
        if tag in _BLOCK_TAGS:
            self._flush_text()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._cell is not None:
            self._cell.append(data)
        elif self._table_depth and self._row is not None:
            return  # whitespace between cells
        else:
            if not self._text and data.strip():
                self._text_line = self.getpos()[0] + data[: len(data) - len(data.lstrip())].count("\n")
            self._text.append(data)

    def _end_cell(self) -> None:
        if self._cell is None or self._row is None:
            return
        text = re.sub(r"\s+", " ", _clean("".join(self._cell))).strip()
        self._place_spanned()
        col = len(self._row)
        colspan, rowspan = self._cell_span
        self._row.append(text)
        self._row.extend([""] * (colspan - 1))
        if rowspan > 1:
            self._row_spans.append((col, colspan, rowspan))
        self._cell = None

    def _place_spanned(self) -> None:
        """Insert the empty cells of columns still covered by a rowspan from above
        (the label stays in the first row, as in a text export)."""
        if self._row is None:
            return
        while len(self._row) in self._spans:
            self._row.append("")

    def _end_row(self) -> None:
        self._end_cell()
        if self._row is None:
            return
        self._place_spanned()
        row = self._row
        # age the rowspans of earlier rows, then register this row's
        spans = {c: (k - 1, t) for c, (k, t) in self._spans.items() if k - 1 > 0}
        for col, colspan, rowspan in self._row_spans:
            for c in range(col, col + colspan):
                spans[c] = (rowspan - 1, "")
        self._spans = spans
        if any(c for c in row):
            self.blocks.append(Block(line=self._row_line, text=" | ".join(row), cells=tuple(row),
                                     table=self._table_no))
        self._row = None

    def close(self) -> None:
        super().close()
        self._end_row()
        self._flush_text()


def _span(v: str | None) -> int:
    try:
        return max(1, min(int(v or 1), 50))
    except ValueError:
        return 1


def blocks_from_html(text: str) -> list[Block]:
    parser = _HTMLBlocks()
    parser.feed(text)
    parser.close()
    return parser.blocks
