"""The review queue in the browser: ``/moderation/``.

Server-rendered pages and plain HTML forms (every one carries Flask-WTF's CSRF
token); a small script adds keyboard shortcuts but nothing needs it. Views parse
the form, call :mod:`discuss.decisions` or the queue and audit readers, and
redirect back with a message (post/redirect/get).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import (
    Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from ..auth import SignedIn, authenticate, end_sessions, is_admin, visible_sites
from ..bounds import MAX_YEAR, MIN_YEAR, parse_count, parse_id
from ..decisions import BanRequest, DecisionRefused, decide, decide_many
from ..errors import APIError
from ..extensions import db, limiter, login_manager
from ..i18n import N_, gettext as _, ngettext
from ..models import PENDING, PUBLISHED, Moderator, utcnow
from ..schemas import AuditEntryOut
from ..transactions import end_read, writing
from .audit import AuditFilterError, AuditFilters, csv_response, load_audit
from ..labels import KNOWN_CATEGORIES
from .queue import ORDERS, STATUSES, QueueFilterError, QueueFilters, highlight, load_item, load_queue, spans_of

bp = Blueprint("review", __name__, url_prefix="/moderation", template_folder="templates",
               static_folder="static")

#: The longest ban the form can set, in days (longer: leave it empty for good).
MAX_BAN_DAYS = 36_500

#: Reasons offered when rejecting from the queue (the detail page takes any text).
REJECT_REASONS = (
    "Breaks the house rules",
    "Spam or advertising",
    "Abusive or offensive",
    "Contains personal data",
    "Off-topic",
)

#: The templates show audit entries as the API writes them (date-times as ISO text).
AUDIT_ROWS = AuditEntryOut(many=True)

# What each decision's flash message says (the moderation catalogue translates them).
_VERB = {"approve": N_("Approved comment %(id)s (now %(status)s)."),
         "reject": N_("Rejected comment %(id)s (now %(status)s)."),
         "edit": N_("Edited and published comment %(id)s (now %(status)s)."),
         "ban": N_("Banned the author of comment %(id)s (now %(status)s)."),
         "delete": N_("Deleted comment %(id)s (now %(status)s)."),
         "restore": N_("Restored comment %(id)s (now %(status)s).")}


def _bulk_done(action: str, count: int) -> str:
    """The flash message after a bulk decision (only approve and reject can be bulk)."""
    if action == "approve":
        return ngettext("Approved %(num)d comment.", "Approved %(num)d comments.", count)
    return ngettext("Rejected %(num)d comment.", "Rejected %(num)d comments.", count)


@login_manager.unauthorized_handler
def _unauthorized():
    # A page asks to sign in; a form posted without a session (expired, or forged
    # elsewhere) is refused outright: it cannot be replayed after signing in anyway.
    if request.method == "GET":
        flash(_("Please sign in to moderate."), "info")
        return redirect(url_for("review.login", next=request.full_path.rstrip("?")))
    raise APIError(401, "Please sign in to moderate.")


@bp.app_template_filter("when")
def _when(value: datetime | None) -> str:
    return value.strftime("%d %b %Y %H:%M") if value else ""


@bp.app_template_global("changed_rows")
def _changed_rows(before: dict, after: dict) -> list[tuple[str, Any, Any]]:
    """An admin change's before/after as rows ``(dotted key, before, after)``; a side without
    the key is ``None``. Nested mappings are opened (``flood.max_per_ip``)."""
    missing = object()
    rows: list[tuple[str, Any, Any]] = []

    def walk(prefix: str, old: Any, new: Any) -> None:
        if isinstance(old, dict) or isinstance(new, dict):
            old_map = old if isinstance(old, dict) else {}
            new_map = new if isinstance(new, dict) else {}
            if (old is missing or isinstance(old, dict)) and (new is missing or isinstance(new, dict)):
                for key in sorted(set(old_map) | set(new_map), key=str):
                    walk(f"{prefix}.{key}" if prefix else str(key), old_map.get(key, missing),
                         new_map.get(key, missing))
                return
        rows.append((prefix, None if old is missing else old, None if new is missing else new))

    walk("", before or {}, after or {})
    return rows


@bp.app_template_filter("audit_value")
def _audit_value(value: Any) -> str:
    """A before/after value of an admin change, as short readable text (JSON for structures)."""
    if isinstance(value, str):
        return value
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True)


# -- signing in --------------------------------------------------------------------

def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _login_account_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN_ACCOUNT"]


def _login_account() -> str:
    """The account a sign-in is for, so guesses spread over many addresses still add up."""
    return "login-account:" + request.form.get("email", "").strip().lower()[:320]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_account_limit, key_func=_login_account, methods=["POST"],
               deduct_when=lambda response: response.status_code == 401)
def login():
    """Sign in with email and password; throttled per address, and per account on failures."""
    target = _safe_next(request.values.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(target)
    if request.method == "GET":
        return render_template("review/login.html", next=target, email="")
    email = request.form.get("email", "").strip()
    moderator = authenticate(email, request.form.get("password", ""))
    if moderator is None:
        flash(_("That email and password do not match an active moderator."), "error")
        return render_template("review/login.html", next=target, email=email), 401
    session.clear()  # no session fixation: a fresh session for the signed-in moderator
    session.permanent = True  # ends after SESSION_LIFETIME_HOURS
    login_user(SignedIn(moderator))
    return redirect(target)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        moderator_id = current_user.moderator.id
        with writing():  # every copy of this session's cookie stops working too
            end_sessions(db.session.get(Moderator, moderator_id))
    logout_user()
    session.clear()
    flash(_("Signed out."), "info")
    return redirect(url_for("review.login"))


# -- the queue -------------------------------------------------------------------

@bp.route("/", methods=["GET"])
@login_required
def queue():
    """Held and reported comments, oldest first, with filters and a cursor."""
    moderator = current_user.moderator
    args = request.args
    error = None
    page = None
    try:
        filters = QueueFilters(
            site=args.get("site") or None, thread=args.get("thread") or None,
            plugin=args.get("plugin") or None, reason=args.get("reason") or None,
            category=args.get("category") or None, status=args.get("status") or "all", order=args.get("order") or "oldest",
            since=_day(args.get("since"), "since"), until=_day(args.get("until"), "until", end=True),
        )
        page = load_queue(moderator, filters, cursor=args.get("cursor") or None)
    except QueueFilterError as exc:
        if exc.code == 403:
            abort(403)
        error = f"{exc.field}: {exc.message}"
    html = render_template(
        "review/queue.html", page=page, error=error, args=args, statuses=STATUSES, orders=ORDERS,
        sites=visible_sites(moderator), plugins=[info.name for info in current_app.extensions["discuss"].infos()],
        categories=KNOWN_CATEGORIES, reject_reasons=REJECT_REASONS, highlight=highlight, spans_of=spans_of,
        here=request.full_path.rstrip("?"),
        first_url=_with_cursor(None) if args.get("cursor") else None,
        next_url=_with_cursor(page.next_cursor) if page and page.next_cursor else None,
    )
    end_read()
    return html, (422 if error else 200)


@bp.route("/comments/<int:comment_id>", methods=["GET"])
@login_required
def comment(comment_id: int):
    """One comment: context, verdicts, reports, edit and ban forms, and its audit history."""
    moderator = current_user.moderator
    try:
        item = load_item(moderator, comment_id)
    except QueueFilterError:
        abort(403)
    if item is None:
        abort(404)
    history = AUDIT_ROWS.dump(load_audit(moderator, AuditFilters(comment_id=comment_id), limit=500).entries)
    html = render_template(
        "review/comment.html", item=item, history=history, highlight=highlight, spans_of=spans_of,
        reject_reasons=REJECT_REASONS, is_admin=is_admin(moderator), PENDING=PENDING, PUBLISHED=PUBLISHED,
        next=_safe_next(request.args.get("next")),
    )
    end_read()
    return html


@bp.route("/comments/<int:comment_id>/decide", methods=["POST"])
@login_required
def decide_one(comment_id: int) -> Response:
    """Apply one decision from a queue item or the comment page, then go back."""
    form = request.form
    target = _safe_next(form.get("next"))
    version = parse_id(form.get("version"))
    if version is None:
        abort(400)
    action = form.get("action", "")
    reason = (form.get("reason_text") or "").strip() or form.get("reason", "")
    try:
        ban = _ban_request(form) if action == "ban" else None
        made = decide(current_app.extensions["discuss"], comment_id, current_user.moderator, action,
                      expected_version=version, reason=reason, body=form.get("body"), ban=ban)
    except DecisionRefused as refused:
        if refused.code in (403, 404):
            abort(refused.code)
        flash(refused.message, "error")
        return redirect(target, code=303)
    flash(_(_VERB[action], id=comment_id, status=made.comment.status), "ok")
    return redirect(target, code=303)


@bp.route("/bulk", methods=["POST"])
@login_required
def bulk() -> Response:
    """Approve or reject the selected queue items (each ``id:version``)."""
    form = request.form
    target = _safe_next(form.get("next"))
    items = []
    for value in form.getlist("selected"):
        id_text, _sep, version_text = value.partition(":")
        comment_id, version = parse_id(id_text), parse_id(version_text)
        if comment_id is None or version is None:
            abort(400)
        items.append((comment_id, version))
    if not items:
        flash(_("Select some comments first (x, or the tick boxes)."), "error")
        return redirect(target, code=303)
    reason = (form.get("reason_text") or "").strip() or form.get("reason", "")
    try:
        outcomes = decide_many(current_app.extensions["discuss"], items, current_user.moderator,
                               form.get("action", ""), reason=reason)
    except DecisionRefused as refused:
        flash(refused.message, "error")
        return redirect(target, code=303)
    done = [o.comment_id for o in outcomes if o.decision is not None]
    if done:
        flash(_bulk_done(form["action"], len(done)), "ok")
    for outcome in outcomes:
        if outcome.refused is not None:
            flash(_("Comment %(id)s: %(message)s", id=outcome.comment_id, message=outcome.refused.message), "error")
    return redirect(target, code=303)


# -- the audit log ---------------------------------------------------------------

def _audit_filters() -> AuditFilters:
    args = request.args
    comment_id = args.get("comment_id") or None
    if comment_id is not None and parse_id(comment_id) is None:
        raise AuditFilterError("comment_id", "Must be a comment number.")
    return AuditFilters(comment_id=parse_id(comment_id) if comment_id else None,
                        moderator=args.get("moderator") or None,
                        since=_day(args.get("since"), "since"))


@bp.route("/audit", methods=["GET"])
@login_required
def audit():
    """Every decision and automatic hide the moderator may see, newest first."""
    moderator = current_user.moderator
    error, page = None, None
    cursor = request.args.get("cursor")
    try:
        filters = _audit_filters()
        page = load_audit(moderator, filters, before_id=parse_id(cursor))
    except (AuditFilterError, QueueFilterError) as exc:
        if exc.code in (403, 404):
            abort(exc.code)
        error = f"{exc.field}: {exc.message}"
    if page is not None:
        page = replace(page, entries=AUDIT_ROWS.dump(page.entries))
    csv_args = {k: v for k, v in request.args.items() if k != "cursor" and v}
    html = render_template("review/audit.html", page=page, error=error, args=request.args, csv_args=csv_args,
                           next_url=_with_cursor(page.next_cursor) if page and page.next_cursor else None)
    end_read()
    return html, (422 if error else 200)


@bp.route("/audit.csv", methods=["GET"])
@login_required
def audit_csv():
    try:
        filters = _audit_filters()
        load_audit(current_user.moderator, filters, limit=1)
    except (AuditFilterError, QueueFilterError) as exc:
        abort(exc.code, f"{exc.field}: {exc.message}")
    return csv_response(current_user.moderator, filters)


# -- helpers -----------------------------------------------------------------------

def _with_cursor(cursor: Any) -> str:
    """This page's URL with the same filters and another cursor (none: the first page)."""
    args = {k: v for k, v in request.args.items() if k != "cursor"}
    if cursor is not None:
        args["cursor"] = cursor
    return url_for(request.endpoint, **args)


def _safe_next(value: str | None) -> str:
    """A redirect target inside this service's moderation pages, else the queue."""
    if value and value.startswith("/moderation") and not value.startswith("//") and "\\" not in value:
        return value
    return url_for("review.queue")


def _day(value: str | None, field: str, *, end: bool = False) -> datetime | None:
    """A ``YYYY-MM-DD`` form date as midnight UTC; ``end`` means the day after (an exclusive bound)."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise QueueFilterError(field, "Use a date like 2026-05-01.") from exc
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise QueueFilterError(field, f"Use a year from {MIN_YEAR} to {MAX_YEAR}.")
    return datetime.combine(day + timedelta(days=1) if end else day, time())


def _ban_request(form: Any) -> BanRequest:
    text = (form.get("ban_days") or "").strip()
    days = parse_count(text, MAX_BAN_DAYS) if text else 0
    if days is None:
        raise DecisionRefused(422, f"The ban length is a number of days, at most {MAX_BAN_DAYS} "
                              "(leave it empty for good).", field="ban_days")
    return BanRequest(
        email=bool(form.get("ban_email")),
        ip=bool(form.get("ban_ip")),
        expires_at=utcnow() + timedelta(days=days) if days > 0 else None,
        all_sites=bool(form.get("ban_all_sites")),
    )
