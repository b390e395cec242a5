"""Article bodies (the HTML inside div.view.TRS_UEDITOR): reports and non-reports."""

from __future__ import annotations

import html

from reportformat import section_headings

from . import seed as seed_report
from . import text
from .catalog import Article, report_grids
from .coverage import unreadable_table
from .dates import stable_rng
from .tables import render_table


def _p(content: str, indent: bool = True) -> str:
    style = ' style="text-indent: 2em;"' if indent else ""
    return f"<p{style}>{html.escape(content)}</p>"


def _title_lines(article: Article) -> list[str]:
    report = article.report
    assert report is not None
    if report.split_title:
        # seen: "重庆市铜梁区人民政府办公室 / 2025年政府信息公开工作年度报告" on two lines
        rest = (
            article.title[len(report.agency) :].strip()
            if article.title.startswith(report.agency)
            else article.title
        )
        return [
            f'<p style="text-align: center;"><strong>{html.escape(report.agency)}</strong></p>',
            f'<p style="text-align: center;"><strong>{html.escape(rest)}</strong></p>',
        ]
    return [f'<p style="text-align: center;"><strong>{html.escape(article.title)}</strong></p>']


def _pre2019_body(seed: int, article: Article) -> list[str]:
    report = article.report
    assert report is not None
    rng = stable_rng(seed, "text", article.key)
    out = _title_lines(article)
    legacy = text.legacy_report(rng, report.agency, report.year)
    for number, (heading, paragraphs) in enumerate(legacy.sections):
        out.append(_p(heading, indent=False))
        out += [_p(paragraph) for paragraph in paragraphs]
        if number == legacy.table_after and legacy.table:
            cells = "".join(
                "<tr>"
                + "".join(f'<td><p align="center">{html.escape(cell)}</p></td>' for cell in row)
                + "</tr>"
                for row in legacy.table
            )
            out.append(
                f'<p style="text-align: center;">表1 政府信息公开情况统计表</p><table border="1" cellspacing="0"><tbody>{cells}</tbody></table>'
            )
    return out


def _tabular_body(seed: int, article: Article) -> list[str]:
    report = article.report
    assert report is not None
    rng = stable_rng(seed, "text", article.key)
    headings = section_headings()
    grids = report_grids(report)
    if report.style.halfwidth:
        headings = {n: h.replace("（", "(").replace("）", ")") for n, h in headings.items()}
    out = _title_lines(article)
    out.append(_p(text.intro(rng, report.agency, report.year, report.kind)))
    out.append(_p(headings[1], indent=False))
    wording = text.prose_wording(seed, article.key)
    slip = text.prose_slip(seed, article.key, report.printed)
    for sub, paragraph in text.overview(rng, report.printed, wording, slip):
        out.append(_p(sub))
        out.append(_p(paragraph))
    for number, grid in zip((2, 3, 4), grids, strict=True):
        out.append(_p(headings[number], indent=False))
        out.append(
            unreadable_table(article, number) if report.unreadable else render_table(grid, report.style)
        )
    out.append(_p(headings[5], indent=False))
    out += [_p(paragraph) for paragraph in text.problems(rng)]
    out.append(_p(headings[6], indent=False))
    out.append(_p(text.other_matters(rng, report.year)))
    return out


def _non_report_body(article: Article) -> list[str]:
    if article.category == "notice":
        return [
            _p("各有关单位："),
            _p(
                f"根据《中华人民共和国政府信息公开条例》规定，现就做好{article.title[4:8]}年"
                "政府信息公开工作年度报告编制和发布工作通知如下：请于次年1月31日前完成本单位年度报告的编制，"
                "经审核后在政府信息公开专栏“政府信息公开年报”栏目公开。"
            ),
        ]
    if article.category == "graphic":
        return [_p(f"一图读懂{article.title[3:]}。"), '<p style="text-align: center;">[图解]</p>']
    if article.category == "interpretation":
        return [
            _p(f"为便于公众理解{article.title.split('》')[0]}》，现解读如下。"),
            _p("一、报告的总体结构；二、主要数据；三、下一步工作。"),
        ]
    return [
        _p("各乡镇人民政府、街道办事处，县政府各部门，有关单位："),
        _p("现将有关文件印发给你们，请认真贯彻执行。"),
    ]


def article_body(seed: int, article: Article) -> str:
    """The inner HTML of the article body, including any later revisions."""
    if article.report is None:
        parts = _non_report_body(article)
    elif article.report.is_seed:
        parts = [seed_report.seed_body()]
    elif article.report.template == "pre2019":
        parts = _pre2019_body(seed, article)
    else:
        parts = _tabular_body(seed, article)
    parts += [_p(sentence) for sentence in article.revisions]
    return "\n".join(parts)
