"""The bundled synthetic cohort: reproducible from its generator, and calibrated
to the paper's Table 1 as its README says."""
from __future__ import annotations

import numpy as np

import fixtures
from fixtures import synthetic_study as ss
from rparity.study import bundled_spec_path, load_cohort, load_spec


def test_generator_reproduces_the_committed_csv_byte_for_byte():
    committed = fixtures.path("study_cohort").read_bytes()
    assert ss.to_csv_text(ss.generate()).encode("ascii") == committed


def test_write_cli_writes_the_same_bytes(tmp_path):
    out = tmp_path / "c.csv"
    assert ss.main(["--out", str(out)]) == 0
    assert out.read_bytes() == fixtures.path("study_cohort").read_bytes()


def test_another_seed_gives_another_cohort_with_the_same_table1():
    a, b = ss.generate(), ss.generate(seed=ss.SEED + 1)
    assert not a.equals(b)
    spec = load_spec(bundled_spec_path())
    from rparity.study import read_cohort

    for df in (a, b):
        c = read_cohort(ss.to_csv_text(df), spec)
        counts = c.covariates.groupby(c.arm).sum()
        assert counts.loc["immuno"].tolist() == [v[0] for v in ss.TABLE1_COUNTS.values()]
        assert counts.loc["surgery"].tolist() == [v[1] for v in ss.TABLE1_COUNTS.values()]


# The paper's Table 1 before matching (immuno, surgery), read off the article.
PAPER_TABLE1 = {"age": (37, 44), "sex": (49, 47), "hbsag": (52, 47), "afp": (45, 19), "alt": (18, 13),
                "tbil": (22, 22), "plt": (51, 50), "wbc": (52, 47), "t_stage": (26, 6), "pm_number": (39, 18)}


def test_bundled_cohort_dichotomises_to_the_papers_table1_exactly():
    spec = load_spec(bundled_spec_path())
    c = load_cohort(fixtures.path("study_cohort"), spec)
    assert len(c) == 119
    assert (c.arm == "immuno").sum() == 59 and (c.arm == "surgery").sum() == 60
    counts = c.covariates.groupby(c.arm).sum()
    for name, (imm, sur) in PAPER_TABLE1.items():
        assert (counts.loc["immuno", name], counts.loc["surgery", name]) == (imm, sur), name


def test_raw_columns_are_plausible_and_consistent():
    df = fixtures.load("study_cohort")
    assert list(df.columns) == list(ss.COLUMNS)
    assert df["patient_id"].is_unique
    assert df["age"].between(18, 90).all() and df["afp"].gt(0).all() and df["plt"].gt(0).all()
    assert set(df["t_stage"].astype(str)) == {"0", "I", "II"}
    assert df["pm_count"].ge(1).all()
    assert set(df["os_death"]) <= {0, 1} and set(df["pfs_rfs_event"]) <= {0, 1}
    # the second endpoint never comes after death or last follow-up
    assert (df["pfs_rfs_months"] <= df["os_months"]).all()
    # a death is also a second-endpoint event (PFS/RFS count death)
    assert (df.loc[df["os_death"] == 1, "pfs_rfs_event"] == 1).all()
    # the arms are interleaved, not sorted
    assert 20 < (df["arm"] != df["arm"].shift()).sum()


def test_readme_says_it_is_synthetic():
    text = (fixtures.path("study_cohort").parent / "README.md").read_text()
    assert "SYNTHETIC" in text and "not the data of any study" in text
    assert "study_cohort" in fixtures.names()


def test_survival_is_of_the_papers_order():
    """KM landmarks and the treatment and T-stage hazard ratios are of the paper's
    order (the calibration its README promises; loose by design)."""
    import pyimpl

    df = fixtures.load("study_cohort")
    surv = {}
    for arm in ("surgery", "immuno"):
        d = df[df.arm == arm]
        fit = pyimpl.survfit(d.os_months.to_numpy(), d.os_death.to_numpy())
        surv[arm] = fit.summary([12, 24, 36], extend=True)["surv"].to_numpy()
    # paper: surgery 80.0 / 31.7 / 20.0, immunotherapy 59.3 / 20.3 / 0
    assert np.all(np.abs(surv["surgery"] - [0.80, 0.317, 0.20]) < 0.12)
    assert np.all(np.abs(surv["immuno"] - [0.593, 0.203, 0.0]) < 0.15)
    assert np.all(surv["surgery"] > surv["immuno"])
