"""Content-addressed storage of fetched bodies: each distinct body is kept once, under its sha256."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

SNAPSHOT_DIR_ENV = "REPORTS_SNAPSHOTS"
DEFAULT_SNAPSHOT_DIR = Path("data/snapshots")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class SnapshotNotFound(KeyError):
    """No body is stored under this reference."""

    def __str__(self) -> str:  # KeyError would print the bare, quoted reference
        return str(self.args[0]) if self.args else "snapshot not found"


class SnapshotCorrupt(ValueError):
    """The stored bytes no longer hash to their reference."""


class SnapshotStore(Protocol):
    def put(self, data: bytes) -> str:
        """Store ``data``; return its sha256 hex digest, the reference to get it back."""
        ...

    def get(self, ref: str) -> bytes: ...

    def exists(self, ref: str) -> bool: ...

    def check(self, ref: str) -> str | None:
        """None if the body under ``ref`` is intact, else what is wrong with it."""
        ...


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
        """Store ``data`` unless an intact copy is there; a missing or damaged file is written anew."""
        ref = sha256_hex(data)
        target = self.path(ref)
        if target.exists() and self.check(ref) is None:
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
        """The body stored under ``ref``, verified against its hash."""
        data, problem = self._read(ref)
        if data is not None:
            return data
        where = self.path(ref)
        if problem == "missing":
            raise SnapshotNotFound(f"snapshot {ref} is missing from the store ({where})")
        raise SnapshotCorrupt(f"snapshot {ref} is {problem} ({where})")

    def exists(self, ref: str) -> bool:
        return self.path(ref).exists()

    def check(self, ref: str) -> str | None:
        """None if the body under ``ref`` is intact, else ``missing`` or ``corrupt: <why>``."""
        return self._read(ref)[1]

    def _read(self, ref: str) -> tuple[bytes | None, str | None]:
        try:
            compressed = self.path(ref).read_bytes()
        except FileNotFoundError:
            return None, "missing"
        try:
            data = gzip.decompress(compressed)
        except (OSError, EOFError) as error:
            return None, f"corrupt: not readable gzip ({error})"
        if sha256_hex(data) != ref:
            return None, "corrupt: content does not match its sha256"
        return data, None

    def refs(self) -> Iterator[str]:
        """Every reference with a file in the store (unfinished temporary files are not listed)."""
        for path in self.root.glob("??/??/*.gz"):
            ref = path.name.removesuffix(".gz")
            if (
                _SHA256_HEX.fullmatch(ref)
                and path.parent.name == ref[2:4]
                and path.parent.parent.name == ref[:2]
            ):
                yield ref

    def remove(self, ref: str) -> None:
        self.path(ref).unlink(missing_ok=True)
