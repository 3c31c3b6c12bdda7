"""The webhook plugin against a real HTTP server on 127.0.0.1, delivering through the real job queue."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from discuss import jobs
from discuss.extensions import db
from discuss.models import DeadJob, Site, utcnow
from discuss.testing import run_jobs
from discuss_builtins import webhook
from tests.reviewing import held, holding, other_site, people, published, version_of  # noqa: F401

SECRET = "s3cret-for-tests"


class Receiver:
    """An HTTP server that records POSTs and answers with the next scripted status."""

    def __init__(self, statuses=(), hold: threading.Event | None = None, location: str | None = None):
        self.location = location
        self.requests: list[dict] = []
        self.statuses = list(statuses)
        self.hold = hold
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                receiver.arrived.set()
                if receiver.hold is not None:
                    receiver.hold.wait(30)
                status = receiver.statuses.pop(0) if receiver.statuses else 204
                self.send_response(status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        if self.hold is not None:
            self.hold.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(**kwargs):
        made.append(Receiver(**kwargs))
        return made[-1]

    yield make
    for r in made:
        r.close()


def deliver_all(later: bool = False) -> list[dict]:
    """Run every delivery due (``later``: and every retry, as if an hour had passed)."""
    from flask import current_app

    return run_jobs(current_app._get_current_object(), now=utcnow() + timedelta(hours=1) if later else None)


def dead_letters() -> list[DeadJob]:
    db.session.commit()
    return list(db.session.execute(sa.select(DeadJob).order_by(DeadJob.id)).scalars())


def configure(site: Site, **settings):
    """Switch the webhook on; the test receivers listen on loopback, so allow it."""
    site.moderation = {"webhook": {"enabled": True, "secret": SECRET, "backoff": 0, "timeout": 5,
                                   "allow_private_targets": True, **settings}}
    db.session.commit()


def expected_signature(headers: dict, body: bytes, secret: str = SECRET) -> str:
    """Standard Webhooks, computed here independently of the plugin."""
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(secret.encode(), signed, hashlib.sha256).digest()).decode()


def test_a_held_comment_is_posted_signed(client, site, holding, receiver):
    hook = receiver()
    configure(site, urls=[hook.url])
    comment_id = held(client, "please hold this", page_title="Bin news")
    deliver_all()
    assert len(hook.requests) == 1
    request = hook.requests[0]
    headers = request["headers"]
    assert headers["webhook-signature"] == expected_signature(headers, request["body"])
    assert headers["webhook-id"].startswith("msg_")
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60
    assert "X-Discuss-Signature" not in headers  # replayable: no longer sent
    assert request["headers"]["X-Discuss-Event"] == "comment.held"
    assert request["headers"]["Content-Type"] == "application/json"
    payload = json.loads(request["body"])
    assert payload["event"] == "comment.held"
    assert payload["site"]["slug"] == "council"
    assert payload["comment"]["id"] == comment_id
    assert payload["comment"]["thread"]["title"] == ""  # a held reply never names its thread
    assert payload["reasons"] == ["asked to be held"]
    assert "author_email" not in payload["comment"]


def test_reported_and_decided_events(client, people, holding, receiver):
    hook = receiver()
    site = db.session.get(Site, people["models"]["mod"].sites[0].id)
    configure(site, urls=[hook.url])
    comment_id = published(client)
    client.post(f"/api/v1/comments/{comment_id}/reports", json={"reason": "spam", "note": "advert"})
    client.post(f"/api/v1/moderation/comments/{comment_id}/decision", headers=people["mod"],
                json={"action": "delete", "version": version_of(comment_id), "reason": "advert"})
    deliver_all()
    by_event = {json.loads(r["body"])["event"]: json.loads(r["body"]) for r in hook.requests}
    assert set(by_event) == {"comment.reported", "moderation.decided"}
    assert by_event["comment.reported"]["report"] == {"reason": "spam", "note": "advert"}
    assert by_event["comment.reported"]["hidden"] is False
    decided = by_event["moderation.decided"]
    assert (decided["action"], decided["reason"], decided["moderator"]) == ("delete", "advert",
                                                                           "mod@council.example")
    assert decided["comment"]["status"] == "deleted"


def test_failures_are_retried_until_success_with_the_same_delivery_id(client, site, holding, receiver):
    hook = receiver(statuses=[500, 503])
    configure(site, urls=[hook.url], retries=3)
    held(client)
    deliver_all()
    assert len(hook.requests) == 3
    assert len({r["headers"]["webhook-id"] for r in hook.requests}) == 1
    # Each attempt is signed afresh (its own timestamp), every signature valid.
    for r in hook.requests:
        assert r["headers"]["webhook-signature"] == expected_signature(r["headers"], r["body"])


def test_a_client_error_is_not_retried_and_retries_are_bounded(client, site, holding, receiver):
    refusing, failing = receiver(statuses=[400]), receiver(statuses=[500] * 10)
    configure(site, urls=[refusing.url, failing.url], retries=2)
    held(client)
    deliver_all()
    assert len(refusing.requests) == 1
    assert len(failing.requests) == 3  # the first try and two retries


def test_an_unreachable_url_does_not_disturb_the_request(client, site, holding, receiver):
    hook = receiver()
    # A closed port on loopback: connection refused, retried, then given up.
    closed = Receiver()
    closed_url = closed.url
    closed.close()
    configure(site, urls=[closed_url, hook.url], retries=1)
    assert client.post("/api/v1/sites/council/threads/blog/post/comments",
                       json={"author_name": "Resident", "body": "hold it"}).status_code == 202
    deliver_all()
    assert len(hook.requests) == 1


def test_delivery_never_runs_in_the_request(client, site, holding, receiver, app):
    hook = receiver()
    configure(site, urls=[hook.url])
    response = client.post("/api/v1/sites/council/threads/blog/post/comments",
                           json={"author_name": "Resident", "body": "hold on"})
    assert response.status_code == 202
    assert hook.requests == []  # stored for the worker, not sent
    assert jobs.queue_stats(app)["pending"] == 1
    deliver_all()
    assert len(hook.requests) == 1


def test_a_restart_loses_no_delivery(client, site, holding, receiver, database_url, app):
    """The delivery waits in the queue's storage: an app built afresh from the same settings sends it."""
    from tests.conftest import make_app

    hook = receiver()
    configure(site, urls=[hook.url])
    held(client)
    restarted = make_app(database_url, QUEUE_URL=app.config["QUEUE_URL"])
    ran = run_jobs(restarted)
    assert [entry["ok"] for entry in ran] == [True]
    assert len(hook.requests) == 1


def start_worker(app, database_url: str, *options: str):
    """``discuss worker`` in a process of its own, on this test's database and queue."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DISCUSS_DATABASE_URL": database_url, "DISCUSS_QUEUE_URL": app.config["QUEUE_URL"],
           "DISCUSS_SECRET_KEY": "worker-test-secret-key-" + "s" * 40,
           "DISCUSS_IP_HASH_KEY": "worker-test-ip-key-" + "i" * 40, "DISCUSS_LOAD_ENTRY_POINTS": "false"}
    return subprocess.Popen([sys.executable, "-c", "from discuss.cli import main; main()", "worker", *options],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.parametrize("worker_type", ["thread", "process"])
def test_discuss_worker_delivers_from_a_process_of_its_own(client, site, holding, receiver, database_url, app,
                                                          worker_type):
    import signal
    import subprocess

    hook = receiver()
    configure(site, urls=[hook.url])
    with_key = held(client)
    worker = start_worker(app, database_url, "--workers", "2", "--worker-type", worker_type)
    try:
        deadline = time.monotonic() + 60
        while not (arrived := hook.arrived.wait(0.2)) and worker.poll() is None and time.monotonic() < deadline:
            pass
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            output = worker.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            worker.kill()
            output = worker.communicate()[0]
    assert arrived, output
    assert json.loads(hook.requests[0]["body"])["comment"]["id"] == with_key
    assert jobs.queue_stats(app)["pending"] == 0


def test_a_delivery_in_flight_when_the_worker_is_terminated_is_queued_again(client, site, holding, receiver,
                                                                           database_url, app):
    import signal

    stuck = threading.Event()
    hook = receiver(hold=stuck)
    configure(site, urls=[hook.url], timeout=30)
    held(client)
    worker = start_worker(app, database_url, "--workers", "1")
    try:
        arrived = hook.arrived.wait(60)
    finally:
        worker.send_signal(signal.SIGTERM)  # a restart: the delivery is in the receiver's hands
        output = worker.communicate(timeout=30)[0]
    assert arrived, output
    with app.app_context():
        waiting = [type(task).__name__ for task in jobs.huey.pending()]
    assert "deliver" in waiting, output  # queued again, not lost (beside, perhaps, the minute's sweep)
    stuck.set()
    hook.statuses = [204]
    assert [entry["ok"] for entry in deliver_all() if entry["task"].endswith(".deliver")] == [True]
    assert len(hook.requests) == 2
    assert hook.requests[0]["headers"]["webhook-id"] == hook.requests[1]["headers"]["webhook-id"]


def test_a_receiver_that_times_out_is_retried_then_dead_lettered(client, site, holding, receiver):
    stuck = threading.Event()
    hook = receiver(hold=stuck)
    configure(site, urls=[hook.url], timeout=0.2, retries=1, backoff=30)
    comment_id = held(client)
    ran = deliver_all()
    assert [entry["ok"] for entry in ran] == [False]  # the first attempt; the retry waits 30 s
    assert dead_letters() == []
    deliver_all(later=True)
    assert len(hook.requests) == 2
    (dead,) = dead_letters()
    assert dead.attempts == 2 and dead.error == "DeliveryFailed: no answer within 0.2 s"
    assert dead.args[:3] == ["council", "comment.held", hook.url]
    assert json.loads(dead.args[3])["comment"]["id"] == comment_id


def test_a_receiver_answering_500_for_ever_is_a_dead_letter_after_the_last_retry(client, site, holding, receiver,
                                                                                    app):
    hook = receiver(statuses=[500] * 10)
    configure(site, urls=[hook.url], retries=3, backoff=2)
    held(client)
    deliver_all()
    (waiting,) = jobs.huey.scheduled()
    assert waiting.retry_delay == 4  # the first retry after 2 s, the next after 4, then 8
    deliver_all(later=True)
    assert len(hook.requests) == 4
    assert len({r["headers"]["webhook-id"] for r in hook.requests}) == 1
    (dead,) = dead_letters()
    assert (dead.attempts, dead.error) == (4, "DeliveryFailed: answered 500")
    assert jobs.queue_stats(app)["dead_letters"] == 1


def test_a_replayed_dead_letter_keeps_its_id_and_is_signed_afresh(client, site, holding, receiver):
    hook = receiver(statuses=[500])
    configure(site, urls=[hook.url], retries=0)
    held(client)
    deliver_all()
    (dead,) = dead_letters()
    from discuss.transactions import writing

    with writing():
        assert jobs.replay_dead_letter(dead.id)
    deliver_all()
    assert dead_letters() == []
    first, replayed = hook.requests
    assert first["headers"]["webhook-id"] == replayed["headers"]["webhook-id"]
    assert replayed["headers"]["webhook-signature"] == expected_signature(replayed["headers"], replayed["body"])


def test_a_rotated_secret_applies_to_deliveries_already_waiting(client, site, holding, receiver):
    hook = receiver()
    configure(site, urls=[hook.url])
    held(client)
    configure(site, urls=[hook.url], secret="the-new-secret")
    deliver_all()
    (request,) = hook.requests
    assert request["headers"]["webhook-signature"] == expected_signature(request["headers"], request["body"],
                                                                         "the-new-secret")


def test_a_url_removed_before_delivery_gets_nothing(client, site, holding, receiver):
    hook = receiver()
    configure(site, urls=[hook.url])
    held(client)
    configure(site, urls=[])
    assert [entry["ok"] for entry in deliver_all()] == [True]
    assert hook.requests == [] and dead_letters() == []


def test_nothing_is_sent_when_disabled_or_without_urls(client, site, holding, receiver):
    hook = receiver()
    site.moderation = {"webhook": {"urls": [hook.url], "allow_private_targets": True}}  # not enabled: opt-in
    db.session.commit()
    held(client)
    configure(site, urls=[])
    held(client, "hold again")
    deliver_all()
    assert hook.requests == []


def test_settings_are_validated(app):
    from discuss.plugins import PluginSettingsError, effective_settings

    info = next(i for i in app.extensions["discuss"].infos() if i.name == "webhook")
    assert effective_settings(info, None)[0] is False
    enabled, settings = effective_settings(info, {"enabled": True, "urls": ["https://hooks.example.org/x"]})
    assert enabled and settings["retries"] == 3 and settings["secret"] == ""
    assert settings["allow_private_targets"] is False
    for literal in ("http://127.0.0.1:9/x", "http://[::1]/x", "http://169.254.169.254/latest", "http://10.1.2.3/",
                    "http://[::ffff:192.168.0.1]/", "http://224.0.0.1/"):
        with pytest.raises(PluginSettingsError, match="urls"):
            effective_settings(info, {"urls": [literal]}, site_label="council")
    assert effective_settings(info, {"enabled": True, "urls": ["http://127.0.0.1:9/x"],
                                     "allow_private_targets": True})[0]
    with pytest.raises(PluginSettingsError, match="urls"):
        effective_settings(info, {"urls": ["ftp://example.org/"]}, site_label="council")
    with pytest.raises(PluginSettingsError, match="timeout"):
        effective_settings(info, {"timeout": 0}, site_label="council")


def test_the_signature_helper_follows_standard_webhooks():
    # The example of the Standard Webhooks reference libraries, with its key decoded.
    key = base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    body = b'{"test": 2432232314}'
    expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert webhook.sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == expected


def test_a_name_resolving_to_a_private_address_is_not_contacted(client, site, holding, receiver, monkeypatch):
    hook = receiver()
    port = hook.server.server_address[1]
    real = socket.getaddrinfo

    def fake_dns(host, *args, **kwargs):  # hooks.example.org: a public name, a private address
        return real("127.0.0.1" if host == "hooks.example.org" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_dns)
    configure(site, urls=[f"http://hooks.example.org:{port}/hook", f"http://localhost:{port}/hook"],
              allow_private_targets=False, retries=2)
    held(client)
    deliver_all()
    assert hook.requests == []  # refused before connecting, and not retried
    configure(site, urls=[f"http://hooks.example.org:{port}/hook"], allow_private_targets=True)
    held(client, "hold again")
    deliver_all()
    assert len(hook.requests) == 1
    assert hook.requests[0]["headers"]["Host"] == f"hooks.example.org:{port}"  # the name, not the address


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.7", "169.254.169.254", "192.168.1.1", "100.64.0.1",
                                     "224.0.0.251", "0.0.0.0", "::1", "fe80::1", "fd00::1", "ff02::1",
                                     "::ffff:127.0.0.1", "2002:a00:1::1"])
def test_every_kind_of_non_public_address_is_refused(address, monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [(socket.AF_INET6, socket.SOCK_STREAM, 6, "",
                                                                 (address, 80, 0, 0))])
    with pytest.raises(webhook.TargetRefused, match=address):
        webhook.resolve_target("hooks.example.org", 80, allow_private=False)
    assert webhook.resolve_target("hooks.example.org", 80, allow_private=True) == address


def test_a_public_address_is_allowed(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "",
                                                                 ("93.184.215.14", 443))])
    assert webhook.resolve_target("hooks.example.org", 443, allow_private=False) == "93.184.215.14"


def test_a_name_with_one_private_address_among_public_ones_is_refused(monkeypatch):
    answers = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443)),
               (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.1", 443))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: answers)
    with pytest.raises(webhook.TargetRefused):
        webhook.resolve_target("hooks.example.org", 443, allow_private=False)


def test_redirects_are_not_followed(client, site, holding, receiver):
    target = receiver()
    redirecting = receiver(statuses=[307], location=target.url)
    configure(site, urls=[redirecting.url], retries=3)
    held(client)
    deliver_all()
    assert len(redirecting.requests) == 1  # a refusal: not retried
    assert target.requests == []
    (dead,) = dead_letters()
    assert (dead.attempts, dead.error) == (1, "GiveUp: answered 307: redirects are not followed")


def test_the_secret_is_not_printed_by_the_plugins_command(app, site):
    from discuss.cli import plugins_command

    configure(site, urls=["https://hooks.example.org/x"])
    result = app.test_cli_runner().invoke(plugins_command, ["--site", "council"])
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    assert '"secret": "********"' in result.output
    configure(site, urls=["https://hooks.example.org/x"], secret="")
    result = app.test_cli_runner().invoke(plugins_command, ["--site", "council"])
    assert '"secret": ""' in result.output  # an unset secret is shown as unset


class TestQueueDown:
    """The queue's Redis stops: replies are still answered, deliveries wait in the outbox, none is lost."""

    @pytest.fixture
    def queue_redis(self, tmp_path):
        from tests.servers import PrivateRedis

        server = PrivateRedis(tmp_path).start()
        yield server
        server.stop()

    @pytest.fixture
    def app_config(self, queue_redis):
        return {"QUEUE_URL": queue_redis.url}

    def test_a_reply_during_a_queue_outage_is_answered_and_its_delivery_sent_afterwards(
            self, client, site, holding, receiver, app, queue_redis):
        hook = receiver()
        configure(site, urls=[hook.url])
        queue_redis.stop()
        response = client.post("/api/v1/sites/council/threads/blog/post/comments",
                               json={"author_name": "Resident", "body": "hold this while Redis is down"})
        assert response.status_code == 202
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json["failing"] == ["redis:QUEUE_URL"]
        queue_redis.start()
        assert jobs.queue_stats(app)["outbox"] == 1 and jobs.queue_stats(app)["pending"] == 0
        assert jobs.sweep_outbox(app, older_than=0) == 1
        assert [entry["ok"] for entry in deliver_all()] == [True]
        assert len(hook.requests) == 1
        assert json.loads(hook.requests[0]["body"])["comment"]["id"] == response.json["comment"]["id"]
        assert jobs.queue_stats(app)["outbox"] == 0
