"""The ``listings`` world: 年报 listings that show no link in the downloaded HTML (units-listings.yaml).

Each column says how its list is drawn (``listing:`` in the YAML):

- ``extjs``: an empty ``<ul>``, an inline ``nbList({columnId: "…"})`` call, and the loader in a
  separate file (``/js/nblist.js``) that fetches ``/irs/nblist/<id>.json`` by XHR;
- ``jsonp``: an empty ``<table>``, ``loadColumn(…)`` on load, and ``/static/js/columnList.js``
  that injects ``/static/data/col_<id>.js`` calling ``columnData([...])``;
- ``iframe``: the list is a page of its own (``/site/nblist_<id>/index.html`` with a
  ``createPage`` pager) shown in an ``<iframe>``; ``iframe_host`` puts that page on the unit's
  other registry host and adds a second iframe to a host outside the registry;
- ``empty``: an empty list and no script; ``extjs_empty``: the extjs loader with no item.
  Both stay empty in a browser; their columns publish nothing.

The small, full and browser worlds are untouched; this world only adds to ``World``.
"""

from __future__ import annotations

import hashlib
import html
import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .catalog import Article, plan_articles
from .pages import breadcrumb, site_name
from .units import Column, Site, Unit, _build_unit
from .world import World, _Target

LISTINGS_FILE = Path(__file__).with_name("units-listings.yaml")
PAGE_SIZE = 5
MODES = ("extjs", "jsonp", "iframe", "iframe_host", "empty", "extjs_empty")
EMPTY_MODES = ("empty", "extjs_empty")
EXTJS_LOADER = "/js/nblist.js"
JSONP_LOADER = "/static/js/columnList.js"
# A widget iframe on a host outside every registry: a crawler must never follow it.
FOREIGN_FRAME = "http://tongji.example.net/widget/index.html"

_EXTJS_SCRIPT = """function nbList(opts){
  var xhr=new XMLHttpRequest();
  xhr.open("GET","/irs/nblist/"+opts.columnId+".json",true);
  xhr.onreadystatechange=function(){
    if(xhr.readyState!==4||xhr.status!==200){return;}
    var data=JSON.parse(xhr.responseText),ul=document.getElementById(opts.el);
    for(var i=0;i<data.rows.length;i++){
      var r=data.rows[i],li=document.createElement("li"),a=document.createElement("a");
      a.href=r.link;a.title=r.title;a.textContent=r.title;li.appendChild(a);
      var em=document.createElement("em");em.textContent=r.date;li.appendChild(em);ul.appendChild(li);
    }
  };
  xhr.send();
}
"""

_JSONP_SCRIPT = """var __nbTarget=null;
function columnData(rows){
  var body=document.getElementById(__nbTarget).getElementsByTagName("tbody")[0];
  rows.forEach(function(r,i){
    var tr=document.createElement("tr");
    tr.innerHTML="<td>"+(i+1)+"</td><td><a target=\\"_blank\\"></a></td><td>"+r.d+"</td>";
    var a=tr.getElementsByTagName("a")[0];a.setAttribute("href",r.u);a.textContent=r.t;
    body.appendChild(tr);
  });
}
function loadColumn(id,column){
  __nbTarget=id;var s=document.createElement("script");
  s.src="/static/data/col_"+column+".js";document.head.appendChild(s);
}
"""


@cache
def _raw_units() -> list[dict[str, Any]]:
    with LISTINGS_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def column_id(column: Column) -> int:
    """The CMS's numeric column id of a column (stable, from its path)."""
    return 10000 + int(hashlib.sha1(column.path.encode()).hexdigest()[:8], 16) % 90000


def _e(text: str) -> str:
    return html.escape(text, quote=True)


class ListingsWorld(World):
    """The World of units-listings.yaml: listings drawn by external scripts, in iframes, or empty."""

    def __init__(self, seed: int, units: list[Unit], articles: list[Article], page_size: int) -> None:
        self.modes: dict[tuple[str, str], str] = {}
        for raw in _raw_units():
            for spec in raw["columns"]:
                if "listing" in spec:
                    if spec["listing"] not in MODES:
                        raise ValueError(f"{raw['code']} {spec['path']}: unknown listing {spec['listing']!r}")
                    self.modes[(raw["code"], spec["path"])] = spec["listing"]
        # An empty listing's column publishes nothing (nothing could be found there).
        articles = [a for a in articles if self.mode(a.column) not in EMPTY_MODES]
        super().__init__("listings", seed, units, articles, page_size)

    def mode(self, column: Column) -> str | None:
        return self.modes.get((column.unit_code, column.path))

    def _frame_site(self, column: Column) -> Site:
        unit = self._unit_of[column.unit_code]
        return unit.sites[1] if self.mode(column) == "iframe_host" else column.site

    def frame_url(self, column: Column, page: int = 0) -> str:
        name = "index.html" if page == 0 else f"index_{page}.html"
        folder = "nb/list" if self.mode(column) == "iframe_host" else "site/nblist"
        return f"http://{self._frame_site(column).canonical_host}/{folder}_{column_id(column)}/{name}"

    def frame_pages(self, column: Column) -> int:
        return max(1, -(-len(self.column_articles(column)) // self.page_size))

    # ------------------------------------------------------------------ lookup
    def _index(self) -> None:
        super()._index()
        for unit in self.units:
            for column in unit.columns:
                mode = self.mode(column)
                key = (unit.code, column.site.index)
                if mode in ("extjs", "extjs_empty"):
                    self._targets[(*key, EXTJS_LOADER)] = _Target("extjs_loader", column)
                    self._targets[(*key, f"/irs/nblist/{column_id(column)}.json")] = _Target("data", column)
                elif mode == "jsonp":
                    self._targets[(*key, JSONP_LOADER)] = _Target("jsonp_loader", column)
                    self._targets[(*key, f"/static/data/col_{column_id(column)}.js")] = _Target(
                        "data", column
                    )
                elif mode in ("iframe", "iframe_host"):
                    site = self._frame_site(column)
                    for page in range(self.frame_pages(column)):
                        path = "/" + self.frame_url(column, page).split("/", 3)[3]
                        self._targets[(unit.code, site.index, path)] = _Target("frame", column, page)

    def page_count(self, column: Column) -> int:
        if self.modes.get((column.unit_code, column.path)):
            return 1  # the shell page; an iframe's pages are counted by frame_pages
        return super().page_count(column)

    def content_type(self, path: str) -> str:
        if path.endswith(".js"):
            return "application/javascript; charset=utf-8"
        if path.endswith(".json"):
            return "application/json; charset=utf-8"
        return super().content_type(path)

    # --------------------------------------------------------------- rendering
    def _render(self, site: Site, target: _Target) -> str:
        column = target.column
        if target.kind == "extjs_loader":
            return _EXTJS_SCRIPT
        if target.kind == "jsonp_loader":
            return _JSONP_SCRIPT
        if column is not None and target.kind == "data":
            return self._data(column)
        if column is not None and target.kind == "frame":
            return self._frame_page(column, target.page)
        if column is not None and target.kind == "listing" and self.mode(column):
            return self._shell(column)
        return super()._render(site, target)

    def _items(self, column: Column) -> list[Article]:
        return [] if self.mode(column) in EMPTY_MODES else self.column_articles(column)

    def _data(self, column: Column) -> str:
        if self.mode(column) == "jsonp":
            rows = [
                {"u": "./" + a.path[len(column.path) :], "t": a.title, "d": a.shown.isoformat()}
                for a in self._items(column)
            ]
            return "columnData(" + json.dumps(rows, ensure_ascii=False) + ");"
        items = [{"link": a.path, "title": a.title, "date": a.shown.isoformat()} for a in self._items(column)]
        return json.dumps({"columnId": str(column_id(column)), "rows": items}, ensure_ascii=False)

    def _shell(self, column: Column) -> str:
        """The column's own page: breadcrumb, and a list drawn by a script or shown in an iframe."""
        unit = self._unit_of[column.unit_code]
        mode = self.mode(column)
        head = body = ""
        if mode in ("extjs", "extjs_empty"):
            head = f'<script src="{EXTJS_LOADER}"></script>'
            body = (
                '<ul class="nb-list" id="nbList"></ul>\n'
                f'<script>nbList({{columnId: "{column_id(column)}", el: "nbList"}});</script>'
            )
        elif mode == "jsonp":
            body = (
                '<table class="gl-list" id="nbTable"><thead><tr><th>序号</th><th>标题</th><th>日期</th></tr>'
                "</thead><tbody></tbody></table>\n"
                f'<script src="{JSONP_LOADER}"></script>\n'
                f'<script>window.onload=function(){{loadColumn("nbTable", {column_id(column)})}};</script>'
            )
        elif mode in ("iframe", "iframe_host"):
            src = self.frame_url(column)
            if mode == "iframe":
                src = "/" + src.split("/", 3)[3]
            body = (
                f'<div class="nb-frame"><iframe src="{_e(src)}" width="100%" height="900" frameborder="0" '
                'scrolling="no"></iframe></div>'
            )
            if mode == "iframe_host":
                body += f'\n<iframe src="{FOREIGN_FRAME}" style="display:none"></iframe>'
        else:  # empty
            body = '<ul class="tab-item"></ul>'
        children = self._children(column)
        if children:
            items = "".join(f'<li><a href="{_e(link.href)}">{_e(link.text)}</a></li>' for link in children)
            body = f'<ul class="sub-columns">{items}</ul>\n' + body
        name = site_name(column, unit.prefix)
        return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{_e(column.name)}_{_e(name)}</title>
<meta name="ColumnName" content="{_e(column.name)}">
{head}
</head>
<body>
<div class="location">{breadcrumb(column, unit.code)}</div>
<div class="nb-main">
{body}
</div>
</body>
</html>
"""

    def _frame_page(self, column: Column, page: int) -> str:
        """The page an iframe shows: rows linking the column's articles on their own host, a pager."""
        items = self.column_articles(column)[page * self.page_size : (page + 1) * self.page_size]
        host = column.site.canonical_host
        rows = "".join(
            f'<li><a class="ellipsis" href="http://{host}{_e(a.path)}" title="{_e(a.title)}" target="_blank">'
            f"{_e(a.title)}</a><span>{a.shown.isoformat()}</span></li>"
            for a in items
        )
        return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>{_e(column.name)}</title></head>
<body>
<div class="list-warp"><ul>{rows}</ul></div>
<div id="page"></div><script>createPage({self.frame_pages(column)}, {page}, "index", "html");</script>
</body>
</html>
"""

    # ------------------------------------------------------------- manifest
    def manifest(self) -> dict[str, Any]:
        manifest = super().manifest()
        columns = [column for unit in self.units for column in unit.columns]
        manifest["listings"] = {
            "modes": {column.url: self.mode(column) for column in columns if self.mode(column)},
            "empty_listings": sorted(column.url for column in columns if self.mode(column) in EMPTY_MODES),
            "frames": {
                column.url: self.frame_url(column)
                for column in columns
                if self.mode(column) in ("iframe", "iframe_host")
            },
            "foreign_frames": [FOREIGN_FRAME],
        }
        return manifest


def build_listings_world(seed: int = 2026, page_size: int | None = None) -> ListingsWorld:
    units = [_build_unit(raw) for raw in _raw_units()]
    articles = plan_articles(units, seed)
    return ListingsWorld(seed, units, articles, page_size or PAGE_SIZE)
