"""Engine registry and plugins: loading, checks at registration, bad engines."""
import importlib
import types

import numpy as np
import pytest

import pyimpl
import rparity
from rparity.engines import EngineError, PluginError, engine, engine_status, register_engine

AML_T = [9.0, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161]
AML_E = [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0]


def test_builtins_load_and_list():
    status = engine_status()
    for name in ("pyimpl", "r", "lifelines", "statsmodels"):
        assert name in status
    assert set(rparity.engine("pyimpl").provided()) >= {"survfit", "survdiff", "fisher_test", "matchit"}


def test_module_attribute_path_loads():
    eng = engine("pyimpl.survival")
    assert eng.provides("survfit") and not eng.provides("coxph")


def test_unknown_engine_is_a_key_error_listing_installed():
    with pytest.raises(KeyError, match="unknown engine 'nope'.*registered: .*pyimpl"):
        engine("nope")
    with pytest.raises(KeyError, match="unknown engine 'pyimp' \\(did you mean 'pyimpl'\\?\\)"):
        engine("pyimp")


def test_a_misspelt_function_is_an_attribute_error_not_a_stub():
    eng = rparity.engine("pyimpl")
    with pytest.raises(AttributeError, match="'coxhp' is not a contract function \\(did you mean 'coxph'\\?\\)"):
        eng.coxhp


def test_plugin_without_contract_functions_is_refused():
    with pytest.raises(PluginError, match="engine plugin 'empty' provides none of the contract functions"):
        register_engine("empty", types.SimpleNamespace(hello=lambda: 1), clobber=True)


def test_plugin_with_a_non_callable_function_is_refused():
    with pytest.raises(PluginError, match="`survfit` is not callable"):
        register_engine("bad1", types.SimpleNamespace(survfit=3), clobber=True)


def test_plugin_with_wrong_signature_is_refused():
    with pytest.raises(PluginError, match=r"`survdiff` must accept the positional arguments \(time, event, group\)"):
        register_engine("bad2", types.SimpleNamespace(survdiff=lambda time: None), clobber=True)


def test_registration_does_not_clobber_by_default():
    with pytest.raises(PluginError, match="already registered"):
        register_engine("pyimpl", pyimpl)


def test_plugin_that_fails_to_import_is_listed_with_its_error(monkeypatch):
    mod = importlib.import_module("rparity_contract.registry")

    monkeypatch.setitem(mod._RUNTIME, "broken", "no_such_module_xyz:ENGINE")
    status = engine_status()
    assert "broken" in status and "No module named 'no_such_module_xyz'" in status["broken"]
    assert "broken" not in rparity.engines()


def test_entry_point_plugins_feed_the_registry(monkeypatch):
    mod = importlib.import_module("rparity_contract.registry")

    monkeypatch.setattr(mod, "_entry_points", lambda: {"viaep": "pyimpl.survival"})
    assert engine("viaep").provides("survfit")


def test_wrong_result_type_is_an_engine_error():
    eng = rparity.Engine("liar", types.SimpleNamespace(survfit=lambda time, event, **kw: {"surv": [1.0]}))
    with pytest.raises(EngineError, match="survfit returned dict, not SurvFit"):
        eng.survfit(AML_T, AML_E)


def test_wrong_lengths_are_an_engine_error():
    def survfit(time, event, **kw):
        fit = pyimpl.survfit(time, event, **kw)
        return fit.evolve(surv=fit.surv[:-1])

    eng = rparity.Engine("short", types.SimpleNamespace(survfit=survfit))
    with pytest.raises(EngineError, match=r"survfit arrays \['surv'\] do not have the length of `time`"):
        eng.survfit(AML_T, AML_E)


def test_missing_function_says_not_provided():
    eng = rparity.engine("lifelines")
    with pytest.raises(NotImplementedError, match="engine 'lifelines' does not provide matchit"):
        eng.matchit(None, "t", [])


def test_bad_engines_never_crash_a_check_and_never_count_as_agreement():
    from rparity.cases import all_cases
    from rparity.check import run_check

    def raising(time, event, **kw):
        raise RuntimeError("boom")

    def nan_engine(time, event, **kw):
        fit = pyimpl.survfit(time, event, **kw)
        return fit.evolve(surv=np.full(np.shape(fit.surv), np.nan))

    cases = [c for c in all_cases() if c.id in ("survfit/aml", "survfit/test1")]
    for name, impl, detail in (
        ("raiser", types.SimpleNamespace(survfit=raising), "raised RuntimeError: boom"),
        ("nanner", types.SimpleNamespace(survfit=nan_engine), "the engine gives NaN where R has a number"),
        ("dicter", types.SimpleNamespace(survfit=lambda t, e, **k: {}), "returned dict, not SurvFit"),
    ):
        register_engine(name, impl, clobber=True)
        rep = run_check(name, "golden", cases=cases)
        bad = [r for r in rep.rows if r.classification is not None and r.classification.failing]
        assert bad and not rep.ok, name
        assert any(detail in r.detail for r in bad), (name, [r.detail for r in bad])
        if name == "raiser":
            assert any("test_engines.py" in r.detail for r in bad)  # the traceback summary
