"""Crosswalks: which requirements of other frameworks our questions support.

One YAML file per target framework under ``fixtures/mappings/``: the framework, the
list of its known requirement identifiers (so a mapping to an unknown identifier is
refused), and the mappings, each with a relationship in NIST OLIR's vocabulary and a
one-line rationale. Hooked into ``principles.framework`` like ``haip.py``: validated
with the rest (nothing written on any problem), loaded in the same transaction,
exported back. Without the directory, the crosswalks are left as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db.models import Prefetch

from .models import (
    CrosswalkMapping,
    Question,
    Relationship,
    TargetFramework,
    TargetRequirement,
    shown,
)
from .translations import (
    TARGET_FRAMEWORK_FIELDS,
    TITLE_FIELDS,
    read_translations,
    translated,
    translated_title,
)

MAPPINGS_DIR = "mappings"
RATIONALE_MAX = 300


def _text(value, where: str, name: str, problems: list[str], limit: int, required=True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        problems.append(f"{where}: '{name}' is missing or empty")
        return ""
    if len(value) > limit:
        problems.append(f"{where}: '{name}' has {len(value)} characters; at most {limit}")
    return value.strip()


def _read_file(path: Path, questions: dict, problems: list[str], codes: set) -> dict | None:
    from .haip import read_yaml

    name = f"{MAPPINGS_DIR}/{path.name}"
    data = read_yaml(path, problems)
    if data is None:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("framework"), dict):
        problems.append(f"{name}: expected a mapping with 'framework', 'requirements', 'mappings'")
        return None
    fw = data["framework"]
    code = fw.get("code")
    if (
        not isinstance(code, str)
        or not code
        or len(code) > 40
        or not code.replace("-", "").isalnum()
    ):
        problems.append(f"{name}: framework 'code' must be letters, digits and hyphens")
        return None
    if code in codes:
        problems.append(f"{name}: framework {code} is defined twice")
        return None
    codes.add(code)
    framework = {
        "name": _text(fw.get("name"), name, "name", problems, 200),
        "short_name": _text(fw.get("short_name"), name, "short_name", problems, 60),
        "version": _text(str(fw.get("version", "")), name, "version", problems, 60),
        "url": _text(fw.get("url"), name, "url", problems, 500, required=False),
        "scope_note": _text(fw.get("scope_note"), name, "scope_note", problems, 2000, False),
        "translations": read_translations(
            fw.get("translations"),
            fields=TARGET_FRAMEWORK_FIELDS,
            where=f"{name}: framework 'translations'",
            problems=problems,
        ),
    }
    requirements: dict[str, dict] = {}
    for index, req in enumerate(data.get("requirements") or [], start=1):
        where = f"{name}, requirement {index}"
        identifier = req.get("id") if isinstance(req, dict) else None
        if not isinstance(identifier, str) or not identifier.strip() or len(identifier) > 40:
            problems.append(f"{where}: 'id' must be text of at most 40 characters")
            continue
        if identifier in requirements:
            problems.append(f"{where}: duplicate requirement {identifier}")
            continue
        requirements[identifier] = {
            "order": index,
            "title": _text(req.get("title"), where, "title", problems, 200),
            "translations": read_translations(
                req.get("translations"),
                fields=TITLE_FIELDS,
                where=f"{where}: 'translations'",
                problems=problems,
            ),
        }
    if not requirements:
        problems.append(f"{name}: no requirements listed")
    mappings: dict[tuple[str, str], dict] = {}
    relationships = set(Relationship.values)
    for index, mapping in enumerate(data.get("mappings") or [], start=1):
        where = f"{name}, mapping {index}"
        if not isinstance(mapping, dict):
            problems.append(f"{where}: expected a mapping")
            continue
        question, target = mapping.get("question"), mapping.get("target")
        relationship = mapping.get("relationship")
        bad = False
        if question not in questions:
            problems.append(f"{where}: unknown question code {shown(question)}")
            bad = True
        if target not in requirements:
            problems.append(
                f"{where}: unknown {framework['short_name'] or code} identifier {shown(target)} "
                "(not in this file's requirements)"
            )
            bad = True
        if relationship not in relationships:
            problems.append(
                f"{where}: relationship {shown(relationship)} is not one of "
                f"{', '.join(Relationship.values)}"
            )
            bad = True
        rationale = _text(mapping.get("rationale"), where, "rationale", problems, RATIONALE_MAX)
        if bad:
            continue
        if (question, target) in mappings:
            problems.append(f"{where}: {question} is mapped to {target} twice")
            continue
        mappings[(question, target)] = {"relationship": relationship, "rationale": rationale}
    return {
        "code": code,
        "framework": framework,
        "requirements": requirements,
        "mappings": mappings,
    }


def read_crosswalks(directory: Path, questions: dict, problems: list[str]) -> list | None:
    """The validated mapping sets (None when there is no mappings directory)."""
    folder = Path(directory) / MAPPINGS_DIR
    if not folder.is_dir():
        return None
    codes: set[str] = set()
    sets = []
    for path in sorted(folder.glob("*.yaml")):
        read = _read_file(path, questions, problems, codes)
        if read is not None:
            sets.append(read)
    return sets


def load_crosswalks(sets: list | None, result) -> None:
    """Write the mapping sets; frameworks, requirements and mappings not in the files go."""
    if sets is None:
        return
    from .framework import _apply

    question_ids = dict(Question.objects.values_list("code", "pk"))
    frameworks = {f.code: f for f in TargetFramework.objects.all()}
    for order, data in enumerate(sets, start=1):
        framework = frameworks.pop(data["code"], None) or TargetFramework(code=data["code"])
        _apply(framework, {"order": order, **data["framework"]}, result)
        requirements = {r.identifier: r for r in framework.requirements.all()}
        for identifier, values in data["requirements"].items():
            requirement = requirements.get(identifier) or TargetRequirement(
                framework=framework, identifier=identifier
            )
            requirements[identifier] = requirement
            _apply(requirement, values, result)
        stale = set(requirements) - set(data["requirements"])
        TargetRequirement.objects.filter(framework=framework, identifier__in=stale).delete()
        existing = {
            (m.question_id, m.requirement_id): m
            for m in CrosswalkMapping.objects.filter(requirement__framework=framework)
        }
        for (code, identifier), values in data["mappings"].items():
            key = (question_ids[code], requirements[identifier].pk)
            mapping = existing.pop(key, None) or CrosswalkMapping(
                question_id=key[0], requirement=requirements[identifier]
            )
            _apply(mapping, values, result)
        CrosswalkMapping.objects.filter(pk__in=[m.pk for m in existing.values()]).delete()
    TargetFramework.objects.filter(pk__in=[f.pk for f in frameworks.values()]).delete()


def export_crosswalks(directory: Path, dump) -> int:
    """Write one file per target framework; returns the number of mappings."""
    folder = Path(directory) / MAPPINGS_DIR
    count = 0
    for framework in TargetFramework.objects.prefetch_related(
        "requirements",
        Prefetch(
            "requirements__mappings",
            queryset=CrosswalkMapping.objects.select_related("question__principle").order_by(
                "question__principle__order", "question__order"
            ),
        ),
    ):
        folder.mkdir(parents=True, exist_ok=True)
        requirements = list(framework.requirements.all())
        mappings = [
            {
                "question": m.question.code,
                "target": r.identifier,
                "relationship": m.relationship,
                "rationale": m.rationale,
            }
            for r in requirements
            for m in r.mappings.all()
        ]
        count += len(mappings)
        data = {
            "framework": {
                "code": framework.code,
                "name": framework.name,
                "short_name": framework.short_name,
                "version": framework.version,
                "url": framework.url,
                "scope_note": framework.scope_note,
                **({"translations": framework.translations} if framework.translations else {}),
            },
            "requirements": [
                {
                    "id": r.identifier,
                    "title": r.title,
                    **({"translations": r.translations} if r.translations else {}),
                }
                for r in requirements
            ],
            "mappings": mappings,
        }
        header = "# Exported by manage.py export_framework: a crosswalk; see fixtures/SOURCES.\n"
        dump(folder / f"{framework.code}.yaml", header, data)
    return count


# --- reads for the questionnaire, the report and the coverage pages -------------------


@dataclass(frozen=True)
class Chip:
    framework: str  # short name
    identifier: str
    title: str
    relationship: str

    @property
    def relationship_label(self) -> str:
        return Relationship(self.relationship).label


def chips_by_question(*, codes=None) -> dict[str, list[Chip]]:
    """Question code -> the requirements it supports, in framework order (one query)."""
    chips: dict[str, list[Chip]] = {}
    mappings = CrosswalkMapping.objects.all()
    if codes is not None:
        mappings = mappings.filter(question__code__in=list(codes))
    rows = mappings.order_by("requirement__framework__order", "requirement__order").values_list(
        "question__code",
        "requirement__framework__short_name",
        "requirement__identifier",
        "requirement__title",
        "requirement__translations",
        "relationship",
    )
    for code, framework, identifier, title, translations, relationship in rows:
        title = translated_title(translations, title)
        chips.setdefault(code, []).append(Chip(framework, identifier, title, relationship))
    return chips


def frameworks_with_mappings():
    """Every target framework with its requirements and their mappings (three queries)."""
    return TargetFramework.objects.prefetch_related(
        "requirements",
        Prefetch(
            "requirements__mappings",
            queryset=CrosswalkMapping.objects.select_related("question").order_by(
                "question__principle__order", "question__order"
            ),
        ),
    )


def localized(framework: TargetFramework, name: str) -> str:
    """A target framework's name or scope note in the active language."""
    from django.utils.translation import get_language

    return translated(framework.translations, get_language(), name, getattr(framework, name))


def coverage(*, frameworks, levels: dict[str, dict]) -> list[dict]:
    """Per framework, per requirement: the mapped questions with their answers.

    ``levels`` maps a question code to ``{"level": int|None, "label": str,
    "not_applicable": bool}`` for the questions that apply to the assessment; a mapped
    question missing from it does not apply (or is not in the frozen catalogue).
    Plain data, so that the report document can hold it.
    """
    out = []
    for framework in frameworks:
        rows = []
        supported = 0
        for requirement in framework.requirements.all():
            answers = []
            for mapping in requirement.mappings.all():
                answer = levels.get(mapping.question.code)
                if answer is None:
                    continue
                answers.append(
                    {
                        "question": mapping.question.code,
                        "relationship": mapping.relationship,
                        "level": answer["level"],
                        "label": answer["label"],
                    }
                )
            if any(a["level"] for a in answers):
                supported += 1
            rows.append(
                {
                    "id": requirement.identifier,
                    "title": translated_title(requirement.translations, requirement.title),
                    "answers": answers,
                }
            )
        out.append(
            {
                "code": framework.code,
                "name": localized(framework, "name"),
                "short_name": framework.short_name,
                "version": framework.version,
                "requirements": rows,
                "mapped": sum(1 for r in rows if r["answers"]),
                "supported": supported,
                "total": len(rows),
            }
        )
    return out
