"""The admin area's pure pieces: audit diffs and masking, schema fields to inputs and back."""

from __future__ import annotations

import marshmallow as ma
from werkzeug.datastructures import MultiDict

from discuss.admin.audit import MASK, changes, mask
from discuss.admin.plugin_forms import encode, fields_for, flatten_errors, submitted_form


def test_changes_keep_only_what_differs_key_by_key():
    before = {"name": "A", "flood": {"max_per_ip": 10, "window_minutes": 5}, "gone": 1}
    after = {"name": "A", "flood": {"max_per_ip": 12, "window_minutes": 5}, "new": [1]}
    assert changes(before, after) == ({"flood": {"max_per_ip": 10}, "gone": 1},
                                      {"flood": {"max_per_ip": 12}, "new": [1]})
    assert changes({"a": 1}, {"a": 1}) == ({}, {})


def test_mask_hides_secrets_at_any_depth_but_not_empty_ones():
    value = {"webhook": {"secret": "k", "urls": ["https://x.example"]}, "api_key": "z", "hook_token": ""}
    assert mask(value) == {"webhook": {"secret": MASK, "urls": ["https://x.example"]}, "api_key": MASK,
                           "hook_token": ""}


class Inner(ma.Schema):
    start = ma.fields.Date(required=True)
    label = ma.fields.String(load_default="")


class Entry(ma.Schema):
    word = ma.fields.String(required=True)
    why = ma.fields.String(load_default="")


class Everything(ma.Schema):
    flag = ma.fields.Boolean(load_default=True)
    count = ma.fields.Integer(load_default=2, validate=ma.validate.Range(min=0, max=9))
    ratio = ma.fields.Float(load_default=0.5)
    mode = ma.fields.String(load_default="a", validate=ma.validate.OneOf(["a", "b"]))
    names = ma.fields.List(ma.fields.String(), load_default=list)
    picks = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(["x", "y"])), load_default=list)
    when = ma.fields.Date(load_default=None, allow_none=True)
    at = ma.fields.DateTime(load_default=None, allow_none=True)
    spans = ma.fields.List(ma.fields.Nested(Inner), load_default=list)
    entries = ma.fields.List(ma.fields.Nested(Entry), load_default=list)
    extra = ma.fields.Dict(load_default=dict)
    secret = ma.fields.String(load_default="", metadata={"secret": True})


def test_each_field_gets_its_input():
    kinds = {spec.name: spec.kind for spec in fields_for(Everything())}
    assert kinds == {"flag": "checkbox", "count": "number", "ratio": "number", "mode": "select", "names": "lines",
                     "picks": "choices", "when": "date", "at": "datetime", "spans": "rows", "entries": "table",
                     "extra": "json", "secret": "secret"}
    count = next(spec for spec in fields_for(Everything()) if spec.name == "count")
    assert (count.minimum, count.maximum, count.step) == (0, 9, "1")


def test_inputs_decode_to_the_json_a_site_stores():
    specs = fields_for(Everything())
    form = MultiDict([
        ("p.t.enabled", "1"), ("p.t.count", "7"), ("p.t.ratio", "0.25"), ("p.t.mode", "b"),
        ("p.t.names", "one\n\n two \n"), ("p.t.picks", "x"), ("p.t.picks", "y"), ("p.t.when", "2027-01-02"),
        ("p.t.at", ""), ("p.t.spans.0.start", "2027-04-01"), ("p.t.spans.0.label", "May"),
        ("p.t.spans.1.start", ""), ("p.t.spans.1.label", ""),
        ("p.t.entries", "bus | safety\nlane"), ("p.t.extra", '{"k": 1}'), ("p.t.secret", ""),
    ])
    shown, raw = submitted_form("t", specs, form, {"secret": "kept"})
    assert shown.errors == {} and shown.enabled is True
    assert raw == {"flag": False, "count": 7, "ratio": 0.25, "mode": "b", "names": ["one", "two"],
                   "picks": ["x", "y"], "when": "2027-01-02", "spans": [{"start": "2027-04-01", "label": "May"}],
                   "entries": [{"word": "bus", "why": "safety"}, {"word": "lane"}], "extra": {"k": 1},
                   "secret": "kept"}
    assert "secret" in shown.secrets_set
    assert Everything().load(raw)["spans"][0]["start"].isoformat() == "2027-04-01"


def test_shape_errors_stay_beside_their_field_with_what_was_typed():
    specs = fields_for(Everything())
    shown, raw = submitted_form("t", specs, MultiDict([("p.t.count", "lots"), ("p.t.extra", "{")]), {})
    assert shown.errors["count"] == ["Enter a whole number."]
    assert shown.errors["extra"][0].startswith("Not valid JSON")
    assert shown.values["count"] == "lots" and shown.values["extra"] == "{"
    assert "count" not in raw and "extra" not in raw


def test_stored_values_encode_back_and_secrets_never_do():
    specs = {spec.name: spec for spec in fields_for(Everything())}
    assert encode(specs["names"], ["a", "b"]) == "a\nb"
    assert encode(specs["entries"], [{"word": "bus", "why": ""}, {"word": "a", "why": "b"}]) == "bus\na | b"
    assert encode(specs["spans"], [{"start": "2027-04-01"}]) == [{"start": "2027-04-01", "label": ""}]
    assert encode(specs["secret"], "s3cret") == ""
    assert encode(specs["extra"], {"k": 1}) == '{\n  "k": 1\n}'


def test_nested_messages_read_as_lines():
    assert flatten_errors({0: {"end": ["end is before start"]}}, "row") == ["row 1: end: end is before start"]
    assert flatten_errors(["Not a valid integer."]) == ["Not a valid integer."]


def test_audit_rows_open_nested_settings():
    from discuss.review.views import _changed_rows

    assert _changed_rows({"flood": {"max_per_ip": 12}}, {"flood": {"max_per_ip": 20, "enabled": False}}) == [
        ("flood.enabled", None, False), ("flood.max_per_ip", 12, 20)]
    assert _changed_rows({}, {"links": {"enabled": False}}) == [("links.enabled", None, False)]
    assert _changed_rows({"name": "A"}, {"name": "B"}) == [("name", "A", "B")]
