"""Content-addressed storage of fetched bodies: each distinct body is kept once, under its sha256."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

SNAPSHOT_DIR_ENV = "REPORTS_SNAPSHOTS"
DEFAULT_SNAPSHOT_DIR = Path("data/snapshots")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class SnapshotNotFound(KeyError):
    """No body is stored under this reference."""


class SnapshotCorrupt(ValueError):
    """The stored bytes no longer hash to their reference."""


class SnapshotStore(Protocol):
    def put(self, data: bytes) -> str:
        """Store ``data``; return its sha256 hex digest, the reference to get it back."""
        ...

    def get(self, ref: str) -> bytes: ...

    def exists(self, ref: str) -> bool: ...


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def default_snapshot_dir() -> Path:
    return Path(os.environ.get(SNAPSHOT_DIR_ENV) or DEFAULT_SNAPSHOT_DIR)


class FileSnapshotStore:
    """Gzip files at ``root/ab/cd/<sha256>.gz``; written atomically, verified on read."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else default_snapshot_dir()

    def path(self, ref: str) -> Path:
        if not _SHA256_HEX.fullmatch(ref):
            raise ValueError(f"not a sha256 hex digest: {ref!r}")
        return self.root / ref[:2] / ref[2:4] / f"{ref}.gz"

    def put(self, data: bytes) -> str:
        ref = sha256_hex(data)
        target = self.path(ref)
        if target.exists():
            return ref
        target.parent.mkdir(parents=True, exist_ok=True)
        # mtime=0 keeps the file a pure function of the body.
        compressed = gzip.compress(data, compresslevel=6, mtime=0)
        fd, temp_name = tempfile.mkstemp(prefix=".tmp-", suffix=".gz", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as temp:
                temp.write(compressed)
                temp.flush()
                os.fsync(temp.fileno())
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return ref

    def get(self, ref: str) -> bytes:
        target = self.path(ref)
        try:
            compressed = target.read_bytes()
        except FileNotFoundError:
            raise SnapshotNotFound(ref) from None
        try:
            data = gzip.decompress(compressed)
        except (OSError, EOFError) as error:
            raise SnapshotCorrupt(f"{target}: {error}") from error
        if sha256_hex(data) != ref:
            raise SnapshotCorrupt(f"{target}: content does not match its sha256")
        return data

    def exists(self, ref: str) -> bool:
        return self.path(ref).exists()
