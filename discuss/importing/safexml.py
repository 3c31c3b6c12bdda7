"""Streaming XML that is safe to read from anyone: no DTD, no entities, no network.

:func:`stream` walks a file with :func:`defusedxml.ElementTree.iterparse`
(expat): a ``<!DOCTYPE>`` is refused outright (that is where entity expansion
such as "billion laughs" and external entities are declared; neither WordPress nor
Disqus exports have one), so nothing is ever expanded or fetched. Elements are
handed over once complete and then cleared and detached, so memory follows the
largest item, not the file.
"""

from __future__ import annotations

from typing import IO, Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import iterparse

from .records import BadImport


def stream(file: IO[bytes], depth: int, *, root_check=None) -> Iterator[Element]:
    """Yield each complete element ``depth`` levels down (the root is 1), then free it.

    ``root_check(root, namespaces)`` is called at the root's start tag with the
    namespace URIs declared so far; it raises :class:`BadImport` for a file of
    another kind.

    :raises BadImport: for malformed XML, a DTD, an entity or an external reference.
    """
    stack: list[Element] = []
    namespaces: dict[str, str] = {}
    try:
        for event, item in iterparse(file, events=("start-ns", "start", "end"), forbid_dtd=True):
            if event == "start-ns":
                prefix, uri = item
                namespaces.setdefault(prefix, uri)
                continue
            if event == "start":
                if not stack and root_check is not None:
                    root_check(item, namespaces)
                stack.append(item)
                continue
            stack.pop()
            if len(stack) + 1 == depth:
                yield item
                item.clear()
                if stack:
                    stack[-1].remove(item)
    except DTDForbidden:
        raise BadImport("the file declares a DTD (<!DOCTYPE ...>): refused, since that is how entity "
                        "expansion and external entities arrive; exports have none") from None
    except EntitiesForbidden as exc:
        raise BadImport(f"the file declares the entity {exc.name!r}: refused (entity expansion)") from None
    except ExternalReferenceForbidden as exc:
        raise BadImport(f"the file refers to an external resource ({exc.sysid or exc.pubid}): refused") from None
    except DefusedXmlException as exc:  # pragma: no cover - any other refusal
        raise BadImport(f"unsafe XML refused: {exc}") from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise BadImport(f"not well-formed XML at line {line}, column {column + 1}: {exc}") from None


def local(tag: str) -> str:
    """``{uri}name`` -> ``name``."""
    return tag.rpartition("}")[2]


def text_of(element: Element | None) -> str:
    return (element.text or "") if element is not None else ""
