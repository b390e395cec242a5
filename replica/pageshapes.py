"""The ``pageshapes`` world: report pages in shapes the platform skeleton of ``replica.pages`` lacks.

Its units (units-pageshapes.yaml) use another article template of the CMS family: title in
``h2.art-tit``, a "发布时间：" info line, the body in ``div#zoom``, a 附件 block below the body.
Each report takes one shape:

- ``html``: the whole report in the page;
- ``file_in_body`` / ``file_below`` / ``file_below_list`` / ``file_wrapped_title``: the report
  is only a PDF or DOCX file behind one sentence ("现将《…》全文予以公开，详见附件。"), linked in
  the body, in a 附件 block below it (label and links together, or the label alone and the
  list after it), or from an article whose own title wraps the report's ("关于公开《…》的公告");
- ``split`` / ``split_links``: the report over two or three pages ``t…_1.html``, ``t…_2.html``,
  the pager drawn by ``createPageHTML(...)`` or printed as links;
- ``gbk`` / ``gbk_meta`` / ``gbk_header``: the page in GBK, declared by header and meta, by
  the meta tag only, or by the header only.

Pages about a report stand in the same columns: news ("市卫生健康委发布2024年…"), 一图读懂,
答记者问, 解读, a notice of publication that links the report, a meeting item quoting it.
The notices about compiling the year's reports (which name no report) carry a DOCX form: a
file that is not a report behind an article whose title embeds a report title.
The manifest adds ``shape``, ``files`` and ``parts`` to each report, ``files`` to each
non-report, and a ``related`` list (each page with the report URL it is about).
"""

from __future__ import annotations

import html
import itertools
from dataclasses import replace
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .attachments import CONTENT_TYPES, _fixed_zip, attachment_path, render_attachment
from .bodies import article_body
from .catalog import Article, plan_articles
from .dates import stable_rng
from .units import Site, Unit, _build_unit
from .world import World, _Target

SHAPES_FILE = Path(__file__).with_name("units-pageshapes.yaml")
PAGE_SIZE = 6
# Shapes of reports with statistics tables (they can be files); pre-2019 reports are pages only.
TABULAR_SHAPES = (
    "html",
    "file_in_body",
    "split",
    "gbk",
    "file_below",
    "gbk_meta",
    "split_links",
    "file_below_list",
    "gbk_header",
    "file_wrapped_title",
    "file_twice",
)
PAGE_SHAPES = ("html", "split", "gbk", "split_links", "gbk_meta")
FILE_SHAPES = {"file_in_body", "file_below", "file_below_list", "file_wrapped_title", "file_twice"}
# Related pages: (relation, chance per report of 2019 and later).
RELATED = (
    ("news", 0.6),
    ("graphic", 0.35),
    ("qa", 0.35),
    ("interpretation", 0.35),
    ("notice", 0.3),
    ("meeting", 0.25),
)


@cache
def _raw_units() -> list[dict[str, Any]]:
    with SHAPES_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _e(value: str) -> str:
    return html.escape(value, quote=True)


def _p(text: str) -> str:
    return f'<p style="text-indent:2em">{_e(text)}</p>'


class PageShapesWorld(World):
    """The World of units-pageshapes.yaml."""

    def __init__(self, seed: int, units: list[Unit], articles: list[Article], page_size: int) -> None:
        raw_columns = {(raw["code"], spec["path"]): spec for raw in _raw_units() for spec in raw["columns"]}
        self.shapes: dict[str, str] = {}
        self.formats: dict[str, str] = {}
        self.report_titles: dict[str, str] = {}
        self.related: dict[str, tuple[str, Article]] = {}  # page key -> (relation, report article)
        reports = sorted((a for a in articles if a.report), key=lambda a: a.key)
        drawn = {PAGE_SHAPES: 0, TABULAR_SHAPES: 0}
        for article in reports:
            report = article.report
            assert report is not None
            shapes = PAGE_SHAPES if report.template == "pre2019" else TABULAR_SHAPES
            index = drawn[shapes]
            drawn[shapes] += 1
            shape = shapes[index % len(shapes)]
            self.shapes[article.key] = shape
            if shape in FILE_SHAPES:
                self.formats[article.key] = "pdf" if index % 3 or shape == "file_twice" else "docx"
            if shape == "file_wrapped_title":
                self.report_titles[article.key] = article.title
                article.title = f"关于公开《{article.title}》的公告"
        extra: list[Article] = []
        taken = {(a.column.path, a.url_day, a.docid) for a in articles}
        for article in reports:
            report = article.report
            assert report is not None
            if report.year < 2019:
                continue
            short = raw_columns[(article.column.unit_code, article.column.path)]["short"]
            rng = stable_rng(seed, "related", article.key)
            for number, (relation, chance) in enumerate(RELATED):
                if rng.random() >= chance:
                    continue
                day = article.shown + timedelta(days=rng.randint(0, 6))
                docid = article.docid + 1 + number
                while (article.column.path, day, docid) in taken:
                    docid += 7
                taken.add((article.column.path, day, docid))
                key = f"{article.key}#{relation}"
                title = self._related_title(relation, short, article)
                extra.append(Article(key, article.column, title, day, None, day, relation, None, docid))
                self.related[key] = (relation, article)
        super().__init__("pageshapes", seed, units, [*articles, *extra], page_size)

    def _is_compiling_notice(self, article: Article) -> bool:
        return article.category == "notice" and article.report is None and article.key not in self.related

    def _report_title(self, article: Article) -> str:
        return self.report_titles.get(article.key, article.title)

    def _related_title(self, relation: str, short: str, report: Article) -> str:
        assert report.report is not None
        year = report.report.year
        title = self._report_title(report)
        return {
            "news": f"{short}发布{year}年政府信息公开工作年度报告",
            "graphic": f"一图读懂{title}",
            "qa": f"{short}有关负责人就{year}年度政府信息公开工作年度报告答记者问",
            "interpretation": f"《{title}》解读",
            "notice": f"关于{year}年政府信息公开工作年度报告的公示",
            "meeting": f"{short}召开专题会议部署政务公开工作",
        }[relation]

    # ------------------------------------------------------------------ lookup
    def _index(self) -> None:
        super()._index()
        for unit in self.units:
            for column in unit.columns:
                key = (unit.code, column.site.index)
                for article in self.column_articles(column):
                    if article.key in self.formats:
                        path = attachment_path(article, self.formats[article.key])
                        self._targets[(*key, path)] = _Target("attachment", column, article=article)
                    if self.shapes.get(article.key) == "file_twice":
                        # The same report as a Word file too (page=1 marks the second format).
                        path = attachment_path(article, "docx")
                        self._targets[(*key, path)] = _Target("attachment", column, page=1, article=article)
                    if self._is_compiling_notice(article):
                        path = attachment_path(article, "docx")
                        self._targets[(*key, path)] = _Target("attachment", column, article=article)
                    for number in range(1, len(self._part_bodies(article))):
                        path = self._part_path(article, number)
                        self._targets[(*key, path)] = _Target("part", column, page=number, article=article)

    def content_type(self, path: str) -> str:
        suffix = path.rsplit(".", 1)[-1]
        if suffix in CONTENT_TYPES:
            return CONTENT_TYPES[suffix]
        shape = self._shape_of_path(path)
        if shape in ("gbk", "gbk_header"):
            return "text/html; charset=GBK"
        if shape == "gbk_meta":
            return "text/html"
        return super().content_type(path)

    def _shape_of_path(self, path: str) -> str | None:
        for article in self.articles:
            if article.path == path or article.wap_path == path:
                return self.shapes.get(article.key)
        return None

    # ----------------------------------------------------------------- shapes
    @staticmethod
    def _part_path(article: Article, number: int) -> str:
        return article.path[: -len(".html")] + (f"_{number}.html" if number else ".html")

    def _part_bodies(self, article: Article) -> list[str]:
        """The report body cut before headings 三 and 五 (split shapes), else whole."""
        body = article_body(self.seed, article)
        if self.shapes.get(article.key) not in ("split", "split_links") or article.report is None:
            return [body]
        lines = body.split("\n")
        # Cut before the headings 三 and 五 (printed on lines of their own in every template).
        cuts = [0] + [i for i, line in enumerate(lines) if line.startswith(("<p>三、", "<p>五、")) and i > 0]
        # Two pages for every other report, three for the rest.
        if stable_rng(self.seed, "parts", article.key).random() < 0.5:
            cuts = cuts[:2]
        cuts.append(len(lines))
        return ["\n".join(lines[start:end]) for start, end in itertools.pairwise(cuts)]

    def _pager(self, article: Article, number: int, count: int) -> str:
        base = article.path.rsplit("/", 1)[1][: -len(".html")]
        if self.shapes[article.key] == "split":
            return f'<div class="page-nav"><script>createPageHTML({count}, {number}, "{base}", "html");</script></div>'
        links = "".join(
            f'<a href="./{base}{"" if n == 0 else f"_{n}"}.html">{n + 1}</a>'
            if n != number
            else f"<b>{n + 1}</b>"
            for n in range(count)
        )
        if number + 1 < count:
            links += f'<a href="./{base}_{number + 1}.html">下一页</a>'
        return f'<div class="pages">{links}</div>'

    def _file_link(self, article: Article) -> tuple[str, str]:
        fmt = self.formats[article.key]
        href = "./" + attachment_path(article, fmt).rsplit("/", 1)[1]
        return href, f"{self._report_title(article)}.{fmt}"

    def _report_page(self, site: Site, article: Article, number: int = 0) -> str | bytes:
        shape = self.shapes[article.key]
        files = ""
        if shape in FILE_SHAPES:
            href, name = self._file_link(article)
            sentence = f"现将《{self._report_title(article)}》全文予以公开，详见附件。"
            if shape == "file_in_body":
                body = _p(sentence) + f'\n<p>附件：<a href="{_e(href)}">{_e(name)}</a></p>'
            elif shape == "file_twice":
                word = "./" + attachment_path(article, "docx").rsplit("/", 1)[1]
                body = (
                    _p(sentence)
                    + f'\n<p>附件：<a href="{_e(href)}">{_e(name)}</a></p>'
                    + f'\n<p><a href="{_e(word)}">{_e(name.rsplit(".", 1)[0])}（Word版）.docx</a></p>'
                )
            else:
                body = _p(sentence)
                if shape == "file_below_list":
                    files = f'<div class="fjxz"><p>附件下载:</p><ul><li><a href="{_e(href)}">{_e(name)}</a></li></ul></div>'
                else:
                    files = f'<div class="art-files"><span class="lbl">附件：</span><a href="{_e(href)}">{_e(name)}</a></div>'
            return self._page(site, article, body, files=files)
        bodies = self._part_bodies(article)
        body = bodies[number]
        if shape == "html" and stable_rng(self.seed, "trs", article.key).random() < 0.5:
            body = f'<div class="TRS_Editor">{body}</div>'
        pager = self._pager(article, number, len(bodies)) if len(bodies) > 1 else ""
        page = self._page(site, article, body, pager=pager, charset=self._charset(shape))
        if shape.startswith("gbk"):
            return page.encode("gbk", errors="xmlcharrefreplace")
        return page

    @staticmethod
    def _charset(shape: str) -> str | None:
        if shape in ("gbk", "gbk_meta"):
            return "gb2312"
        if shape == "gbk_header":
            return None
        return "utf-8"

    def _related_page(self, site: Site, article: Article) -> str:
        relation, report_article = self.related[article.key]
        report = report_article.report
        assert report is not None
        title = self._report_title(report_article)
        short = article.title.split("发布")[0] if relation == "news" else report.agency
        rng = stable_rng(self.seed, "related-body", article.key)
        received = report.values.get("requests.new_received.total") or rng.randint(5, 90)
        published = rng.randint(800, 9000)
        link = f'<p><a href="{_e(report_article.url)}">点击查看报告全文</a></p>'
        if relation == "news":
            parts = [
                _p(
                    f"近日，{short}在门户网站“政府信息公开年报”栏目发布《{title}》。报告分为总体情况、主动公开政府信息情况、"
                    "收到和处理政府信息公开申请情况、政府信息公开行政复议行政诉讼情况、存在的主要问题及改进情况、"
                    "其他需要报告的事项六个部分。"
                ),
                _p(
                    f"报告显示，{report.year}年共主动公开政府信息{published}条，收到政府信息公开申请{received}件。"
                ),
            ]
            if rng.random() < 0.5:
                parts.append(link)
        elif relation == "graphic":
            parts = [
                f'<p style="text-align:center"><img src="./W0{report_article.docid}.jpg" alt="{_e(article.title)}"></p>'
            ]
        elif relation == "qa":
            parts = [
                _p(
                    f"近日，{short}公开发布了{report.year}年度政府信息公开工作年度报告。有关负责人就报告内容回答了记者提问。"
                ),
                _p(f"一、{report.year}年主动公开工作有哪些特点？"),
                _p(f"答：全年主动公开政府信息{published}条，重点领域信息公开更加及时。"),
                _p("二、依申请公开办理情况如何？"),
                _p(f"答：全年收到政府信息公开申请{received}件，均在法定期限内答复。"),
            ]
        elif relation == "interpretation":
            parts = [
                _p(f"为便于公众理解《{title}》，现就报告主要内容解读如下。"),
                (
                    '<table border="1"><tr><td>指标</td><td>数量</td></tr>'
                    f"<tr><td>主动公开政府信息（条）</td><td>{published}</td></tr>"
                    f"<tr><td>新收政府信息公开申请（件）</td><td>{received}</td></tr></table>"
                ),
            ]
        elif relation == "notice":
            parts = [
                _p(
                    f"根据《中华人民共和国政府信息公开条例》，{report.agency}{report.year}年政府信息公开工作年度报告已编制完成，现予公示。"
                ),
                link,
            ]
        else:
            parts = [
                _p(f"会议审议通过了《{title}》，并对下一步政务公开工作作出部署。"),
                _p("会议要求，要进一步提高政策解读质量，及时回应社会关切。"),
            ]
        return self._page(site, article, "\n".join(parts))

    def _page(
        self,
        site: Site,
        article: Article,
        body: str,
        *,
        files: str = "",
        pager: str = "",
        charset: str | None = "utf-8",
    ) -> str:
        unit = self._unit_of[site.unit_code]
        source = article.report.agency if article.report else unit.prefix
        meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n' if charset else ""
        stamp = f"{article.shown.isoformat()} {article.shown_time or '10:30'}"
        return f"""<!DOCTYPE html>
<html>
<head>
{meta}<title>{_e(article.title)}-{_e(unit.prefix)}</title>
<meta name="ArticleTitle" content="{_e(article.title)}">
<meta name="ColumnName" content="{_e(article.column.name)}">
</head>
<body>
<div class="top-bar"><a href="/">{_e(unit.prefix)}</a> | 无障碍 | 长者模式</div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="{_e(article.column.path)}">{_e(article.column.name)}</a></div>
<div class="detail">
<h2 class="art-tit">{_e(article.title)}</h2>
<div class="art-info"><span>发布时间：{stamp}</span><span>信息来源：{_e(source)}</span><span>浏览次数：<em id="hits"></em></span></div>
<div class="art-con" id="zoom">
{body}
</div>
{pager}
{files}
</div>
<div class="related-links"><h3>相关链接</h3><ul><li><a href="http://www.cq.gov.cn/">重庆市人民政府</a></li><li><a href="http://www.gov.cn/">中国政府网</a></li></ul></div>
<div class="foot"><p>主办：{_e(unit.prefix)} 网站标识码：5000000{len(unit.code)}</p></div>
</body>
</html>
"""

    # --------------------------------------------------------------- rendering
    def _render(self, site: Site, target: _Target) -> str | bytes:  # type: ignore[override]
        article = target.article
        if article is None or target.kind not in ("article", "part", "attachment"):
            return super()._render(site, target)
        if target.kind == "attachment" and self._is_compiling_notice(article):
            return _form_docx(article.title)
        if target.kind == "attachment":
            fmt = "docx" if target.page == 1 else self.formats[article.key]
            return render_attachment(replace(article, title=self._report_title(article)), fmt, self.seed)
        if article.key in self.related:
            return self._related_page(site, article)
        if self._is_compiling_notice(article):
            href = "./" + attachment_path(article, "docx").rsplit("/", 1)[1]
            body = (
                _p("各处室、各直属单位：")
                + _p("请按照《中华人民共和国政府信息公开条例》要求编制年度报告，并填写附件报送表。")
                + f'\n<p>附件：<a href="{_e(href)}">年度报告编制报送表.docx</a></p>'
            )
            return self._page(site, article, body)
        if article.report is None:
            return super()._render(site, target)
        return self._report_page(site, article, target.page if target.kind == "part" else 0)

    # ------------------------------------------------------------- manifest
    def manifest(self) -> dict[str, Any]:
        manifest = super().manifest()
        by_url = {a.url: a for a in self.articles}
        for entry in manifest["reports"]:
            article = by_url[entry["url"]]
            entry["title"] = self._report_title(article)
            entry["shape"] = self.shapes[article.key]
            entry["format"] = self.formats.get(article.key, "html")
            host = article.column.site.canonical_host
            entry["files"] = (
                [f"http://{host}{attachment_path(article, self.formats[article.key])}"]
                if article.key in self.formats
                else []
            )
            if entry["shape"] == "file_twice":
                entry["files"].append(f"http://{host}{attachment_path(article, 'docx')}")
            count = len(self._part_bodies(article))
            entry["parts"] = (
                [
                    f"http://{article.column.site.canonical_host}{self._part_path(article, n)}"
                    for n in range(count)
                ]
                if count > 1
                else []
            )
            entry["encoding"] = "gbk" if entry["shape"].startswith("gbk") else "utf-8"
        for entry in manifest["non_reports"]:
            article = by_url[entry["url"]]
            host = article.column.site.canonical_host
            compiling = self._is_compiling_notice(article)
            entry["files"] = [f"http://{host}{attachment_path(article, 'docx')}"] if compiling else []
        manifest["related"] = sorted(
            (
                {"url": page.url, "title": page.title, "relation": relation, "report": report.url}
                for page in self.articles
                if page.key in self.related
                for relation, report in [self.related[page.key]]
            ),
            key=lambda entry: entry["url"],
        )
        return manifest


def build_pageshapes_world(seed: int = 2026, page_size: int | None = None) -> PageShapesWorld:
    units = [_build_unit(raw) for raw in _raw_units()]
    articles = plan_articles(units, seed)
    return PageShapesWorld(seed, units, articles, page_size or PAGE_SIZE)


def _form_docx(title: str) -> bytes:
    """The form attached to a notice about compiling the reports: a file that is not a report."""
    import io

    import docx

    document = docx.Document()
    document.add_paragraph(title.removeprefix("关于做好").removesuffix("的通知") + "报送表")
    table = document.add_table(rows=2, cols=4)
    table.style = "Table Grid"
    for column, label in enumerate(("单位名称", "联系人", "联系电话", "报送时间")):
        table.cell(0, column).text = label
    raw = io.BytesIO()
    document.save(raw)
    return _fixed_zip(raw.getvalue())
