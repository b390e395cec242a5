from pathlib import Path

import pytest
import yaml

from crawler.registry import RegistryError, load_registry, select_sites


def test_shipped_registry_lists_every_unit_of_the_portal_facts():
    sites = load_registry()
    names = {site.name for site in sites}
    assert len(sites) == 41
    assert {"长寿区", "渝中区", "沙坪坝区", "梁平区", "涪陵区", "铜梁区", "石柱县", "两江新区"} <= names


def test_irregular_roots_are_registered():
    by_code = {site.code: site for site in load_registry()}
    assert "http://www.cqspb.gov.cn/zwgk_235/xxgk_19662/gknb/zfxxgknb_110/" in by_code["cqspb"].roots
    assert "http://www.cqlp.gov.cn/zfb/zfxxgknb/" in by_code["cqlp"].roots
    assert "http://cqszx.gov.cn/zwgk_260/xzfbgs/" in by_code["cqszx"].roots
    assert "www.ljxq.gov.cn" in by_code["ljxq"].hosts


def test_canonical_host_folds_www_and_bare_twins():
    site = next(site for site in load_registry() if site.code == "cqcs")
    assert site.canonical_host("cqcs.gov.cn") == "www.cqcs.gov.cn"
    assert site.canonical_host("WWW.CQCS.GOV.CN") == "www.cqcs.gov.cn"
    assert site.canonical_host("cqna.gov.cn") is None


def test_select_sites_by_code_and_unknown_code():
    sites = load_registry()
    assert [site.code for site in select_sites(sites, ["cqna", "cqcs"])] == ["cqna", "cqcs"]
    assert select_sites(sites, []) == sites
    with pytest.raises(RegistryError, match="nope"):
        select_sites(sites, ["nope"])


def _write(tmp_path: Path, entries: object) -> Path:
    path = tmp_path / "sites.yaml"
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    return path


def test_registry_rejects_a_root_off_the_sites_hosts(tmp_path):
    path = _write(
        tmp_path,
        [{"code": "x", "name": "某区", "hosts": ["a.gov.cn"], "roots": ["http://b.gov.cn/zfxxgknb/"]}],
    )
    with pytest.raises(RegistryError, match="not on its hosts"):
        load_registry(path)


def test_registry_rejects_missing_fields_and_duplicates(tmp_path):
    with pytest.raises(RegistryError, match="lacks roots"):
        load_registry(_write(tmp_path, [{"code": "x", "name": "某区", "hosts": ["a.gov.cn"]}]))
    entry = {"code": "x", "name": "某区", "hosts": ["a.gov.cn"], "roots": ["http://a.gov.cn/zfxxgknb/"]}
    with pytest.raises(RegistryError, match="duplicate"):
        load_registry(_write(tmp_path, [entry, entry]))


def test_registry_file_that_does_not_exist(tmp_path):
    with pytest.raises(RegistryError, match="cannot read"):
        load_registry(tmp_path / "missing.yaml")


def test_a_mirror_host_folds_into_the_sites_first_host():
    site = next(site for site in load_registry() if site.code == "yc")
    assert site.canonical_host("www.cqyc.gov.cn") == "yc.cq.gov.cn"
    assert site.canonical_host("cqyc.gov.cn") == "yc.cq.gov.cn"
    assert site.canonical_host("yc.cq.gov.cn") == "yc.cq.gov.cn"
