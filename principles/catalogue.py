"""An in-memory, read-only view of the catalogue.

Assessments, scoring and reports work on a ``Catalogue`` instead of querying the
models question by question: the live one costs a fixed three queries whatever
its size, and a submitted assessment keeps a frozen copy (``to_dict`` /
``from_dict``) so that later edits by admins do not change what it shows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .haip import V1_SECTION_TITLES, question_sections
from .models import LifecycleRole, Principle, Question, QuestionWeight

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
    # The OECD HAIP reporting sections its questions feed (through the reporting items).
    oecd_sections: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class CatalogueRole:
    code: str
    name: str
    description: str


@dataclass(frozen=True)
class Catalogue:
    principles: list[CataloguePrinciple]
    roles: list[CatalogueRole]
    section_titles: dict[str, str] = field(default_factory=dict)  # "1" -> title (JSON keys)

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
        return {"format": SNAPSHOT_FORMAT, **asdict(self)}

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
        )


def live_catalogue() -> Catalogue:
    """The catalogue as it stands in the database, in five queries."""
    sections, titles = question_sections()
    weights: dict[int, dict[str, int]] = {}
    for question_id, role_code, weight in QuestionWeight.objects.values_list(
        "question_id", "role__code", "weight"
    ):
        weights.setdefault(question_id, {})[role_code] = weight
    questions: dict[int, list[CatalogueQuestion]] = {}
    for q in Question.objects.order_by("principle__order", "order", "code"):
        questions.setdefault(q.principle_id, []).append(
            CatalogueQuestion(
                id=q.pk,
                code=q.code,
                order=q.order,
                text=q.text,
                guidance=q.guidance,
                evidence_expected=q.evidence_expected,
                weights=weights.get(q.pk, {}),
            )
        )
    principles = [
        CataloguePrinciple(
            numeral=p.numeral,
            order=p.order,
            title=p.title,
            text=p.text,
            commentary=p.commentary,
            source=p.source,
            wording_version=p.wording_version,
            questions=questions.get(p.pk, []),
            oecd_sections=sorted(
                {n for q in questions.get(p.pk, []) for n in sections.get(q.id, ())}
            ),
        )
        for p in Principle.objects.order_by("order")
    ]
    roles = [
        CatalogueRole(code=r.code, name=r.name, description=r.description)
        for r in LifecycleRole.objects.order_by("order")
    ]
    titles = {str(number): title for number, title in sorted(titles.items())}
    return Catalogue(principles=principles, roles=roles, section_titles=titles)
