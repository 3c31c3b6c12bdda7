"""The admin console's Webhook deliveries page in real Chromium: axe-core clean, a replay by keyboard."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from discuss import jobs
from discuss.deliveries import WEBHOOK_TASK
from discuss.extensions import db
from discuss.models import DeadJob, ModeratorAction, utcnow
from tests.browser.test_admin_people_browser import assert_accessible, shoot, sign_in, staff, tab_to  # noqa: F401
from tests.reviewing import other_site  # noqa: F401


@pytest.fixture
def dead_letters(staff):
    rows = []
    for site, url, error, attempts in [
        ("council", "https://hooks.council.example/discuss", "DeliveryFailed: answered 500", 4),
        ("council", "https://old.council.example/hook", "GiveUp: answered 301: redirects are not followed", 1),
        ("other", "https://hooks.other.example/x", "DeliveryFailed: no answer within 5 s", 4),
    ]:
        body = json.dumps({"event": "comment.held", "comment": {"id": 12}})
        rows.append(DeadJob(task=WEBHOOK_TASK, args=[site, "comment.held", url, body, f"msg_{len(rows)}"],
                            kwargs={}, error=error, attempts=attempts, request_id=f"req-{len(rows)}",
                            failed_at=utcnow()))
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def test_a_site_admin_replays_a_failed_delivery_by_keyboard(page, service, dead_letters, axe_source, service_app):
    sign_in(page, service, "web@council.example")
    page.goto(f"{service}/moderation/admin/webhooks")
    assert page.get_by_role("heading", name="Webhook deliveries").is_visible()
    assert page.get_by_role("link", name="Webhook deliveries").get_attribute("aria-current") == "page"
    content = page.content()
    assert "hooks.council.example" in content and "redirects are not followed" in content
    assert "hooks.other.example" not in content  # another council's
    assert_accessible(page, axe_source)
    shoot(page, "webhooks")
    tab_to(page, rf"Replay delivery {dead_letters[0]}")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=queued again")
    assert page.locator(f"#delivery-{dead_letters[0]}").count() == 0  # replayed: off the list
    assert page.locator(f"#delivery-{dead_letters[1]}").count() == 1
    assert_accessible(page, axe_source)
    db.session.commit()
    (entry,) = db.session.execute(sa.select(ModeratorAction).filter_by(action="webhook_replayed")).scalars()
    assert entry.reason == "comment.held to https://hooks.council.example/discuss"
    assert jobs.queue_stats(service_app)["pending"] == 1
