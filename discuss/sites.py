"""Sites: looking up the council site a request names."""

from __future__ import annotations

import sqlalchemy as sa

from .extensions import db
from .models import Site


def find_site(slug: str) -> Site | None:
    """The site called ``slug``, or ``None``."""
    return db.session.execute(sa.select(Site).filter_by(slug=slug)).scalar_one_or_none()
