"""Ranking within a block, by the published (rounded) index, with the tie rule stated."""

from __future__ import annotations

import numpy as np
import pandas as pd

from parindex.criteria import CriteriaSet

TIE_KEY_LABELS = {
    "appraised_points": "điểm thẩm định (không kể điểm điều tra xã hội học) cao hơn",
    "survey_points": "điểm điều tra xã hội học cao hơn",
    "bonus_points": "điểm thưởng cao hơn",
    "penalty_points": "điểm trừ thấp hơn",
}
#: tie key → (column, ascending?)
TIE_KEY_COLUMNS = {
    "appraised_points": ("appraised_c", False),
    "survey_points": ("survey_c", False),
    "bonus_points": ("bonus_c", False),
    "penalty_points": ("penalty_c", True),
}


def tie_rule_text(model: CriteriaSet) -> str:
    """The tie rule in Vietnamese, printed in every output."""
    base = "Xếp hạng theo Chỉ số CCHC đã làm tròn đến 2 chữ số thập phân, từ cao xuống thấp."
    if not model.tie_break:
        return base + (
            " Các đơn vị có Chỉ số bằng nhau được xếp đồng hạng; hạng tiếp theo bỏ qua các"
            " hạng đã dùng (ví dụ 1, 2, 2, 4)."
        )
    chain = "; rồi ".join(TIE_KEY_LABELS[k] for k in model.tie_break)
    return base + (
        f" Khi Chỉ số bằng nhau, đơn vị xếp trên là đơn vị có {chain}; nếu vẫn bằng nhau thì"
        " đồng hạng (ví dụ 1, 2, 2, 4)."
    )


def band_of(model: CriteriaSet, index_u: int) -> str:
    """The first band (highest threshold first) whose threshold the index reaches."""
    for band in model.bands:
        if index_u >= int(band.at_least * 100):
            return band.name
    return model.bands[-1].name


def rank(model: CriteriaSet, agencies: pd.DataFrame) -> pd.DataFrame:
    """Add ``rank`` and ``band`` columns; rows come back sorted by rank, then agency name."""
    keys = [("index_u", False)] + [TIE_KEY_COLUMNS[k] for k in model.tie_break]
    frame = agencies.copy()
    # a composite key: equal tuples share the lowest rank of their group ("min" method)
    sort_cols = [c for c, _ in keys]
    ascending = [a for _, a in keys]
    ordered = frame.sort_values(
        sort_cols + ["name"], ascending=ascending + [True], kind="mergesort"
    )
    values = ordered[sort_cols].to_numpy()
    n = len(ordered)
    starts = np.ones(n, dtype=bool)
    if n > 1:
        starts[1:] = (values[1:] != values[:-1]).any(axis=1)
    ranks = np.maximum.accumulate(np.where(starts, np.arange(1, n + 1), 0)) if n else np.zeros(0)
    ordered = ordered.assign(rank=ranks)
    thresholds = [(int(b.at_least * 100), b.name) for b in model.bands]
    ordered["band"] = [
        next((name for t, name in thresholds if idx >= t), thresholds[-1][1])
        for idx in ordered["index_u"]
    ]
    return ordered.reset_index(drop=True)
