"""Issue 12: what people really upload to the web app's table imports — a password-protected
workbook, a zip bomb, an old .xls, a damaged zip to the officer's Excel template import; a
Windows-1258 or UTF-16 agency list to the secretariat's import — one Vietnamese sentence each,
never a 500 (the reader is ``parindex.tables``; its own corpus is tests/test_tables_corpus.py)."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from typing import Any

import pytest
from flask import Flask
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from parindex.errors import MESSAGES
from tests.test_tables_corpus import CFB, ENCRYPTED, cp1258
from tests.vietnamese import assert_vietnamese
from tests.web.conftest import csrf, login
from web.models import Agency, db


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        zf.writestr("xl/workbook.xml", b"<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", bytes(3 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (ENCRYPTED, "table-encrypted"),
        (CFB, "table-xls"),
        (_bomb(), "table-unzipped-too-large"),
    ],
    ids=["encrypted", "xls", "zip-bomb"],
)
def test_the_excel_import_refuses_in_one_vietnamese_sentence(
    app: Flask, cycle: dict[str, Any], content: bytes, code: str
) -> None:
    client = app.test_client()
    assert login(client, "xa-a@thu.vn").status_code == 302
    boundary, body = encode_multipart(
        {
            "csrf_token": csrf(client, "/don-vi/excel/nhap"),
            "workbook": FileStorage(io.BytesIO(content), "tu-danh-gia.xlsx"),
        }
    )
    r = client.post(
        "/don-vi/excel/nhap", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and f"<code>{code}</code>" in page
    first = MESSAGES[code].split("{")[0].split("(")[0].strip()
    assert first in page.replace("&#34;", '"')
    assert_vietnamese(MESSAGES[code].format_map({"value": "", "most": ""}))


AGENCY_LIST = "Tên đơn vị;Khối;Thư điện tử\r\nUBND xã Tà Đùng;xa;tadung@thu.vn\r\n"


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8"),
        lambda text: cp1258(text),
        lambda text: text.replace(";", "\t").encode("utf-16"),
        lambda text: b"\xef\xbb\xbf" + unicodedata.normalize("NFD", text).encode(),
    ],
    ids=["utf-8", "windows-1258", "utf-16-tabs", "bom-nfd"],
)
def test_an_agency_list_saved_by_excel_on_windows_imports_like_utf8(
    app: Flask, cycle: dict[str, Any], encode: Any
) -> None:
    client = app.test_client()
    assert login(client, "sonoivu@thu.vn").status_code == 302
    boundary, body = encode_multipart(
        {
            "csrf_token": csrf(client),
            "agencies_file": FileStorage(io.BytesIO(encode(AGENCY_LIST)), "ds.csv"),
        }
    )
    r = client.post(
        "/so-noi-vu/ky/2025/don-vi",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert r.status_code == 200 and "1 đơn vị tạo mới" in r.get_data(as_text=True)
    with app.app_context():
        a = db.session.execute(db.select(Agency).filter_by(code="ubnd-xa-ta-dung")).scalar_one()
        assert (a.name, a.block) == ("UBND xã Tà Đùng", "xa")
