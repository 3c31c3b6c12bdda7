"""Admin pages for sites: the list, one site's page, create and edit."""

from __future__ import annotations

from flask import redirect, render_template, url_for

from ..transactions import end_read
from . import bp
from .access import admin_area, administered_sites, is_full_admin, site_for_admin, viewer


@bp.route("/", methods=["GET"])
@admin_area
def index():
    """The admin area's front page: the sites list."""
    return redirect(url_for("admin.sites"))


@bp.route("/sites", methods=["GET"])
@admin_area
def sites():
    """Every site the viewer administers."""
    rows = administered_sites(viewer())
    html = render_template("admin/sites.html", sites=rows, may_create=is_full_admin(viewer()))
    end_read()
    return html


@bp.route("/sites/<slug>", methods=["GET"])
@admin_area
def sites_show(slug: str):
    """One site: its details, threads, embed snippet and plugin settings."""
    site = site_for_admin(slug)
    html = render_template("admin/site.html", site=site)
    end_read()
    return html
