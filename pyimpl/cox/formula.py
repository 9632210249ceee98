"""``coxph(Surv(time, status) ~ terms, data=, subset=, weights=, cluster=)``:
the formula call turned into the array form.

As R's ``coxph`` (survival 3.5-3, ``coxph`` and ``model.matrix.coxph``): the
model matrix is built with an intercept (so factors get treatment contrasts
whatever ``- 1`` says) and its intercept column dropped; ``strata()`` terms
give the strata (several combine, ``strata(..., shortlabel = TRUE)``) and are
left out of the matrix, unless a strata variable is in an interaction: then
every term enters ``model.matrix`` and only the strata terms' own columns are
dropped; ``cluster()`` gives the cluster (also possible as ``cluster=``).
"""
from __future__ import annotations

import numpy as np

from rparity_contract.calls import CoxCall
from rparity_contract.errors import InvalidArgument
from rparity_contract.formula import ModelFormula

from ..design import Design
from ..formula import (
    as_series,
    column_or_values,
    combine,
    complete_frame,
    incomplete_elsewhere,
    model_frame,
    response_start,
    terms_matrix,
)
from ..formula.frame import Frame

__all__ = ["resolve", "training_frame", "formula_design", "design_variables"]


def _kept_terms(mf: ModelFormula) -> tuple[list[int], bool]:
    """The terms that enter model.matrix, and whether a strata variable interacts."""
    strata_terms = set(mf.special_terms("strata"))
    cluster_terms = set(mf.special_terms("cluster"))
    interacting = any(len(mf.terms[k]) > 1 for k in strata_terms)
    keep = [k for k in range(len(mf.terms)) if k not in cluster_terms and (interacting or k not in strata_terms)]
    return keep, interacting


def design_variables(mf: ModelFormula) -> list[int]:
    """The variables the model matrix reads."""
    keep, _ = _kept_terms(mf)
    return sorted({j for k in keep for j in mf.terms[k]})


def formula_design(mf: ModelFormula, variables: list, n: int) -> Design:
    """model.matrix.coxph of the formula's terms on ``variables`` (n rows): no
    strata or cluster columns; with a strata-by-covariate interaction every
    term enters model.matrix and the strata terms' own columns are dropped."""
    keep_terms, interacting = _kept_terms(mf)
    strata_terms = set(mf.special_terms("strata"))
    design = terms_matrix(variables, [mf.terms[k] for k in keep_terms], [mf.codes[k] for k in keep_terms],
                          [mf.label(k) for k in keep_terms], n)
    if interacting:  # model.matrix.coxph: drop the strata terms' own columns
        own = [pos for pos, k in enumerate(keep_terms) if k in strata_terms and len(mf.terms[k]) == 1]
        drop = {c for pos in own for c in design.assign[pos]}
        cols = [c for c in range(design.x.shape[1]) if c not in drop]
        remap = {c: i for i, c in enumerate(cols)}
        assign = tuple(tuple(remap[c] for c in a) for pos, a in enumerate(design.assign) if pos not in own)
        labels = tuple(lb for pos, lb in enumerate(design.term_names) if pos not in own)
        design = type(design)(x=np.asfortranarray(design.x[:, cols]), names=tuple(design.names[c] for c in cols),
                              terms=design.terms, assign=assign, labels=labels)
    return design


def training_frame(call: CoxCall) -> Frame:
    """The model frame of a formula fit's own data (its variables with the
    levels the fit used: R's xlevels)."""
    frame = model_frame(call.formula, call.data, call.subset)
    mf = frame.formula
    weights = column_or_values(call.weights, frame, "weights", call.data)
    given_cluster = None if mf.cluster is not None else column_or_values(call.cluster, frame, "cluster", call.data)
    ids = column_or_values(call.id, frame, "id", call.data)
    return complete_frame(frame, [weights, given_cluster, ids])


def resolve(call: CoxCall) -> CoxCall:
    """The array-form call equivalent to the formula call ``call``."""
    if call.X is not None or call.time is not None or call.event is not None:
        raise InvalidArgument("`formula` and `X`/`time`/`event` are two forms of the call: give one",
                              kind="argument.value")
    if call.strata is not None:
        raise InvalidArgument("`strata` is a formula term in the formula form: write + strata(x)",
                              kind="argument.value")
    frame = model_frame(call.formula, call.data, call.subset)
    mf = frame.formula
    if mf.response is None or not mf.response.surv:
        raise InvalidArgument(f"`formula` response must be Surv(time, event) or Surv(time) for coxph; got "
                              f"{mf.text!r}", kind="formula.response")
    weights = column_or_values(call.weights, frame, "weights", call.data)
    given_cluster = None if mf.cluster is not None else column_or_values(call.cluster, frame, "cluster", call.data)
    ids = column_or_values(call.id, frame, "id", call.data)
    frame = complete_frame(frame, [weights, given_cluster, ids])
    design = formula_design(mf, frame.variables, len(frame.data))
    strata = None
    if mf.strata:
        strata = as_series(combine([frame.variables[i] for i in mf.strata], "strata"))
    cluster = None
    if mf.cluster is not None:
        if call.cluster is not None:
            raise InvalidArgument("`cluster` is given both as an argument and as a formula term",
                                  kind="argument.value")
        cluster = as_series(frame.variables[mf.cluster])
    else:
        cluster = given_cluster
    start = response_start(frame)
    time_t = frame.response[0 if start is None else 1]
    if time_t.kind != "numeric":
        raise InvalidArgument(f"`formula` response time {time_t.name!r} must be numeric (R: 'Time variable is "
                              "not numeric')", kind="time.type")
    event = None if mf.response.event is None else as_series(frame.response[1 if start is None else 2])
    offset = None
    for t in frame.offsets:  # model.offset: the offset() terms summed in order
        if t.kind != "numeric":
            raise InvalidArgument(f"`formula` term offset({t.name}) must be numeric", kind="X.type")
        offset = np.asarray(t.values, dtype=float) if offset is None else offset + t.values
    time = np.asarray(time_t.values, dtype=float).copy()
    time[incomplete_elsewhere(frame)] = np.nan  # na.omit of the whole model frame
    return CoxCall(X=design, time=time, event=event, ties=call.ties, weights=weights,
                   strata=strata, cluster=cluster, robust=call.robust, init=call.init, control=call.control,
                   nocenter=call.nocenter, singular_ok=call.singular_ok, offset=offset, start=start,
                   na_action=call.na_action, id=ids)

