"""Units and their lineage in the web app: the units page (type, cycles with their block,
merged from / into, dissolved, with dates and basis), the lineage file imported with the engine's
reader (each bad row → its row and column, nothing saved; a valid file creates the units and
links; the same file again changes nothing), and the agency list's optional unit type."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook

from parindex.export import set_text
from tests.vietnamese import assert_vietnamese
from tests.web.conftest import csrf, login, post
from tests.web.test_secretariat import _upload
from web.models import AuditEntry, Unit, UnitLink, db

PATH = "/so-noi-vu/don-vi/lich-su"
HEADER = "old,new,change,date,name,basis\n"
VALID = (
    HEADER
    + "xa-a,xa-ab,merged,01/07/2025,UBND xã An Bình,Nghị quyết số 1662/NQ-UBTVQH15\n"
    + "xa-b,xa-ab,hợp nhất,01/07/2025,UBND xã An Bình,Nghị quyết số 1662/NQ-UBTVQH15\n"
    + "huyen-x,,giải thể,01/07/2025,,Nghị quyết số 1662/NQ-UBTVQH15\n"
    + ",dac-khu-y,thành lập mới,01/07/2025,UBND đặc khu Y,\n"
    + "so-a,so-a,đổi tên,15/03/2025,Sở A mới,Quyết định số 5/QĐ-UBND\n"
)


def _staff(app: Flask) -> FlaskClient:
    c = app.test_client()
    assert login(c, "sonoivu@thu.vn").status_code == 302
    return c


def _state(app: Flask) -> dict[str, Any]:
    """Everything the import may change: units (name, type, end), links, audit count."""
    with app.app_context():
        units = {
            u.code: (u.name, u.type, u.ended_on)
            for u in db.session.execute(db.select(Unit)).scalars()
        }
        links = sorted(
            (
                link.old_unit.code if link.old_unit else "",
                link.new_unit.code if link.new_unit else "",
                link.change,
                link.effective,
                link.name,
                link.basis,
            )
            for link in db.session.execute(db.select(UnitLink)).scalars()
        )
        audits = db.session.execute(db.select(db.func.count(AuditEntry.id))).scalar()
        return {"units": units, "links": links, "audits": audits}


def test_a_valid_file_creates_units_and_links_and_the_same_file_again_changes_nothing(
    app: Flask, cycle: dict[str, Any]
) -> None:
    staff = _staff(app)
    r = _upload(staff, PATH, "lineage_file", "lich-su.csv", VALID.encode())
    page = r.get_data(as_text=True)
    assert r.status_code == 200, page
    assert "5 liên kết" in page and "thay đổi đã lưu" in page
    july = dt.date(2025, 7, 1)
    state = _state(app)
    assert state["units"] == {
        "xa-a": ("UBND xã A", "khac", july),
        "xa-b": ("UBND xã B", "khac", july),
        "so-a": ("Sở A mới", "khac", None),  # renamed, same code: continues
        "xa-ab": ("UBND xã An Bình", "khac", None),
        "huyen-x": ("huyen-x", "khac", july),  # unknown before: named by its code
        "dac-khu-y": ("UBND đặc khu Y", "khac", None),
    }
    basis = "Nghị quyết số 1662/NQ-UBTVQH15"
    assert state["links"] == [
        ("", "dac-khu-y", "new", july, "UBND đặc khu Y", ""),
        ("huyen-x", "", "dissolved", july, "", basis),
        ("so-a", "so-a", "renamed", dt.date(2025, 3, 15), "Sở A mới", "Quyết định số 5/QĐ-UBND"),
        ("xa-a", "xa-ab", "merged", july, "UBND xã An Bình", basis),
        ("xa-b", "xa-ab", "merged", july, "UBND xã An Bình", basis),
    ]
    with app.app_context():
        entities = sorted(
            (e.entity, e.key)
            for e in db.session.execute(db.select(AuditEntry)).scalars()
            if e.entity in ("unit", "lineage")
        )
        who = {
            e.user_id
            for e in db.session.execute(db.select(AuditEntry)).scalars()
            if e.entity == "lineage"
        }
    assert ("lineage", "xa-a → xa-ab") in entities and ("unit", "xa-ab") in entities
    assert ("unit", "huyen-x") in entities and len(who) == 1 and None not in who
    # the same file again: nothing changes, not even the audit
    r = _upload(staff, PATH, "lineage_file", "lich-su.csv", VALID.encode())
    assert r.status_code == 200
    assert "không có gì thay đổi" in r.get_data(as_text=True)
    assert _state(app) == state


def test_the_units_page_shows_types_cycles_and_lineage(app: Flask, cycle: dict[str, Any]) -> None:
    staff = _staff(app)
    assert _upload(staff, PATH, "lineage_file", "l.csv", VALID.encode()).status_code == 200
    with app.app_context():
        unit = db.session.execute(db.select(Unit).filter_by(code="xa-ab")).scalar_one()
        unit.type = "ubnd-xa"
        db.session.commit()
    page = html.unescape(staff.get("/so-noi-vu/don-vi/").get_data(as_text=True))

    def row(code: str) -> str:
        found = re.search(rf"<code>{re.escape(code)}</code>.*?</tr>", page, re.S)
        assert found is not None, code
        return found.group(0)

    assert "2025 (xa)" in row("xa-a") and "kết thúc hoạt động từ 01/07/2025" in row("xa-a")
    assert "Hợp nhất vào xa-ab (UBND xã An Bình) từ 01/07/2025" in row("xa-a")
    assert "(Nghị quyết số 1662/NQ-UBTVQH15)" in row("xa-a")
    assert "Hợp nhất từ xa-a (UBND xã A) từ 01/07/2025" in row("xa-ab")
    assert "Hợp nhất từ xa-b (UBND xã B) từ 01/07/2025" in row("xa-ab")
    assert "UBND xã" in row("xa-ab") and "chưa đánh giá" in row("xa-ab")
    assert "Giải thể từ 01/07/2025" in row("huyen-x")
    assert "Thành lập mới từ 01/07/2025" in row("dac-khu-y")
    assert "Đổi tên thành “Sở A mới” từ 15/03/2025" in row("so-a")
    assert "2025 (so-nganh) — Sở A" in row("so-a")  # the name of that year beside it
    assert "Khác" in row("so-a")
    text = re.sub(r"<[^>]+>", " ", re.split(r"<main[^>]*>", page)[1])
    assert_vietnamese(re.sub(r"\b[a-z0-9]+(?:-[a-z0-9]+)+\b", " ", text))  # codes left out
    narrowed = staff.get("/so-noi-vu/don-vi/?q=An+B%C3%ACnh").get_data(as_text=True)
    assert "<code>xa-ab</code>" in narrowed and "<code>so-a</code>" not in narrowed


@pytest.mark.parametrize(
    ("line", "row", "column", "code"),
    [
        ("xa-a,xa-ab,gộp,01/07/2025,,", 3, "change", "lineage-bad-change"),
        ("xa-a,xa-ab,merged,31/06/2025,,", 3, "date", None),
        ("xa-a,xa-ab,merged,,,", 3, "date", "lineage-blank-cell"),
        (",xa-ab,merged,01/07/2025,,", 3, "old", "lineage-old-missing"),
        ("huyen-x,xa-ab,dissolved,01/07/2025,,", 3, "new", "lineage-dissolved-with-new"),
        ("xa-b,xa-ab,merged,01/07/2025,,", 3, "new", "lineage-duplicate-link"),
        ("xa b,xa-ab,merged,01/07/2025,,", 3, "old", None),
    ],
)
def test_each_bad_row_is_shown_at_its_row_and_column_and_nothing_is_saved(
    app: Flask, cycle: dict[str, Any], line: str, row: int, column: str, code: str | None
) -> None:
    """Row 2 is a valid merger row (with row 3 when it is valid too); row 3 the bad one."""
    staff = _staff(app)
    before = _state(app)
    content = HEADER + "xa-b,xa-ab,merged,01/07/2025,UBND xã An Bình,\n" + line + "\n"
    r = _upload(staff, PATH, "lineage_file", "sai.csv", content.encode())
    page = r.get_data(as_text=True)
    assert r.status_code == 400, page
    assert "chưa lưu gì" in page
    found = re.findall(
        r'<tr data-code="([^"]*)"><td class="n">(\d*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>',
        page,
    )
    assert (str(row), column) in [(n, c) for _, n, c, _ in found], found
    if code is not None:
        assert (code, str(row), column) in [(k, n, c) for k, n, c, _ in found], found
    for *_, message in found:
        assert_vietnamese(html.unescape(message))
    assert _state(app) == before


def test_an_xlsx_with_vietnamese_headers_and_date_cells_is_read(
    app: Flask, cycle: dict[str, Any]
) -> None:
    wb = Workbook()
    ws = wb.active
    for c, title in enumerate(["Mã cũ", "Mã mới", "Thay đổi", "Ngày hiệu lực", "Tên mới"], 1):
        set_text(ws.cell(1, c), title)
    for r, (old, new) in enumerate((("xa-a", "xa-ab"), ("xa-b", "xa-ab")), start=2):
        set_text(ws.cell(r, 1), old)
        set_text(ws.cell(r, 2), new)
        set_text(ws.cell(r, 3), "Sáp nhập")
        ws.cell(r, 4).value = dt.datetime(2025, 7, 1)
        set_text(ws.cell(r, 5), "UBND xã An Bình")
    buffer = io.BytesIO()
    wb.save(buffer)
    staff = _staff(app)
    r = _upload(staff, PATH, "lineage_file", "lich-su.xlsx", buffer.getvalue())
    assert r.status_code == 200, r.get_data(as_text=True)
    state = _state(app)
    assert [link[:4] for link in state["links"]] == [
        ("xa-a", "xa-ab", "merged", dt.date(2025, 7, 1)),
        ("xa-b", "xa-ab", "merged", dt.date(2025, 7, 1)),
    ]


def test_an_empty_or_unreadable_file_is_refused_in_vietnamese(
    app: Flask, cycle: dict[str, Any]
) -> None:
    staff = _staff(app)
    for name, content in (("rong.csv", b""), ("x.csv", b"a,b\n1,2\n"), ("x.xlsx", b"PK\x03\x04zz")):
        r = _upload(staff, PATH, "lineage_file", name, content)
        page = r.get_data(as_text=True)
        assert r.status_code == 400, (name, page)
        messages = re.findall(r'<td class="n">\d*</td><td>[^<]*</td><td>([^<]*)</td>', page)
        assert messages, name
        for m in messages:
            assert_vietnamese(html.unescape(m))
    assert _state(app)["links"] == []


# ------------------------------------------------------------------ the agency list's unit type
def _agency_list(app: Flask, rows: str) -> Any:
    """The 2025 agency list with a type column, uploaded by the secretariat."""
    content = "Mã đơn vị,Tên đơn vị,Khối,Thư điện tử,Loại đơn vị\n" + rows
    return _upload(
        _staff(app), "/so-noi-vu/ky/2025/don-vi", "agencies_file", "ds.csv", content.encode()
    )


def test_the_agency_list_s_type_column_sets_the_unit_type(
    app: Flask, cycle: dict[str, Any]
) -> None:
    r = _agency_list(
        app,
        "xa-a,UBND xã A,xa,xa-a@thu.vn,UBND xã\n"
        "so-a,Sở A,so-nganh,so-a@thu.vn,so-nganh\n"
        "xa-b,UBND xã B,xa,xa-b@thu.vn,\n",
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    with app.app_context():
        types = dict(db.session.execute(db.select(Unit.code, Unit.type)).all())
        audits = [
            (e.key, e.old, e.new)
            for e in db.session.execute(db.select(AuditEntry).filter_by(entity="unit")).scalars()
        ]
    assert types == {"xa-a": "ubnd-xa", "so-a": "so-nganh", "xa-b": "khac"}
    assert sorted(audits) == [("so-a", "khac", "so-nganh"), ("xa-a", "khac", "ubnd-xa")]


def test_an_unknown_unit_type_is_shown_at_its_row_and_column(
    app: Flask, cycle: dict[str, Any]
) -> None:
    r = _agency_list(app, "xa-a,UBND xã A,xa,xa-a@thu.vn,thôn\n")
    page = html.unescape(r.get_data(as_text=True))
    assert r.status_code == 400
    assert "Loại đơn vị “thôn” không có; hãy ghi một trong: so-nganh (Sở, ban, ngành)" in page
    with app.app_context():
        assert db.session.execute(db.select(Unit.type).filter_by(code="xa-a")).scalar() == "khac"


# ------------------------------------------------------------------------- who may, and CSRF
@pytest.mark.parametrize("who", ["xa-a@thu.vn", "thamdinh@thu.vn"])
def test_officers_and_appraisers_are_refused_the_units_pages(
    app: Flask, cycle: dict[str, Any], who: str
) -> None:
    c = app.test_client()
    assert login(c, who).status_code == 302
    assert c.get("/so-noi-vu/don-vi/").status_code == 403
    assert _upload(c, PATH, "lineage_file", "l.csv", VALID.encode()).status_code == 403
    assert post(c, PATH).status_code == 403
    assert _state(app)["links"] == []


def test_the_lineage_import_needs_the_csrf_token(app: Flask, cycle: dict[str, Any]) -> None:
    staff = _staff(app)
    csrf(staff)  # a session exists, the token is simply not sent
    r = staff.post(
        PATH,
        data={"lineage_file": (io.BytesIO(VALID.encode()), "l.csv")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 400
    assert _state(app)["links"] == []
