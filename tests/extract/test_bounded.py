"""Extraction in bounded worker processes: hostile documents end within the time and memory
bounds as failed extractions naming the bound, the workers survive them, and a file is
parsed once however many steps use it."""

from __future__ import annotations

import hashlib
import multiprocessing
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from extract import attachments
from extract.bounded import Bounds, ExtractionRunner
from extract.report import extract_report
from tests.extract import hostile
from tests.extract.real_reports import fixture

PDF = Path(__file__).parents[1] / "browser" / "files" / "szfgs-2024" / "report.pdf"
MEMORY = 512 * 2**20


@pytest.fixture(scope="module")
def runner() -> Iterator[ExtractionRunner]:
    with ExtractionRunner(Bounds(seconds=30.0, memory_bytes=MEMORY, workers=1)) as pool:
        yield pool


def test_a_worker_extracts_what_extraction_in_process_gives(runner: ExtractionRunner) -> None:
    page = fixture("shanghai-gov-office-2019").document
    assert runner.extract(page).result() == extract_report(page)
    reading = runner.read(PDF.read_bytes()).result()
    assert reading.reason is None and reading.content is not None
    assert runner.extract_content(reading.content).result() == extract_report(PDF.read_bytes())


def test_the_span_bomb_page_fails_on_the_cell_budget_in_little_memory() -> None:
    # a fresh worker that reads only this page: its peak memory is this page's
    with ExtractionRunner(Bounds(seconds=30.0, memory_bytes=MEMORY, workers=1, tasks_per_worker=1)) as alone:
        result = alone.extract(hostile.span_bomb_page(4_000_000)).result()
        peak = alone.last_peak_rss_bytes
    assert result.status == "failed" and result.reason and result.reason.startswith("TooManyCells")
    assert 0 < peak < 400 * 2**20  # 2.7 GiB before the per-document cell budget


def test_a_pdf_decompression_bomb_ends_at_the_memory_bound(runner: ExtractionRunner) -> None:
    result = runner.extract(hostile.pdf_bomb(1 << 30)).result()
    assert result.status == "failed"
    assert result.reason and result.reason.split(":")[0] in ("MemoryLimitExceeded", "WorkerDied")
    reading = runner.read(hostile.pdf_bomb(1 << 30)).result()
    assert reading.content is None and reading.reason and "Memory" in reading.reason + "WorkerDied"
    # the worker that hit the bound is replaced or recovered: the next document is read as usual
    assert runner.extract(fixture("shanghai-gov-office-2019").document).result().status == "complete"


def test_a_slow_pdf_ends_at_the_time_bound_and_the_next_file_is_read() -> None:
    document = hostile.long_pdf(300)  # about 45 s to read on the development machine
    with ExtractionRunner(Bounds(seconds=2.0, memory_bytes=MEMORY, workers=1)) as runner:
        runner.extract(b"<p>start the worker</p>").result()
        started = time.monotonic()
        result = runner.extract(document).result()
        elapsed = time.monotonic() - started
        assert runner.extract(fixture("shanghai-gov-office-2019").document).result().status == "complete"
    assert result.status == "failed"
    assert result.reason and result.reason.startswith("TimeLimitExceeded")
    assert elapsed < 2.0 + 10  # the bound, and a busy machine


def test_oversized_and_bomb_files_fail_without_reaching_a_parser(runner: ExtractionRunner) -> None:
    assert (runner.extract(b"%PDF-1.4\n" + bytes(60 * 2**20)).result().reason or "").startswith(
        "DocumentTooLarge"
    )
    assert (runner.read(hostile.docx_bomb(256 << 20)).result().reason or "").startswith("DecompressionBomb")


def _count_parses(log: Path) -> None:
    """Wrap the PDF reader so that every parse, in any process, appends the file's hash to ``log``."""
    read_pdf = attachments.read_pdf

    def counted(document: bytes, *args: object) -> object:
        with log.open("a") as out:
            out.write(hashlib.sha256(document).hexdigest() + "\n")
        return read_pdf(document, *args)  # type: ignore[arg-type]

    attachments.read_pdf = counted  # type: ignore[assignment]


def test_a_file_read_for_recognition_is_extracted_without_a_second_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "parses.log"
    monkeypatch.setattr(attachments, "read_pdf", attachments.read_pdf)  # restored afterwards
    _count_parses(log)
    # forked workers carry the counting reader; the pipelines' two steps: read, then extract
    with ExtractionRunner(Bounds(workers=1), context=multiprocessing.get_context("fork")) as forked:
        reading = forked.read(PDF.read_bytes()).result()
        assert reading.content is not None
        result = forked.extract_content(reading.content, 2024).result()
    assert result.status == "complete"
    assert log.read_text().split() == [hashlib.sha256(PDF.read_bytes()).hexdigest()]
