"""The R bridge: warnings and errors carry R's words; user strings stay data."""
import warnings

import numpy as np
import pandas as pd
import pytest

import rbridge
from rparity_contract.errors import RError, RWarning

pytestmark = pytest.mark.r


def test_r_warning_becomes_python_warning_with_r_message():
    # no events at all: R's pchisq(0, -1) warns "NaNs produced"
    with pytest.warns(RWarning, match="NaNs produced"):
        res = rbridge.survdiff([1.0, 2.0, 3.0], [0, 0, 0], ["a", "b", "b"])
    assert "NaNs produced" in res.warnings
    assert np.isnan(res.pvalue)


def test_r_error_becomes_exception_with_r_message():
    with pytest.raises(RError, match="exactly singular"):
        rbridge.survdiff([1.0, 1.0], [1, 1], ["a", "b"])


def test_summary_error_from_r_is_carried():
    fit = rbridge.survfit([1.0, 2.0], [1, 0])
    with pytest.raises(RError, match="no points selected"):
        fit.summary([10.0])


def test_hostile_labels_are_data_not_code(tmp_path):
    marker = tmp_path / "pwned"
    evil = f'a"); file.create("{marker}"); ("'
    res = rbridge.survdiff([1.0, 2.0, 3.0, 4.0], [1, 1, 0, 1], [evil, evil, "b", "b"])
    assert not marker.exists()
    assert res.groups == (evil, "b")


def test_provenance_names_versions_and_call():
    fit = rbridge.survfit([1.0, 2.0, 3.0], [1, 0, 1], conf_type="plain")
    p = fit.provenance
    assert p["R"].startswith("R version") and p["survival"] and p["BLAS"] and p["LAPACK"]
    assert 'conf.type = "plain"' in p["call"]
    assert fit.engine == "r"


def test_no_console_noise_on_success(capfd):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rbridge.survfit([1.0, 2.0, 3.0], [1, 0, 1])
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def _preserved(rid: int) -> bool:
    from rpy2.rinterface_lib import _rinterface_capi as capi

    return rid in dict(capi.protected_rids())


def _drop_in_another_thread(holder: list) -> None:
    import gc
    import threading

    def drop() -> None:  # rpy2's vectors sit in reference cycles: the collector of this thread frees them
        holder.clear()
        gc.collect()

    t = threading.Thread(target=drop)
    t.start()
    t.join()


def test_a_finaliser_in_another_thread_waits_until_r_is_idle():
    """An rpy2 object dropped (or collected) in another thread while this one is in R
    is released by R only when R is idle: ``R_ReleaseObject`` running beside an
    evaluation crashed the test process in CI (Dask's threads collect garbage)."""
    import rpy2.robjects as ro
    from rpy2.rinterface_lib import _rinterface_capi as capi

    rbridge.session()
    with rbridge.exclusive_r():
        vec = ro.FloatVector([1.5, 2.5])
        rid = capi.get_rid(vec.__sexp__._cdata)
        holder = [vec]
        del vec
        _drop_in_another_thread(holder)
        assert _preserved(rid), "released while this thread was in R"
    assert not _preserved(rid), "never released"


def test_a_finaliser_in_another_thread_with_r_idle_waits_for_the_next_r_call():
    """From a thread other than R's, the release is never done there, even with R
    idle (a caller using rpy2 directly outside the lock could be in R): it is
    queued and done by the next thread leaving R."""
    import rpy2.robjects as ro
    from rpy2.rinterface_lib import _rinterface_capi as capi

    rbridge.session()
    vec = ro.FloatVector([3.5])
    rid = capi.get_rid(vec.__sexp__._cdata)
    holder = [vec]
    del vec
    _drop_in_another_thread(holder)
    assert _preserved(rid), "released from a thread that is not R's"
    with rbridge.exclusive_r():
        pass
    assert not _preserved(rid), "never released"


def test_a_finaliser_on_rs_thread_with_r_idle_releases_at_once():
    import gc
    import threading

    import rpy2.robjects as ro
    from rpy2.rinterface_lib import _rinterface_capi as capi

    from rbridge import _exclusive

    rbridge.session()
    if _exclusive._r_thread != threading.get_ident():
        pytest.skip("R was started on another thread in this process")
    vec = ro.FloatVector([4.5])
    rid = capi.get_rid(vec.__sexp__._cdata)
    holder = [vec]
    del vec
    holder.clear()
    gc.collect()
    assert not _preserved(rid)


def test_a_call_into_r_off_rs_thread_is_caught_by_the_suites_audit():
    """The seeded fault of the suite's R-thread audit (tests/r_thread_audit.py):
    an R vector made on a second thread (under the lock, so R itself is safe
    here) is recorded, with the function and the thread."""
    import threading

    import rpy2.rinterface as ri

    from tests import r_thread_audit

    rbridge.session()
    r_thread_audit.install()
    before = len(r_thread_audit.calls)

    def off_thread() -> None:
        with rbridge.exclusive_r():
            ri.IntSexpVector([1, 2, 3])

    t = threading.Thread(target=off_thread, name="not-R")
    t.start()
    t.join()
    new = r_thread_audit.calls[before:]
    del r_thread_audit.calls[before:]  # the fault was planted: not this test's failure
    assert new and {c.thread for c in new} == {"not-R"}
    assert any(c.function == "Rf_allocVector" for c in new)
    assert "off_thread" in new[0].stack


@pytest.mark.parametrize("labels", [
    ["a\x00b", "a\x00b", "a\x00c", "a\x00c"],  # a list (object values)
    pd.Categorical(["a\x00b", "a\x00b", "c", "c"]),  # a factor's levels
    np.array(["a\x00b", "a\x00b", "a", "a"]),  # numpy strings
])
def test_a_string_with_a_nul_is_refused_not_cut(labels):
    """R's strings cannot hold a NUL; rpy2 would cut 'a\\x00b' to 'a' (making
    'a\\x00b' and 'a\\x00c' one group), so the bridge refuses the value."""
    from rparity_contract.errors import InvalidArgument

    with pytest.raises(InvalidArgument, match="NUL character") as err:
        rbridge.survdiff([1.0, 2.0, 3.0, 4.0], [1, 1, 0, 1], labels)
    assert err.value.kind == "argument.type"
