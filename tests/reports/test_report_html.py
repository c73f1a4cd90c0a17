"""The report's HTML, as the PDF is laid out from it: what it shows and that catalogue
and user values stay text. No PDF is rendered here (that is test_pdf.py), so these are fast.

The ``base_doc`` fixture builds a draft document once for the module through the real
services; each test changes a deep copy of it.
"""

import copy
import xml.etree.ElementTree as ET

import pytest
import weasyprint
from django.db import transaction

from assessments import services
from assessments.models import Membership
from reports.chart import score_chart
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
