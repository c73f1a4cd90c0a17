"""The catalogue in OSCAL (version ``OSCAL_VERSION``): a catalog and one profile per role.

Documents are built as plain dictionaries and validated by compliance-trestle's
models before they are written, so a document that breaks the OSCAL schema is
never handed out. Every UUID is a UUID 5 of the catalogue's natural keys, and the
last-modified time is that of the catalogue's last change, so exporting an
unchanged catalogue again gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse
from trestle.oscal import OSCAL_VERSION
from trestle.oscal.catalog import Catalog
from trestle.oscal.profile import Profile

from .catalogue import Catalogue
from .models import LifecycleRole, Principle, Question, QuestionWeight

# Namespace of the properties and parts OSCAL does not define itself.
NS = "urn:haip-self-assessment:oscal"
UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, NS)
# The Hiroshima Process International Guiding Principles were published on 30 October 2023.
PUBLISHED = datetime(2023, 10, 30, tzinfo=UTC)
CATALOG_TITLE = (
    "Hiroshima Process International Guiding Principles for All AI Actors: "
    "self-assessment catalogue"
)


class UnknownRole(Exception):
    pass


def oscal_uuid(*parts: str) -> str:
    """A stable UUID (version 5) for the thing named by ``parts``."""
    return str(uuid.uuid5(UUID_NAMESPACE, "/".join(parts)))


def control_id(code: str) -> str:
    """The OSCAL control id of a question: its code in lower case (``vii.2``)."""
    return code.lower()


def group_id(numeral: str) -> str:
    return f"principle-{numeral.lower()}"


def prop(name: str, value, *, ns: bool = True) -> dict:
    item = {"name": name, "value": str(value)}
    if ns:
        item["ns"] = NS
    return item


def one_line(text: str) -> str:
    """OSCAL titles are one line."""
    return " ".join(text.split()) or "-"


def serialize(model) -> bytes:
    """The validated model as pretty-printed OSCAL JSON (wrapped in its root key)."""
    return model.oscal_serialize_json_bytes(pretty=True) + b"\n"


def catalogue_last_modified() -> datetime:
    """When the catalogue last changed (its history), or the principles' publication."""
    dates = [
        model.history.order_by("-history_date").values_list("history_date", flat=True).first()
        for model in (Principle, Question, QuestionWeight, LifecycleRole)
    ]
    dates = [d for d in dates if d is not None]
    return max(dates).astimezone(UTC).replace(microsecond=0) if dates else PUBLISHED


def _content_version(catalogue: Catalogue) -> str:
    digest = hashlib.sha256(
        json.dumps(catalogue.to_dict(), sort_keys=True, default=str).encode()
    ).hexdigest()
    return f"catalogue-{digest[:12]}"


def _metadata(title: str, *, last_modified: datetime, version: str, props=None) -> dict:
    metadata = {
        "title": title,
        "published": PUBLISHED.isoformat(),
        "last-modified": last_modified.isoformat(),
        "version": version,
        "oscal-version": OSCAL_VERSION,
    }
    if props:
        metadata["props"] = props
    return metadata


def _control(question) -> dict:
    cid = control_id(question.code)
    parts = [{"id": f"{cid}_smt", "name": "statement", "prose": question.text}]
    if question.guidance:
        parts.append({"id": f"{cid}_gdn", "name": "guidance", "prose": question.guidance})
    if question.evidence_expected:
        parts.append(
            {
                "id": f"{cid}_asm-examine",
                "name": "assessment-method",
                "props": [prop("method", "EXAMINE", ns=False)],
                "parts": [{"name": "assessment-objects", "prose": question.evidence_expected}],
            }
        )
    return {
        "id": cid,
        "title": one_line(question.text),
        "props": [prop("label", question.code, ns=False), prop("sort-id", f"{question.order:04d}")],
        "parts": parts,
    }


def _group(principle) -> dict:
    gid = group_id(principle.numeral)
    parts = [{"id": f"{gid}_smt", "name": "statement", "prose": principle.text}]
    if principle.commentary:
        parts.append({"id": f"{gid}_gdn", "name": "guidance", "prose": principle.commentary})
    group = {
        "id": gid,
        "title": f"{principle.numeral}. {one_line(principle.title)}",
        "props": [
            prop("label", principle.numeral, ns=False),
            prop("wording-version", principle.wording_version),
            *[prop("oecd-reporting-section", number) for number in principle.oecd_sections],
            prop("source", principle.source),
        ],
        "parts": parts,
    }
    controls = [_control(q) for q in principle.questions]
    if controls:
        group["controls"] = controls
    return group


def build_catalog(catalogue: Catalogue, *, last_modified: datetime) -> Catalog:
    """The catalogue as an OSCAL catalog: principles are groups (the official text
    is their statement), questions are controls (guidance and expected evidence
    are parts)."""
    doc = {
        "uuid": oscal_uuid("catalog"),
        "metadata": _metadata(
            CATALOG_TITLE,
            last_modified=last_modified,
            version=_content_version(catalogue),
            props=[prop("role", r.code) for r in catalogue.roles] or None,
        ),
        "groups": [_group(p) for p in catalogue.principles],
    }
    return Catalog.model_validate(doc)


def catalog_url() -> str:
    return settings.SITE_URL + reverse("oscal_catalog")


def build_profile(catalogue: Catalogue, role: str, *, last_modified: datetime) -> Profile:
    """The questions that apply to ``role`` (weight above 0), each with its weight as a
    property; the profile imports the catalog from this installation."""
    found = next((r for r in catalogue.roles if r.code == role), None)
    if found is None:
        raise UnknownRole(f"No lifecycle role has the code “{role}”.")
    applicable = [q for q in catalogue.questions() if q.weights.get(role, 0) > 0]
    resource = oscal_uuid("catalog-resource")
    doc = {
        "uuid": oscal_uuid("profile", role),
        "metadata": _metadata(
            f"HAIP self-assessment profile: {found.name}",
            last_modified=last_modified,
            version=_content_version(catalogue),
            props=[prop("role", role)],
        ),
        "imports": [
            {
                "href": f"#{resource}",
                "include-controls": [{"with-ids": [control_id(q.code) for q in applicable]}],
            }
        ],
        "merge": {"as-is": True},
        "modify": {
            "alters": [
                {
                    "control-id": control_id(q.code),
                    "adds": [{"position": "ending", "props": [prop("weight", q.weights[role])]}],
                }
                for q in applicable
            ]
        },
        "back-matter": {
            "resources": [
                {
                    "uuid": resource,
                    "title": CATALOG_TITLE,
                    "rlinks": [{"href": catalog_url(), "media-type": "application/json"}],
                }
            ]
        },
    }
    if not applicable:
        raise UnknownRole(f"No question applies to the role “{role}”.")
    return Profile.model_validate(doc)


def role_codes() -> list[str]:
    return list(LifecycleRole.objects.order_by("order").values_list("code", flat=True))
