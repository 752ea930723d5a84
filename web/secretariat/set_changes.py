"""The criteria-set diff of a cycle, block by block, against the previous cycle's sets: the
page the secretariat reads before opening a cycle rolled forward (and after each save of a set).
Each block is compared with the previous year's block(s) its set names in ``compare_with``, else
with the block of the same id; the changes themselves are :func:`parindex.diff.diff_sets`."""

from __future__ import annotations

from dataclasses import dataclass, field

from parindex.criteria import CriteriaSet
from parindex.diff import Change, diff_sets
from parindex.errors import CriteriaError
from web.engine import loaded_set
from web.models import CriteriaRecord, Cycle


@dataclass
class Comparison:
    """One block of the cycle against one block of the previous cycle."""

    old_block: str
    old_name: str = ""
    changes: list[Change] = field(default_factory=list)
    #: why nothing could be compared ("" when ``changes`` is the answer)
    missing: str = ""


@dataclass
class BlockChanges:
    block: str
    block_name: str
    comparisons: list[Comparison]
    #: the set names its comparison blocks (``compare_with``) rather than its own id
    named: bool = False
    unreadable: str = ""


def _model(record: CriteriaRecord) -> CriteriaSet | None:
    try:
        return loaded_set(record).model
    except CriteriaError:
        return None


def cycle_changes(cycle: Cycle) -> list[BlockChanges]:
    """Every block of ``cycle`` with a set, compared with the previous cycle ([] without one)."""
    previous = cycle.previous
    if previous is None:
        return []
    before = {r.block: r for r in previous.criteria}
    out = []
    for record in sorted(cycle.criteria, key=lambda r: r.block):
        model = _model(record)
        if model is None:
            out.append(
                BlockChanges(
                    record.block,
                    record.block_name,
                    [],
                    unreadable="Bộ tiêu chí không đọc được; hãy tải lại.",
                )
            )
            continue
        named = getattr(model, "compare_with", None)  # the key of issue 13 (parindex.criteria)
        blocks = list(named) if named else [record.block]
        comparisons = []
        for old_block in blocks:
            old = before.get(old_block)
            if old is None:
                comparisons.append(
                    Comparison(
                        old_block,
                        missing=f"Năm {previous.year} không có bộ tiêu chí khối '{old_block}': "
                        "không có gì để so sánh.",
                    )
                )
                continue
            old_model = _model(old)
            if old_model is None:
                comparisons.append(
                    Comparison(
                        old_block,
                        old.block_name,
                        missing=f"Bộ tiêu chí năm {previous.year} của khối này không đọc được.",
                    )
                )
                continue
            comparisons.append(Comparison(old_block, old.block_name, diff_sets(old_model, model)))
        out.append(BlockChanges(record.block, record.block_name, comparisons, bool(named)))
    return out
