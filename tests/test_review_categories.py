"""The queue shows what plugins say a held comment is (category, targets), urgent items first,
filters by category, and folds away the plugins that had no opinion."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from discuss import Verdict, hookimpl
from discuss.extensions import db
from discuss.models import Comment, VerdictRecord
from discuss.labels import category_of, is_urgent, labels_of
from tests.reviewing import PASSWORD, add_moderator, held, holding, other_site, people  # noqa: F401

QUEUE_API = "/api/v1/moderation/queue"
QUEUE_PAGE = "/moderation/"


class Labeller:
    """Holds by keyword with the details a hate plugin would give (no dependence on it)."""

    @hookimpl
    def discuss_screen_comment(self, submission):
        body = submission.body
        if "THREAT" in body:
            return Verdict.hold("threat to a group", category="threat", targets=["muslims"],
                                characteristics=["religion"], urgent=True, spans=[[0, 6]])
        if "VERMIN" in body:
            return Verdict.hold("dehumanising comparison", category="dehumanisation",
                                targets=["asylum seekers"], characteristics=["race"])
        if "ODD" in body:
            return Verdict.hold("odd details", category="Not A Category!", targets=[1, None, True, "x"],
                                urgent="yes")
        if "FINE" in body:
            return Verdict.publish("looked and liked it", category="threat", urgent=True)
        return None


@pytest.fixture
def labelling(pm, holding):
    pm.register(Labeller(), name="labeller")
    return pm


def api(client, people, query=""):
    response = client.get(QUEUE_API + query, headers=people["mod"])
    assert response.status_code == 200, response.json
    return response.json


def ids(page) -> list[int]:
    return [item["comment"]["id"] for item in page["items"]]


@pytest.fixture
def queue(client, people, labelling):
    """Two ordinary holds, a dehumanising one and two threats, posted in this order."""
    made = {
        "plain1": held(client, "please hold this one"),
        "threat1": held(client, "THREAT hold: they will pay"),
        "vermin": held(client, "VERMIN hold"),
        "plain2": held(client, "hold again"),
        "threat2": held(client, "THREAT hold once more"),
    }
    return made


# -- stored with the comment -----------------------------------------------------

def test_category_and_urgency_are_stored_from_holding_verdicts_only(client, people, labelling):
    threat = held(client, "THREAT hold")
    odd = held(client, "ODD hold")
    fine = held(client, "FINE but hold")
    rows = dict(db.session.execute(sa.select(Comment.id, Comment.urgent)).all())
    assert rows == {threat: True, odd: False, fine: False}
    categories = dict(db.session.execute(
        sa.select(VerdictRecord.comment_id, VerdictRecord.category).where(VerdictRecord.plugin == "labeller")).all())
    # A malformed category is not stored; a publishing verdict's is not either.
    assert categories == {threat: "threat", odd: None, fine: None}


def test_label_helpers_accept_only_well_formed_values():
    assert category_of("hold", {"category": " Threat "}) == "threat"
    assert category_of("reject", {"category": "slur"}) == "slur"
    assert category_of("publish", {"category": "slur"}) is None
    assert category_of("hold", {"category": "a" * 41}) is None
    assert category_of("hold", {"category": ["threat"]}) is None
    assert category_of("hold", None) is None
    assert is_urgent("hold", {"urgent": True}) and not is_urgent("hold", {"urgent": "true"})
    assert not is_urgent("publish", {"urgent": True})
    assert labels_of({"targets": "jews"}, "targets") == ["jews"]
    assert labels_of({"targets": ["muslims", 3, None, True, ""]}, "targets") == ["muslims", "3"]
    assert labels_of({"targets": {"a": 1}}, "targets") == []


# -- the JSON API -------------------------------------------------------------------

def test_api_items_carry_category_targets_and_urgency(client, people, queue):
    items = {item["comment"]["id"]: item for item in api(client, people)["items"]}
    threat = items[queue["threat1"]]
    assert threat["comment"]["urgent"] is True
    assert threat["comment"]["categories"] == ["threat"]
    assert threat["comment"]["targets"] == ["muslims"]
    assert threat["comment"]["characteristics"] == ["religion"]
    verdicts = {v["plugin"]: v for v in threat["verdicts"]}
    assert verdicts["labeller"]["category"] == "threat"
    assert verdicts["holdword"]["category"] is None
    plain = items[queue["plain1"]]["comment"]
    assert (plain["urgent"], plain["categories"], plain["targets"]) == (False, [], [])
    assert items[queue["vermin"]]["comment"]["targets"] == ["asylum seekers"]


def test_urgent_items_come_first_in_either_order(client, people, queue):
    assert ids(api(client, people)) == [queue[k] for k in ("threat1", "threat2", "plain1", "vermin", "plain2")]
    assert ids(api(client, people, "?order=newest")) == [
        queue[k] for k in ("threat2", "threat1", "plain2", "vermin", "plain1")]


@pytest.mark.parametrize("order", ["oldest", "newest"])
@pytest.mark.parametrize("limit", [1, 2, 3])
def test_pages_cross_from_urgent_to_the_rest_without_gaps(client, people, queue, order, limit):
    everything = ids(api(client, people, f"?order={order}"))
    seen, cursor = [], None
    while True:
        page = api(client, people, f"?order={order}&limit={limit}" + (f"&cursor={cursor}" if cursor else ""))
        assert page["total"] == 5
        seen += ids(page)
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == everything


def test_a_cursor_made_before_urgency_still_pages(client, people, queue):
    import base64
    import json

    first = db.session.get(Comment, queue["plain1"])
    legacy = base64.urlsafe_b64encode(json.dumps(
        [first.created_at.isoformat(), first.id]).encode()).decode().rstrip("=")
    assert ids(api(client, people, f"?cursor={legacy}")) == [queue[k] for k in ("vermin", "plain2")]


def test_api_filters_by_category(client, people, queue):
    assert ids(api(client, people, "?category=threat")) == [queue["threat1"], queue["threat2"]]
    assert ids(api(client, people, "?category=dehumanisation")) == [queue["vermin"]]
    assert api(client, people, "?category=slur") == {"items": [], "next": None, "total": 0, "total_capped": False}
    # Combined with other filters.
    assert ids(api(client, people, "?category=threat&order=newest&status=held")) == [
        queue["threat2"], queue["threat1"]]


@pytest.mark.parametrize("value", ["Threat", "threat!", "x" * 41, "", " threat"])
def test_a_bad_category_is_422_naming_the_field(client, people, queue, value):
    response = client.get(QUEUE_API, query_string={"category": value}, headers=people["mod"])
    assert response.status_code == 422, response.json
    assert "category" in response.json["errors"]


# -- the page -----------------------------------------------------------------------------

@pytest.fixture
def signed_in(client, site):
    add_moderator("page@council.example", password=PASSWORD)
    response = client.post("/moderation/login", data={"email": "page@council.example", "password": PASSWORD})
    assert response.status_code == 302
    return client


def cards(html: str) -> list[tuple[int, str]]:
    """(comment id, card HTML) in page order."""
    found = re.findall(r'<article class="item[^"]*" id="c(\d+)"(.*?)</article>', html, flags=re.S)
    return [(int(i), body) for i, body in found]


def test_the_page_shows_category_targets_and_urgent_first(signed_in, people, queue):
    html = signed_in.get(QUEUE_PAGE).get_data(as_text=True)
    order = [i for i, _ in cards(html)]
    assert order == [queue[k] for k in ("threat1", "threat2", "plain1", "vermin", "plain2")]
    card = dict(cards(html))
    assert "Urgent" in card[queue["threat1"]]
    assert '<span class="label category">threat</span>' in card[queue["threat1"]]
    assert "aimed at muslims (religion)" in card[queue["threat1"]]
    assert '<span class="label category">dehumanisation</span>' in card[queue["vermin"]]
    assert "aimed at asylum seekers (race)" in card[queue["vermin"]]
    assert "Urgent" not in card[queue["vermin"]] and 'class="labels"' not in card[queue["plain1"]]
    assert 'class="item urgent"' in html


def test_the_page_folds_the_plugins_with_no_opinion(signed_in, people, queue):
    html = signed_in.get(QUEUE_PAGE).get_data(as_text=True)
    card = dict(cards(html))[queue["threat1"]]
    quiet = db.session.execute(sa.select(VerdictRecord.plugin).where(
        VerdictRecord.comment_id == queue["threat1"])).scalars().all()
    quiet = [p for p in quiet if p not in ("holdword", "labeller")]
    assert len(quiet) >= 5  # the built-ins that saw nothing
    table = card.split("<table", 1)[1].split("</table>", 1)[0]
    assert "no opinion" not in table
    assert "holdword" in table and "labeller" in table
    summary = re.search(r'<details class="no-opinion">\s*<summary>(\d+) plugins had no objection</summary>'
                        r'\s*<p>(.*?)</p>', card, flags=re.S)
    assert summary and int(summary.group(1)) == len(quiet)
    assert sorted(summary.group(2).split(", ")) == sorted(quiet)


def test_the_page_filters_by_category(signed_in, people, queue):
    html = signed_in.get(QUEUE_PAGE + "?category=dehumanisation").get_data(as_text=True)
    assert [i for i, _ in cards(html)] == [queue["vermin"]]
    assert 'name="category" value="dehumanisation"' in html
    assert '<option value="threat">' in html  # the known categories are offered
    bad = signed_in.get(QUEUE_PAGE + "?category=Not+one")
    assert bad.status_code == 422
    assert "Cannot filter by category" in bad.get_data(as_text=True)
    html = signed_in.get(QUEUE_PAGE + "?category=threat").get_data(as_text=True)
    assert [i for i, _ in cards(html)] == [queue["threat1"], queue["threat2"]]
