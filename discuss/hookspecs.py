"""The plugin contract: the only place where discuss hooks are declared.

Contract version: :data:`CONTRACT_VERSION`. Within a major version hooks and the
values they receive only gain arguments and fields; nothing is removed or renamed.

A plugin is any object or module with functions named after these hooks and
marked with :data:`hookimpl`. Implementations may accept any subset of a hook's
arguments, by name. See ``docs/plugins.md`` for the guide.

Plugins see values, never database rows: ``site`` is a :class:`discuss.SiteView`,
``comment`` a :class:`discuss.CommentView`, and so on (:mod:`discuss.values`).
Screening plugins that need the past ask ``history`` (:class:`discuss.History`).

Each plugin's implementation is called on its own, through pluggy, in pluggy's
order (``tryfirst``/``trylast``, then last registered first). Hook wrappers
(``wrapper=True``/``hookwrapper=True``) are refused at start-up.

Event hooks (``discuss_comment_*``, ``discuss_moderation_decided``) run after the
database transaction has committed, only for plugins enabled on the comment's
site, and receive the plugin's ``settings`` for that site like the screening hook
does. An event hook's exception is logged and never undoes what happened.

Plugin-level attributes (optional, on the module or object), checked at registration:

``name``
    the plugin's public name, the key of its settings in a site's configuration
    (default: the module's last dotted part). It must be unique.
``settings_schema``
    a marshmallow ``Schema`` class for the plugin's per-site settings. Every field
    must have a ``load_default`` so that an empty mapping loads to the defaults.
``enabled_by_default``
    ``False`` makes the plugin opt-in per site (default ``True``).
``timeout``
    seconds the plugin's screening may take before it counts as failed
    (default: the ``PLUGIN_TIMEOUT`` setting), at most 300.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import pluggy

if TYPE_CHECKING:  # pragma: no cover
    from .history import History
    from .submission import Submission
    from .values import ActionView, CommentView, ModeratorView, ReportView, SiteView
    from .verdict import Verdict

PROJECT = "discuss"
#: The plugin contract's version (``major.minor``); see ``docs/plugins.md``.
CONTRACT_VERSION = "1.2"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def discuss_screen_comment(
    submission: "Submission", site: "SiteView", settings: Mapping[str, Any], history: "History"
) -> "Verdict | None":
    """Judge a reply before it is stored or shown.

    Called once per enabled plugin for every reply (API, no-JS form, ``discuss
    screen``), before anything is written, inside an application context.

    :param submission: the reply (:class:`discuss.Submission`).
    :param site: the :class:`discuss.SiteView` it is posted to.
    :param settings: this plugin's settings for that site, loaded through its
        ``settings_schema`` (an empty mapping when it has none; read only).
    :param history: read-only questions about past comments and bans on that site
        (:class:`discuss.History`): recent activity by hashed IP or email, an
        active ban, whether an email has a published comment, recent bodies.
    :return: a :class:`discuss.Verdict`, or ``None`` for no opinion.

    Results combine strictest-first: reject > hold > publish. Every verdict is
    stored with the comment. An implementation that raises, or runs longer than
    its time budget, counts as ``hold`` with reason "plugin error".
    """


@hookspec
def discuss_comment_published(comment: "CommentView", site: "SiteView", settings: Mapping[str, Any]) -> None:
    """A comment became public: posted and published at once, or approved.

    Called after the transaction that published it has committed. Return values
    are ignored; an exception is logged and does not undo the publication.
    """


@hookspec
def discuss_comment_held(
    comment: "CommentView", site: "SiteView", reasons: list[str], settings: Mapping[str, Any]
) -> None:
    """A new comment was held for review; ``reasons`` are the holding plugins' reasons.

    Called after commit. Return values are ignored; exceptions are logged.
    """


@hookspec
def discuss_comment_rejected(
    comment: "CommentView", site: "SiteView", reasons: list[str], settings: Mapping[str, Any]
) -> None:
    """A reply was rejected by the plugins; it is kept (status ``rejected``) but never shown.

    Called after commit.
    Return values are ignored; exceptions are logged.
    """


@hookspec
def discuss_moderation_decided(
    comment: "CommentView",
    site: "SiteView",
    action: str,
    moderator: "ModeratorView",
    reason: str,
    record: "ActionView",
    settings: Mapping[str, Any],
) -> None:
    """A moderator decided a comment from the review queue or the moderation API.

    Called after the transaction that changed the comment has committed, once per
    decision (a bulk decision calls it once for each comment it changed).

    :param comment: the :class:`discuss.CommentView` in its new state.
    :param site: the comment's :class:`discuss.SiteView`.
    :param action: ``approve``, ``reject``, ``edit`` (edited and published),
        ``ban`` (author banned; a held or published comment is also rejected), ``delete`` or ``restore``.
    :param moderator: the :class:`discuss.ModeratorView` who decided.
    :param reason: the moderator's reason (may be empty, except for ``reject``).
    :param record: the audit entry (:class:`discuss.ActionView`) with
        ``before`` and ``after`` states.
    :param settings: this plugin's settings for the site.

    A decision that publishes the comment (approve, edit, restore) also fires
    ``discuss_comment_published`` after this hook. Return values are ignored;
    an exception is logged and does not undo the decision.
    """


@hookspec
def discuss_comment_reported(
    comment: "CommentView",
    site: "SiteView",
    report: "ReportView",
    hidden: bool,
    settings: Mapping[str, Any],
) -> None:
    """A reader reported a published comment (``POST /api/v1/comments/<id>/reports``).

    Called after the report has been committed.

    :param comment: the reported :class:`discuss.CommentView`, in its state after the report.
    :param site: the comment's :class:`discuss.SiteView`.
    :param report: the new :class:`discuss.ReportView` (``reason`` is one of
        ``spam``, ``abuse``, ``personal-data``, ``off-topic``, ``other``; ``note`` is free text).
    :param hidden: ``True`` when this report reached the site's ``REPORTS_TO_HIDE``
        threshold and hid the comment until a moderator decides (it is back in
        ``pending`` with ``hidden_by_reports`` set); ``False`` otherwise.
    :param settings: this plugin's settings for the site.

    Return values are ignored; an exception is logged and does not undo the report.
    """
