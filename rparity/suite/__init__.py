"""R survival's own test suite, replayed in an engine (``rparity suite``).

Every call the scripts of survival 3.5-3's ``tests/`` make to ``coxph``,
``survfit``, ``survdiff``, ``survreg`` and, on a Cox fit, ``survfit``, ``residuals``,
``predict``, ``cox.zph``, ``concordance`` and ``coxph.detail`` (on a survreg fit,
``residuals`` and ``predict``) was captured
with R's answer
(:mod:`fixtures.survival_suite`). Here each call is made again through an
engine's contract functions (formula form, the script's data) and its numbers
are compared with R's through the tolerance table, quantity by quantity.

Each call ends in one :class:`Status`; a script's counts are what the issue's
"count per script" asks. Nothing here is tuned to a script: the replay reads the
call's arguments, the comparison is the harness's.

Modules: :mod:`.arguments` (R's arguments as the contract's), :mod:`.quantities`
(R's numbers and the engine's), :mod:`.replay` (the verdicts), :mod:`.report`
(the table, the doc page, the command).
"""
from __future__ import annotations

from .replay import FAILURES, CallVerdict, QuantityRow, ScriptVerdict, Status, replay_call, run_suite
from .report import DOC_INTRO, register, render, render_doc

__all__ = ["Status", "FAILURES", "QuantityRow", "CallVerdict", "ScriptVerdict", "replay_call", "run_suite", "render",
           "render_doc", "DOC_INTRO", "register"]
