"""The R bridge: warnings and errors carry R's words; user strings stay data."""
import warnings

import numpy as np
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
