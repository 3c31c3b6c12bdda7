"""The discuss command: init-db, sites, screen, plugins, demo."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import sqlalchemy as sa

from discuss.cli import init_db, plugins_command, screen, sites
from discuss.extensions import db
from discuss.models import Comment, Site


def test_sites_add_and_list(runner):
    result = runner.invoke(sites, ["add", "camden", "--name", "Camden Council",
                                   "--origin", "https://Camden.gov.uk/", "--origin", "http://localhost:8080"])
    assert result.exit_code == 0, result.output
    site = db.session.execute(sa.select(Site).filter_by(slug="camden")).scalar_one()
    assert site.allowed_origins == ["https://camden.gov.uk", "http://localhost:8080"]
    listed = runner.invoke(sites, ["list"])
    assert "camden\tCamden Council\thttps://camden.gov.uk http://localhost:8080" in listed.output


def test_sites_add_refuses_bad_input(runner):
    assert runner.invoke(sites, ["add", "Bad Slug", "--name", "x"]).exit_code != 0
    bad_origin = runner.invoke(sites, ["add", "ok", "--name", "x", "--origin", "camden.gov.uk/path"])
    assert bad_origin.exit_code != 0 and "--origin" in bad_origin.output
    bad_settings = runner.invoke(sites, ["add", "ok", "--name", "x", "--settings", '{"profanity": {"nonsense": 1}}'])
    assert bad_settings.exit_code != 0
    assert "site 'ok', plugin 'profanity'" in bad_settings.output
    assert db.session.execute(sa.select(sa.func.count()).select_from(Site)).scalar_one() == 0


def test_screen_reads_lines_and_writes_nothing(runner, site):
    lines = "\n".join([json.dumps("Thanks for the update"), json.dumps({"body": "what the fuck"}),
                       "not json", json.dumps({"nobody": 1}), ""])
    result = runner.invoke(screen, ["--site", "council"], input=lines)
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert out[0]["decision"] == "publish"
    assert out[1]["decision"] in ("reject", "hold")
    assert {"plugin", "decision", "reason"} <= set(out[1]["reasons"][0])
    assert "error" in out[2] and out[2]["line"] == 3
    assert "error" in out[3]
    assert db.session.execute(sa.select(sa.func.count()).select_from(Comment)).scalar_one() == 0


def test_screen_with_unknown_site_fails(runner):
    result = runner.invoke(screen, ["--site", "nowhere"], input='"hi"\n')
    assert result.exit_code != 0


def test_plugins_lists_hooks(runner):
    result = runner.invoke(plugins_command, [])
    assert result.exit_code == 0
    assert "profanity (built-in, enabled)" in result.output
    assert "hooks: discuss_screen_comment" in result.output


def test_console_script_refuses_to_start_without_a_secret_key(tmp_path):
    # Finding 1: without DISCUSS_SECRET_KEY the app ran on a published default.
    env = {name: value for name, value in os.environ.items() if not name.startswith("DISCUSS_")}
    env["DISCUSS_DATABASE_URL"] = f"sqlite:///{tmp_path}/cli.db"
    command = os.path.join(os.path.dirname(sys.executable), "discuss")
    refused = subprocess.run([command, "init-db"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert refused.returncode != 0
    assert "DISCUSS_SECRET_KEY" in refused.stderr and "Traceback" not in refused.stderr
    assert not (tmp_path / "cli.db").exists()


def test_console_script_works_from_any_directory(tmp_path, database_url):
    env = {**os.environ, "DISCUSS_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
           "DISCUSS_SECRET_KEY": "k" * 40, "DISCUSS_IP_HASH_KEY": "h" * 40}
    bin_dir = os.path.dirname(sys.executable)
    command = os.path.join(bin_dir, "discuss")
    first = subprocess.run([command, "init-db"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    again = subprocess.run([command, "init-db"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr  # upgrading an up-to-date database is fine
    added = subprocess.run([command, "sites", "add", "demo2", "--name", "Demo"], cwd="/", env=env,
                           capture_output=True, text=True)
    assert added.returncode == 0, added.stderr
    listed = subprocess.run([command, "sites", "list"], cwd="/", env=env, capture_output=True, text=True)
    assert "demo2" in listed.stdout


def test_demo_load_builds_the_seed_thread(app, client):
    from discuss.demo import load_demo

    load_demo()
    load_demo()  # idempotent
    thread = client.get("/api/v1/sites/demo/threads/demo").json
    assert thread["thread"]["comment_count"] == 2
    [dave] = thread["comments"]
    assert dave["author_name"] == "Dave Griffin"
    assert "Very interesting video." in dave["body_html"]
    [reply] = dave["replies"]
    assert "Good point, Dave." in reply["body_html"]
    assert thread["thread"]["title"].startswith("Councillors and social media")


def test_closing_a_thread_stops_new_comments(runner, client, site):
    from tests.helpers import post

    assert post(client, "before closing").status_code == 201
    # Through the app's own command group, as `discuss threads close` runs: fails if unregistered.
    result = runner.invoke(args=["threads", "close", "council", "/blog/post/"])
    assert result.exit_code == 0, result.output
    assert "council /blog/post: closed" in result.output
    response = post(client, "after closing")
    assert response.status_code == 403
    assert "thread" in response.json["errors"]
    assert client.get("/api/v1/sites/council/threads/blog/post").json["thread"]["closed"] is True
    assert runner.invoke(args=["threads", "open", "council", "blog/post"]).exit_code == 0
    assert post(client, "open again").status_code == 201
    refused = runner.invoke(args=["threads", "close", "nowhere", "x"])
    assert refused.exit_code != 0 and "no site 'nowhere'" in refused.output


def test_comments_post_says_what_became_of_the_reply(runner, client, site, pm):
    from discuss import Verdict, hookimpl

    published = runner.invoke(args=["comments", "post", "council", "/blog/post", "--name", "Council officer"],
                               input="The bins are collected on Tuesdays.")
    assert published.exit_code == 0, published.output
    assert "published" in published.output
    thread = client.get("/api/v1/sites/council/threads/blog/post").json
    assert [c["author_name"] for c in thread["comments"]] == ["Council officer"]

    class RejectsTuesdays:
        @hookimpl
        def discuss_screen_comment(self, submission):
            if "Tuesday" in submission.body:
                return Verdict.reject("no Tuesdays", public_reason="Not about Tuesdays, please.")
            if "hold" in submission.body:
                return Verdict.hold("asked to hold")
            return None

    pm.register(RejectsTuesdays(), name="rejects-tuesdays")
    rejected = runner.invoke(args=["comments", "post", "council", "/blog/post", "--name", "Officer"],
                             input="Tuesday again.")
    assert rejected.exit_code == 1 and "rejected: Not about Tuesdays, please." in rejected.output
    held = runner.invoke(args=["comments", "post", "council", "/blog/post", "--name", "Officer"],
                         input="Please hold this.")
    assert held.exit_code == 0 and "held for moderation: asked to hold" in held.output
    empty = runner.invoke(args=["comments", "post", "council", "/blog/post", "--name", "Officer"], input="  ")
    assert empty.exit_code != 0 and "body" in empty.output


def test_demo_starts_with_held_comments_in_the_queue(app):
    from discuss.demo import HELD_EXAMPLES, load_demo
    from discuss.models import PENDING

    load_demo()
    held = db.session.execute(sa.select(Comment).filter_by(status=PENDING)).scalars().all()
    assert len(held) == len(HELD_EXAMPLES)
    for comment in held:
        assert any(v.decision == "hold" and v.reason for v in comment.verdicts)


def test_demo_comments_come_from_the_seed_wxr_through_the_importer(app):
    from importlib import resources

    from discuss.demo import SEED_WXR, load_demo, read_seed
    from discuss.importing.records import SourceComment
    from discuss.importing.wxr import Reader
    from discuss.models import ImportSource

    with resources.files("discuss.seed").joinpath(SEED_WXR).open("rb") as file:
        imported = [r for r in Reader(file).records() if isinstance(r, SourceComment)]
    [dave] = read_seed().comments  # the seed page's text and the WXR file tell the same discussion
    [reply] = dave.replies
    assert [(c.author_name, c.body, c.parent_source_id) for c in imported] == [
        (dave.author, dave.body, None), (reply.author, reply.body, imported[0].source_id)]
    load_demo()
    sources = db.session.execute(sa.select(ImportSource.source, ImportSource.kind)).all()
    assert sorted(sources) == [("wordpress:https://demo.example", "comment")] * 2 + [
        ("wordpress:https://demo.example", "thread")]
    thread = db.session.execute(sa.select(Comment.thread_id)).scalars().first()
    from discuss.models import Thread
    assert db.session.get(Thread, thread).url == "/demo"


def test_demo_accounts_let_a_newcomer_into_the_queue_and_the_admin_console(app, client, runner):
    from discuss.cli import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, DEMO_MODERATOR_EMAIL
    from discuss.demo import load_demo

    load_demo()
    for _ in range(2):  # idempotent
        result = runner.invoke(args=["demo", "moderator"])
        assert result.exit_code == 0, result.output
    assert DEMO_ADMIN_EMAIL in result.output and DEMO_MODERATOR_EMAIL in result.output
    signed_in = client.post("/moderation/login", data={"email": DEMO_ADMIN_EMAIL, "password": DEMO_ADMIN_PASSWORD})
    assert signed_in.status_code == 302
    assert client.get("/moderation/admin/sites/demo").status_code == 200
    assert client.get("/moderation/admin/sites/new").status_code == 403  # the demo council's admin, not everyone's
