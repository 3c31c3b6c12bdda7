"""Moderators: the review queue UI (``/moderation/``), its JSON API, reports and the audit log.

:func:`register_review` wires the HTML blueprint, the moderation and reports
API blueprints and the bearer-token security scheme into the app.
"""

from __future__ import annotations

from flask import Flask


def register_review(app: Flask, api) -> None:
    """Register the moderation UI and the moderation and reports APIs on ``app``."""
    from ..api.moderation import blp as moderation_blp
    from ..api.reports import blp as reports_blp
    from ..extensions import csrf
    from .views import bp

    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer",
                       "description": "A moderator's API token: `discuss moderators token EMAIL`."})
    api.register_blueprint(moderation_blp)
    api.register_blueprint(reports_blp)
    # Token-authenticated and public JSON: no cookies, so no CSRF to forge.
    csrf.exempt(moderation_blp)
    csrf.exempt(reports_blp)
    app.register_blueprint(bp)
