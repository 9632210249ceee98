"""R's set.seed / unif_rand / sample.int in numpy (pyimpl.matching.rng)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyimpl.matching.rng import RRandom, r_sample_int
from rparity_contract.errors import InvalidArgument

# Rscript (R 4.2.2, default RNGkind): set.seed(s); x <- sample.int(n);
# cat(s, n, head(x, 8), "|", tail(x, 3))
GOLDEN = """
1 10 9 4 7 1 2 5 3 10 | 10 6 8
1 185 68 167 129 162 43 14 51 85 | 114 78 157
1 1000 836 679 129 930 509 471 299 270 | 683 415 405
42 3 1 3 2 | 1 3 2
42 185 49 65 153 74 146 122 185 128 | 7 123 97
2024 2 2 1 | 2 1
2024 1000 578 549 557 700 255 913 621 416 | 349 64 587
-7 10 6 5 7 9 2 4 1 3 | 3 8 10
123456789 185 116 66 103 16 44 45 86 167 | 150 113 177
"""


@pytest.mark.parametrize("line", [ln for ln in GOLDEN.strip().splitlines()])
def test_sample_int_golden(line):
    left, right = line.split("|")
    s, n, *head = map(int, left.split())
    tail = list(map(int, right.split()))
    x = r_sample_int(n, s)
    assert sorted(x.tolist()) == list(range(1, n + 1))
    assert x[:8].tolist() == head
    assert x[-3:].tolist() == tail


def test_runif_golden():
    # set.seed(42); print(runif(3), digits = 17)
    u = RRandom(42).unif_rand(3)
    assert u.tolist() == [0.91480604349635541, 0.93707541329786181, 0.28613953478634357]


def test_stream_continues_across_calls():
    r = RRandom(5)
    a = np.concatenate([r.sample_int(7), r.sample_int(300), r.sample_int(1)])
    r2 = RRandom(5)
    b = np.concatenate([r2.sample_int(7), r2.sample_int(300), r2.sample_int(1)])
    assert a.tolist() == b.tolist()


@pytest.mark.parametrize("seed", [1.5, "3", 2**31, None])
def test_bad_seed(seed):
    with pytest.raises(InvalidArgument, match="`seed` must be an integer"):
        RRandom(seed)


@pytest.mark.r
@given(seed=st.integers(-(2**31) + 1, 2**31 - 1), n=st.sampled_from([1, 2, 5, 16, 17, 100, 1000, 65537, 70000]))
@settings(max_examples=40)
def test_sample_int_live(seed, n):
    import rpy2.robjects as ro

    import rbridge

    rbridge.session()
    with rbridge.exclusive_r():  # no finaliser of another thread in R meanwhile
        rx = np.asarray(ro.r(f"function() {{ set.seed({seed}L); sample.int({n}L) }}")())
        assert r_sample_int(n, seed).tolist() == rx.tolist()


@pytest.mark.r
@given(seed=st.integers(-(2**31) + 1, 2**31 - 1), sizes=st.lists(st.integers(0, 500), min_size=1, max_size=5))
@settings(max_examples=30)
def test_successive_draws_live(seed, sizes):
    # MatchIt draws once per exact stratum from one stream
    import rpy2.robjects as ro

    import rbridge

    rbridge.session()
    with rbridge.exclusive_r():  # no finaliser of another thread in R meanwhile
        body = "; ".join(f"x{i} <- sample.int({k}L)" for i, k in enumerate(sizes))
        cat = ", ".join(f"x{i}" for i in range(len(sizes)))
        rx = np.asarray(ro.r(f"function() {{ set.seed({seed}L); {body}; c({cat}) }}")())
        r = RRandom(seed)
        px = np.concatenate([r.sample_int(k) for k in sizes]) if sizes else np.zeros(0)
        assert px.tolist() == rx.tolist()
