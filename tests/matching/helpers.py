"""Comparison helpers shared by the matching tests."""
from __future__ import annotations

import numpy as np

from rparity.cases.matching import LALONDE_COVS, MATCHIT_CONFIGS  # noqa: F401  (LALONDE_COVS re-exported)

#: The 14 configurations verified against MatchIt 4.5.1 when this suite was written,
#: the first entries of the cases' configurations.
SPEC_CONFIGS = dict(list(MATCHIT_CONFIGS.items())[:14])


def max_rel(a, b) -> float:
    """Largest relative difference; NaN must meet NaN; absolute near 0."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert np.array_equal(np.isnan(a), np.isnan(b)), "NaN (NA) pattern differs"
    ok = ~np.isnan(a)
    a, b = a[ok], b[ok]
    if a.size == 0:
        return 0.0
    same = a == b  # includes equal infinities
    assert not (np.isinf(a) | np.isinf(b))[~same].any(), "an infinity differs"
    a, b = a[~same], b[~same]
    if a.size == 0:
        return 0.0
    den = np.maximum(np.abs(a), np.abs(b))
    diff = np.abs(a - b)
    return float(np.max(np.where(den > 1e-300, diff / np.where(den > 0, den, 1.0), diff)))


def canonical_partition(sub) -> np.ndarray | None:
    """Subclass labels renumbered by first appearance in data order (-1 = none)."""
    if sub is None:
        return None
    codes = np.asarray(sub.codes)
    out = np.full(codes.size, -1)
    seen: dict = {}
    for i, c in enumerate(codes.tolist()):
        if c >= 0:
            out[i] = seen.setdefault(c, len(seen))
    return out


def assert_same_match(p, r, *, balance_rtol: float = 1e-10, distance_rtol: float = 1e-10):
    """pyimpl result ``p`` equals R result ``r``: pairs, subclasses, weights
    identical; distances and balance tables within tolerance."""
    assert p.match_matrix.index.tolist() == r.match_matrix.index.tolist()
    assert np.array_equal(p.match_positions, r.match_positions), "match matrices differ"
    assert (p.subclass is None) == (r.subclass is None)
    if p.subclass is not None:
        assert np.array_equal(canonical_partition(p.subclass), canonical_partition(r.subclass))
        assert np.array_equal(np.asarray(p.subclass.codes), np.asarray(r.subclass.codes)), "labels differ"
    assert np.array_equal(p.weights, r.weights), f"weights differ: {max_rel(p.weights, r.weights)}"
    assert np.array_equal(p.discarded, r.discarded)
    assert max_rel(p.distance, r.distance) <= distance_rtol
    assert sorted(set(p.warnings)) == sorted(set(r.warnings))
    ps, rs = p.summary(), r.summary()
    for tab in ("all", "matched"):
        pt, rt = getattr(ps, tab), getattr(rs, tab)
        assert pt.index.tolist() == rt.index.tolist()
        for c in pt.columns:
            assert max_rel(pt[c], rt[c]) <= balance_rtol, (tab, c)
    assert max_rel(ps.nn.to_numpy(), rs.nn.to_numpy()) <= 1e-12


def quiet(fn, *a, **kw):
    """``fn(*a, **kw)`` and the messages of the warnings it raised (all of them, in order)."""
    import warnings

    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = fn(*a, **kw)
    return out, [str(x.message) for x in w]


def run_both(data, treat, covs, **kw):
    """``matchit`` in pyimpl and in R on the same call: for each, (result or
    None, exception or None, warning messages)."""
    import warnings

    import pyimpl
    import rbridge

    out = []
    for fn in (pyimpl.matchit, rbridge.matchit):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                out.append((fn(data, treat, covs, **kw), None, [str(x.message) for x in w]))
            except Exception as exc:  # noqa: BLE001 - compared by the caller
                out.append((None, exc, []))
    return out


def assert_same_subclassing(out, *, summary: bool = True) -> None:
    """Both engines refused for the same reason, or gave the same subclasses,
    weights (bit for bit), warnings and (``summary``) balance tables."""
    import warnings

    import pandas as pd

    import pyimpl
    import rbridge
    from rparity.refusals import refusal_kind

    (a, ea, wa), (b, eb, wb) = out
    if ea is not None or eb is not None:
        assert ea is not None and eb is not None, (ea, eb)
        assert refusal_kind(ea, "matchit") == refusal_kind(eb, "matchit"), (ea, eb)
        return
    assert wa == wb
    np.testing.assert_array_equal(pd.Categorical(a.subclass).codes, pd.Categorical(b.subclass).codes)
    np.testing.assert_array_equal(a.weights, b.weights)
    if a.q_cut is not None or b.q_cut is not None:
        np.testing.assert_array_equal(a.q_cut, b.q_cut)
    if not summary:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sa, sb = pyimpl.matchit_summary(a), rbridge.matchit_summary(b)
    for part in ("all", "matched"):
        x, y = getattr(sa, part), getattr(sb, part)
        assert list(x.index) == list(y.index)
        np.testing.assert_allclose(x.to_numpy(), y.to_numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(sa.nn.to_numpy(), sb.nn.to_numpy())
