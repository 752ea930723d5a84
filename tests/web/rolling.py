"""Shared set-up of the roll-forward tests: small criteria sets (tests/data/criteria-valid.yaml
under another block or year), a cycle's state, and the province reorganised on 01/07/2025.

The province (cycle 2025 of the ``cycle`` fixture, plus a district block):

  2025 agencies: xa-a, xa-b (block xa, UBND xã), so-a (so-nganh), huyen-h (huyen, UBND huyện)
  lineage, all effective 01/07/2025:
    xa-a + xa-b → xa-ab "UBND xã An Bình" (merged; xa-a also has its end date, xa-b's end is
    only the link)
    huyen-h dissolved
    xa-moi "UBND xã Mới" new (UBND xã: last year's UBND xã units were all in block xa → xa)
    dk-z "UBND đặc khu Z" new (đặc khu: no such unit last year → the secretariat chooses)
"""

from __future__ import annotations

import datetime as dt

from flask import Flask

from parindex.criteria import criteria_from_text
from tests.web.conftest import REPO
from web.models import Agency, CriteriaRecord, Cycle, Submission, Unit, UnitLink, db, get_cycle

VALID = REPO / "tests" / "data" / "criteria-valid.yaml"
MERGER = dt.date(2025, 7, 1)
#: bonus item B.1 of criteria-valid.yaml: its maximum line (2 points; 1 is valid too)
B1_MAX = "      max: 2\n      rule:\n        kind: per-item"


#: the blocks' names in the small sets
BLOCK_NAMES = {
    "so": "Sở, ban, ngành",
    "so-nganh": "Sở, ban, ngành",
    "xa": "UBND cấp xã",
    "huyen": "UBND cấp huyện",
    "phuong": "UBND phường",
}


def small_set(block: str, year: int = 2025) -> str:
    """tests/data/criteria-valid.yaml as the set of ``block`` for ``year``."""
    text = VALID.read_text(encoding="utf-8")
    head = "id: test-so-2025\nyear: 2025\nblock: so\nblock_name: Sở, ban, ngành\n"
    assert head in text
    return text.replace(
        head,
        f"id: test-{block}-{year}\nyear: {year}\nblock: {block}\n"
        f"block_name: {BLOCK_NAMES[block]}\n",
    )


def put_set(cycle: Cycle, block: str, text: str) -> None:
    """Store ``text`` as the set of ``block`` in ``cycle`` (replacing the block's set)."""
    loaded = criteria_from_text(text, f"{block}.yaml")
    record = next((r for r in cycle.criteria if r.block == block), None)
    if record is None:
        record = CriteriaRecord(cycle=cycle, block=block)
        db.session.add(record)
    record.set_id = loaded.model.id
    record.block_name = loaded.model.block_name
    record.file_name = f"{block}.yaml"
    record.yaml_text = text
    record.sha256 = loaded.sha256


def set_opened(app: Flask, year: int, opened: dt.datetime | None) -> None:
    """Open the cycle of ``year`` at ``opened`` (UTC), or put it back in preparation (None)."""
    with app.app_context():
        cycle = get_cycle(year)
        assert cycle is not None
        cycle.opened_at = opened
        db.session.commit()


def reorganise(app: Flask) -> None:
    """Add the district block and agency to cycle 2025, type the units, write the lineage."""
    with app.app_context():
        cycle = get_cycle(2025)
        assert cycle is not None
        put_set(cycle, "huyen", small_set("huyen"))
        h = Agency(cycle=cycle, code="huyen-h", name="UBND huyện H", block="huyen")
        db.session.add_all([h, Submission(agency=h, state="draft")])
        db.session.flush()
        units = {u.code: u for u in db.session.execute(db.select(Unit)).scalars()}
        units["xa-a"].type = units["xa-b"].type = "ubnd-xa"
        units["so-a"].type = "so-nganh"
        units["huyen-h"].type = "ubnd-huyen"
        units["xa-a"].ended_on = MERGER
        new = {
            code: Unit(code=code, name=name, type=kind)
            for code, name, kind in (
                ("xa-ab", "UBND xã An Bình", "ubnd-xa"),
                ("xa-moi", "UBND xã Mới", "ubnd-xa"),
                ("dk-z", "UBND đặc khu Z", "dac-khu"),
            )
        }
        db.session.add_all(new.values())
        for old, to, change in (
            ("xa-a", "xa-ab", "merged"),
            ("xa-b", "xa-ab", "merged"),
            ("huyen-h", None, "dissolved"),
            (None, "xa-moi", "new"),
            (None, "dk-z", "new"),
        ):
            db.session.add(
                UnitLink(
                    old_unit=units[old] if old else None,
                    new_unit=new[to] if to else None,
                    change=change,
                    effective=MERGER,
                )
            )
        db.session.commit()
