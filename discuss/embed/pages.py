"""The discussion without JavaScript: ``/embed/<site>/<key>``.

A server-rendered page with the thread (from :func:`discuss.threads.read_thread`'s
tree) and a plain HTML form. The form posts form-encoded to the same URL; the
reply goes through exactly the API's rules (the :class:`~discuss.schemas.CommentCreate`
schema, :func:`~discuss.comments.submission_for`, :func:`~discuss.comments.post_comment`),
and this page turns the :class:`~discuss.comments.Outcome` into its own answer.
Published or held: 303 back to the page with the outcome (the pattern that
keeps a reload from posting again). Invalid or rejected: the page again, 422,
with the reason beside the field and the typed text kept.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import marshmallow as ma
from flask import Response, current_app, make_response, redirect, request, url_for

from ..bounds import parse_id
from ..clients import request_ip_hash
from .. import i18n, idempotency
from ..comments import HELD_MESSAGE, PUBLISHED_MESSAGE, InvalidReply, Outcome, post_comment, submission_for
from ..reports import MAX_NOTE_LENGTH, REASONS, ReportRefused, report_comment, reportable_site
from ..errors import APIError
from ..extensions import limiter
from ..models import Site
from ..headers import frame_ancestors
from ..origins import own_origin, public_url
from ..schemas import CommentCreate, iso_utc
from ..sites import find_site
from ..threads import BadKey, decode_cursor, normalise_key, read_thread
from ..transactions import end_read
from . import bp, form_tokens, render
from .strings import WIDGET_STRINGS

FORM_FIELDS = ("author_name", "author_email", "body", "parent_id", "website", "notify_replies")
FIELD_LABELS = {"author_name": i18n.lazy_gettext("Name"), "author_email": i18n.lazy_gettext("Email"),
                "body": i18n.lazy_gettext("Comment")}

# The page runs no script at all; it may only load our styles and post to us.
#: Framable by the service itself and the site's allowed origins (frame_ancestors), no one else.
PAGE_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'"


def thread_key(raw: str) -> str:
    try:
        return normalise_key(raw)
    except BadKey as exc:
        raise APIError(404, f"No such page: {exc}.", errors={"key": [str(exc)]}) from exc


def page_url(site: str, key: str, **query: Any) -> str:
    """The no-JS page of a thread (``key`` normalised, starting with ``/``)."""
    if key == "/":
        return url_for("embed.thread_page", site=site, **query)
    return url_for("embed.thread_page", site=site, key=key.lstrip("/"), **query)


def feed_url(site: str, key: str, external: bool = False) -> str:
    """The thread's Atom feed; ``external``: absolute, under ``PUBLIC_URL`` when set."""
    if key == "/":
        path = url_for("embed.thread_feed", site=site)
    else:
        path = url_for("embed.thread_feed", site=site, key=key.lstrip("/"))
    return public_url(path) if external else path


def safe_link(url: str) -> str | None:
    """A thread's page URL when it is safe to link to (http(s) or a local path)."""
    if url.startswith("/") and not url.startswith("//"):
        return url
    return url if urlsplit(url).scheme in ("http", "https") else None


def load_site(slug: str) -> Site:
    """The site, or 404 (an HTML page for a browser)."""
    site = find_site(slug)
    if site is None:
        raise APIError(404, f"No site called {slug!r}.", errors={"site": ["Unknown site."]})
    return site


def chosen_language() -> dict[str, str]:
    """``{"lang": ...}`` when the page was asked for in a language with ``?lang=``, so the
    page's own links and its form keep it; else nothing (the browser's language holds)."""
    lang = i18n.shipped(request.args.get("lang"))
    return {"lang": lang} if lang else {}


def _switch_urls(site: str, key: str) -> list[dict[str, str]]:
    """Links to this page in the other shipped languages."""
    return [{"lang": lang, "name": i18n.NAMES[lang], "url": page_url(site, key, lang=lang)}
            for lang in i18n.LANGUAGES if lang != i18n.current()]


@bp.get("/embed/<site>/", defaults={"key": ""}, endpoint="thread_page")
@bp.get("/embed/<site>/<path:key>", endpoint="thread_page")
def thread_page(site: str, key: str):
    """The thread and the reply form; ``?reply_to=<id>`` puts the form under a comment."""
    the_site = load_site(site)
    i18n.use(i18n.page_language(the_site.language))
    key = thread_key(key)
    reply_to = request.args.get("reply_to", type=int)
    return render_page(the_site, key, form={"parent_id": reply_to} if reply_to else {})


@bp.post("/embed/<site>/", defaults={"key": ""}, endpoint="post_reply")
@bp.post("/embed/<site>/<path:key>", endpoint="post_reply")
@limiter.limit(lambda: current_app.config["RATELIMIT_POST"], methods=["POST"])
def post_reply(site: str, key: str):
    """Post the form; 303 to the page with the outcome, or the page again with the problems."""
    the_site = load_site(site)
    i18n.use(i18n.page_language(the_site.language))
    key = thread_key(key)
    _from_own_page()
    form = {name: request.form.get(name, "") for name in FORM_FIELDS}
    try:
        nonce = form_tokens.check(request.form.get("token", ""), the_site.slug, key)
        # The token's nonce is the form's idempotency key: the same form sent again
        # (a retry after the connection dropped) answers its first outcome.
        claim = idempotency.claim(the_site.id, "form." + nonce, {"thread": key, **form})
        first = idempotency.earlier(claim) if claim is not None else None
        if first is not None:
            end_read()
            return _form_answer(the_site, key, form, first.status, first.response)
    except form_tokens.FormTokenError as exc:
        return render_page(the_site, key, form=form, errors={"token": [str(exc)]}, status=400)
    except idempotency.BadKey:  # the same form sent again with other words
        return render_page(the_site, key, form=form, errors={"token": [form_tokens.ALREADY_SENT]}, status=400)
    try:
        reply = CommentCreate().load(_reply_fields(form))
    except ma.ValidationError as exc:
        return render_page(the_site, key, form=form, errors=exc.normalized_messages(), status=422)
    submission = submission_for(the_site, key, reply, ip_hash=request_ip_hash(),
                                user_agent=request.headers.get("User-Agent", ""))

    def answer(posted) -> tuple[int, dict[str, Any]]:
        # In the reply's transaction: its outcome under the nonce, and the nonce spent.
        status, response = _outcome(the_site, key, posted)
        if claim is not None:
            idempotency.remember(claim, status, response)
        form_tokens.spend_nonce(nonce)
        return status, response

    try:
        posted = post_comment(current_app.extensions["discuss"], the_site, submission, answer=answer,
                              watch_replies=reply.get("notify_replies", False))
    except InvalidReply as exc:  # a parent that is not there, or a closed thread (403)
        return render_page(the_site, key, form=form, errors={exc.field: [exc.message]},
                           status=exc.code)
    except form_tokens.FormTokenError as exc:  # spent before this service kept outcomes
        return render_page(the_site, key, form=form, errors={"token": [str(exc)]}, status=400)
    except idempotency.KeyTaken:  # the same form, sent twice at once: the first one's outcome
        first = idempotency.earlier(claim) if claim is not None else None
        end_read()
        if first is None:
            raise
        return _form_answer(the_site, key, form, first.status, first.response)
    return _form_answer(the_site, key, form, *posted.answer)


@bp.post("/embed/<site>/-/report", endpoint="post_report")
@limiter.limit(lambda: current_app.config["RATELIMIT_REPORT"], key_func=request_ip_hash, methods=["POST"])
def post_report(site: str):
    """Report a comment from the page: 303 back to it with thanks, or the form again with the problem."""
    the_site = load_site(site)
    i18n.use(i18n.page_language(the_site.language))
    _from_own_page()
    try:
        key = normalise_key(request.form.get("thread", ""))
    except BadKey as exc:
        raise APIError(422, "Which discussion is this report about?", errors={"thread": [str(exc)]}) from exc
    comment_id = parse_id(request.form.get("comment", ""))
    owner = reportable_site(comment_id) if comment_id is not None else None
    if owner is None or owner.id != the_site.id:
        raise APIError(404, "No published comment to report.", errors={"comment": ["Unknown comment."]})
    report = {"comment": comment_id, "reason": request.form.get("reason", ""), "note": request.form.get("note", "")}
    try:
        form_tokens.check(request.form.get("token", ""), the_site.slug, key)
    except form_tokens.FormTokenError as exc:
        return render_page(the_site, key, form={}, report=report, report_errors={"token": [str(exc)]}, status=400)
    if report["reason"] not in REASONS:
        return render_page(the_site, key, form={}, report=report,
                           report_errors={"reason": [REPORT_CHOOSE]}, status=422)
    try:
        report_comment(current_app.extensions["discuss"], comment_id, report["reason"], report["note"],
                       request_ip_hash())
    except ReportRefused as exc:  # an over-long note (422), or the comment went meanwhile (404)
        if exc.code == 404:
            raise APIError(404, exc.message, errors={"comment": [exc.message]}) from exc
        return render_page(the_site, key, form={}, report=report, report_errors={exc.field: [exc.message]},
                           status=exc.code)
    return redirect(page_url(the_site.slug, key, reported=comment_id, **chosen_language()), 303)


#: What the no-JS page says after a report, and when no reason was chosen: the widget's words.
REPORT_THANKS = WIDGET_STRINGS["report_thanks"]
REPORT_CHOOSE = WIDGET_STRINGS["report_choose"]


def _from_own_page() -> None:
    """The page's forms are sent from the page itself: a browser's Origin from elsewhere is refused."""
    origin = request.headers.get("Origin")
    if origin and origin != "null" and origin != own_origin():
        raise APIError(403, i18n.N_("This form can only be sent from this site's own page."),
                       errors={"origin": [f"{origin} may not post this form."]})


def _outcome(site: Site, key: str, posted) -> tuple[int, dict[str, Any]]:
    """What the form answers for a stored reply, shaped inside its transaction."""
    if posted.outcome is Outcome.REJECTED:
        return 422, {"errors": {"body": [i18n.public_text(posted.public_reason)]}}
    if posted.outcome is Outcome.PUBLISHED:
        target = page_url(site.slug, key, posted="published", comment=posted.comment.id, **chosen_language())
    else:  # held, or silently refused: the author is told the same
        target = page_url(site.slug, key, posted="held", **chosen_language())
    return 303, {"location": target}


def _form_answer(site: Site, key: str, form: dict[str, str], status: int, response: dict[str, Any]) -> Response:
    if status == 303:
        # The outcome box takes focus itself (autofocus); a fragment here would cancel that.
        return redirect(response["location"], 303)
    return render_page(site, key, form=form, errors=response.get("errors") or {}, status=status)


def _reply_fields(form: dict[str, str]) -> dict[str, Any]:
    """The form's strings in the API's shapes: the API takes ``parent_id`` as a number."""
    data: dict[str, Any] = {name: value for name, value in form.items() if name != "parent_id"}
    if not data.get("notify_replies"):  # an unticked checkbox sends nothing
        data.pop("notify_replies", None)
    parent = form.get("parent_id", "").strip()
    if parent:
        # Not an id (superscript digits, 5,000 digits, over MAX_ID): the schema names parent_id.
        data["parent_id"] = parse_id(parent) or parent
    return data


def render_page(site: Site, key: str, *, form: dict[str, Any], errors: dict[str, Any] | None = None,
                status: int = 200, report: dict[str, Any] | None = None,
                report_errors: dict[str, Any] | None = None) -> Response:
    config = current_app.config
    cursor = request.args.get("cursor") if request.method == "GET" else None
    try:
        after_root = decode_cursor(cursor) if cursor else None
    except ValueError:
        after_root = None
    page = read_thread(site.slug, key, limit=config["THREAD_PAGE_SIZE"], after_root=after_root,
                       max_comments=config["THREAD_PAGE_COMMENTS"])
    end_read()
    if page is None:  # the site went away since the request began
        raise APIError(404, f"No site called {site.slug!r}.", errors={"site": ["Unknown site."]})
    errors = {name: [i18n.public_text(m) for m in (msgs if isinstance(msgs, list) else [msgs])]
              for name, msgs in (errors or {}).items()}
    parent = _find(page.comments, form.get("parent_id"))
    lang = chosen_language()
    outcome = None
    if request.method == "GET" and request.args.get("posted") == "published":
        outcome = {"kind": "ok", "text": i18n.public_text(PUBLISHED_MESSAGE),
                   "comment": request.args.get("comment", type=int)}
    elif request.method == "GET" and request.args.get("posted") == "held":
        outcome = {"kind": "held", "text": i18n.public_text(HELD_MESSAGE), "comment": None}
    elif request.method == "GET" and request.args.get("reported", type=int):
        outcome = {"kind": "ok", "text": i18n.public_text(REPORT_THANKS), "comment": None}
    if report is None and request.method == "GET" and request.args.get("report", type=int):
        report = {"comment": request.args.get("report", type=int), "reason": "", "note": ""}
    reporting = _find(page.comments, report.get("comment")) if report else None
    html = render(
        "embed/thread.html",
        site=site, key=key, thread=page.thread, comments=page.comments,
        next_url=page_url(site.slug, key, cursor=page.next_cursor, **lang) if page.next_cursor else None,
        back_link=safe_link(page.thread.get("url") or ""),
        form=form, errors=errors, field_labels=FIELD_LABELS, parent=parent, outcome=outcome,
        token=form_tokens.issue(site.slug, key),
        # No fragment: a fragment would cancel the error summary's autofocus.
        action=page_url(site.slug, key, **lang),
        cancel_url=page_url(site.slug, key, **lang) + "#reply",
        reply_url=lambda comment_id: page_url(site.slug, key, reply_to=comment_id, **lang) + "#reply",
        report_url=lambda comment_id: page_url(site.slug, key, report=comment_id, **lang) + "#report",
        report_action=url_for("embed.post_report", site=site.slug, **lang),
        report=report or {}, reporting=reporting, report_reasons=[
            (reason, i18n.public_text(WIDGET_STRINGS[f"reason_{reason}"])) for reason in REASONS],
        report_errors={name: [i18n.public_text(m) for m in messages]
                       for name, messages in (report_errors or {}).items()},
        max_note_length=MAX_NOTE_LENGTH,
        feed=feed_url(site.slug, key) + (f"?lang={lang['lang']}" if lang else ""),
        language=i18n.current(),
        other_languages=_switch_urls(site.slug, key),
        privacy_notice=i18n.public_text(page.thread.get("privacy_notice")),
        iso_utc=iso_utc,
    )
    response = make_response(html, status)
    response.headers["Content-Security-Policy"] = f"{PAGE_CSP}; {frame_ancestors(site.allowed_origins or [])}"
    response.headers["Cache-Control"] = "no-store"  # carries a one-time token
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Language"] = i18n.current()
    response.vary.add("Accept-Language")
    return form_tokens.remember_browser(response)


def _find(comments: list[dict[str, Any]], wanted: Any) -> dict[str, Any] | None:
    """The published comment with id ``wanted`` in a tree, if it is shown on this page."""
    try:
        wanted = int(wanted)
    except (TypeError, ValueError):
        return None
    for comment in comments:
        if comment["id"] == wanted and not comment.get("removed"):
            return comment
        found = _find(comment["replies"], wanted)
        if found:
            return found
    return None
