"""Reporting a comment from the page without JavaScript: the report link, its form, and what it stores."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from discuss.extensions import db
from discuss.models import PENDING, Comment, Report
from tests.embed_helpers import add_comment, make_thread, soup
from tests.reviewing import other_site  # noqa: F401  (a fixture)

PAGE = "/embed/council/blog/post"
REPORT = "/embed/council/-/report"


def _reports() -> list[Report]:
    return list(db.session.execute(sa.select(Report).order_by(Report.id)).scalars())


def _form(client, comment_id: int):
    page = soup(client.get(f"{PAGE}?report={comment_id}"))
    form = page.find("form", id="report")
    assert form is not None
    return page, {field["name"]: field.get("value", "") for field in form.find_all("input", type="hidden")}


def _thread(site):
    thread = make_thread(site)
    top = add_comment(thread, "Dave Griffin", "Very interesting video.")
    reply = add_comment(thread, "Public-i team", "Good point, Dave.", parent=top)
    held = add_comment(thread, "Someone", "held back", status=PENDING)
    return top, reply, held


def test_every_published_comment_has_a_report_link_that_opens_its_form(client, site):
    top, reply, _ = _thread(site)
    links = soup(client.get(PAGE)).select("a.report-link")
    assert [a["href"].split("#")[0].rsplit("report=", 1)[1] for a in links] == [str(top.id), str(reply.id)]
    page, hidden = _form(client, reply.id)
    assert hidden["comment"] == str(reply.id) and hidden["thread"] == "/blog/post"
    form = page.find("form", id="report")
    # Under the comment it reports, with a labelled choice of reasons and no report link of its own.
    assert form.find_parent("li", class_="comment")["id"] == f"comment-{reply.id}"
    assert [r["value"] for r in form.find_all("input", type="radio")] == [
        "spam", "abuse", "personal-data", "off-topic", "other"]
    for radio in form.find_all("input", type="radio"):
        assert form.find("label", attrs={"for": radio["id"]}).get_text().strip()
    assert page.find(id=f"comment-{reply.id}").find("a", class_="report-link") is None


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_a_report_is_stored_and_the_reader_is_thanked(client, site):
    top, _, _ = _thread(site)
    _, hidden = _form(client, top.id)
    response = client.post(REPORT, data={**hidden, "reason": "abuse", "note": "Rude to Dave."})
    assert response.status_code == 303
    assert f"reported={top.id}" in response.headers["Location"]
    [report] = _reports()
    assert (report.comment_id, report.reason, report.note) == (top.id, "abuse", "Rude to Dave.")
    thanks = soup(client.get(response.headers["Location"])).find(id="discuss-outcome")
    assert "the moderators will look at it" in thanks.get_text()


def test_the_same_reader_reporting_again_counts_once(client, site):
    top, _, _ = _thread(site)
    for _ in range(2):
        _, hidden = _form(client, top.id)
        assert client.post(REPORT, data={**hidden, "reason": "spam"}).status_code == 303
    assert len(_reports()) == 1


def test_no_reason_shows_the_form_again_naming_the_choice(client, site):
    top, _, _ = _thread(site)
    _, hidden = _form(client, top.id)
    response = client.post(REPORT, data={**hidden, "reason": "", "note": "kept"})
    assert response.status_code == 422
    page = soup(response)
    assert "Please choose what is wrong with it." in page.find(class_="error-summary").get_text()
    assert page.find("textarea", id="report-note").get_text() == "kept"
    assert _reports() == []


def test_an_overlong_note_is_refused_naming_the_note(client, site):
    top, _, _ = _thread(site)
    _, hidden = _form(client, top.id)
    response = client.post(REPORT, data={**hidden, "reason": "other", "note": "x" * 1001})
    assert response.status_code == 422
    assert "1000" in soup(response).find(id="report-note-error").get_text()
    assert _reports() == []


def test_held_unknown_and_other_sites_comments_cannot_be_reported(client, site, other_site):
    top, _, held = _thread(site)
    elsewhere = add_comment(make_thread(other_site, "/elsewhere"), "Other", "On another site.")
    _, hidden = _form(client, top.id)
    for comment in (str(held.id), str(elsewhere.id), "999999", "not a number", ""):
        response = client.post(REPORT, data={**hidden, "comment": comment, "reason": "spam"})
        assert response.status_code == 404
        assert response.get_json()["errors"]["comment"]
    assert _reports() == []


def test_a_forged_token_or_a_cross_site_post_stores_nothing(client, site):
    top, _, _ = _thread(site)
    _, hidden = _form(client, top.id)
    forged = client.post(REPORT, data={**hidden, "token": "forged", "reason": "spam"})
    assert forged.status_code == 400
    cross = client.post(REPORT, data={**hidden, "reason": "spam"}, headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403 and cross.get_json()["errors"]["origin"]
    bad_thread = client.post(REPORT, data={**hidden, "thread": "x" * 5000, "reason": "spam"})
    assert bad_thread.status_code in (404, 422)
    assert _reports() == []


def test_the_report_form_is_in_welsh_on_a_welsh_page(client, site):
    top, _, _ = _thread(site)
    page = soup(client.get(f"{PAGE}?report={top.id}&lang=cy"))
    form = page.find("form", id="report")
    welsh = client.get("/embed/i18n/cy.json").get_json()
    strings = welsh.get("strings", welsh)
    assert form.find("button").get_text() == strings["send_report"] != "Send report"
