"""Every web setting is documented in docs/web.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from web.config import SETTINGS

DOC = Path(__file__).resolve().parents[2] / "docs" / "web.md"


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_setting_is_documented(name: str) -> None:
    assert f"`{name}`" in DOC.read_text(encoding="utf-8")
