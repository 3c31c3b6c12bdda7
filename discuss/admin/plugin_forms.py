"""Plugin settings as HTML forms, generated from each plugin's marshmallow ``settings_schema``.

Each schema field becomes a :class:`FieldSpec` of one *kind*; each kind knows how
to *encode* a stored value into form inputs and *decode* the submitted inputs
back into the JSON value a site's ``moderation`` settings hold (what
``discuss sites add --settings`` takes). Decoding only turns text into JSON
shapes; validation is the plugin's own schema, through
:func:`discuss.plugins.effective_settings`, the one path the CLI and start-up use.

=====================================  ==========================================
marshmallow field                      input
=====================================  ==========================================
``Boolean``                            checkbox
``Integer``/``Float`` (``Range``)      number with min/max
``String`` with ``OneOf``              select
``String``/``Email``/``Url``           text (a secret: a password box, never filled)
``Date`` / ``DateTime``                date / datetime-local
``List(String)`` (also Email, Url)     textarea, one per line
``List(String(OneOf))``                a checkbox per choice
``List(Nested)`` of text fields        textarea, one entry per line, parts split by ``|``
``List(Nested)`` with a date field     a row of inputs per entry, and a blank row to add one
anything else (``Dict``, ``Nested``)   a JSON textarea, checked as JSON, then by the schema
=====================================  ==========================================
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Mapping

import marshmallow as ma

from ..i18n import N_, gettext as _
from .audit import is_secret

TEXT_TYPES = (ma.fields.String, ma.fields.Email, ma.fields.Url)
#: Blank rows offered after the stored ones in a row editor (periods).
BLANK_ROWS = 1
#: The most rows a row editor accepts from a form.
MAX_ROWS = 50

#: Sentences shown above a plugin's fields, for the settings that change what residents see
#: (marked here, translated where shown).
NOTES = {
    "election_period": N_(
        "During an election period (purdah), comments written by the councillors or candidates listed "
        "below (by email), or naming a listed candidate or party, are held for a moderator with the "
        "reason \u201cpre-election period\u201d instead of being published. Outside the periods "
        "(dates inclusive) this plugin changes nothing."
    ),
    "watch_words": N_(
        "Each watch word is held (or rejected, or only flagged) when it appears in a comment. "
        "Write one per line: the word or phrase, then optionally | and hold, reject or flag, "
        "then | and a reason. A * stands for any ending: bus lane*."
    ),
}


@dataclass(frozen=True)
class FieldSpec:
    """One setting's input: what the template draws and how the value travels."""

    name: str
    label: str
    kind: str  # checkbox, number, select, text, secret, date, datetime, lines, choices, table, rows, json
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    step: str = "1"
    choices: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()            # table and rows: the nested fields, in order
    part_kinds: tuple[str, ...] = ()       # rows: each part's input kind (date or text)
    required: bool = False
    field: Any = None

    @property
    def multiline(self) -> bool:
        return self.kind in ("lines", "table", "json")


def fields_for(schema: ma.Schema | None) -> list[FieldSpec]:
    """The inputs for ``schema``'s fields, in the schema's order."""
    if schema is None:
        return []
    return [_spec(name, fld) for name, fld in schema.load_fields.items()]


def _spec(name: str, fld: ma.fields.Field) -> FieldSpec:
    meta = fld.metadata or {}
    key = fld.data_key or name
    help_text = str(meta.get("description", "")).strip().rstrip(".")
    help_text = help_text[:1].upper() + help_text[1:]
    common = {"name": key, "label": key.replace("_", " ").capitalize(), "help": help_text,
              "required": bool(fld.required), "field": fld}
    if isinstance(fld, ma.fields.Boolean):
        return FieldSpec(kind="checkbox", **common)
    if isinstance(fld, (ma.fields.Integer, ma.fields.Float)):
        low, high = _range(fld)
        return FieldSpec(kind="number", minimum=low, maximum=high,
                         step="1" if isinstance(fld, ma.fields.Integer) else "any", **common)
    if isinstance(fld, ma.fields.DateTime):
        return FieldSpec(kind="datetime", **common)
    if isinstance(fld, ma.fields.Date):
        return FieldSpec(kind="date", **common)
    if isinstance(fld, TEXT_TYPES):
        choices = _choices(fld)
        if choices:
            return FieldSpec(kind="select", choices=choices, **common)
        if meta.get("secret") or is_secret(key):
            return FieldSpec(kind="secret", **common)
        return FieldSpec(kind="text", **common)
    if isinstance(fld, ma.fields.List):
        inner = fld.inner
        if isinstance(inner, TEXT_TYPES):
            choices = _choices(inner)
            if choices:
                return FieldSpec(kind="choices", choices=choices, **common)
            return FieldSpec(kind="lines", **common)
        if isinstance(inner, ma.fields.Nested) and isinstance(inner.schema, ma.Schema) and not inner.many:
            parts, kinds = [], []
            for sub_name, sub in inner.schema.load_fields.items():
                if isinstance(sub, ma.fields.Date) and not isinstance(sub, ma.fields.DateTime):
                    kinds.append("date")
                elif isinstance(sub, TEXT_TYPES):
                    kinds.append("text")
                else:
                    break
                parts.append(sub.data_key or sub_name)
            else:
                if "date" in kinds:
                    return FieldSpec(kind="rows", parts=tuple(parts), part_kinds=tuple(kinds), **common)
                return FieldSpec(kind="table", parts=tuple(parts), **common)
    return FieldSpec(kind="json", **common)


def _range(fld: ma.fields.Field) -> tuple[float | None, float | None]:
    low = high = None
    for validator in fld.validators:
        if isinstance(validator, ma.validate.Range):
            low = validator.min if validator.min is not None else low
            high = validator.max if validator.max is not None else high
    return low, high


def _choices(fld: ma.fields.Field) -> tuple[str, ...]:
    for validator in fld.validators:
        if isinstance(validator, ma.validate.OneOf):
            return tuple(str(choice) for choice in validator.choices)
    return ()


# -- stored value -> inputs ------------------------------------------------------

@dataclass
class PluginForm:
    """One plugin's part of the settings form: its inputs' values and errors (by field)."""

    name: str
    enabled: bool
    values: dict[str, Any] = field(default_factory=dict)   # field name -> what the inputs show
    secrets_set: set[str] = field(default_factory=set)      # secret fields with a stored value
    errors: dict[str, list[str]] = field(default_factory=dict)


def jsonable(value: Any) -> Any:
    """A loaded (Python) setting value as the JSON a site's settings store."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    return value


def defaults_of(schema: ma.Schema | None) -> dict[str, Any]:
    """The schema's defaults, as JSON values."""
    return jsonable(schema.load({})) if schema is not None else {}


def encode(spec: FieldSpec, value: Any) -> Any:
    """What the input(s) for ``spec`` show for a stored (JSON) value."""
    if spec.kind == "checkbox":
        return bool(value)
    if spec.kind == "secret":
        return ""  # never sent back to the browser
    if value is None:
        return "" if spec.kind not in ("choices", "rows") else []
    if spec.kind in ("number", "text", "select", "date"):
        return str(value)
    if spec.kind == "datetime":
        return str(value)[:16]
    if spec.kind == "lines":
        return "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if spec.kind == "choices":
        return [str(v) for v in value] if isinstance(value, list) else []
    if spec.kind == "table" and isinstance(value, list) and all(isinstance(v, Mapping) for v in value):
        return "\n".join(_table_line(spec, entry) for entry in value)
    if spec.kind == "rows" and isinstance(value, list):
        return [{part: "" if entry.get(part) is None else str(entry.get(part)) for part in spec.parts}
                for entry in value if isinstance(entry, Mapping)]
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


def _table_line(spec: FieldSpec, entry: Mapping[str, Any]) -> str:
    cells = ["" if entry.get(part) is None else str(entry.get(part)) for part in spec.parts]
    while len(cells) > 1 and cells[-1] == "":
        cells.pop()
    return " | ".join(cells)


def stored_form(name: str, schema: ma.Schema | None, specs: list[FieldSpec], stored: Mapping[str, Any] | None,
                enabled_by_default: bool) -> PluginForm:
    """The form for one plugin as the site has it stored (defaults where nothing is stored)."""
    stored = dict(stored or {})
    enabled = stored.pop("enabled", enabled_by_default)
    current = {**defaults_of(schema), **stored}
    form = PluginForm(name=name, enabled=bool(enabled))
    for spec in specs:
        form.values[spec.name] = encode(spec, current.get(spec.name))
        if spec.kind == "secret" and stored.get(spec.name):
            form.secrets_set.add(spec.name)
    return form


# -- inputs -> JSON value ------------------------------------------------------------

class Omit:
    """Decoded to nothing: the setting is left out (its default applies)."""


OMIT = Omit()


def input_name(plugin: str, field_name: str, *rest: Any) -> str:
    """The form input's name for a plugin's field (``p.<plugin>.<field>[.<row>.<part>]``)."""
    return ".".join(["p", plugin, field_name, *map(str, rest)])


def submitted_form(name: str, specs: list[FieldSpec], form: Mapping[str, Any], stored: Mapping[str, Any] | None,
                   ) -> tuple[PluginForm, dict[str, Any]]:
    """(what the inputs show, the JSON settings) from a posted form, errors of shape beside their field.

    A secret left empty keeps its stored value; ticking its "clear" box removes it.
    """
    stored = dict(stored or {})
    shown = PluginForm(name=name, enabled=bool(form.get(input_name(name, "enabled"))))
    raw: dict[str, Any] = {}
    for spec in specs:
        key = input_name(name, spec.name)
        try:
            shown.values[spec.name], value = _decode(spec, key, form)
        except ValueError as exc:
            shown.values[spec.name] = form.get(key, "")
            shown.errors[spec.name] = [str(exc)]
            continue
        if spec.kind == "secret":
            if form.get(key + ".clear"):
                value = OMIT  # removed: the plugin's default (no secret)
            elif value is OMIT and stored.get(spec.name):
                value = stored[spec.name]
            if value not in ("", None, OMIT):
                shown.secrets_set.add(spec.name)
        if value is not OMIT:
            raw[spec.name] = value
    return shown, raw


def _decode(spec: FieldSpec, key: str, form: Mapping[str, Any]) -> tuple[Any, Any]:
    """(what the input shows again, the JSON value or OMIT) for one field."""
    getlist = getattr(form, "getlist", lambda k: [form[k]] if k in form else [])
    text = form.get(key, "")
    text = text if isinstance(text, str) else ""
    kind = spec.kind
    if kind == "checkbox":
        return bool(text), bool(text)
    if kind == "secret":
        return "", (text if text else OMIT)
    if kind in ("text", "select"):
        return text, text
    if kind == "number":
        stripped = text.strip()
        if not stripped:
            return text, OMIT
        try:
            number = int(stripped) if spec.step == "1" else float(stripped)
        except ValueError:
            raise ValueError(_("Enter a whole number.") if spec.step == "1" else _("Enter a number.")) from None
        return text, number
    if kind in ("date", "datetime"):
        stripped = text.strip()
        return text, (stripped if stripped else OMIT)
    if kind == "lines":
        return text, [line.strip() for line in text.splitlines() if line.strip()]
    if kind == "choices":
        picked = [v for v in getlist(key) if isinstance(v, str)]
        return picked, picked
    if kind == "table":
        entries = []
        for line in text.splitlines():
            if not line.strip():
                continue
            cells = [cell.strip() for cell in line.split("|")]
            if len(cells) > len(spec.parts):
                raise ValueError(_("At most %(num)s parts a line (%(parts)s): %(line)r", num=len(spec.parts),
                                   parts=" | ".join(spec.parts), line=line.strip()))
            entries.append({part: cell for part, cell in zip(spec.parts, cells) if cell != ""})
        return text, entries
    if kind == "rows":
        rows, entries = [], []
        for index in range(MAX_ROWS):
            cells = {part: form.get(f"{key}.{index}.{part}") for part in spec.parts}
            if all(value is None for value in cells.values()):
                break
            cells = {part: (value or "").strip() for part, value in cells.items()}
            if any(cells.values()):  # an empty row is removed (the page adds one blank row)
                rows.append(cells)
                entries.append({part: value for part, value in cells.items() if value})
        return rows, entries
    # json
    if not text.strip():
        return text, OMIT
    try:
        return text, json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(_("Not valid JSON: %(problem)s (line %(line)s, column %(column)s).", problem=exc.msg,
                           line=exc.lineno, column=exc.colno)) from None


def flatten_errors(messages: Any, entry: str = "entry") -> list[str]:
    """marshmallow's nested messages as readable lines (``row 2: end: end is before start``)."""
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, list):
        lines: list[str] = []
        for item in messages:
            lines.extend(flatten_errors(item, entry))
        return lines
    if isinstance(messages, Mapping):
        lines = []
        for key, value in messages.items():
            label = f"{entry} {key + 1}" if isinstance(key, int) else str(key)
            lines.extend(f"{label}: {line}" for line in flatten_errors(value, entry))
        return lines
    return [str(messages)]
