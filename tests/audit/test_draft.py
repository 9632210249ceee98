"""``rparity audit draft``: drafting the audit's TOML from a paper's text (rparity.audit.draft*).

The acceptance test drafts the motivating study (tests/audit/data/study-paper.txt,
a copy of /work/shared/reference/study-paper.txt), audits the *unedited* draft and
compares its findings with the audit of the hand transcription
examples/audit/study-paper.toml. The synthetic papers below are formatted
differently (HTML <table> with colspan/rowspan, markdown pipe tables, in-text
statements of other shapes) so that the recognisers are not tuned to one paper.
"""
from __future__ import annotations

import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2_contingency

from rparity.audit import Verdict, audit
from rparity.audit.cli import main
from rparity.audit.draft import draft_blocks, draft_file
from rparity.audit.draft_cells import classify
from rparity.audit.draft_read import blocks_from_html, blocks_from_markdown, blocks_from_text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DATA_PAPER = HERE / "data" / "study-paper.txt"
SHARED_PAPER = Path("/work/shared/reference/study-paper.txt")
REFERENCE = ROOT / "examples" / "audit" / "study-paper.toml"


def _draft_text(text: str, kind: str = "txt"):
    reader = {"txt": blocks_from_text, "md": blocks_from_markdown, "html": blocks_from_html}[kind]
    return draft_blocks(reader(text), f"paper.{kind}")


def _tables(result) -> dict:
    return tomllib.loads(result.toml)


# ----------------------------------------------------------------------------
# Acceptance: the study paper
# ----------------------------------------------------------------------------


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s).replace("–", "-").lower()


def _key(e) -> tuple:
    """What identifies an entry across two transcriptions: a contingency row by its
    label and counts, a ratio by its printed numbers, a KM landmark by N, the time
    and the percentage (labels of in-text statements are the transcriber's words)."""
    d = e.data
    if e.kind == "contingency":
        return ("contingency", _norm(e.label), d["counts"].__repr__())
    if e.kind == "ratio":
        return ("ratio", _norm(d["printed"]))
    return ("landmark", d["N"], re.sub(r"\D", "", d["time"]), d["printed"].rstrip("%"))


def _arm(name: str) -> str:
    """An arm's name without the words a transcriber may add or drop ("Surgery group" = "Surgery")."""
    return " ".join(w for w in name.lower().split() if w not in ("group", "arm", "patients"))


def _survival_findings(report, data: dict) -> Counter:
    """Survival comparisons, label-free: the arms, time unit, landmarks and medians of
    the entry as written, its verdict, and its checks (names with the arms' names
    normalised) with their verdicts."""
    written = {(t["id"], e.get("label")): e for t in data["tables"] for e in t.get("survival", [])}
    out: Counter = Counter()
    for r in report.entries:
        if r.kind != "survival":
            continue
        e = written[(r.table, r.label)]
        arms = [_arm(a) for a in e["arms"]]
        checks = []
        for c in r.checks:
            name = c.name
            for a, norm in zip(e["arms"], arms):
                name = name.replace(f"({a})", f"({norm})")
            checks.append((name, c.verdict))
        lms = tuple((lm["time"], tuple(lm["percents"])) for lm in e.get("landmarks", []))
        out[(tuple(arms), e.get("time_unit"), lms, tuple(e.get("medians", ())), _norm(e.get("hr", "")),
             r.verdict, tuple(sorted(checks)))] += 1
    return out


def _findings(report, data: dict) -> tuple[Counter, Counter, Counter]:
    entries = Counter((_key(e), e.verdict) for e in report.entries
                      if e.kind in ("contingency", "ratio", "landmark"))
    table_level = Counter(_norm(f) for t in report.tables for f in t.findings if f.startswith("TABLE-LEVEL"))
    return entries, table_level, _survival_findings(report, data)


@pytest.fixture(scope="module")
def reference_findings():
    data = tomllib.loads(REFERENCE.read_text(encoding="utf-8"))
    return _findings(audit(data), data)


@pytest.mark.parametrize("paper", [DATA_PAPER, SHARED_PAPER], ids=["tests-data", "shared"])
def test_study_paper_draft_gives_the_reference_findings(paper, reference_findings):
    if not paper.exists():
        pytest.skip(f"{paper} is not present on this machine (the copy in tests/audit/data is tested)")
    result = draft_file(paper)
    data = tomllib.loads(result.toml)
    report = audit(data)  # the draft as written: no edits
    entries, table_level, survival = _findings(report, data)
    ref_entries, ref_table_level, ref_survival = reference_findings
    assert entries == ref_entries
    assert table_level == ref_table_level and len(table_level) == 2
    assert survival == ref_survival and sum(survival.values()) == 2
    bad = {e.data["printed"] for e in report.entries if e.verdict is Verdict.INCONSISTENT and e.kind == "ratio"}
    assert bad == {"2.845 (2.524-5.311)", "0.618 (0.176-1.162)", "0.611 (0.219-1.703)"}
    assert report.exit_status == 1 and report.count(Verdict.UNREADABLE) == 0
    # the survival findings: the surgery arm's "did not reach the median OS" contradicts its 2- and
    # 3-year OS (31.7%, 20.0%); the log-rank p-values fit Table 2's univariate HRs
    surv = [e for e in report.entries if e.kind == "survival"]
    before = next(e for e in surv if e.verdict is Verdict.INCONSISTENT)
    checks = {c.name: c.verdict for c in before.checks}
    assert checks["median vs landmarks (Surgery group)"] is Verdict.INCONSISTENT
    assert "not reached" in before.message and "31.7%" in before.message
    assert all(c.verdict is Verdict.CONSISTENT for e in surv for c in e.checks if c.name == "log-rank p vs HR")
    assert sum(c.name == "log-rank p vs HR" for e in surv for c in e.checks) == 2
    assert [e.verdict for e in surv].count(Verdict.CONSISTENT) == 1


def test_study_paper_draft_shape_and_markers():
    result = draft_file(DATA_PAPER)
    d = result.draft
    assert (d.n_entries("contingency"), d.n_entries("ratio"), d.n_entries("landmark"),
            d.n_entries("survival")) == (20, 28, 24, 2)
    guesses = [ln for ln in result.toml.splitlines() if ln.startswith("# GUESS:")]
    # 38 before survival comparisons; + log-rank p, HR, landmarks (2 x 3) and the medians (before PSM)
    assert len(guesses) == result.guesses == 45
    assert f"# {result.guesses} GUESS markers" in result.toml and result.skipped == 0
    data = tomllib.loads(result.toml)
    t1 = {t["id"]: t for t in data["tables"]}
    assert t1["table1-before-psm"]["n"] == [59, 60] and t1["table1-after-psm"]["n"] == [23, 23]
    assert t1["table1-before-psm"]["test"] == "fisher"
    stage = next(r for r in t1["table1-before-psm"]["contingency"] if r["row"].startswith("Hepatic"))
    assert stage["row"] == "Hepatic tumor T stage"  # the label wrapped over two rows
    assert stage["source"].startswith("line 172–175: ")
    for t in data["tables"]:
        for kind in ("contingency", "ratio", "landmark"):
            for e in t.get(kind, []):
                assert re.match(r"^line \d+", e["source"]), e
    # in-text HRs repeating Table 2 are noted, not drafted twice; IMbrave150's is drafted
    text = t1["text-ratios"]["ratio"]
    assert [(e["estimate"], e["lower"], e["upper"], e["p"]) for e in text] == [("0.66", "0.52", "0.85", "P < 0.001")]
    assert "repeats Table 2 line 203" in result.toml
    # the abstract's OS statement repeats the results' and is drafted once
    assert result.toml.count("line 54 repeats this statement") == 2
    # the two OS comparisons: log-rank p, Table 2's univariate HR of its cohort, landmarks in months;
    # the medians ("24 months ... did not reach the median OS") belong to the whole cohort
    surv = {t["id"]: t["survival"][0] for t in data["tables"] if "survival" in t}
    assert set(surv) == {"text-os-line125", "text-os-line125-2"}
    before, after = surv["text-os-line125"], surv["text-os-line125-2"]
    assert (before["logrank_p"], before["hr"], before["hr_p"], before["medians"]) == (
        "P < 0.001", "2.845 (2.524–5.311)", "0.001", ["24", "NR"])
    assert (after["logrank_p"], after["hr"], after["hr_p"]) == ("P = 0.005", "4.317 (1.386–13.449)", "0.012")
    assert "medians" not in after
    assert before["arms"] == ["Immunotherapy combination group", "Surgery group"]
    assert before["landmarks"][0] == {"time": 12, "percents": ["59.3", "80.0"]}
    assert all(s["own_entries"] is False and s["time_unit"] == "months" for s in surv.values())
    # RFS and PFS rates of ONE arm are not comparisons: landmarks only
    assert not any("survival" in t for t in data["tables"] if re.match(r"text-(rfs|pfs)", t["id"]))
    assert "line 225 repeats the median of Immunotherapy combination group" in result.toml


# ----------------------------------------------------------------------------
# A differently formatted paper: HTML export
# ----------------------------------------------------------------------------

HTML_PAPER = """<html><head><title>Trial</title><style>p {color: red}</style></head><body>
<h2>Methods</h2>
<p>Proportions were compared with the chi-square or Fisher&#39;s exact test as appropriate.
Survival was estimated by the Kaplan&ndash;Meier method.</p>
<p>Patients were assigned to drug A (n = 40) or placebo (n = 38).</p>
<table>
<caption>Table 1. Baseline characteristics</caption>
<thead>
<tr><th rowspan="2">Characteristic</th><th colspan="2">Drug A vs placebo</th><th rowspan="2">P</th></tr>
<tr><th>Drug A<br/>(N = 40)</th><th>Placebo<br/>(N = 38)</th></tr>
</thead>
<tbody>
<tr><td>Smoking</td><td></td><td></td><td>0.020</td></tr>
<tr><td>Yes</td><td>22 (55.0%)</td><td>11 (28.9%)</td><td></td></tr>
<tr><td>No</td><td>18 (45.0%)</td><td>27 (71.1%)</td><td></td></tr>
<tr><td>Stage</td><td></td><td></td><td>0.59</td></tr>
<tr><td>I</td><td>10 (25.0)</td><td>13 (34.2)</td><td></td></tr>
<tr><td>II</td><td>20 (50.0)</td><td>15 (39.5)</td><td></td></tr>
<tr><td>III</td><td>10 (25.0)</td><td>10 (26.3)</td><td></td></tr>
</tbody></table>
<h2>Results</h2>
<p>Drug A reduced the risk of death (HR 0.52 (95% CI 0.31&ndash;0.87), P = 0.013)
and the odds of response were higher (odds ratio 2.10, 95% CI 1.05 to 4.20).</p>
</body></html>
"""


def test_html_paper():
    result = _draft_text(HTML_PAPER, "html")
    data = _tables(result)
    t = data["tables"][0]
    assert t["id"] == "table1" and t["arms"] == ["Drug A", "Placebo"] and t["n"] == [40, 38]
    assert t["test"] == "chisq_or_fisher"
    rows = {r["row"]: r for r in t["contingency"]}
    assert rows["Smoking"]["counts"] == [[22, 11], [18, 27]]
    assert rows["Smoking"]["percents"] == [["55.0%", "28.9%"], ["45.0%", "71.1%"]]
    assert rows["Smoking"]["p"] == "0.020" and rows["Smoking"]["levels"] == ["Yes", "No"]
    assert rows["Stage"]["counts"] == [[10, 13], [20, 15], [10, 10]] and rows["Stage"]["p"] == "0.59"
    text = next(x for x in data["tables"] if x["id"] == "text-ratios")["ratio"]
    assert [(e["measure"], e["estimate"], e["lower"], e["upper"], e.get("p")) for e in text] == [
        ("HR", "0.52", "0.31", "0.87", "P = 0.013"), ("OR", "2.10", "1.05", "4.20", None)]
    # line numbers point into the HTML source
    lines = HTML_PAPER.splitlines()
    src_line = int(re.match(r"line (\d+)", rows["Smoking"]["source"]).group(1))
    assert "Smoking" in lines[src_line - 1]
    assert "HR 0.52" in lines[int(re.match(r"line (\d+)", text[0]["source"]).group(1)) - 1]
    # and it audits: Smoking's p is Pearson's chi-square (R: chisq.test(matrix(c(22,18,11,27),2),
    # correct=FALSE)$p.value = 0.01991937; fisher.test gives 0.02371695), allowed by "chi-square or
    # Fisher as appropriate"; Stage: chisq.test(matrix(c(10,20,10,13,15,10),3), correct=FALSE) 0.5900778
    report = audit(data)
    assert report.count(Verdict.UNREADABLE) == 0
    smoking = next(e for e in report.entries if e.kind == "contingency" and e.label == "Smoking")
    assert smoking.data["reproducing"] == ["chisq"] and smoking.verdict is Verdict.CONSISTENT


# ----------------------------------------------------------------------------
# Markdown: pipe table, one-row variables, malformed and continuous cells
# ----------------------------------------------------------------------------

MD_PAPER = """# A cohort

Categorical variables were compared using Pearson's chi-square test.

**Table 2.** Patient characteristics

| Variable | Early (n=50) | Late (n=50) | P value |
|---|---|---|---|
| Male sex | 30 (60.0) | 24 (48.0) | 0.230 |
| Age, years | 55 (23–78) | 57 (30–80) | 0.41 |
| Diabetes | 12/50 | 9/50 | 0.46 |
| Hypertension | 4.5% (12) | 10 (20.0) | 0.81 |
| ECOG | | | 0.03 |
| 0 | 20 (40.0) | 30 (60.0) | |
| 1 | 30 (60.0) | 20 (40.0) | |

Overall survival at 2 years was 60.0% vs. 44.0% in the early and late groups (2-year, 60.0% vs. 44.0%).
"""


def test_markdown_paper_with_malformed_cells():
    result = _draft_text(MD_PAPER, "md")
    data = _tables(result)
    t = next(x for x in data["tables"] if x["id"] == "table2")
    assert t["arms"] == ["Early", "Late"] and t["n"] == [50, 50] and t["test"] == "chisq"
    rows = {r["row"]: r for r in t["contingency"]}
    assert set(rows) == {"Male sex", "ECOG"}
    # one printed level: the complement is a guess
    assert rows["Male sex"]["counts"] == [[30, 24], [20, 26]]
    assert rows["Male sex"]["levels"] == ["Male sex", "not Male sex"]
    assert rows["ECOG"]["p"] == "0.03" and rows["ECOG"]["counts"] == [[20, 30], [30, 20]]
    skipped = [ln for ln in result.toml.splitlines() if ln.startswith("# SKIPPED")]
    assert len(skipped) == result.skipped == 3
    assert any("Age, years" in s and "continuous" in s for s in skipped)
    assert any("12/50" in s and "is not n (%)" in s for s in skipped)
    assert any("4.5% (12)" in s and "is not n (%)" in s for s in skipped)
    assert "only 'Male sex' is printed" in result.toml
    # the landmark statement: arms named in the sentence, N from the table
    lm = next(x for x in data["tables"] if x["id"].startswith("text-"))
    assert lm["n"] == [50, 50]
    assert [(e["arm"], e["percent"]) for e in lm["landmark"]] == [("Early", "60.0"), ("Late", "44.0")]
    # no P in its parenthesis and no median: landmarks only, no survival comparison
    assert "survival" not in lm and "no [[tables.survival]] drafted" in result.toml
    report = audit(data)
    assert report.count(Verdict.UNREADABLE) == 0


# ----------------------------------------------------------------------------
# Survival comparisons: "A versus B; log-rank P", medians, the HR of a ratio table
# ----------------------------------------------------------------------------

SURV_MD = """# A randomised trial

Progression-free survival (PFS) was compared with the log-rank test; categorical variables with Fisher's exact test.

**Table 1.** Baseline characteristics

| Variable | Drug A (n = 40) | Placebo (n = 38) | P |
|---|---|---|---|
| Male sex | 22 (55.0) | 11 (28.9) | 0.024 |

**Table 2.** Univariate Cox regression for progression-free survival

| Variable | HR (95% CI) | P value |
|---|---|---|
| Age ≥ 65 years | 1.21 (0.71–2.06) | 0.48 |
| Treatment group, drug A vs placebo | 0.55 (0.33–0.92) | 0.022 |

Median PFS was 11.2 months (95% CI 9.1–13.4) with drug A and 7.9 months (95% CI 6.0–9.5) with placebo.
PFS rates favoured drug A over placebo (6-month, 75.0% versus 52.6%; 12-month, 45.0% versus 26.3%; log-rank P = 0.012).
"""


def _survival(result) -> dict:
    (entry,) = [e for t in _tables(result)["tables"] for e in t.get("survival", [])]
    return entry


def test_survival_comparison_with_medians_and_hr():
    result = _draft_text(SURV_MD, "md")
    e = _survival(result)
    assert (e["arms"], e["time_unit"], e["logrank_p"], e["hr"], e["hr_p"]) == (
        ["Drug A", "Placebo"], "months", "P = 0.012", "0.55 (0.33–0.92)", "0.022")
    assert e["medians"] == ["11.2 (9.1–13.4)", "7.9 (6.0–9.5)"]
    assert e["landmarks"] == [{"time": 6, "percents": ["75.0", "52.6"]},
                              {"time": 12, "percents": ["45.0", "26.3"]}]
    assert e["own_entries"] is False and e["source"].startswith("line 19: ")
    for marker in ("read as the log-rank p of the comparison",
                   "univariate HR of 'Treatment group, drug A vs placebo'", "check the direction",
                   "medians of line 18"):
        assert marker in " ".join(ln.lstrip("#").strip() for ln in result.toml.splitlines()), marker
    assert _tables(result)["tables"][-1]["landmark"]  # the landmark entries stay
    # audit: the log-rank p fits the HR. a = ln(1/0.55), SE = ln(0.92/0.33)/(2 qnorm(0.975)); the score
    # z lies in [2(1-e^(-a/2)), 2(e^(a/2)-1)]/SE; R: a <- -log(0.55); se <- log(0.92/0.33)/(2*qnorm(0.975));
    # 2*pnorm(-2*c(exp(a/2)-1, 1-exp(-a/2))/se) = 0.007720524 0.048187056, which holds 0.012
    report = audit(_tables(result))
    (s,) = [x for x in report.entries if x.kind == "survival"]
    assert s.verdict is Verdict.CONSISTENT and report.count(Verdict.UNREADABLE) == 0
    checks = {c.name: c.verdict for c in s.checks}
    assert checks["log-rank p vs HR"] is Verdict.CONSISTENT
    assert checks["median within its CI (Placebo)"] is Verdict.CONSISTENT
    assert checks["median vs landmarks (Drug A)"] is Verdict.CONSISTENT
    lo, hi = s.checks[0].data["p_untied"]
    assert lo < 0.00773 and 0.0481 < hi
    assert [x.kind for x in report.entries].count("ratio") == 2  # the HR is not audited twice


def test_survival_comparison_planted_median_is_caught():
    """'not reached' for placebo, whose 12-month PFS is 26.3%: the draft's audit says inconsistent."""
    planted = SURV_MD.replace("7.9 months (95% CI 6.0–9.5) with placebo", "not reached with placebo")
    result = _draft_text(planted, "md")
    assert _survival(result)["medians"] == ["11.2 (9.1–13.4)", "NR"]
    (s,) = [x for x in audit(_tables(result)).entries if x.kind == "survival"]
    assert s.verdict is Verdict.INCONSISTENT
    assert {c.name for c in s.checks if c.verdict is Verdict.INCONSISTENT} == {"median vs landmarks (Placebo)"}


def test_survival_p_of_an_hr_is_not_a_logrank_p():
    text = SURV_MD.replace("log-rank P = 0.012", "HR 0.55, 95% CI 0.33–0.92, P = 0.022")
    result = _draft_text(text, "md")
    e = _survival(result)  # still drafted: the medians are stated
    assert "logrank_p" not in e and e["medians"] == ["11.2 (9.1–13.4)", "7.9 (6.0–9.5)"]
    assert "not read as the log-rank p" in result.toml


SURV_HTML = """<html><body>
<p>Overall survival was estimated by the Kaplan&ndash;Meier method and compared by the log-rank test.</p>
<table>
<caption>Table 1. Baseline characteristics</caption>
<tr><th>Characteristic</th><th>Drug A<br/>(N = 40)</th><th>Placebo<br/>(N = 38)</th><th>P</th></tr>
<tr><td>Male sex</td><td>22 (55.0%)</td><td>11 (28.9%)</td><td>0.020</td></tr>
</table>
<table>
<caption>Table 2. Univariate Cox analysis of overall survival</caption>
<tr><th>Variable</th><th>HR (95% CI)</th><th>P</th></tr>
<tr><td>Drug A</td><td>0.41 (0.22&ndash;0.76)</td><td>0.005</td></tr>
<tr><td>Age group, &ge; 65 years</td><td>1.10 (0.60&ndash;2.02)</td><td>0.76</td></tr>
</table>
<p>Drug A improved survival over placebo (OS: 1-year, 82.5% vs. 60.5%; 2-year, 70.0% vs. 28.9%; P &lt; 0.001).
Median OS was not reached in the drug A group and was 14.1 months in the placebo group.</p>
</body></html>
"""


def test_survival_comparison_without_an_identifiable_hr_row():
    """The row "Drug A" names an arm but no treatment variable, "Age group" a group but no arm: no hr,
    and a comment says why."""
    result = _draft_text(SURV_HTML, "html")
    e = _survival(result)
    assert "hr" not in e and "hr_p" not in e
    assert "# no hr drafted: no row of Table 2" in result.toml and "clearly names the treatment" in result.toml
    assert (e["logrank_p"], e["medians"], e["time_unit"]) == ("P < 0.001", ["NR", "14.1"], "months")
    # "1-year" in a paper whose medians are in months: 12 months, a guess
    assert [lm["time"] for lm in e["landmarks"]] == [12, 24]
    assert "'1-year' read as 12 months because the paper's medians are in months" in " ".join(
        ln.lstrip("#").strip() for ln in result.toml.splitlines())
    (s,) = [x for x in audit(_tables(result)).entries if x.kind == "survival"]
    assert s.verdict is Verdict.CONSISTENT and "log-rank p vs HR" not in {c.name for c in s.checks}
    # with the treatment variable named, the HR is drafted and checked. R: a <- -log(0.41);
    # se <- log(0.76/0.22)/(2*qnorm(0.975)); 2*pnorm(-2*c(exp(a/2)-1, 1-exp(-a/2))/se)
    # = 0.0003816591 0.0229251954, which meets "< 0.001"
    named = _draft_text(SURV_HTML.replace("<td>Drug A</td>", "<td>Treatment arm, drug A</td>"), "html")
    assert (_survival(named)["hr"], _survival(named)["arms"]) == ("0.41 (0.22–0.76)", ["Drug A", "Placebo"])
    (s,) = [x for x in audit(_tables(named)).entries if x.kind == "survival"]
    assert {c.name: c.verdict for c in s.checks}["log-rank p vs HR"] is Verdict.CONSISTENT


def test_survival_times_stay_in_years_without_months_elsewhere():
    result = _draft_text(SURV_HTML.replace("14.1 months", "1.2 years"), "html")
    e = _survival(result)
    assert (e["time_unit"], [lm["time"] for lm in e["landmarks"]], e["medians"]) == ("years", [1, 2], ["NR", "1.2"])
    assert audit(_tables(result)).count(Verdict.INCONSISTENT) == 0


def test_tab_separated_table_without_arm_sizes_infers_them_as_a_guess():
    text = ("Table 3 Outcomes\n\nOutcome\tA\tB\tP\nDeath\t\t\t0.05\nYes\t5 (25.0)\t10 (50.0)\t\n"
            "No\t15 (75.0)\t10 (50.0)\t\n")
    result = _draft_text(text)
    t = _tables(result)["tables"][0]
    assert t["n"] == [20, 20] and t["arms"] == ["A", "B"]
    assert "no arm size printed in the header" in result.toml
    assert "no test is named in the text" in result.toml and "test" not in t


def test_planted_error_is_caught_through_the_draft():
    """A typo planted in a ratio cell (upper bound 5.311 -> 3.511) is drafted as
    printed and the audit of the draft flags it."""
    text = ("Table 2. Cox model\n\nVariable\tHR (95% CI)\tP\nAge\t1.837 (1.006–3.352)\t0.048\n"
            "Sex\t0.818 (0.446–1.503)\t0.518\n")
    report = audit(_tables(_draft_text(text)))
    assert report.count(Verdict.CONSISTENT) == 2
    planted = text.replace("1.503", "1.053")
    report = audit(_tables(_draft_text(planted)))
    assert [e.label for e in report.entries if e.verdict is Verdict.INCONSISTENT] == ["Sex"]


def test_nothing_found():
    result = _draft_text("Just prose. No numbers of interest here.\n")
    assert result.empty and "NOTHING FOUND" in result.toml
    assert tomllib.loads(result.toml)["title"] == "Draft: paper.txt"


@pytest.mark.parametrize("text, kind", [
    ("37 (62.7)", "count"), ("37 (62.7%)", "count"), ("2.845 (2.524–5.311)", "ratio"),
    ("<0.001", "p"), ("0.214", "p"), ("1.000", "p"), ("P = .03", "p"), ("12/45", "text"),
    ("4.5% (12)", "text"), ("55.2 ± 10.1", "continuous"), ("Ref", "reference"), ("", "empty"),
    ("1.2–3.4", "ci"), ("12", "number"),
])
def test_cells(text, kind):
    assert classify(text).kind == kind


# ----------------------------------------------------------------------------
# Property: a generated table survives drafting exactly
# ----------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(1, 60), min_size=2, max_size=2), min_size=2, max_size=4))
def test_generated_tables_round_trip(counts):
    n = [sum(r[j] for r in counts) for j in range(2)]
    p = chi2_contingency(counts, correction=False)[1]
    p_txt = "<0.001" if p < 0.001 else f"{p:.3f}"
    pct = [[f"{100 * r[j] / n[j]:.1f}" for j in range(2)] for r in counts]
    lines = ["Table 1. Generated", "", f"Variable\tA (n = {n[0]})\tB (n = {n[1]})\tP-value",
             f"Factor\t\t\t{p_txt}"]
    lines += [f"L{i}\t{r[0]} ({pct[i][0]})\t{r[1]} ({pct[i][1]})\t" for i, r in enumerate(counts)]
    result = _draft_text("\n".join(lines) + "\n")
    t = _tables(result)["tables"][0]
    row = t["contingency"][0]
    assert (t["n"], row["counts"], row["percents"], row["p"]) == (n, counts, pct, p_txt)
    report = audit(_tables(result))
    assert all(e.verdict is Verdict.CONSISTENT for e in report.entries if e.kind == "percent")
    assert "chisq" in next(e for e in report.entries if e.kind == "contingency").data["reproducing"]


# ----------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------


def test_cli_stdout_file_force_and_errors(tmp_path, capsys):
    paper = tmp_path / "paper.html"
    paper.write_text(HTML_PAPER, encoding="utf-8")
    assert main(["draft", str(paper)]) == 0
    out, err = capsys.readouterr()
    assert tomllib.loads(out)["tables"] and "GUESS markers" in err
    dest = tmp_path / "draft.toml"
    assert main(["draft", str(paper), "-o", str(dest)]) == 0
    first = dest.read_text(encoding="utf-8")
    dest.write_text("keep me", encoding="utf-8")
    assert main(["draft", str(paper), "-o", str(dest)]) == 2
    assert "exists" in capsys.readouterr().err and dest.read_text(encoding="utf-8") == "keep me"
    assert main(["draft", str(paper), "-o", str(dest), "--force"]) == 0
    assert dest.read_text(encoding="utf-8") == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["draft.toml", "paper.html"]  # no temp files
    assert main(["draft", str(tmp_path / "missing.txt")]) == 2
    binary = tmp_path / "paper.txt"
    binary.write_bytes(b"\xff\xfe\x00bad")
    assert main(["draft", str(binary)]) == 2
    assert "UTF-8" in capsys.readouterr().err
    assert main(["draft"]) == 2
    assert main(["draft", str(paper), "-o", str(tmp_path / "no" / "dir.toml")]) == 2


def test_cli_nothing_found_exits_0(tmp_path, capsys):
    paper = tmp_path / "prose.md"
    paper.write_text("# Title\n\nNo statistics.\n", encoding="utf-8")
    assert main(["draft", str(paper)]) == 0
    out, err = capsys.readouterr()
    assert "NOTHING FOUND" in out and "nothing recognised" in err


def test_rparity_console_script_dispatch(tmp_path, capsys):
    from rparity.cli import main as rparity_main

    assert rparity_main(["audit", "draft", str(DATA_PAPER), "-o", str(tmp_path / "d.toml")]) == 0
    assert rparity_main(["audit", str(tmp_path / "d.toml"), "--no-color"]) == 1
    capsys.readouterr()
    assert rparity_main(["audit", "--help"]) == 0
    assert "rparity audit draft PAPER" in capsys.readouterr().out
    assert rparity_main(["audit", "draft", "--help"]) == 0
    assert "GUESS" in capsys.readouterr().out


_PIECES = ["\t", "|", "\n", " ", "Table 1", "(n = 12)", "37 (62.7)", "2.1 (1.1–4.0)", "<0.001", "0.214",
           "P", "HR = 2.1, 95% CI = 1.1–4.0", "1-year, 80.0% vs. 0", "12/45", "4.5% (12)", "<td>", "</tr>",
           "<table>", "<tr>", "colspan=\"3\"", "---", "respectively", "Fisher's exact test", "x",
           "(OS: ", "; P = 0.01)", "median OS was 24 months in the ", "did not reach the median OS", ";",
           "Univariate", "Treatment group", "A (n = 10)", "B (n = 12)", "12-month, 50.0% versus 0"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=60), st.sampled_from(["txt", "md", "html"]))
def test_any_text_drafts_to_valid_toml(pieces, kind):
    """Never a crash: whatever the text, the draft is valid TOML whose entries read."""
    result = _draft_text("".join(pieces), kind)
    data = tomllib.loads(result.toml)
    if data.get("tables"):
        audit(data)  # unreadable entries are fine; an exception is not
