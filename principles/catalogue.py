"""An in-memory, read-only view of the catalogue.

Assessments, scoring and reports work on a ``Catalogue`` instead of querying the
models question by question: the live one costs a fixed three queries whatever
its size, and a submitted assessment keeps a frozen copy (``to_dict`` /
``from_dict``) so that later edits by admins do not change what it shows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .models import LifecycleRole, Principle, Question, QuestionWeight, ReportingSection

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
    oecd_section: int
    wording_version: int
    questions: list[CatalogueQuestion] = field(default_factory=list)

    @property
    def oecd_section_title(self) -> str:
        return ReportingSection(self.oecd_section).label


@dataclass(frozen=True)
class CatalogueRole:
    code: str
    name: str
    description: str


@dataclass(frozen=True)
class Catalogue:
    principles: list[CataloguePrinciple]
    roles: list[CatalogueRole]

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
                **{k: v for k, v in p.items() if k != "questions"},
                questions=[CatalogueQuestion(**q) for q in p["questions"]],
            )
            for p in data["principles"]
        ]
        return cls(principles=principles, roles=[CatalogueRole(**r) for r in data["roles"]])


def live_catalogue() -> Catalogue:
    """The catalogue as it stands in the database, in four queries."""
    weights: dict[int, dict[str, int]] = {}
    for question_id, role_code, weight in QuestionWeight.objects.values_list(
        "question_id", "role__code", "weight"
    ):
        weights.setdefault(question_id, {})[role_code] = weight
    # Plain rows, not model instances: the questionnaire builds this on every request.
    questions: dict[int, list[CatalogueQuestion]] = {}
    question_rows = Question.objects.order_by("principle__order", "order", "code").values_list(
        "pk", "principle_id", "code", "order", "text", "guidance", "evidence_expected"
    )
    for pk, principle_id, code, order, text, guidance, evidence_expected in question_rows:
        questions.setdefault(principle_id, []).append(
            CatalogueQuestion(
                id=pk,
                code=code,
                order=order,
                text=text,
                guidance=guidance,
                evidence_expected=evidence_expected,
                weights=weights.get(pk, {}),
            )
        )
    principle_fields = (
        "numeral", "order", "title", "text", "commentary", "source", "oecd_section",
        "wording_version",
    )  # fmt: skip
    principles = [
        CataloguePrinciple(**dict(zip(principle_fields, row[1:], strict=True)),
                           questions=questions.get(row[0], []))
        for row in Principle.objects.order_by("order").values_list("pk", *principle_fields)
    ]  # fmt: skip
    roles = [
        CatalogueRole(code=r.code, name=r.name, description=r.description)
        for r in LifecycleRole.objects.order_by("order")
    ]
    return Catalogue(principles=principles, roles=roles)
