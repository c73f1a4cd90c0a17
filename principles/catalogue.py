"""An in-memory, read-only view of the catalogue.

Assessments, scoring and reports work on a ``Catalogue`` instead of querying the
models question by question: the live one costs a fixed three queries whatever
its size, and a submitted assessment keeps a frozen copy (``to_dict`` /
``from_dict``) so that later edits by admins do not change what it shows.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace

from django.conf import settings

from .haip import V1_SECTION_TITLES, question_sections
from .models import CatalogueStamp, LifecycleRole, Principle, Question, QuestionWeight
from .translations import SOURCE_LANGUAGE, translated, wording_note

SNAPSHOT_FORMAT = 1


@dataclass(frozen=True)
class CatalogueQuestion:
    id: int
    code: str
    order: int
    text: str
    guidance: str
    evidence_expected: str
    weights: dict[str, int]  # role code -> 0..3
    translations: dict = field(default_factory=dict)  # language -> field -> text

    def effective_weight(self, roles) -> int:
        """The largest weight over the declared roles; 0 means it does not apply."""
        return max((self.weights.get(role, 0) for role in roles), default=0)


@dataclass(frozen=True)
class CataloguePrinciple:
    numeral: str
    order: int
    title: str
    text: str
    commentary: str
    source: str
    wording_version: int
    questions: list[CatalogueQuestion] = field(default_factory=list)
    translations: dict = field(default_factory=dict)
    # Set on a localized copy: where the translated wording comes from ("非公式訳").
    wording_note: str = ""
    # The OECD HAIP reporting sections its questions feed (through the reporting items).
    oecd_sections: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class CatalogueRole:
    code: str
    name: str
    description: str
    translations: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Catalogue:
    principles: list[CataloguePrinciple]
    roles: list[CatalogueRole]
    # None: the source wording with every translation (what a snapshot stores);
    # a language code: a copy showing that language's wording (``localized``).
    language: str | None = None
    section_titles: dict[str, str] = field(default_factory=dict)  # "1" -> title (JSON keys)
    # The section titles in other languages: "ja" -> {"1": title}. Snapshots frozen
    # before the titles were translated have none and show the English titles.
    section_translations: dict[str, dict[str, str]] = field(default_factory=dict)

    def section_title(self, number: int) -> str:
        return self.section_titles.get(str(number)) or V1_SECTION_TITLES.get(number, "")

    def principle(self, numeral: str) -> CataloguePrinciple | None:
        return next((p for p in self.principles if p.numeral == numeral), None)

    def questions(self):
        for principle in self.principles:
            yield from principle.questions

    def role_names(self, codes) -> list[str]:
        wanted = set(codes)
        return [r.name for r in self.roles if r.code in wanted]

    def to_dict(self) -> dict:
        if self.language is not None:
            raise ValueError("A localized catalogue cannot be frozen: freeze the source one.")
        data = asdict(self)
        del data["language"]
        for principle in data["principles"]:
            del principle["wording_note"]
        return {"format": SNAPSHOT_FORMAT, **data}

    def localized(self, language: str | None) -> Catalogue:
        """A copy showing the wording in ``language``, English where it has none.

        Costs no query; codes, orders and weights are those of this catalogue, so
        scoring is the same in every language.
        """
        base = (language or SOURCE_LANGUAGE).split("-")[0]
        if self.language is not None:
            if self.language == base:
                return self
            raise ValueError("Localize the source catalogue, not a localized copy.")
        if base == SOURCE_LANGUAGE:
            return self

        def tr(item, name):
            return translated(item.translations, base, name, getattr(item, name))

        principles = [
            replace(
                p,
                title=tr(p, "title"),
                text=tr(p, "text"),
                commentary=tr(p, "commentary"),
                wording_note=wording_note(p.translations, base),
                questions=[
                    replace(
                        q,
                        text=tr(q, "text"),
                        guidance=tr(q, "guidance"),
                        evidence_expected=tr(q, "evidence_expected"),
                    )
                    for q in p.questions
                ],
            )
            for p in self.principles
        ]
        roles = [
            replace(r, name=tr(r, "name"), description=tr(r, "description")) for r in self.roles
        ]
        titles = {
            number: self.section_translations.get(base, {}).get(number) or title
            for number, title in self.section_titles.items()
        }
        return replace(
            self, principles=principles, roles=roles, language=base, section_titles=titles
        )

    @classmethod
    def from_dict(cls, data: dict) -> Catalogue:
        principles = [
            CataloguePrinciple(
                **{k: v for k, v in p.items() if k not in ("questions", "oecd_section")},
                questions=[CatalogueQuestion(**q) for q in p["questions"]],
                # Snapshots frozen before the reporting items were data held one number.
                **({"oecd_sections": [p["oecd_section"]]} if "oecd_section" in p else {}),
            )
            for p in data["principles"]
        ]
        return cls(
            principles=principles,
            roles=[CatalogueRole(**r) for r in data["roles"]],
            section_titles=data.get("section_titles") or {},
            section_translations=data.get("section_translations") or {},
        )


# The live catalogue this process built last: (stamp token, when it was built,
# catalogue, its localized copies by language). Replaced whole, never changed in
# place but for the copies.
_kept: tuple[str, float, Catalogue, dict] | None = None


def live_catalogue() -> Catalogue:
    """The catalogue as it stands in the database.

    Built in five queries, then kept by this process and given again for one query
    as long as the catalogue's stamp (``CatalogueStamp``, changed in the transaction
    of every change: ``stamps.py``) has not changed, for at most
    ``CATALOGUE_KEEP_SECONDS``. The catalogue is read-only for everyone who gets it.
    """
    global _kept
    token = _stamp_token()
    kept = _kept
    now = time.monotonic()
    if (
        token is not None
        and kept is not None
        and kept[0] == token
        and now - kept[1] < settings.CATALOGUE_KEEP_SECONDS
    ):
        return kept[2]
    catalogue = build_live_catalogue()
    # Kept only when no change was committed while it was built: a change between
    # the two reads makes them differ, so a catalogue is never kept under a token
    # that describes other content.
    if token is not None and _stamp_token() == token:
        _kept = (token, now, catalogue, {})
    return catalogue


def forget_live_catalogue() -> None:
    """Build the catalogue afresh next time (tests: after rolled-back bulk writes)."""
    global _kept
    _kept = None


def live_catalogue_in(language: str | None, catalogue: Catalogue | None = None) -> Catalogue:
    """``live_catalogue().localized(language)`` (or of ``catalogue``, a live catalogue
    already at hand), the copy kept with the catalogue when it is the kept one."""
    if catalogue is None:
        catalogue = live_catalogue()
    kept = _kept
    if kept is None or kept[2] is not catalogue:
        return catalogue.localized(language)
    copies = kept[3]
    key = (language or SOURCE_LANGUAGE).split("-")[0]
    if key not in copies:
        copies[key] = catalogue.localized(key)
    return copies[key]


def _stamp_token() -> str | None:
    return CatalogueStamp.objects.filter(pk=1).values_list("token", flat=True).first()


def build_live_catalogue() -> Catalogue:
    """The catalogue as it stands in the database, in five queries."""
    sections, titles, title_translations = question_sections()
    weights: dict[int, dict[str, int]] = {}
    for question_id, role_code, weight in QuestionWeight.objects.values_list(
        "question_id", "role__code", "weight"
    ):
        weights.setdefault(question_id, {})[role_code] = weight
    # Plain rows, not model instances: the questionnaire builds this on every request.
    questions: dict[int, list[CatalogueQuestion]] = {}
    question_rows = Question.objects.order_by("principle__order", "order", "code").values_list(
        "pk", "principle_id", "code", "order", "text", "guidance", "evidence_expected",
        "translations",
    )  # fmt: skip
    for pk, principle_id, code, order, text, guidance, evidence, translations in question_rows:
        questions.setdefault(principle_id, []).append(
            CatalogueQuestion(
                id=pk,
                code=code,
                order=order,
                text=text,
                guidance=guidance,
                evidence_expected=evidence,
                weights=weights.get(pk, {}),
                translations=translations,
            )
        )
    principle_fields = (
        "numeral", "order", "title", "text", "commentary", "source", "wording_version",
        "translations",
    )  # fmt: skip
    principles = [
        CataloguePrinciple(**dict(zip(principle_fields, row[1:], strict=True)),
                           questions=questions.get(row[0], []),
                           oecd_sections=sorted({n for q in questions.get(row[0], [])
                                                 for n in sections.get(q.id, ())}))
        for row in Principle.objects.order_by("order").values_list("pk", *principle_fields)
    ]  # fmt: skip
    roles = [
        CatalogueRole(
            code=r.code, name=r.name, description=r.description, translations=r.translations
        )
        for r in LifecycleRole.objects.order_by("order")
    ]
    titles = {str(number): title for number, title in sorted(titles.items())}
    section_translations: dict[str, dict[str, str]] = {}
    for number, translations in sorted(title_translations.items()):
        for language, fields in translations.items():
            if fields.get("title"):
                section_translations.setdefault(language, {})[str(number)] = fields["title"]
    return Catalogue(
        principles=principles,
        roles=roles,
        section_titles=titles,
        section_translations=section_translations,
    )
