"""Building the plugin manager: hookspecs, built-in plugins, entry points.

Call :func:`get_plugin_manager`; the app keeps one in ``app.extensions["discuss"]``.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import marshmallow as ma
import pluggy

from . import hookspecs

log = logging.getLogger(__name__)

#: Built-in plugins, by module. Each is an ordinary pluggy plugin module.
BUILTIN_PLUGINS: tuple[str, ...] = (
    "plugins.bans",
    "plugins.flood",
    "plugins.links",
    "plugins.profanity",
    "plugins.personal_data",
    "plugins.watch_words",
    "plugins.election_period",
    "plugins.first_time",
    "plugins.toxicity",
    "plugins.hate",
    "plugins.webhook",
)


class PluginSettingsError(RuntimeError):
    """A site's settings for a plugin do not validate."""


def get_plugin_manager(
    *, builtins: Iterable[str] = BUILTIN_PLUGINS, load_entry_points: bool = True
) -> pluggy.PluginManager:
    """A new plugin manager with the hookspecs, the built-ins and installed plugins.

    :raises pluggy.PluginValidationError: when a plugin implements a hook that
        does not exist (a misspelt name) or with unknown arguments.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for module_name in builtins:
        module = importlib.import_module(module_name)
        pm.register(module, name=plugin_name(module))
    if load_entry_points:
        pm.load_setuptools_entrypoints(hookspecs.PROJECT)
    pm.check_pending()
    return pm


def plugin_name(plugin: Any) -> str:
    """A plugin's public name: its ``name`` attribute, else its module's last part."""
    explicit = getattr(plugin, "name", None)
    if isinstance(explicit, str) and explicit:
        return explicit
    module = getattr(plugin, "__name__", None) or type(plugin).__module__
    return module.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class PluginInfo:
    name: str
    plugin: Any
    hooks: tuple[str, ...]
    schema: ma.Schema | None
    enabled_by_default: bool
    timeout: float | None
    distribution: str | None


def describe_plugins(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """Every registered plugin with its hooks and settings schema, by name."""
    dists = {id(plugin): dist.project_name for plugin, dist in pm.list_plugin_distinfo()}
    infos = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda item: item[0]):
        if plugin is None:
            continue
        hooks = tuple(sorted(caller.name for caller in pm.get_hookcallers(plugin) or ()))
        schema_cls = getattr(plugin, "settings_schema", None)
        infos.append(
            PluginInfo(
                name=name,
                plugin=plugin,
                hooks=hooks,
                schema=schema_cls() if schema_cls else None,
                enabled_by_default=bool(getattr(plugin, "enabled_by_default", True)),
                timeout=getattr(plugin, "timeout", None),
                distribution=dists.get(id(plugin)),
            )
        )
    return infos


def effective_settings(
    info: PluginInfo, site_settings: Mapping[str, Any] | None, *, site_label: str = "?"
) -> tuple[bool, dict[str, Any]]:
    """(enabled, settings) for one plugin on one site.

    ``site_settings`` is the site's ``moderation`` mapping entry for this plugin:
    ``{"enabled": bool, ...fields of the plugin's settings_schema}``.

    :raises PluginSettingsError: naming the site, the plugin and the field.
    """
    raw = dict(site_settings or {})
    enabled = raw.pop("enabled", info.enabled_by_default)
    if not isinstance(enabled, bool):
        raise PluginSettingsError(
            f"site {site_label!r}, plugin {info.name!r}: field 'enabled' must be true or false"
        )
    if info.schema is None:
        if raw:
            raise PluginSettingsError(
                f"site {site_label!r}, plugin {info.name!r}: takes no settings, got {sorted(raw)}"
            )
        return enabled, {}
    try:
        settings = info.schema.load(raw)
    except ma.ValidationError as exc:
        fields = "; ".join(f"{k}: {' '.join(map(str, v if isinstance(v, list) else [v]))}"
                           for k, v in exc.normalized_messages().items())
        raise PluginSettingsError(
            f"site {site_label!r}, plugin {info.name!r}: {fields}"
        ) from exc
    return enabled, settings
