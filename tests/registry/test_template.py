import csv
import hashlib
from pathlib import Path

import pytest
import yaml

from registry.template import TemplateError, default_template, load_template, parse_template

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "registry" / "templates" / "indicators-2024.csv"  # the catalog the template was built from
SHARED = ROOT.parent / "shared" / "spec" / "indicators-2024.csv"    # the contract, where checked out beside us
# sha256 of the contract's shared/spec/indicators-2024.csv. CI clones only this repo, so the vendored
# copy is checked against the contract through this pin on every clone, and the shared file
# itself wherever it is checked out beside the repo: a changed contract fails here, never silently.
CONTRACT_SHA256 = "8b89db8a50d18cceea437f4dacd4a4f96aefb5dd5fdcdbd7f9dbee291ddee9e2"


def test_vendored_catalog_is_the_contract():
    assert hashlib.sha256(CATALOG.read_bytes()).hexdigest() == CONTRACT_SHA256, (
        f"{CATALOG} is no longer the contract's indicators-2024.csv (sha256 {CONTRACT_SHA256})")


def test_shared_contract_is_the_pinned_one():
    if not SHARED.exists():
        pytest.skip(f"{SHARED} not checked out beside the repo (a clean clone); the vendored copy is "
                    "checked against the pinned sha256 by test_vendored_catalog_is_the_contract")
    assert hashlib.sha256(SHARED.read_bytes()).hexdigest() == CONTRACT_SHA256, (
        "shared/spec/indicators-2024.csv changed: copy it to registry/templates/, update the template "
        "and CONTRACT_SHA256")


def test_bundled_template_matches_the_indicator_catalog():
    t = default_template(2024)
    with CATALOG.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [i.code for i in t.indicators] == [r["code"] for r in rows]
    for ind, r in zip(t.indicators, rows, strict=True):
        assert (ind.label, ind.unit, ind.decimals, ind.parent or "") == (r["label"], r["unit"], int(r["decimals"]), r["parent"])
    assert [p.heading for p in t.parts][0] == "一、科普人员"


def _data() -> dict:
    path = Path(__file__).resolve().parents[2] / "registry" / "templates" / "kp-2024.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("mutate, expected", [
    (lambda d: d["indicators"].append(dict(d["indicators"][0])), "代码重复: P01"),
    (lambda d: d["indicators"][1].update(parent="X99"), "indicators#2 P02"),
    (lambda d: d["indicators"][3].update(part="不存在"), "未知部分"),
    (lambda d: d["rules"][2].update(parts=["F02", "F99"]), "rules#3 funds_raised_sum"),
    (lambda d: d["rules"][4].update(op="=>"), "未知比较符"),
    (lambda d: d["rules"].append({"id": "x", "kind": "magic", "title": "t"}), "未知规则类型"),
    (lambda d: d["indicators"][5].pop("label"), "缺少字段 label"),
])
def test_broken_template_names_the_row(mutate, expected):
    d = _data()
    mutate(d)
    with pytest.raises(TemplateError) as e:
        parse_template(d, "broken.yaml")
    assert expected in str(e.value)
    assert "broken.yaml" in str(e.value)


def test_invalid_yaml_file_is_a_clear_error(tmp_path):
    p = tmp_path / "t.yaml"
    p.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(TemplateError, match="YAML 解析失败"):
        load_template(p)
