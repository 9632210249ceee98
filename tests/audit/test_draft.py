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

from rparity.audit import Verdict, audit, audit_file
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


def _findings(report) -> tuple[Counter, Counter]:
    entries = Counter((_key(e), e.verdict) for e in report.entries
                      if e.kind in ("contingency", "ratio", "landmark"))
    table_level = Counter(_norm(f) for t in report.tables for f in t.findings if f.startswith("TABLE-LEVEL"))
    return entries, table_level


@pytest.fixture(scope="module")
def reference_findings():
    return _findings(audit_file(REFERENCE))


@pytest.mark.parametrize("paper", [DATA_PAPER, SHARED_PAPER], ids=["tests-data", "shared"])
def test_study_paper_draft_gives_the_reference_findings(paper, reference_findings):
    if not paper.exists():
        pytest.skip(f"{paper} is not present on this machine (the copy in tests/audit/data is tested)")
    result = draft_file(paper)
    report = audit(tomllib.loads(result.toml))  # the draft as written: no edits
    entries, table_level = _findings(report)
    ref_entries, ref_table_level = reference_findings
    assert entries == ref_entries
    assert table_level == ref_table_level and len(table_level) == 2
    bad = {e.data["printed"] for e in report.entries if e.verdict is Verdict.INCONSISTENT}
    assert bad == {"2.845 (2.524-5.311)", "0.618 (0.176-1.162)", "0.611 (0.219-1.703)"}
    assert report.exit_status == 1 and report.count(Verdict.UNREADABLE) == 0


def test_study_paper_draft_shape_and_markers():
    result = draft_file(DATA_PAPER)
    d = result.draft
    assert (d.n_entries("contingency"), d.n_entries("ratio"), d.n_entries("landmark")) == (20, 28, 24)
    guesses = [ln for ln in result.toml.splitlines() if ln.startswith("# GUESS:")]
    assert len(guesses) == result.guesses == 38
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
    report = audit(data)
    assert report.count(Verdict.UNREADABLE) == 0


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
           "<table>", "<tr>", "colspan=\"3\"", "---", "respectively", "Fisher's exact test", "x"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=60), st.sampled_from(["txt", "md", "html"]))
def test_any_text_drafts_to_valid_toml(pieces, kind):
    """Never a crash: whatever the text, the draft is valid TOML whose entries read."""
    result = _draft_text("".join(pieces), kind)
    data = tomllib.loads(result.toml)
    if data.get("tables"):
        audit(data)  # unreadable entries are fine; an exception is not
