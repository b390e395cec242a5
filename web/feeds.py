"""The changes feed as Atom (RFC 4287): new, revised and withdrawn reports."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

ATOM = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 cannot carry (crawled titles may hold any of them).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
LABELS = {"new": "新增", "revised": "修订", "withdrawn": "撤下"}


def _stamp(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    clean = {name: _NOT_XML.sub("", value) for name, value in attributes.items()}
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", clean)
    if text is not None:
        element.text = _NOT_XML.sub("", text)
    return element


def atom_feed(changes: list[Any], *, base_url: str, district: str | None) -> bytes:
    """Newest first; every entry links to the report's page in this archive and to the source URL."""
    ET.register_namespace("", ATOM)
    base = base_url.rstrip("/")
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "id", f"{base}/changes.atom" + (f"?district={district}" if district else ""))
    _sub(feed, "title", "政府信息公开年报档案：变更" + (f"（{district}）" if district else ""))
    updated = max((change.changed_at for change in changes), default=datetime(2000, 1, 1, tzinfo=UTC))
    _sub(feed, "updated", _stamp(updated))
    _sub(_sub(feed, "author"), "name", "政府信息公开年报档案")
    _sub(feed, "link", rel="self", href=f"{base}/changes.atom")
    for change in changes:
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"{base}/reports/{change.report_id}#{change.change}-{_stamp(change.changed_at)}")
        label = LABELS.get(change.change, change.change)
        _sub(entry, "title", f"[{label}] {change.district} {change.year} {change.title}")
        _sub(entry, "updated", _stamp(change.changed_at))
        _sub(entry, "link", rel="alternate", href=f"{base}/reports/{change.report_id}")
        _sub(entry, "link", rel="related", href=change.url)
        _sub(entry, "summary", f"{change.agency} · {change.year} · {label} · {change.url}")
        _sub(entry, "category", term=change.change)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
