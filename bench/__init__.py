"""Benchmarks: pyimpl against R and the Python peers on the same data, same run.

Run one with ``python -m bench.<name> --help``. Targets live here, never in
timed unit tests.
"""
