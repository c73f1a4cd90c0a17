"""Answers as data: rows written to and read from CSV, XLSX and YAML files.

Pure functions over ``AnswerRow``s, no database: ``answer_import`` builds the
rows of an assessment and decides what an imported file would change. Reading
is defensive, since the file comes from outside: its size is bounded, an XLSX
archive is refused before loading when it would unpack to too much, YAML is
read with ``safe_load`` and refused when it uses aliases.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

import yaml
from django.conf import settings
from django.template.defaultfilters import filesizeformat

FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "yaml": "application/yaml",
}
COLUMNS = [
    "code",
    "principle",
    "question",
    "level",
    "explanation",
    "evidence_links",
    "evidence_files",
]
REQUIRED_COLUMNS = ["code", "level", "explanation", "evidence_links"]
YAML_FORMAT = "haip-answers/1"
NOT_APPLICABLE = "N/A"
# A spreadsheet runs a cell that starts with one of these as a formula (or, for
# ";", splits it in some locales); such cells get a leading apostrophe, and so
# do cells that start with an apostrophe, so that reading strips exactly one.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", ";")
ESCAPED_PREFIXES = (*FORMULA_PREFIXES, "'")
XLSX_MAX_MEMBERS = 1000
# libyaml's parser when installed (several times faster); the same safe constructors.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class AnswersFileError(Exception):
    """The file cannot be read as answers; the message says why, for the user."""


@dataclass(frozen=True)
class Link:
    url: str
    description: str


@dataclass(frozen=True)
class FileRef:
    name: str
    sha256: str


@dataclass
class AnswerRow:
    """One answer as a file holds it; ``level`` is text: "0"–"4", "N/A" or ""."""

    code: str
    principle: str = ""
    question: str = ""
    level: str = ""
    explanation: str = ""
    links: list[Link] = field(default_factory=list)
    files: list[FileRef] = field(default_factory=list)
    line: int = 0  # where an imported row came from (spreadsheet row, YAML item)
    problems: list[str] = field(default_factory=list)  # what could not be read

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "principle": self.principle,
            "question": self.question,
            "level": self.level,
            "explanation": self.explanation,
            "links": [[link.url, link.description] for link in self.links],
            "files": [[f.name, f.sha256] for f in self.files],
            "line": self.line,
            "problems": self.problems,
        }

    @classmethod
    def from_dict(cls, data: dict) -> AnswerRow:
        return cls(
            **{k: data[k] for k in ("code", "principle", "question", "level", "explanation")},
            links=[Link(url, description) for url, description in data["links"]],
            files=[FileRef(name, sha256) for name, sha256 in data["files"]],
            line=data["line"],
            problems=list(data["problems"]),
        )


# --- writing -------------------------------------------------------------------


def _links_text(links: list[Link]) -> str:
    return "\n".join(f"{link.url} {link.description}".strip() for link in links)


def _files_text(files: list[FileRef]) -> str:
    return "\n".join(f"{f.sha256} {f.name}" for f in files)


def _cells(row: AnswerRow) -> list[str]:
    return [
        row.code,
        row.principle,
        row.question,
        row.level,
        row.explanation,
        _links_text(row.links),
        _files_text(row.files),
    ]


def _formula_safe(value: str) -> str:
    return f"'{value}" if value.startswith(ESCAPED_PREFIXES) else value


def render_csv(rows: list[AnswerRow]) -> bytes:
    """UTF-8 with a BOM (spreadsheets then read it as UTF-8), every cell quoted and
    formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_formula_safe(cell) for cell in _cells(row)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def render_xlsx(rows: list[AnswerRow]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "answers"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, row in enumerate(rows, start=2):
        for column, value in enumerate(_cells(row), start=1):
            cell = sheet.cell(row=index, column=column)
            cell.value = value
            # Text stays text: without this a cell starting with "=" is stored as a formula.
            cell.data_type = "s"
            cell.alignment = wrap
    for letter, width in zip("ABCDEFG", (10, 9, 50, 8, 60, 50, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render_yaml(rows: list[AnswerRow], *, about: dict) -> bytes:
    answers = []
    for row in rows:
        item = {
            "code": row.code,
            "principle": row.principle,
            "question": row.question,
            "level": None if row.level == "" else _yaml_level(row.level),
            "explanation": row.explanation,
            "evidence_links": [{"url": x.url, "description": x.description} for x in row.links],
            "evidence_files": [{"name": f.name, "sha256": f.sha256} for f in row.files],
        }
        answers.append(item)
    doc = {"format": YAML_FORMAT, "assessment": about, "answers": answers}
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100).encode("utf-8")


def _yaml_level(level: str):
    return int(level) if level.isdigit() else level


def render(rows: list[AnswerRow], *, fmt: str, about: dict) -> bytes:
    if fmt == "csv":
        return render_csv(rows)
    if fmt == "xlsx":
        return render_xlsx(rows)
    if fmt == "yaml":
        return render_yaml(rows, about=about)
    raise ValueError(f"Unknown format {fmt!r}")


# --- reading -------------------------------------------------------------------


def format_of(name: str) -> str:
    """The format a file name says it has; AnswersFileError when it is none of ours."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix == "yml":
        suffix = "yaml"
    if suffix not in FORMATS:
        raise AnswersFileError(
            "Upload a .csv, .xlsx or .yaml file (as the answer exports are); "
            f"“{name}” is none of these."
        )
    return suffix


def read_answers(*, name: str, content: bytes) -> list[AnswerRow]:
    """The rows of an uploaded answers file, or AnswersFileError saying why not."""
    fmt = format_of(name)
    limit = settings.ANSWERS_IMPORT_MAX_BYTES
    if len(content) > limit:
        raise AnswersFileError(
            f"An answers file may be at most {filesizeformat(limit)} ({limit:,} bytes); "
            f"this one has {len(content):,} bytes."
        )
    if fmt == "csv":
        rows = _read_csv(content)
    elif fmt == "xlsx":
        rows = _read_xlsx(content)
    else:
        rows = _read_yaml(content)
    if len(rows) > settings.ANSWERS_IMPORT_MAX_ROWS:
        raise AnswersFileError(
            f"An answers file may hold at most {settings.ANSWERS_IMPORT_MAX_ROWS:,} rows; "
            f"this one has {len(rows):,}."
        )
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _unescape(value: str) -> str:
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(ESCAPED_PREFIXES):
        return value[1:]
    return value


def _parse_links(text: str, problems: list[str]) -> list[Link]:
    links = []
    for line in text.splitlines():
        parts = line.strip().split(maxsplit=1)
        if not parts:
            continue
        url = parts[0]
        if not re.match(r"^https?://", url, re.IGNORECASE):
            problems.append(f"An evidence link must start with http:// or https://: “{line}”.")
            continue
        links.append(Link(url, parts[1].strip() if len(parts) > 1 else ""))
    return links


def _parse_files(text: str) -> list[FileRef]:
    files = []
    for line in text.splitlines():
        parts = line.strip().split(maxsplit=1)
        if parts:
            files.append(FileRef(parts[1] if len(parts) > 1 else "", parts[0].lower()))
    return files


def _table_rows(header: list[str], records, *, unescape: bool) -> list[AnswerRow]:
    names = [_text(h).strip().lower() for h in header]
    missing = [column for column in REQUIRED_COLUMNS if column not in names]
    if missing:
        raise AnswersFileError(
            f"The first row must name the columns; missing: {', '.join(missing)} "
            f"(expected {', '.join(COLUMNS)})."
        )
    rows = []
    for line, record in records:
        values = {}
        for index, column in enumerate(names):
            value = _text(record[index]) if index < len(record) else ""
            values[column] = _unescape(value) if unescape else value
        if not any(v.strip() for v in values.values()):
            continue  # a blank line
        problems: list[str] = []
        rows.append(
            AnswerRow(
                code=values.get("code", "").strip(),
                principle=values.get("principle", "").strip(),
                question=values.get("question", ""),
                level=values.get("level", "").strip(),
                explanation=values.get("explanation", ""),
                links=_parse_links(values.get("evidence_links", ""), problems),
                files=_parse_files(values.get("evidence_files", "")),
                line=line,
                problems=problems,
            )
        )
        if len(rows) > settings.ANSWERS_IMPORT_MAX_ROWS:
            break
    return rows


def _read_csv(content: bytes) -> list[AnswerRow]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnswersFileError("The CSV file is not UTF-8 text; save it as UTF-8.") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise AnswersFileError("The CSV file is empty.")
        records = [(reader.line_num, record) for record in reader]
    except csv.Error as exc:
        raise AnswersFileError(f"The CSV file cannot be read: {exc}.") from exc
    return _table_rows(header, records, unescape=True)


def _read_xlsx(content: bytes) -> list[AnswerRow]:
    from openpyxl import load_workbook

    buffer = io.BytesIO(content)
    try:
        with zipfile.ZipFile(buffer) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise AnswersFileError("The file is not an XLSX workbook.") from exc
    # Refused before anything is unpacked: a small archive can unpack to gigabytes.
    unpacked = sum(member.file_size for member in members)
    limit = settings.ANSWERS_IMPORT_MAX_UNPACKED_BYTES
    if len(members) > XLSX_MAX_MEMBERS or unpacked > limit:
        raise AnswersFileError(
            f"The workbook would unpack to {unpacked:,} bytes in {len(members)} parts; at most "
            f"{filesizeformat(limit)} ({limit:,} bytes) are accepted."
        )
    try:
        book = load_workbook(buffer, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise AnswersFileError("The XLSX workbook cannot be read.") from exc
    try:
        sheet = book.worksheets[0]
        records = sheet.iter_rows(values_only=True)
        header = next(records, None)
        if header is None:
            raise AnswersFileError("The workbook's first sheet is empty.")
        numbered = []
        for line, record in enumerate(records, start=2):
            numbered.append((line, record))
            if len(numbered) > settings.ANSWERS_IMPORT_MAX_ROWS + 1000:
                break  # blank lines included; read_answers reports the count
        return _table_rows(list(header), numbered, unescape=False)
    finally:
        book.close()


def _read_yaml(content: bytes) -> list[AnswerRow]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnswersFileError("The YAML file is not UTF-8 text.") from exc
    try:
        # Aliases let a few lines expand to millions of nodes; answers never need them.
        for event in yaml.parse(text, Loader=YAML_LOADER):
            if isinstance(event, yaml.AliasEvent):
                raise AnswersFileError(
                    "The YAML file uses aliases (*name); write every answer out in full."
                )
        doc = yaml.load(text, Loader=YAML_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        raise AnswersFileError(f"The YAML file cannot be read: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("answers"), list):
        raise AnswersFileError("The YAML file must have a list of answers under “answers:”.")
    rows = []
    for number, item in enumerate(doc["answers"], start=1):
        if not isinstance(item, dict):
            rows.append(AnswerRow(code="", line=number, problems=["This item is not a mapping."]))
            continue
        problems: list[str] = []
        rows.append(
            AnswerRow(
                code=_text(item.get("code")).strip(),
                principle=_text(item.get("principle")).strip(),
                question=_text(item.get("question")),
                level=_text(item.get("level")).strip(),
                explanation=_text(item.get("explanation")),
                links=_yaml_links(item.get("evidence_links"), problems),
                files=_yaml_files(item.get("evidence_files"), problems),
                line=number,
                problems=problems,
            )
        )
    return rows


def _yaml_links(value, problems: list[str]) -> list[Link]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        problems.append("evidence_links must be a list of {url, description}.")
        return []
    links = []
    for v in value:
        url, description = _text(v.get("url")).strip(), _text(v.get("description")).strip()
        if not re.match(r"^https?://", url, re.IGNORECASE):
            problems.append(f"An evidence link must start with http:// or https://: “{url}”.")
            continue
        links.append(Link(url, description))
    return links


def _yaml_files(value, problems: list[str]) -> list[FileRef]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        problems.append("evidence_files must be a list of {name, sha256}.")
        return []
    return [FileRef(_text(v.get("name")), _text(v.get("sha256")).lower()) for v in value]
