"""The report: one self-contained HTML file with every section and figure, and the JSON."""
from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser

import pytest

from rparity.study.report import ReportInputs, fmt_hr, fmt_p, fmt_pct, render_html

from .conftest import demo_run


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.imgs, self.links, self.scripts, self.ids, self.tables = [], [], [], set(), 0
        self.body_attrs = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "img":
            self.imgs.append(a)
        if tag in ("link", "iframe", "object", "embed", "video", "audio", "source"):
            self.links.append((tag, a))
        if tag == "script":
            self.scripts.append(a)
        if tag == "a" and a.get("href", "").startswith(("http:", "https:", "//")):
            self.links.append((tag, a))
        if tag == "table":
            self.tables += 1
        if tag == "body":
            self.body_attrs = a


@pytest.fixture(scope="module")
def run():
    return demo_run(("pyimpl",))


@pytest.fixture(scope="module")
def html(run):
    return render_html(ReportInputs(spec=run.spec, cohort=run.cohort, results=run.results, parity=run.parity,
                                    provenance=run.provenance, notices=["SYNTHETIC test notice"],
                                    methods_notes=run.methods_notes))


@pytest.fixture(scope="module")
def parsed(html):
    p = _Collector()
    p.feed(html)
    return p


def test_report_is_self_contained(html, parsed):
    assert parsed.links == []  # no stylesheet, frame, media or outbound link
    assert all("src" not in s for s in parsed.scripts)  # the only script is inline
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html)
    assert "@import" not in html and not re.search(r"url\(\s*['\"]?(https?:|//)", html)


def test_every_figure_is_an_embedded_svg(parsed):
    # KM (primary), love plot, forest plot, KM (secondary endpoint)
    assert len(parsed.imgs) == 4
    for img in parsed.imgs:
        src = img["src"]
        assert src.startswith("data:image/svg+xml;base64,")
        svg = base64.b64decode(src.split(",", 1)[1]).decode("utf-8")
        assert "<svg" in svg and "</svg>" in svg
        assert "http://" not in svg.replace("http://www.w3.org/", "").replace("http://purl.org/", "") \
            .replace("http://creativecommons.org/", "").replace("http://matplotlib.org", "")
        assert img.get("alt")


def test_sections_and_tables(parsed, html):
    assert {"methods", "table1", "matching", "km", "cox", "subgroups", "secondary", "published", "parity",
            "provenance", "parity-status"} <= parsed.ids
    assert parsed.tables >= 10
    assert parsed.body_attrs.get("data-figures") == "pending"  # the inline script sets it on load
    assert "SYNTHETIC test notice" in html
    assert 'data-parity="not-run"' in html  # one engine: parity not run, said so
    # Table 1 rows: the AFP counts before matching, as in the paper
    assert "45 (76.3)" in html and "19 (31.7)" in html
    # Table 2 layout: four HR/p column pairs
    cox = html[html.index('id="cox"'):html.index('id="subgroups"')]
    assert cox.count("<th class=\"num\">HR (95% CI)</th>") == 4


def test_provenance_in_report(run, html):
    assert run.cohort.sha256 in html and run.spec.sha256 in html
    assert "numpy" in html and "Seed" in html and "20250126" in html
    assert "[matching]" in html  # the spec, verbatim


def test_formatting_helpers():
    assert fmt_p(0.0004) == "<0.001" and fmt_p(0.0344) == "0.034" and fmt_p(float("nan")) == "—"
    assert fmt_pct(45, 59) == "45 (76.3)"
    assert fmt_hr(2.1771, 1.068, 4.4391) == "2.177 (1.068–4.439)"


def test_json_document_has_every_number(run, tmp_path):
    from rparity.study import keys as K
    from rparity.study.document import dumps, loads, to_document
    from rparity.study.keys import Quantity as Q
    from rparity.study.keys import Sample

    text = dumps(to_document(run.spec, run.results, run.parity, run.provenance, run.methods_notes))
    doc = json.loads(text)
    assert doc["format"] == "rparity-study" and doc["version"] == 2
    vals = doc["engines"]["pyimpl"]["values"]
    assert [v["name"] for v in vals] == [str(k) for k in run.results[0].keys()]
    afp = next(v for v in vals if v["name"] == "table1.before.afp.immuno.n")
    assert afp["key"] == {"step": "table1", "sample": "before", "variable": "afp", "arm": "immuno", "quantity": "n"}
    assert (afp["type"], afp["value"], afp["source"]) == ("int", 45, {"function": "study", "quantity": "count"})
    lm = next(v for v in vals if v["name"] == "km.before.os.surgery.landmark.12.surv")
    assert lm["source"] == {"function": "survfit", "quantity": "summary.surv"} and lm["key"]["landmark"] == 12.0
    assert doc["parity"]["ran"] is False
    assert any(c["spec_key"] == "table1.before.afp.immuno.n" and c["verdict"] == "matches"
               for c in doc["published"]["checks"])
    assert "NaN" not in text.replace('"NaN"', "") and "Infinity" not in text
    # read back: the typed values, as recorded
    back = loads(text)
    r = back.result("pyimpl")
    assert r[K.table1(Sample.BEFORE, Q.N, variable="afp", arm="immuno")] == 45
    assert r == run.results[0]


def test_spec_strings_are_escaped_and_never_read_as_mathtext(tmp_path):
    import warnings

    from rparity.study import parse_spec, read_cohort
    from rparity.study.run import run_study_files

    from .conftest import MINIMAL_SPEC, TINY_COHORT

    text = MINIMAL_SPEC.replace('column = "age"', 'column = "age"\nlabel = "Age <script>alert(1)</script> $x_1$"')
    (tmp_path / "s.toml").write_text(text)
    (tmp_path / "c.csv").write_text(TINY_COHORT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = run_study_files(tmp_path / "c.csv", tmp_path / "s.toml", ["pyimpl"], out_dir=tmp_path / "out")
    html = run.html_path.read_text()
    assert "<script>alert(1)</script>" not in html
    assert "Age &lt;script&gt;alert(1)&lt;/script&gt; $x_1$" in html
    assert parse_spec(text).covariate("old").label.endswith("$x_1$") and read_cohort(TINY_COHORT, parse_spec(text))


def test_a_published_number_the_spec_does_not_record_is_shown_not_computed(tmp_path):
    import warnings

    from rparity.study import keys as K
    from rparity.study.document import loads, to_document
    from rparity.study.keys import Quantity, Sample
    from rparity.study.published import PublishedVerdict, check_published
    from rparity.study.run import run_study_files

    from .conftest import MINIMAL_SPEC, TINY_COHORT

    text = MINIMAL_SPEC + ('\n[published.values]\n"km.before.os.A.landmark.3.surv" = "0.5"\n'
                           '"km.before.os.A.landmark.2.surv" = "0.667"\n')
    (tmp_path / "s.toml").write_text(text)
    (tmp_path / "c.csv").write_text(TINY_COHORT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = run_study_files(tmp_path / "c.csv", tmp_path / "s.toml", ["pyimpl"], out_dir=tmp_path / "out")
    unknown, known = check_published(run.spec, run.results[0])
    assert (unknown.name, unknown.key, unknown.verdict) == ("km.before.os.A.landmark.3.surv", None,
                                                            PublishedVerdict.NOT_COMPUTED)
    assert known.key == K.km(Sample.BEFORE, "os", "A", Quantity.SURV, landmark=2)
    assert known.verdict is PublishedVerdict.MATCHES and known.shown == "0.667"
    html = run.html_path.read_text()
    assert "km.before.os.A.landmark.3.surv" in html and "not computed" in html
    doc = loads(run.json_path.read_text())
    assert doc.published == (unknown, known)
    assert doc == to_document(run.spec, run.results, run.parity, run.provenance, run.methods_notes)
