"""A downstream project's CI: toy_km agrees with R's survfit, apart from the one
difference its authors know about and have registered (toy-km-no-timefix)."""
import toy_km_divergences  # noqa: F401  (registers the known divergence)


def test_toy_km_agrees_with_r(rparity_parity):
    rparity_parity("toy_km", ["survfit"], examples=40, seed=1, allow=["toy-km-no-timefix"])
