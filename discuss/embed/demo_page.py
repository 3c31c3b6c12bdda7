"""``/demo``: the seed post as a council blog page, with the widget embedded.

The demo site and thread are created on the first visit when ``discuss demo
load`` has not been run, so ``discuss init-db && discuss serve`` is enough.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, make_response, request, url_for
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from .. import i18n
from ..demo import DEMO_KEY, DEMO_SITE, load_demo, read_seed
from ..extensions import db
from ..models import PUBLISHED, Comment, Site, Thread
from ..transactions import end_read
from . import bp, render

# The demo page runs only our widget and talks only to us.
DEMO_CSP = ("default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'self'")


def ensure_demo() -> int:
    """Load the demo discussion unless it is there; return its published comment count."""
    count = _published_count()
    if count is None:
        try:
            load_demo()
        except IntegrityError:  # another request loaded it at the same moment (rolled back)
            pass
        count = _published_count() or 0
    end_read()
    return count


def _published_count() -> int | None:
    row = db.session.execute(
        sa.select(Thread.id, sa.func.count(Comment.id).filter(Comment.status == PUBLISHED))
        .join(Site, Site.id == Thread.site_id)
        .outerjoin(Comment, Comment.thread_id == Thread.id)
        .where(Site.slug == DEMO_SITE, Thread.key == DEMO_KEY)
        .group_by(Thread.id)
    ).first()
    return None if row is None else row[1]


def is_subheading(paragraph: str) -> bool:
    """The seed post's section titles are short lines without closing punctuation."""
    return len(paragraph) < 70 and not paragraph.rstrip().endswith((".", "!", "?", ",", ";", ":"))


@bp.get("/demo")
def demo_page():
    """The demo council blog post, with its discussion embedded; ``?lang=cy`` embeds it in Welsh.

    The post itself is the council's English page; only the discussion changes
    language (``data-discuss-lang``), which is what a council's Welsh page would do.
    """
    if not current_app.config["DEMO_PAGE"]:
        abort(404)
    try:
        count = ensure_demo()
    except (OperationalError, ProgrammingError):
        end_read()
        current_app.logger.exception("demo: the database is not ready")
        html = render("embed/demo_unavailable.html")
        response = make_response(html, 503)
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"
        return response
    post = read_seed()
    language = i18n.shipped(request.args.get("lang")) or i18n.DEFAULT_LANGUAGE
    html = render(
        "embed/demo.html", post=post, count=count, site=DEMO_SITE, key=DEMO_KEY,
        is_subheading=is_subheading, language=language,
        # The switch: each other language, named in itself.
        switch=[{"lang": lang, "name": i18n.NAMES[lang], "url": url_for("embed.demo_page", lang=lang)}
                for lang in i18n.LANGUAGES if lang != language],
        no_js_url=url_for("embed.thread_page", site=DEMO_SITE, key=DEMO_KEY.lstrip("/"),
                          lang=language if request.args.get("lang") else None),
    )
    response = make_response(html)
    response.headers["Content-Security-Policy"] = DEMO_CSP
    return response
