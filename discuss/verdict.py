"""What a moderation plugin answers: a small frozen :class:`Verdict`."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Iterable, Mapping
from .pickling import reduce_frozen

PUBLISH = "publish"
HOLD = "hold"
REJECT = "reject"

#: Strictness order: the strictest verdict of all plugins wins.
SEVERITY = {PUBLISH: 0, HOLD: 1, REJECT: 2}


@dataclass(frozen=True)
class Verdict:
    """One plugin's opinion of one submission.

    Build one with :meth:`publish`, :meth:`hold` or :meth:`reject`.

    ``reason`` is shown to moderators; ``public_reason`` is what the resident is told
    when the comment is rejected (it defaults to ``reason``). ``silent`` marks a
    rejection the author must not learn about (a bot's honeypot): the client is
    told the comment awaits review. ``details`` is free-form
    JSON-serialisable data for the review queue, e.g. ``{"spans": [[start, end], ...]}``
    for the matched characters of the body. ``body`` replaces the comment's text when
    the comment is published (a censoring plugin masks words this way).
    """

    def __reduce__(self) -> tuple:  # picklable despite its read-only mappings
        return reduce_frozen(self)

    decision: str
    reason: str = ""
    public_reason: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    body: str | None = None
    silent: bool = False

    def __post_init__(self) -> None:
        if self.decision not in SEVERITY:
            raise ValueError(f"unknown decision {self.decision!r}")
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))

    @classmethod
    def publish(cls, reason: str = "", *, body: str | None = None, **details: Any) -> "Verdict":
        """No objection. ``body`` optionally replaces the text (e.g. masked words)."""
        return cls(PUBLISH, reason, "", details, body)

    @classmethod
    def hold(cls, reason: str, **details: Any) -> "Verdict":
        """Keep the comment for a moderator to decide; ``reason`` is shown in the queue."""
        return cls(HOLD, reason, "", details)

    @classmethod
    def reject(
        cls, reason: str, *, public_reason: str = "", silent: bool = False, **details: Any
    ) -> "Verdict":
        """Refuse the comment. ``public_reason`` (default ``reason``) is shown to its author;
        ``silent=True`` tells the author it awaits review instead (for bots)."""
        return cls(REJECT, reason, public_reason or reason, details, None, silent)


def strictest(verdicts: Iterable[Verdict]) -> str:
    """The decision that wins: reject over hold over publish; publish when there are none."""
    return max((v.decision for v in verdicts), key=SEVERITY.__getitem__, default=PUBLISH)
