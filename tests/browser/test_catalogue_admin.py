"""Journey 3: an admin changes a principle's wording in the Django admin; its history
shows the change, an assessment approved before keeps the old wording and a new
draft shows the new one."""

from playwright.sync_api import expect

from assessments import services
from principles.models import Principle
from tests.browser.helpers import Screenshots, nav_link, sign_in

PRINCIPLE = "Content authentication and provenance"


def test_admin_changes_wording_and_approved_assessment_keeps_the_old(
    new_page, admin, approved, organization, officer
):
    shots = Screenshots("3-admin-wording")
    old_text = Principle.objects.get(numeral="VII").text
    new_text = old_text + " Provenance information should survive common transformations."

    editor = new_page()
    sign_in(editor, admin)
    nav_link(editor, "Catalogue admin").click()
    content = editor.get_by_role("main")
    content.get_by_role("link", name="Principles", exact=True).click()
    content.get_by_role("link", name=PRINCIPLE, exact=True).click()
    expect(content.get_by_label("Text:")).to_have_value(old_text)
    content.get_by_label("Text:").fill(new_text)
    shots(editor, "admin-editing")
    content.get_by_role("button", name="Save", exact=True).click()
    expect(editor.get_by_text("was changed successfully")).to_be_visible()
    principle = Principle.objects.get(numeral="VII")
    assert (principle.text, principle.wording_version) == (new_text, 2)

    content.get_by_role("link", name=PRINCIPLE, exact=True).click()
    content.get_by_role("link", name="History").click()
    expect(content.get_by_role("heading", level=1)).to_contain_text("Change history")
    rows = content.get_by_role("row")
    changed = rows.filter(has=editor.get_by_role("cell", name="Changed", exact=True))
    expect(changed).to_have_count(1)
    expect(changed).to_contain_text(new_text)
    expect(changed).to_contain_text(admin.get_username())
    expect(changed.get_by_role("cell", name="2", exact=True)).to_be_visible()
    created = rows.filter(has=editor.get_by_role("cell", name="Created", exact=True))
    expect(created).to_contain_text(old_text)
    shots(editor, "admin-history")

    # The approved assessment keeps the wording it was approved against.
    draft = services.create_assessment(
        organization=organization, title="Chat assistant 2027", scope="Next year.", by=officer
    )
    reader = new_page()
    sign_in(reader, officer)
    reader.get_by_role("link", name=approved.title, exact=True).click()
    reader.get_by_role("link", name=f"VII. {PRINCIPLE}").click()
    expect(reader.get_by_text("This assessment is approved and locked.")).to_be_visible()
    expect(reader.get_by_text(old_text, exact=True)).to_be_visible()
    expect(reader.get_by_text(new_text, exact=True)).to_have_count(0)
    expect(reader.get_by_text("Official wording, version 1")).to_be_visible()
    shots(reader, "approved-keeps-old-wording")

    # A new draft is asked against the new wording.
    nav_link(reader, "Dashboard").click()
    reader.get_by_role("link", name=draft.title, exact=True).click()
    reader.get_by_role("link", name=f"VII. {PRINCIPLE}").click()
    expect(reader.get_by_text(new_text, exact=True)).to_be_visible()
    expect(reader.get_by_text("Official wording, version 2")).to_be_visible()
    shots(reader, "draft-shows-new-wording")
