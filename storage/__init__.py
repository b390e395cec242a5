"""The archive: database models and migrations, the snapshot store, the write API and queries."""

from storage.archive import Archive, UnknownUnit
from storage.records import ExtractionRecord, FetchRecord, ReportRecord, ReportUpsert, SnapshotInfo

__all__ = [
    "Archive",
    "ExtractionRecord",
    "FetchRecord",
    "ReportRecord",
    "ReportUpsert",
    "SnapshotInfo",
    "UnknownUnit",
]
