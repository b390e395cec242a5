"""Extraction in worker processes with a time and a memory bound, off the caller's thread.

Crawled documents are hostile, and the parsers are not ours: pdfminer unpacks a PDF's
streams without a bound, lxml and python-docx build whole trees. So a crawl never runs
them in its own process. A pebble process pool runs each document in a worker whose
address space is capped (RLIMIT_AS, set when the worker starts) and kills a worker that
runs over the time bound; a worker that dies is replaced. Workers are started with
``spawn``: a clean interpreter, nothing inherited from the crawl's threads. A PDF or DOCX
file is read once (``read``) and its content extracted later (``extract_content``), so no
file is parsed twice.

Every future resolves to a result, never to an exception: a document that runs over a
bound gives a failed ``ReportExtraction`` (or a ``FileReading`` without content) whose
reason names the bound.
"""

from __future__ import annotations

import logging
import multiprocessing
import resource
import signal
from collections.abc import Callable
from concurrent.futures import Future, TimeoutError
from dataclasses import dataclass
from typing import Any, Self, TypeVar

from pebble import ProcessExpired, ProcessPool

from extract.attachments import AttachmentContent, read_attachment
from extract.canonical import ExtractionError
from extract.limits import LimitExceeded
from extract.report import ReportExtraction, extract_attachment_content, extract_report, failed_extraction

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A report (HTML, PDF or DOCX) takes well under a second and under 200 MB; the real PDFs
# of 10-20 pages take 1-3 s. A 300-page PDF takes about 11 s.
DEFAULT_SECONDS = 60.0
DEFAULT_MEMORY_BYTES = 1024 * 1024 * 1024
DEFAULT_WORKERS = 2
# Workers are replaced after this many documents: memory a big document left fragmented is returned.
DEFAULT_TASKS_PER_WORKER = 1000


class TimeLimitExceeded(LimitExceeded):
    """Extraction of the document ran over the time bound; the worker was stopped."""


class MemoryLimitExceeded(LimitExceeded):
    """Extraction of the document needed more memory than the bound."""


class WorkerDied(LimitExceeded):
    """The worker died while reading the document (a crash in a parser, or killed)."""


@dataclass(frozen=True)
class Bounds:
    """Time per document, address space per worker, and the number of workers."""

    seconds: float = DEFAULT_SECONDS
    memory_bytes: int = DEFAULT_MEMORY_BYTES
    workers: int = DEFAULT_WORKERS
    tasks_per_worker: int = DEFAULT_TASKS_PER_WORKER


@dataclass(frozen=True)
class FileReading:
    """A PDF or DOCX file as read once: its content, or why it cannot be read."""

    content: AttachmentContent | None
    reason: str | None = None


@dataclass(frozen=True)
class _Outcome:
    """What a worker hands back: the value or the error, and its own peak memory so far."""

    value: Any
    error: str | None
    peak_rss_bytes: int


def _peak_rss_bytes() -> int:
    """This process's own peak resident memory. VmHWM, as ru_maxrss survives exec on Linux: a
    worker spawned by a large process would report its parent's peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def _limit_memory(memory_bytes: int) -> None:
    """Worker start: cap the address space, so that an allocation past it fails (MemoryError).

    Ctrl-C reaches the whole process group: the crawl decides what happens, not the worker.
    """
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.getLogger("pdfminer").setLevel(logging.ERROR)


def _in_worker(function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> _Outcome:
    try:
        value = function(*args, **kwargs)
    except MemoryError:
        return _Outcome(None, MemoryLimitExceeded.__name__, _peak_rss_bytes())
    except (ExtractionError, LimitExceeded) as error:
        return _Outcome(None, f"{type(error).__name__}: {error}", _peak_rss_bytes())
    return _Outcome(value, None, _peak_rss_bytes())


class ExtractionRunner:
    """A pool of bounded extraction workers; ``close`` it when done (or use it as a context)."""

    def __init__(self, bounds: Bounds | None = None, context: Any = None):
        self.bounds = bounds or Bounds()
        self._pool = ProcessPool(
            max_workers=self.bounds.workers,
            max_tasks=self.bounds.tasks_per_worker,
            initializer=_limit_memory,
            initargs=(self.bounds.memory_bytes,),
            context=context or multiprocessing.get_context("spawn"),
        )
        # The peak resident memory the workers reported with their last results (bytes).
        self.last_peak_rss_bytes = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self, wait: bool = True) -> None:
        """Stop taking work; with ``wait`` let running documents finish, else stop the workers."""
        if wait:
            self._pool.close()
        else:
            self._pool.stop()
        self._pool.join()

    # -- the three kinds of work -----------------------------------------------------------

    def extract(
        self,
        document: bytes | str,
        *,
        url: str | None = None,
        year: int | None = None,
        content_type: str | None = None,
    ) -> Future[ReportExtraction]:
        """``extract_report`` of one document (page or file) within the bounds."""
        kwargs = {"url": url, "year": year, "content_type": content_type}
        return self._schedule(extract_report, (document,), kwargs, _extraction)

    def read(self, document: bytes) -> Future[FileReading]:
        """``read_attachment`` of one PDF or DOCX file within the bounds."""
        return self._schedule(read_attachment, (document,), {}, _reading)

    def extract_content(
        self, content: AttachmentContent, year: int | None = None
    ) -> Future[ReportExtraction]:
        """``extract_attachment_content`` of a file already read by ``read``."""
        return self._schedule(extract_attachment_content, (content, year), {}, _extraction)

    def call(self, function: Callable[..., T], *args: Any) -> Future[T | str]:
        """Any extraction function of a document within the bounds: its value, or the reason it failed."""
        return self._schedule(function, args, {}, _value_or_reason)

    # -- plumbing --------------------------------------------------------------------------

    def _schedule(
        self,
        function: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        convert: Callable[[_Outcome], T],
    ) -> Future[T]:
        future: Future[T] = Future()
        inner = self._pool.schedule(_in_worker, args=(function, args, kwargs), timeout=self.bounds.seconds)

        def done(finished: Future[_Outcome]) -> None:
            try:
                future.set_result(convert(self._outcome(finished)))
            except BaseException as error:  # noqa: BLE001  never leave the caller waiting
                future.set_exception(error)

        inner.add_done_callback(done)
        return future

    def _outcome(self, finished: Future[_Outcome]) -> _Outcome:
        """The worker's outcome, with the pool's own failures (timeout, dead worker) named."""
        try:
            outcome = finished.result()
        except TimeoutError:
            reason = f"{TimeLimitExceeded.__name__}: extraction ran over {self.bounds.seconds:g} s; the worker was stopped"
            logger.warning(reason)
            return _Outcome(None, reason, 0)
        except ProcessExpired as error:
            reason = (
                f"{WorkerDied.__name__}: the worker died (exit code {error.exitcode}) within a memory "
                f"bound of {self.bounds.memory_bytes // 2**20} MiB"
            )
            logger.warning(reason)
            return _Outcome(None, reason, 0)
        except Exception as error:  # noqa: BLE001  whatever else a worker raised is that document's failure
            return _Outcome(None, f"{type(error).__name__}: {error}", 0)
        self.last_peak_rss_bytes = outcome.peak_rss_bytes
        if outcome.error == MemoryLimitExceeded.__name__:
            reason = (
                f"{MemoryLimitExceeded.__name__}: extraction needed more than "
                f"{self.bounds.memory_bytes // 2**20} MiB"
            )
            logger.warning(reason)
            return _Outcome(None, reason, outcome.peak_rss_bytes)
        return outcome


def _extraction(outcome: _Outcome) -> ReportExtraction:
    return failed_extraction(outcome.error) if outcome.error else outcome.value


def _value_or_reason(outcome: _Outcome) -> Any:
    return outcome.error if outcome.error else outcome.value


def run_bounded(runner: ExtractionRunner, function: Callable[..., T], *args: Any) -> T | str:
    """``runner.call`` waited for: the function's value, or the reason (str) it ran over a bound."""
    return runner.call(function, *args).result()


def _reading(outcome: _Outcome) -> FileReading:
    return FileReading(None, outcome.error) if outcome.error else FileReading(outcome.value)
