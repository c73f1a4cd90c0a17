"""Checking evidence files: size, and type by content as well as by name."""

from __future__ import annotations

import hashlib
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext, gettext_lazy

# extension -> (kind, content type)
ALLOWED = {
    "pdf": ("pdf", "application/pdf"),
    "png": ("png", "image/png"),
    "jpg": ("jpeg", "image/jpeg"),
    "jpeg": ("jpeg", "image/jpeg"),
    "txt": ("text", "text/plain"),
    "csv": ("csv", "text/csv"),
    "docx": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
ALLOWED_LABEL = gettext_lazy("PDF, PNG, JPEG, plain text, CSV, DOCX or XLSX")
FILE_NAME_MAX_CHARS = 255  # Evidence.file_name


def safe_file_name(name: str, limit: int = FILE_NAME_MAX_CHARS) -> str:
    """The uploader's file name as metadata: no folders, no control characters, at most
    ``limit`` characters with the extension kept. It never becomes a path on disk."""
    name = unicodedata.normalize("NFC", str(name)).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip() or "file"
    if len(name) <= limit:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 16:
        return name[:limit]
    return f"{stem[: limit - len(extension) - 1]}.{extension}"


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str


def _sniff(head: bytes, upload) -> set[str]:
    """The kinds the content can be, judged by its bytes."""
    if head.startswith(b"%PDF-"):
        return {"pdf"}
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return {"png"}
    if head.startswith(b"\xff\xd8\xff"):
        return {"jpeg"}
    if head.startswith(b"PK\x03\x04"):
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return set()
        kinds = set()
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            kinds.add("docx")
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            kinds.add("xlsx")
        return kinds
    return {"text", "csv"} if _is_text(upload) else set()


def _is_text(upload) -> bool:
    upload.seek(0)
    data = upload.read()
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\r\n\t")
    return printable >= 0.95 * len(text) if text else True


def check_evidence_file(upload) -> CheckedFile:
    """Validate an uploaded file; raise ValidationError with a message for the user."""
    limit = settings.EVIDENCE_MAX_BYTES
    shown = safe_file_name(upload.name, 80)
    if upload.size > limit:
        raise ValidationError(
            gettext("“%(name)s” is %(size)s; evidence files may be at most %(limit)s.")
            % {"name": shown, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(gettext("“%(name)s” is empty.") % {"name": shown}, code="empty")
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in ALLOWED:
        raise ValidationError(
            gettext("“%(name)s” is not an accepted type; upload %(types)s.")
            % {"name": shown, "types": ALLOWED_LABEL},
            code="type",
        )
    kind, content_type = ALLOWED[extension]
    upload.seek(0)
    head = upload.read(8)
    if kind not in _sniff(head, upload):
        raise ValidationError(
            gettext(
                "The content of “%(name)s” is not a %(type)s file; upload %(types)s whose "
                "content matches its name."
            )
            % {"name": shown, "type": extension.upper(), "types": ALLOWED_LABEL},
            code="content",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(
        name=safe_file_name(upload.name),
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
    )
