"""The OECD HAIP reporting framework as catalogue data: sections, lettered items and
the questions that feed each item (``fixtures/haip.yaml``).

Hooked into ``principles.framework``: ``read_haip`` validates the file along with the
rest of the framework (every problem listed, nothing written), ``load_haip`` writes it
inside ``load_framework``'s transaction, ``export_haip`` writes it back. The file is
optional: a framework directory without it leaves the reporting items as they are.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.db.models import Prefetch

from .models import HaipItem, HaipSection, Question, shown
from .translations import TITLE_FIELDS, read_translations, translated_title

HAIP_FILE = "haip.yaml"
LETTER = re.compile(r"[a-z]{1,2}")

# The section titles of version 1, for catalogue snapshots frozen before the sections
# became data (they carried one section number per principle).
V1_SECTION_TITLES = {
    1: "Risk identification and evaluation",
    2: "Risk management and information security",
    3: "Transparency reporting on advanced AI systems",
    4: "Organizational governance, incident management and transparency",
    5: "Content authentication and provenance mechanisms",
    6: "Research and investment to advance AI safety and mitigate societal risks",
    7: "Advancing human and global interests",
}


def read_yaml(path: Path, problems: list[str]):
    """One framework YAML file through the framework's safe loader, or None."""
    from .framework import read_mapping_file

    return read_mapping_file(path, problems)


def _title(value, where: str, problems: list[str], limit: int = 200) -> str:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: 'title' is missing or empty")
        return ""
    if len(value) > limit:
        problems.append(f"{where}: 'title' has {len(value)} characters; at most {limit}")
    return value.strip()


def _translations(entry: dict, where: str, problems: list[str]) -> dict:
    """An entry's ``translations:`` (its title in other languages), checked."""
    return read_translations(
        entry.get("translations"),
        fields=TITLE_FIELDS,
        where=f"{where}: 'translations'",
        problems=problems,
    )


def read_haip(directory: Path, questions: dict, problems: list[str]) -> dict | None:
    """The validated content of haip.yaml (None when the file is absent)."""
    path = Path(directory) / HAIP_FILE
    if not path.exists():
        return None
    data = read_yaml(path, problems)
    if data is None:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("sections"), list):
        problems.append(f"{HAIP_FILE}: expected a mapping with a list of 'sections'")
        return None
    sections: dict[int, dict] = {}
    for index, section in enumerate(data["sections"], start=1):
        where = f"{HAIP_FILE}, section entry {index}"
        if not isinstance(section, dict):
            problems.append(f"{where}: expected a mapping")
            continue
        number = section.get("number")
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 99:
            problems.append(f"{where}: 'number' must be a whole number from 1 to 99")
            continue
        where = f"{HAIP_FILE}, section {number}"
        if number in sections:
            problems.append(f"{where}: duplicate section")
            continue
        items: dict[str, dict] = {}
        for order, item in enumerate(section.get("items") or [], start=1):
            if not isinstance(item, dict):
                problems.append(f"{where}, item {order}: expected a mapping")
                continue
            letter = item.get("letter")
            if not isinstance(letter, str) or not LETTER.fullmatch(letter):
                problems.append(
                    f"{where}, item {order}: 'letter' must be one or two lower-case letters, "
                    f"not {shown(letter)}"
                )
                continue
            item_where = f"{HAIP_FILE}, item {number}.{letter}"
            if letter in items:
                problems.append(f"{item_where}: duplicate item")
                continue
            codes = item.get("questions") or []
            if not isinstance(codes, list):
                problems.append(f"{item_where}: 'questions' must be a list of question codes")
                codes = []
            unknown = [shown(c) for c in codes if c not in questions]
            if unknown:
                problems.append(f"{item_where}: unknown question code(s) {', '.join(unknown)}")
            if len(set(map(str, codes))) != len(codes):
                problems.append(f"{item_where}: a question is listed twice")
            items[letter] = {
                "order": order,
                "title": _title(item.get("title"), item_where, problems),
                "translations": _translations(item, item_where, problems),
                "questions": [c for c in codes if c in questions],
            }
        if not items:
            problems.append(f"{where}: a section needs at least one item")
        sections[number] = {
            "title": _title(section.get("title"), where, problems),
            "translations": _translations(section, where, problems),
            "items": items,
        }
    if not sections:
        problems.append(f"{HAIP_FILE}: no sections")
    return sections


def load_haip(sections: dict | None, result) -> None:
    """Write the validated sections and items; rows no longer in the file are deleted."""
    if sections is None:
        return
    from .framework import _apply

    existing = {s.number: s for s in HaipSection.objects.all()}
    question_ids = dict(Question.objects.values_list("code", "pk"))
    items = {
        (i.section.number, i.letter): i
        for i in HaipItem.objects.select_related("section").prefetch_related(
            Prefetch("questions", queryset=Question.objects.only("pk"))
        )
    }
    for number, values in sections.items():
        section = existing.get(number) or HaipSection(number=number)
        existing[number] = section
        _apply(section, {"title": values["title"], "translations": values["translations"]}, result)
        for letter, item_values in values["items"].items():
            item = items.pop((number, letter), None) or HaipItem(section=section, letter=letter)
            new = item.pk is None
            _apply(
                item,
                {
                    "order": item_values["order"],
                    "title": item_values["title"],
                    "translations": item_values["translations"],
                },
                result,
            )
            wanted = {question_ids[c] for c in item_values["questions"]}
            if {q.pk for q in item.questions.all()} != wanted:
                item.questions.set(wanted)
                result.updated += 0 if new else 1
    for item in items.values():
        item.delete()
    HaipSection.objects.exclude(number__in=list(sections)).delete()


def export_haip(directory: Path, dump) -> int:
    """Write haip.yaml from the database; returns the number of items."""
    sections = []
    count = 0
    for section in HaipSection.objects.prefetch_related(
        Prefetch(
            "items",
            queryset=HaipItem.objects.order_by("order").prefetch_related(
                Prefetch(
                    "questions", queryset=Question.objects.order_by("principle__order", "order")
                )
            ),
        )
    ):
        items = [
            {
                "letter": item.letter,
                "title": item.title,
                **({"translations": item.translations} if item.translations else {}),
                "questions": [q.code for q in item.questions.all()],
            }
            for item in section.items.all()
        ]
        count += len(items)
        sections.append(
            {
                "number": section.number,
                "title": section.title,
                **({"translations": section.translations} if section.translations else {}),
                "items": items,
            }
        )
    if sections:
        header = (
            "# Exported by manage.py export_framework: the OECD HAIP reporting items and the\n"
            "# questions that feed them; see fixtures/SOURCES.\n"
        )
        dump(Path(directory) / HAIP_FILE, header, {"sections": sections})
    return count


def question_sections() -> tuple[dict[int, list[int]], dict[int, str], dict[int, dict]]:
    """Question id -> the sorted section numbers of the items it feeds, and the titles
    and title translations of the sections that have fed items, in one query (the live
    catalogue's)."""
    pairs: dict[int, set[int]] = {}
    titles: dict[int, str] = {}
    translations: dict[int, dict] = {}
    for question_id, number, title, translated in HaipItem.questions.through.objects.values_list(
        "question_id",
        "haipitem__section__number",
        "haipitem__section__title",
        "haipitem__section__translations",
    ):
        pairs.setdefault(question_id, set()).add(number)
        titles[number] = title
        translations[number] = translated or {}
    return {qid: sorted(numbers) for qid, numbers in pairs.items()}, titles, translations


def localized_title(obj) -> str:
    """A section's or item's title in the active language (English where untranslated)."""
    return translated_title(obj.translations, obj.title)
