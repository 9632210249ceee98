"""Parity cases: one call of one contract function on one dataset.

A :class:`Case` is data: its ``params`` are JSON-able and, with the dataset's
bytes, make the fingerprint that marks a golden file stale. Its ``runner`` turns
(engine, data, params) into a flat ``{quantity: value}`` dict; quantities are
the keys of :data:`rparity.tolerance.TOLERANCES` under the case's function.
Values are numpy arrays, floats, ints, bools, strings or tuples of strings.

A runner must call only the engine's contract functions (``engine.survfit``...),
never a specific implementation, so the same case runs in every engine.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import pandas as pd

__all__ = ["Case", "Runner", "as_quantities", "canonical_json", "derived_quantities"]

Runner = Callable[[Any, "pd.DataFrame | None", Mapping[str, Any]], dict]

FORMAT_VERSION = 1


def canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)


@dataclass(frozen=True)
class Case:
    id: str
    function: str
    dataset: str | None
    params: Mapping[str, Any]
    runner: Runner = field(repr=False, compare=False)
    description: str = ""

    def data(self) -> "pd.DataFrame | None":
        if self.dataset is None:
            return None
        import fixtures

        return fixtures.load(self.dataset)

    def run(self, engine: Any) -> dict:
        if self.params.get("formula") and not _has_formula_form(getattr(engine, _fit_of(self.function), None)):
            # an engine written for the array form (a plugin from before the formula form):
            # it does not provide this case, it has not failed it
            raise NotImplementedError(f"the engine's {self.function} has no formula form (no `data` argument)")
        return self.runner(engine, self.data(), self.params)

    def fingerprint(self) -> str:
        """sha256 over the golden format version, function, params and the
        dataset's CSV bytes: any change makes the golden file stale."""
        h = hashlib.sha256()
        h.update(canonical_json({"v": FORMAT_VERSION, "function": self.function,
                                 "params": self.params, "dataset": self.dataset}).encode())
        import fixtures

        for name in ([self.dataset] if self.dataset is not None else []) + list(self.params.get("extra_datasets", ())):
            h.update(fixtures.path(name).read_bytes())  # every dataset the case reads (tmerge's data2)
        return h.hexdigest()


def _fit_of(function: str) -> str:
    """The fit function a case's formula goes to (``coxph`` for ``basehaz``)."""
    from rparity_contract.functions import FUNCTIONS

    spec = FUNCTIONS.get(function)
    return spec.derived_from if spec is not None and spec.derived_from else function


def _has_formula_form(fn: Any) -> bool:
    """The function takes ``data=`` (the formula form's data frame)."""
    import inspect

    if fn is None:
        return False
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return True  # not introspectable: let the call say
    return "data" in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


def as_quantities(prefix: str, values: Mapping[str, Any]) -> dict:
    """Prefix keys (``"summary."``) and convert DataFrame/Series columns to arrays."""
    out = {}
    for k, v in values.items():
        if isinstance(v, (pd.Series, pd.Index)):
            v = v.to_numpy()
        out[f"{prefix}{k}"] = v
    return out


def derived_quantities(prefix: str, compute: Callable[[], Any], keys: tuple[str, ...] | list[str],
                       function: str | None = None) -> dict:
    """The quantities of a derived function (``summary.``, ``quantile.``...);
    each is :class:`~rparity.compare.NotProvided` when the engine does not
    provide the function, so the fit's own quantities are still compared."""
    from ..compare import NotProvided
    from ..refusals import refusal_kind

    try:
        values = compute()
    except NotImplementedError as exc:
        return {f"{prefix}{k}": NotProvided(str(exc)) for k in keys}
    except Exception as exc:
        # a fit R returns without its class (ties='exact' on (start, stop] data): the derived
        # function's refusal is one quantity, so that the fit's own numbers are still compared
        if function is None or refusal_kind(exc, function) != "fit.unclassed":
            raise
        return {f"{prefix}refused": "fit.unclassed"}
    if isinstance(values, pd.Series):
        values = values.to_dict()
    elif isinstance(values, pd.DataFrame):
        values = {k: values[k] for k in values.columns}
    return as_quantities(prefix, values)
