"""Logs (discuss/logs.py): text or JSON, every record with the request id, the id echoed to clients."""

from __future__ import annotations

import json
import logging
import re

import pytest

from discuss import hookimpl, jobs, requestid
from discuss.logs import RequestIdFilter, formatter
from discuss.testing import run_jobs
from tests.conftest import make_app
from tests.helpers import THREAD_URL, post
from tests.reviewing import holding  # noqa: F401 (a fixture)
from tests.test_page_cache import listening

PROXY = {"REMOTE_ADDR": "10.0.0.5"}


@pytest.fixture
def app_config(request):
    return {"TRUSTED_PROXIES": ["10.0.0.5"], **getattr(request, "param", {})}


def json_records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_a_trusted_proxys_request_id_is_kept_and_echoed(client):
    response = client.get("/healthz", environ_base=PROXY, headers={"X-Request-Id": "proxy-id-0001"})
    assert response.headers["X-Request-Id"] == "proxy-id-0001"


def test_a_clients_own_request_id_or_an_unsafe_one_is_replaced(client):
    direct = client.get("/healthz", headers={"X-Request-Id": "client-chosen-id"})
    assert direct.headers["X-Request-Id"] != "client-chosen-id"
    assert re.fullmatch(r"[0-9a-f]{32}", direct.headers["X-Request-Id"])
    unsafe = client.get("/healthz", environ_base=PROXY, headers={"X-Request-Id": "bad id <script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", unsafe.headers["X-Request-Id"])
    assert len(unsafe.headers.getlist("X-Request-Id")) == 1


def test_every_answer_has_its_own_id_replayed_reads_too(client, site, app):
    post(client, "first")
    listening(app)
    seen = {client.get(THREAD_URL).headers["X-Request-Id"] for _ in range(4)}
    assert len(seen) == 4
    again = client.get(THREAD_URL, environ_base=PROXY, headers={"X-Request-Id": "replayed-read-01"})
    assert again.headers.getlist("X-Request-Id") == ["replayed-read-01"]


@pytest.mark.parametrize("app_config", [{"LOG_FORMAT": "json", "TRUSTED_PROXIES": ["10.0.0.5"]}], indirect=True)
def test_json_records_of_a_request_carry_its_id(client, site, pm, capsys):
    class Broken:
        @hookimpl
        def discuss_screen_comment(self, submission):
            raise RuntimeError("boom")

    pm.register(Broken(), name="broken")
    capsys.readouterr()
    response = client.post(THREAD_URL + "/comments", json={"author_name": "R", "body": "hello"},
                           environ_base=PROXY, headers={"X-Request-Id": "post-0123456789"})
    assert response.status_code == 202
    records = json_records(capsys.readouterr().err)
    failed = [r for r in records if r["message"] == "plugin broken raised while screening"]
    assert len(failed) == 1
    record = failed[0]
    assert record["request_id"] == "post-0123456789"
    assert record["level"] == "ERROR" and record["logger"] == "discuss.moderation"
    assert "RuntimeError: boom" in record["exc_info"]
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", record["time"])


@pytest.mark.parametrize("app_config", [{"LOG_FORMAT": "text"}], indirect=True)
def test_text_records_carry_the_id_in_brackets(client, capsys):
    capsys.readouterr()
    with requestid.bound("text-id-0042"):
        logging.getLogger("discuss.example").warning("something to say")
    line = [line for line in capsys.readouterr().err.splitlines() if "something to say" in line][0]
    assert re.fullmatch(r"\S+ \S+ WARNING \[text-id-0042\] discuss\.example: something to say", line)


def test_records_outside_any_request_say_so():
    record = logging.LogRecord("discuss", logging.INFO, __file__, 1, "idle", (), None)
    RequestIdFilter().filter(record)
    assert json.loads(formatter("json").format(record))["request_id"] == "-"


def test_one_handler_however_many_apps(database_url, capsys):
    for _ in range(3):
        make_app(database_url, LOG_FORMAT="json")
    capsys.readouterr()
    logging.getLogger("discuss.example").warning("once")
    assert [r["message"] for r in json_records(capsys.readouterr().err)] == ["once"]


def test_a_wrong_log_format_or_level_stops_start_up(database_url, monkeypatch):
    monkeypatch.setenv("DISCUSS_LOG_FORMAT", "xml")
    with pytest.raises(RuntimeError, match="DISCUSS_LOG_FORMAT"):
        make_app(database_url)
    monkeypatch.setenv("DISCUSS_LOG_FORMAT", "json")
    monkeypatch.setenv("DISCUSS_LOG_LEVEL", "LOUD")
    with pytest.raises(RuntimeError, match="DISCUSS_LOG_LEVEL"):
        make_app(database_url)


# -- from the POST to the job ------------------------------------------------------------

job_log = logging.getLogger("tests.announcer")


@jobs.job()
def announce(comment_id: int) -> None:
    job_log.info("announcing comment %s", comment_id)


class Announcer:
    @hookimpl
    def discuss_comment_published(self, comment):
        jobs.enqueue_after_commit(announce, comment.id)


@pytest.mark.parametrize("app_config", [{"LOG_FORMAT": "json", "TRUSTED_PROXIES": ["10.0.0.5"]}], indirect=True)
def test_one_request_id_from_the_post_to_the_job_it_caused(client, site, pm, app, capsys):
    pm.register(Announcer(), name="announcer")
    response = client.post(THREAD_URL + "/comments", json={"author_name": "R", "body": "a kind word"},
                           environ_base=PROXY, headers={"X-Request-Id": "from-the-proxy-77"})
    assert response.status_code == 201
    comment_id = response.json["comment"]["id"]
    capsys.readouterr()
    assert [entry["ok"] for entry in run_jobs(app)] == [True]
    records = [r for r in json_records(capsys.readouterr().err) if r["logger"] == "tests.announcer"]
    assert [(r["message"], r["request_id"]) for r in records] == [(f"announcing comment {comment_id}",
                                                                   "from-the-proxy-77")]


@pytest.mark.parametrize("app_config", [{"LOG_FORMAT": "json", "TRUSTED_PROXIES": ["10.0.0.5"]}], indirect=True)
def test_a_webhook_delivery_logs_under_the_id_of_the_post_that_caused_it(client, site, app, holding, capsys):
    from tests.test_webhook import Receiver, configure

    hook = Receiver()
    try:
        configure(site, urls=[hook.url])
        response = client.post(THREAD_URL + "/comments", json={"author_name": "R", "body": "please hold this"},
                               environ_base=PROXY, headers={"X-Request-Id": "webhook-post-42"})
        assert response.status_code == 202  # held: the webhook announces comment.held
        capsys.readouterr()
        assert [entry["ok"] for entry in run_jobs(app)] == [True]
        assert len(hook.requests) == 1
    finally:
        hook.close()
    delivered = [r for r in json_records(capsys.readouterr().err) if "delivered" in r["message"]]
    assert [r["request_id"] for r in delivered] == ["webhook-post-42"]


@pytest.mark.parametrize("app_config", [{"LOG_FORMAT": "json", "TRUSTED_PROXIES": ["10.0.0.5"]}], indirect=True)
def test_a_plugins_own_records_carry_the_request_id(client, site, pm, capsys):
    from flask import has_request_context

    seen = []

    class Chatty:
        @hookimpl
        def discuss_screen_comment(self, submission):
            seen.append(has_request_context())
            logging.getLogger("tests.chatty").warning("screening %s", submission.body)

    pm.register(Chatty(), name="chatty")
    capsys.readouterr()
    client.post(THREAD_URL + "/comments", json={"author_name": "R", "body": "hi there"},
                environ_base=PROXY, headers={"X-Request-Id": "screened-0001"})
    records = [r for r in json_records(capsys.readouterr().err) if r["logger"] == "tests.chatty"]
    assert [(r["message"], r["request_id"]) for r in records] == [("screening hi there", "screened-0001")]
    assert seen == [False]  # the id crossed to the plugin's thread, the request did not
