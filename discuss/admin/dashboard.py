"""The admin dashboard: figures per site and period as tables, SVG charts and CSV.

The page itself has no script: the charts are ``<img>`` of SVG answered by
:func:`dashboard_chart` (pygal, scripts removed, see :mod:`discuss.charts`),
with the same numbers in tables beside them for screen readers and copying.
"""

from __future__ import annotations

from flask import Response, abort, render_template, request, url_for

from ..charts import CHART_CSP, CHARTS, plugins_height
from ..dashboard import (OUTCOME_LABELS, OUTCOMES, PERIODS, DashboardRefused, as_csv, figures, parse_period,
                         resolve_site)
from ..i18n import N_, gettext as _
from ..transactions import end_read
from . import bp
from .access import admin_area, administered_sites, viewer


#: The outcomes' names as the page shows them (discuss.dashboard.OUTCOME_LABELS are the CSV's keys).
SHOWN_OUTCOMES = (N_("published"), N_("held"), N_("rejected"), N_("deleted"))


def _query_args() -> dict[str, str]:
    args = request.args
    keep = {"site": args.get("site", ""), "period": args.get("period", "")}
    if keep["period"] == "custom":
        keep.update(start=args.get("start", ""), end=args.get("end", ""))
    return {k: v for k, v in keep.items() if v}


def _figures():
    args = request.args
    site = resolve_site(viewer(), args.get("site") or None)
    period = parse_period(args.get("period") or None, args.get("start"), args.get("end"))
    return figures(viewer(), site, period)


@bp.route("/dashboard", methods=["GET"])
@admin_area
def dashboard():
    error = None
    result = None
    try:
        result = _figures()
    except DashboardRefused as refused:
        if refused.code == 404:
            abort(404)
        error = {refused.field: refused.message}
    args = _query_args()
    html = render_template("admin/dashboard.html", result=result, errors=error or {}, args=request.args,
                           sites=administered_sites(viewer()), periods=PERIODS, outcomes=OUTCOMES,
                           outcome_labels={status: _(label) for status, label in OUTCOME_LABELS.items()}, plugins_height=plugins_height,
                           chart_url=lambda name: url_for("admin.dashboard_chart", name=name, **args),
                           csv_url=url_for("admin.dashboard_csv", **args))
    end_read()
    return html, (422 if error else 200)


def _refused(refused: DashboardRefused):
    abort(404 if refused.code == 404 else 422, f"{refused.field}: {refused.message}")


@bp.route("/dashboard/charts/<name>.svg", methods=["GET"])
@admin_area
def dashboard_chart(name: str):
    draw = CHARTS.get(name)
    if draw is None:
        abort(404)
    try:
        result = _figures()
    except DashboardRefused as refused:
        _refused(refused)
    end_read()
    response = Response(draw(result), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_CSP
    return response


@bp.route("/dashboard.csv", methods=["GET"])
@admin_area
def dashboard_csv():
    try:
        result = _figures()
    except DashboardRefused as refused:
        _refused(refused)
    end_read()
    slug = result.site.slug if result.site else "all"
    name = f"discuss-dashboard-{slug}-{result.period.start}-{result.period.end}.csv"
    return Response(as_csv(result), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
