"""How R turns values into the strings it sorts, where the order matters.

MatchIt labels an exact stratum with ``sprintf("%s = %s", name, value)``
(``exactify(include_vars = TRUE)``) and sorts the labels (``factor()``, C
collation here: code-point order). The order decides which stratum's
``sample.int`` draws come first with ``m_order = "random"``. ``as.character``
of a double uses up to 15 significant digits and prefers scientific notation
when it is shorter (``1e+05``, but ``123456``).
"""
from __future__ import annotations

import math

__all__ = ["r_as_character_num", "r_format", "r_label", "stratum_label"]


def r_format(x: float, digits: int = 7) -> str:
    """``format(x)`` of one double (``digits = 7``, scipen = 0): the fewest
    significant digits (up to ``digits``) that show x at that precision, fixed
    notation unless scientific is shorter."""
    return r_as_character_num(x, digits)


def r_as_character_num(x: float, digits: int = 15) -> str:
    """``as.character(x)`` for a finite double (R 4.2, scipen = 0)."""
    if x == 0:
        return "0"
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Inf" if x > 0 else "-Inf"
    # fewest significant digits (<= digits) that reproduce x at that precision
    target = float(f"{x:.{digits}g}")
    for nsig in range(1, digits + 1):
        if float(f"{x:.{nsig - 1}e}") == target:
            break
    mant, exp = f"{x:.{nsig - 1}e}".split("e")
    e = int(exp)
    sci = mant.rstrip("0").rstrip(".") if "." in mant else mant
    sci = f"{sci}e{'+' if e >= 0 else '-'}{abs(e):02d}"
    # fixed notation with the same significant digits
    decimals = max(0, nsig - 1 - e)
    fixed = f"{abs(x):.{decimals}f}"
    if "." in fixed:
        fixed = fixed.rstrip("0").rstrip(".")
    if x < 0:
        fixed = "-" + fixed
    return fixed if len(fixed) <= len(sci) else sci


def r_label(v) -> str:
    """``as.character`` of one level value: a number as R prints it (``1``,
    not ``1.0``), a logical as ``TRUE``/``FALSE``, anything else as ``str``."""
    import numpy as np

    if isinstance(v, (bool, np.bool_)):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return r_as_character_num(float(v))
    return str(v)


def stratum_label(names: list[str], values: list) -> str:
    """``exactify(..., sep = ", ", include_vars = TRUE)`` of one unit."""
    parts = []
    for nm, v in zip(names, values):
        if isinstance(v, str):
            parts.append(f'{nm} = "{v}"')
        elif isinstance(v, bool):
            parts.append(f"{nm} = {'TRUE' if v else 'FALSE'}")
        elif isinstance(v, int):
            parts.append(f"{nm} = {v}")
        else:
            parts.append(f"{nm} = {r_as_character_num(float(v))}")
    return ", ".join(parts)


# -- format() of a numeric vector (R's formatReal + encodeReal0, digits = 7) ------------
_KP_MAX = 22


def _scientific(x: float, digits: int) -> tuple[int, int, int, bool]:
    """R's ``scientific()`` (src/main/format.c): (neg, kpower, nsig,
    roundingwidens) of one finite double, the scaling in long double as C's."""
    import numpy as np

    if x == 0.0:
        return 0, 0, 1, False
    neg = 1 if x < 0 else 0
    r = -x if neg else x
    ld = np.longdouble
    kp = int(math.floor(math.log10(r))) - digits + 1
    r_prec = ld(r)
    if abs(kp) < 10:
        if kp > 0:
            r_prec = r_prec / ld(10.0 ** kp)
        elif kp < 0:
            r_prec = r_prec * ld(10.0 ** -kp)
    else:
        r_prec = r_prec / (ld(10) ** ld(kp))
    if r_prec < ld(10.0 ** (digits - 1)):
        r_prec = r_prec * ld(10.0)
        kp -= 1
    alpha = float(np.rint(r_prec))  # nearbyintl
    nsig = digits
    for _ in range(digits):
        alpha /= 10.0
        if alpha == math.floor(alpha):
            nsig -= 1
        else:
            break
    if nsig == 0 and digits > 0:
        nsig = 1
        kp += 1
    kpower = kp + digits - 1
    rgt = max(0, min(_KP_MAX, digits - kpower))
    fuzz = 0.5 / 10.0 ** rgt
    widens = 0 < kpower <= _KP_MAX and r < 10.0 ** kpower - fuzz
    return neg, kpower, nsig, widens


def r_format_numbers(x, digits: int = 7) -> list[str]:
    """``format(x)`` of a double vector (common notation and decimals, as
    ``formatReal``), without the padding to a common width: the strings R
    compares when it labels values by their printed form (MatchIt's
    ``exactify``). NA prints ``NA``, NaN ``NaN``, infinities ``Inf``/``-Inf``."""
    vals = [float(v) for v in x]
    lo = -(10**9)
    rgt = mxl = mxsl = mxns = mxe = lo
    mne = 10**9
    neg = 0
    for v in vals:
        if not math.isfinite(v):
            continue
        neg_i, kpower, nsig, widens = _scientific(v, digits)
        left = kpower + 1 - (1 if widens else 0)
        sleft = neg_i + (1 if left <= 0 else left)
        neg = max(neg, neg_i)
        rgt = max(rgt, nsig - left)  # digits right of the point
        mxl = max(mxl, left)
        mxsl = max(mxsl, sleft)
        mxns = max(mxns, nsig)
        mxe = max(mxe, kpower)
        mne = min(mne, kpower)
    out: list[str] = []
    if mxl == lo:
        return [_nonfinite(v) for v in vals]
    if mxl < 0:
        mxsl = 1 + neg
    rgt = max(rgt, 0)
    w_fixed = mxsl + rgt + (rgt != 0)
    e = 2 if (mxe >= 100 or mne <= -99) else 1
    d = mxns - 1
    w_sci = neg + (d > 0) + d + 4 + e
    fixed = w_fixed <= w_sci  # R_print.scipen = 0
    for v in vals:
        if v == 0.0:
            v = 0.0  # encodeReal0: a signed zero prints without its sign
        if not math.isfinite(v):
            out.append(_nonfinite(v))
        elif fixed:
            out.append(f"{v:.{rgt}f}")
        else:
            out.append(f"{v:.{d}e}")  # C's %e: two exponent digits, three when needed
    return out


def _nonfinite(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    return "Inf" if v > 0 else "-Inf"
