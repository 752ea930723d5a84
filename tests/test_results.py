"""A year's results as data (parindex.results): the stored JSON's plain numbers are exactly the
text the exact Decimals give through ``json_default``."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pandas as pd

from parindex.dataset import load_year
from parindex.export import json_default
from parindex.results import _floats, score_dataset

REPO = Path(__file__).resolve().parent.parent


def test_plain_numbers_are_the_decimals_as_json_numbers() -> None:
    results = score_dataset(load_year(REPO, 2025))
    exact, plain = results.as_dict(), results.as_dict(plain=True)
    changes = [a["index_change"] for b in exact["blocks"] for a in b["agencies"]]
    assert any(c is not None and c < 0 for c in changes)  # a fall is a negative number
    assert any(c is not None and c > 0 for c in changes)
    assert sum(len(a["components"]) for b in exact["blocks"] for a in b["agencies"]) > 1000
    # the same mapping, key order included, as the Decimals through json_default
    assert plain == json.loads(json.dumps(exact, default=json_default))
    assert json.dumps(plain, ensure_ascii=False, default=json_default) == json.dumps(
        exact, ensure_ascii=False, default=json_default
    )
    first = exact["blocks"][0]["agencies"][0]
    assert isinstance(first["index"], Decimal) and first["index"] == Decimal(
        json.dumps(plain["blocks"][0]["agencies"][0]["index"])
    )
    # hundredths whose float is not exact read back as the same two decimals
    cents = [1, 5, 10, 29, 57, 1365, 8133, 9617, -430, -1, 123456789]
    as_json = json.dumps(_floats(pd.Series(cents, dtype="int64")))
    assert as_json == json.dumps([Decimal(c).scaleb(-2) for c in cents], default=json_default)
