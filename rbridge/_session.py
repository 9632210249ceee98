"""The one embedded R of this process, and conversion between numpy and R.

Contract
--------
* rpy2 is imported here, lazily, the first time :func:`session` is called; no other
  module of the project imports rpy2.
* R code is never built from user strings. The R functions the bridge calls are
  fixed source files (``rbridge/R/*.R``) loaded once into a private environment;
  data reach them as R objects built from numpy arrays, and formulas inside them
  use placeholder column names (``time``, ``event``, ``x1``...).
* Every call goes through ``rparity_invoke`` (``R/core.R``), which collects R's
  warnings and messages and turns an R error into a value, so that R's own
  message reaches Python as :class:`~pyimpl.errors.RError` and each R warning as
  an :class:`~pyimpl.errors.RWarning`; nothing is left only on R's console.
* R is not thread-safe: calls are serialised by a process-wide lock. Parallel
  work needs processes, each with its own R.
"""
from __future__ import annotations

import logging
import threading
import warnings
from dataclasses import dataclass
from importlib import resources
from typing import Any, Mapping

import numpy as np
import pandas as pd

from pyimpl.errors import RError, RUnavailable, RWarning

__all__ = ["session", "RSession", "RCallResult", "r_available", "INSTALL_HINT"]

log = logging.getLogger("rbridge")

INSTALL_HINT = (
    "Install R and the packages it needs with\n"
    "    sudo apt-get update && sudo apt-get install -y --no-install-recommends "
    "r-base-core r-cran-survival r-cran-matchit\n"
    "then the Python bridge with\n"
    "    pip install 'rpy2>=3.5.17,<3.6'\n"
    "(rpy2 3.6 needs R >= 4.5 and fails to import on Debian's R 4.2)."
)

_lock = threading.RLock()
_session: "RSession | None" = None
_failure: RUnavailable | None = None


def session() -> "RSession":
    """The process's R session, started on first use."""
    global _session, _failure
    with _lock:
        if _session is not None:
            return _session
        if _failure is not None:
            raise _failure
        try:
            _session = RSession()
        except RUnavailable as exc:
            _failure = exc
            raise
        return _session


def r_available() -> bool:
    """Whether R, rpy2, survival and MatchIt can be used in this process."""
    try:
        session()
    except RUnavailable:
        return False
    return True


@dataclass(frozen=True)
class RCallResult:
    """What one call into R gave: the converted value, and R's warnings and messages."""

    value: Any
    warnings: tuple[str, ...]
    messages: tuple[str, ...]


class RSession:
    """The embedded R. Use :func:`session` rather than constructing it."""

    def __init__(self) -> None:
        try:
            import rpy2.rinterface as ri
            import rpy2.rinterface_lib.callbacks as callbacks
            import rpy2.robjects as ro
        except Exception as exc:  # ImportError, or rpy2 failing to find/start R
            raise RUnavailable(f"R cannot be used from Python: {exc}\n{INSTALL_HINT}") from exc
        self._ri = ri
        self._ro = ro
        self._console: list[str] = []
        callbacks.consolewrite_print = self._console_write
        callbacks.consolewrite_warnerror = self._console_write
        self.env = ro.r["new.env"]()
        sys_source = ro.r["sys.source"]
        for res in sorted(resources.files("rbridge").joinpath("R").iterdir(), key=lambda p: p.name):
            if res.name.endswith(".R"):
                with resources.as_file(res) as p:
                    sys_source(str(p), envir=self.env)
        missing = [
            pkg
            for pkg in ("survival", "MatchIt")
            if not ro.r["requireNamespace"](pkg, quietly=True)[0]
        ]
        if "survival" in missing:
            raise RUnavailable(f"the R package 'survival' is not installed.\n{INSTALL_HINT}")
        self.missing_packages = tuple(missing)
        self.versions = self._versions()

    # -- console -----------------------------------------------------------------
    def _console_write(self, text: str) -> None:
        self._console.append(text)
        log.debug("R console: %s", text.rstrip())

    # -- versions ------------------------------------------------------------------
    def _versions(self) -> dict[str, str]:
        v = self.call_raw("rparity_versions").value
        return {k: (val[0] if isinstance(val, list) and val else val) for k, val in v.items()}

    def provenance(self, call: str) -> dict[str, str]:
        """Versions of R and its packages and libraries, and the R call."""
        return {**self.versions, "call": call}

    def require(self, package: str) -> None:
        if package in self.missing_packages:
            raise RUnavailable(f"the R package {package!r} is not installed.\n{INSTALL_HINT}")

    # -- calls -------------------------------------------------------------------
    def call_raw(self, fname: str, **kwargs: Any) -> RCallResult:
        """Call the bridge's R function ``fname`` with keyword arguments converted
        by :func:`to_r`; R errors are raised as :class:`RError`."""
        with _lock:
            fun = self.env.find(fname)
            args = self._ro.vectors.ListVector({k: to_r(v) for k, v in kwargs.items()}) if kwargs \
                else self._ro.r["list"]()
            out = self.env.find("rparity_invoke")(fun, args)
            res = from_r(out)
        if res["error"] is not None:
            err = res["error"]
            raise RError(_scalar_str(err.get("message")), _scalar_str(err.get("call")) or None)
        return RCallResult(
            value=res["value"],
            warnings=tuple(res["warnings"] or ()),
            messages=tuple(res["messages"] or ()),
        )

    def call(self, fname: str, *, stacklevel: int = 3, **kwargs: Any) -> RCallResult:
        """As :meth:`call_raw`, and re-raise each R warning as a Python
        :class:`RWarning` (R's message verbatim)."""
        res = self.call_raw(fname, **kwargs)
        for w in res.warnings:
            warnings.warn(RWarning(w), stacklevel=stacklevel)
        for m in res.messages:
            log.info("R message: %s", m.rstrip())
        return res


def _scalar_str(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, (list, tuple)):
        return " ".join(str(v) for v in x)
    return str(x)


# -- conversion -------------------------------------------------------------------
def to_r(value: Any) -> Any:
    """Convert a Python value to an R object (no R code is evaluated)."""
    import rpy2.rinterface as ri
    import rpy2.robjects as ro

    if value is None:
        return ri.NULL
    if isinstance(value, (ri.Sexp,)):
        return value
    if isinstance(value, bool) or isinstance(value, np.bool_):
        return ro.BoolVector([bool(value)])
    if isinstance(value, (int, np.integer)):
        return ro.IntVector([int(value)])
    if isinstance(value, (float, np.floating)):
        return ro.FloatVector([float(value)])
    if isinstance(value, str):
        return ro.StrVector([value])
    if isinstance(value, Mapping):
        return ro.vectors.ListVector({str(k): to_r(v) for k, v in value.items()}) if value \
            else ro.r["list"]()
    if isinstance(value, pd.DataFrame):
        cols = {str(c): to_r(value[c]) for c in value.columns}
        return ro.DataFrame(cols)
    if isinstance(value, pd.Series) and isinstance(value.dtype, pd.CategoricalDtype):
        return _factor(value.cat.codes.to_numpy(), list(value.cat.categories))
    if isinstance(value, pd.Categorical):
        return _factor(np.asarray(value.codes), list(value.categories))
    if isinstance(value, Factor):
        return _factor(value.codes, value.levels)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        return ro.StrVector(list(value))
    arr = np.asarray(value)
    if arr.ndim == 2:
        vec = to_r(np.asfortranarray(arr).ravel(order="F"))
        vec.do_slot_assign("dim", ro.IntVector([arr.shape[0], arr.shape[1]]))
        return vec
    if arr.ndim != 1:
        arr = arr.reshape(-1)
    if arr.dtype == bool:
        return ro.BoolVector(arr.tolist())
    if arr.dtype.kind in "iu":
        return ro.IntVector(np.ascontiguousarray(arr, dtype=np.int32))
    if arr.dtype.kind == "f":
        return ro.FloatVector(np.ascontiguousarray(arr, dtype=np.float64))
    if arr.dtype.kind in "UO":
        return ro.StrVector([str(v) for v in arr.tolist()])
    raise TypeError(f"cannot pass a value of dtype {arr.dtype} to R")


@dataclass(frozen=True)
class Factor:
    """An R factor to build: 0-based ``codes`` into ``levels`` (order kept)."""

    codes: np.ndarray
    levels: list


def _factor(codes: np.ndarray, levels: list) -> Any:
    import rpy2.robjects as ro

    codes = np.asarray(codes)
    iv = ro.IntVector(np.where(codes < 0, ro.NA_Integer, codes + 1).astype(np.int32)) \
        if (codes < 0).any() else ro.IntVector((codes + 1).astype(np.int32))
    # structure() sets the class through `class<-`, which also sets R's object bit;
    # setting the attribute directly does not, and model.matrix then sees a number
    return ro.baseenv["structure"](iv, levels=ro.StrVector([str(v) for v in levels]),
                                   **{"class": ro.StrVector(["factor"])})


_NA_INT = -2147483648


def from_r(obj: Any) -> Any:
    """Convert an R object to Python: named lists to dicts, data frames to
    DataFrames, numeric vectors and matrices to float/int numpy arrays (NA -> NaN),
    logical vectors to bool arrays (NA -> error), character vectors to lists of
    str (NA -> None), factors to lists of their labels, NULL to None."""
    import rpy2.rinterface as ri
    import rpy2.robjects as ro

    if obj is ri.NULL or obj is None:
        return None
    rclass = list(obj.rclass) if hasattr(obj, "rclass") else []
    if "data.frame" in rclass:
        names = list(obj.names)
        return pd.DataFrame({n: _vector(obj[i]) for i, n in enumerate(names)})
    if isinstance(obj, ro.vectors.ListVector) or isinstance(obj, ri.ListSexpVector):
        names = obj.names if obj.names is not ri.NULL else None
        items = [from_r(obj[i]) for i in range(len(obj))]
        if names is not None and names is not ri.NULL:
            return {str(n): v for n, v in zip(names, items)}
        return items
    return _vector(obj)


def _vector(obj: Any) -> Any:
    import rpy2.rinterface as ri
    import rpy2.robjects as ro

    if obj is ri.NULL:
        return None
    if isinstance(obj, ro.vectors.FactorVector) or (
        hasattr(obj, "rclass") and "factor" in list(obj.rclass)
    ):
        levels = list(ro.r["levels"](obj))
        codes = np.asarray(obj.memoryview())
        return [None if c == _NA_INT else levels[c - 1] for c in codes.tolist()]
    if isinstance(obj, (ri.StrSexpVector,)):
        return [None if v is ri.NA_Character else str(v) for v in obj]
    if isinstance(obj, ri.BoolSexpVector):
        arr = np.asarray(obj.memoryview())
        if (arr == _NA_INT).any():
            return np.where(arr == _NA_INT, np.nan, arr.astype(float))
        return arr.astype(bool).copy()
    if isinstance(obj, ri.IntSexpVector):
        arr = np.asarray(obj.memoryview())
        if (arr == _NA_INT).any():
            return np.where(arr == _NA_INT, np.nan, arr.astype(float))
        return arr.astype(np.int64)
    if isinstance(obj, ri.FloatSexpVector):
        return np.array(obj.memoryview(), dtype=float)
    if isinstance(obj, (ri.ListSexpVector,)):
        return from_r(obj)
    raise TypeError(f"cannot convert R object of type {type(obj).__name__}")
