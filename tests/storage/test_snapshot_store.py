import gzip
from pathlib import Path

import pytest

from storage.snapshots import FileSnapshotStore, SnapshotCorrupt, SnapshotNotFound, sha256_hex

BODY = "<html><body>重庆市万州区人民政府2023年政府信息公开工作年度报告</body></html>".encode() * 50


def test_put_returns_the_sha256_and_get_round_trips(tmp_path: Path) -> None:
    store = FileSnapshotStore(tmp_path)
    ref = store.put(BODY)
    assert ref == sha256_hex(BODY)
    assert store.exists(ref)
    assert store.get(ref) == BODY


def test_file_lives_under_two_levels_of_hash_prefix(tmp_path: Path) -> None:
    ref = FileSnapshotStore(tmp_path).put(BODY)
    assert (tmp_path / ref[:2] / ref[2:4] / f"{ref}.gz").is_file()


def test_same_body_is_stored_once(tmp_path: Path) -> None:
    store = FileSnapshotStore(tmp_path)
    assert store.put(BODY) == store.put(BODY)
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert len(files) == 1


def test_body_is_gzip_compressed_on_disk(tmp_path: Path) -> None:
    store = FileSnapshotStore(tmp_path)
    path = store.path(store.put(BODY))
    on_disk = path.read_bytes()
    assert on_disk[:2] == b"\x1f\x8b"
    assert len(on_disk) < len(BODY) / 5
    assert gzip.decompress(on_disk) == BODY


def test_corrupted_file_fails_hash_verification(tmp_path: Path) -> None:
    store = FileSnapshotStore(tmp_path)
    ref = store.put(BODY)
    store.path(ref).write_bytes(gzip.compress(BODY + b"tampered"))
    with pytest.raises(SnapshotCorrupt):
        store.get(ref)


def test_truncated_file_is_reported_as_corrupt(tmp_path: Path) -> None:
    store = FileSnapshotStore(tmp_path)
    ref = store.put(BODY)
    path = store.path(ref)
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(SnapshotCorrupt):
        store.get(ref)


def test_missing_body_raises_not_found(tmp_path: Path) -> None:
    store = FileSnapshotStore(tmp_path)
    ref = sha256_hex(b"never stored")
    assert not store.exists(ref)
    with pytest.raises(SnapshotNotFound):
        store.get(ref)


def test_reference_must_be_a_sha256_digest(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="sha256"):
        FileSnapshotStore(tmp_path).get("../../etc/passwd")


def test_empty_body_is_storable(tmp_path: Path) -> None:
    store = FileSnapshotStore(tmp_path)
    assert store.get(store.put(b"")) == b""


def test_default_root_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORTS_SNAPSHOTS", str(tmp_path / "from-env"))
    assert FileSnapshotStore().root == tmp_path / "from-env"
    monkeypatch.delenv("REPORTS_SNAPSHOTS")
    assert FileSnapshotStore().root == Path("data/snapshots")


def test_put_rewrites_a_damaged_or_missing_file_and_check_says_what_is_wrong(tmp_path: Path) -> None:
    store = FileSnapshotStore(tmp_path)
    ref = store.put(BODY)
    store.path(ref).write_bytes(b"not gzip at all")
    assert store.check(ref) is not None and store.check(ref).startswith("corrupt: not readable gzip")
    assert store.put(BODY) == ref
    assert store.check(ref) is None and store.get(ref) == BODY
    store.path(ref).write_bytes(gzip.compress(BODY + b"tampered"))
    assert store.check(ref) == "corrupt: content does not match its sha256"
    store.put(BODY)
    assert store.get(ref) == BODY
    store.path(ref).unlink()
    assert store.check(ref) == "missing"
    with pytest.raises(SnapshotNotFound) as missing:
        store.get(ref)
    assert str(missing.value).startswith(f"snapshot {ref} is missing from the store (")
    assert list(store.refs()) == []
    store.put(BODY)
    assert list(store.refs()) == [ref]
