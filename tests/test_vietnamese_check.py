"""The English detector used by every bad-input test finds what it must and spares quoted values."""

import pytest

from tests.vietnamese import english_words


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Input should be a valid decimal", ["Input", "should", "valid", "decimal"]),
        ("found a tab character that violates indentation", ["found", "character"]),
        ("Usage: parindex rank [OPTIONS]", ["Usage", "OPTIONS"]),
        ("'utf-8' codec can't decode byte 0xe1", ["codec", "decode", "byte"]),
        ("Tệp criteria/2025/so.yaml dòng 3: thiếu khóa 'max'", []),
        ("Mã đơn vị 'Input should' không hợp lệ", []),
        ("Bảng tính «Khảo sát», ô B3: 87,5 %", []),
    ],
)
def test_english_words(text: str, found: list[str]) -> None:
    assert english_words(text) == found
