"""The first-time commenters plugin (opt-in): an email never approved before holds."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from discuss.extensions import db
from discuss.models import PUBLISHED, Comment
from discuss.plugins import PluginSettingsError
from discuss.testing import load_settings
from discuss_builtins import first_time
from tests.plugin_helpers import configure, post_as


def approve_all() -> None:
    db.session.execute(sa.update(Comment).values(status=PUBLISHED))
    db.session.commit()


def test_off_unless_a_site_opts_in(client, site):
    assert post_as(client, "first words", email="new@example.org").status_code == 201


def test_new_email_holds_until_one_comment_is_approved(client, site):
    configure(site, "first_time", enabled=True)
    assert post_as(client, "first words", email="new@example.org").status_code == 202
    assert post_as(client, "second words", email="new@example.org").status_code == 202
    approve_all()
    assert post_as(client, "third words", email="NEW@example.org").status_code == 201


def test_without_email_holds_unless_told_not_to(client, site):
    configure(site, "first_time", enabled=True)
    assert post_as(client, "anonymous").status_code == 202
    configure(site, "first_time", enabled=True, hold_without_email=False)
    assert post_as(client, "anonymous again").status_code == 201


def test_scope_site_ignores_approvals_elsewhere(client, site):
    from discuss.models import Site

    other = Site(slug="other", name="Other", allowed_origins=[], moderation={})
    db.session.add(other)
    db.session.commit()
    assert post_as(client, "hello", email="known@example.org",
                   url="/api/v1/sites/other/threads/x").status_code == 201
    configure(site, "first_time", enabled=True)
    assert post_as(client, "hello here", email="known@example.org").status_code == 202
    configure(site, "first_time", enabled=True, scope="all")
    assert post_as(client, "hello again", email="known@example.org").status_code == 201


def test_wrong_settings_name_the_field():
    with pytest.raises(PluginSettingsError, match=r"plugin 'first_time': scope"):
        load_settings(first_time, {"scope": "galaxy"})
