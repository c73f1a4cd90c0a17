"""The report's HTML, as the PDF is laid out from it: what it shows and that catalogue
and user values stay text. No PDF is rendered here (that is test_pdf.py), so these are fast.

The ``base_doc`` fixture builds a draft document once for the module through the real
services; each test changes a deep copy of it.
"""

import base64
import copy
import xml.etree.ElementTree as ET

import pytest
import weasyprint
from django.db import transaction

from assessments import services
from assessments.models import Membership
from reports.chart import band_colour, score_bars, score_chart
from reports.document import build_report
from reports.pdf import render_report_html
from tests.conftest import make_org, make_user
from tests.reports.conftest import answer_with_a_mix

# The mark also makes pytest-django set up the test database when this file runs alone.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def base_doc(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        org = make_org("Example AI Labs", "example")
        officer = make_user("olivia")
        Membership.objects.create(user=officer, organization=org, role="officer")
        draft = services.create_assessment(
            organization=org, title="Chat assistant 2026", scope="Our chat assistant.", by=officer
        )
        answer_with_a_mix(draft, officer)
        doc = build_report(assessment=draft)
        transaction.set_rollback(True)
    return doc


@pytest.fixture
def doc(base_doc):
    return copy.deepcopy(base_doc)


def laid_out_text(html: str) -> str:
    """The text of the document WeasyPrint lays out (its own HTML parser, no layout)."""
    root = weasyprint.HTML(string=html).etree_element
    return " ".join(" ".join(root.itertext()).split())


def test_a_numeral_that_opens_a_comment_does_not_swallow_the_report(doc):
    # Issue 8: "<!--" as a numeral went into the chart's SVG unescaped and turned the
    # rest of the report into a comment (a draft PDF of 14 pages came out with 2).
    doc["principles"][0]["numeral"] = "<!--"
    text = laid_out_text(render_report_html(doc))
    assert "<!--" in text
    assert "Methodology" in text
    assert doc["principles"][-1]["title"] in text


def test_the_chart_keeps_every_catalogue_value_as_text(doc):
    doc["principles"][0]["numeral"] = '</svg><script>alert("x")</script>'
    doc["principles"][1]["numeral"] = "X&Y"
    doc["principles"][1]["band"] = {"key": '"><script>', "label": "<b>odd</b>"}
    chart = str(score_chart(doc))
    svg = ET.fromstring(chart)  # well-formed: nothing closed or opened early
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert any(t and t.startswith('</svg><script>alert("x")</script>') for t in texts)
    assert any(t and t.startswith("X&Y") for t in texts)
    assert "<script>" not in chart


OPINION = {
    "auditor": "Arthur Auditor (arthur)",
    "affiliation": "Northbridge Assurance LLP",
    "independent": True,
    "review_scope": "All twelve principles for both declared roles.",
    "sampling": "Evidence of 20 answers inspected, chosen by weight.",
    "opinion": "Nothing came to our attention that contradicts the levels stated.",
    "include_comments": False,
    "given_at": "2026-03-01T10:00:00+00:00",
}


def as_approved(doc, **opinion):
    doc["draft"] = False
    doc["status"], doc["status_label"] = "approved", "Approved"
    doc["workflow"]["approved_at"] = "2026-03-01T10:00:00+00:00"
    doc["workflow"]["approved_by"] = "Arthur Auditor (arthur)"
    doc["opinion"] = {**OPINION, **opinion}
    return doc


def a_comment(doc, text):
    question = doc["principles"][0]["questions"][0]
    question["comments"] = [{"author": "arthur", "at": "2026-02-01T09:00:00+00:00", "text": text}]
    return question["code"]


def test_the_attestation_prints_the_auditors_opinion_before_the_review_history(doc):
    text = laid_out_text(render_report_html(as_approved(doc)))
    attestation = text[text.index("Attestation Auditor's opinion") :]
    for value in (
        "Arthur Auditor (arthur)",
        "Northbridge Assurance LLP",
        "Independent of the organization.",
        OPINION["review_scope"],
        OPINION["sampling"],
        OPINION["opinion"],
    ):
        assert value in attestation
    assert attestation.index(OPINION["opinion"]) < attestation.index("Review history")


def test_a_draft_says_plainly_that_there_is_no_opinion_and_never_prints_score_no_score(doc):
    for p in doc["principles"]:
        p["score"], p["band"] = None, None
    doc["overall"].update(score=None, band=None, lowest=None, principles_scored=0)
    text = laid_out_text(render_report_html(doc))
    assert "There is no auditor opinion: this is a draft." in text
    assert "score no score" not in text.lower()
    assert "Not scored yet" in text
    assert "Overall score: not scored yet · 0 of 12 principles scored" in text


def test_the_headline_gives_the_principles_scored_the_lowest_and_the_na_share(doc):
    doc["overall"].update(
        score=68.4,
        band={"key": "largely", "label": "Largely conformant"},
        provisional=True,
        principles_scored=11,
        principles_total=12,
        lowest={"numeral": "I", "title": "Risks", "score": 45.8, "band": None},
        na_weight_share=3.7,
        floor_applied=True,
        band_before_floor={"key": "conformant", "label": "Conformant"},
    )
    text = laid_out_text(render_report_html(doc))
    assert (
        "Overall score 68.4 · Largely conformant (provisional) · 11 of 12 principles scored" in text
    )
    assert "Lowest principle: I. Risks, 45.8" in text
    assert "3.7 % of the applicable weight" in text
    assert "Floor rule applied: the mean of the principle scores alone would be Conformant" in text


def test_comments_are_in_an_appendix_only_when_the_auditor_included_them(doc):
    code = a_comment(doc, "Findings list checked.")
    draft = laid_out_text(render_report_html(copy.deepcopy(doc)))
    assert "Appendix: auditors' working comments" in draft
    assert f"{code} arthur, 2026-02-01 09:00 UTC: Findings list checked." in draft
    included = laid_out_text(
        render_report_html(as_approved(copy.deepcopy(doc), include_comments=True))
    )
    assert "Findings list checked." in included
    left_out = as_approved(doc, include_comments=False)
    left_out["principles"][0]["questions"][0]["comments"] = []  # as the document leaves them
    assert "working comments" not in laid_out_text(render_report_html(left_out))


def test_principles_print_their_commentary_and_files_their_name_hash_and_address(doc):
    doc["principles"][-1]["commentary"] = "First paragraph.\n\nSecond paragraph."
    html = render_report_html(doc)
    assert "<p>First paragraph.</p><p>Second paragraph.</p>" in html
    text = laid_out_text(html)
    (evidence,) = [
        e
        for p in doc["principles"]
        for q in p["questions"]
        for e in q["evidence"]
        if e["file_name"]
    ]
    assert evidence["download_url"].startswith("http")
    assert (
        f"file “{evidence['file_name']}” ({evidence['size']} bytes), "
        f"SHA-256 {evidence['sha256']}, {evidence['download_url']}" in text
    )


def test_results_and_gaps_are_tables_with_a_row_each(doc):
    root = weasyprint.HTML(string=render_report_html(doc)).etree_element
    tables = {t.get("class").split()[0]: t for t in root.iter() if t.tag.endswith("table")}
    rows = {name: [r for r in t.iter() if r.tag.endswith("tr")] for name, t in tables.items()}
    assert len(rows["results"]) == 1 + len(doc["principles"])  # with the heading row
    assert len(rows["gaps"]) == 1 + len(doc["gaps"])


def test_chart_labels_print_at_9_pt_or_more_with_a_legend_of_every_band(doc):
    # The PDF's chart: a 9 pt line of text per principle, its bar drawn by an SVG
    # background at one unit per point, whose only text is the axis.
    html = render_report_html(doc)
    assert ".bars { background-repeat: no-repeat; font-size: 9pt;" in html
    root = weasyprint.HTML(string=html).etree_element
    (bars,) = [e for e in root.iter() if e.get("class") == "bars"]
    rows = [" ".join("".join(row.itertext()).split()) for row in bars]
    assert rows == [f"{p['numeral']} {float(p['score']):.1f}" for p in doc["principles"]]
    svg = _bars_svg(bars)
    width = float(svg.get("viewBox").split()[2])
    assert f"background-size: {width:g}pt" in bars.get("style")  # one unit, one point
    sizes = [float(e.get("font-size")) for e in svg.iter() if e.get("font-size")]
    assert sizes and min(sizes) >= 9
    axis = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert axis == ["0", "25", "50", "75", "100"]
    # The preview's SVG chart, printed across the same width, has labels of 9 pt or more.
    svg = ET.fromstring(str(score_chart(doc)))
    scale = (178 / 25.4 * 72) / float(svg.get("viewBox").split()[2])
    sizes = [float(e.get("font-size")) for e in svg.iter() if e.get("font-size")]
    assert sizes and min(sizes) * scale >= 9
    text = laid_out_text(html)
    for band in doc["methodology"]["bands"]:
        assert band["label"] in text[text.index("Bars are coloured by band") :]


def test_the_pdf_chart_draws_a_bar_per_scored_principle_in_its_band_colour(doc):
    root = weasyprint.HTML(string=render_report_html(doc)).etree_element
    (bars,) = [e for e in root.iter() if e.get("class") == "bars"]
    rects = list(_bars_svg(bars).iter("{http://www.w3.org/2000/svg}rect"))
    scored = [p for p in doc["principles"] if p["score"] is not None]
    assert len(rects) == len(scored)
    for rect, principle in zip(rects, scored, strict=True):
        assert float(rect.get("width")) == round(4.28 * float(principle["score"]), 1)
        assert rect.get("fill") == band_colour(principle["band"]["key"], [])


def test_the_pdf_chart_keeps_every_catalogue_value_as_text(doc):
    doc["principles"][0]["numeral"] = '</div><script>alert("x")</script>'
    doc["principles"][1]["band"] = {"key": '"><script>', "label": "<b>odd</b>"}
    chart = str(score_bars(doc))
    assert "<script>" not in chart
    text = laid_out_text(render_report_html(doc))
    assert '</div><script>alert("x")</script>' in text
    assert "Methodology" in text


def _bars_svg(bars) -> ET.Element:
    """The SVG drawn as the background of the PDF chart's lines."""
    encoded = bars.get("style").split("data:image/svg+xml;base64,")[1].split(")")[0]
    return ET.fromstring(base64.b64decode(encoded))
