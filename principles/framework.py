"""Reading, validating, loading and exporting the YAML framework.

The framework is three files in Django's YAML fixture format (so that
``manage.py loaddata principles roles questions`` works too):

- ``principles.yaml``: ``principles.principle`` entries;
- ``roles.yaml``: ``principles.lifecyclerole`` entries;
- ``questions.yaml``: ``principles.question`` entries, each followed by its
  ``principles.questionweight`` entries, one per role.

``load_framework`` validates all three files completely before it writes
anything, then writes in one transaction, saving only rows that differ, so that
loading the same files twice changes nothing (and records no history).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.backends.base.operations import BaseDatabaseOperations

from .models import (
    NUMERALS,
    LifecycleRole,
    Principle,
    PrincipleSource,
    Question,
    QuestionWeight,
    shown,
    validate_numeral,
    validate_question_code,
)
from .translations import PRINCIPLE_FIELDS, QUESTION_FIELDS, ROLE_FIELDS, read_translations

PRINCIPLES_FILE = "principles.yaml"
ROLES_FILE = "roles.yaml"
QUESTIONS_FILE = "questions.yaml"
FILES = (PRINCIPLES_FILE, ROLES_FILE, QUESTIONS_FILE)

PRINCIPLE_MODEL = "principles.principle"
ROLE_MODEL = "principles.lifecyclerole"
QUESTION_MODEL = "principles.question"
WEIGHT_MODEL = "principles.questionweight"


class FrameworkError(Exception):
    """The framework files are not valid; ``problems`` says where and why."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Entry:
    file: str
    index: int  # 1-based position in the file's list
    line: int | None
    model: str
    fields: dict

    def where(self) -> str:
        at = f"{self.file}, entry {self.index}"
        return f"{at} (line {self.line})" if self.line else at


@dataclass
class Framework:
    """The validated content of the three files, keyed by natural key."""

    principles: dict[str, dict] = field(default_factory=dict)
    roles: dict[str, dict] = field(default_factory=dict)
    questions: dict[str, dict] = field(default_factory=dict)
    weights: dict[tuple[str, str], int] = field(default_factory=dict)
    extras: dict = field(default_factory=dict)  # haip.yaml and mappings/, by module


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    not_in_files: list[str] = field(default_factory=list)


# --- reading ------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader without anchors and aliases, refusing duplicate keys.

    Aliases let a few kilobytes stand for gigabytes once anything walks the data
    (the "billion laughs"); the framework files have no use for them. A duplicate
    key would silently drop the first value.
    """

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(
                None,
                None,
                "anchors and aliases (&name, *name) are not allowed in framework files",
                event.start_mark,
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:
                    continue  # unhashable: the base class reports it
                if duplicate:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {shown(key)}", key_node.start_mark
                    )
        return super().construct_mapping(node, deep=deep)


def _read_entries(path: Path, problems: list[str]) -> list[Entry]:
    name = path.name
    if not path.is_file():
        problems.append(f"{name}: file not found in {path.parent}")
        return []
    size, limit = path.stat().st_size, settings.FRAMEWORK_MAX_FILE_BYTES
    if size > limit:
        problems.append(
            f"{name}: the file has {size:,} bytes; framework files may be at most "
            f"{limit:,} bytes (FRAMEWORK_MAX_FILE_BYTES)"
        )
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})")
        return []
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)[:200]
        problems.append(f"{name}{where}: malformed YAML: {problem}")
        return []
    finally:
        loader.dispose()
    if not isinstance(data, list):
        problems.append(f"{name}: expected a list of entries at the top level")
        return []
    lines = [item.start_mark.line + 1 for item in node.value] if node is not None else []
    entries = []
    for index, item in enumerate(data, start=1):
        line = lines[index - 1] if index - 1 < len(lines) else None
        where = f"{name}, entry {index}" + (f" (line {line})" if line else "")
        if not isinstance(item, dict) or not isinstance(item.get("fields"), dict):
            problems.append(f"{where}: expected a mapping with 'model' and 'fields'")
            continue
        entries.append(Entry(name, index, line, str(item.get("model", "")).lower(), item["fields"]))
    return entries


def _key(value) -> str | None:
    """A natural-key reference: ``[I]`` or ``I``."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value if isinstance(value, str) and value else None


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(entry: Entry, name: str, problems: list[str], *, required: bool = True) -> str:
    value = entry.fields.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.append(f"{entry.where()}: '{name}' must be text")
        return ""
    if required and not value.strip():
        problems.append(f"{entry.where()}: '{name}' is missing or empty")
    return value


def _check_limits(entry: Entry, model, what: str, values: dict, problems: list[str]) -> None:
    """Run the model fields' own validators (lengths, number ranges, formats) on the
    values that passed the type checks, so that the database never sees them."""
    for name, value in values.items():
        if value is None or value == "":
            continue
        field = model._meta.get_field(name)
        # The portable range of the field type (SQLite would take any 64-bit number
        # in a "small" integer column; PostgreSQL would not).
        low, high = BaseDatabaseOperations.integer_field_ranges.get(
            field.get_internal_type(), (None, None)
        )
        if low is not None and not low <= value <= high:
            problems.append(
                f"{entry.where()}: {what}: '{name}' must be a whole number from {low} to {high}"
            )
            continue
        try:
            field.run_validators(value)
        except ValidationError as error:
            problems.append(f"{entry.where()}: {what}: '{name}': {' '.join(error.messages)}")


def _translations(entry: Entry, fields: tuple[str, ...], what: str, problems: list[str]) -> dict:
    where = f"{entry.where()}: {what}: 'translations'"
    return read_translations(
        entry.fields.get("translations"), fields=fields, where=where, problems=problems
    )


def _expect_model(entry: Entry, allowed: tuple[str, ...], problems: list[str]) -> bool:
    if entry.model in allowed:
        return True
    problems.append(
        f"{entry.where()}: unexpected model '{entry.model}' (this file holds {', '.join(allowed)})"
    )
    return False


def _read_principles(entries: list[Entry], fw: Framework, problems: list[str]) -> None:
    sources = set(PrincipleSource.values)
    for entry in entries:
        if not _expect_model(entry, (PRINCIPLE_MODEL,), problems):
            continue
        f = entry.fields
        numeral = f.get("numeral")
        try:
            validate_numeral(numeral)
        except ValidationError as error:
            problems.append(f"{entry.where()}: {' '.join(error.messages)}")
            continue
        if numeral in fw.principles:
            problems.append(f"{entry.where()}: duplicate principle {numeral}")
            continue
        order = _int(f.get("order"))
        if order is None or order < 1:
            problems.append(f"{entry.where()}: principle {numeral}: 'order' must be a number")
            order = None
        if f.get("source") not in sources:
            problems.append(
                f"{entry.where()}: principle {numeral}: 'source' must be one of "
                f"{', '.join(sorted(sources))}"
            )
        version = f.get("wording_version", 1)
        if _int(version) is None or version < 1:
            problems.append(f"{entry.where()}: principle {numeral}: bad 'wording_version'")
            version = None
        values = {
            "order": order,
            "title": _text(entry, "title", problems),
            "text": _text(entry, "text", problems),
            "commentary": _text(entry, "commentary", problems, required=False),
            "source": f.get("source"),
            "wording_version": version,
        }
        _check_limits(entry, Principle, f"principle {numeral}", values, problems)
        values["translations"] = _translations(
            entry, PRINCIPLE_FIELDS, f"principle {numeral}", problems
        )
        fw.principles[numeral] = values


def _read_roles(entries: list[Entry], fw: Framework, problems: list[str]) -> None:
    for entry in entries:
        if not _expect_model(entry, (ROLE_MODEL,), problems):
            continue
        code = entry.fields.get("code")
        if not isinstance(code, str) or not code:
            problems.append(f"{entry.where()}: role without a 'code'")
            continue
        if code in fw.roles:
            problems.append(f"{entry.where()}: duplicate role {shown(code)}")
            continue
        order = _int(entry.fields.get("order"))
        if order is None:
            problems.append(f"{entry.where()}: role {shown(code)}: 'order' must be a number")
        values = {
            "order": order,
            "name": _text(entry, "name", problems),
            "description": _text(entry, "description", problems),
        }
        what = f"role {shown(code)}"
        _check_limits(entry, LifecycleRole, what, {"code": code, **values}, problems)
        values["translations"] = _translations(entry, ROLE_FIELDS, what, problems)
        fw.roles[code] = values


def _read_questions(entries: list[Entry], fw: Framework, problems: list[str]) -> None:
    question_where: dict[str, str] = {}
    orders: dict[tuple[str, int], str] = {}
    weight_entries: list[Entry] = []
    for entry in entries:
        if not _expect_model(entry, (QUESTION_MODEL, WEIGHT_MODEL), problems):
            continue
        if entry.model == WEIGHT_MODEL:
            weight_entries.append(entry)
            continue
        f = entry.fields
        code = f.get("code")
        if not isinstance(code, str) or not code:
            problems.append(f"{entry.where()}: question without a 'code'")
            continue
        principle = _key(f.get("principle"))
        try:
            validate_question_code(code, numeral=principle if principle in fw.principles else None)
        except ValidationError as error:
            problems.append(f"{entry.where()}: {' '.join(error.messages)}")
            continue
        if code in fw.questions:
            problems.append(
                f"{entry.where()}: duplicate question code {code} (first at {question_where[code]})"
            )
            continue
        if principle not in fw.principles:
            problems.append(
                f"{entry.where()}: question {code}: unknown principle {shown(principle)}"
            )
        order = _int(f.get("order"))
        if order is None or order < 1:
            problems.append(f"{entry.where()}: question {code}: 'order' must be a number")
            order = None
        elif (principle, order) in orders:
            problems.append(
                f"{entry.where()}: question {code}: order {order} already used by "
                f"{orders[(principle, order)]}"
            )
        else:
            orders[(principle, order)] = code
        question_where[code] = entry.where()
        values = {
            "order": order,
            "text": _text(entry, "text", problems),
            "guidance": _text(entry, "guidance", problems, required=False),
            "evidence_expected": _text(entry, "evidence_expected", problems, required=False),
        }
        _check_limits(entry, Question, f"question {code}", values, problems)
        values["translations"] = _translations(entry, QUESTION_FIELDS, f"question {code}", problems)
        fw.questions[code] = {"principle": principle, **values, "where": entry.where()}

    for entry in weight_entries:
        f = entry.fields
        code, role = _key(f.get("question")), _key(f.get("role"))
        if code not in fw.questions:
            problems.append(f"{entry.where()}: weight for unknown question {shown(code)}")
            continue
        if role not in fw.roles:
            problems.append(f"{entry.where()}: weight of {code} for unknown role {shown(role)}")
            continue
        if (code, role) in fw.weights:
            problems.append(f"{entry.where()}: second weight of {code} for role {role}")
            continue
        weight = _int(f.get("weight"))
        if weight is None or not 0 <= weight <= 3:
            problems.append(
                f"{entry.where()}: weight of {code} for role {role} is {shown(f.get('weight'))}; "
                "it must be a whole number from 0 to 3"
            )
            continue
        fw.weights[(code, role)] = weight

    for code, question in fw.questions.items():
        missing = [role for role in fw.roles if (code, role) not in fw.weights]
        if missing:
            problems.append(
                f"{question['where']}: question {code} has no weight for role(s) "
                f"{', '.join(missing)}"
            )


def read_framework(directory: Path) -> Framework:
    """Parse and validate the three files; raise FrameworkError listing every problem."""
    directory = Path(directory)
    problems: list[str] = []
    entries = {name: _read_entries(directory / name, problems) for name in FILES}
    fw = Framework()
    _read_principles(entries[PRINCIPLES_FILE], fw, problems)
    _read_roles(entries[ROLES_FILE], fw, problems)
    _read_questions(entries[QUESTIONS_FILE], fw, problems)
    _read_extras(directory, fw, problems)
    if not problems:
        missing = [n for n in NUMERALS if n not in fw.principles]
        if missing:
            problems.append(f"{PRINCIPLES_FILE}: principle(s) {', '.join(missing)} missing")
        if not fw.roles:
            problems.append(f"{ROLES_FILE}: no lifecycle roles")
    if problems:
        raise FrameworkError(problems)
    return fw


# --- loading ------------------------------------------------------------------


def _apply(obj, values: dict, result: LoadResult) -> None:
    """Set values on obj and save it only if something differs."""
    changed = obj.pk is None
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    if not changed:
        result.unchanged += 1
        return
    if obj.pk is None:
        result.created += 1
    else:
        result.updated += 1
    obj.save()


def load_framework(*, directory: Path) -> LoadResult:
    """Validate the framework in ``directory`` and load it in one transaction."""
    fw = read_framework(directory)
    result = LoadResult()
    try:
        with transaction.atomic():
            principles = {p.numeral: p for p in Principle.objects.all()}
            for numeral, values in fw.principles.items():
                obj = principles.get(numeral)
                if obj is None:
                    # A new row keeps the file's wording version (round trip);
                    # an existing one rises by itself when its text changes.
                    obj = principles[numeral] = Principle(
                        numeral=numeral, wording_version=values["wording_version"]
                    )
                _apply(obj, {k: v for k, v in values.items() if k != "wording_version"}, result)

            roles = {r.code: r for r in LifecycleRole.objects.all()}
            for code, values in fw.roles.items():
                obj = roles.get(code) or LifecycleRole(code=code)
                roles[code] = obj
                _apply(obj, values, result)

            questions = {q.code: q for q in Question.objects.all()}
            for code, values in fw.questions.items():
                obj = questions.get(code) or Question(code=code)
                questions[code] = obj
                fields = {k: v for k, v in values.items() if k not in ("principle", "where")}
                fields["principle_id"] = principles[values["principle"]].pk
                _apply(obj, fields, result)

            weights = {
                (w.question.code, w.role.code): w
                for w in QuestionWeight.objects.select_related("question", "role")
            }
            for (code, role), weight in fw.weights.items():
                obj = weights.get((code, role)) or QuestionWeight(
                    question=questions[code], role=roles[role]
                )
                _apply(obj, {"weight": weight}, result)
            _load_extras(fw, result)
    except DatabaseError as exc:
        raise FrameworkError([f"the database refused the framework: {exc}"]) from exc
    result.not_in_files = sorted(set(questions) - set(fw.questions))
    return result


# --- exporting ----------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)


def _dump(path: Path, header: str, entries: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as stream:
        stream.write(header)
        yaml.dump(entries, stream, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def _exported_translations(obj) -> dict:
    """A ``translations:`` field for an exported entry, left out when there is none."""
    return {"translations": obj.translations} if obj.translations else {}


def export_framework(*, directory: Path) -> dict[str, int]:
    """Write the catalogue as it stands in the database to the three files."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    principles = [
        {
            "model": PRINCIPLE_MODEL,
            "fields": {
                "numeral": p.numeral,
                "order": p.order,
                "title": p.title,
                "text": p.text,
                "commentary": p.commentary,
                "source": p.source,
                "wording_version": p.wording_version,
                **_exported_translations(p),
            },
        }
        for p in Principle.objects.order_by("order")
    ]
    roles = [
        {
            "model": ROLE_MODEL,
            "fields": {
                "code": r.code,
                "order": r.order,
                "name": r.name,
                "description": r.description,
                **_exported_translations(r),
            },
        }
        for r in LifecycleRole.objects.order_by("order")
    ]
    questions = []
    for q in Question.objects.select_related("principle").prefetch_related("weights__role"):
        questions.append(
            {
                "model": QUESTION_MODEL,
                "fields": {
                    "principle": [q.principle.numeral],
                    "code": q.code,
                    "order": q.order,
                    "text": q.text,
                    "guidance": q.guidance,
                    "evidence_expected": q.evidence_expected,
                    **_exported_translations(q),
                },
            }
        )
        for w in sorted(q.weights.all(), key=lambda w: w.role.order):
            questions.append(
                {
                    "model": WEIGHT_MODEL,
                    "fields": {"question": [q.code], "role": [w.role.code], "weight": w.weight},
                }
            )
    header = "# Exported by manage.py export_framework; load with manage.py load_framework.\n"
    _dump(directory / PRINCIPLES_FILE, header, principles)
    _dump(directory / ROLES_FILE, header, roles)
    _dump(directory / QUESTIONS_FILE, header, questions)
    counts = {"principles": len(principles), "roles": len(roles), "questions": len(questions)}
    return counts | _export_extras(directory)


# --- hooks: the OECD HAIP items (haip.py) and crosswalks (crosswalks.py) -------------


def read_mapping_file(path: Path, problems: list[str]):
    """A YAML file of another shape than fixture entries, read as safely; None on error."""
    name = path.name
    size, limit = path.stat().st_size, settings.FRAMEWORK_MAX_FILE_BYTES
    if size > limit:
        problems.append(
            f"{name}: the file has {size:,} bytes; framework files may be at most "
            f"{limit:,} bytes (FRAMEWORK_MAX_FILE_BYTES)"
        )
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})")
        return None
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)[:200]
        problems.append(f"{name}{where}: malformed YAML: {problem}")
        return None
    finally:
        loader.dispose()


def _read_extras(directory: Path, fw: Framework, problems: list[str]) -> None:
    from . import crosswalks, haip

    fw.extras["haip"] = haip.read_haip(directory, fw.questions, problems)
    fw.extras["crosswalks"] = crosswalks.read_crosswalks(directory, fw.questions, problems)


def _load_extras(fw: Framework, result: LoadResult) -> None:
    from . import crosswalks, haip

    haip.load_haip(fw.extras.get("haip"), result)
    crosswalks.load_crosswalks(fw.extras.get("crosswalks"), result)


def _export_extras(directory: Path) -> dict[str, int]:
    from . import crosswalks, haip

    return {
        "haip_items": haip.export_haip(directory, _dump),
        "mappings": crosswalks.export_crosswalks(directory, _dump),
    }
