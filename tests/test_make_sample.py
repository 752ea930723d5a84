"""The bundled sample province regenerates byte for byte from its criteria files: the facts each
rule kind makes for it (``Kind.province_facts``) are the ones the shipped files hold, for both
years (2024 before the reorganisation, 2025 after it), with the 2024 published results, the 2025
lineage and the ward set copied from the commune set."""

from __future__ import annotations

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
