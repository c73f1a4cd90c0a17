"""The HAIP report draft as Markdown and as DOCX (python-docx): plain functions, data in,
text or bytes out. Both hold the edited narrative of each item, or the generated one."""

from __future__ import annotations

import io
import re

from django.utils.translation import gettext as _


def not_covered_text() -> str:
    return _(
        "Not covered by this assessment: no question that applies to the declared "
        "lifecycle roles feeds this item. Answer it directly in the OECD form."
    )


def _period(draft: dict) -> str:
    start, end = draft["period_start"], draft["period_end"]
    if not start and not end:
        return _("not stated")
    return f"{start.isoformat() if start else '…'} – {end.isoformat() if end else '…'}"


# Characters XML 1.0 cannot hold (python-docx refuses them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: str) -> str:
    return _NOT_XML.sub("", text or "")


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-!|])")


def _md(text: str) -> str:
    """Escape Markdown so that answers cannot inject markup, links or HTML."""
    return _MD_SPECIAL.sub(r"\\\1", text or "")


def render_markdown(draft: dict) -> str:
    lines = [
        "# "
        + _md(
            _("%(organization)s: G7 Hiroshima AI Process (HAIP) Transparency Report (draft)")
            % {"organization": draft["organization"]}
        ),
        "",
        f"- **{_('Organization')}:** {_md(draft['organization'])}",
        f"- **{_('Lifecycle roles')}:** {_md(', '.join(draft['roles']))}",
        f"- **{_('Reporting period')}:** {_period(draft)}",
        f"- **{_('Drafted from assessment')}:** {_md(draft['assessment'])} "
        f"({_md(draft['report_id'])}, {_md(draft['status'])})",
        "",
        _md(
            _(
                "A draft prepared from a self-assessment; item titles paraphrase the OECD "
                "reporting framework's items. Check every answer before submitting it."
            )
        ),
        "",
    ]
    for section in draft["sections"]:
        lines += [f"## {section['number']}. {_md(section['title'])}", ""]
        for item in section["items"]:
            lines += [f"### {item['identifier']} {_md(item['title'])}", ""]
            if not item["covered"]:
                lines += [f"*{_md(not_covered_text())}*", ""]
            else:
                lines += [_md(p) for p in item["text"].split("\n")] + [""]
            for answer in item["answers"]:
                evidence = "; ".join(
                    _md(e["description"]) + (f" <{e['url']}>" if e["url"] else "")
                    for e in answer["evidence"]
                )
                line = f"- {answer['code']}: {_md(answer['label'])}"
                if evidence:
                    line += f". {_('Evidence')}: {evidence}"
                lines.append(line)
            if item["answers"]:
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_docx(draft: dict) -> bytes:
    from docx import Document

    document = Document()
    document.core_properties.title = _("HAIP Transparency Report (draft)")
    document.add_heading(
        _("%(organization)s: G7 Hiroshima AI Process (HAIP) Transparency Report (draft)")
        % {"organization": _x(draft["organization"])},
        level=0,
    )
    profile = document.add_table(rows=0, cols=2)
    for label, value in [
        (_("Organization"), draft["organization"]),
        (_("Lifecycle roles"), ", ".join(draft["roles"])),
        (_("Reporting period"), _period(draft)),
        (_("Drafted from assessment"), f"{draft['assessment']} ({draft['report_id']})"),
    ]:
        cells = profile.add_row().cells
        cells[0].text, cells[1].text = label, _x(value)
    for section in draft["sections"]:
        document.add_heading(_x(f"{section['number']}. {section['title']}"), level=1)
        for item in section["items"]:
            document.add_heading(f"{item['identifier']} {item['title']}", level=2)
            if not item["covered"]:
                document.add_paragraph().add_run(not_covered_text()).italic = True
            else:
                for paragraph in item["text"].split("\n\n"):
                    document.add_paragraph(_x(paragraph))
            for answer in item["answers"]:
                text = f"{answer['code']}: {answer['label']}"
                evidence = "; ".join(
                    e["description"] + (f" ({e['url']})" if e["url"] else "")
                    for e in answer["evidence"]
                )
                if evidence:
                    text += f". {_('Evidence')}: {evidence}"
                document.add_paragraph(_x(text), style="List Bullet")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
