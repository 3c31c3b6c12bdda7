"""The public JSON API: ``/api/v1/...``."""

from .threads import blp as threads_blp

__all__ = ["threads_blp"]
