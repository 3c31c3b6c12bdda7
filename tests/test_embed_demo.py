"""/demo: the seed post as a council page with the widget embedded."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from discuss import create_app
from discuss.demo import read_seed
from discuss.embed.assets import build_bundle
from discuss.extensions import db
from discuss.models import Comment, Site
from tests.embed_helpers import soup


@pytest.fixture
def app_config():
    return {"DEMO_PAGE": True}  # off by default (tested below); on where the demo is meant to run


def test_demo_page_reproduces_the_seed_post_and_loads_its_discussion(client):
    response = client.get("/demo")
    assert response.status_code == 200
    page = soup(response)
    post = read_seed()
    assert page.find("h1").get_text() == post.title
    assert "By December 9, 2011" in page.find(class_="byline").get_text()
    assert "2 Comments" in page.find(class_="byline").get_text()
    text = page.find("article").get_text()
    assert "At last week’s Public-i User Group" in text
    assert "with the maximum benefit to the democratic process" in text
    assert [h.get_text() for h in page.select("article h2")] == [
        "Incentive: it’s common sense",
        "The details: good guidance and more common sense",
        "Councillor social media in the future",
    ]
    host = page.find(attrs={"data-discuss-site": "demo"})
    assert host["data-discuss-thread"] == "/demo"
    assert page.find("noscript").find("a")["href"] == "/embed/demo/demo"
    assert page.find("script")["src"] == f"/embed.v{build_bundle().version}.js"
    assert page.find("script").has_attr("async")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp


def test_demo_discussion_is_loaded_once(client):
    client.get("/demo")
    client.get("/demo")
    assert db.session.execute(sa.select(sa.func.count()).select_from(Site)).scalar_one() == 1
    authors = db.session.execute(
        sa.select(Comment.author_name).filter_by(status="published").order_by(Comment.id)
    ).scalars().all()
    assert authors == ["Dave Griffin", "Public-i team"]  # the seed's two, loaded once
    thread = client.get("/api/v1/sites/demo/threads/demo").json
    assert thread["comments"][0]["replies"][0]["author_name"] == "Public-i team"


def test_demo_page_after_demo_load(client, runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert "2 Comments" in soup(client.get("/demo")).find(class_="byline").get_text()


@pytest.mark.parametrize("app_config", [{"DEMO_PAGE": False}, {}])
def test_demo_page_is_off_unless_asked_for(client):
    # Finding 8: an anonymous GET /demo in production created an open "demo" site.
    assert client.get("/demo").status_code == 404
    assert db.session.execute(sa.select(sa.func.count()).select_from(Site)).scalar_one() == 0


def test_demo_page_explains_a_missing_schema(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/empty.db", "TESTING": True,
                      "LOAD_ENTRY_POINTS": False, "DEMO_PAGE": True})
    response = app.test_client().get("/demo")
    assert response.status_code == 503
    assert "discuss init-db" in response.get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()
