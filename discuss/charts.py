"""The dashboard's charts: SVG drawn by pygal, with every script taken out.

pygal writes a ``<script>`` (its tooltip configuration) into every chart even
with ``js=[]``; :func:`scriptless` removes every script, event-handler
attribute, ``foreignObject`` and link, so the SVG is a picture only. The
admin pages load it with ``<img>`` (where an SVG can never run anything), from a
route that answers ``image/svg+xml`` under a CSP without scripts.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pygal
from pygal.style import Style

from .dashboard import OUTCOME_LABELS, OUTCOMES, Figures
from .i18n import N_, gettext

SVG = "http://www.w3.org/2000/svg"
#: The CSP for a chart answered on its own: styles inside it, nothing else.
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"

# High-contrast, colour-blind-safe colours (Okabe-Ito) on white.
STYLE = Style(background="#ffffff", plot_background="#ffffff", foreground="#1b1b1b",
              foreground_strong="#1b1b1b", foreground_subtle="#505050",
              colors=("#0072B2", "#E69F00", "#D55E00", "#6b6b6b", "#009E73", "#CC79A7"),
              font_family="system-ui, sans-serif", title_font_size=16, label_font_size=12,
              major_label_font_size=12, legend_font_size=13,
              no_data_font_size=18)

_OPTIONS = dict(js=[], disable_xml_declaration=True, style=STYLE, width=760, height=320,
                explicit_size=True, print_values=False, show_y_guides=True, legend_at_bottom=True,
                truncate_legend=-1)
#: Shown on a chart with nothing to draw (translated when drawn, like the titles and legends).
NO_DATA = N_("No data for this period")


def _options(**changes: object) -> dict[str, object]:
    return dict(_OPTIONS, no_data_text=gettext(NO_DATA), **changes)


def scriptless(svg_text: str) -> str:
    """``svg_text`` without scripts, event handlers, foreign objects or links."""
    # No ET.register_namespace: it is process-wide, and would rename other
    # documents' namespaces (the Atom feeds'). Tags lose their namespace here and the
    # root says xmlns itself, so the text comes out as plain SVG.
    root = ET.fromstring(svg_text)
    for parent in list(root.iter()):
        for child in list(parent):
            tag = child.tag.rsplit("}", 1)[-1].lower()
            if tag in ("script", "foreignobject", "a", "use", "image", "iframe"):
                parent.remove(child)
    for element in root.iter():
        for name in list(element.attrib):
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on") or local == "href":
                del element.attrib[name]
    for element in root.iter():
        if isinstance(element.tag, str):
            element.tag = element.tag.rsplit("}", 1)[-1]
        for name in [n for n in element.attrib if n.startswith("{")]:
            del element.attrib[name]  # namespaced attributes (xlink:...) are links or metadata
    root.set("xmlns", SVG)
    return ET.tostring(root, encoding="unicode")


def _render(chart) -> str:
    return scriptless(chart.render(is_unicode=True))


def _count_labels(largest: int) -> list[int]:
    """Whole-number axis labels from 0 to at least ``largest``, about five of them (counts have no fractions)."""
    steps = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000)
    step = next((s for s in steps if largest / s <= 5), steps[-1])
    top = max(1, -(-largest // step) * step)
    return list(range(0, top + 1, step))


def _day_labels(days: list[date]) -> list[str]:
    return [d.strftime("%d %b") for d in days]


def outcomes_chart(result: Figures) -> str:
    """Comments per day, stacked by outcome."""
    days = sorted(result.daily)
    chart = pygal.StackedBar(title=gettext("Comments per day by outcome"), x_label_rotation=-45,
                             show_minor_x_labels=False, **_options())
    labels = _day_labels(days)
    chart.x_labels = labels
    step = max(1, len(labels) // 15)
    chart.x_labels_major = labels[::step]
    for status in OUTCOMES:
        chart.add(gettext(OUTCOME_LABELS[status]), [result.daily[d].get(status, 0) for d in days])
    chart.y_labels = _count_labels(max((sum(result.daily[d].values()) for d in days), default=0))
    return _render(chart)


def plugins_height(result: Figures) -> int:
    """The plugins chart's height: a bar's room per plugin."""
    return 110 + 36 * max(1, len(result.plugins))


def plugins_chart(result: Figures) -> str:
    """Comments held, per plugin."""
    chart = pygal.HorizontalBar(title=gettext("Comments held, by plugin"), show_legend=False,
                                **_options(height=plugins_height(result)))
    chart.x_labels = [plugin for plugin, _ in result.plugins]
    chart.add(gettext("held"), [count for _, count in result.plugins])
    chart.y_labels = _count_labels(max((count for _, count in result.plugins), default=0))
    return _render(chart)


def reports_chart(result: Figures) -> str:
    """Reader reports, per reason."""
    chart = pygal.Bar(title=gettext("Reader reports, by reason"), show_legend=False, **_options())
    chart.x_labels = list(result.reports)
    chart.add(gettext("reports"), list(result.reports.values()))
    chart.y_labels = _count_labels(max(result.reports.values(), default=0))
    return _render(chart)


CHARTS = {"outcomes": outcomes_chart, "plugins": plugins_chart, "reports": reports_chart}
