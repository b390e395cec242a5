"""Page skeletons of the platform: article pages (and _wap twins), column listings, robots.txt.

The skeleton follows portal §4 (meta tags, div.content.content-o breadcrumb,
div.zwxl-title p.tit, span.con date line, JS-written 来源, div.zwxl-article body)
and §2.5 (index_N.html pages, createPage(N, i, "index", "html")).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from .catalog import Article
from .dates import stable_rng
from .units import Column

ROBOTS_TXT = "User-agent: *\nDisallow: /irs/\n"

# Breadcrumb prefix and separator per unit (portal §4.3); default "您当前的位置: 首页> ".
_CRUMBS = {
    "cqyz": ("您当前的位置:首页 >", " >"),
    "youyang": ("您当前位置:首页 /", " /"),
    "qianjiang": ("您当前位置: 首页/", "/"),
    "rongchang": ("当前位置:首页 >", " >"),
    "gxq": ("当前的位置: 首页>", ">"),
    "cqtn": ("您当前的位置: 首页 >", " >"),
}
# Date line per unit (portal §4.3): plain | space | minute | seconds | source_first | source_last
_DATE_STYLES = {
    "cqbn": "space",
    "cqtn": "space",
    "ddk": "space",
    "cqna": "minute",
    "jiangjin": "seconds",
    "cqyz": "source_first",
    "cqspb": "source_first",
    "hc": "source_last",
}
_HEADERS = {
    "cqna": "搜索 登录 注册 部门街镇 繁体版 无障碍 关怀版 智能问答 网站支持IPV6",
    "dazu": "中国政府网 | 重庆市人民政府网 区政府 区人大 区政协 网站专栏 | 无障碍 | 登录 | 注册 网站支持IPv6",
    "gxq": "首页 政务公开 渝快办 互动交流 招商引资 魅力科学城",
}
_DEFAULT_HEADER = "中国政府网 | 重庆市人民政府网 | 注册"


@dataclass(frozen=True)
class Link:
    href: str
    text: str


def _e(value: str) -> str:
    return html.escape(value, quote=True)


def _is_subsite(column: Column) -> bool:
    """A department/town sub-site column: its path is not under its parent's."""
    return (
        column.parent is None
        and column.kind is not None
        or (column.parent is not None and not column.path.startswith(column.parent.path))
    )


def site_name(column: Column, unit_prefix: str) -> str:
    if _is_subsite(column) and column.agency:
        # seen: "重庆市长寿区区招商投资促进局" (the doubled 区 of sub-site headers)
        if (
            column.agency.startswith(unit_prefix)
            and column.kind == "department"
            and unit_prefix.endswith("区")
        ):
            return unit_prefix + "区" + column.agency[len(unit_prefix) :]
        return column.agency
    return unit_prefix + ("人民政府" if not unit_prefix.endswith(("新区", "开发区")) else "")


def breadcrumb(column: Column, unit_code: str, wap: bool = False) -> str:
    prefix, sep = _CRUMBS.get(unit_code, ("您当前的位置: 首页>", ">"))
    if wap:
        prefix = "您的位置: 首页>"
        sep = ">"
    prefix = prefix.replace("首页", '<a href="/">首页</a>', 1)
    if _is_subsite(column):
        label = column.name if column.name != "政府信息公开年报" else (column.agency or column.name)
        names = [(None, label), (None, "政务公开"), (column.path, "政府信息公开年报")]
    else:
        names = [(None, "政务公开")] + [(node.path, node.name) for node in column.ancestors()]
    parts = [
        f'<a href="{_e(path)}">{_e(name)}</a>' if path else f"<span>{_e(name)}</span>" for path, name in names
    ]
    return prefix + " " + (sep + " ").join(parts)


def _date_line(article: Article, unit_code: str, source: str) -> str:
    day = article.shown.isoformat()
    clock = article.shown_time or "09:00"
    style = _DATE_STYLES.get(unit_code, "plain")
    if article.report and article.report.is_seed:
        style = "plain"
    if style == "space":
        return f"日期: {day}"
    if style == "minute":
        return f"日期:{day} {clock}"
    if style == "seconds":
        return f"发布日期:{day} {clock}:{stable_rng('sec', article.key).randint(0, 59):02d}"
    if style == "source_first":
        word = "发布时间" if unit_code == "cqyz" else "日期"
        tail = f" {clock}" if unit_code == "cqyz" else ""
        return f"来源:{source} {word}:{day}{tail}"
    if style == "source_last":
        return f"日期:{day}来源:{source}"
    return f"日期:{day}"


def _source(article: Article) -> str:
    if article.report:
        return article.report.agency
    return article.column.agency or article.column.name


def article_page(article: Article, body: str, unit_code: str, unit_prefix: str, wap: bool = False) -> str:
    """A full article page (or its _wap twin: same title, date and body, lighter chrome)."""
    column = article.column
    source = _source(article)
    pub = f"{article.shown.isoformat()} {article.shown_time or '09:00'}"
    word = stable_rng("word", article.key).random() < 0.2
    body_class = "view TRS_UEDITOR trs_paper_default " + ("trs_word" if word else "trs_web")
    script = (
        f'<script>if("{_e(source)}"!=""){{document.write(\'<span class="tit"> 来源：</span>'
        f'<span class="con">{_e(source)}</span>\');}}</script>'
    )
    widgets = (
        ""
        if wap
        else '<span class="zh">字号:<a>大</a> <a>中</a> <a>小</a></span> <span class="fx">分享:</span>'
    )
    header = (
        f'<div class="m-header">{_e(site_name(column, unit_prefix))}</div>'
        if wap
        else (
            f'<div class="header"><div class="top">{_e(_HEADERS.get(unit_code, _DEFAULT_HEADER))}</div>'
            f'<div class="site-name">{_e(site_name(column, unit_prefix))}</div></div>'
        )
    )
    viewport = '<meta name="viewport" content="width=device-width, initial-scale=1">\n' if wap else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
{viewport}<title>{_e(article.title)}</title>
<meta name="SiteName" content="{_e(site_name(column, unit_prefix))}">
<meta name="SiteDomain" content="{_e(column.site.canonical_host)}">
<meta name="ColumnName" content="{_e(column.name)}">
<meta name="ArticleTitle" content="{_e(article.title)}">
<meta name="PubDate" content="{pub}">
<meta name="ContentSource" content="{_e(source)}">
<meta name="Keywords" content="政府信息公开;年度报告">
</head>
<body>
{header}
<div class="content content-o">{breadcrumb(column, unit_code, wap)}</div>
<div class="zwxl-title">
<p class="tit">{_e(article.title)}</p>
<div class="zwxl-bar"><span class="con">{_e(_date_line(article, unit_code, source))}</span>{script}{widgets}</div>
</div>
<div class="zwxl-article">
<div class="{body_class}">
{body}
</div>
</div>
<div class="footer"><p>主办：{_e(site_name(column, unit_prefix))}</p></div>
</body>
</html>
"""


def _row_href(article: Article, column: Column) -> str:
    """Relative links as on the platform; a few rows link the _wap twin or the other host form."""
    rng = stable_rng("href", article.key)
    draw = rng.random()
    relative = "./" + article.path[len(column.path) :]
    if draw < 0.05:
        return relative[: -len(".html")] + "_wap.html"
    hosts = column.site.hosts
    if draw < 0.10 and len(hosts) > 1:
        return f"http://{hosts[1]}{article.path}"
    return relative


def listing_page(
    column: Column,
    articles: list[Article],
    page: int,
    pages: int,
    children: list[Link],
    unit_code: str,
    unit_prefix: str,
    table_rows: bool,
) -> str:
    """Page ``page`` (0-based) of a column listing; the page count is only in createPage(...)."""
    if table_rows:
        rows = "".join(
            f'<tr><td>{n}</td><td><a href="{_e(_row_href(a, column))}" title="{_e(a.title)}" target="_blank">{_e(a.title)}</a></td>'
            f"<td>{a.shown.isoformat()}</td></tr>"
            for n, a in enumerate(articles, start=1)
        )
        listing = f'<table class="cwx-table"><tbody><tr class="cwx-tit"><td>序号</td><td>标题</td><td>发布日期</td></tr>{rows}</tbody></table>'
    else:
        rows = "".join(
            f'<li class="clearfix"><a href="{_e(_row_href(a, column))}" title="{_e(a.title)}" target="_blank">{_e(a.title)}</a>'
            f'<span class="rt">{a.shown.isoformat()}</span></li>'
            for a in articles
        )
        listing = f'<ul class="tab-item">{rows}</ul>'
    nav = "".join(f'<li><a href="{_e(link.href)}">{_e(link.text)}</a></li>' for link in children)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{_e(column.name)}_{_e(site_name(column, unit_prefix))}</title>
<meta name="SiteName" content="{_e(site_name(column, unit_prefix))}">
<meta name="ColumnName" content="{_e(column.name)}">
</head>
<body>
<div class="header"><div class="top">{_e(_HEADERS.get(unit_code, _DEFAULT_HEADER))}</div></div>
<div class="content content-o">{breadcrumb(column, unit_code)}</div>
<div class="zfxxgk-nav"><ul class="tab-list-bool clearfix">{nav}</ul></div>
<div class="p-rt rt">{listing}</div>
<div id="page"></div><script>createPage({pages}, {page}, "index", "html");</script>
</body>
</html>
"""


def home_page(name: str, links: list[Link]) -> str:
    items = "".join(f'<li><a href="{_e(link.href)}">{_e(link.text)}</a></li>' for link in links)
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{_e(name)}</title></head>'
        f'<body><div class="header">{_e(name)}</div><ul class="tab-list-bool clearfix">{items}</ul></body></html>\n'
    )
