"""R's warnings of a computation kept as part of its result.

R reports the warnings a call gives (``model.frame``'s, ``bs()``'s...) with
that call; pyimpl's results carry them in ``warnings``. :func:`recorded`
collects the :class:`RParityWarning` raised inside it and shows them again as
Python warnings when it ends, so the user sees them as well.
"""
from __future__ import annotations

import warnings
from contextlib import contextmanager
from typing import Iterator

from rparity_contract.errors import RParityWarning

__all__ = ["recorded"]


@contextmanager
def recorded() -> Iterator[list[str]]:
    """``with recorded() as msgs:`` -- msgs gets the R warnings' texts, in order."""
    msgs: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RParityWarning)
        yield msgs
    for w in caught:
        if issubclass(w.category, RParityWarning):
            msgs.append(str(w.message))
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
