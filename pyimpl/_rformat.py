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
