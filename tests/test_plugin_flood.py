"""The flood plugin: too many comments per hashed IP or email in a window."""

from __future__ import annotations

import pytest

from discuss.plugins import PluginSettingsError
from discuss.testing import load_settings
from discuss_builtins import flood
from tests.plugin_helpers import age_comments, configure, post_as


def test_per_ip_limit_rejects_with_a_retry_hint(client, site):
    configure(site, "flood", max_per_ip=3, window_minutes=10)
    for n in range(3):
        assert post_as(client, f"comment {n}").status_code == 201
    response = post_as(client, "one more")
    assert response.status_code == 422
    assert "try again in 10 minutes" in response.json["message"]
    # Another address is not affected.
    assert post_as(client, "from next door", ip="198.51.100.77").status_code == 201


def test_per_email_limit_counts_that_email_from_one_address(client, site):
    configure(site, "flood", max_per_email=2, max_per_ip=10)
    assert post_as(client, "one", email="me@example.org", ip="198.51.100.1").status_code == 201
    assert post_as(client, "two", email="ME@example.org", ip="198.51.100.1").status_code == 201
    refused = post_as(client, "three", email="me@example.org", ip="198.51.100.1")
    assert refused.status_code == 422
    # Another email from the same address (a shared library computer) is not limited by it.
    assert post_as(client, "four", email="neighbour@example.org", ip="198.51.100.1").status_code == 201


def test_a_stranger_typing_my_email_cannot_use_up_my_quota(client, site):
    # Emails are not verified: the flood of comments under a resident's email from
    # somewhere else must not stop the resident posting from home.
    configure(site, "flood", max_per_email=2, max_per_ip=10)
    for n in range(4):
        post_as(client, f"spam {n}", email="victim@example.org", ip="203.0.113.50")
    assert post_as(client, "spam 5", email="victim@example.org", ip="203.0.113.50").status_code == 422
    assert post_as(client, "my comment", email="victim@example.org", ip="198.51.100.7").status_code == 201


def test_window_passes(client, site):
    configure(site, "flood", max_per_ip=2, window_minutes=10)
    post_as(client, "one")
    post_as(client, "two")
    assert post_as(client, "three").status_code == 422
    age_comments(11)
    assert post_as(client, "four").status_code == 201


def test_retry_hint_counts_from_the_oldest_comment(client, site, pm, app):
    from discuss.moderation import screen_comment
    from discuss.testing import make_submission
    from discuss.clients import hash_ip

    configure(site, "flood", max_per_ip=1, window_minutes=10)
    post_as(client, "one")
    age_comments(4)
    screening = screen_comment(pm, make_submission("two", ip_hash=hash_ip("198.51.100.1"), author_email=None), site)
    (verdict,) = [pv.verdict for pv in screening.verdicts if pv.plugin == "flood"]
    assert verdict.decision == "reject"
    assert 5 * 60 < verdict.details["retry_after"] <= 6 * 60
    assert "6 minutes" in verdict.public_reason


def test_wrong_settings_name_the_field():
    with pytest.raises(PluginSettingsError, match=r"plugin 'flood': window_minutes"):
        load_settings(flood, {"window_minutes": 0})
