"""Admin page for failed webhook deliveries: who sees which, replay (POST, CSRF, audited), end to end."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from discuss import jobs
from discuss.deliveries import WEBHOOK_TASK
from discuss.extensions import db
from discuss.models import DeadJob, ModeratorAction, Site, utcnow
from discuss.testing import run_jobs
from tests.reviewing import PASSWORD, add_moderator, held, holding, other_site  # noqa: F401
from tests.test_webhook import Receiver, configure

PAGE = "/moderation/admin/webhooks"


@pytest.fixture
def people(app, site, other_site):
    return {
        "mod": add_moderator("mod@council.example", password=PASSWORD),
        "site_admin": add_moderator("web@council.example", role="site_admin", password=PASSWORD),
        "admin": add_moderator("admin@discuss.example", role="admin", sites=(), password=PASSWORD),
    }


def dead_letter(site: str, url: str, error: str = "DeliveryFailed: answered 500", attempts: int = 4) -> int:
    body = json.dumps({"event": "comment.held", "comment": {"id": 7}})
    row = DeadJob(task=WEBHOOK_TASK, args=[site, "comment.held", url, body, "msg_" + site], kwargs={},
                  error=error, attempts=attempts, request_id="req-" + site, failed_at=utcnow())
    db.session.add(row)
    db.session.commit()
    return row.id


def login(client, email):
    assert client.post("/moderation/login", data={"email": email, "password": PASSWORD}).status_code == 302


def test_who_sees_which_failed_deliveries(client, people):
    ours = dead_letter("council", "https://hooks.council.example/discuss")
    theirs = dead_letter("other", "https://hooks.other.example/x", error="GiveUp: answered 302: redirects are "
                                                                         "not followed", attempts=1)
    assert client.get(PAGE).status_code == 302
    assert client.post(f"{PAGE}/{ours}/replay").status_code == 401
    login(client, "mod@council.example")
    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}/{ours}/replay").status_code == 403

    login(client, "web@council.example")
    page = client.get(PAGE).get_data(as_text=True)
    assert "https://hooks.council.example/discuss" in page and "hooks.other.example" not in page
    assert "<td>answered 500" in page and "comment.held" in page and "req-council" in page
    assert 'href="/moderation/admin/webhooks" aria-current="page"' in page  # in the nav, marked current
    assert client.post(f"{PAGE}/{theirs}/replay").status_code == 404  # not theirs: as if it did not exist
    assert client.get(PAGE + "?site=other").status_code == 404

    login(client, "admin@discuss.example")
    page = client.get(PAGE).get_data(as_text=True)
    assert "hooks.council.example" in page and "redirects are not followed" in page
    only_other = client.get(PAGE + "?site=other").get_data(as_text=True)
    assert "hooks.other.example" in only_other and "hooks.council.example" not in only_other


def test_replay_is_audited_and_delivers_again(client, people, app, site, holding):
    receiver = Receiver(statuses=[500])
    try:
        configure(site, urls=[receiver.url], retries=0)
        held(client)
        run_jobs(app)
        (dead_id,) = db.session.execute(sa.select(DeadJob.id)).scalars()
        login(client, "web@council.example")
        assert receiver.url in client.get(PAGE).get_data(as_text=True)
        response = client.post(f"{PAGE}/{dead_id}/replay")
        assert response.status_code == 303
        assert "queued again" in client.get(PAGE).get_data(as_text=True)
        assert jobs.queue_stats(app)["dead_letters"] == 0
        (entry,) = db.session.execute(sa.select(ModeratorAction).filter_by(action="webhook_replayed")).scalars()
        assert entry.moderator.email == "web@council.example" and entry.site_id == site.id
        assert entry.before == {"state": "dead", "attempts": 1, "error": "answered 500"}
        assert entry.reason == f"comment.held to {receiver.url}"
        assert client.post(f"{PAGE}/{dead_id}/replay").status_code == 404  # replayed already
        assert [r["ok"] for r in run_jobs(app)] == [True]
        assert len(receiver.requests) == 2
        assert "No failed deliveries." in client.get(PAGE).get_data(as_text=True)
    finally:
        receiver.close()


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_replay_without_a_valid_csrf_token_is_refused(client, people, app_config):
    dead_id = dead_letter("council", "https://hooks.council.example/discuss")
    page = client.get("/moderation/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/moderation/login", data={"email": "web@council.example", "password": PASSWORD,
                                                  "csrf_token": token}).status_code == 302
    for forged in ({}, {"csrf_token": "forged"}):
        assert client.post(f"{PAGE}/{dead_id}/replay", data=forged).status_code == 400
    assert db.session.get(DeadJob, dead_id) is not None
    good = re.search(r'name="csrf_token" value="([^"]+)"', client.get(PAGE).get_data(as_text=True)).group(1)
    assert client.post(f"{PAGE}/{dead_id}/replay", data={"csrf_token": good}).status_code == 303


def test_deliveries_waiting_for_a_retry_are_counted(client, people, app, site, holding):
    receiver = Receiver(statuses=[500] * 3)
    try:
        configure(site, urls=[receiver.url], retries=2, backoff=60)
        held(client)
        run_jobs(app)
        login(client, "web@council.example")
        assert "1 delivery is waiting for its next attempt." in client.get(PAGE).get_data(as_text=True)
    finally:
        receiver.close()
