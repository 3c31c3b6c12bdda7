"""Mail, end to end against a real SMTP server started here (aiosmtpd, tests/mailserver.py).

Every message goes through the outbox and the real job queue
(:func:`discuss.testing.run_jobs` runs what is due, through the queue's storage).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from discuss import Verdict, hookimpl
from discuss.extensions import db
from discuss.mail import outbox, tokens
from discuss.models import MailRecipient, OutboundMail, ReplySubscription, utcnow
from discuss.testing import run_jobs
from tests.helpers import THREAD_URL, post
from tests.mailserver import MailServer
from tests.reviewing import PASSWORD, add_moderator, version_of

RESIDENT = "resident@example.org"


@pytest.fixture
def smtp():
    server = MailServer().start()
    yield server
    server.stop()


@pytest.fixture
def app_config(smtp):
    return smtp.settings()


class HoldPlugin:
    """Holds replies containing "hold"; marks those with "threat" urgent, as the hate plugin marks threats."""

    @hookimpl
    def discuss_screen_comment(self, submission):
        if "threat" in submission.body:
            return Verdict.hold("a threat", category="threat", urgent=True)
        if "hold" in submission.body:
            return Verdict.hold("asked to be held")
        return None


@pytest.fixture
def holding(pm):
    pm.register(HoldPlugin(), name="holdtest")
    return pm


def opt_in(client, body="Will the bins be collected on bank holidays?", email=RESIDENT, **fields):
    response = post(client, body, author_email=email, notify_replies=True, **fields)
    assert response.status_code in (201, 202), response.json
    return response.json["comment"]["id"]


def reply(client, parent_id, body="Yes, on the Saturday after.", **fields):
    return post(client, body, parent_id=parent_id, author_name="Council officer", **fields)


def link_in(message, kind: str) -> str:
    found = re.search(rf"http://localhost(/mail/{kind}/[A-Za-z0-9_.\-]+)", message.get_content())
    assert found, message.get_content()
    return found.group(1)


def rows(**where) -> list[OutboundMail]:
    db.session.commit()
    db.session.expire_all()
    query = sa.select(OutboundMail).order_by(OutboundMail.id)
    for name, value in where.items():
        query = query.where(getattr(OutboundMail, name) == value)
    return list(db.session.execute(query).scalars())


# -- reply notifications, end to end --------------------------------------------------

def test_opt_in_confirm_notify_unsubscribe_end_to_end(client, site, app, smtp):
    parent = opt_in(client)
    run_jobs(app)
    [confirmation] = smtp.to(RESIDENT)
    assert "Confirm" in confirmation["Subject"]
    confirm = link_in(confirmation, "confirm")

    # Unconfirmed: a published reply sends nothing.
    assert reply(client, parent).status_code == 201
    run_jobs(app)
    assert len(smtp.to(RESIDENT)) == 1

    page = client.get(confirm)  # following the link changes nothing by itself (mail scanners fetch links)
    assert page.status_code == 200 and "<button" in page.get_data(as_text=True)
    assert client.post(confirm).status_code == 200
    again = client.post(confirm, headers={"Accept": "application/json"})
    assert again.status_code == 200 and again.json["outcome"] == "already confirmed"

    assert reply(client, parent, "And on Boxing Day?").status_code == 201
    run_jobs(app)
    notice = smtp.to(RESIDENT)[-1]
    assert "Council officer replied" in notice["Subject"]
    assert "> And on Boxing Day?" in notice.get_content()
    unsubscribe = link_in(notice, "unsubscribe")
    assert notice["List-Unsubscribe"] == f"<http://localhost{unsubscribe}>"
    assert notice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # RFC 8058 one-click: a bare POST, no session, no CSRF token, the mail client's body.
    mail_client = app.test_client()  # no cookies at all
    one_click = mail_client.post(unsubscribe, data="List-Unsubscribe=One-Click",
                            content_type="application/x-www-form-urlencoded")
    assert one_click.status_code == 200
    assert "unsubscribed" in one_click.get_data(as_text=True)
    replay = client.post(unsubscribe, headers={"Accept": "application/json"})
    assert replay.status_code == 200 and replay.json["outcome"] == "already unsubscribed"

    sent = len(smtp.messages)
    assert reply(client, parent, "One more thing.").status_code == 201
    run_jobs(app)
    assert len(smtp.messages) == sent
    assert db.session.execute(sa.select(sa.func.count()).select_from(ReplySubscription)).scalar_one() == 0


def test_held_reply_notifies_only_once_approved_and_never_when_rejected(client, site, app, smtp, holding):
    from discuss.decisions import decide
    from discuss.models import Moderator

    parent = opt_in(client)
    run_jobs(app)
    assert client.post(link_in(smtp.to(RESIDENT)[0], "confirm")).status_code == 200

    held_id = reply(client, parent, "Please hold this answer.").json["comment"]["id"]
    rejected_id = reply(client, parent, "Please hold this other answer.").json["comment"]["id"]
    run_jobs(app)
    assert len(smtp.to(RESIDENT)) == 1  # held: nothing yet

    moderator = add_moderator("mod@council.example", role="admin", sites=())
    host = app.extensions["discuss"]
    decide(host, rejected_id, moderator, "reject", expected_version=version_of(rejected_id), reason="Off-topic")
    run_jobs(app)
    assert len(smtp.to(RESIDENT)) == 1
    decide(host, held_id, db.session.get(Moderator, moderator.id), "approve",
           expected_version=version_of(held_id))
    run_jobs(app)
    [_, notice] = smtp.to(RESIDENT)
    assert "Please hold this answer." in notice.get_content()
    assert "other answer" not in notice.get_content()


def test_own_replies_and_a_second_opt_in_send_one_confirmation(client, site, app, smtp):
    parent = opt_in(client)
    opt_in(client, "A second question.")
    run_jobs(app)
    assert len(smtp.to(RESIDENT)) == 1  # one confirmation while its link works
    client.post(link_in(smtp.to(RESIDENT)[0], "confirm"))
    assert reply(client, parent, "Answering myself.", author_email=RESIDENT).status_code == 201
    run_jobs(app)
    assert len(smtp.to(RESIDENT)) == 1


def test_opt_in_without_an_email_names_the_field(client, site):
    response = post(client, notify_replies=True)
    assert response.status_code == 422
    assert "author_email" in response.json["errors"]


def test_rejected_replies_subscribe_no_one(client, site, app, smtp, pm):
    class Rejector:
        @hookimpl
        def discuss_screen_comment(self, submission):
            return Verdict.reject("spam")

    pm.register(Rejector(), name="rejector")
    assert post(client, author_email="victim@example.org", notify_replies=True).status_code == 422
    run_jobs(app)
    assert smtp.messages == []
    assert db.session.execute(sa.select(sa.func.count()).select_from(MailRecipient)).scalar_one() == 0


# -- links that cannot be used -----------------------------------------------------

def _recipient_link(client, app, smtp, kind="confirm") -> str:
    opt_in(client)
    run_jobs(app)
    return link_in(smtp.to(RESIDENT)[0], "confirm")


def test_forged_tampered_and_crossed_links_are_refused_naming_the_token(client, site, app, smtp):
    confirm = _recipient_link(client, app, smtp)
    token = confirm.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for url in (f"/mail/confirm/{tampered}", "/mail/confirm/not-a-token", f"/mail/unsubscribe/{token}"):
        response = client.post(url, headers={"Accept": "application/json"})
        assert response.status_code == 400, url
        assert "token" in response.json["errors"]
    page = client.get(f"/mail/unsubscribe/{tampered}", headers={"Accept": "text/html"})
    assert page.status_code == 400 and "not valid" in page.get_data(as_text=True)
    db.session.commit()
    assert db.session.execute(sa.select(MailRecipient.confirmed_at)).scalar_one() is None


def test_expired_links_are_refused(client, site, app, smtp, monkeypatch):
    opt_in(client)
    recipient = db.session.execute(sa.select(MailRecipient)).scalar_one()
    from itsdangerous import TimestampSigner

    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) - 73 * 3600)
    old = tokens.make(tokens.CONFIRM, recipient.id, recipient.email)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
    response = client.post(f"/mail/confirm/{old}", headers={"Accept": "application/json"})
    assert response.status_code == 410
    assert "expired" in response.json["errors"]["token"][0]


def test_a_confirm_link_sent_before_unsubscribing_cannot_resubscribe(client, site, app, smtp):
    parent = opt_in(client)
    run_jobs(app)
    confirm = link_in(smtp.to(RESIDENT)[0], "confirm")
    client.post(confirm)
    reply(client, parent)
    run_jobs(app)
    unsubscribe = link_in(smtp.to(RESIDENT)[-1], "unsubscribe")
    # Later than the confirm link by at least a second (the token's clock counts whole seconds).
    db.session.execute(sa.update(MailRecipient).values(confirmed_at=utcnow() - timedelta(seconds=5)))
    assert client.post(unsubscribe).status_code == 200
    db.session.execute(sa.update(MailRecipient).values(unsubscribed_at=utcnow() + timedelta(seconds=2)))
    db.session.commit()
    response = client.post(confirm, headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert "unsubscribed after this link" in response.json["message"]


# -- outages ---------------------------------------------------------------------------

def test_a_refusing_server_delays_mail_and_loses_none(client, site, app, smtp, caplog):
    smtp.refuse = "550 5.1.1 Mailbox unavailable"
    response = post(client, author_email=RESIDENT, notify_replies=True)
    assert response.status_code == 201  # the request never waits on SMTP
    ran = run_jobs(app)
    assert [entry["ok"] for entry in ran if entry["task"].endswith("mail.deliver")] == [False]
    [row] = rows(kind="confirm")
    assert (row.status, row.attempts) == ("pending", 1)
    assert "550" in row.last_error and row.last_error.startswith("refused")
    assert any("not sent, attempt 1" in r.getMessage() for r in caplog.records)
    assert smtp.messages == []

    smtp.refuse = None
    run_jobs(app, now=utcnow() + timedelta(minutes=2))  # the retry's time has come
    [row] = rows(kind="confirm")
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(smtp.to(RESIDENT)) == 1


def test_an_unreachable_server_gives_up_after_the_last_attempt_and_an_admin_sends_again(
        client, site, app, smtp):
    smtp.stop()
    assert post(client, author_email=RESIDENT, notify_replies=True).status_code == 201
    now = utcnow()
    for hours in range(0, 12):  # every retry, each due by then
        run_jobs(app, now=now + timedelta(hours=hours))
    [row] = rows(kind="confirm")
    assert (row.status, row.attempts) == ("failed", outbox.ATTEMPTS)
    assert row.last_error.startswith("unreachable")

    admin = add_moderator("admin@council.example", role="admin", sites=(), password=PASSWORD)
    client.post("/moderation/login", data={"email": admin.email, "password": PASSWORD})
    page = client.get("/moderation/admin/mail")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "unreachable" in text and RESIDENT in text

    smtp.start()
    assert client.post(f"/moderation/admin/mail/{row.id}/send").status_code == 303
    run_jobs(app)
    [row] = rows(kind="confirm")
    assert row.status == "sent"
    assert len(smtp.to(RESIDENT)) == 1


# -- moderators -----------------------------------------------------------------------

def test_urgent_holds_mail_moderators_at_once_the_rest_wait_for_the_digest(client, site, app, smtp, holding):
    mod = add_moderator("mod@council.example", password=PASSWORD)
    quiet = add_moderator("quiet@council.example", password=PASSWORD)
    from discuss.mail import moderators

    moderators.set_preference(quiet.id, "none")
    assert post(client, "Please hold this one.").status_code == 202
    assert post(client, "This is a threat to the councillor.").status_code == 202
    run_jobs(app)
    [urgent] = smtp.to(mod.email)
    assert "URGENT" in urgent["Subject"] and "threat" in urgent.get_content()
    assert smtp.to(quiet.email) == []

    run_jobs(app, periodic=True, now=utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1))
    digest = smtp.to(mod.email)[-1]
    assert "2 new comments held for review" in digest["Subject"]
    sent = len(smtp.messages)
    run_jobs(app, periodic=True, now=utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(hours=2))
    assert len(smtp.messages) == sent  # nothing new: no digest


def test_a_moderator_chooses_immediate_notices(client, site, app, smtp, holding):
    mod = add_moderator("mod@council.example", password=PASSWORD)
    client.post("/moderation/login", data={"email": mod.email, "password": PASSWORD})
    page = client.get("/moderation/mail")
    assert page.status_code == 200 and 'value="digest" checked' in page.get_data(as_text=True)
    assert client.post("/moderation/mail", data={"held": "immediate"}).status_code == 303
    assert client.post("/moderation/mail", data={"held": "weekly"}).status_code == 422
    assert post(client, "Please hold this one.").status_code == 202
    run_jobs(app)
    [notice] = smtp.to(mod.email)
    assert "Held for review" in notice["Subject"] and "/moderation/comments/" in notice.get_content()


# -- the no-JavaScript form ---------------------------------------------------------

def test_the_no_js_form_offers_the_opt_in_and_subscribes(client, site, app, smtp):
    from tests.embed_helpers import soup

    page = client.get("/embed/council/blog/post")
    form = soup(page).select_one("form.reply-form")
    assert form.select_one("input#notify_replies[type=checkbox]") is not None
    token = form.select_one("input[name=token]")["value"]
    response = client.post("/embed/council/blog/post", data={
        "token": token, "author_name": "Resident", "author_email": RESIDENT, "body": "A question.",
        "notify_replies": "1"})
    assert response.status_code == 303
    run_jobs(app)
    assert len(smtp.to(RESIDENT)) == 1


def test_mail_off_offers_nothing_and_queues_nothing(database_url, site):
    from tests.conftest import make_app

    app = make_app(database_url)
    client = app.test_client()
    with app.app_context():
        assert client.get(THREAD_URL).json["thread"]["reply_mail"] is False
        page = client.get("/embed/council/blog/post").get_data(as_text=True)
        assert "notify_replies" not in page
        assert post(client, author_email=RESIDENT, notify_replies=True).status_code == 201
        assert db.session.execute(sa.select(sa.func.count()).select_from(OutboundMail)).scalar_one() == 0
        assert db.session.execute(sa.select(sa.func.count()).select_from(MailRecipient)).scalar_one() == 0


# -- personal data --------------------------------------------------------------------

def test_export_erasure_and_retention_cover_mail(client, site, app, smtp):
    from discuss import privacy

    parent = opt_in(client)
    run_jobs(app)
    held = privacy.export(RESIDENT)["mail"]
    assert held["recipient"]["replies_followed_on_comments"] == [parent]
    assert held["recipient"]["confirmed_at"] is None
    assert [m["kind"] for m in held["messages"]] == ["confirm"]

    opt_in(client, "Another question.", email="other@example.org")
    run_jobs(app)
    done = privacy.erase(RESIDENT)
    assert done.mail_rows == 3  # recipient, subscription, message
    assert privacy.export(RESIDENT)["mail"] == {"recipient": None, "messages": []}
    assert privacy.export("other@example.org")["mail"]["recipient"] is not None

    # Retention: the other address never confirmed; its message went long ago.
    db.session.execute(sa.update(MailRecipient).values(created_at=utcnow() - timedelta(days=400),
                                                       confirm_sent_at=utcnow() - timedelta(days=400)))
    db.session.execute(sa.update(OutboundMail).values(created_at=utcnow() - timedelta(days=400)))
    db.session.commit()
    assert privacy.purge(365).mail_rows == 3
    assert privacy.purge(365).mail_rows == 0
    assert privacy.export("other@example.org")["mail"] == {"recipient": None, "messages": []}


# -- the command line and CSRF ---------------------------------------------------------

def test_send_test_and_status_commands(runner, smtp, site, client, app):
    result = runner.invoke(args=["mail", "send-test", "ops@council.example"])
    assert result.exit_code == 0, result.output
    assert smtp.to("ops@council.example")[0]["Subject"] == "discuss: test message"
    smtp.refuse = "550 5.7.1 Relaying denied"
    refused = runner.invoke(args=["mail", "send-test", "ops@council.example"])
    assert refused.exit_code == 1 and "550" in refused.output
    opt_in(client)
    run_jobs(app)
    status = runner.invoke(args=["mail", "status"])
    assert "retrying 1" in status.output and "Relaying denied" in status.output


def test_one_click_unsubscribe_needs_no_session_or_csrf_token(database_url, smtp, site, client, app):
    from tests.conftest import make_app

    parent = opt_in(client)
    run_jobs(app)
    client.post(link_in(smtp.to(RESIDENT)[0], "confirm"))
    reply(client, parent)
    run_jobs(app)
    unsubscribe = link_in(smtp.to(RESIDENT)[-1], "unsubscribe")
    guarded = make_app(database_url, **smtp.settings(), WTF_CSRF_ENABLED=True)
    response = guarded.test_client().post(unsubscribe, data="List-Unsubscribe=One-Click",
                                          content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    db.session.commit()
    assert db.session.execute(sa.select(MailRecipient.unsubscribed_at)).scalar_one() is not None


def test_mail_is_written_in_the_language_the_resident_used(client, site, app, smtp):
    response = client.post(THREAD_URL + "/comments", headers={"Accept-Language": "cy"}, json={
        "author_name": "Resident", "body": "Pryd mae'r casgliad biniau?", "author_email": RESIDENT,
        "notify_replies": True})
    assert response.status_code == 201
    run_jobs(app)
    [confirmation] = smtp.to(RESIDENT)
    assert confirmation["Subject"] == "Cadarnhewch hysbysiadau ymateb gan Test Council"
    page = client.get(link_in(confirmation, "confirm"))
    assert page.headers["Content-Language"] == "cy" and "Cadarnhau" in page.get_data(as_text=True)


def test_an_erased_address_links_to_nothing(client, site, app, smtp):
    from discuss import privacy

    opt_in(client)
    run_jobs(app)
    confirm = link_in(smtp.to(RESIDENT)[0], "confirm")
    privacy.erase(RESIDENT)
    response = client.post(confirm, headers={"Accept": "application/json"})
    assert response.status_code == 404 and "token" in response.json["errors"]


def test_a_reply_published_again_after_a_rejection_is_notified_once(client, site, app, smtp):
    from discuss.decisions import decide

    parent = opt_in(client)
    run_jobs(app)
    client.post(link_in(smtp.to(RESIDENT)[0], "confirm"))
    answer = reply(client, parent).json["comment"]["id"]
    run_jobs(app)
    assert len(smtp.to(RESIDENT)) == 2
    admin = add_moderator("admin@council.example", role="admin", sites=())
    host = app.extensions["discuss"]
    decide(host, answer, admin, "reject", expected_version=version_of(answer), reason="Off-topic")
    decide(host, answer, db.session.merge(admin), "restore", expected_version=version_of(answer))
    run_jobs(app)
    assert len(smtp.to(RESIDENT)) == 2
    assert len(rows(kind="reply")) == 1


def test_the_default_privacy_notice_names_reply_mail_when_the_service_sends_it(client, site):
    from discuss.privacy import DEFAULT_NOTICE_WITH_MAIL

    assert client.get(THREAD_URL).json["thread"]["privacy_notice"] == DEFAULT_NOTICE_WITH_MAIL
    welsh = client.get(THREAD_URL, headers={"Accept-Language": "cy"}).json["thread"]["privacy_notice"]
    assert "i anfon e-bost atoch am ymatebion" in welsh


# -- TLS -------------------------------------------------------------------------------

@pytest.fixture
def tls_smtp(tmp_path):
    import ssl

    from tests.mailserver import self_signed

    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = MailServer(tls=context).start()
    server.cert = cert
    yield server
    server.stop()


def _send_one(app, smtp_server, **settings):
    from email.message import EmailMessage

    from discuss.mail import smtp

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@council.example", "b@example.org", "TLS"
    message.set_content("hello")
    config = {**app.config, **smtp_server.settings(), **settings}
    smtp.send(message, config)


def test_starttls_sends_when_the_certificate_verifies_and_never_in_clear(app, tls_smtp, monkeypatch):
    from discuss.mail.smtp import NotSent

    with pytest.raises(NotSent) as unverified:  # a certificate nobody vouches for: nothing is sent
        _send_one(app, tls_smtp, MAIL_SECURITY="starttls")
    assert unverified.value.kind == "unreachable" and "CERTIFICATE_VERIFY_FAILED" in unverified.value.reason
    with pytest.raises(NotSent) as clear:  # the server insists on TLS: a refusal, not a hang
        _send_one(app, tls_smtp, MAIL_SECURITY="none")
    assert clear.value.kind == "refused" and clear.value.reason.startswith("530")
    assert tls_smtp.messages == []

    monkeypatch.setenv("SSL_CERT_FILE", tls_smtp.cert)  # ssl's default trust store, as an operator's CA
    _send_one(app, tls_smtp, MAIL_SECURITY="starttls")
    assert [m["Subject"] for m in tls_smtp.messages] == ["TLS"]
