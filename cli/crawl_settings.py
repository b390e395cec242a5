"""Scrapy settings given on the ``reports crawl`` command line (``-s NAME=VALUE``, ``--webhook``)."""

from __future__ import annotations

import click


def crawl_overrides(pairs: tuple[str, ...], webhook: str | None, fresh: bool) -> dict[str, str | bool]:
    """The settings of one crawl: each ``NAME=VALUE`` as given, the webhook, no resuming if fresh."""
    settings: dict[str, str | bool] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or name.strip() != name.strip().upper():
            raise click.BadParameter(f"expected NAME=VALUE with an upper-case Scrapy setting, got {pair!r}")
        settings[name.strip()] = value
    if webhook:
        settings["REPORTS_WEBHOOK"] = webhook
    if fresh:
        settings["REPORTS_RESUME"] = False
    return settings
