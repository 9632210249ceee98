import os
import sys

from rparity.engines import register_engine

sys.path.insert(0, os.path.dirname(__file__))

# registered when pytest loads this conftest, before the test modules (which
# register the engine's known divergence, checked against the engine table)
register_engine("toy_km", "toy_km", clobber=True)
