"""The real 长寿区 2020 report: URL, date line, body text and table values read off the seed by hand."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from replica.world import World

SEED_URL = "http://www.cqcs.gov.cn/zwgk_164/zfxxgknb/qzfxxgknb/csq/202102/t20210203_8859904.html"
SEED_TEXT = Path(__file__).resolve().parents[2] / "replica" / "data" / "cqcs_2020_body.txt"


@pytest.fixture(scope="module")
def seed_entry(replica_small: World) -> dict:
    return next(report for report in replica_small.reports if report["url"] == SEED_URL)


@pytest.fixture(scope="module")
def seed_tree(replica_small: World):
    return lxml_html.fromstring(replica_small.page(SEED_URL))


def test_seed_manifest_entry(seed_entry: dict) -> None:
    assert seed_entry["title"] == "重庆市长寿区2020年政府信息公开工作年度报告"
    assert seed_entry["agency"] == "重庆市长寿区"
    assert seed_entry["published"] == "2021-02-03"
    assert seed_entry["template"] == "v2019"
    assert seed_entry["kind"] == "district"
    assert seed_entry["district"] == "长寿区"
    assert seed_entry["broken_identities"] == []


def test_seed_page_skeleton(seed_tree) -> None:
    assert (
        seed_tree.xpath("string(//div[@class='zwxl-title']/p[@class='tit'])")
        == "重庆市长寿区2020年政府信息公开工作年度报告"
    )
    assert seed_tree.xpath("string(//div[@class='zwxl-bar']/span[@class='con'])") == "日期:2021-02-03"
    crumb = " ".join(seed_tree.xpath("string(//div[@class='content content-o'])").split())
    assert crumb.endswith("政府信息公开年报> 区政府> 长寿区")


def test_seed_body_word_for_word(seed_tree) -> None:
    body = seed_tree.xpath("//div[@class='zwxl-article']/div")[0]
    page_text = "".join(body.text_content().split())
    for line in SEED_TEXT.read_text(encoding="utf-8").splitlines():
        assert "".join(line.split()) in page_text
    assert len(body.xpath(".//table")) == 3


# Numbers read off ../shared/seeds/000_52e44cb05211e8f0.txt by hand.
SEED_VALUES = {
    "disclosure.regulations.made": 0,
    "disclosure.normative_documents.made": 27,
    "disclosure.normative_documents.published": 27,
    "disclosure.normative_documents.total_public": 110,
    "disclosure.licensing.prior_items": 701,
    "disclosure.licensing.change": -375,
    "disclosure.licensing.decisions": 202046,
    "disclosure.other_services.prior_items": 630,
    "disclosure.other_services.change": 378,
    "disclosure.other_services.decisions": 309977,
    "disclosure.penalty.prior_items": 1010,
    "disclosure.penalty.change": 2366,
    "disclosure.penalty.decisions": 162138,
    "disclosure.coercion.prior_items": 19,
    "disclosure.coercion.change": 133,
    "disclosure.coercion.decisions": 3229,
    "disclosure.fees.prior_items": 80,
    "disclosure.fees.change": 0,
    "disclosure.procurement.projects": 142,
    "disclosure.procurement.amount": 47222.14,
    "requests.new_received.natural_person": 102,
    "requests.new_received.commercial": 0,
    "requests.new_received.total": 102,
    "requests.carried_over.natural_person": 16,
    "requests.carried_over.total": 16,
    "requests.granted.natural_person": 33,
    "requests.partially_granted.total": 1,
    "requests.denied.third_party.natural_person": 1,
    "requests.denied.internal_affairs.natural_person": 3,
    "requests.denied.process_info.natural_person": 2,
    "requests.denied.enforcement_file.total": 3,
    "requests.unable.not_held.natural_person": 47,
    "requests.unable.needs_creation.natural_person": 5,
    "requests.unable.unclear.natural_person": 15,
    "requests.not_processed.complaint.natural_person": 3,
    "requests.not_processed.duplicate.natural_person": 1,
    "requests.other.natural_person": 1,
    "requests.total_processed.natural_person": 115,
    "requests.total_processed.total": 115,
    "requests.carried_forward.natural_person": 3,
    "requests.carried_forward.total": 3,
    "appeals.review.upheld": 15,
    "appeals.review.corrected": 2,
    "appeals.review.other": 2,
    "appeals.review.pending": 2,
    "appeals.review.total": 21,
    "appeals.litigation_direct.upheld": 7,
    "appeals.litigation_direct.corrected": 0,
    "appeals.litigation_direct.pending": 3,
    "appeals.litigation_direct.total": 10,
    "appeals.litigation_after_review.total": 0,
}


@pytest.mark.parametrize("key", sorted(SEED_VALUES))
def test_seed_values(seed_entry: dict, key: str) -> None:
    assert seed_entry["values"][key] == SEED_VALUES[key]


def test_seed_table_cells_as_printed(seed_tree) -> None:
    cells = [re.sub(r"\s+", "", cell.text_content()) for cell in seed_tree.xpath("//table[1]//td")]
    assert "47222.14万元" in cells
    assert "-375" in cells and "+378" in cells
