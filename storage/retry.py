"""Retry of transient database errors: a locked SQLite file, a dropped PostgreSQL connection."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from tenacity import (
    before_sleep_log,
    retry,
    retry_if_exception,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

ATTEMPTS = 5
_LOCKED_MESSAGES = ("database is locked", "database table is locked", "database is busy")
# serialization_failure, deadlock_detected: the transaction can simply be run again.
_RETRYABLE_SQLSTATES = {"40001", "40P01"}


def is_transient(error: BaseException) -> bool:
    """True for errors that a fresh attempt of the same transaction may not meet again."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if isinstance(error, OperationalError):
        message = str(error.orig).lower()
        if any(text in message for text in _LOCKED_MESSAGES):
            return True
    return getattr(error.orig, "sqlstate", None) in _RETRYABLE_SQLSTATES


def retry_transient(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` again, with exponential backoff, when it fails on a transient database error."""
    return retry(
        retry=retry_if_exception(is_transient),
        stop=stop_after_attempt(ATTEMPTS),
        wait=wait_exponential(multiplier=0.05, max=2.0),
        before_sleep=before_sleep_log(logger, logging.WARNING),
        reraise=True,
    )(func)


def retry_insert_race(func: Callable[P, R]) -> Callable[P, R]:
    """Run a get-or-create once more if another writer inserted the same natural key meanwhile."""
    return retry(
        retry=retry_if_exception_type(IntegrityError),
        stop=stop_after_attempt(2),
        before_sleep=before_sleep_log(logger, logging.INFO),
        reraise=True,
    )(func)
