"""How much of a document extraction will read: sizes, unpacked bytes and table cells.

Crawled documents are hostile: every limit here is checked before the work it
bounds is done, and crossing one raises a named ``LimitExceeded`` that
extraction turns into a failed extraction with the reason (the raw snapshot is
kept and can be extracted again later). Time and memory are bounded by the
worker process that runs extraction (``extract.bounded``).
"""

from __future__ import annotations

# A report page is well under 1 MB (the largest real one seen: 110 KB); a page is
# parsed only below this size, in every path (article metadata, extraction, CLI summary).
MAX_PAGE_BYTES = 10 * 1024 * 1024
# Report files (PDF, DOCX) are larger: scanned annexes, embedded fonts.
MAX_FILE_BYTES = 50 * 1024 * 1024
# A DOCX is a zip: the sum of its members' unpacked sizes (a real report: about 1 MB).
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# One member may not unpack to more than this many times its packed size (XML packs ~10x).
MAX_PACK_RATIO = 200
# Table cells (after expanding spans) of all tables of one document together: a report has
# four tables of a few hundred cells; a page of many small tables with huge spans is an attack.
MAX_CELLS = 200_000


class LimitExceeded(Exception):
    """A document crosses one of extraction's limits; it is kept, not read."""


class DocumentTooLarge(LimitExceeded):
    """The document is far larger than any report."""


class TooManyCells(LimitExceeded):
    """The document's tables expand to more cells than any report has."""


class DecompressionBomb(LimitExceeded):
    """A packed file unpacks to far more than it weighs."""


def check_size(document: bytes | str, limit: int = MAX_PAGE_BYTES, what: str = "document") -> None:
    """Raise DocumentTooLarge when the document is over ``limit`` bytes (a str counts its characters)."""
    if len(document) > limit:
        raise DocumentTooLarge(f"{what} of {len(document):,} bytes is over the limit of {limit:,}")


class CellBudget:
    """The cells one document's tables may still expand to; shared by all its tables."""

    def __init__(self, limit: int = MAX_CELLS):
        self.limit = limit
        self.left = limit

    def take(self, cells: int) -> None:
        """Spend ``cells`` before allocating them; raise TooManyCells when the budget runs out."""
        self.left -= cells
        if self.left < 0:
            raise TooManyCells(f"the document's tables expand to more than {self.limit:,} cells")
