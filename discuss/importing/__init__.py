"""Importing discussions from elsewhere: WordPress (WXR), Disqus and our own JSON export.

Each reader (:mod:`.wxr`, :mod:`.disqus`, :mod:`.jsondoc`) streams its file and
yields :mod:`.records`; :mod:`.store` writes them, idempotently, in one
transaction. See docs/import-export.md.
"""

from .records import BadImport, SourceComment, SourceThread, Skipped
from .store import Summary, run_import

__all__ = ["BadImport", "SourceComment", "SourceThread", "Skipped", "Summary", "run_import"]
