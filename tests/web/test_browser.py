"""The web interface in headless Chromium: the reader's path through the pages, and the sandbox.

Every request the browser makes is routed through a counter: the ones to the server under test
go on, any other is refused and counted (there must be none).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from tests.web.conftest import WebArchive
from web.app import create_app

CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def _chromium() -> str:
    path = os.environ.get("REPORTS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    assert os.path.exists(path), "Chromium is needed (apt-get install chromium, or REPORTS_CHROMIUM=path)"
    return path


@pytest.fixture(scope="module")
def server(web_archive_sqlite: WebArchive) -> Iterator[str]:
    """The application on SQLite (the API parity tests cover PostgreSQL), served by uvicorn."""
    archive = web_archive_sqlite.open()
    config = uvicorn.Config(create_app(archive), host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    archive.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Watched:
    """A page whose every request is counted: to the server under test, or refused elsewhere."""

    def __init__(self, browser: Browser, base: str) -> None:
        self.base = urlsplit(base).netloc
        self.context = browser.new_context(locale="zh-CN")
        self.inside: list[str] = []
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.sandbox_refusals: list[str] = []  # what Chromium refused to an archived page
        self.context.route("**/*", self._route)
        self.page: Page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message) -> None:  # type: ignore[no-untyped-def]
        if message.type != "error":
            return
        # Chromium reports each script it blocks in a sandboxed frame and each fetch the policy refuses.
        if "sandboxed" in message.text or "violates the following Content Security Policy" in message.text:
            self.sandbox_refusals.append(message.text)
        else:
            self.errors.append(message.text)

    def _route(self, route, request) -> None:  # type: ignore[no-untyped-def]
        if urlsplit(request.url).netloc == self.base:
            self.inside.append(urlsplit(request.url).path)
            route.continue_()
        else:
            self.outside.append(request.url)
            route.abort()


@pytest.fixture
def watched(browser: Browser, server: str) -> Iterator[Watched]:
    page = Watched(browser, server)
    yield page
    page.context.close()


def test_cjk_font_is_installed() -> None:
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout
    assert fonts.strip(), "no CJK font: apt-get install fonts-noto-cjk (.ci/run does)"


def test_reader_walks_home_search_report_diff_viewer_series(
    watched: Watched, server: str, web_archive_sqlite: WebArchive, tmp_path: Path
) -> None:
    page = watched.page
    page.goto(server + "/")
    assert page.locator("h1").inner_text() == "政府信息公开工作年度报告档案"
    assert page.locator("table.coverage a.cell.archived").count() > 0

    page.fill("input[name=q]", "依申请公开")
    page.fill("input[name=district]", "长寿区")
    page.click("form.search button")
    page.wait_for_url("**/search?*")
    assert page.locator("ol.hits > li").count() > 0
    assert page.locator("ol.hits mark").first.inner_text() == "依申请公开"

    page.locator("ol.hits a.title").first.click()
    page.wait_for_url("**/reports/*")
    assert page.locator("table.values caption").first.is_visible()
    assert (
        "三、收到和处理政府信息公开申请情况" in page.locator("section#stats, section").all_inner_texts()[1]
        or page.get_by_text("三、收到和处理政府信息公开申请情况").is_visible()
    )
    shot = Path(os.environ.get("REPORTS_SCREENSHOT_DIR") or tmp_path)
    page.set_viewport_size({"width": 1100, "height": 900})
    page.screenshot(path=str(shot / "web-report.png"))

    page.get_by_text("查看存档页面").click()
    page.wait_for_url("**/snapshots/*")
    frame = page.frame_locator("iframe.archived")
    assert frame.locator("body").inner_text(timeout=5000).strip() != ""

    page.goto(server + "/diff?district=长寿区&from=2020&to=2021")
    assert page.get_by_text("结转校验").is_visible()
    assert page.locator("table.diffvalues tr.changed").count() > 0

    page.goto(server + "/series?key=requests.new_received.total&district=长寿区")
    assert page.locator("svg.chart polyline").count() >= 1
    assert page.locator("svg.chart").is_visible()

    assert watched.outside == []
    assert watched.errors == []


def test_hostile_archived_page_runs_nothing_and_fetches_nothing(
    watched: Watched, server: str, web_archive_sqlite: WebArchive
) -> None:
    page = watched.page
    viewer = f"{server}/snapshots/{web_archive_sqlite.hostile_sha256}"
    page.goto(viewer)
    frame = page.frame_locator("iframe.archived")
    assert frame.locator("h1").inner_text(timeout=5000) == "存档的恶意页面"
    frame.locator("input[name=q]").focus()
    page.wait_for_timeout(1500)  # time for a refresh, an onload or a redirect to happen, if they could
    assert page.url == viewer
    assert page.frames[1].url.endswith("/frame")
    assert watched.outside == []
    assert not [path for path in watched.inside if "pwned" in path], watched.inside
    assert page.evaluate("window.pwned") is None
    assert watched.errors == []
    assert any("sandboxed" in refusal for refusal in watched.sandbox_refusals), watched.sandbox_refusals
    assert any("evil.example" in refusal for refusal in watched.sandbox_refusals), watched.sandbox_refusals
    assert any("http-equiv='refresh'" in refusal for refusal in watched.sandbox_refusals), (
        watched.sandbox_refusals
    )


def test_hostile_text_is_shown_literally(
    watched: Watched, server: str, web_archive_sqlite: WebArchive
) -> None:
    page = watched.page
    page.goto(f"{server}/search?q=window.pwned")
    page.locator("ol.hits a.title").first.click()
    page.wait_for_url("**/reports/*")
    assert page.get_by_text("<script>window.pwned=1</script>", exact=False).count() >= 1
    assert page.evaluate("window.pwned") is None
    assert watched.errors == []
    assert watched.outside == []
