"""The cohort loader: dichotomisation, and every bad cohort named by column and row."""
from __future__ import annotations

import re

import numpy as np
import pytest

from rparity.study import CohortError, load_cohort, parse_spec, read_cohort
from rparity.study.cohort import dichotomise

from .conftest import MINIMAL_SPEC, TINY_COHORT

SPEC = parse_spec(MINIMAL_SPEC)


def test_tiny_cohort_is_read_and_dichotomised():
    c = read_cohort(TINY_COHORT, SPEC, source="tiny.csv")
    assert list(c.ids) == ["p1", "p2", "p3", "p4", "p5", "p6"]
    assert c.arm.tolist() == ["A", "A", "A", "B", "B", "B"]
    assert c.treat.tolist() == [1, 1, 1, 0, 0, 0]
    # age >= 50: 60, 45, 52, 49, 70, 50 -> the cut-point itself is positive
    assert c.covariates["old"].tolist() == [1, 0, 1, 0, 1, 1]
    assert c.covariates["male"].tolist() == [1, 0, 1, 0, 1, 0]
    assert c.time["os"].tolist() == [1.5, 3, 5, 2, 6, 4.5]
    assert c.event["os"].tolist() == [1, 0, 1, 1, 0, 1]
    assert len(c.sha256) == 64
    sub = c.subset(c.treat == 1)
    assert list(sub.ids) == ["p1", "p2", "p3"] and sub.time["os"].tolist() == [1.5, 3, 5]


@pytest.mark.parametrize("direction,expected", [(">=", [1, 0, 1]), (">", [1, 0, 0]), ("<=", [0, 1, 1]),
                                                (("<"), [0, 1, 0])])
def test_numeric_dichotomisation_directions(direction, expected):
    spec = parse_spec(MINIMAL_SPEC.replace("cut = 50", f'cut = 50\ndirection = "{direction}"'))
    assert dichotomise(spec.covariate("old"), ["51", "49.9", "50"]).tolist() == expected


def test_whitespace_and_float_formats_are_accepted():
    text = TINY_COHORT.replace("p1,A,60,m,1.5,1", "p1, A ,6e1, m ,1.50,1.0")
    c = read_cohort(text, SPEC)
    assert c.arm[0] == "A" and c.covariates["old"].iloc[0] == 1 and c.event["os"][0] == 1


def _replace(old: str, new: str):
    def f(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return f


BAD_COHORTS = [
    ("missing column", lambda t: t.replace(",sex", "").replace(",m,", ",").replace(",f,", ","),
     r"cohort file 'tiny.csv' is missing column `sex` \(spec `covariates.male.column`\); its columns are: "
     r"pid, arm, age, t, d"),
    ("missing two columns", lambda t: "pid,arm,age,sex\n" + "\n".join(",".join(r.split(",")[:4])
                                                                      for r in t.splitlines()[1:]) + "\n",
     r"is missing columns `t` \(spec `endpoints.os.time`\), `d` \(spec `endpoints.os.event`\)"),
    ("unparsable age", _replace("p3,A,52", "p3,A,fifty-two"),
     r"cohort column `age` \(covariate 'old', spec `covariates.old.column`\): row 3 \(line 4\), id 'p3' has "
     r"'fifty-two', which is not a finite number"),
    ("infinite age", _replace("p3,A,52", "p3,A,inf"),
     r"row 3 \(line 4\), id 'p3' has 'inf', which is not a finite number"),
    ("missing age", _replace("p2,A,45", "p2,A,"),
     r"cohort column `age` .*: row 2 \(line 3\), id 'p2' has '', a missing value \(the analysis is complete-case"),
    ("two missing ages", lambda t: t.replace("p2,A,45", "p2,A,NA").replace("p4,B,49", "p4,B,NA"),
     r"row 2 \(line 3\), id 'p2' has 'NA', a missing value .*; 2 rows have this problem"),
    ("arm not in spec", _replace("p5,B", "p5,C"),
     r"cohort column `arm` \(treatment arm, spec `arms.column`\): row 5 \(line 6\), id 'p5' has 'C', an arm label "
     r"that is not in the spec \(arms.treated='A', arms.reference='B'\)"),
    ("one arm empty", lambda t: t.replace(",B,", ",A,"),
     r"cohort column `arm` has no patient in arm 'B' \(spec `arms.reference`\): both arms need patients"),
    ("unknown category", _replace("p4,B,49,f", "p4,B,49,x"),
     r"cohort column `sex` \(covariate 'male', .*\): row 4 \(line 5\), id 'p4' has 'x', which is not one of the "
     r"values the spec dichotomises \('m', 'f'\)"),
    ("event 2", _replace("p6,B,50,f,4.5,1", "p6,B,50,f,4.5,2"),
     r"cohort column `d` \(event indicator of endpoint 'os', spec `endpoints.os.event`\): row 6 \(line 7\), "
     r"id 'p6' has '2', which is not 0 \(censored\) or 1 \(event\)"),
    ("negative time", _replace("p4,B,49,f,2,1", "p4,B,49,f,-2,1"),
     r"cohort column `t` \(time of endpoint 'os', spec `endpoints.os.time`\): row 4 \(line 5\), id 'p4' has "
     r"'-2', a negative time"),
    ("time text", _replace("p4,B,49,f,2,1", "p4,B,49,f,two,1"),
     r"cohort column `t` .* has 'two', which is not a finite number"),
    ("duplicate id", _replace("p2,A", "p1,A"),
     r"cohort column `pid` \(patient id, spec `cohort.id`\): row 2 \(line 3\) repeats id 'p1' of row 1"),
    ("missing id", _replace("p2,A", ",A"),
     r"cohort column `pid` \(patient id, spec `cohort.id`\): row 2 \(line 3\) has ''"),
    ("header only", lambda t: t.splitlines()[0] + "\n", r"cohort file 'tiny.csv' has a header but no rows"),
    ("empty file", lambda t: "", r"cohort file 'tiny.csv' is empty"),
    ("ragged row", _replace("p3,A,52,m,5,1", "p3,A,52,m,5,1,9,9"), r"cohort file 'tiny.csv' is not a readable CSV"),
    ("duplicate column", lambda t: t.replace("pid,arm,age,sex,t,d", "pid,arm,age,sex,t,t", 1),
     r"cohort file 'tiny.csv' has column 't' more than once"),
]


@pytest.mark.parametrize("name,mutate,message", BAD_COHORTS, ids=[b[0] for b in BAD_COHORTS])
def test_bad_cohort_is_refused_with_column_and_row_named(name, mutate, message):
    with pytest.raises(CohortError, match=message):
        read_cohort(mutate(TINY_COHORT), SPEC, source="tiny.csv")


def test_cohort_file_errors(tmp_path):
    with pytest.raises(CohortError, match=re.escape(f"cohort file '{tmp_path / 'x.csv'}' does not exist")):
        load_cohort(tmp_path / "x.csv", SPEC)
    p = tmp_path / "c.csv"
    p.write_text(TINY_COHORT)
    assert len(load_cohort(p, SPEC)) == 6


def test_without_an_id_column_rows_are_named_by_number():
    spec = parse_spec(MINIMAL_SPEC.replace('[cohort]\nid = "pid"\n', ""))
    c = read_cohort(TINY_COHORT, spec)
    assert list(c.ids) == [f"row{i}" for i in range(1, 7)]
    with pytest.raises(CohortError, match=r"row 3 \(line 4\) has 'x'"):
        read_cohort(TINY_COHORT.replace("p3,A,52", "p3,A,x"), spec)


def test_numbers_are_parsed_exactly():
    c = read_cohort(TINY_COHORT.replace("1.5,1", "0.1,1"), SPEC)
    assert c.time["os"][0] == 0.1 and isinstance(c.time["os"], np.ndarray)
