"""The bundled sample province regenerates byte for byte from its criteria files: the facts each
rule kind makes for it (``Kind.province_facts``) are the ones the shipped files hold."""

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
    monkeypatch.setattr(module, "ROOT", tmp_path)
    module.main()
    shipped = sorted(p.relative_to(ROOT) for p in (ROOT / "submissions").rglob("*") if p.is_file())
    made = sorted(
        p.relative_to(tmp_path) for p in (tmp_path / "submissions").rglob("*") if p.is_file()
    )
    assert made == shipped
    for rel in shipped:
        assert (tmp_path / rel).read_bytes() == (ROOT / rel).read_bytes(), rel
