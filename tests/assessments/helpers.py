from django.urls import reverse

from assessments import services
from assessments.page_cache import forget_pages


def page_url(assessment, numeral):
    return reverse("questionnaire", args=[assessment.pk, numeral])


def page_post_data(client, assessment, numeral) -> dict:
    """What the questionnaire page would post back unchanged (versions included).

    Read from the page's forms, so the page is built afresh (not served as kept)."""
    forget_pages()
    response = client.get(page_url(assessment, numeral))
    data = {}
    for row in response.context["page"].rows:
        form = row.form
        for name in ("version", "response", "explanation"):
            value = form[name].value()
            if value not in (None, ""):
                data[form.add_prefix(name)] = value
    return data


def applicable_codes(assessment, numeral):
    return [q.question.code for q in services.result_for(assessment).principle(numeral).questions]
