"""A moderator clears the review queue in real Chromium: with the mouse, then the keyboard."""

from __future__ import annotations

import pytest

from discuss.models import PENDING, PUBLISHED, REJECTED
from tests.browser.conftest import run_axe
from tests.reviewing import PASSWORD, add_moderator, held, holding, status_of  # noqa: F401


@pytest.fixture
def queue(app, site, client, holding):
    add_moderator("mod@council.example", password=PASSWORD)
    return [held(client, f"Please hold comment number {n}", author_email=f"r{n}@example.org") for n in range(4)]


def sign_in(page, service):
    page.goto(f"{service}/moderation/")
    page.get_by_label("Email").fill("mod@council.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{service}/moderation/")


def test_clearing_the_queue_with_the_mouse(page, service, queue, axe_source):
    sign_in(page, service)
    assert page.get_by_role("heading", name="Review queue (4 waiting)").is_visible()
    first = page.locator(f"#c{queue[0]}")
    assert first.locator("mark").first.text_content() == "hold"
    assert "r0@example.org" in first.text_content()
    assert run_axe(page, axe_source) == []

    first.get_by_role("button", name="Approve").click()
    page.wait_for_selector(f"#c{queue[0]}", state="detached")
    assert f"Approved comment {queue[0]}" in page.get_by_role("status").text_content()
    second = page.locator(f"#c{queue[1]}")
    second.get_by_label(f"Reason for rejecting #{queue[1]}").select_option("Off-topic")
    second.get_by_role("button", name="Reject").click()
    page.wait_for_selector(f"#c{queue[1]}", state="detached")
    page.get_by_label(f"Select comment {queue[2]}").check()
    page.get_by_label(f"Select comment {queue[3]}").check()
    page.get_by_role("button", name="Approve selected").click()
    page.wait_for_selector("text=Nothing waiting")
    assert [status_of(i) for i in queue] == [PUBLISHED, REJECTED, PUBLISHED, PUBLISHED]

    page.get_by_role("link", name="Audit log").click()
    rows = page.locator("table.audit tbody tr")
    assert rows.count() == 4
    assert "Off-topic" in rows.nth(2).text_content()


def test_clearing_the_queue_with_the_keyboard(page, service, queue):
    sign_in(page, service)
    page.keyboard.press("j")
    assert page.locator("article.item.current").get_attribute("id") == f"c{queue[0]}"
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert page.evaluate("() => document.activeElement.id") == f"c{queue[0]}"

    page.keyboard.press("a")  # approve the first
    page.wait_for_selector(f"#c{queue[0]}", state="detached")
    # after the reload the item now in the same place is current: keep going
    assert page.locator("article.item.current").get_attribute("id") == f"c{queue[1]}"
    page.keyboard.press("r")  # reject the second with the reason chosen in its list
    page.wait_for_selector(f"#c{queue[1]}", state="detached")
    # The reloaded page's keys work once its script has marked the current item.
    assert page.locator("article.item.current").get_attribute("id") == f"c{queue[2]}"
    page.keyboard.press("x")  # select the third
    page.keyboard.press("j")
    assert page.locator("article.item.current").get_attribute("id") == f"c{queue[3]}"
    page.keyboard.press("x")  # and the fourth
    assert page.locator("input.select:checked").count() == 2
    page.get_by_role("button", name="Reject selected").click()
    page.wait_for_selector("text=Nothing waiting")
    assert [status_of(i) for i in queue] == [PUBLISHED, REJECTED, REJECTED, REJECTED]


def test_typing_in_a_field_does_not_trigger_shortcuts(page, service, queue):
    sign_in(page, service)
    page.get_by_placeholder("/blog/post").fill("a r j")
    assert page.locator("article.item.current").count() == 0
    assert status_of(queue[0]) == PENDING
