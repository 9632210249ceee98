"""Adapters that run the Python peers (lifelines, statsmodels, scikit-survival) as rparity engines.

Each adapter converts the peer's output into the contract's result types and
states, in ``UNSUPPORTED``, which arguments it cannot honour (asking for one
raises ``NotImplementedError``, reported as "not provided"). Quantities a peer
does not compute are ``None`` in the result (also "not provided"). Where a peer
computes something differently from R, the adapter reports the peer's value as
the peer computes it: explaining the difference is the job of the known
divergence registry (:mod:`rparity.divergences`), not of the adapter.
"""
