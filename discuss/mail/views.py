"""The links in residents' mail: ``/mail/confirm/<token>`` and ``/mail/unsubscribe/<token>``.

GET shows a small page with one button (so a mail scanner that fetches links
changes nothing); POST does it. The unsubscribe POST is also RFC 8058's
one-click endpoint: a mail client posts ``List-Unsubscribe=One-Click`` with no
session and no CSRF token, the signed token in the URL being the authority.
A link that cannot be used answers 4xx naming the problem (a page for a
browser, the error shape for JSON); a used link used again says so, harmlessly.
"""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, request

from .. import i18n
from ..errors import APIError
from ..i18n import N_, gettext as _
from ..transactions import end_read
from . import subscriptions
from .tokens import LinkError

bp = Blueprint("mail", __name__, template_folder="templates")

PAGE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
            "frame-ancestors 'none'")

#: What each outcome's page says.
SAID = {
    subscriptions.CONFIRMED: N_("Thank you: you will be emailed when someone replies to your comments. "
                                "Every email has a link to stop them."),
    subscriptions.ALREADY_CONFIRMED: N_("This address is already confirmed: nothing has changed. You will be "
                                        "emailed when someone replies to your comments."),
    subscriptions.UNSUBSCRIBED: N_("You are unsubscribed: we will not email you about replies any more."),
    subscriptions.ALREADY_UNSUBSCRIBED: N_("This address is already unsubscribed: nothing has changed. We will "
                                           "not email you about replies."),
}


def _refused(error: LinkError):
    """4xx naming the problem: the error shape for JSON, else our small page."""
    end_read()
    message = i18n.public_text(error.message)
    if _wants_json():
        raise APIError(error.code, message, errors={"token": [message]})
    return _page(title=_("This link cannot be used"), text=message, status=error.code)


def _use_language(recipient) -> None:
    asked = i18n.shipped(request.args.get("lang"))
    i18n.use(asked or (recipient.language if recipient is not None else i18n.page_language(None)))


def _page(*, title: str, text: str, button: str | None = None, status: int = 200, outcome: str | None = None):
    if outcome is not None and _wants_json():
        response = make_response({"outcome": outcome, "message": text}, status)
    else:
        response = make_response(_render(title=title, text=text, button=button), status)
        response.headers["Content-Security-Policy"] = PAGE_CSP
        response.headers["Content-Language"] = i18n.current()
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    return response


def _render(**context) -> str:
    # As the embed pages: no context processors (nothing here is per person but the token).
    return current_app.jinja_env.get_template("mail/page.html").render(language=i18n.current(), **context)


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


@bp.route("/mail/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """GET: a page with a button to confirm; POST: confirm the address."""
    i18n.use(i18n.page_language(None))
    try:
        if request.method == "GET":
            recipient, already = subscriptions.check_confirm(token)
            _use_language(recipient)
            end_read()
            if already:
                return _page(title=_("Reply notifications"), text=i18n.public_text(SAID[already]))
            return _page(title=_("Confirm reply notifications"),
                         text=_("Press the button to be emailed when someone replies to your comments."),
                         button=_("Confirm"))
        recipient, outcome = subscriptions.confirm(token)
    except LinkError as error:
        return _refused(error)
    _use_language(recipient)
    end_read()
    return _page(title=_("Reply notifications"), text=i18n.public_text(SAID[outcome]), outcome=outcome)


@bp.route("/mail/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """GET: a page with a button to unsubscribe; POST (one-click, RFC 8058): unsubscribe."""
    i18n.use(i18n.page_language(None))
    try:
        recipient, already = subscriptions.check_unsubscribe(token)
        _use_language(recipient)
        if request.method == "GET":
            end_read()
            if already:
                return _page(title=_("Reply notifications"), text=i18n.public_text(SAID[already]))
            return _page(title=_("Stop reply notifications"),
                         text=_("Press the button to stop every email about replies to your comments."),
                         button=_("Unsubscribe"))
        outcome = subscriptions.unsubscribe(token)
    except LinkError as error:
        return _refused(error)
    end_read()
    return _page(title=_("Reply notifications"), text=i18n.public_text(SAID[outcome]), outcome=outcome)
