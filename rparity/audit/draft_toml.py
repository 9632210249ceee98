"""The draft as data, and writing it as the audit's TOML (examples/audit/README.md).

The recognisers (:mod:`.draft_tables`, :mod:`.draft_text`) produce
:class:`DraftTable` objects; :func:`to_toml` writes them with

* every value a quoted string exactly as printed (counts and arm sizes are
  integers, as the format wants);
* ``source = "line N: <excerpt>"`` on every entry;
* ``# GUESS: ...`` on the line above every guessed field;
* ``# SKIPPED line N: <excerpt> (<why>)`` for everything recognised but not
  understood;
* a header that counts the guesses and skips.

The writer is a few lines of string formatting rather than a TOML library: the
comments are the point of a draft and TOML libraries do not write them. The
result is parsed back with :mod:`tomllib` by the caller's tests.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

__all__ = ["Field", "DraftEntry", "DraftTable", "Skip", "Draft", "to_toml", "quote", "excerpt"]

Value = Union[str, int, list[Any], dict[str, Any]]


@dataclass(frozen=True)
class Field:
    """``key = value``, with the reason when the value is a guess."""

    key: str
    value: Value
    guess: str | None = None


@dataclass(frozen=True)
class Skip:
    """Something recognised but not understood: where, what, and why."""

    line: int
    text: str
    why: str

    def comment(self) -> str:
        return f"# SKIPPED line {self.line}: {excerpt(self.text)} ({self.why})"


@dataclass
class DraftEntry:
    """One ``[[tables.<kind>]]`` entry."""

    kind: str  # contingency, percent, ratio, landmark, survival
    fields: list[Field]
    source: str
    notes: list[str] = field(default_factory=list)  # plain comments above the entry

    def get(self, key: str) -> Value | None:
        return next((f.value for f in self.fields if f.key == key), None)


@dataclass
class DraftTable:
    """One ``[[tables]]`` block."""

    id: str
    title: str
    source: str
    fields: list[Field] = field(default_factory=list)  # arms, n, test, measure, conf_level
    entries: list[DraftEntry] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def get(self, key: str) -> Value | None:
        return next((f.value for f in self.fields if f.key == key), None)


@dataclass
class Draft:
    """The whole draft: its tables, and what did not belong to any table."""

    path: str
    tables: list[DraftTable] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def guesses(self) -> int:
        n = sum(1 for t in self.tables for f in t.fields if f.guess)
        return n + sum(1 for t in self.tables for e in t.entries for f in e.fields if f.guess)

    def n_skipped(self) -> int:
        return len(self.skips) + sum(len(t.skips) for t in self.tables)

    def n_entries(self, kind: str | None = None) -> int:
        return sum(1 for t in self.tables for e in t.entries if kind is None or e.kind == kind)


def excerpt(text: str, width: int = 70) -> str:
    """A one-line excerpt of at most ``width`` characters."""
    s = " ".join(text.split())
    return s if len(s) <= width else s[: width - 1].rstrip() + "…"


def quote(s: str) -> str:
    """A TOML basic string."""
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _value(v: Value) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return quote(v)
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):  # an inline table, e.g. a survival entry's landmark {time = 12, percents = [...]}
        return "{" + ", ".join(f"{k} = {_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"cannot write {v!r} as a TOML value")


def _comment_lines(prefix: str, text: str, width: int = 100) -> list[str]:
    """``# PREFIX text`` wrapped to ``width`` columns, continuation lines indented."""
    words = text.split()
    lines, cur = [], prefix
    for w in words:
        if len(cur) + 1 + len(w) > width and cur != prefix:
            lines.append(cur)
            cur = "#   " + w
        else:
            cur = f"{cur} {w}" if cur else w
    lines.append(cur)
    return lines


def _fields(fields: list[Field]) -> list[str]:
    out: list[str] = []
    for f in fields:
        if f.guess:
            out.extend(_comment_lines("# GUESS:", f.guess))
        line = f"{f.key} = {_value(f.value)}"
        if len(line) > 100 and isinstance(f.value, list) and all(isinstance(x, dict) for x in f.value):
            # a long array one element a line (TOML arrays may span lines; inline tables may not)
            line = f"{f.key} = [\n" + "".join(f"    {_value(x)},\n" for x in f.value) + "]"
        out.append(line)
    return out


def to_toml(d: Draft) -> str:
    """The draft as TOML text, ready for review and then ``rparity audit``."""
    g, s = d.guesses(), d.n_skipped()
    kinds = ", ".join(f"{d.n_entries(k)} {k}" for k in ("contingency", "percent", "ratio", "landmark", "survival")
                      if d.n_entries(k))
    out = [
        f"# DRAFT of reported statistics, written by `rparity audit draft` from {d.path}.",
        "# Every value is copied as printed, with its source line. REVIEW BEFORE AUDITING:",
        f"# {g} GUESS marker{'s' if g != 1 else ''} (search '# GUESS') and {s} SKIPPED "
        f"line{'s' if s != 1 else ''} (search '# SKIPPED') need a person; resolve each guess",
        "# against the paper, delete its marker, then run `rparity audit` on this file.",
    ]
    if d.tables:
        out.append(f"# Found {len(d.tables)} table{'s' if len(d.tables) != 1 else ''}: {kinds or 'no entries'}.")
    else:
        out.append("# NOTHING FOUND: no table of n (%) or ratio cells and no in-text statistic was "
                   "recognised; there is nothing to audit (add [[tables]] by hand).")
    for n in d.notes:
        out.extend(_comment_lines("#", n))
    out += ["", f"title = {quote('Draft: ' + d.path.rsplit('/', 1)[-1])}", f"source = {quote(d.path)}"]
    for sk in d.skips:
        out.append(sk.comment())
    for t in d.tables:
        out += ["", "# " + "-" * 76]
        out.extend(_comment_lines("#", f"{t.id}: {t.title}"))
        for n in t.notes:
            out.extend(_comment_lines("#", n))
        out += ["# " + "-" * 76, "[[tables]]", f"id = {quote(t.id)}", f"title = {quote(t.title)}",
                f"source = {quote(t.source)}"]
        out.extend(_fields(t.fields))
        for sk in t.skips:
            out.append(sk.comment())
        for e in t.entries:
            out.append("")
            for n in e.notes:
                out.extend(_comment_lines("#", n))
            out.append(f"[[tables.{e.kind}]]")
            out.extend(_fields(e.fields))
            out.append(f"source = {quote(e.source)}")
    return "\n".join(out) + "\n"
