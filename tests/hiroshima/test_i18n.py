"""Japanese, end to end: the language chosen (browser, switcher, profile), pages
rendered in it with nothing left in English, the catalogue complete and compiled,
and a lint that keeps bare English out of the templates."""

import gettext
import re
import shutil
import subprocess
import sys
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from accounts.models import Profile
from tests.conftest import PASSWORD
from tests.hiroshima.po import parse_po

BASE = Path(settings.BASE_DIR)
PO = BASE / "locale" / "ja" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Where makemessages looks for strings, and what it leaves out (README, Languages).
MAKEMESSAGES = [
    "makemessages", "-l", "ja", "--no-location",
    "--ignore=.venv", "--ignore=tests", "--ignore=benchmarks", "--ignore=staticfiles",
    "--ignore=scripts",
]  # fmt: skip


def visible_text(html: str) -> str:
    """The text a reader sees: tags, scripts and styles removed."""
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", unescape(re.sub(r"(?s)<[^>]+>", " ", html)))


def sign_in(client, user):
    """Through the sign-in page, as a person does (the language comes with it)."""
    response = client.post(
        reverse("login"), {"username": user.get_username(), "password": PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:500]


# --- choosing the language ---------------------------------------------------------


@pytest.mark.django_db
def test_accept_language_ja_gives_the_japanese_login_page(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="ja,en;q=0.5")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ja"' in page
    assert "ログイン" in page
    assert "Sign in" not in visible_text(page)
    assert response["Content-Language"] == "ja"


@pytest.mark.django_db
def test_without_a_japanese_preference_the_login_page_is_english(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr,en;q=0.5").content.decode()
    assert '<html lang="en"' in page
    assert "Sign in" in page


@pytest.mark.django_db
def test_the_switcher_sets_the_language_of_anonymous_pages(client):
    response = client.post(reverse("set_language"), {"language": "ja", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="ja"' in page


@pytest.mark.django_db
def test_the_switcher_is_a_plain_labelled_form_in_the_navbar(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    form = re.search(r'(?s)<form method="post" action="/i18n/setlang/".*?</form>', page).group(0)
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<label class="visually-hidden" for="language-select">言語</label>' in form
    assert '<option value="ja" lang="ja" selected>日本語</option>' in form
    assert '<option value="en" lang="en">English</option>' in form
    assert '<button type="submit"' in form
    assert "<script" not in page.split("</head>")[1]


@pytest.mark.django_db
def test_the_switcher_refuses_get_and_ignores_an_unknown_language(client, officer):
    sign_in(client, officer)
    assert client.get(reverse("set_language")).status_code == 405
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert not Profile.objects.filter(user=officer).exists()
    assert '<html lang="en"' in client.get(reverse("dashboard")).content.decode()


@pytest.mark.django_db
def test_the_choice_is_kept_on_the_profile_across_sign_out_and_sign_in(client, officer):
    sign_in(client, officer)
    client.post(reverse("set_language"), {"language": "ja", "next": "/"})
    assert Profile.objects.get(user=officer).language == "ja"
    client.post(reverse("logout"))
    client.cookies.clear()  # another browser: no language cookie, an English browser
    sign_in(client, officer)
    page = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="ja"' in page
    assert "ダッシュボード" in page


@pytest.mark.django_db
def test_a_signed_in_user_without_a_choice_follows_the_browser(client, officer):
    sign_in(client, officer)
    page = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert '<html lang="ja"' in page


@pytest.mark.django_db
def test_switching_back_to_english_is_remembered_too(client, officer):
    Profile.objects.create(user=officer, language="ja")
    sign_in(client, officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert Profile.objects.get(user=officer).language == "en"
    client.post(reverse("logout"))
    sign_in(client, officer)
    page = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert '<html lang="en"' in page


def test_the_redirect_after_switching_stays_on_this_site(client, db):
    response = client.post(
        reverse("set_language"), {"language": "ja", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


# --- pages in Japanese ----------------------------------------------------------------


def english_msgids() -> list[str]:
    """Sentences of the catalogue long enough not to be names or codes, leaving out
    those that the principles' and questions' own wording uses (catalogue content,
    translated in the YAML fixtures, not here)."""
    content = " ".join(
        " ".join(path.read_text(encoding="utf-8").split())
        for path in (BASE / "fixtures").glob("*.yaml")
    )
    texts = []
    for entry in parse_po(PO.read_text(encoding="utf-8"))[1:]:
        for text in filter(None, [entry.msgid, entry.msgid_plural]):
            plain = re.split(r"%\(\w+\)s|<[^>]+>", text)
            texts += [p.strip() for p in plain if len(p.strip()) >= 14 and " " in p.strip()]
    return [text for text in texts if text not in content]


def document_strings(assessment) -> list[str]:
    from reports.services import report_document

    found = []

    def walk(value):
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            [walk(v) for v in value.values()]
        elif isinstance(value, list):
            [walk(v) for v in value]

    walk(report_document(assessment=assessment))
    return [text for text in found if " " in text]


@pytest.fixture
def japanese_officer(client, officer):
    Profile.objects.create(user=officer, language="ja")
    sign_in(client, officer)
    return client


@pytest.mark.django_db
def test_main_pages_render_in_japanese_with_nothing_left_in_english(japanese_officer, assessment):
    pages = {
        "dashboard": reverse("dashboard"),
        "detail": reverse("assessment_detail", args=[assessment.pk]),
        "questionnaire": reverse("questionnaire", args=[assessment.pk, "I"]),
        "methodology": reverse("methodology"),
        "report preview": reverse("report_preview", args=[assessment.pk]),
        "history": reverse("assessment_history", args=[assessment.pk]),
        "new assessment": reverse("assessment_create"),
        "verify": reverse("report_verify"),
    }
    sentences = english_msgids()
    for name, url in pages.items():
        response = japanese_officer.get(url)
        assert response.status_code == 200, name
        page = response.content.decode()
        assert '<html lang="ja"' in page, name
        text = visible_text(page)
        if name == "report preview":
            # The report document's own sentences (methodology, nature of the report)
            # are data: they follow the report's language (i12-catalogue), not the page's.
            for data in sorted(document_strings(assessment), key=len, reverse=True):
                text = text.replace(" ".join(data.split()), " ")
        left = [s for s in sentences if s in text]
        assert not left, f"{name}: English left: {left[:5]}"
        assert JAPANESE.search(text), name


@pytest.mark.django_db
def test_form_labels_errors_and_messages_are_japanese(japanese_officer, assessment):
    url = reverse("questionnaire", args=[assessment.pk, "I"])
    page = japanese_officer.get(url).content.decode()
    assert "実施レベル" in page
    assert "0 – 未実施" in page
    assert "該当なし" in page
    form = {"save": "1"}
    code = re.search(r'name="([\w.]+)-version" value="(\d+)"', page)
    prefix, version = code.group(1), code.group(2)
    form |= {f"{prefix}-version": version, f"{prefix}-response": "na", f"{prefix}-explanation": ""}
    response = japanese_officer.post(url, form)
    page = response.content.decode()
    assert "保存されませんでした。下の 1 件の問題を修正してください。" in page
    assert "この質問が該当しない理由を記入してください。" in page


@pytest.mark.django_db
def test_dates_follow_the_language(client, officer, assessment):
    sign_in(client, officer)
    english = visible_text(client.get(reverse("dashboard")).content.decode())
    assert re.search(r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}\b", english)
    client.post(reverse("set_language"), {"language": "ja", "next": "/"})
    japanese = visible_text(client.get(reverse("dashboard")).content.decode())
    assert re.search(r"\b\d{4}/\d{2}/\d{2} \d{2}:\d{2}\b", japanese)
    detail = client.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    assert "2026/01/01〜2026/12/31" in visible_text(detail)


def test_percentages_and_scores_keep_one_decimal_in_each_language():
    template = Template("{% load l10n_tags %}{{ value|percent }}|{{ value|floatformat:1 }}")
    for language in ("en", "ja"):
        with translation.override(language):
            assert template.render(Context({"value": 81.25})) == "81.3%|81.3"
            assert template.render(Context({"value": None})) == "|"


@pytest.mark.django_db
def test_error_pages_are_japanese(japanese_officer, outsider, assessment):
    response = japanese_officer.get("/no-such-page/")
    assert response.status_code == 404
    assert "見つかりません" in response.content.decode()


@pytest.mark.django_db
def test_a_refused_request_speaks_the_browsers_language(client):
    response = client.post(
        reverse("login"),
        data=b"x" * 10,
        content_type="application/octet-stream",
        HTTP_ACCEPT_LANGUAGE="ja",
        CONTENT_LENGTH=str(settings.REQUEST_MAX_BYTES + 1),
    )
    assert response.status_code == 413
    assert "リクエストが大きすぎます" in response.content.decode()


@pytest.mark.django_db
def test_workflow_errors_are_translated(client, officer, assessment):
    Profile.objects.create(user=officer, language="ja")
    sign_in(client, officer)
    url = reverse("assessment_submit", args=[assessment.pk])
    response = client.post(url, {"confirm": "yes"}, follow=True)
    assert "提出されませんでした" in response.content.decode()
    assert "問が未回答です" in response.content.decode()


# --- the catalogue: complete, compiled ---------------------------------------------------


def test_the_japanese_catalogue_has_no_untranslated_or_fuzzy_entry():
    entries = parse_po(PO.read_text(encoding="utf-8"))
    assert entries[0].msgid == ""
    assert "fuzzy" not in entries[0].flags
    assert len(entries) > 500
    untranslated = [e.msgid for e in entries[1:] if not e.translated]
    fuzzy = [e.msgid for e in entries[1:] if e.fuzzy]
    assert not untranslated
    assert not fuzzy


def test_translations_keep_their_placeholders_and_markup():
    for entry in parse_po(PO.read_text(encoding="utf-8"))[1:]:
        source = entry.msgid_plural or entry.msgid
        for found in (r"%\(\w+\)s", r"\{\w+\}", r"</?\w+[^>]*>"):
            expected = sorted(re.findall(found, source))
            if entry.msgid_plural and "%(counter)s" not in entry.msgid:
                expected = sorted(set(expected))
            got = sorted(re.findall(found, entry.msgstr[0]))
            assert got == expected or set(got) == set(expected), (entry.msgid, got, expected)


def test_the_committed_mo_file_is_the_compiled_po_file():
    """The .mo is committed so that a fresh clone needs no gettext tools; it must say
    exactly what the .po says (run compilemessages after editing the .po)."""
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    expected = {}
    for entry in parse_po(PO.read_text(encoding="utf-8")):
        if entry.fuzzy or not entry.translated:
            continue
        if entry.msgid_plural is not None:
            for index, text in entry.msgstr.items():
                expected[(entry.key, index)] = text
        else:
            expected[entry.key] = entry.msgstr[0]
    header = expected.pop("")
    assert compiled.pop("").startswith("Project-Id-Version") and header
    assert compiled == expected


# --- the lints ----------------------------------------------------------------------------

# Words that stay as they are in every language: names, formats, codes.
ALLOWED_WORDS = {
    "HAIP", "OECD", "OSCAL", "PDF", "CSV", "JSON", "XLSX", "YAML", "SHA-256", "UTC",
    "PAdES", "N/A", "DOCX", "QR",
}  # fmt: skip
# Attributes a reader sees or hears.
VISIBLE_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "aria-description"}


class _TextCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code"):
            self.skip += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self.texts.append(value)
        if tag == "meta" and dict(attrs).get("name") == "description":
            self.texts.append(dict(attrs).get("content") or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.texts.append(data)


def bare_english(source: str) -> list[str]:
    """Text of a template that a reader would see in English whatever the language."""
    problems = []
    source = re.sub(r"(?s){% comment %}.*?{% endcomment %}", " ", source)
    source = re.sub(r"(?s){#.*?#}", " ", source)
    # English literals passed to includes ({% include ... with heading="..." %}).
    for tag in re.findall(r"(?s){%\s*(?:include|with)\b.*?%}", source):
        problems += [f"tag argument: {s}" for s in re.findall(r'=\s*"([^"]*[A-Za-z]+ [^"]*)"', tag)]
    source = re.sub(
        r"(?s){%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}", " ", source
    )
    source = re.sub(r"(?s){%.*?%}|{{.*?}}", " ", source)
    collector = _TextCollector()
    collector.feed(source)
    for text in collector.texts:
        words = [w.strip(".,;:()“”'\"·–—!?") for w in text.split()]
        english = [w for w in words if re.search(r"[A-Za-z]", w) and w not in ALLOWED_WORDS]
        if english:
            problems.append(" ".join(text.split()))
    return problems


def template_files() -> list[Path]:
    return sorted((BASE / "templates").rglob("*.html"))


def test_the_template_lint_catches_bare_english():
    assert bare_english("<p>Save the answers</p>") == ["Save the answers"]
    assert bare_english('<a title="Open it" href="/x">{% translate "Go" %}</a>') == ["Open it"]
    assert bare_english('{% include "x.html" with heading="Report failed" %}') == [
        "tag argument: Report failed"
    ]
    assert bare_english('<p>{% translate "Save" %} {{ value }} PDF · CSV</p>') == []
    assert bare_english("{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}") == []
    assert bare_english('<input type="hidden" name="next" value="here">') == []
    assert bare_english("<code>manage.py verify_report</code>") == []


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(BASE)))
def test_templates_hold_no_english_outside_translation_tags(path):
    assert bare_english(path.read_text(encoding="utf-8")) == []


@pytest.mark.skipif(
    shutil.which("xgettext") is None or shutil.which("msgmerge") is None,
    reason="gettext's xgettext and msgmerge are not installed (apt-get install gettext)",
)
def test_makemessages_finds_no_string_missing_from_the_japanese_catalogue(tmp_path):
    """makemessages on a copy of the project: every string it finds is translated."""
    copy = tmp_path / "project"
    shutil.copytree(
        BASE,
        copy,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "media", "var", "staticfiles", "test-artifacts", "__pycache__",
            "*.sqlite3", ".pytest_cache", ".ruff_cache", "node_modules",
        ),
    )  # fmt: skip
    result = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", *MAKEMESSAGES],
        cwd=copy,
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "tests.settings", "PATH": "/usr/bin:/bin"},
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    entries = parse_po((copy / PO.relative_to(BASE)).read_text(encoding="utf-8"))[1:]
    missing = [e.msgid for e in entries if not e.translated]
    fuzzy = [e.msgid for e in entries if e.fuzzy]
    assert not missing, f"not translated in locale/ja (README, Languages): {missing}"
    assert not fuzzy, f"fuzzy in locale/ja: {fuzzy}"
