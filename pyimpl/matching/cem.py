"""``matchit(method = "cem")``: coarsened exact matching as MatchIt 4.5.1 does
it itself (``matchit2cem``, ``cem_matchit``; not the ``cem`` package).

* Each numeric covariate is cut into bins (``cutpoints``): Sturges' number
  (default, ``nclass.Sturges``: ``ceiling(log2(n) + 1)``), Scott's
  (``"scott"``), ``"q<k>"`` (its ``k``-quantiles), a number of bins, or the
  cut points themselves; ``k`` equal bins are ``seq(min, max, length = k + 1)``
  with the outer breaks made infinite; a value's bin is ``findInterval``.
  Factors and logicals are used as they are.
* Then exact matching on the bins (:mod:`.exact`): the cells of the controls
  (``split(xx, treat)``: the control group first), in order of first
  appearance, that the treated have too; subclass weights for ATT/ATC/ATE.

``cutpoints = "fd"`` (its ``signif()`` step), ``grouping`` and ``k2k`` are not
reproduced: they raise ``NotImplementedError``.
"""
from __future__ import annotations

import math

import numpy as np

from rparity_contract.errors import InvalidArgument

from ..design import Term
from ._rstats import r_var
from .subclass import quantile7

__all__ = ["cem_cells", "bins_of", "seq_length", "seq_by"]


def seq_length(a: float, b: float, n: int) -> np.ndarray:
    """``seq(a, b, length.out = n)`` (seq.default: from, from + i * by, to)."""
    if n == 1:
        return np.array([a])
    if a == b:
        return np.full(n, a)
    by = (b - a) / (n - 1)
    return np.concatenate(([a], a + np.arange(1, n - 1) * by, [b]))


def seq_by(a: float, b: float, by: float) -> np.ndarray:
    """``seq(a, b, by = by)`` for a < b (seq.default: ``from + (0:n) * by``,
    ``n = floor((to - from)/by + 1e-10)``)."""
    n = int(math.floor((b - a) / by + 1e-10))
    return a + np.arange(0, n + 1) * by


def _nclass(spec: str, x: np.ndarray) -> int:
    if spec == "sturges":
        return int(math.ceil(math.log2(x.size) + 1))  # nclass.Sturges
    if spec == "scott":
        # nclass.scott: h = 3.5 sd n^(-1/3); max(1, ceiling(diff(range(x))/h)) (1 when h is 0)
        h = 3.5 * math.sqrt(r_var(x)) * math.pow(x.size, -1 / 3)
        return max(1, int(math.ceil((x.max() - x.min()) / h))) if h > 0 else 1
    raise NotImplementedError(f"cutpoints={spec!r}: MatchIt's {spec!r} binning (nclass.FD and its signif() step) "
                              "is not reproduced; give 'sturges', 'scott', 'q<k>', a number of bins or the cut points")


def bins_of(x: np.ndarray, spec, name: str) -> np.ndarray:
    """The bin (``findInterval``) of each value of one numeric covariate."""
    if isinstance(spec, str):
        s = spec.lower()
        if s.startswith("q") and s[1:].replace(".", "", 1).isdigit():
            q = float(s[1:])
            spec = quantile7(x, seq_by(1 / q, 1 - 1 / q, 1 / q))
        elif s in ("sturges", "scott", "fd"):
            spec = _nclass(s, x)
        else:
            raise InvalidArgument(f"`cutpoints` for {name!r} must be 'sturges', 'scott', 'q<k>', a number of bins or "
                                  f"the cut points; got {spec!r}", kind="cutpoints.value")
    arr = np.atleast_1d(np.asarray(spec, dtype=float))
    if arr.size == 1:
        k = arr[0]
        if not np.isfinite(k) or k < 0:
            raise InvalidArgument(f"`cutpoints` for {name!r} must be a non-negative number of bins; got {k}",
                                  kind="cutpoints.value")
        k = int(k)
        breaks = seq_length(float(x.min()), float(x.max()), k + 1)
        breaks[0], breaks[k] = -np.inf, np.inf
    else:
        breaks = np.concatenate(([-np.inf], np.unique(arr), [np.inf]))
    return np.searchsorted(breaks, x, side="right").astype(np.int64)  # findInterval


def cem_cells(terms: list[Term], cutpoints) -> tuple[list[Term], list[str]]:
    """The covariates with each numeric one replaced by its bins (a 0/1 count
    of bins 0 keeps it as it is; 1 drops it), and the warnings."""
    per = cutpoints if isinstance(cutpoints, dict) else None
    warns: list[str] = []
    if per is not None:
        names = {t.name for t in terms}
        bad = [k for k in per if k not in names]
        if bad:
            listed = " and ".join(f'"{b}"' for b in bad) if len(bad) <= 2 else \
                ", ".join(f'"{b}"' for b in bad[:-1]) + f', and "{bad[-1]}"'
            warns.append(f"The variable{'s' if len(bad) > 1 else ''} {listed} named in `cutpoints` "
                         f"{'are' if len(bad) > 1 else 'is'} not in the variables supplied to matchit() and will be "
                         "ignored.")
    out: list[Term] = []
    for t in terms:
        if t.kind != "numeric":
            out.append(t)
            continue
        spec = (per.get(t.name, "sturges") if per is not None else ("sturges" if cutpoints is None else cutpoints))
        if isinstance(spec, (int, float)) and not isinstance(spec, bool) and spec == 1:
            continue  # one bin: the variable is dropped
        if isinstance(spec, (int, float)) and not isinstance(spec, bool) and spec == 0:
            out.append(t)  # zero: matched exactly
            continue
        assert t.values is not None
        out.append(Term(t.name, "numeric", values=bins_of(t.values, spec, t.name).astype(float)))
    return out, warns
