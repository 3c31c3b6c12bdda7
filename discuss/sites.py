"""Sites: looking up the council site a request names."""

from __future__ import annotations

import re

import sqlalchemy as sa

from .extensions import db
from .models import Site


#: Built once (every request that names a site asks it): the compiled cache serves it.
_BY_SLUG = sa.select(Site).where(Site.slug == sa.bindparam("slug"))


def find_site(slug: str) -> Site | None:
    """The site called ``slug``, or ``None``."""
    return db.session.execute(_BY_SLUG, {"slug": slug}).scalar_one_or_none()


SLUG_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


def valid_slug(slug: str) -> bool:
    """Whether ``slug`` can name a site: 1-64 lower-case letters, digits and hyphens."""
    return bool(SLUG_PATTERN.fullmatch(slug))
