"""The project's own use of its pytest plugin: pyimpl agrees with R."""
import pytest


@pytest.mark.r
def test_pyimpl_km_and_logrank_agree_with_r(rparity_parity):
    rparity_parity("pyimpl", ["survfit", "survdiff"], examples=25, seed=7)
