"""Meta-tests: every hookspec is documented in docs/plugins.md and exercised by a test.

The hooks are read from ``discuss.hookspecs`` itself (the functions pluggy marked
as specs), never from a list here, so a hook added later is checked too.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from discuss import hookspecs
from discuss.plugins import BUILTIN_PLUGINS, describe_plugins, get_plugin_manager

ROOT = Path(__file__).resolve().parent.parent
DOCS = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
TESTS = Path(__file__).resolve().parent


def hookspec_functions() -> dict[str, inspect.Signature]:
    specs = {}
    for name, value in vars(hookspecs).items():
        if callable(value) and hasattr(value, f"{hookspecs.PROJECT}_spec"):
            specs[name] = inspect.signature(value)
    return specs


SPECS = hookspec_functions()


def test_hookspecs_are_found_by_their_marker():
    assert "discuss_screen_comment" in SPECS
    assert all(name.startswith("discuss_") for name in SPECS)
    # The plugin manager agrees: every spec it knows is one we check.
    pm = get_plugin_manager(builtins=(), load_entry_points=False)
    known = {name for name in dir(pm.hook) if name.startswith("discuss_")}
    assert known == set(SPECS)


@pytest.mark.parametrize("hook", sorted(SPECS))
def test_every_hook_is_documented_with_its_full_signature(hook):
    arguments = ", ".join(SPECS[hook].parameters)
    heading = re.compile(rf"^#+ `{re.escape(hook)}\({re.escape(arguments)}\)`\s*$", re.MULTILINE)
    assert heading.search(DOCS), f"docs/plugins.md needs a heading `{hook}({arguments})`"
    section = DOCS[heading.search(DOCS).end():]
    next_heading = re.search(r"^#{1,3} ", section, re.MULTILINE)
    body = section[: next_heading.start()] if next_heading else section
    for argument in SPECS[hook].parameters:
        assert f"`{argument}`" in body, f"{hook}: argument {argument!r} is not described under its heading"


@pytest.mark.parametrize("hook", sorted(SPECS))
def test_every_hook_has_a_test_that_implements_it(hook):
    implemented = re.compile(rf"def {re.escape(hook)}\(")
    files = [path for path in TESTS.rglob("*.py") if path.name != Path(__file__).name]
    assert any(implemented.search(path.read_text(encoding="utf-8")) for path in files), \
        f"no test implements {hook}"


def test_every_builtin_plugin_and_setting_is_documented():
    pm = get_plugin_manager(load_entry_points=False)
    builtins = {module.rsplit(".", 1)[-1] for module in BUILTIN_PLUGINS}
    for info in describe_plugins(pm):
        if info.plugin.__name__.rsplit(".", 1)[-1] not in builtins:
            continue
        heading = re.search(rf"^### `{re.escape(info.name)}`", DOCS, re.MULTILINE) or \
            re.search(rf"^### The built-in `{re.escape(info.name)}` plugin", DOCS, re.MULTILINE)
        assert heading, f"docs/plugins.md has no section for the {info.name} plugin"
        for field in (info.schema.fields if info.schema else {}):
            assert f"`{field}`" in DOCS, f"setting {info.name}.{field} is not documented"


def test_plugin_attributes_are_documented():
    for attribute in ("name", "settings_schema", "enabled_by_default", "timeout"):
        assert f"| `{attribute}` |" in DOCS
