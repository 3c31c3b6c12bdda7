"""The plugin host: calls through pluggy, refuses what it cannot honour, shows values."""

from __future__ import annotations

import subprocess
from dataclasses import FrozenInstanceError
from pathlib import Path

import marshmallow as ma
import pluggy
import pytest

from discuss import CommentView, History, SiteView, Verdict, hookimpl
from discuss.host import PluginHost
from discuss.plugins import PluginContractError, get_plugin_manager
from discuss.testing import make_submission, screen
from tests.helpers import post

ROOT = Path(__file__).resolve().parent.parent


class Says:
    def __init__(self, reason, **opts):
        self.reason = reason

    @hookimpl
    def discuss_screen_comment(self):
        return Verdict.hold(self.reason)


def _fresh_host() -> PluginHost:
    return PluginHost(get_plugin_manager(builtins=(), load_entry_points=False))


# -- what pluggy documents, honoured ------------------------------------------------

def test_plugins_screen_in_pluggys_order_with_tryfirst_and_trylast(app, pm, site):
    class First:
        @hookimpl(tryfirst=True)
        def discuss_screen_comment(self):
            return Verdict.hold("first")

    class Last:
        @hookimpl(trylast=True)
        def discuss_screen_comment(self):
            return Verdict.hold("last")

    pm.register(Last(), name="zz_last")
    pm.register(First(), name="zz_first")  # registered after, and still first
    pm.register(Says("middle"), name="aa_middle")
    order = [pv.plugin for pv in screen(pm, "hello", site=site).verdicts]
    assert order[0] == "zz_first" and order[-1] == "zz_last"
    assert order.index("aa_middle") < order.index("profanity")  # last registered runs first
    assert order[1:4] == ["aa_middle", "bans", "flood"]  # then the built-ins in their listed order


def test_pluggys_tracing_and_monitoring_see_each_plugin_call():
    host = _fresh_host()
    host.register(Says("traced"), name="traced")
    lines, seen = [], []
    host.pm.trace.root.setwriter(lines.append)
    host.pm.enable_tracing()
    host.pm.add_hookcall_monitoring(lambda name, impls, kwargs: seen.append((name, [i.plugin_name for i in impls])),
                                    lambda *args: None)
    screening = host.screen(make_submission("hi"), SiteView("council", "Council"))
    assert screening.decision == "hold"
    assert any("discuss_screen_comment" in line for line in lines)
    assert seen == [("discuss_screen_comment", ["traced"])]


def test_specname_and_optionalhook_work():
    class Named:
        @hookimpl(specname="discuss_screen_comment")
        def judge(self, submission):
            return Verdict.hold("by specname")

        @hookimpl(optionalhook=True)
        def discuss_some_future_hook(self):
            return None

    host = _fresh_host()
    host.register(Named(), name="named")
    host.pm.check_pending()  # an optional hook with no spec is allowed
    assert host.screen(make_submission("hi"), None).reasons() == ["by specname"]


# -- what it cannot honour, refused at registration, naming the plugin --------------

@pytest.mark.parametrize("option", ["wrapper", "hookwrapper"])
def test_a_hook_wrapper_is_a_start_up_error_naming_the_plugin(option):
    class Wrapping:
        @hookimpl(**{option: True})
        def discuss_screen_comment(self):
            yield

    host = _fresh_host()
    with pytest.raises(PluginContractError, match=r"plugin 'wrapping':.*hook wrapper"):
        host.register(Wrapping(), name="wrapping")
    assert host.pm.get_plugin("wrapping") is None  # nothing half-registered


def test_a_settings_schema_that_is_not_marshmallow_is_refused():
    class Bad:
        settings_schema = {"limit": 3}

        @hookimpl
        def discuss_screen_comment(self):
            return None

    with pytest.raises(PluginContractError, match=r"plugin 'bad': settings_schema must be a marshmallow Schema"):
        _fresh_host().register(Bad(), name="bad")


def test_a_settings_schema_without_defaults_is_refused():
    class NoDefaults:
        class settings_schema(ma.Schema):
            limit = ma.fields.Integer(required=True)

        @hookimpl
        def discuss_screen_comment(self):
            return None

    with pytest.raises(PluginContractError, match=r"plugin 'strict': .*load_default"):
        _fresh_host().register(NoDefaults(), name="strict")


@pytest.mark.parametrize("attribute, value, message", [
    ("timeout", 0, "timeout must be"),
    ("timeout", "5", "timeout must be"),
    ("enabled_by_default", "yes", "enabled_by_default must be"),
])
def test_bad_plugin_attributes_are_refused(attribute, value, message):
    class Odd:
        @hookimpl
        def discuss_screen_comment(self):
            return None

    plugin = Odd()
    setattr(plugin, attribute, value)
    with pytest.raises(PluginContractError, match=rf"plugin 'odd': {message}"):
        _fresh_host().register(plugin, name="odd")


def test_a_name_clash_is_a_start_up_error_naming_both():
    host = PluginHost(get_plugin_manager(load_entry_points=False))

    class Impostor:
        name = "profanity"

        @hookimpl
        def discuss_screen_comment(self):
            return None

    with pytest.raises(PluginContractError, match=r"plugin 'profanity': the name is already taken by "
                                                  r"'discuss_builtins.profanity'"):
        host.register(Impostor())


def test_a_declared_name_must_match_the_registered_name():
    class Named:
        name = "polite"

        @hookimpl
        def discuss_screen_comment(self):
            return None

    with pytest.raises(PluginContractError, match="declares name = 'polite' but is registered as 'rude'"):
        _fresh_host().register(Named(), name="rude")


def test_a_misspelt_hook_is_still_refused_by_pluggy():
    with pytest.raises(pluggy.PluginValidationError, match="discuss_screen_coment"):
        get_plugin_manager(builtins=("tests.sample_plugins.misspelt",), load_entry_points=False)


# -- values, not rows ------------------------------------------------------------------

def test_plugins_see_frozen_values_and_a_history(app, pm, site, client):
    seen = {}

    class Curious:
        @hookimpl
        def discuss_screen_comment(self, site, history, settings):
            seen["screen"] = (site, history, settings)

        @hookimpl
        def discuss_comment_published(self, comment, site):
            seen["published"] = (comment, site)

    pm.register(Curious(), name="curious")
    response = post(client, "A fair point about the bins.")
    assert response.status_code == 201
    shown_site, history, settings = seen["screen"]
    assert shown_site == SiteView("council", "Test Council", ("https://council.example",))
    assert isinstance(history, History)
    with pytest.raises(TypeError):
        settings["x"] = 1  # type: ignore[index]
    comment, event_site = seen["published"]
    assert isinstance(comment, CommentView) and comment.id == response.json["comment"]["id"]
    assert comment.thread_key and comment.status == "published" and comment.body == "A fair point about the bins."
    assert event_site.slug == "council"
    with pytest.raises(FrozenInstanceError):
        comment.status = "deleted"  # type: ignore[misc]


def test_each_app_has_its_own_host(database_url):
    from tests.conftest import make_app

    first, second = make_app(database_url), make_app(database_url)
    first.extensions["discuss"].register(Says("only here"), name="only_here")
    assert first.extensions["discuss"] is not second.extensions["discuss"]
    assert "only_here" in {i.name for i in first.extensions["discuss"].infos()}
    assert "only_here" not in {i.name for i in second.extensions["discuss"].infos()}


def test_registering_updates_what_runs_without_a_restart(app, pm, site):
    assert screen(pm, "hello", site=site).decision == "publish"
    plugin = Says("now")
    pm.register(plugin, name="now")
    assert screen(pm, "hello", site=site).decision == "hold"
    pm.unregister(plugin)
    assert screen(pm, "hello", site=site).decision == "publish"


def test_builtins_are_known_by_registration_and_installed_under_their_own_package(pm):
    builtins = {i.name for i in pm.infos() if i.builtin}
    assert {"profanity", "bans", "webhook"} <= builtins
    assert all(i.plugin.__name__.startswith("discuss_builtins.") for i in pm.infos() if i.builtin)


def test_no_plugin_or_example_reaches_into_the_orm():
    found = subprocess.run(["git", "grep", "-n", r"discuss\.extensions\|discuss\.models", "--", "plugins/", "examples/"],
                           cwd=ROOT, capture_output=True, text=True)
    assert found.stdout == "", found.stdout
