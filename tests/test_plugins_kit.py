"""The plugin authors' kit: discuss.testing, and the example package installed with pip."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import marshmallow as ma
import pytest
import sqlalchemy as sa

from discuss import Verdict, hookimpl
from discuss.plugins import PluginSettingsError, describe_plugins, get_plugin_manager
from discuss.testing import load_settings, make_submission, register_plugin, run_plugin, screen
from tests.helpers import post

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "discuss-no-shouting"


@pytest.fixture(scope="module")
def example_installed() -> None:
    """The example package, installed into this environment the way docs/plugins.md says."""
    if not any(ep.name == "no_shouting" for ep in entry_points(group="discuss")):
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(EXAMPLE)],
                       check=True)
    assert any(ep.value == "discuss_no_shouting" for ep in entry_points(group="discuss"))


# -- discuss.testing -------------------------------------------------------------

def test_make_submission_has_defaults_and_takes_overrides():
    submission = make_submission("Hello", author_email=None, extra={"website": "x"})
    assert submission.body == "Hello" and submission.author_email is None
    assert submission.extra["website"] == "x"
    assert submission.received_at is not None and submission.thread_key.startswith("/")


class Limited:
    """A plugin with a settings schema, for the kit's own tests."""

    name = "limited"

    class settings_schema(ma.Schema):
        limit = ma.fields.Integer(load_default=10)

    @hookimpl
    def discuss_screen_comment(self, submission, settings):
        if len(submission.body) > settings["limit"]:
            return Verdict.hold("too long", limit=settings["limit"])
        return None


def test_run_plugin_loads_settings_through_the_schema():
    assert run_plugin(Limited(), "short") is None
    assert run_plugin(Limited(), "a bit longer than ten").details["limit"] == 10
    assert run_plugin(Limited(), "a bit longer", {"limit": 50}) is None
    with pytest.raises(PluginSettingsError, match=r"site 'council', plugin 'limited': limit"):
        run_plugin(Limited(), "x", {"limit": "many"})
    assert load_settings(Limited()) == {"limit": 10}


def test_fixtures_give_a_fresh_host_and_a_working_pipeline(discuss_app, discuss_host, discuss_site):
    assert discuss_app.extensions["discuss"] is discuss_host
    names = {info.name for info in discuss_host.infos()}
    assert "profanity" in names and "no_shouting" not in names  # built-ins only
    assert register_plugin(discuss_host, Limited()) == "limited"
    assert screen(discuss_host, "x" * 11, site=discuss_site).decision == "hold"
    assert screen(discuss_host, "fine", site=discuss_site).decision == "publish"


def test_run_plugin_gives_history_from_the_app_database(discuss_app, discuss_site):
    from discuss_builtins import first_time

    from discuss.extensions import db
    from discuss.models import Comment, Thread

    settings = {"enabled": True}
    assert run_plugin(first_time, make_submission(author_email="Known@Example.org"), settings,
                      site=discuss_site).decision == "hold"
    thread = Thread(site_id=discuss_site.id, key="/t", title="", url="")
    db.session.add(thread)
    db.session.flush()
    db.session.add(Comment(thread_id=thread.id, author_name="K", author_email="known@example.org", body="b",
                           body_html="<p>b</p>", status="published"))
    db.session.commit()
    assert run_plugin(first_time, make_submission(author_email="Known@Example.org"), settings,
                      site=discuss_site) is None


def test_run_plugin_without_an_app_gets_an_empty_history():
    from discuss_builtins import bans, first_time

    assert run_plugin(bans, make_submission()) is None
    assert run_plugin(first_time, make_submission()).decision == "hold"


# -- the example package ----------------------------------------------------------

def test_example_is_discovered_through_the_entry_point_group(example_installed):
    pm = get_plugin_manager()
    (info,) = [info for info in describe_plugins(pm) if info.name == "no_shouting"]
    assert info.distribution == "discuss-no-shouting" and not info.builtin
    assert info.hooks == ("discuss_screen_comment",)
    assert get_plugin_manager(load_entry_points=False).get_plugin("no_shouting") is None


@pytest.fixture
def app_config():
    return {"LOAD_ENTRY_POINTS": True}


def test_example_is_applied_to_a_post(example_installed, app, client, site):
    held = post(client, "WHY HAVE THE BINS NOT BEEN EMPTIED FOR THREE WEEKS")
    assert held.status_code == 202
    from discuss.extensions import db
    from discuss.models import Comment, VerdictRecord

    comment_id = held.json["comment"]["id"]
    reasons = db.session.execute(
        sa.select(VerdictRecord.plugin, VerdictRecord.reason).where(VerdictRecord.comment_id == comment_id)
    ).all()
    assert ("no_shouting", "mostly in capitals") in reasons
    assert post(client, "Why have the bins not been emptied for three weeks?").status_code == 201
    assert db.session.get(Comment, comment_id).status == "pending"


def test_discuss_plugins_lists_the_example_with_its_settings(example_installed, app, runner, site):
    result = runner.invoke(args=["plugins", "--site", "council"])
    assert result.exit_code == 0, result.output
    assert "no_shouting (discuss-no-shouting, enabled)" in result.output
    assert '"max_capitals": 0.7' in result.output
    # Opt-in plugins show what they would use, and a class-based plugin lists too.
    assert "first_time (built-in, disabled)" in result.output
    assert 'settings when enabled: {"hold_without_email": true, "scope": "site"}' in result.output


def test_discuss_plugins_lists_object_plugins(app, runner, pm, site):
    register_plugin(pm, Limited())
    result = runner.invoke(args=["plugins"])
    assert result.exit_code == 0, result.output
    assert "limited (registered, enabled)" in result.output


def test_the_example_passes_its_own_tests(example_installed):
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(EXAMPLE)],
                            capture_output=True, text=True, cwd=EXAMPLE, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "5 passed" in result.stdout
