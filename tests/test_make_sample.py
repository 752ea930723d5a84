"""The bundled sample province regenerates byte for byte from its criteria files: the facts each
rule kind makes for it (``Kind.province_facts``) are the ones the shipped files hold, for both
years (2024 before the reorganisation, 2025 after it), with the 2024 published results, the 2025
lineage and the ward set copied from the commune set."""

from __future__ import annotations

import csv
import importlib.util
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_sample_regenerates_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location(
        "make_sample", ROOT / "scripts" / "make_sample.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    shutil.copytree(ROOT / "criteria", tmp_path / "criteria")
    (tmp_path / "criteria" / "2025" / "phuong.yaml").unlink()  # written from xa.yaml
    monkeypatch.setattr(module, "ROOT", tmp_path)
    module.main()
    ward_set = Path("criteria", "2025", "phuong.yaml")
    assert (tmp_path / ward_set).read_bytes() == (ROOT / ward_set).read_bytes()
    shipped = sorted(p.relative_to(ROOT) for p in (ROOT / "submissions").rglob("*") if p.is_file())
    made = sorted(
        p.relative_to(tmp_path) for p in (tmp_path / "submissions").rglob("*") if p.is_file()
    )
    assert made == shipped
    for rel in shipped:
        assert (tmp_path / rel).read_bytes() == (ROOT / rel).read_bytes(), rel


# ---------------------------------------------------------------- what the sample must show
def _csv(rel: str) -> list[dict[str, str]]:
    with (ROOT / rel).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _blocks(year: int) -> dict[str, str]:
    return {r["id"]: r["block"] for r in _csv(f"submissions/{year}/agencies.csv")}


def test_the_lineage_joins_every_unit_of_2024_to_2025() -> None:
    before, after = _blocks(2024), _blocks(2025)
    assert set(before.values()) == {"so-nganh", "huyen", "xa"}
    assert set(after.values()) == {"so-nganh", "phuong", "xa"}  # no district block in 2025
    assert not (ROOT / "submissions" / "2025" / "mapping.csv").exists()
    rows = _csv("submissions/2025/lineage.csv")
    assert list(rows[0]) == ["old", "new", "change", "date", "name", "basis"]
    for r in rows:
        assert r["old"] in before or (r["change"] == "new" and not r["old"]), r
        assert r["new"] in after or (r["change"] == "dissolved" and not r["new"]), r
        assert r["date"] in ("01/03/2025", "01/07/2025"), r
    linked_old = {r["old"] for r in rows}
    # a 2024 unit either continues under its code or has a lineage row; a 2025 unit either
    # existed in 2024 under its code or is some row's new unit
    assert [u for u in before if u not in after and u not in linked_old] == []
    assert [u for u in after if u not in before and u not in {r["new"] for r in rows}] == []
    assert {r["old"] for r in rows if r["change"] == "dissolved"} == {
        u for u, b in before.items() if b == "huyen" and u != "huyen-hon-may"
    }
    olds: dict[str, set[str]] = {}
    for r in rows:
        olds.setdefault(r["new"], set()).add(r["old"])
    # several communes into one; a split; a rename; a new unit; units that continue unchanged
    assert olds["xa-tan-thanh"] >= {"tt-tan-thanh", "xa-tan-hoi", "xa-tan-my"}
    assert [r["new"] for r in rows if r["old"] == "xa-binh-thanh"] == [
        "xa-tan-thanh",
        "xa-tan-kieu",
    ]
    assert {r["change"] for r in rows} == {"merged", "split", "renamed", "dissolved", "new"}
    assert olds["trung-tam-phuc-vu-hanh-chinh-cong"] == {""}
    assert {"xa-an-long", "so-tu-phap"} <= set(before) & set(after) - set(olds)
    # the special zone's only predecessor is the island district, a block it is not compared with
    assert olds["dac-khu-hon-may"] == {"huyen-hon-may"} and before["huyen-hon-may"] == "huyen"
    xa_set = (ROOT / "criteria" / "2025" / "xa.yaml").read_text(encoding="utf-8")
    assert "\ncompare_with: [xa]" in xa_set


def test_a_merger_joins_units_with_different_applicable_maxima() -> None:
    published = {r["agency"]: r for r in _csv("submissions/2024/ket-qua-2024.csv")}
    predecessors = [
        r["old"] for r in _csv("submissions/2025/lineage.csv") if r["new"] == "xa-quang-tri"
    ]
    assert predecessors == ["xa-quang-an", "xa-quang-loc"]
    maxima = {published[p]["applicable_max"] for p in predecessors}
    assert len(maxima) == 2  # xa-quang-an declared leaf 1.3.2 "did not arise" (excluded)
    text = (ROOT / "submissions/2024/xa/xa-quang-an.yaml").read_text(encoding="utf-8")
    assert "  1.3.2:\n    did_not_arise:" in text


def test_every_rule_kind_is_in_the_sample_2025_sets() -> None:
    from parindex.criteria import load_criteria
    from parindex.rules import KINDS

    used = set()
    for path in sorted((ROOT / "criteria" / "2025").glob("*.yaml")):
        model = load_criteria(path).model
        items = [leaf for _, _, leaf in model.leaves()] + model.bonus.items + model.penalty.items
        used |= {leaf.rule.kind for leaf in items}
        assert model.sample and "DỮ LIỆU MINH HỌA" in path.read_text(encoding="utf-8")
    assert used == {k.name for k in KINDS}
