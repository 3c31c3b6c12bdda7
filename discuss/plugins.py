"""The plugin registry: hookspecs, built-in plugins, entry points, and what each plugin declares.

:func:`get_plugin_manager` builds a :class:`DiscussPluginManager`; the app's
:class:`~discuss.host.PluginHost` owns one. Registration checks a plugin against
the contract (``docs/plugins.md``) and refuses, with a :class:`PluginContractError`
naming the plugin, anything the host cannot honour: so a mistake is a start-up
error, never a comment held for a reason nobody understands.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import numbers
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import marshmallow as ma
import pluggy

from . import hookspecs

log = logging.getLogger(__name__)

#: Built-in plugins, by module, in the order they screen. The repository's
#: ``plugins/`` folder installs as the ``discuss_builtins`` package.
BUILTIN_PLUGINS: tuple[str, ...] = (
    "discuss_builtins.bans",
    "discuss_builtins.flood",
    "discuss_builtins.links",
    "discuss_builtins.profanity",
    "discuss_builtins.hate",
    "discuss_builtins.personal_data",
    "discuss_builtins.watch_words",
    "discuss_builtins.election_period",
    "discuss_builtins.first_time",
    "discuss_builtins.toxicity",
    "discuss_builtins.webhook",
)

ENTRY_POINT_GROUP = hookspecs.PROJECT


class PluginSettingsError(RuntimeError):
    """A site's settings for a plugin do not validate.

    ``plugin`` names the plugin; ``messages`` are the errors by field, as marshmallow
    gives them (the admin pages show each beside its field).
    """

    def __init__(self, message: str, *, plugin: str | None = None,
                 messages: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.plugin = plugin
        self.messages = dict(messages or {})


class PluginContractError(pluggy.PluginValidationError):
    """A plugin breaks the contract; the message names the plugin and what to change."""

    def __init__(self, plugin: Any, name: str, problem: str) -> None:
        super().__init__(plugin, f"plugin {name!r}: {problem}")
        self.plugin_name = name


class DiscussPluginManager(pluggy.PluginManager):
    """pluggy's manager, refusing at registration what discuss cannot honour.

    discuss calls each plugin's implementation on its own, so that every plugin
    gets its own settings, time budget and failure (see :mod:`discuss.host`).
    pluggy's order (``tryfirst``/``trylast``, last registered first), ``specname``,
    ``optionalhook``, tracing and hook-call monitoring all apply. A hook
    *wrapper* would wrap one plugin's call rather than everyone's, so wrappers are
    refused, as are settings schemas that are not marshmallow schemas, bad
    ``timeout`` or ``enabled_by_default`` values, and a name already taken.
    """

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT)
        self.add_hookspecs(hookspecs)
        self.builtin_names: set[str] = set()
        self.changes = 0  # bumped on every (un)registration; the host's caches follow it

    def register(self, plugin: Any, name: str | None = None) -> str | None:
        declared = plugin_name(plugin)
        name = name or declared
        if isinstance(getattr(plugin, "name", None), str) and getattr(plugin, "name") != name:
            raise PluginContractError(plugin, name, f"declares name = {plugin.name!r} but is registered "
                                      f"as {name!r}: sites' settings are keyed by the name, keep them equal")
        if name in self._name2plugin and self._name2plugin[name] is not None:
            other = self._name2plugin[name]
            raise PluginContractError(plugin, name, f"the name is already taken by {_where(other)}; "
                                      "rename one of them (its `name` attribute and its entry point)")
        _check_attributes(plugin, name)
        self._registering = name
        try:
            registered = super().register(plugin, name=name)
        except ValueError as exc:  # the same object twice
            raise PluginContractError(plugin, name, str(exc).splitlines()[0]) from exc
        finally:
            self._registering = None
        self.changes += 1
        return registered

    def unregister(self, plugin: Any = None, name: str | None = None) -> Any:
        removed = super().unregister(plugin, name)
        if removed is not None:
            self.builtin_names.discard(name or plugin_name(removed))
        self.changes += 1
        return removed

    def parse_hookimpl_opts(self, plugin: Any, name: str) -> Any:
        opts = super().parse_hookimpl_opts(plugin, name)
        if opts is not None and (opts.get("wrapper") or opts.get("hookwrapper")):
            who = getattr(self, "_registering", None) or plugin_name(plugin)
            raise PluginContractError(
                plugin, who,
                f"{name} is a hook wrapper (wrapper=True or hookwrapper=True), which discuss cannot "
                "honour: each plugin's hook is called on its own, with its own settings and time "
                "budget. Implement the hook itself and return a value (see docs/plugins.md)",
            )
        return opts


def get_plugin_manager(
    *, builtins: Iterable[str] = BUILTIN_PLUGINS, load_entry_points: bool = True
) -> DiscussPluginManager:
    """A new plugin manager with the hookspecs, the built-ins and installed plugins.

    :raises PluginContractError: a plugin breaks the contract (the message names it).
    :raises pluggy.PluginValidationError: a plugin implements a hook that does
        not exist (a misspelt name) or with unknown arguments.
    """
    pm = DiscussPluginManager()
    # pluggy calls the last registered first: register in reverse so that the
    # built-ins screen in the order listed.
    for module_name in reversed(tuple(builtins)):
        module = importlib.import_module(module_name)
        pm.builtin_names.add(pm.register(module) or plugin_name(module))
    if load_entry_points:
        load_installed_plugins(pm)
    pm.check_pending()
    return pm


def load_installed_plugins(pm: DiscussPluginManager) -> int:
    """Register every plugin of the ``discuss`` entry-point group; returns how many.

    Each is registered under its entry point's name, which must equal its
    ``name`` attribute if it has one. Unlike pluggy's own loader, a name that is
    already taken is an error, not a plugin silently left out.
    """
    count = 0
    seen: set[tuple[str, str]] = set()
    for dist in importlib.metadata.distributions():
        for ep in dist.entry_points:
            # A distribution can be found twice on sys.path (an egg-info next to its install).
            if ep.group != ENTRY_POINT_GROUP or pm.is_blocked(ep.name) or (ep.name, ep.value) in seen:
                continue
            seen.add((ep.name, ep.value))
            try:
                plugin = ep.load()
            except Exception as exc:
                raise PluginContractError(None, ep.name, f"entry point {ep.value!r} of the "
                                          f"{dist.metadata['Name']!r} distribution failed to import: "
                                          f"{type(exc).__name__}: {exc}") from exc
            pm.register(plugin, name=ep.name)
            pm._plugin_distinfo.append((plugin, dist))  # what pluggy's loader records too
            count += 1
    return count


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
    builtin: bool = False

    @property
    def origin(self) -> str:
        """Where the plugin comes from: ``built-in``, its distribution, or ``registered``."""
        if self.builtin:
            return "built-in"
        return self.distribution or "registered"


def describe_plugins(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """Every registered plugin with its hooks and settings schema, by name."""
    dists = {id(plugin): dist.project_name for plugin, dist in pm.list_plugin_distinfo()}
    builtins = getattr(pm, "builtin_names", set())
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
                builtin=name in builtins,
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
            f"site {site_label!r}, plugin {info.name!r}: field 'enabled' must be true or false",
            plugin=info.name, messages={"enabled": ["Must be true or false."]},
        )
    if info.schema is None:
        if raw:
            raise PluginSettingsError(
                f"site {site_label!r}, plugin {info.name!r}: takes no settings, got {sorted(raw)}",
                plugin=info.name, messages={key: ["This plugin takes no settings."] for key in raw},
            )
        return enabled, {}
    try:
        settings = info.schema.load(raw)
    except ma.ValidationError as exc:
        fields = "; ".join(f"{k}: {' '.join(map(str, v if isinstance(v, list) else [v]))}"
                           for k, v in exc.normalized_messages().items())
        raise PluginSettingsError(
            f"site {site_label!r}, plugin {info.name!r}: {fields}",
            plugin=info.name, messages=exc.normalized_messages(),
        ) from exc
    return enabled, settings


# -- checks at registration ----------------------------------------------------

def _check_attributes(plugin: Any, name: str) -> None:
    schema = getattr(plugin, "settings_schema", None)
    if schema is not None:
        if not (isinstance(schema, type) and issubclass(schema, ma.Schema)):
            raise PluginContractError(plugin, name, "settings_schema must be a marshmallow Schema "
                                      f"class, got {type(schema).__name__} {schema!r}")
        try:
            schema().load({})
        except ma.ValidationError as exc:
            raise PluginContractError(plugin, name, "settings_schema must load an empty mapping to "
                                      f"its defaults (give every field a load_default): "
                                      f"{exc.normalized_messages()}") from exc
    timeout = getattr(plugin, "timeout", None)
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, numbers.Real)
                                or not 0 < timeout <= 300):
        raise PluginContractError(plugin, name, f"timeout must be a number of seconds in (0, 300], "
                                  f"got {timeout!r}")
    enabled = getattr(plugin, "enabled_by_default", True)
    if not isinstance(enabled, bool):
        raise PluginContractError(plugin, name, f"enabled_by_default must be True or False, got {enabled!r}")


def _where(plugin: Any) -> str:
    module = getattr(plugin, "__name__", None) or type(plugin).__module__
    return f"{module!r}"
