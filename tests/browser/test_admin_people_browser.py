"""The admin area's moderators, bans and dashboard pages in real Chromium: keyboard only, axe-core clean,
and the invitation from the admin's page to the new moderator signed in.

Set ``DISCUSS_SCREENSHOT_DIR`` to keep a screenshot of each page (docs/admin-*.png come from here).
"""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from discuss.extensions import db
from discuss.decisions import decide
from discuss.models import Ban, Comment, Moderator, ModeratorAction, Site, utcnow
from tests.browser.conftest import run_axe
from tests.reviewing import PASSWORD, add_moderator, held, holding, other_site  # noqa: F401

NEW_PASSWORD = "a long new passphrase"
SHOTS = os.environ.get("DISCUSS_SCREENSHOT_DIR")


def shoot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"admin-{name}.png"), full_page=True)


@pytest.fixture
def staff(app, site, other_site):
    add_moderator("mod@council.example", password=PASSWORD)
    add_moderator("outsider@other.example", sites=("other",), password=PASSWORD)
    add_moderator("web@council.example", role="site_admin", password=PASSWORD)
    add_moderator("admin@discuss.example", role="admin", sites=(), password=PASSWORD)


def focused(page) -> str:
    return page.evaluate("""() => { const e = document.activeElement;
        return (e.labels && e.labels.length ? e.labels[0].textContent : '') + '|' + (e.textContent || '') + '|' +
               (e.getAttribute('aria-label') || '') + '|' + (e.value || ''); }""")


def tab_to(page, pattern: str, limit: int = 80) -> None:
    """Press Tab until the focused element's label, text or value matches ``pattern``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if re.search(pattern, focused(page)):
            return
    raise AssertionError(f"Tab never reached {pattern!r}")


def sign_in(page, service, email: str, password: str = PASSWORD, target: str = "/moderation/admin/") -> None:
    page.goto(f"{service}/moderation/login?next={target}")
    tab_to(page, r"^Email")
    page.keyboard.type(email)
    tab_to(page, r"^Password")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{service}{target}*")


def assert_accessible(page, axe_source) -> None:
    assert run_axe(page, axe_source) == []


def test_invitation_end_to_end_by_keyboard(browser, page, service, staff, axe_source):
    sign_in(page, service, "admin@discuss.example")
    tab_to(page, r"\|Moderators\|")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{service}/moderation/admin/moderators")
    assert page.get_by_role("heading", name="Moderators", exact=True).is_visible()
    assert_accessible(page, axe_source)
    shoot(page, "moderators")

    tab_to(page, r"^Email")
    page.keyboard.type("newbie@council.example")
    page.keyboard.press("Tab")
    page.keyboard.type("Nia Newbie")
    tab_to(page, r"Moderator \(the queue\)")   # Tab reaches the checked radio; arrows choose
    page.keyboard.press("ArrowDown")
    tab_to(page, r"Test Council \(council\)")
    page.keyboard.press("Space")
    tab_to(page, r"Create invitation link")
    page.keyboard.press("Enter")
    page.wait_for_selector("#invite-link")
    assert page.get_by_role("heading", name="Invitation ready for newbie@council.example").is_visible()
    assert_accessible(page, axe_source)
    shoot(page, "invitation")
    link = page.locator("#invite-link").input_value()
    assert link.startswith(f"{service}/moderation/admin/invites/dsi_")

    other = browser.new_context(locale="en-GB")
    invited = other.new_page()
    try:
        invited.goto(link)
        assert invited.get_by_role("heading", name="Choose your password").is_visible()
        assert_accessible(invited, axe_source)
        tab_to(invited, r"^New password")
        invited.keyboard.type("short")
        tab_to(invited, r"^The same password")
        invited.keyboard.type("short")
        invited.keyboard.press("Enter")
        invited.wait_for_selector("#password-error")
        assert_accessible(invited, axe_source)
        shoot(invited, "invite-accept")
        tab_to(invited, r"^New password")
        invited.keyboard.type(NEW_PASSWORD)
        tab_to(invited, r"^The same password")
        invited.keyboard.type(NEW_PASSWORD)
        invited.keyboard.press("Enter")
        invited.wait_for_url(f"{service}/moderation/")
        assert "Nia Newbie (site_admin)" in invited.locator(".whoami").text_content()
        # The link is spent.
        invited.goto(link)
        assert invited.get_by_role("heading", name="This invitation link cannot be used").is_visible()
        assert "used already" in invited.content()
    finally:
        other.close()

    page.goto(f"{service}/moderation/admin/moderators")
    row = page.locator("tr", has_text="newbie@council.example")
    assert "active" in row.text_content() and "site admin" in row.text_content()


def test_changing_and_disabling_an_account_by_keyboard(page, service, staff, axe_source):
    sign_in(page, service, "web@council.example")
    page.goto(f"{service}/moderation/admin/moderators")
    assert "outsider@other.example" not in page.content()
    tab_to(page, r"mod@council\.example")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Mod')")
    assert_accessible(page, axe_source)
    shoot(page, "moderator")
    tab_to(page, r"Moderator \(the queue\)")
    page.keyboard.press("ArrowDown")
    tab_to(page, r"Save role and sites")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Role and sites saved")
    tab_to(page, r"Disable mod@council")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Disabled: their sessions ended")
    assert_accessible(page, axe_source)
    db.session.commit()
    db.session.expire_all()
    changed = db.session.execute(sa.select(Moderator).filter_by(email="mod@council.example")).scalar_one()
    assert changed.role == "site_admin" and not changed.active


def test_a_site_admin_is_refused_on_another_sites_pages(page, service, staff):
    sign_in(page, service, "web@council.example")
    db.session.commit()
    outsider = db.session.execute(sa.select(Moderator.id).filter_by(email="outsider@other.example")).scalar_one()
    for url in (f"/moderation/admin/moderators/{outsider}", "/moderation/admin/bans?site=other",
                "/moderation/admin/dashboard?site=other"):
        assert page.goto(service + url).status == 404, url


@pytest.fixture
def bans(staff):
    council = db.session.execute(sa.select(Site).filter_by(slug="council")).scalar_one()
    mod = db.session.execute(sa.select(Moderator).filter_by(email="mod@council.example")).scalar_one()
    rows = [Ban(site_id=council.id, email="troll@example.org", reason="Abusive replies on the bins post",
                moderator_id=mod.id, expires_at=utcnow() + timedelta(days=7)),
            Ban(site_id=council.id, ip_hash="3f9a" * 16, reason="Spam run", moderator_id=mod.id)]
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def test_bans_by_keyboard(page, service, bans, axe_source):
    sign_in(page, service, "web@council.example")
    page.goto(f"{service}/moderation/admin/bans")
    assert page.get_by_role("heading", name=f"Ban {bans[0]}: troll@example.org active").is_visible()
    assert_accessible(page, axe_source)
    shoot(page, "bans")
    # Change the newest ban's end (the first on the page): a date in the past is refused beside the field.
    tab_to(page, r"^New end")
    page.keyboard.type("01012001")
    page.keyboard.press("Tab")
    page.keyboard.type("1000AM")
    tab_to(page, r"Change end")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#expires-{bans[1]}-error")
    assert "in the future" in page.locator(f"#expires-{bans[1]}-error").text_content()
    assert_accessible(page, axe_source)
    # Lift the other with a reason.
    tab_to(page, r"^Why lift it")  # the newest ban's
    tab_to(page, r"^Why lift it")  # the other's
    assert page.evaluate("() => document.activeElement.id") == f"lift-reason-{bans[0]}"
    page.keyboard.type("Cleared by the web team")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"text=Lifted ban {bans[0]}")
    assert f"Ban {bans[0]}:" not in page.content()
    page.goto(f"{service}/moderation/audit")
    assert "ban_lift" in page.content() and "Cleared by the web team" in page.content()


def activity(client) -> None:
    """A month of comments on the council site: published and held ones over several days, two held
    ones decided hours later, reader reports."""
    from tests.helpers import post

    now = utcnow()
    for n in range(3):
        held(client, f"please hold number {n}", ip=f"203.0.113.{n + 10}")
    published = []
    for n in range(14):
        response = post(client, f"Comment number {n} about the bins.", author_name=f"Resident {n}")
        published.append(response.json["comment"]["id"])
        db.session.execute(sa.update(Comment).where(Comment.id == published[-1])
                           .values(created_at=now - timedelta(days=n * 2 % 25, hours=n)))
    for n, reason in enumerate(("spam", "abuse", "abuse", "off-topic")):
        assert client.post(f"/api/v1/comments/{published[n]}/reports", json={"reason": reason},
                           environ_base={"REMOTE_ADDR": f"198.51.100.{n}"}).status_code in (201, 202)
    mod = db.session.execute(sa.select(Moderator).filter_by(email="mod@council.example")).scalar_one()
    host = client.application.extensions["discuss"]
    for n, (action, hours) in enumerate((("approve", 3), ("reject", 7))):
        comment_id = held(client, f"hold then {action}", ip=f"203.0.113.{n + 40}")
        version = db.session.execute(sa.select(Comment.version).where(Comment.id == comment_id)).scalar_one()
        decide(host, comment_id, mod, action, expected_version=version, reason="Off-topic")
        db.session.execute(sa.update(Comment).where(Comment.id == comment_id)
                           .values(created_at=now - timedelta(days=n + 3, hours=hours)))
        db.session.execute(sa.update(ModeratorAction).where(ModeratorAction.comment_id == comment_id)
                           .values(created_at=now - timedelta(days=n + 3)))
    db.session.commit()


def test_dashboard_reads_without_script(page, service, staff, client, holding, axe_source):
    activity(client)
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    sign_in(page, service, "admin@discuss.example")
    page.goto(f"{service}/moderation/admin/dashboard")
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    charts = page.locator("img.chart")
    assert charts.count() == 3
    for n in range(3):
        charts.nth(n).evaluate("img => img.decode()")
        assert charts.nth(n).evaluate("img => img.naturalWidth") > 0
    assert "3 waiting in the queue now" in " ".join(page.locator(".tile").all_text_contents()).replace("\n", " ")
    assert_accessible(page, axe_source)
    shoot(page, "dashboard")
    assert not [m for m in messages if "Content Security Policy" in m]
    # Choose a period from the keyboard.
    tab_to(page, r"^Period")
    page.keyboard.press("End")  # "from and to"
    tab_to(page, r"^From")
    page.keyboard.type("10052026")
    tab_to(page, r"^To")
    page.keyboard.type("01052026")
    tab_to(page, r"\|Show\|")
    page.keyboard.press("Enter")
    page.wait_for_selector("#end-error")
    assert_accessible(page, axe_source)
