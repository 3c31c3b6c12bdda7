"""docs/grafana-dashboard.json: well-formed, and every metric and label it queries is one /metrics shows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from discuss import hookimpl, jobs
from discuss.testing import run_jobs
from tests.helpers import post

DASHBOARD = Path(__file__).resolve().parent.parent / "docs" / "grafana-dashboard.json"
#: Labels Prometheus adds to every scraped series.
TARGET_LABELS = {"instance", "job"}
FUNCTIONS = {"sum", "max", "min", "avg", "count", "rate", "irate", "increase", "histogram_quantile",
             "label_values", "by", "without", "topk", "clamp_min"}


def expressions() -> list[str]:
    board = json.loads(DASHBOARD.read_text())
    found = [target["expr"] for panel in board["panels"] for target in panel.get("targets", [])]
    found += [variable["definition"] for variable in board["templating"]["list"] if variable["type"] == "query"]
    return found


def metric_names(expr: str) -> set[str]:
    """The series an expression reads: what is left once strings, matchers, ranges,
    grouping clauses, functions, numbers and Grafana variables are taken out."""
    bare = re.sub(r'"[^"]*"', "", expr)
    bare = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", bare)
    bare = re.sub(r"\b(by|without)\s*\([^)]*\)", "", bare)
    bare = re.sub(r"\$\w+", "", bare)
    bare = re.sub(r"(label_values\(\s*\w+)\s*,\s*\w+\s*\)", r"\1)", bare)  # (metric, label)
    names = set(re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", bare))
    return {name for name in names if name not in FUNCTIONS and not re.fullmatch(r"\d.*", name)}


def label_names(expr: str) -> set[str]:
    grouped = {label.strip() for group in re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", expr)
               for label in group.split(",") if label.strip()}
    matched = set(re.findall(r"(\w+)\s*=~?", "".join(re.findall(r"\{[^}]*\}", expr))))
    listed = set(re.findall(r"label_values\(\s*\w+\s*,\s*(\w+)\s*\)", expr))
    return grouped | matched | listed


@jobs.job()
def dust(text: str) -> None:
    pass


def exposition(client, app, pm) -> dict[str, set[str]]:
    """Every sample name /metrics shows once everything has happened once, with its labels."""

    class Broken:
        @hookimpl
        def discuss_screen_comment(self, submission):
            raise RuntimeError("boom")

    assert post(client, "a fine remark").status_code == 201
    pm.register(Broken(), name="broken")
    assert post(client, "another").status_code == 202
    dust("shelves")
    run_jobs(app)
    text = client.get("/metrics").get_data(as_text=True)
    names: dict[str, set[str]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            names.setdefault(sample.name, set()).update(sample.labels)
    return names


def test_the_dashboard_is_well_formed():
    board = json.loads(DASHBOARD.read_text())
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids))
    for panel in board["panels"]:
        if panel["type"] == "row":
            continue
        assert panel["targets"], panel["title"]
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        for target in panel["targets"]:
            assert target["expr"].count("(") == target["expr"].count(")"), target["expr"]


def test_the_parser_finds_names_and_labels():
    expr = 'histogram_quantile(0.99, sum by (le, route) (rate(x_bucket{instance=~"$instance", a="b"}[5m])))'
    assert metric_names(expr) == {"x_bucket"}
    assert label_names(expr) == {"le", "route", "instance", "a"}
    assert metric_names("label_values(discuss_http_requests_total, instance)") == {"discuss_http_requests_total"}


def test_every_metric_and_label_the_dashboard_queries_is_in_the_metrics(client, site, app, pm):
    shown = exposition(client, app, pm)
    queried = set()
    for expr in expressions():
        names = metric_names(expr)
        assert names, expr
        for name in names:
            assert name in shown, f"{name} (in {expr}) is not in /metrics"
            queried.add(name)
        labels = set().union(*(shown[name] for name in names)) | TARGET_LABELS
        assert label_names(expr) <= labels, f"{expr}: labels {label_names(expr) - labels} are on none of {names}"
    # And the dashboard shows every family discuss exports.
    from discuss import metrics

    for family in (*metrics.FAMILIES, *metrics.QUEUE_FAMILIES, *metrics.JOB_FAMILIES):
        assert any(name == family or name.startswith(family + "_") for name in queried), f"{family} has no panel"


@pytest.mark.parametrize("expr, name", [("sum(rate(discuss_http_requests_total[5m]))", "discuss_http_requests_total"),
                                        ("max(discuss_queue_dead_letters)", "discuss_queue_dead_letters")])
def test_a_misspelt_metric_would_be_caught(client, site, app, pm, expr, name):
    shown = exposition(client, app, pm)
    assert metric_names(expr) == {name} and name in shown
    assert metric_names(expr.replace(name, name + "s")) - set(shown)
