"""Printed numbers and the intervals their rounding allows.

A number printed in a paper stands for every real value that the authors'
software could have printed that way. This module turns the printed text into
that set, exactly, as an interval with rational ends (:class:`RInterval`).

Rounding conventions
--------------------
"0.214" (3 decimals) was produced from a value x by rounding to 3 decimals, with
one of the two conventions in use: half-up (half away from zero: SPSS, SAS, Excel)
or half-even (IEEE, R's ``sprintf``/``format`` and C's ``printf`` on the binary
value). Both put x within half a unit of the last place, 0.0005, of 0.214; they
differ only at the two ties 0.2135 and 0.2145:

* the tie nearer zero, 0.2135, rounds *to* 0.214 under half-up: always included;
* the tie farther from zero, 0.2145, rounds to 0.214 only under half-even and only
  when the printed last digit is even (4 here): included then, excluded when the
  last digit is odd ("0.153" excludes 0.1535, which both conventions round to
  0.154) -- **unless** the tie is not exactly representable as a binary float
  (its reduced denominator is not a power of two, e.g. 0.1535). Software never
  holds such a value exactly: a float an ulp either side of it is rounded, so
  either neighbour can be printed, and the tie is included.

So ``"0.214"`` is ``[0.2135, 0.2145]``; ``"17"`` is ``[16.5, 17.5)`` (17.5 is a
binary float and rounds to 18 either way; 16.5 rounds up to 17); ``"12"`` is
``[11.5, 12.5]``. This is generous by exactly the ambiguity of the convention and
of the floating-point value, never by a tolerance.

* Trailing zeros count: "0.05" is 2 decimals, ``[0.045, 0.055]``; "0.050" is
  ``[0.0495, 0.0505]``. This is why printed values must be passed as strings.
  (If software dropped a trailing zero -- R prints 0.050 as "0.05" -- the
  2-decimal interval contains the 3-decimal one, so we stay generous.)
* "1.2e-5", "1.2 x 10^-5", "1.2×10⁻⁵": the decimals are those of the mantissa,
  scaled by the exponent: ``[1.15e-5, 1.25e-5]``.
* "<0.001", "P < .001": the value is strictly below the bound, which is exact
  (not rounded): ``(-inf, 0.001)``; the checker intersects it with the domain of
  the statistic (a p-value: ``(0, 0.001)``). "<=", "≤", ">", ">=", "≥" likewise.
* "P = .03", "p=0.03", "P .03": the ``P``/``p`` label and ``=`` are dropped.
* A trailing "%" is dropped where a percentage is expected.

Refused (the entry is reported as unreadable with the reason): anything that is
not one number in one of these forms, e.g. "0.O5" (letter O) and "1,234" (a
comma is ambiguous: thousands separator or decimal comma).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from rparity_contract.errors import InvalidArgument

__all__ = [
    "RInterval",
    "Printed",
    "parse_printed",
    "parse_p",
    "parse_percent",
    "parse_count",
    "UnreadableValue",
    "fmt_fraction",
]


class AuditInputError(InvalidArgument):
    """A file of reported statistics that cannot be read as written (the
    audit's own input: its refusal kind is always ``argument.value``)."""

    def __init__(self, message: str):
        super().__init__(message, kind="argument.value")


class UnreadableValue(AuditInputError):
    """A printed value could not be read as a number."""


# ----------------------------------------------------------------------------
# Exact intervals
# ----------------------------------------------------------------------------


def fmt_fraction(q: Fraction | None, *, digits: int = 12) -> str:
    """A rational shown as a short decimal: exact when it terminates within
    ``digits`` significant digits (``Fraction(2135, 10000)`` -> ``"0.2135"``),
    otherwise rounded to ``digits`` significant digits with a ``~`` prefix."""
    if q is None:
        return "inf"
    if q.denominator == 1:
        return str(q.numerator)
    # terminating decimal? denominator 2^a 5^b
    d = q.denominator
    a = b = 0
    while d % 2 == 0:
        d //= 2
        a += 1
    while d % 5 == 0:
        d //= 5
        b += 1
    if d == 1:
        places = max(a, b)
        s = _decimal_string(q, places)
        if len(s.replace("-", "").replace(".", "").lstrip("0")) <= digits:
            return s
    return "~" + f"{float(q):.{digits}g}"


def _decimal_string(q: Fraction, places: int) -> str:
    sign = "-" if q < 0 else ""
    q = abs(q)
    scaled = q.numerator * 10**places // q.denominator
    s = str(scaled).rjust(places + 1, "0")
    whole, frac = s[: len(s) - places], s[len(s) - places:]
    frac = frac.rstrip("0")
    return sign + whole + ("." + frac if frac else "")


@dataclass(frozen=True)
class RInterval:
    """An interval of the real line with rational ends (``None`` = unbounded).

    ``lo_closed`` / ``hi_closed`` say whether each finite end belongs to it.
    """

    lo: Fraction | None
    hi: Fraction | None
    lo_closed: bool = True
    hi_closed: bool = True

    @classmethod
    def closed(cls, lo: Fraction | int, hi: Fraction | int) -> "RInterval":
        return cls(Fraction(lo), Fraction(hi), True, True)

    @classmethod
    def point(cls, x: Fraction | int) -> "RInterval":
        return cls(Fraction(x), Fraction(x), True, True)

    def is_empty(self) -> bool:
        if self.lo is None or self.hi is None:
            return False
        if self.lo < self.hi:
            return False
        if self.lo > self.hi:
            return True
        return not (self.lo_closed and self.hi_closed)

    def contains(self, x: Fraction | int) -> bool:
        x = Fraction(x)
        if self.lo is not None and (x < self.lo or (x == self.lo and not self.lo_closed)):
            return False
        if self.hi is not None and (x > self.hi or (x == self.hi and not self.hi_closed)):
            return False
        return True

    def intersect(self, other: "RInterval") -> "RInterval":
        """The intersection (possibly empty: check :meth:`is_empty`)."""
        lo, lo_c = _max_end(self.lo, self.lo_closed, other.lo, other.lo_closed)
        hi, hi_c = _min_end(self.hi, self.hi_closed, other.hi, other.hi_closed)
        return RInterval(lo, hi, lo_c, hi_c)

    def scale(self, k: Fraction | int) -> "RInterval":
        """``{k x : x in self}`` for k > 0."""
        k = Fraction(k)
        if k <= 0:
            raise ValueError("scale factor must be positive")
        return RInterval(None if self.lo is None else self.lo * k,
                         None if self.hi is None else self.hi * k,
                         self.lo_closed, self.hi_closed)

    def __str__(self) -> str:
        left = "[" if (self.lo is not None and self.lo_closed) else "("
        right = "]" if (self.hi is not None and self.hi_closed) else ")"
        lo = "-inf" if self.lo is None else fmt_fraction(self.lo)
        hi = "inf" if self.hi is None else fmt_fraction(self.hi)
        return f"{left}{lo}, {hi}{right}"

    def to_dict(self) -> dict:
        return {
            "lo": None if self.lo is None else fmt_fraction(self.lo),
            "hi": None if self.hi is None else fmt_fraction(self.hi),
            "lo_closed": self.lo_closed,
            "hi_closed": self.hi_closed,
            "text": str(self),
        }


def _max_end(a, a_closed, b, b_closed):
    if a is None:
        return b, b_closed
    if b is None:
        return a, a_closed
    if a > b:
        return a, a_closed
    if b > a:
        return b, b_closed
    return a, a_closed and b_closed


def _min_end(a, a_closed, b, b_closed):
    if a is None:
        return b, b_closed
    if b is None:
        return a, a_closed
    if a < b:
        return a, a_closed
    if b < a:
        return b, b_closed
    return a, a_closed and b_closed


# ----------------------------------------------------------------------------
# Parsing
# ----------------------------------------------------------------------------

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_RELATIONS = {"=": "=", "<": "<", ">": ">", "<=": "<=", ">=": ">=", "≤": "<=", "≥": ">=",
              "⩽": "<=", "⩾": ">="}
_NUMBER = re.compile(
    r"""^(?P<rel><=|>=|≤|≥|⩽|⩾|=|<|>)?\s*
        (?P<mant>[+-]?(?:\d+(?:\.\d*)?|\.\d+))
        (?:
           [eE](?P<e1>[+-]?\d+)
         | \s*[x×·*]\s*10\s*\^\s*\(?(?P<e2>[+-]?\d+)\)?
        )?$""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Printed:
    """A printed number and the interval of values its printing allows.

    Attributes
    ----------
    text : str
        The text as given.
    relation : str
        ``"="`` (a rounded value), ``"<"``, ``"<="``, ``">"`` or ``">="``.
    value : Fraction
        The number printed, exactly (``"0.214"`` -> 214/1000).
    decimals : int
        Decimal places of the mantissa (trailing zeros count).
    exponent : int
        Power of ten of a scientific form (0 otherwise).
    interval : RInterval
        The values consistent with the printing (module docstring).
    """

    text: str
    relation: str
    value: Fraction
    decimals: int
    exponent: int
    interval: RInterval

    @property
    def half_unit(self) -> Fraction:
        """Half a unit in the last printed place (0 for an inequality)."""
        if self.relation != "=":
            return Fraction(0)
        return Fraction(1, 2) * Fraction(10) ** (self.exponent - self.decimals)

    def to_dict(self) -> dict:
        return {"text": self.text, "interval": self.interval.to_dict()}


def _normalise(text: str) -> str:
    s = text.strip()
    s = s.replace("\u2212", "-").replace("\u2009", " ").replace("\u00a0", " ").replace("\u202f", " ")
    # "10⁻⁵" -> "10^-5"
    s = re.sub(r"10([⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+)", lambda m: "10^" + m.group(1).translate(_SUPERSCRIPTS), s)
    return s


def parse_printed(text: object, name: str, *, allow_percent: bool = False,
                  allow_p_label: bool = False) -> Printed:
    """Read a printed number into a :class:`Printed`.

    Raises :class:`UnreadableValue` (an ``InvalidArgument``) naming ``name`` and
    the reason when ``text`` is not a string holding one number.
    """
    if isinstance(text, bool) or not isinstance(text, str):
        kind = type(text).__name__
        hint = ""
        if isinstance(text, (int, float)) and not isinstance(text, bool):
            hint = (" (write it as a quoted string exactly as printed, e.g. "
                    f"{name} = \"{text}\", so that trailing zeros survive)")
        raise UnreadableValue(f"`{name}` must be the printed text as a string{hint}; "
                              f"got {name}={text!r} ({kind})")
    s = _normalise(text)
    if allow_p_label:
        s = re.sub(r"^[Pp]\s*(?=[=<>≤≥⩽⩾.\d\s])", "", s).strip()
    if allow_percent and s.endswith("%"):
        s = s[:-1].rstrip()
    if "," in s:
        raise UnreadableValue(
            f"`{name}` must not contain a comma (thousands separator or decimal comma? "
            f"write the number with a decimal point and no separators); got {name}={text!r}")
    m = _NUMBER.match(s)
    if m is None:
        raise UnreadableValue(
            f"`{name}` must be one printed number such as \"0.214\", \"<0.001\", \"1.2e-5\" "
            f"or \"P = .03\"; got {name}={text!r}")
    rel = _RELATIONS[m.group("rel")] if m.group("rel") else "="
    mant = m.group("mant")
    exp_txt = m.group("e1") or m.group("e2")
    exponent = int(exp_txt) if exp_txt else 0
    decimals = len(mant.split(".", 1)[1]) if "." in mant else 0
    value = Fraction(mant) * Fraction(10) ** exponent
    if rel == "=":
        interval = _rounding_interval(value, mant, exponent, decimals)
    elif rel == "<":
        interval = RInterval(None, value, False, False)
    elif rel == "<=":
        interval = RInterval(None, value, False, True)
    elif rel == ">":
        interval = RInterval(value, None, False, False)
    else:  # ">="
        interval = RInterval(value, None, True, False)
    return Printed(text=text, relation=rel, value=value, decimals=decimals,
                   exponent=exponent, interval=interval)


def _in_domain(pr: Printed, lo: int, hi: int, name: str, what: str) -> Printed:
    """Refuse a printed value no value of the statistic can round to: an
    impossible value (p = 1.5, 150 %) is unreadable, not "inconsistent" (it says
    nothing about the test; the transcription or the print is wrong)."""
    if pr.interval.intersect(RInterval.closed(lo, hi)).is_empty():
        raise UnreadableValue(f"`{name}` is {what}, which lies in [{lo}, {hi}]; got {name}={pr.text!r}, "
                              "which no such value prints as")
    return pr


def parse_p(text: object, name: str = "p") -> Printed:
    """A printed p-value ("0.214", "P < .001", ".000"); refused outside [0, 1]."""
    return _in_domain(parse_printed(text, name, allow_p_label=True), 0, 1, name, "a p-value")


def parse_percent(text: object, name: str = "percent") -> Printed:
    """A printed percentage ("62.7", "62.7%"); refused outside [0, 100]."""
    return _in_domain(parse_printed(text, name, allow_percent=True), 0, 100, name, "a percentage")


def _is_binary_float(q: Fraction) -> bool:
    """Is q exactly representable in binary (reduced denominator a power of 2)?"""
    d = q.denominator
    return d & (d - 1) == 0


def _rounding_interval(value: Fraction, mant: str, exponent: int, decimals: int) -> RInterval:
    """The values that half-up or half-even rounding prints as ``mant`` (module docstring)."""
    h = Fraction(1, 2) * Fraction(10) ** (exponent - decimals)
    last_even = int(mant.rstrip(".")[-1]) % 2 == 0
    lo, hi = value - h, value + h
    if value > 0:
        far, far_end = hi, "hi"
    elif value < 0:
        far, far_end = lo, "lo"
    else:  # "0.0": both ties are "far"; 0 is even, so both are included
        return RInterval(lo, hi, True, True)
    far_closed = last_even or not _is_binary_float(far)
    if far_end == "hi":
        return RInterval(lo, hi, True, far_closed)
    return RInterval(lo, hi, far_closed, True)


_DIGITS = re.compile(r"^\s*\d+\s*$")


def parse_count(x: object, name: str) -> int:
    """A count: a TOML integer, or a string of digits. Anything else (negative,
    fractional, "1,234", "12a") raises :class:`UnreadableValue`."""
    if isinstance(x, bool):
        raise UnreadableValue(f"`{name}` must be a non-negative integer count; got {name}={x!r}")
    if isinstance(x, int):
        if x < 0:
            raise UnreadableValue(f"`{name}` must be a non-negative integer count; got {name}={x!r}")
        return x
    if isinstance(x, str):
        if "," in x:
            raise UnreadableValue(
                f"`{name}` must be a whole number without separators; got {name}={x!r}")
        if _DIGITS.match(x):
            return int(x)
    raise UnreadableValue(f"`{name}` must be a non-negative integer count; got {name}={x!r}")
