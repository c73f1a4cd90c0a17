"""Translations of the catalogue's wording, kept beside the source text.

Each translatable model has a ``translations`` JSON field mapping a language code
(one of ``settings.LANGUAGES`` other than the source language, English) to the
translated fields, e.g. ``{"ja": {"title": "...", "text": "..."}}``. A field left
out of a translation falls back to the English text. The same rules hold in the
YAML files (``load_framework``), in the admin (the models' ``clean``) and in an
assessment's frozen catalogue.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

SOURCE_LANGUAGE = "en"

# The fields a translation may carry, per model (by model label). A principle's
# ``wording_note`` says where its translated wording comes from (e.g. "非公式訳",
# unofficial translation); it is shown beside that wording wherever it appears.
PRINCIPLE_FIELDS = ("title", "text", "commentary", "wording_note")
ROLE_FIELDS = ("name", "description")
QUESTION_FIELDS = ("text", "guidance", "evidence_expected")
# The OECD HAIP sections and items, and the requirements of crosswalk target frameworks,
# translate their short titles only (identifiers are facts and stay as published).
TITLE_FIELDS = ("title",)
TARGET_FRAMEWORK_FIELDS = ("name", "scope_note")


def translation_languages() -> list[str]:
    """The languages a translation may be in: the site's languages but the source one."""
    return [code for code, _name in settings.LANGUAGES if code != SOURCE_LANGUAGE]


def translation_problems(value, *, fields: tuple[str, ...]) -> list[str]:
    """What is wrong with a ``translations`` mapping, as sentences (empty when valid)."""
    if value in (None, ""):
        return []
    if not isinstance(value, dict):
        return [_("Translations must be a mapping from a language code to translated fields.")]
    problems = []
    languages = translation_languages()
    for language, translated in value.items():
        if language not in languages:
            problems.append(
                _("Unknown language %(language)r: translations may be in %(languages)s.")
                % {"language": language, "languages": ", ".join(languages) or _("none")}
            )
            continue
        if not isinstance(translated, dict) or not translated:
            problems.append(
                _("The %(language)s translation must map field names to translated text.")
                % {"language": language}
            )
            continue
        for name, text in translated.items():
            if name not in fields:
                problems.append(
                    _(
                        "The %(language)s translation has an unknown field %(field)r "
                        "(translatable fields: %(fields)s)."
                    )
                    % {"language": language, "field": name, "fields": ", ".join(fields)}
                )
            elif not isinstance(text, str) or not text.strip():
                problems.append(
                    _("The %(language)s translation of '%(field)s' is empty.")
                    % {"language": language, "field": name}
                )
    return problems


def translated(translations: dict | None, language: str | None, name: str, source: str) -> str:
    """The text of field ``name`` in ``language``, falling back to the source text."""
    if not translations or not language:
        return source
    entry = translations.get(language) or translations.get(language.split("-")[0]) or {}
    return entry.get(name) or source


def translated_title(translations: dict | None, source: str, language: str | None = None) -> str:
    """A title in ``language`` (default: the active language), English where it has none."""
    if language is None:
        from django.utils.translation import get_language

        language = get_language()
    return translated(translations, language, "title", source)


def wording_note(translations: dict | None, language: str | None) -> str:
    """The note on a principle's translated wording in ``language`` (empty in English)."""
    if not translations or not language:
        return ""
    entry = translations.get(language) or translations.get(language.split("-")[0]) or {}
    return entry.get("wording_note", "") if entry.get("text") or entry.get("title") else ""


def read_translations(value, *, fields: tuple[str, ...], where: str, problems: list) -> dict:
    """A ``translations:`` value of a framework file, checked (``load_framework``'s hook).

    Every problem is added to ``problems`` prefixed with ``where``; the value is
    returned as a plain dict (empty when absent or invalid).
    """
    found = translation_problems(value, fields=fields)
    problems.extend(f"{where}: {problem}" for problem in found)
    return dict(value) if value and not found else {}
