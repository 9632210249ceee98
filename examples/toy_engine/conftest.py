import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))


@pytest.fixture(autouse=True, scope="session")
def _register_toy_engine():
    from rparity.engines import register_engine

    register_engine("toy_km", "toy_km", clobber=True)
