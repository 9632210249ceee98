"""R's default random number generator, for ``m_order="random"`` at parity.

R 4.2's defaults are ``RNGkind("Mersenne-Twister", "Inversion", "Rejection")``.
This module reproduces, in numpy, exactly what MatchIt's random order uses:

* ``set.seed(seed)`` (R ``src/main/RNG.c``: ``Randomize``/``RNG_Init``): the seed
  is scrambled by fifty steps of the LCG ``s <- 69069 s + 1`` (mod 2^32); the
  next 625 LCG values fill R's seed vector ``dummy[0..624]``, whose first
  element (``mti``) ``FixupSeeds`` then sets to 624, so values 2..625 are the
  MT19937 key and the first draw regenerates the block. numpy's ``MT19937``
  produces the same 32-bit stream from that key and position.
* ``unif_rand()``: ``MT_genrand`` returns ``y * 2.3283064365386963e-10``
  (``y`` the tempered 32-bit output), then ``fixup`` keeps it in (0, 1).
* ``sample.int(n)``, ``sample.kind="Rejection"`` (R >= 3.6, ``R_unif_index``):
  draw ``bits = ceil(log2(n))`` random bits from 16-bit chunks
  (``floor(65536 u)``) and reject values >= n; without replacement each draw
  takes ``x[j]`` and moves the last element into slot ``j`` (``do_sample``).
* ``sample.kind="Rounding"`` (R < 3.6, and R >= 3.6 after
  ``RNGkind(sample.kind = "Rounding")``): ``R_unif_index(n)`` is
  ``floor(n * unif_rand())``, one uniform per index.

Only these pieces are provided; they are verified against R for many seeds and
sizes in ``tests/matching/test_rng.py``.
"""
from __future__ import annotations

import math

import numpy as np

from rparity_contract.errors import InvalidArgument
from rparity_contract.values import SAMPLE_KINDS

__all__ = ["RRandom", "set_seed", "r_sample_int", "SAMPLE_KINDS"]



_I2_32M1 = 2.328306437080797e-10  # 1/(2^32 - 1), R's fixup bound
_MT_SCALE = 2.3283064365386963e-10  # 2^-32, MT_genrand's scaling
_MASK32 = 0xFFFFFFFF


def _seed_key(seed: int) -> np.ndarray:
    """The 624-word MT19937 key R's ``set.seed(seed)`` produces."""
    s = int(seed) & _MASK32
    for _ in range(50):  # Randomize(): initial scrambling
        s = (69069 * s + 1) & _MASK32
    words = np.empty(625, dtype=np.uint32)
    for j in range(625):  # RNG_Init(): fill dummy[0..624]
        s = (69069 * s + 1) & _MASK32
        words[j] = s
    # FixupSeeds(): dummy[0] (mti) <- 624; the key is dummy[1..624]
    return words[1:]


class RRandom:
    """A stream of R's ``unif_rand()`` after ``set.seed(seed)``.

    Parameters
    ----------
    seed : int
        As R's ``set.seed`` argument (coerced to a 32-bit integer as R does).
    sample_kind : "Rejection" or "Rounding"
        R's ``RNGkind(sample.kind=)`` in force (R >= 3.6 defaults to
        "Rejection"; R 3.4.3, the study paper's, had only "Rounding").
    """

    def __init__(self, seed: int, sample_kind: str = "Rejection"):
        if sample_kind not in SAMPLE_KINDS:
            raise InvalidArgument(f"`sample_kind` must be 'Rejection' or 'Rounding' (R's RNGkind(sample.kind=)); "
                                  f"got sample_kind={sample_kind!r}", kind="sample_kind.value")
        self.sample_kind = sample_kind
        try:
            s = int(seed)
        except (TypeError, ValueError):
            raise InvalidArgument(f"`seed` must be an integer; got seed={seed!r}", kind="seed.value") from None
        if s != seed or not (-(2**31) < s < 2**31):
            raise InvalidArgument(
                f"`seed` must be an integer between -2147483647 and 2147483647 (R's set.seed); "
                f"got seed={seed!r}", kind="seed.value")
        self._bitgen = np.random.MT19937()
        self._bitgen.state = {
            "bit_generator": "MT19937",
            "state": {"key": _seed_key(s), "pos": 624},
        }
        # values drawn from the generator but not yet consumed (in order)
        self._buf: list[float] = []
        self._at = 0

    def _fill(self, size: int) -> None:
        u = np.asarray(self._bitgen.random_raw(size), dtype=np.uint64).astype(float) * _MT_SCALE
        # RNG.c fixup(): ensure 0 < u < 1
        u = np.where(u <= 0.0, 0.5 * _I2_32M1, u)
        u = np.where(1.0 - u <= 0.0, 1.0 - 0.5 * _I2_32M1, u)
        self._buf = self._buf[self._at:] + u.tolist()
        self._at = 0

    def _next(self) -> float:
        if self._at >= len(self._buf):
            self._fill(1024)
        v = self._buf[self._at]
        self._at += 1
        return v

    def unif_rand(self, size: int = 1) -> np.ndarray:
        """``size`` successive values of R's ``unif_rand()``."""
        return np.array([self._next() for _ in range(size)])

    def _rbits(self, bits: int) -> int:
        # RNG.c rbits(): 16 bits per unif_rand(), for n = 0, 16, ... <= bits
        v = 0
        for _ in range(bits // 16 + 1):
            v = 65536 * v + int(math.floor(self._next() * 65536))
        return v & ((1 << bits) - 1)

    def unif_index(self, dn: int) -> int:
        """R's ``R_unif_index(dn)`` (RNG.c) under the stream's sample kind."""
        if self.sample_kind == "Rounding":
            return int(math.floor(dn * self._next()))
        if dn <= 0:
            return 0
        bits = int(math.ceil(math.log2(dn)))
        while True:
            dv = self._rbits(bits)
            if dn > dv:
                return dv

    def sample_int(self, n: int, size: int | None = None) -> np.ndarray:
        """R's ``sample.int(n, size)`` without replacement (1-based values)."""
        n = int(n)
        k = n if size is None else int(size)
        if k > n or k < 0:
            raise InvalidArgument(
                f"`size` must be between 0 and n without replacement; got size={k}, n={n}", kind="argument.value")
        if n > 10_000_000 and k <= n / 2:
            raise InvalidArgument("sample.int's hashed algorithm (n > 1e7, size <= n/2) is not implemented",
                                  kind="argument.value")
        x = list(range(n))
        out = np.empty(k, dtype=np.int64)
        m = n
        for i in range(k):  # do_sample(): swap-remove
            j = self.unif_index(m)
            out[i] = x[j] + 1
            m -= 1
            x[j] = x[m]
        return out


def set_seed(seed: int, sample_kind: str = "Rejection") -> RRandom:
    """``set.seed(seed)``: a fresh :class:`RRandom` stream."""
    return RRandom(seed, sample_kind)


def r_sample_int(n: int, seed: int, sample_kind: str = "Rejection") -> np.ndarray:
    """``set.seed(seed); sample.int(n)`` (1-based)."""
    return RRandom(seed, sample_kind).sample_int(n)
