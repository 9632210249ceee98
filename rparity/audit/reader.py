"""Reading a file of reported statistics (TOML, or the same structure as a dict).

The format is documented in ``examples/audit/README.md``. In short::

    title = "..."
    [options]                      # optional: AuditSettings fields
    [[tables]]                     # one per table of the paper
    id = "table1-before"
    arms = ["A", "B"]; n = [59, 60]; test = "fisher"
    [[tables.contingency]]         # row = ..., levels, counts, percents, p
    [[tables.percent]]             # label, arm or N, n, percent
    [[tables.ratio]]               # row, printed = "2.1 (1.1-4.0)" or estimate/lower/upper, p
    [[tables.landmark]]            # arm or N, time, percent, events, n_risk

Problems with the file as a whole (not TOML, no ``tables``) raise
:class:`~rparity_contract.errors.InvalidArgument`. Problems with one entry (a malformed
number, a CI whose lower bound exceeds its upper bound, a count larger than its
arm, a missing or unknown field) turn that entry into an
:class:`~.entries.Unreadable` with the reason; the other entries are audited.
"""
from __future__ import annotations

import re
import tomllib
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable

from .entries import (
    CLAIMABLE,
    AuditSettings,
    ContingencyEntry,
    LandmarkEntry,
    PercentEntry,
    RatioEntry,
    TableSpec,
    Unreadable,
    claims_of_kind,
)
from .percent import is_largest_remainder
from .printed import AuditInputError, UnreadableValue, parse_count, parse_p, parse_percent, parse_printed

__all__ = ["load_toml", "read_reported", "read_settings", "Reported", "KINDS"]

KINDS = ("contingency", "percent", "ratio", "landmark", "continuous", "survival")

_TABLE_KEYS = {"id", "title", "source", "arms", "n", "test", "measure", "conf_level",
               "ci_method", *KINDS}
_ENTRY_KEYS = {
    "contingency": {"row", "levels", "counts", "percents", "p", "test", "source", "n", "ordered", "smd"},
    "percent": {"label", "row", "arm", "N", "n", "percent", "source"},
    "ratio": {"row", "printed", "estimate", "lower", "upper", "p", "measure", "conf_level",
              "ci_method", "source"},
    "landmark": {"label", "arm", "N", "time", "percent", "events", "n_risk", "source"},
}
_TOP_KEYS = {"title", "source", "options", "tables"}
_CLAIMABLE = CLAIMABLE
_CI_METHODS = ("wald", "other")


class _Bad(Exception):
    """An entry-level problem (becomes an Unreadable)."""


class Reported:
    """The parsed file: a title, settings, and per table its spec and entries."""

    def __init__(self, title: str, source: str, settings: AuditSettings,
                 tables: list[tuple[TableSpec, list[Any]]]):
        self.title = title
        self.source = source
        self.settings = settings
        self.tables = tables


def load_toml(path: str | Path) -> dict:
    """The TOML file as a dict; InvalidArgument if it cannot be read or parsed."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise AuditInputError(f"cannot read the reported-statistics file {str(p)!r}: {exc.strerror}") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise AuditInputError(f"`{p}` must be UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise AuditInputError(f"`{p}` is not valid TOML: {exc}") from None


def read_settings(opts: Any) -> AuditSettings:
    if opts is None:
        return AuditSettings()
    if not isinstance(opts, dict):
        raise AuditInputError(f"`options` must be a table; got options={opts!r}")
    unknown = set(opts) - {"g_williams", "km_node_budget"}
    if unknown:
        raise AuditInputError(f"`options` has unknown field(s) {sorted(unknown)}; "
                              "known: g_williams, km_node_budget")
    g = opts.get("g_williams", False)
    if not isinstance(g, bool):
        raise AuditInputError(f"`options.g_williams` must be true or false; got g_williams={g!r}")
    b = opts.get("km_node_budget", AuditSettings.km_node_budget)
    if isinstance(b, bool) or not isinstance(b, int) or b < 1:
        raise AuditInputError(f"`options.km_node_budget` must be a positive integer; got km_node_budget={b!r}")
    return AuditSettings(g_williams=g, km_node_budget=b)


def read_reported(data: Any, *, settings: AuditSettings | None = None) -> Reported:
    """Validate the structure and read every entry (unreadable ones included)."""
    if not isinstance(data, dict):
        raise AuditInputError(f"reported statistics must be a table (dict); got {type(data).__name__}")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise AuditInputError(f"unknown top-level field(s) {sorted(unknown)}; known: {sorted(_TOP_KEYS)}")
    tables = data.get("tables")
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        raise AuditInputError("reported statistics must have `tables`, a non-empty array of tables "
                              "([[tables]] in TOML); got " + (
                                  "none" if tables is None else repr(type(tables).__name__)))
    title = data.get("title", "")
    source = data.get("source", "")
    if not isinstance(title, str) or not isinstance(source, str):
        raise AuditInputError("`title` and `source` must be strings")
    s = settings if settings is not None else read_settings(data.get("options"))
    out: list[tuple[TableSpec, list[Any]]] = []
    seen: set[str] = set()
    for i, t in enumerate(tables):
        tid = t.get("id", f"table{i + 1}")
        if not isinstance(tid, str) or not tid:
            tid = f"table{i + 1}"
        if tid in seen:
            raise AuditInputError(f"table ids must be unique; got id={tid!r} twice")
        seen.add(tid)
        out.append(_read_table(t, tid))
    return Reported(title, source, s, out)


# ----------------------------------------------------------------------------
# Tables
# ----------------------------------------------------------------------------


def _read_table(t: dict, tid: str) -> tuple[TableSpec, list[Any]]:
    raw_entries = []
    for kind in KINDS:
        items = t.get(kind, [])
        if not isinstance(items, list) or not all(isinstance(e, dict) for e in items):
            raw_entries.append((kind, None, f"`{kind}` must be an array of tables ([[tables.{kind}]])"))
            continue
        for e in items:
            raw_entries.append((kind, e, None))
    try:
        spec = _table_spec(t, tid)
    except (_Bad, UnreadableValue) as exc:
        reason = f"table {tid!r}: {exc}"
        if not raw_entries:
            return TableSpec(id=tid), [Unreadable(tid, "table", "(table)", reason)]
        return TableSpec(id=tid), [Unreadable(tid, k, _label(k, e), reason) for k, e, _ in raw_entries]
    entries: list[Any] = []
    for kind, e, err in raw_entries:
        if err is not None:
            entries.append(Unreadable(tid, kind, "(all)", err))
            continue
        try:
            entries.extend(_READERS[kind](spec, e))
        except (_Bad, AuditInputError) as exc:
            entries.append(Unreadable(tid, kind, _label(kind, e), str(exc),
                                      source=str(e.get("source", ""))))
    if not entries:
        entries.append(Unreadable(tid, "table", "(table)", f"table {tid!r} has no entries"))
    return spec, entries


def _label(kind: str, e: dict | None) -> str:
    if not isinstance(e, dict):
        return "?"
    if kind == "landmark":
        arm = e.get("arm", e.get("N", "?"))
        return f"{arm} at {e.get('time', '?')}"
    return str(e.get("row", e.get("label", "?")))


def _str_list(x: Any, name: str) -> tuple[str, ...]:
    if not isinstance(x, list) or not all(isinstance(v, str) for v in x):
        raise _Bad(f"`{name}` must be an array of strings; got {name}={x!r}")
    return tuple(x)


def _claimed(x: Any, name: str) -> tuple[str, ...]:
    if x is None:
        return ()
    vals = [x] if isinstance(x, str) else x
    if not isinstance(vals, list) or not all(isinstance(v, str) for v in vals):
        raise _Bad(f"`{name}` must be a test name or an array of them; got {name}={x!r}")
    bad = [v for v in vals if v not in _CLAIMABLE]
    if bad:
        raise _Bad(f"`{name}` must name tests among {', '.join(sorted(_CLAIMABLE))} "
                   f"(an array means any of them); got {name}={bad[0]!r}")
    return tuple(vals)


def _conf_level(x: Any, name: str) -> Fraction:
    """A nominal confidence level: "95", "95%", 95, "0.95", 0.95 (exact, not rounded)."""
    if isinstance(x, bool):
        raise _Bad(f"`{name}` must be a confidence level such as \"95\" or 0.95; got {name}={x!r}")
    if isinstance(x, (int, float)):
        q = Fraction(str(x))
    elif isinstance(x, str):
        s = x.strip().rstrip("%").strip()
        try:
            q = Fraction(s)
        except (ValueError, ZeroDivisionError):
            raise _Bad(f"`{name}` must be a confidence level such as \"95\" or 0.95; got {name}={x!r}") from None
    else:
        raise _Bad(f"`{name}` must be a confidence level such as \"95\" or 0.95; got {name}={x!r}")
    if q > 1:
        q = q / 100
    if not (0 < q < 1):
        raise _Bad(f"`{name}` must be between 0 and 100 percent (exclusive); got {name}={x!r}")
    return q


def _table_spec(t: dict, tid: str) -> TableSpec:
    unknown = set(t) - _TABLE_KEYS
    if unknown:
        raise _Bad(f"unknown field(s) {sorted(unknown)}; known: {sorted(_TABLE_KEYS)}")
    arms = _str_list(t["arms"], "arms") if "arms" in t else ()
    n = None
    if "n" in t:
        if not isinstance(t["n"], list):
            raise _Bad(f"`n` must be an array of arm sizes; got n={t['n']!r}")
        n = tuple(parse_count(v, f"n[{i}]") for i, v in enumerate(t["n"]))
        if arms and len(n) != len(arms):
            raise _Bad(f"`n` must give one size per arm ({len(arms)} arms); got {len(n)} sizes")
        if any(v == 0 for v in n):
            raise _Bad(f"arm sizes `n` must be positive; got n={list(n)!r}")
    if len(set(arms)) != len(arms):
        raise _Bad(f"`arms` must be distinct; got arms={list(arms)!r}")
    for key in ("title", "source", "measure"):
        if key in t and not isinstance(t[key], str):
            raise _Bad(f"`{key}` must be a string; got {key}={t[key]!r}")
    ci_method = t.get("ci_method", "wald")
    if ci_method not in _CI_METHODS:
        raise _Bad(f"`ci_method` must be one of {', '.join(map(repr, _CI_METHODS))}; got ci_method={ci_method!r}")
    return TableSpec(
        id=tid,
        title=t.get("title", ""),
        source=t.get("source", ""),
        arms=arms,
        n=n,
        test=_claimed(t.get("test"), "test"),
        measure=t.get("measure", "HR"),
        conf_level=_conf_level(t.get("conf_level", "95"), "conf_level"),
        ci_method=ci_method,
    )


def _check_keys(kind: str, e: dict) -> None:
    unknown = set(e) - _ENTRY_KEYS[kind]
    if unknown:
        raise _Bad(f"unknown field(s) {sorted(unknown)}; known: {sorted(_ENTRY_KEYS[kind])}")


def _need(e: dict, key: str) -> Any:
    if key not in e:
        raise _Bad(f"missing field `{key}`")
    return e[key]


def _arm_N(spec: TableSpec, e: dict) -> tuple[str, int]:
    """The arm label and its size, from ``N`` or from ``arm`` and the table's ``n``."""
    if "N" in e:
        N = parse_count(e["N"], "N")
        arm = e.get("arm", "")
        if not isinstance(arm, str):
            raise _Bad(f"`arm` must be a string; got arm={arm!r}")
        if arm and spec.arm_size(arm) is not None and spec.arm_size(arm) != N:
            raise _Bad(f"`N` = {N} disagrees with the table's n = {spec.arm_size(arm)} for arm {arm!r}")
    elif "arm" in e:
        arm = e["arm"]
        if not isinstance(arm, str) or arm not in spec.arms:
            raise _Bad(f"`arm` must be one of the table's arms {list(spec.arms)!r}; got arm={arm!r}")
        N = spec.arm_size(arm)
        if N is None:
            raise _Bad(f"the table gives no arm sizes `n`, so give `N` for arm {arm!r}")
    else:
        raise _Bad("missing field `N` (or `arm`, naming one of the table's arms)")
    if N == 0:
        raise _Bad("the arm size `N` must be positive; got N=0")
    return arm, N


# ----------------------------------------------------------------------------
# Entries
# ----------------------------------------------------------------------------


def _read_contingency(spec: TableSpec, e: dict) -> list[Any]:
    _check_keys("contingency", e)
    row = _need(e, "row")
    if not isinstance(row, str):
        raise _Bad(f"`row` must be a string; got row={row!r}")
    src = str(e.get("source", spec.source))
    counts_raw = _need(e, "counts")
    if not isinstance(counts_raw, list) or len(counts_raw) < 2 or not all(isinstance(r, list) for r in counts_raw):
        raise _Bad("`counts` must be an array of at least 2 levels, each an array with one count per arm; "
                   f"got counts={counts_raw!r}")
    counts = tuple(tuple(parse_count(v, f"counts[{i}][{j}]") for j, v in enumerate(r))
                   for i, r in enumerate(counts_raw))
    k = len(counts[0])
    if k < 2 or any(len(r) != k for r in counts):
        raise _Bad(f"every level of `counts` must have the same number (>= 2) of arms; got lengths "
                   f"{[len(r) for r in counts]}")
    if spec.arms and k != len(spec.arms):
        raise _Bad(f"`counts` has {k} arms per level but the table has {len(spec.arms)} arms")
    levels = _str_list(e["levels"], "levels") if "levels" in e else tuple(f"level {i + 1}" for i in range(len(counts)))
    if len(levels) != len(counts):
        raise _Bad(f"`levels` has {len(levels)} names for {len(counts)} levels of `counts`")
    # arm sizes: entry `n` overrides the table's
    if "n" in e:
        if not isinstance(e["n"], list):
            raise _Bad(f"`n` must be an array of arm sizes; got n={e['n']!r}")
        arm_n = tuple(parse_count(v, f"n[{i}]") for i, v in enumerate(e["n"]))
    else:
        arm_n = spec.n
    if arm_n is not None and len(arm_n) != k:
        raise _Bad(f"`n` gives {len(arm_n)} arm sizes for {k} arms")
    arm_names = spec.arms if spec.arms else tuple(f"arm {j + 1}" for j in range(k))
    notes: list[str] = []
    if arm_n is not None:
        for j in range(k):
            col = sum(r[j] for r in counts)
            big = [r[j] for r in counts if r[j] > arm_n[j]]
            if big:
                raise _Bad(f"count {big[0]} in arm {arm_names[j]!r} is larger than the arm (n = {arm_n[j]})")
            if col > arm_n[j]:
                raise _Bad(f"counts in arm {arm_names[j]!r} sum to {col}, more than the arm (n = {arm_n[j]})")
            if col < arm_n[j]:
                notes.append(f"counts in arm {arm_names[j]!r} sum to {col} < n = {arm_n[j]} "
                             "(missing values?); the test uses the counts")
    # A level that is zero in every arm carries no information: SPSS leaves it
    # out of the table it tests, R's fisher.test gives the same p without it and
    # chisq.test gives NaN (an expected count of 0). Test the table without it.
    zero = [i for i, r in enumerate(counts) if sum(r) == 0]
    test_counts, test_levels = counts, levels
    if zero:
        test_counts = tuple(r for i, r in enumerate(counts) if i not in zero)
        test_levels = tuple(lv for i, lv in enumerate(levels) if i not in zero)
        names = ", ".join(repr(levels[i]) for i in zero)
        notes.append(f"level{'s' if len(zero) > 1 else ''} {names} {'are' if len(zero) > 1 else 'is'} 0 in "
                     "every arm: left out of the tests (as SPSS does; R's chisq.test would give NaN)")
        if len(test_counts) < 2:  # nothing left to test: keep the table as printed
            test_counts, test_levels = counts, levels
            notes[-1] = (f"only level{'s' if len(zero) > 1 else ''} {names} "
                         f"{'are' if len(zero) > 1 else 'is'} 0 in every arm")
    ordered = e.get("ordered", False)
    if not isinstance(ordered, bool):
        raise _Bad(f"`ordered` must be true or false; got ordered={ordered!r}")
    p = parse_p(e["p"], "p") if "p" in e else None
    claim_text = _claimed(e["test"], "test") if "test" in e else spec.test
    if "test" in e:
        test = claims_of_kind(claim_text, "contingency")
        if not test:
            raise _Bad(f"`test` must name tests of a categorical row (e.g. fisher, chisq, chi-square, "
                       f"chisq_or_fisher, cochran_armitage); got test={e['test']!r}")
    else:
        test = claims_of_kind(spec.test, "contingency")
    smd = parse_printed(e["smd"], "smd") if "smd" in e else None
    if smd is not None and k != 2:
        raise _Bad(f"`smd` needs a row of 2 arms; this row has {k}")
    if p is None and smd is None and "percents" not in e:
        raise _Bad("missing field `p` (a contingency row needs its printed p-value, or at least `smd` "
                   "or `percents`)")
    out: list[Any] = []
    if p is not None or smd is not None:
        out.append(ContingencyEntry(table=spec, row=row, levels=test_levels, counts=test_counts, p=p,
                                    test=test, source=src, notes=tuple(notes), ordered=ordered,
                                    claim_text=tuple(t for t in claim_text if claims_of_kind((t,), "contingency")),
                                    smd=smd, arm_names=arm_names))
    if "percents" in e:
        try:
            out.extend(_row_percents(spec, e["percents"], row, levels, counts, arm_n, arm_names, src))
        except _Bad as exc:
            out.append(Unreadable(spec.id, "percent", f"{row}: percents", str(exc), source=src))
    return out


def _row_percents(spec, pct_raw, row, levels, counts, arm_n, arm_names, src) -> list[Any]:
    if arm_n is None:
        raise _Bad("`percents` need the arm sizes: give the table's `n` (or the row's `n`)")
    if (not isinstance(pct_raw, list) or len(pct_raw) != len(counts)
            or not all(isinstance(r, list) and len(r) == len(counts[0]) for r in pct_raw)):
        raise _Bad("`percents` must have the shape of `counts` (one array per level, one printed "
                   f"percentage per arm); got percents={pct_raw!r}")
    out: list[Any] = []
    parsed: dict[tuple[int, int], Any] = {}
    for i, r in enumerate(pct_raw):
        for j, txt in enumerate(r):
            if txt is None or txt == "":
                continue
            try:
                parsed[i, j] = parse_percent(txt, f"percents[{i}][{j}]")
            except UnreadableValue as exc:
                parsed[i, j] = exc
    # a column printed in full may be a largest-remainder rounding (sums to 100)
    lr: dict[int, int] = {}
    for j in range(len(counts[0])):
        col_pr = [parsed.get((i, j)) for i in range(len(counts))]
        if all(hasattr(c, "interval") for c in col_pr):
            col_counts = [r[j] for r in counts]
            for total in dict.fromkeys((arm_n[j], sum(col_counts))):
                if is_largest_remainder(col_pr, col_counts, total):
                    lr[j] = total
                    break
    for i in range(len(counts)):
        for j in range(len(counts[0])):
            if (i, j) not in parsed:
                continue
            label = f"{row}: {levels[i]}, {arm_names[j]}"
            pr = parsed[i, j]
            if isinstance(pr, UnreadableValue):
                out.append(Unreadable(spec.id, "percent", label, str(pr), source=src))
                continue
            col = sum(r[j] for r in counts)
            out.append(PercentEntry(table=spec, label=label, N=arm_n[j], percent=pr,
                                    n=counts[i][j], source=src,
                                    available=col if 0 < col < arm_n[j] else None,
                                    largest_remainder=lr.get(j)))
    return out


def _read_percent(spec: TableSpec, e: dict) -> list[Any]:
    _check_keys("percent", e)
    label = e.get("label", e.get("row", ""))
    if not isinstance(label, str):
        raise _Bad(f"`label` must be a string; got label={label!r}")
    arm, N = _arm_N(spec, e)
    pr = parse_percent(_need(e, "percent"), "percent")
    n = parse_count(e["n"], "n") if "n" in e else None
    if n is not None and n > N:
        raise _Bad(f"count n = {n} is larger than its arm (N = {N})")
    full = f"{label} ({arm})" if arm else label
    return [PercentEntry(table=spec, label=full, N=N, percent=pr, n=n,
                         source=str(e.get("source", spec.source)))]


_RATIO_TEXT = re.compile(
    r"^\s*(?P<est>[^\s(\[]+)\s*[(\[]\s*(?P<lo>[^\s,;]+?)\s*(?:-|–|—|‒|,|;|\bto\b)\s*(?P<hi>[^\s)\]]+)\s*[)\]]\s*$")


def _read_ratio(spec: TableSpec, e: dict) -> list[Any]:
    _check_keys("ratio", e)
    row = _need(e, "row")
    if not isinstance(row, str):
        raise _Bad(f"`row` must be a string; got row={row!r}")
    if "printed" in e:
        if any(k in e for k in ("estimate", "lower", "upper")):
            raise _Bad("give either `printed` or `estimate`/`lower`/`upper`, not both")
        txt = e["printed"]
        m = _RATIO_TEXT.match(txt) if isinstance(txt, str) else None
        if m is None:
            raise _Bad("`printed` must look like \"2.18 (1.07-4.44)\" (estimate, then the interval "
                       f"in brackets); got printed={txt!r}")
        est_t, lo_t, hi_t = m.group("est"), m.group("lo"), m.group("hi")
    else:
        est_t, lo_t, hi_t = _need(e, "estimate"), _need(e, "lower"), _need(e, "upper")
    est = parse_printed(est_t, "estimate")
    lo = parse_printed(lo_t, "lower")
    hi = parse_printed(hi_t, "upper")
    # A bound below the printed precision is printed "<0.01" (lower) or ">100"
    # (upper): exact inequalities, read as (0, 0.01) and (100, inf).
    allowed = {"estimate": ("=",), "lower": ("=", "<", "<="), "upper": ("=", ">", ">=")}
    for name, pr in (("estimate", est), ("lower", lo), ("upper", hi)):
        if pr.relation not in allowed[name]:
            raise _Bad(f"`{name}` must be a printed value"
                       + (f" or {' / '.join(repr(r) for r in allowed[name][1:])} a bound" if name != "estimate" else "")
                       + f", not this inequality; got {name}={pr.text!r}")
        if pr.value < 0:
            raise _Bad(f"`{name}` of a ratio must be positive; got {name}={pr.text!r}")
    if lo.value > hi.value:
        raise _Bad(f"the confidence interval's lower bound exceeds its upper bound; got "
                   f"lower={lo.text!r}, upper={hi.text!r}")
    p = parse_p(e["p"], "p") if "p" in e else None
    measure = e.get("measure", spec.measure)
    if not isinstance(measure, str):
        raise _Bad(f"`measure` must be a string; got measure={measure!r}")
    cl = _conf_level(e["conf_level"], "conf_level") if "conf_level" in e else spec.conf_level
    ci_method = e.get("ci_method", spec.ci_method)
    if ci_method not in _CI_METHODS:
        raise _Bad(f"`ci_method` must be one of {', '.join(map(repr, _CI_METHODS))}; got ci_method={ci_method!r}")
    return [RatioEntry(table=spec, row=row, estimate=est, lower=lo, upper=hi, p=p, measure=measure,
                       conf_level=cl, ci_method=ci_method, source=str(e.get("source", spec.source)))]


def _read_landmark(spec: TableSpec, e: dict) -> list[Any]:
    _check_keys("landmark", e)
    arm, N = _arm_N(spec, e)
    time = e.get("time", "")
    if not isinstance(time, (str, int, float)) or isinstance(time, bool):
        raise _Bad(f"`time` must be a string or a number; got time={time!r}")
    pr = parse_percent(_need(e, "percent"), "percent")
    events = parse_count(e["events"], "events") if "events" in e else None
    n_risk = parse_count(e["n_risk"], "n_risk") if "n_risk" in e else None
    if events is not None and events > N:
        raise _Bad(f"`events` = {events} is larger than the arm (N = {N})")
    if n_risk is not None and n_risk > N:
        raise _Bad(f"`n_risk` = {n_risk} is larger than the arm (N = {N})")
    label = e.get("label") or f"{arm or f'N={N}'} at {time}"
    if not isinstance(label, str):
        raise _Bad(f"`label` must be a string; got label={label!r}")
    return [LandmarkEntry(table=spec, label=label, N=N, percent=pr, time=str(time), events=events,
                          n_risk=n_risk, source=str(e.get("source", spec.source)))]


def _read_continuous(spec: TableSpec, e: dict) -> list[Any]:
    from .continuous import read_continuous

    return read_continuous(spec, e)


def _read_survival(spec: TableSpec, e: dict) -> list[Any]:
    from .survival import read_survival

    return read_survival(spec, e)


_READERS: dict[str, Callable[[TableSpec, dict], list[Any]]] = {
    "contingency": _read_contingency,
    "percent": _read_percent,
    "ratio": _read_ratio,
    "landmark": _read_landmark,
    "continuous": _read_continuous,
    "survival": _read_survival,
}
