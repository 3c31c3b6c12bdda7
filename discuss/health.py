"""``/healthz``: is the service up and can it reach its database."""

import sqlalchemy as sa
from flask import Blueprint

from .extensions import db
from .transactions import end_read

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the database answers, 503 otherwise."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        return {"status": "unavailable", "database": type(exc).__name__}, 503
    finally:
        end_read()
    return {"status": "ok"}, 200
