"""The embed area: the widget script, the no-JavaScript thread page, the demo
council page and the per-thread Atom feeds, all on one blueprint.

- ``/embed.js`` and ``/embed.v<version>.js``: the widget (:mod:`.assets`)
- ``/embed/<site>/<key>``: the thread without JavaScript, and its form (:mod:`.pages`)
- ``/feeds/<site>/<key>.atom``: published comments, newest first (:mod:`.feeds`)
- ``/embed/i18n/<lang>.json``: the widget's words in one language (:mod:`.strings`)
- ``/demo``: a council blog post with the widget embedded (:mod:`.demo_page`)
"""

from typing import Any

from flask import Blueprint, current_app

bp = Blueprint("embed", __name__, template_folder="templates", static_folder="static",
               static_url_path="/embed/static")


def render(template: str, **context: Any) -> str:
    """Render one of our templates for the public.

    Unlike ``render_template`` this skips the app's context processors: these
    pages are the same for everyone, so there is no reason to load a session
    user (Flask-Login's processor) for them. Flask's globals (``url_for``,
    ``config``, ``request``) are still there.
    """
    from .assets import script_url

    context.setdefault("discuss_script_url", script_url)
    return current_app.jinja_env.get_template(template).render(**context)

from . import assets, demo_page, feeds, pages, strings  # noqa: E402,F401  (routes register on bp)

__all__ = ["bp"]
