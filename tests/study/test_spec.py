"""The study spec: the bundled paper spec, and every bad spec named precisely."""
from __future__ import annotations

import re

import pytest

from rparity.study import SpecError, bundled_spec_path, load_spec, parse_spec
from rparity.study.spec import TREATMENT

from .conftest import MINIMAL_SPEC


def test_bundled_paper_spec_is_valid_and_says_what_the_paper_says():
    s = load_spec(bundled_spec_path())
    assert s.arms.order == ("immuno", "surgery")
    assert [c.name for c in s.covariates] == ["age", "sex", "hbsag", "afp", "alt", "tbil", "plt", "wbc", "t_stage",
                                              "pm_number"]
    cut = {c.name: c.cut for c in s.covariates if c.numeric}
    assert cut == {"age": 50, "afp": 20, "alt": 40, "tbil": 17.1, "plt": 100, "wbc": 4, "pm_number": 2}
    assert s.covariate("t_stage").positive_values == ("II",)
    assert s.table1.test == "fisher"
    assert s.matching.ratio == 1 and s.matching.replace is False and s.matching.caliper == 0.2
    assert s.km.landmarks == (12.0, 24.0, 36.0)
    assert s.cox.univariate_p == 0.05 and s.cox.force == (TREATMENT,) and s.cox.imbalance == "table1_p"
    assert s.secondary.endpoints == ("pfs_rfs",)
    from rparity.study import keys as K
    from rparity.study.keys import Model, Quantity, Sample

    hr = K.cox(Sample.AFTER, Model.MULTIVARIABLE, Quantity.HR, variable="treatment")
    assert s.published_by_key[hr] == "4.441"
    # every published name is the printed form of the key it resolves to
    assert all(p.key is not None and str(p.key) == p.name for p in s.published)
    assert next(p for p in s.published if p.key == hr).name == "cox.after.multivariable.treatment.hr"
    assert len(s.sha256) == 64


def test_minimal_spec_defaults():
    s = parse_spec(MINIMAL_SPEC)
    assert s.primary == "os" and s.time_unit == "months" and s.table1.test == "fisher"
    assert s.matching.covariates == ("old", "male") and s.matching.compat == "4.5.1"
    assert s.subgroups.covariates == ("old", "male") and s.subgroups.samples == ("before",)
    assert s.secondary.endpoints == () and s.published == () and s.published_by_key == {}
    old = s.covariate("old")
    assert (old.direction, old.positive_label, old.negative_label) == (">=", ">=50", "<50")


def _sub(old: str, new: str):
    def f(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return f


def _add(extra: str):
    return lambda text: text + "\n" + extra + "\n"


BAD_SPECS = [
    ("not toml", _sub("[study]", "[study"), r"spec is not valid TOML"),
    ("no title", _sub('title = "Tiny study"', ""), r"spec `study.title` is required but missing"),
    ("typo key", _sub("landmarks = [2, 4]", "landmark = [2, 4]"),
     r"spec `km.landmarks` is required but missing"),
    ("unknown key", _add("[km2]\nx = 1"), r"unknown key `km2` \(did you mean `km`\?\)"),
    ("unknown nested key", _sub("landmarks = [2, 4]", "landmarks = [2, 4]\nlandmark = 3"),
     r"unknown key `km.landmark` \(did you mean `km.landmarks`\?\)"),
    ("seed negative", _sub("seed = 1", "seed = -1"), r"spec `study.seed` must be a whole number >= 0; got seed=-1"),
    ("same arms", _sub('reference = "B"', 'reference = "A"'),
     r"spec `arms.treated` and `arms.reference` must differ; both are 'A'"),
    ("label of unknown arm", _sub('reference = "B"', 'reference = "B"\nlabels = { C = "c" }'),
     r"spec `arms.labels.C` labels an arm that is not"),
    ("cut and values", _sub("cut = 50", 'cut = 50\npositive_values = ["x"]'),
     r"spec `covariates.old` must have either `cut` .* not both"),
    ("neither cut nor values", _sub("cut = 50\n", ""), r"spec `covariates.old` must have either .* not neither"),
    ("cut not a number", _sub("cut = 50", 'cut = "fifty"'),
     r"spec `covariates.old.cut` must be a finite number; got cut='fifty'"),
    ("bad direction", _sub("cut = 50", 'cut = 50\ndirection = "=>"'),
     r"spec `covariates.old.direction` must be one of '>=', '>', '<=', '<'; got direction='=>'"),
    ("bad name", _sub('name = "old"', 'name = "old age"'), r"spec `covariates\[1\].name` must be a name"),
    ("reserved name", _sub('name = "old"', 'name = "treatment"'), r"'treatment' is reserved"),
    ("duplicate name", _sub('name = "male"', 'name = "old"'),
     r"spec `covariates`: name 'old' is used by more than one covariate"),
    ("value in both", _sub('negative_values = ["f"]', 'negative_values = ["f", "m"]'),
     r"spec `covariates.male`: value 'm' is in both"),
    ("no covariates", lambda t: t.split("[[covariates]]")[0] + "[matching]\n[km]\nlandmarks = [2]\n",
     r"spec `covariates` is required but missing"),
    ("bad test", _add('[table1]\ntest = "t-test"'),
     r"spec `table1.test` must be one of 'fisher', 'chisq', 'chisq_uncorrected'; got test='t-test'"),
    ("ratio 2", _sub('link = "linear.logit"', 'link = "linear.logit"\nratio = 2'),
     r"spec `matching.ratio` must be 1: .*; got ratio=2"),
    ("replace", _sub('link = "linear.logit"', 'link = "linear.logit"\nreplace = true'),
     r"spec `matching.replace` must be false"),
    ("negative caliper", _sub('link = "linear.logit"', 'link = "linear.logit"\ncaliper = -0.1'),
     r"spec `matching.caliper` must be > 0; got caliper=-0.1"),
    ("unknown matching covariate", _sub('link = "linear.logit"', 'link = "linear.logit"\ncovariates = ["old", "agee"]'),
     r"spec `matching.covariates` names 'agee', which is not a covariate"),
    ("bad link", _sub('link = "linear.logit"', 'link = "loglog"'),
     r"spec `matching.link` must be one of 'logit', 'linear.logit', 'probit', .*; got link='loglog'"),
    ("random needs seed", lambda t: t.replace("seed = 1\n", "").replace('link = "linear.logit"',
                                                                          'link = "linear.logit"\nm_order = "random"'),
     r"spec `matching.m_order` is \"random\", which needs `study.seed`"),
    ("bad compat", _sub('link = "linear.logit"', 'link = "linear.logit"\ncompat = "4.6"'),
     r"spec `matching.compat` must be one of '4.5.1', '3.0.2', 'none'"),
    ("3.0.2 without a seed", lambda t: t.replace("seed = 1\n", "").replace('link = "linear.logit"',
                                                                            'link = "linear.logit"\ncompat = "3.0.2"'),
     r"spec `matching.compat` is \"3.0.2\", whose matching draws at random .* `study.seed` is missing"),
    ("empty landmarks", _sub("landmarks = [2, 4]", "landmarks = []"),
     r"spec `km.landmarks` must be a non-empty list of positive times; got landmarks=\[\]"),
    ("zero landmark", _sub("landmarks = [2, 4]", "landmarks = [0, 4]"),
     r"spec `km.landmarks` must be a non-empty list of positive times"),
    ("decreasing landmarks", _sub("landmarks = [2, 4]", "landmarks = [4, 2]"),
     r"spec `km.landmarks` must be increasing; got landmarks=\[4, 2\]"),
    ("conf_int", _sub("landmarks = [2, 4]", "landmarks = [2, 4]\nconf_int = 1.5"),
     r"spec `km.conf_int` must be > 0 and < 1; got conf_int=1.5"),
    ("conf_type", _sub("landmarks = [2, 4]", 'landmarks = [2, 4]\nconf_type = "loglog"'),
     r"spec `km.conf_type` must be one of 'log', 'log-log'"),
    ("force typo", _add('[cox]\nforce = ["treatmnt"]'),
     r"spec `cox.force` names 'treatmnt', which is not 'treatment' or a covariate \(did you mean 'treatment'\?\)"),
    ("imbalance", _add('[cox]\nimbalance = "p"'), r"spec `cox.imbalance` must be one of 'table1_p', 'smd', 'none'"),
    ("univariate_p", _add("[cox]\nunivariate_p = 2"),
     r"spec `cox.univariate_p` must be >= 0 and <= 1; got univariate_p=2"),
    ("ties", _add('[cox]\nties = "exact"'), r"spec `cox.ties` must be one of 'efron', 'breslow'"),
    ("subgroup sample", _add('[subgroups]\nsamples = ["during"]'),
     r"spec `subgroups.samples` must list 'before' and/or 'after'; got 'during'"),
    ("subgroup covariate", _add('[subgroups]\ncovariates = ["young"]'),
     r"spec `subgroups.covariates` names 'young', which is not a covariate"),
    ("secondary endpoint", _add('[secondary]\nendpoints = ["pfs"]'),
     r"spec `secondary.endpoints` names 'pfs', which is not an endpoint \(os\)"),
    ("primary endpoint", _add('[analysis]\nprimary_endpoint = "pfs"'),
     r"spec `analysis.primary_endpoint` must name an endpoint \(os\); got primary_endpoint='pfs'"),
    ("endpoint without time", _sub('time = "t"\n', ""), r"spec `endpoints.os.time` is required but missing"),
    ("published not a string", _add('[published.values]\n"km.before.os.A.landmark.2.surv" = 0.8'),
     r"spec `published.values.\"km.before.os.A.landmark.2.surv\"` must be a number written as printed"),
    ("published not a number", _add('[published.values]\n"x" = "about 3"'),
     r"spec `published.values.\"x\"` must be a number written as printed"),
    ("list of non-strings", _add("[subgroups]\ncovariates = [1]"),
     r"spec `subgroups.covariates` must be a non-empty list of strings or \"all\"; got covariates=\[1\]"),
    ("duplicate in list", _add('[subgroups]\ncovariates = ["old", "old"]'),
     r"spec `subgroups.covariates` lists 'old' more than once"),
    ("boolean as number", _sub("cut = 50", "cut = true"),
     r"spec `covariates.old.cut` must be a finite number; got cut=True"),
]


@pytest.mark.parametrize("name,mutate,message", BAD_SPECS, ids=[b[0] for b in BAD_SPECS])
def test_bad_spec_is_refused_with_the_key_named(name, mutate, message):
    with pytest.raises(SpecError, match=message):
        parse_spec(mutate(MINIMAL_SPEC))


def test_spec_errors_are_study_input_errors_not_engine_refusals():
    """The CLI maps StudyInputError to exit 2 (tests/study/test_cli.py); spec and cohort
    errors are not refusals of a contract function's argument, so they carry no kind."""
    from rparity import InvalidArgument, RParityError
    from rparity.study import CohortError, StudyInputError

    assert issubclass(SpecError, StudyInputError) and issubclass(CohortError, StudyInputError)
    assert issubclass(StudyInputError, RParityError) and issubclass(StudyInputError, ValueError)
    assert not issubclass(StudyInputError, InvalidArgument)
    assert SpecError("x").kind is None


def test_a_published_name_the_pipeline_does_not_record_is_kept_unresolved():
    """Another landmark than the paper's, say: the number is "not computed", not an error."""
    from rparity.study import keys as K
    from rparity.study.keys import Quantity, Sample

    text = MINIMAL_SPEC + '\n[published.values]\n"km.before.os.A.landmark.3.surv" = "0.5"\n' \
                          '"km.before.os.A.landmark.2.surv" = "0.6"\n'
    s = parse_spec(text)
    assert [(p.name, p.key) for p in s.published] == [
        ("km.before.os.A.landmark.3.surv", None),
        ("km.before.os.A.landmark.2.surv", K.km(Sample.BEFORE, "os", "A", Quantity.SURV, landmark=2))]
    assert s.published_by_key == {K.km(Sample.BEFORE, "os", "A", Quantity.SURV, landmark=2): "0.6"}


def test_spec_file_errors(tmp_path):
    with pytest.raises(SpecError, match=re.escape(f"spec file '{tmp_path / 'nope.toml'}' does not exist")):
        load_spec(tmp_path / "nope.toml")
    p = tmp_path / "bad.toml"
    p.write_text("[study\n")
    with pytest.raises(SpecError, match=re.escape(f"spec ({p}) is not valid TOML")):
        load_spec(p)
