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
  message reaches Python as :class:`~rparity_contract.errors.RError` and each R warning as
  an :class:`~rparity_contract.errors.RWarning`; nothing is left only on R's console.
* R is not thread-safe: calls are serialised by a process-wide lock, and rpy2's
  finalisers run by the garbage collector in other threads wait for R to be
  idle (:mod:`._exclusive`). Parallel work needs processes, each with its own R.
"""
from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from importlib import resources
from typing import Any

from rparity_contract.errors import RError, RUnavailable, RWarning

from ._convert import Placeholders, from_r, to_r
from ._exclusive import exclusive_r, install_release_guard

__all__ = ["session", "RSession", "RCallResult", "r_available", "exclusive_r", "INSTALL_HINT"]

log = logging.getLogger("rbridge")

INSTALL_HINT = (
    "Install R and the packages it needs with\n"
    "    sudo apt-get update && sudo apt-get install -y --no-install-recommends "
    "r-base-core r-cran-survival r-cran-matchit r-cran-cmprsk r-cran-survey r-cran-matching\n"
    "then the Python bridge with\n"
    "    pip install 'rpy2>=3.5.17,<3.6'\n"
    "(rpy2 3.6 needs R >= 4.5 and fails to import on Debian's R 4.2)."
)

_session: "RSession | None" = None
_failure: RUnavailable | None = None


def session() -> "RSession":
    """The process's R session, started on first use."""
    global _session, _failure
    with exclusive_r():
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
        import os

        library_path = os.environ.get("LD_LIBRARY_PATH")
        try:
            import rpy2.rinterface as ri
            import rpy2.rinterface_lib._rinterface_capi as capi
            import rpy2.rinterface_lib.callbacks as callbacks
            import rpy2.robjects as ro
        except Exception as exc:  # ImportError, or rpy2 failing to find/start R
            raise RUnavailable(f"R cannot be used from Python: {exc}\n{INSTALL_HINT}") from exc
        finally:
            # rpy2 prepends R's library directories to LD_LIBRARY_PATH when R starts.
            # The loader of this process read it at start-up already, so R does not
            # need it; but a Python started later (a subprocess, a Dask worker)
            # would load the system's libpython and fail. Put it back.
            if library_path is None:
                os.environ.pop("LD_LIBRARY_PATH", None)
            else:
                os.environ["LD_LIBRARY_PATH"] = library_path
        install_release_guard(capi)
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
            for pkg in ("survival", "MatchIt", "cmprsk", "survey", "Matching")
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
    def call_raw(self, fname: str, *, placeholders: Placeholders | None = None, **kwargs: Any) -> RCallResult:
        """Call the bridge's R function ``fname`` with keyword arguments converted
        by :func:`to_r` (arguments already converted pass through); R errors are
        raised as :class:`RError`, with placeholder names shown as the caller's."""
        ph = placeholders or Placeholders({})
        with exclusive_r():
            fun = self.env.find(fname)
            args = self._ro.vectors.ListVector({k: to_r(v, k) for k, v in kwargs.items()}) if kwargs \
                else self._ro.r["list"]()
            out = self.env.find("rparity_invoke")(fun, args)
            res = from_r(out)
        if res["error"] is not None:
            err = res["error"]
            call = _scalar_str(err.get("call"))
            raise RError(ph.translate(_scalar_str(err.get("message"))), ph.translate(call) or None)
        return RCallResult(
            value=res["value"],
            warnings=tuple(ph.translate(w) for w in (res["warnings"] or ())),
            messages=tuple(res["messages"] or ()),
        )

    def call(self, fname: str, *, stacklevel: int = 3, placeholders: Placeholders | None = None,
             **kwargs: Any) -> RCallResult:
        """As :meth:`call_raw`, and re-raise each R warning as a Python
        :class:`RWarning` (R's message verbatim)."""
        res = self.call_raw(fname, placeholders=placeholders, **kwargs)
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
