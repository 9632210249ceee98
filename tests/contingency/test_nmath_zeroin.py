"""The nmath port (dhyper, phyper) and R's uniroot: closed forms and R's own
values (printed by R 4.2.2 with ``sprintf("%a")``, so no R is needed here)."""
from __future__ import annotations

import math
from fractions import Fraction

import pytest

from pyimpl.contingency.nmath import bd0, dhyper, phyper, stirlerr
from pyimpl.contingency.zeroin import UnirootControl, uniroot, zeroin2
from rparity_contract.errors import RParityError

H = float.fromhex

# dhyper(x, m, n, k, log = TRUE) in R 4.2.2
DHYPER = [
    (0, 10, 5, 4, H("-0x1.670195fd09d83p+2")),
    (4, 10, 5, 4, H("-0x1.df2e6d6e5fbafp+0")),
    (3, 10, 5, 4, H("-0x1.a4da91c611dbep-1")),
    (20, 40, 60, 50, H("-0x1.d29eb4417d232p+0")),
    (250, 600, 700, 500, H("-0x1.6028ad23bf432p+2")),
    (100, 1000, 900, 210, H("-0x1.01c98a6add694p+2")),
    (1, 2, 3, 3, H("-0x1.058aefa811454p-1")),
    (0, 700, 300, 20, H("-0x1.889257d6747c6p+4")),
    (20, 700, 300, 20, H("-0x1.cdd6d109d416cp+2")),
    (37, 80, 95, 60, H("-0x1.ad987b024ee66p+2")),
]
# phyper(x, m, n, k), phyper(x, m, n, k, lower.tail = FALSE) in R 4.2.2
PHYPER = [
    (0, 10, 5, 4, H("0x1.e01e01e01e015p-9"), H("0x1.fe1fe1fe1fe2p-1")),
    (3, 10, 5, 4, H("0x1.b13b13b13b13cp-1"), H("0x1.3b13b13b13b1p-3")),
    (20, 40, 60, 50, H("0x1.295d86ddf0b41p-1"), H("0x1.ad44f2441e97ep-2")),
    (250, 600, 700, 500, H("0x1.f9d53d0c0b192p-1"), H("0x1.8ab0bcfd39b95p-7")),
    (2, 1000, 900, 210, H("0x1.1b9c60d8b828ep-232"), H("0x1p+0")),
    (37, 80, 95, 60, H("0x1.ffae0eab00c3ap-1"), H("0x1.47c553fcf1a3fp-11")),
    (59, 150, 150, 60, H("0x1p+0"), H("0x1.34f41037dc97ep-71")),
]


def exact_dhyper(x: int, m: int, n: int, k: int) -> Fraction:
    return Fraction(math.comb(m, x) * math.comb(n, k - x), math.comb(m + n, k))


@pytest.mark.parametrize("x, m, n, k, r_value", DHYPER)
def test_dhyper_log_is_rs_to_the_bit(x, m, n, k, r_value):
    assert dhyper(x, m, n, k, log=True) == r_value


@pytest.mark.parametrize("x, m, n, k, r_value", DHYPER)
def test_dhyper_matches_the_binomial_coefficients(x, m, n, k, r_value):
    exact = exact_dhyper(x, m, n, k)
    assert dhyper(x, m, n, k) == pytest.approx(float(exact), rel=1e-13)


@pytest.mark.parametrize("x, m, n, k, lower, upper", PHYPER)
def test_phyper_is_rs_to_the_bit(x, m, n, k, lower, upper):
    assert phyper(x, m, n, k) == lower
    assert phyper(x, m, n, k, lower_tail=False) == upper


@pytest.mark.parametrize("x, m, n, k, lower, upper", PHYPER[:4] + PHYPER[5:6])
def test_phyper_matches_exact_sums(x, m, n, k, lower, upper):
    lo = max(0, k - n)
    cdf = sum(exact_dhyper(i, m, n, k) for i in range(lo, x + 1))
    assert phyper(x, m, n, k) == pytest.approx(float(cdf), rel=1e-13)
    assert phyper(x, m, n, k, lower_tail=False) == pytest.approx(float(1 - cdf), rel=1e-12)


def test_dhyper_outside_the_support_and_empty_draw():
    assert dhyper(5, 4, 10, 6, log=True) == -math.inf
    assert dhyper(0, 4, 10, 0) == 1.0
    assert dhyper(-1, 4, 10, 3) == 0.0


def test_stirlerr_and_bd0_closed_forms():
    # stirlerr(n) = log(n!) - log(sqrt(2 pi n) (n/e)^n)
    for n in (1, 2, 7.5, 15, 16, 40, 100, 600):
        ref = math.lgamma(n + 1) - 0.5 * math.log(2 * math.pi * n) - n * (math.log(n) - 1)
        assert stirlerr(n) == pytest.approx(ref, rel=1e-9, abs=2e-11)  # lgamma(601) ~ 3245
    # bd0(x, np) = x log(x/np) + np - x
    for x, m in ((10, 12), (100, 101), (5, 50), (3, 3)):
        assert bd0(x, m) == pytest.approx(x * math.log(x / m) + m - x, rel=1e-10, abs=1e-300)


@pytest.mark.parametrize("f, lo, hi, r_root, r_iter", [
    (lambda x: x * x - 2, 0.0, 2.0, H("0x1.6a09e256f2c19p+0"), 6),
    (lambda x: math.exp(x) - 5, 0.0, 3.0, H("0x1.9c04179f03fa7p+0"), 6),
    (lambda x: x**3 - x - 1, 1.0, 2.0, H("0x1.5320b5175b36fp+0"), 7),
    (lambda x: math.cos(x) - x, 0.0, 1.0, H("0x1.7a6a24a834112p-1"), 4),
], ids=["sqrt2", "log5", "cubic", "dottie"])
def test_uniroot_takes_rs_steps(f, lo, hi, r_root, r_iter):
    res = uniroot(f, lo, hi)
    assert res.root == r_root
    assert res.iter == r_iter


def test_uniroot_default_tolerance_is_eps_to_the_quarter():
    assert UnirootControl().tol == 2.0**-13
    assert UnirootControl().maxiter == 1000


def test_uniroot_root_at_an_end_and_errors():
    assert uniroot(lambda x: x, 0.0, 1.0).root == 0.0
    assert uniroot(lambda x: x - 1, 0.0, 1.0).iter == 0
    with pytest.raises(RParityError, match="f\\(\\) values at end points not of opposite sign"):
        uniroot(lambda x: x * x + 1, -1.0, 1.0)
    with pytest.raises(RParityError, match="lower < upper  is not fulfilled"):
        uniroot(lambda x: x, 1.0, 0.0)
    with pytest.raises(RParityError, match="f.lower = f\\(lower\\) is NA"):
        uniroot(lambda x: math.nan, 0.0, 1.0)


def test_zeroin2_reports_non_convergence():
    def f(x):
        return (x - 0.3) ** 3

    res = zeroin2(f, 0.0, 1.0, f(0.0), f(1.0), tol=0.0, maxit=2)
    assert res.iter == -1
    with pytest.warns(UserWarning, match="_NOT_ converged in 2 iterations"):
        assert uniroot(f, 0.0, 1.0, UnirootControl(tol=0.0, maxiter=2)).iter == 2
