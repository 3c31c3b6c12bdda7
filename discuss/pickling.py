"""Plugins' values cross process boundaries (isolated plugins, job queues) by pickle.

The frozen values wrap their mappings in ``MappingProxyType``, which pickle
refuses; :func:`reduce_frozen` sends them as plain dicts and the class's own
``__init__`` (and ``__post_init__``) wraps them again on the other side.
"""

from __future__ import annotations

from dataclasses import fields
from types import MappingProxyType
from typing import Any


def rebuild(cls: type, values: dict[str, Any]) -> Any:
    return cls(**values)


def reduce_frozen(obj: Any) -> tuple:
    """``__reduce__`` for a frozen dataclass whose fields may be read-only mappings."""
    values = {}
    for field in fields(obj):
        if not field.init:
            continue
        value = getattr(obj, field.name)
        values[field.name] = dict(value) if isinstance(value, MappingProxyType) else value
    return rebuild, (type(obj), values)
