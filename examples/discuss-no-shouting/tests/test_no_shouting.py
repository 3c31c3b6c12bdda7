"""Tests written with discuss.testing, as a plugin author would."""

import pytest

import discuss_no_shouting
from discuss.plugins import PluginSettingsError
from discuss.testing import make_submission, register_plugin, run_plugin, screen


def test_shouting_is_held():
    verdict = run_plugin(discuss_no_shouting, "PLEASE FIX THE STREETLIGHT OUTSIDE NUMBER TWELVE")
    assert verdict.decision == "hold"
    assert verdict.reason == "mostly in capitals"


def test_short_or_ordinary_comments_pass():
    assert run_plugin(discuss_no_shouting, "OK THEN") is None
    assert run_plugin(discuss_no_shouting, "The NHS and the DVLA both replied within a week.") is None


def test_settings_are_validated_and_used():
    quiet = make_submission("PLEASE FIX IT")
    assert run_plugin(discuss_no_shouting, quiet, {"min_letters": 5}).decision == "hold"
    with pytest.raises(PluginSettingsError, match="max_capitals"):
        run_plugin(discuss_no_shouting, quiet, {"max_capitals": 2})


def test_in_the_whole_pipeline(discuss_app, discuss_host, discuss_site):
    register_plugin(discuss_host, discuss_no_shouting)
    screening = screen(discuss_host, "THE BINS HAVE NOT BEEN EMPTIED FOR THREE WEEKS", site=discuss_site)
    assert screening.decision == "hold"
    assert "mostly in capitals" in screening.reasons()
    assert screen(discuss_host, "The bins were emptied today, thanks.", site=discuss_site).decision == "publish"


def test_a_site_can_switch_it_off(discuss_app, discuss_host, discuss_site):
    register_plugin(discuss_host, discuss_no_shouting)
    shouting = "THE BINS HAVE NOT BEEN EMPTIED FOR THREE WEEKS"
    assert screen(discuss_host, shouting, site=discuss_site,
                  settings={"no_shouting": {"enabled": False}}).decision == "publish"
