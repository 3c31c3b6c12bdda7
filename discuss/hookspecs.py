"""The plugin contract: the only place where discuss hooks are declared.

A plugin is any object or module with functions named after these hooks and
marked with :data:`hookimpl`. Implementations may accept any subset of a hook's
arguments, by name. See ``docs/plugins.md`` for the guide.

Event hooks (``discuss_comment_*``) run after the database transaction has
committed, only for plugins enabled on the comment's site, and receive the
plugin's ``settings`` for that site like the screening hook does. An event
hook's exception is logged and never undoes what happened.

Plugin-level attributes (optional, on the module or object):

``settings_schema``
    a marshmallow ``Schema`` class for the plugin's per-site settings. Every field
    should have a ``load_default`` so that an empty mapping loads to the defaults.
``enabled_by_default``
    ``False`` makes the plugin opt-in per site (default ``True``).
``timeout``
    seconds the plugin's screening may take before it counts as failed
    (default: the ``PLUGIN_TIMEOUT`` setting).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import pluggy

if TYPE_CHECKING:  # pragma: no cover
    from .models import Comment, ModeratorAction, Report, Site
    from .submission import Submission
    from .verdict import Verdict

PROJECT = "discuss"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def discuss_screen_comment(
    submission: "Submission", site: "Site", settings: Mapping[str, Any]
) -> "Verdict | None":
    """Judge a reply before it is stored or shown.

    Called once per enabled plugin for every reply (API, no-JS form, ``discuss
    screen``), before anything is written, inside an application context.

    :param submission: the reply (:class:`discuss.Submission`).
    :param site: the :class:`discuss.models.Site` it is posted to (read only).
    :param settings: this plugin's settings for that site, loaded through its
        ``settings_schema`` (an empty mapping when it has none).
    :return: a :class:`discuss.Verdict`, or ``None`` for no opinion.

    Results combine strictest-first: reject > hold > publish. Every verdict is
    stored with the comment. An implementation that raises, or runs longer than
    its time budget, counts as ``hold`` with reason "plugin error".
    """


@hookspec
def discuss_comment_published(comment: "Comment", site: "Site", settings: Mapping[str, Any]) -> None:
    """A comment became public: posted and published at once, or approved.

    Called after the transaction that published it has committed. Return values
    are ignored; an exception is logged and does not undo the publication.
    """


@hookspec
def discuss_comment_held(
    comment: "Comment", site: "Site", reasons: list[str], settings: Mapping[str, Any]
) -> None:
    """A new comment was held for review; ``reasons`` are the holding plugins' reasons.

    Called after commit. Return values are ignored; exceptions are logged.
    """


@hookspec
def discuss_comment_rejected(
    comment: "Comment", site: "Site", reasons: list[str], settings: Mapping[str, Any]
) -> None:
    """A reply was rejected by the plugins; it is kept (status ``rejected``) but never shown.

    Called after commit.
    Return values are ignored; exceptions are logged.
    """
