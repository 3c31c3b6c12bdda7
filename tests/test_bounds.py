"""Input bounds: what would overflow the database or the standard library is a 4xx in the error shape."""

from __future__ import annotations

import pytest

from discuss.bounds import MAX_ID, parse_id, too_deep
from tests.helpers import THREAD_URL, post
from tests.reviewing import held, holding, other_site, people, version_of  # noqa: F401

TOO_BIG = MAX_ID + 1
HUGE = "9" * 5000


def assert_error(response, *codes):
    assert response.status_code in codes, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.is_json, response.get_data(as_text=True)[:300]
    assert set(response.json) == {"code", "status", "message", "errors"}
    return response.json


def test_parse_id_takes_ascii_digits_within_64_bits():
    assert parse_id("42") == 42 and parse_id(str(MAX_ID)) == MAX_ID
    for text in ("²", "１２", "0", "-1", "+1", "1e3", str(TOO_BIG), HUGE, "", None, " "):
        assert parse_id(text) is None, text


def test_too_deep_walks_without_recursion():
    deep: list = []
    node = deep
    for _ in range(20_000):
        node.append([])
        node = node[0]
    assert too_deep(deep) and not too_deep({"a": [{"b": 1}]})


@pytest.mark.parametrize("path", [
    f"/api/v1/moderation/comments/{TOO_BIG}",
    f"/api/v1/moderation/comments/{HUGE}",
    f"/api/v1/moderation/comments/{TOO_BIG}/decision",
])
def test_path_ids_over_64_bits_are_404(client, people, path):
    method = client.post if path.endswith("decision") else client.get
    assert_error(method(path, json={"action": "approve", "version": 1}, headers=people["mod"]), 404)


def test_report_preflight_with_a_huge_id_is_404(client, site):
    assert_error(client.post(f"/api/v1/comments/{TOO_BIG}/reports", json={"reason": "spam"}), 404)
    assert_error(client.options(f"/api/v1/comments/{TOO_BIG}/reports",
                                headers={"Origin": "https://council.example"}), 404)


@pytest.mark.parametrize("query,field", [
    (f"comment_id={TOO_BIG}", "comment_id"), (f"cursor={TOO_BIG}", "cursor"), (f"cursor={HUGE}", "cursor"),
    ("since=0001-01-01T00:00:00%2B01:00", "since"), ("since=9999-12-31T23:00:00-05:00", "since"),
])
def test_audit_filters_out_of_range_are_422(client, people, query, field):
    body = assert_error(client.get("/api/v1/moderation/audit?" + query, headers=people["mod"]), 422)
    assert field in body["errors"]


@pytest.mark.parametrize("since", ["0001-01-01T00:30:00+01:00", "9999-12-31T23:59:59-12:00", "9999-12-31"])
def test_queue_dates_near_the_ends_of_time_are_422(client, people, since):
    response = client.get("/api/v1/moderation/queue", query_string={"since": since}, headers=people["mod"])
    assert "since" in assert_error(response, 422)["errors"]


def test_moderation_pages_refuse_dates_at_the_ends_of_time(client, people, app):
    from tests.reviewing import PASSWORD, add_moderator
    from tests.test_review_ui import login

    add_moderator("page@council.example", password=PASSWORD)
    login(client, "page@council.example")
    assert client.get("/moderation/?until=9999-12-31").status_code == 422
    assert client.get("/moderation/audit?comment_id=²").status_code == 422
    assert client.get(f"/moderation/audit?comment_id={TOO_BIG}").status_code == 422


def test_bulk_decisions_with_ids_over_64_bits_are_422(client, people):
    response = client.post("/api/v1/moderation/decisions", headers=people["mod"],
                           json={"action": "approve", "items": [{"id": TOO_BIG, "version": 1}]})
    assert "items" in assert_error(response, 422)["errors"]
    response = client.post("/api/v1/moderation/decisions", headers=people["mod"],
                           json={"action": "approve", "items": [{"id": 1, "version": TOO_BIG}]})
    assert_error(response, 422)


def test_parent_and_cursor_over_64_bits(client, site):
    assert "parent_id" in assert_error(post(client, "hi", parent_id=TOO_BIG), 422)["errors"]
    import base64

    cursor = base64.urlsafe_b64encode(f"r{TOO_BIG}".encode()).decode().rstrip("=")
    assert "cursor" in assert_error(client.get(THREAD_URL + "?cursor=" + cursor), 422)["errors"]


def test_a_5000_digit_integer_is_refused(client, site):
    response = client.post(THREAD_URL + "/comments", data='{"author_name": "A", "body": "b", "parent_id": %s}' % HUGE,
                           content_type="application/json")
    assert_error(response, 400, 422)
    assert_error(client.get(THREAD_URL + "?limit=" + HUGE), 422)


def test_json_nested_20000_deep_is_400(client, site):
    body = '{"author_name": "A", "body": "b", "website": ' + "[" * 20_000 + "]" * 20_000 + "}"
    assert "json" in assert_error(client.post(THREAD_URL + "/comments", data=body,
                                              content_type="application/json"), 400)["errors"]
    shallow = '{"author_name": "A", "body": "b", "website": ' + "[" * 40 + "]" * 40 + "}"
    assert "json" in assert_error(client.post(THREAD_URL + "/comments", data=shallow,
                                              content_type="application/json"), 400)["errors"]


@pytest.mark.parametrize("parent", ["²", HUGE, str(TOO_BIG)])
def test_no_js_form_parent_id_must_be_an_id(client, site, parent):
    from tests.test_embed_pages import send

    from tests.test_embed_pages import comments

    response = send(client, author_name="A", body="hello", parent_id=parent)
    assert response.status_code == 422 and comments() == []


def test_ban_days_beyond_the_limit_is_refused(client, site, holding, app):
    from tests.reviewing import PASSWORD, add_moderator
    from tests.test_review_ui import login

    comment_id = held(client)
    seen = version_of(comment_id)
    add_moderator("ban@council.example", password=PASSWORD)
    login(client, "ban@council.example")
    response = client.post(f"/moderation/comments/{comment_id}/decide", data={
        "action": "ban", "version": version_of(comment_id), "reason": "abuse",
        "ban_email": "1", "ban_days": "99999999999", "next": f"/moderation/comments/{comment_id}",
    }, follow_redirects=True)
    assert "ban length" in response.get_data(as_text=True)
    assert version_of(comment_id) == seen  # nothing changed


def test_doubled_slashes_reach_the_thread_without_a_redirect(client, site):
    post(client, "hello")
    response = client.get("/api/v1/sites/council/threads//blog//post")
    assert response.status_code == 200 and response.json["thread"]["key"] == "/blog/post"


def test_openapi_declares_the_limits(client):
    spec = client.get("/api/openapi.json").json
    schemas = spec["components"]["schemas"]
    create = schemas["CommentCreate"]["properties"]
    assert create["body"]["maxLength"] == 10_000 and create["author_name"]["maxLength"] == 80
    assert create["parent_id"]["maximum"] == MAX_ID and create["parent_id"]["minimum"] == 1
    post_op = spec["paths"]["/api/v1/sites/{site}/threads/{key}/comments"]["post"]
    params = post_op.get("parameters", []) + spec["paths"]["/api/v1/sites/{site}/threads/{key}/comments"].get(
        "parameters", [])
    key = next(p for p in params if p["name"] == "key")
    assert key["schema"]["maxLength"] == 500 and "pattern" in key["schema"]
    comment_path = spec["paths"]["/api/v1/moderation/comments/{comment_id}"]
    cid = next(p for p in comment_path.get("parameters", []) + comment_path["get"].get("parameters", [])
               if p["name"] == "comment_id")
    assert cid["schema"]["maximum"] == MAX_ID
    decision = spec["paths"]["/api/v1/moderation/comments/{comment_id}/decision"]["post"]["responses"]["409"]
    ref = decision["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "current" in schemas[ref]["properties"]
