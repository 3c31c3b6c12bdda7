"""The widget's reply-notification opt-in in real Chromium, against a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from discuss.extensions import db
from discuss.models import ReplySubscription, Site
from discuss.testing import run_jobs
from tests.browser.conftest import LiveServer, run_axe
from tests.browser.test_widget import council_page
from tests.conftest import make_app
from tests.mailserver import MailServer


@pytest.fixture
def mail_service(app, database_url):
    """A second service on the same database, with mail on."""
    smtp = MailServer().start()
    mail_app = make_app(database_url, **smtp.settings())
    server = LiveServer(mail_app)
    yield server.url(), smtp, mail_app
    server.stop()
    smtp.stop()
    with mail_app.app_context():
        db.engine.dispose()


def test_the_widget_offers_the_opt_in_only_when_the_service_sends_mail(page, council, service, mail_service,
                                                                     axe_source):
    url, smtp, mail_app = mail_service
    db.session.add(Site(slug="council", name="Test Council", allowed_origins=[council.origin], moderation={}))
    db.session.commit()

    page.goto(council.page("/mail-off", council_page(service)))
    page.get_by_role("heading", name="0 Comments").wait_for()
    assert page.get_by_label("Email me when someone replies").is_hidden()

    page.goto(council.page("/mail-on", council_page(url)))
    page.get_by_role("heading", name="0 Comments").wait_for()
    opt_in = page.get_by_label("Email me when someone replies")
    assert opt_in.is_visible()
    page.get_by_label("Name").fill("Sam Resident")
    page.get_by_label("Email", exact=False).first.fill("sam@example.org")
    page.get_by_label("Comment").fill("When does the consultation close?")
    opt_in.check()
    assert run_axe(page, axe_source) == []
    page.get_by_role("button", name="Post Comment").click()
    page.locator(".discuss .status.ok").wait_for()

    db.session.commit()
    assert db.session.execute(sa.select(sa.func.count()).select_from(ReplySubscription)).scalar_one() == 1
    run_jobs(mail_app)
    [confirmation] = smtp.to("sam@example.org")
    path = "/mail/confirm/" + confirmation.get_content().split("/mail/confirm/", 1)[1].split()[0]
    page.goto(url + path)
    page.get_by_role("button", name="Confirm").wait_for()
    assert run_axe(page, axe_source) == []
    page.get_by_role("button", name="Confirm").click()
    page.get_by_text("Thank you: you will be emailed").wait_for()


def test_the_no_js_page_offers_the_opt_in_accessibly(page, mail_service, axe_source):
    url, _smtp, _app = mail_service
    db.session.add(Site(slug="council", name="Test Council", allowed_origins=[], moderation={}))
    db.session.commit()
    page.goto(url + "/embed/council/blog/post")
    assert page.get_by_label("Email me when someone replies").is_visible()
    assert run_axe(page, axe_source) == []
