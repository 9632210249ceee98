"""``matchit(compat="3.0.2")``: which of the contract's options MatchIt 3.0.2
has, and how 3.0.2 spells them (shared by pyimpl, which reproduces 3.0.2, and
rbridge, which runs it).

MatchIt 3.0.2 (January 2018, the MatchIt of R 3.4.3) has no ``estimand``
(always ATT) and no ``std.caliper`` (the caliper is always in standard
deviations of the distance); it names the propensity model's link in
``distance`` (``"logit"``, ``"linear.logit"``) and the discard of treated
units ``"treat"``. It draws at random within the caliper, among tied units and
for ``m.order = "random"``: a call needs a seed, and the sampler of the R
the draws imitate (``"Rounding"``, R < 3.6 and the default here, or
``"Rejection"``).
"""
from __future__ import annotations

from typing import Any

from .errors import InvalidArgument
from .values import SAMPLE_KINDS

__all__ = ["COMPAT_302", "check_options_302", "r_options_302", "sample_kind_for"]

#: The ``compat`` value of MatchIt 3.0.2.
COMPAT_302 = "3.0.2"


def sample_kind_for(compat: str | None, sample_kind: str | None) -> str:
    """The sampler in force: as given, else "Rounding" for 3.0.2 (the paper's
    R 3.4.3 had no other) and "Rejection" (R >= 3.6's default) otherwise."""
    if sample_kind is None:
        return "Rounding" if compat == COMPAT_302 else "Rejection"
    if sample_kind not in SAMPLE_KINDS:
        raise InvalidArgument(f"`sample_kind` must be 'Rounding' or 'Rejection' (R's RNGkind(sample.kind=)); "
                              f"got sample_kind={sample_kind!r}", kind="sample_kind.value")
    return sample_kind


def check_options_302(*, estimand: Any, std_caliper: Any, caliper: Any, m_order: Any, seed: Any) -> None:
    """Refuse what MatchIt 3.0.2 cannot be asked (each names the argument)."""
    if not (isinstance(estimand, str) and estimand.upper() == "ATT"):
        raise InvalidArgument(f"`estimand` is not an option of MatchIt 3.0.2, which always estimates the ATT "
                              f"(treated units matched to controls); got estimand={estimand!r} with "
                              f"compat='3.0.2'", kind="compat.option")
    if std_caliper is not True:
        raise InvalidArgument(f"`std_caliper` is not an option of MatchIt 3.0.2, whose caliper is always in "
                              f"standard deviations of the distance; got std_caliper={std_caliper!r} with "
                              f"compat='3.0.2'", kind="compat.option")
    if seed is None:
        with_caliper = isinstance(caliper, (int, float)) and not isinstance(caliper, bool) and caliper > 0
        why = ("with m_order='random'" if m_order == "random" else
               f"within the caliper (caliper={caliper!r})" if with_caliper else "among units tied at the same distance")
        raise InvalidArgument(f"`seed` is needed with compat='3.0.2': MatchIt 3.0.2 draws at random {why} (R's "
                              f"sample()), so its match depends on the seed; give seed=<integer>",
                              kind="seed.missing")


def r_options_302(*, distance: Any, link: str, ratio: Any, replace: Any, caliper: Any, m_order: Any,
                  discard: str) -> dict[str, Any]:
    """The arguments of MatchIt 3.0.2's ``matchit()`` for the contract's
    options (R's names; options left at their default are not passed)."""
    out: dict[str, Any] = {}
    if isinstance(distance, str):
        out["distance"] = link  # 3.0.2: distance = "logit" / "linear.logit"
    else:
        out["distance"] = distance
    out["ratio"] = ratio
    out["replace"] = replace
    if caliper is not None:
        out["caliper"] = caliper
    if m_order is not None:
        out["m.order"] = m_order
    out["discard"] = "treat" if discard == "treated" else discard
    return out
