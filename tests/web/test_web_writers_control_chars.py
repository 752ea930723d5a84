"""Issue 12: text pasted from Word (vertical tab, NUL, other C0 controls) saved in the database must
not make a workbook fail to save (openpyxl's IllegalCharacterError, an HTTP 500 forever for the
append-only audit): every spreadsheet writer puts text through ``parindex.export.set_text`` /
``cell_text``. Here the officer's Excel template and the secretariat's audit export."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace
from typing import Any

from flask import Flask
from openpyxl import load_workbook

from tests.web.conftest import login
from web.audit import audit_xlsx
from web.models import Entry, Submission, db

PASTED = "Dòng một\x0bdòng hai\x00\x01\x1f hết"
SHOWN = "Dòng một\ndòng hai hết"


def test_an_audit_row_with_control_characters_exports() -> None:
    entry = SimpleNamespace(
        at=dt.datetime(2025, 8, 1, 3, 4, tzinfo=dt.UTC),
        entity="entry",
        key="1.3.1",
        old="\x00",
        new=PASTED,
        reason='=HYPERLINK("http://x")\x0b',
    )
    data = audit_xlsx([(entry, "xa-a@thu.vn", "xa-a")])  # type: ignore[list-item]
    ws = load_workbook(io.BytesIO(data)).active
    row = [c.value for c in ws[2]]
    assert row[5] == "" or row[5] is None
    assert row[6] == SHOWN
    assert row[7] == '=HYPERLINK("http://x")\n' and ws.cell(2, 8).data_type == "s"


def test_the_excel_template_downloads_with_control_characters_in_an_explanation(
    app: Flask, cycle: dict[str, Any]
) -> None:
    with app.app_context():
        sub = db.session.execute(
            db.select(Submission).filter_by(agency_id=cycle["agency_ids"]["xa-a"])
        ).scalar_one()
        db.session.add(
            Entry(submission=sub, leaf="1.3.1", data={"done": True, "explanation": PASTED})
        )
        db.session.commit()
    client = app.test_client()
    assert login(client, "xa-a@thu.vn").status_code == 302
    r = client.get("/don-vi/excel/mau")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.data))
    values = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row}
    assert SHOWN in values
