"""The synthetic data generator: valid, deterministic, every rule kind."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from parindex.cli import main
from parindex.dataset import load_year
from parindex.results import score_dataset
from parindex.rules import NAMES as RULE_KINDS


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_generate_is_valid_and_deterministic(tmp_path: Path) -> None:
    runner = CliRunner()
    for name in ("a", "b"):
        result = runner.invoke(
            main, ["generate", "--agencies", "25", "--out", str(tmp_path / name), "--seed", "7"]
        )
        assert result.exit_code == 0, result.output
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    ds = load_year(tmp_path / "a", 2025)
    assert sum(len(s) for s in ds.submissions.values()) == 25
    for loaded in ds.sets.values():
        kinds = {leaf.rule.kind for _, _, leaf in loaded.model.leaves()}
        assert kinds == set(RULE_KINDS)
        assert sum(1 for _ in loaded.model.leaves()) == 100
    results = score_dataset(ds)
    assert results.report.errors == []
    assert sum(len(r.agencies) for r in results.blocks.values()) == 25


def test_generate_refuses_a_folder_with_data(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("dữ liệu", encoding="utf-8")
    result = CliRunner().invoke(main, ["generate", "--agencies", "3", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert (tmp_path / "x" / "keep.txt").read_text(encoding="utf-8") == "dữ liệu"
