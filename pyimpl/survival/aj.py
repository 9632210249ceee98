"""The Aalen-Johansen estimate of one curve: survival 3.5-3's ``survfitci.c``
(called by ``docurve2`` in ``survfitCI.R``), operation for operation.

At each unique time ``t`` (the ``etime`` in order; a subject enters the risk
set when its ``entry`` is before ``t``):

* ``H`` is the one-step transition matrix: ``H[j, k] = w(j -> k) / ws[j]``
  (``ws`` the weighted number at risk in state ``j``), ``H[j, j] = 1 - sum_k
  w(j -> k) / ws[j]``, the identity row for a state with nobody at risk;
* ``p <- p H`` and the cumulative hazard ``C <- C + H - I``, only when an
  event of positive weight happened at ``t``;
* the infinitesimal-jackknife influence ``U`` of every subject on ``p``
  (``se.fit``): ``U <- U H``, then for each subject at risk in state ``j``,
  ``U[i, ] -= H[j, ] p[j] / ws[j]`` and ``U[i, next state] += p[j] / ws[j]``;
  ``std.err = sqrt(sum_i w_i^2 U[i, k]^2)``.

Sums run in the C code's order (sequential, a plain multiply then add), so
every number is R's to the last bit. U is held transposed (states x subjects)
so that each state's column is contiguous, and when every subject has one row
and starts in state 0 (right-censored competing risks) the loop over rows is
replaced by sums over the rows sorted by time, each in the loop's order, and
the jackknife visits the event times only (:func:`_one_start_curve`), with U
as a table of its distinct rows (everyone at risk shares one; a subject that
leaves keeps a row only H multiplies): the updates cost O(rows of the table)
per event time, and only R's sum of ``w^2 u^2`` over the subjects, in subject
order, stays O(n) per event time, added for a block of event times side by
side (:func:`_one_start_jackknife`). Measured at 1e6 subjects and 1000 event
times (bench/multistate.py): ~5 ns per subject and event time, R's C loop ~19.

Closed form of the jackknife (right-censored competing risks; off by default)
-----------------------------------------------------------------------------
The loop above costs O(n T) (n subjects, T event times), in R's C code too:
``survfitci.c`` updates every subject's row of U at every event time
(noweb/survfitCI.Rnw, "survfitCI-compute"). When every subject has one row,
starts in state 0 (``(s0)``) at the same entry before the first time, and the
initial influence ``i0`` is 0 (``Surv(time, factor)`` without ``istate`` or
(start, stop] data; the usual competing risks), the rows of U take few values
and ``std.err(t)^2 = sum_i w_i^2 U[i, k](t)^2`` is a handful of running sums.

At an event time ``j`` let ``S_j = p_0(t_j)`` (``S_0`` the initial p0),
``F_jc = p_c(t_j)``, ``Y_j = ws[0]`` and ``H = H_j``: only row 0 of H differs
from the identity (nobody is at risk outside state 0).

1. Everyone still at risk has the same row of U. All start at ``i0 = 0``, and
   the update of a subject at risk that does not move at ``t_j`` depends on
   nothing of its own: ``A <- A H - H[0, ] S_{j-1} / Y_j + e_0 S_{j-1} / Y_j``
   (``e_k`` the k-th unit row). A subject that moves to state d at ``t_j``
   leaves with ``E_d = A H - H[0, ] S_{j-1} / Y_j + e_d S_{j-1} / Y_j``; one
   censored at ``t_j`` leaves with A. Both vectors are replayed in the C
   code's order (so a subject's U at its exit is R's, bit for bit).
2. After its exit at ``t_g`` with row ``(a, b_1, b_2, ...)``, a subject's row
   is only multiplied by the H of the later event times (no dH term). Row 0 of
   H is ``(H00, H01, ...)``, so over ``t_g < t_l <= t``:
   ``U_0(t) = a prod_l H00_l`` and ``U_c(t) = b_c + a sum_l (prod_{r<l} H00_r)
   H0c_l``. The Aalen-Johansen recursion of p is the same product, ``S_t =
   S_g prod_l H00_l`` and ``F_tc - F_gc = sum_l S_{l-1} H0c_l``, hence, with
   ``gamma = a / S_g`` and ``beta_c = b_c - gamma F_gc`` (fixed at the exit):
   ``U_0(t) = gamma S_t`` and ``U_c(t) = beta_c + gamma F_tc``.
3. Expanding the squares, at an event time ``t_j``:
   ``V_0 = W_risk A_0^2 + sum_d W_jd E_d0^2 + S_j^2 G``,
   ``V_c = W_risk A_c^2 + sum_d W_jd E_dc^2 + B_c + 2 F_jc C_c + F_jc^2 G``,
   with ``W_risk`` the sum of w^2 over the subjects after t_j or censored at
   it, ``W_jd`` over those moving to d at t_j, and over those who left before
   t_j: ``G = sum w^2 gamma^2``, ``C_c = sum w^2 beta_c gamma``, ``B_c = sum w^2
   beta_c^2``. ``V`` is unchanged at a time without events (U is), as in R.

Each is a prefix (or suffix) sum over the subjects sorted by exit time: O(n +
T) per state instead of O(n T). The sums are taken in long double; the values
are not R's to the last bit (another order of operations, and the subject's
row transported by S_t / S_g rather than by T multiplications). Measured:
within 1.5e-14 (relative, of the variance) of the correctly rounded sum of
R's own terms at 1e5 subjects, but 1.3e-12 from R's std.err there, because
R's sequential double sum over the subjects drifts by ~n eps (2.5e-12 of the
variance at 1e5 subjects, measured): more than the contract's 1e-12, so the
closed form is off by default (``CLOSED_FORM_MIN_WORK`` None; set it to a
number of subject-times to use it from there). Where a std.err is near 0
(everyone left at risk moves, S reaches 0) the running sums cancel: the
variance is then off by ~eps times the sums, the std.err by ~sqrt(eps) of its
scale (measured 1.4e-9 where R's loop gives 1e-17). It needs ``S_g > 0`` at every
exit followed by another event time (else, or when a term is not finite, the
loop above is used).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._seqsum import ordered_sums

__all__ = ["AJCurve", "aalen_johansen", "add_dh", "CLOSED_FORM_MIN_WORK"]

# subjects x unique times from which std.err takes the closed form (where it applies); None: never (the
# default). Off because R's own std.err is a sequential double sum over the subjects whose rounding error grows
# with n (measured 1.2e-12 relative at 1e5 subjects against the correctly rounded sum of R's own terms, which
# the closed form meets within 7e-15): beyond ~1e5 subjects the closed form is nearer the exact value than R is,
# and further from R than the contract's 1e-12 (rparity/tolerance.py, survfit_ms.std_err)
CLOSED_FORM_MIN_WORK: int | None = None


@dataclass(frozen=True)
class AJCurve:
    """``survfitci``'s output for one curve (rows: the unique times)."""

    time: np.ndarray
    n_risk: np.ndarray  # times x states (integer counts)
    n_event: np.ndarray  # times x states
    n_censor: np.ndarray  # times
    pstate: np.ndarray  # times x states
    cumhaz: np.ndarray  # times x (states x states): column from + to * nstate holds C[from, to]
    std_err: np.ndarray | None  # times x states
    # influence.pstate: subjects x (1 + times) x states, U before the first time (i0) then after each time
    influence: np.ndarray | None = None


def _seq_sum(x: np.ndarray, buf: np.ndarray) -> float:
    """``x[0] + x[1] + ...`` added one after the other from 0, as the C loop
    ``temp += ...`` (numpy's ``sum`` adds pairwise; ``cumsum`` in order)."""
    if x.size == 0:
        return 0.0
    return float(np.cumsum(x, out=buf)[-1])


def _u_times_h(ut: np.ndarray, hmat: np.ndarray, ns: np.ndarray, buf: np.ndarray) -> np.ndarray:
    """survfitci.c's ``U = U %*% H`` on ``ut`` (states x subjects: U transposed,
    each state's column contiguous), each product summed over kk from 0 (a
    plain multiply then add). When nobody is at risk outside state 0
    (right-censored competing risks), rows 1.. of H are the identity's
    (checked: on (start, stop] data that survfitCI's merge of rows misaligns, a
    state with no one counted at risk may still have moves out of it), and the
    sums are ``U[, 0] H[0, 0]`` and ``U[, 0] H[0, c] + U[, c]``: the terms the C
    loop adds besides these are exact zeros (a zero's sign aside, which nothing
    after reads: U is only squared or multiplied). In place there."""
    nstate = hmat.shape[0]
    if not ns[1:].any() and np.array_equal(hmat[1:], np.eye(nstate)[1:]):
        for col in range(1, nstate):
            np.multiply(ut[0], hmat[0, col], out=buf)
            np.add(buf, ut[col], out=ut[col])
        ut[0] *= hmat[0, 0]
        return ut
    new_u = np.zeros_like(ut)
    for col in range(nstate):
        acc = new_u[col]
        for kk in range(nstate):
            acc += ut[kk] * hmat[kk, col]
    return new_u


def add_dh(ut: np.ndarray, atrisk: np.ndarray, cstate: np.ndarray, dstate: np.ndarray, hmat: np.ndarray,
           p: np.ndarray, ws: np.ndarray, ns: np.ndarray, moved: np.ndarray | None = None,
           risk: np.ndarray | None = None, buf: np.ndarray | None = None) -> None:
    """survfitci.c's "step 2, add in dH term", in place on ``ut`` (states x
    subjects), for the subjects at risk (``atrisk``, a mask): ``U[i, k] -= H[j,
    k] * p[j] / ws[j]`` (j the subject's state), then ``U[i, next state] +=
    p[j] / ws[j]``. When every subject at risk is in state 0, each term is one
    number for all of them. (Checked on the subjects: misaligned (start, stop]
    data can leave one at risk in a state whose count is 0.) ``moved``: when
    the caller knows every subject at risk is in state 0 (one row each, one
    start), the subjects that move at this time (the others at risk stay),
    with ``risk`` the mask as 1.0/0.0: each term is then added to every
    subject times the mask (``x - 0``, ``x + 0`` is x, a zero's sign aside),
    plain passes instead of masked ones."""
    nstate = hmat.shape[1]
    if moved is None and (ns[1:].any() or cstate[atrisk].any()):
        who = np.flatnonzero(atrisk)
        old = cstate[who]
        for col in range(nstate):
            ut[col, who] -= hmat[old, col] * p[old] / ws[old]
        ut[dstate[who], who] += p[old] / ws[old]
        return
    if moved is None:
        moved = np.flatnonzero(atrisk & (dstate != 0))
    pw = p[0] / ws[0]
    if risk is not None and buf is not None and np.isfinite(pw) and np.isfinite(hmat[0]).all():
        for col in range(nstate):
            np.multiply(risk, hmat[0, col] * p[0] / ws[0], out=buf)
            np.subtract(ut[col], buf, out=ut[col])
        risk[moved] = 0.0  # the subjects that stay in state 0
        np.multiply(risk, pw, out=buf)
        np.add(ut[0], buf, out=ut[0])
        risk[moved] = 1.0
    else:  # ws[0] == 0 (nobody, or only zero weights, at risk): the C code touches the subjects at risk only
        for col in range(nstate):
            np.subtract(ut[col], hmat[0, col] * p[0] / ws[0], out=ut[col], where=atrisk)
        atrisk[moved] = False
        np.add(ut[0], pw, out=ut[0], where=atrisk)
        atrisk[moved] = True
    ut[dstate[moved], moved] += pw


def aalen_johansen(entry: np.ndarray, etime: np.ndarray, status: np.ndarray, cstate: np.ndarray,
                   wt: np.ndarray, subject: np.ndarray, nsubject: int, p0: np.ndarray, i0: np.ndarray,
                   se_fit: bool, influence: bool = False, closed_form: bool = False) -> AJCurve:
    """One curve. ``status``: 0 censored, k > 0 a move to state k - 1 (0-based);
    ``cstate``: each subject's initial state (0-based); ``subject``: the
    subject (0-based) of each row; ``i0``: the initial influence (subjects x
    states). The rows' sort orders are R's ``order(entry)`` and
    ``order(etime)`` (stable). ``closed_form``: the caller's data have no
    (start, stop] intervals; std.err may then take the closed form of the
    module docstring (where it applies, from ``CLOSED_FORM_MIN_WORK``
    subject-times; off by default)."""
    n = etime.size
    nstate = p0.size
    sort1 = np.argsort(entry, kind="stable")
    sort2 = np.argsort(etime, kind="stable")
    timeset = np.unique(etime)
    ntime = timeset.size
    if not influence and _one_start_applies(entry, etime, status, cstate, nsubject, i0):
        closed = (closed_form and se_fit and CLOSED_FORM_MIN_WORK is not None
                  and nsubject * ntime >= CLOSED_FORM_MIN_WORK)
        fit = _one_start_curve(entry, etime, status, wt, subject, p0, se_fit, closed)
        if fit is not None:
            return fit
    cstate = cstate.astype(np.intp).copy()
    dstate = cstate.copy()
    p = p0.astype(float).copy()
    ws = np.zeros(nstate)
    ns = np.zeros(nstate, dtype=np.int64)
    atrisk = np.zeros(nsubject, dtype=bool)
    risk = np.zeros(nsubject)  # atrisk as 1.0 / 0.0
    wtp = np.zeros(nsubject)
    w2 = wtp * wtp  # each subject's weight squared, once its weight is known
    chaz = np.zeros((nstate, nstate))
    # U transposed (states x subjects): each state's column contiguous
    ut = np.ascontiguousarray(i0.T, dtype=float) if se_fit else None
    buf = np.zeros(nsubject)
    buf2 = np.zeros(nsubject)
    # one row per subject, all in state 0 from one entry: the subjects at risk are in state 0 at every time, and
    # those that move at a time are the rows that end in an event then
    simple = ut is not None and _one_start_applies(entry, etime, status, cstate, nsubject, np.zeros(1))
    unit = False  # every w^2 is 1 (checked when subjects enter)
    entered_w2 = 0

    n_risk = np.zeros((ntime, nstate), dtype=np.int64)
    n_event = np.zeros((ntime, nstate), dtype=np.int64)
    n_censor = np.zeros(ntime, dtype=np.int64)
    pmat = np.zeros((ntime, nstate))
    cum = np.zeros((ntime, nstate * nstate))
    vmat = np.zeros((ntime, nstate)) if se_fit else None
    usave = None
    if influence and ut is not None:
        usave = np.zeros((nsubject, ntime + 1, nstate))
        usave[:, 0, :] = ut.T

    i = 0
    eptr = 0
    itime = 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        while i < n:
            ctime = etime[sort2[i]]
            entered = eptr
            while eptr < n:  # entries before ctime join the risk set
                k = sort1[eptr]
                if entry[k] < ctime:
                    s = subject[k]
                    kk = cstate[s]
                    ns[kk] += 1
                    ws[kk] += wt[k]
                    wtp[s] = wt[k]
                    atrisk[s] = True
                    risk[s] = 1.0
                    eptr += 1
                else:
                    break
            if eptr > entered:
                w2 = wtp * wtp
            hmat = np.zeros((nstate, nstate))
            nev = np.zeros(nstate, dtype=np.int64)
            ncens = 0
            wevent = 0.0
            moved: list[int] = []
            j = i
            while j < n and etime[sort2[j]] == ctime:
                k = sort2[j]
                if status[k] > 0:
                    new = status[k] - 1
                    old = cstate[subject[k]]
                    if old != new:  # a "move" to the same state does not count
                        dstate[subject[k]] = new
                        moved.append(subject[k])
                        nev[new] += 1
                        wevent += wt[k]
                        hmat[old, new] += wt[k]
                else:
                    ncens += 1
                j += 1
            n_censor[itime] = ncens
            if wevent > 0:
                for a in range(nstate):
                    if ns[a] > 0:
                        temp = 0.0
                        for b in range(nstate):
                            temp += hmat[a, b]
                            hmat[a, b] /= ws[a]
                        hmat[a, a] = 1 - temp / ws[a]
                    else:
                        hmat[a, a] = 1.0
                if ut is not None:
                    ut = _u_times_h(ut, hmat, ns, buf)
                    add_dh(ut, atrisk, cstate, dstate, hmat, p, ws, ns,
                           np.asarray(moved, dtype=np.intp) if simple else None, risk, buf)
                chaz += hmat
                chaz[np.diag_indices(nstate)] -= 1
                newp = np.zeros(nstate)
                for col in range(nstate):
                    acc = 0.0
                    for kk in range(nstate):
                        acc += p[kk] * hmat[kk, col]
                    newp[col] = acc
                p = newp
            pmat[itime] = p
            n_risk[itime] = ns
            n_event[itime] = nev
            cum[itime] = chaz.T.reshape(-1)  # C order: for each to-state j, every from-state k
            if ut is not None and vmat is not None:
                if eptr > entered_w2:
                    unit = bool(np.all(w2 == 1.0))
                    entered_w2 = eptr
                for col in range(nstate):  # survfitci.c: temp += wtp[k] * wtp[k] * umat[k][j] * umat[k][j]
                    if unit:  # every weight 1: (1 * u) * u is u * u
                        np.multiply(ut[col], ut[col], out=buf)
                    else:
                        np.multiply(w2, ut[col], out=buf)
                        np.multiply(buf, ut[col], out=buf)
                    vmat[itime, col] = np.sqrt(_seq_sum(buf, buf2))
                if usave is not None:
                    usave[:, itime + 1, :] = ut.T
            while i < n:  # the events and censorings of ctime leave the risk set
                k = sort2[i]
                if etime[k] != ctime:
                    break
                s = subject[k]
                old = cstate[s]
                ns[old] -= 1
                ws[old] -= wt[k]
                if status[k] > 0:
                    cstate[s] = status[k] - 1
                atrisk[s] = False
                risk[s] = 0.0
                i += 1
            itime += 1
    return AJCurve(time=timeset, n_risk=n_risk, n_event=n_event, n_censor=n_censor, pstate=pmat, cumhaz=cum,
                   std_err=vmat, influence=usave)


def _one_start_applies(entry: np.ndarray, etime: np.ndarray, status: np.ndarray, cstate: np.ndarray,
                         nsubject: int, i0: np.ndarray) -> bool:
    """One row per subject, all in state 0 from one entry before the first
    time, ``i0 = 0``, and no "move" to state 0 (which the C code does not
    count as one): the conditions of :func:`_one_start_curve` and of the
    closed form (module docstring)."""
    return bool(etime.size == nsubject and etime.size > 0 and not np.any(cstate) and not np.any(i0)
                and np.max(entry) < np.min(etime) and not np.any(status == 1))


def _shared_row(acur: np.ndarray, rows: np.ndarray, h0: np.ndarray, p0: float, ws0: float,
                ok: bool) -> tuple[np.ndarray, bool]:
    """One event time of survfitci.c for the row of U shared by the subjects at
    risk (all in state 0), in the exact path's order: ``U H`` (``u0 H00`` and
    ``u0 H0c + u_c``), minus ``H[0, k] p0 / ws0``, plus ``p0 / ws0`` in the
    state each one is in after the time. Fills ``rows`` (a subject's row when
    it leaves: [0] censored, [d] moved to d); returns the new shared row."""
    base = acur[0] * h0
    base[1:] += acur[1:]
    base -= h0 * p0 / ws0
    pw = p0 / ws0
    rows[:] = base
    for d in range(1, h0.size):
        rows[d, d] += pw
    rows[0, 0] += pw
    return rows[0].copy(), ok and bool(np.isfinite(rows).all())


def _closed_form_std_err(etime: np.ndarray, status: np.ndarray, wt: np.ndarray, timeset: np.ndarray,
                         pmat: np.ndarray, erec: np.ndarray, upd: np.ndarray) -> np.ndarray | None:
    """``std.err`` (times x states) by the running sums of the module docstring
    (one row per subject: row i is subject i). None where the closed form does
    not hold (a subject leaving with ``S = 0`` and a non-zero row before a later
    event time)."""
    ntime, nstate = pmat.shape
    vmat = np.zeros((ntime, nstate))
    if not upd.any():
        return vmat
    it = np.searchsorted(timeset, etime)  # each subject's exit time
    kind = np.where(status > 0, status - 1, 0)  # 0 censored, d moved to d
    ex = erec[it, kind]  # the row each subject leaves with
    a, b = ex[:, 0], ex[:, 1:]
    s_g, f_g = pmat[it, 0], pmat[it, 1:]
    last = int(np.flatnonzero(upd)[-1])
    live = s_g >= 1e-250
    if np.any((a != 0) & ~live & (it < last)):
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        gam = np.where((a != 0) & live, a / s_g, 0.0)
    beta = b - gam[:, None] * f_g
    w2 = wt * wt
    ld = np.longdouble
    order = np.argsort(it, kind="stable")
    counts = np.bincount(it, minlength=ntime)
    ends = np.cumsum(counts)
    starts = ends - counts
    terms = np.column_stack([w2 * gam * gam, w2[:, None] * beta * gam[:, None], w2[:, None] * beta * beta])
    left = np.zeros((etime.size + 1, terms.shape[1]), dtype=ld)
    np.cumsum(terms[order].astype(ld), axis=0, out=left[1:])
    later = np.zeros(etime.size + 1, dtype=ld)  # suffix sums of w^2 (no cancellation)
    np.cumsum(w2[order][::-1].astype(ld), out=later[1:])
    wnow = np.bincount(it * nstate + kind, weights=w2, minlength=ntime * nstate).reshape(ntime, nstate)
    j = np.flatnonzero(upd)
    lj = left[starts[j]]  # over the subjects who left before t_j
    g = lj[:, 0]
    cc, bb = lj[:, 1:nstate], lj[:, nstate:]
    rows = erec[j].astype(ld)  # [time, kind, state]
    wr = later[etime.size - ends[j]] + wnow[j, 0]  # after t_j, or censored at it: the shared row
    v = wr[:, None] * rows[:, 0, :] ** 2
    for d in range(1, nstate):
        v += wnow[j, d][:, None].astype(ld) * rows[:, d, :] ** 2
    s_j = pmat[j, 0].astype(ld)
    f_j = pmat[j, 1:].astype(ld)
    v[:, 0] += s_j * s_j * g
    v[:, 1:] += bb + 2 * f_j * cc + f_j * f_j * g[:, None]
    vmat[j] = np.sqrt(np.maximum(v, 0)).astype(float)
    last_upd = np.maximum.accumulate(np.where(upd, np.arange(ntime), -1))  # V is unchanged between updates
    have = last_upd >= 0
    vmat[have] = vmat[last_upd[have]]
    return vmat


def _one_start_curve(entry: np.ndarray, etime: np.ndarray, status: np.ndarray, wt: np.ndarray,
                     subject: np.ndarray, p0: np.ndarray, se_fit: bool, closed: bool) -> AJCurve | None:
    """:func:`aalen_johansen` when every subject has one row and starts in state
    0 at one entry before the first time (``_one_start_applies``), with the
    loop over rows replaced by sums over the rows sorted by time, each in the
    loop's order (so every number is the loop's, bit for bit):

    * ``ws[0]`` adds the weights in entry order from 0, then takes off each
      row's weight in time order (``cumsum`` of the weights, then of their
      negatives: ``x + (-w)`` is ``x - w``);
    * at each time, ``H[0, k]`` and the weighted number of events add the
      weights of the moves in time order (``bincount``, a plain loop);
    * rows 1.. of H are the identity's (nobody at risk outside state 0), so
      ``p_0 <- p_0 H00`` (``cumprod``) and ``p_c <- p_0 H0c + p_c`` (``cumsum``;
      the C sum's other terms are exact zeros), ``C00 <- (C00 + H00) - 1``;
    * std.err: the jackknife loop over the event times only (U, hence V, is
      unchanged at the other times), or the closed form.

    None (the caller's loop then answers) when a term is not finite (a weight
    that rounds ``ws`` to 0) or the initial influence is not 0."""
    n = etime.size
    nstate = p0.size
    sort2 = np.argsort(etime, kind="stable")
    ts, st, ws_sorted, subj = etime[sort2], status[sort2], wt[sort2], subject[sort2]
    timeset, first, counts = np.unique(ts, return_index=True, return_counts=True)
    ntime = timeset.size
    tidx = np.repeat(np.arange(ntime), counts)
    run = np.cumsum(np.concatenate([wt[np.argsort(entry, kind="stable")], -ws_sorted]))
    ws0 = run[n - 1 + first]  # ws[0] at each time: all weights in, the earlier rows out
    ev = st > 0
    new = st[ev] - 1
    hsum = np.bincount(tidx[ev] * nstate + new, weights=ws_sorted[ev], minlength=ntime * nstate).reshape(
        ntime, nstate)
    wevent = np.bincount(tidx[ev], weights=ws_sorted[ev], minlength=ntime)
    nev = np.bincount(tidx[ev] * nstate + new, minlength=ntime * nstate).reshape(ntime, nstate).astype(np.int64)
    ncens = np.bincount(tidx[~ev], minlength=ntime).astype(np.int64)
    upd = np.flatnonzero(wevent > 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        temp = np.zeros(upd.size)
        for b in range(nstate):  # survfitci.c: temp += hmat[j][k], then hmat[j][k] /= ws[j]
            temp = temp + hsum[upd, b]
        h = hsum[upd] / ws0[upd, None]
        h[:, 0] = 1 - temp / ws0[upd]
    if not np.isfinite(h).all():
        return None
    p_after = np.zeros((upd.size, nstate))
    p_after[:, 0] = np.multiply.accumulate(np.concatenate([[p0[0]], h[:, 0]]))[1:]
    p_before0 = np.concatenate([[p0[0]], p_after[:-1, 0]])[:upd.size]  # p_0 before each update
    for c in range(1, nstate):
        p_after[:, c] = np.cumsum(np.concatenate([[p0[c]], p_before0 * h[:, c]]))[1:]
    c00 = np.zeros(upd.size)
    x = 0.0
    for k, h00 in enumerate(h[:, 0].tolist()):  # chaz[0][0] += H00, then -= 1
        x = (x + h00) - 1
        c00[k] = x
    last = np.maximum.accumulate(np.where(np.isin(np.arange(ntime), upd), np.arange(ntime), -1))
    slot = np.full(ntime, -1)
    slot[upd] = np.arange(upd.size)
    at = slot[np.maximum(last, 0)]  # each time's latest update (-1: none yet)
    have = last >= 0
    pmat = np.tile(p0.astype(float), (ntime, 1))
    pmat[have] = p_after[at[have]]
    cum = np.zeros((ntime, nstate * nstate))  # column from + to * nstate: C[from, to]
    cum[have, 0] = c00[at[have]]
    for c in range(1, nstate):
        cum[have, c * nstate] = np.cumsum(h[:, c])[at[have]]
    n_risk = np.zeros((ntime, nstate), dtype=np.int64)
    n_risk[:, 0] = n - first
    vmat = None
    if se_fit:
        if closed:
            acur = np.zeros(nstate)
            erec = np.zeros((ntime, nstate, nstate))
            ok = True
            for k, j in enumerate(upd.tolist()):
                pb = p0[0] if k == 0 else p_after[k - 1, 0]
                acur, ok = _shared_row(acur, erec[j], h[k], pb, ws0[j], ok)
            erec[have] = erec[upd[at[have]]]
            done = np.zeros(ntime, dtype=bool)
            done[upd] = True
            vmat = _closed_form_std_err(etime, status, wt, timeset, pmat, erec, done) if ok else None
        if vmat is None:
            vmat = _one_start_jackknife(n, nstate, subj, st, ws_sorted, first, upd, h, p_after, p0, ws0, wt,
                                        subject)
            vmat[have] = vmat[upd[at[have]]]
    return AJCurve(time=timeset, n_risk=n_risk, n_event=nev, n_censor=ncens, pstate=pmat, cumhaz=cum,
                   std_err=vmat)


def _one_start_jackknife(n: int, nstate: int, subj: np.ndarray, st: np.ndarray, ws_sorted: np.ndarray,
                         first: np.ndarray, upd: np.ndarray, h: np.ndarray, p_after: np.ndarray, p0: np.ndarray,
                         ws0: np.ndarray, wt: np.ndarray, subject: np.ndarray) -> np.ndarray:
    """survfitci.c's jackknife for :func:`_one_start_curve` (rows of ``vmat``
    at the update times ``upd``; U starts at 0): at each event time ``U <- U
    H`` and the dH term for the subjects still at risk (:func:`add_dh`), then
    ``std.err = sqrt(sum_i w_i^2 U[i, k]^2)`` added subject after subject.

    The rows of U take few values: every subject still at risk has the same
    row (they all start at 0 and get the same updates); one that leaves, by
    moving to state d at an event time or by being censored, keeps a row
    that from then on is only multiplied by H. So U is a table of distinct
    rows (one for those at risk, one per (exit time, how)) and each
    subject's row is the table's row of its group: the C code's operations
    on one row of each group are the same operations on every row of the
    group (the same bits). The sums over the subjects are R's, in subject
    order: at each event time the subjects' terms ``w^2 * u * u`` (``u *
    u`` with unit weights) are added one after the other. They are formed
    for a block of event times at once, the table of each group's rows over
    the block (a row created in the block reads the at-risk row before its
    creation), so that one pass over the subjects adds every (time, state)
    column side by side (:func:`_group_block_sums`)."""
    ntime = first.size
    vmat = np.zeros((ntime, nstate))
    wtp = np.zeros(n)
    wtp[subject] = wt
    w2 = wtp * wtp
    unit = bool(np.all(w2 == 1.0))
    dstate = np.zeros(n, dtype=np.intp)
    dstate[subj] = np.where(st > 0, st - 1, 0)
    ends = np.append(first[1:], subj.size)
    cap = 1 + upd.size * nstate
    table = np.zeros((cap, nstate))  # row 0: the subjects at risk
    ng = 1
    grp = np.zeros(n, dtype=np.intp)  # each subject's row of the table (subject order)
    gone = 0  # rows (in time order) that have left the risk set
    block = max(1, min(_JK_BLOCK_COLS // max(nstate, 1), upd.size))
    snaps: list[tuple[int, np.ndarray]] = []  # (update time, the table after it) in the current block
    for k, j in enumerate(upd.tolist()):
        out = subj[gone:first[j]]
        gone = first[j]
        if out.size:  # censored since the last event time: the at-risk row, frozen
            leaving = out[grp[out] == 0]
            if leaving.size:
                table[ng] = table[0]
                grp[leaving] = ng
                ng += 1
        live = table[:ng]
        hk = h[k]
        for col in range(1, nstate):  # U <- U H: rows 1.. of H are the identity's (see _u_times_h)
            live[:, col] = live[:, 0] * hk[col] + live[:, col]
        live[:, 0] *= hk[0]
        pb = p0[0] if k == 0 else p_after[k - 1, 0]
        wsj = ws0[j]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            pw = pb / wsj
            for col in range(nstate):  # the dH term: U[i, k] -= H[0, k] p[0] / ws[0] (add_dh)
                table[0, col] = table[0, col] - hk[col] * pb / wsj
            rows = slice(first[j], ends[j])
            moved = subj[rows][st[rows] > 0]
            for d in np.unique(dstate[moved]).tolist():  # U[i, d] += p[0] / ws[0] for those moving to d
                table[ng] = table[0]
                table[ng, d] = table[ng, d] + pw
                grp[moved[dstate[moved] == d]] = ng
                ng += 1
            table[0, 0] = table[0, 0] + pw  # and U[i, 0] for those who stay
        snaps.append((j, table[:ng].copy()))
        if len(snaps) == block or k == upd.size - 1:
            sums = _group_block_sums(snaps, grp, None if unit else w2, nstate)
            for b, (jb, _) in enumerate(snaps):
                vmat[jb] = np.sqrt(sums[b * nstate:(b + 1) * nstate])
            snaps = []
    return vmat


#: columns (event times x states) added side by side in one pass over the subjects
_JK_BLOCK_COLS = 64
#: subjects per chunk of that pass (a chunk's terms stay in the cache)
_JK_CHUNK = 2048


def _group_block_sums(snaps: list[tuple[int, np.ndarray]], grp: np.ndarray, w2: np.ndarray | None,
                      nstate: int) -> np.ndarray:
    """For each event time b of the block and state k, ``sum_i w2_i * u_ik *
    u_ik`` (``u * u`` without weights) in subject order, ``u_i`` the row of
    subject i's group at b: each group's rows over the block side by side
    (before a group was made, its subjects were at risk: row 0), a chunk of
    subjects at a time under the running totals (``np.add.reduce`` down the
    rows: the C loop's order)."""
    ng = snaps[-1][1].shape[0]
    nb = len(snaps)
    bt = np.empty((ng, nb * nstate))
    for b, (_, tab) in enumerate(snaps):
        cols = slice(b * nstate, (b + 1) * nstate)
        bt[:tab.shape[0], cols] = tab
        bt[tab.shape[0]:, cols] = tab[0]
    if w2 is None:
        bt = bt * bt  # each group's u * u: the same product for every subject of the group

    def fill(terms: np.ndarray, lo: int, hi: int) -> None:
        np.take(bt, grp[lo:hi], axis=0, out=terms)
        if w2 is not None:  # (w^2 * u) * u
            uu = terms.copy()
            terms *= w2[lo:hi, None]
            terms *= uu

    return ordered_sums(grp.size, bt.shape[1], fill, block=_JK_CHUNK)
