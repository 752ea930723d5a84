"""Control characters pasted from Word (a vertical tab for each Shift+Enter, a NUL) at every
web text input: every text field of every form of the app is sent with "\\x0b" and "\\x00"; no
answer is a 500 and nothing stored holds a control character (line breaks stay in the
multi-line fields, as "\\n"; elsewhere they become spaces). The one filter is web/inputs.py."""

from __future__ import annotations

import unicodedata
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import String, Text

from tests.web.conftest import login
from web.inputs import CleanParameters, is_multiline
from web.models import Agency, Appraisal, Assignment, Entry, Evidence, User, db

PASTED = "Văn bản\x0bdán từ Word\x00"
#: what a field of each input type is given: a valid value with the two characters inside
FILLER = {
    "number": "2030\x0b\x00",
    "date": "15/07/2025\x0b\x00",
    "time": "17:00\x00",
    "email": "van-ban@thu.vn\x00",
    "url": "https://vb.thu.vn/\x0bx\x00",
    "password": "mat-khau\x0b\x00",
}
TEXT_TYPES = frozenset({"text", "search", "tel", *FILLER})


class _Forms(HTMLParser):
    """Every form of a page: (action, method, fields as a list of (name, value, is_text))."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, list[tuple[str, str, bool]]]] = []
        self._fields: list[tuple[str, str, bool]] | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._fields = []
            self.forms.append((a.get("action", ""), a.get("method", "get").lower(), self._fields))
        elif self._fields is None or "disabled" in a:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a or kind in ("file", "submit"):
                return
            self._fields.append((a["name"], a.get("value", ""), kind in TEXT_TYPES))
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._fields.append((a["name"], "", True))
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select and ("selected" in a or self._select):
            self._fields.append((self._select, a.get("value", ""), False))
            self._select = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._fields = None
        elif tag == "textarea":
            self._textarea = None


def _pasted(name: str, kind_value: str, html_kind: str) -> str:
    return FILLER.get(html_kind, PASTED)


def forms_of(html: str) -> list[tuple[str, str, list[tuple[str, str, bool]]]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def _kinds(html: str) -> dict[str, str]:
    """name → input type (textarea as "textarea")."""
    out: dict[str, str] = {}

    class P(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = {k: v or "" for k, v in attrs}
            if tag == "input" and a.get("name"):
                # dates and times are text boxes that say their format (_date_input.html)
                shape = {"dd/mm/yyyy": "date", "HH:MM": "time"}.get(a.get("placeholder", ""))
                out[a["name"]] = shape or a.get("type", "text")
            elif tag == "textarea" and a.get("name"):
                out[a["name"]] = "textarea"

    P().feed(html)
    return out


@pytest.fixture
def setup(app: Flask, cycle: dict[str, Any]) -> dict[str, Any]:
    """so-a has submitted; the appraiser is assigned its block; xa-b is in its explanation
    round with one leaf flagged."""
    with app.app_context():
        xa_b = db.session.get(Agency, cycle["agency_ids"]["xa-b"])
        assert xa_b is not None and xa_b.submission is not None
        xa_b.submission.state = "explanation"
        db.session.add(
            Appraisal(
                submission_id=xa_b.submission.id,
                leaf="1.3.1",
                round=1,
                score_c=0,
                flagged=True,
                question="Bổ sung?",
            )
        )
        so_a = db.session.get(Agency, cycle["agency_ids"]["so-a"])
        assert so_a is not None and so_a.submission is not None
        so_a.submission.state = "submitted"
        appraiser = db.session.execute(
            db.select(User).filter_by(email="thamdinh@thu.vn")
        ).scalar_one()
        db.session.add(
            Assignment(cycle_id=so_a.cycle_id, user_id=appraiser.id, block="so-nganh", code="1")
        )
        db.session.commit()
    return cycle


def _pages(so_a: int) -> list[tuple[str, str]]:
    """(account, page) for every page holding a form; the page that returns so-a to its agency
    last (it changes what the pages before it show)."""
    return [
        ("", "/dang-nhap"),
        ("xa-a@thu.vn", "/don-vi/linh-vuc/1"),
        ("xa-a@thu.vn", "/don-vi/linh-vuc/thuong-tru"),
        ("xa-a@thu.vn", "/don-vi/tieu-chi/1.1.1/minh-chung"),
        ("xa-a@thu.vn", "/doi-mat-khau"),
        ("xa-b@thu.vn", "/don-vi/giai-trinh"),
        ("sonoivu@thu.vn", "/so-noi-vu/"),
        ("sonoivu@thu.vn", "/so-noi-vu/ky/2025"),
        ("sonoivu@thu.vn", "/so-noi-vu/nhat-ky"),
        ("sonoivu@thu.vn", "/tham-dinh/phan-cong/2025"),
        ("thamdinh@thu.vn", f"/tham-dinh/don-vi/{so_a}/linh-vuc/1"),
        ("sonoivu@thu.vn", f"/tham-dinh/don-vi/{so_a}"),
    ]


def _stored_controls(app: Flask) -> list[str]:
    """Every stored text holding a control character other than a line break or a tab."""
    found = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            for row in db.session.execute(db.select(*columns)).all() if columns else []:
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, str) and any(
                        unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in value
                    ):
                        found.append(f"{table.name}.{column.name}: {value!r}")
            for column in table.columns:  # JSON columns (an entry's data) as text
                if not isinstance(column.type, String | Text):
                    for (value,) in db.session.execute(db.select(column)).all():
                        text = repr(value)
                        if "\\x0b" in text or "\\x00" in text:
                            found.append(f"{table.name}.{column.name}: {text}")
    return found


def test_every_text_field_of_every_form_with_a_vertical_tab_and_a_nul(
    app: Flask, setup: dict[str, Any]
) -> None:
    sent: list[str] = []
    for account, path in _pages(setup["agency_ids"]["so-a"]):
        client = app.test_client()
        if account:
            assert login(client, account).status_code == 302
        got = client.get(path)
        assert got.status_code == 200, (path, got.status_code)
        html = got.get_data(as_text=True)
        kinds = _kinds(html)
        # the forms with text to type (not log-out, deletions, completing a round)
        forms = [f for f in forms_of(html) if any(t and n != "csrf_token" for n, _, t in f[2])]
        assert forms, f"no form on {path}"
        for action, method, fields in forms:
            data: dict[str, list[str]] = {}
            for name, value, is_text in fields:
                if is_text and name != "csrf_token":
                    kind = kinds.get(name, "text")
                    value = FILLER.get(kind, PASTED) if not value else value + "\x0b\x00"
                    sent.append(f"{path} {name}")
                data.setdefault(name, []).append(value)
            target = action or path
            if method == "post":
                r = client.post(target, data=data)
            else:
                r = client.get(target, query_string=data)
            assert r.status_code < 500, (path, action, r.status_code)
    assert len(sent) >= 30, sent  # the walk reached the forms' text fields
    assert _stored_controls(app) == []
    with app.app_context():
        explanations = [e.data.get("explanation") for e in db.session.scalars(db.select(Entry))]
        titles = [e.title for e in db.session.scalars(db.select(Evidence))]
        answers = [a.answer for a in db.session.scalars(db.select(Appraisal))]
    assert "Văn bản\ndán từ Word" in explanations  # multi-line: the break kept as a line break
    assert "Văn bản dán từ Word" in titles  # one-line: the break read as a space
    assert answers == ["Văn bản\ndán từ Word"]  # the explanation round's answer


@pytest.mark.parametrize(
    ("name", "sent", "stored"),
    [
        pytest.param("1.1.1-explanation", "a\x0bb\x00c\r\nd\te", "a\nbc\nd\te", id="explanation"),
        pytest.param("1.1.1-dna_reason", "a\x0bb\x00", "a\nb", id="dna-reason"),
        pytest.param("reason", "a\x0cb\x85c\x7f", "a\nb\nc", id="reason"),
        pytest.param("1.1.1-answer", "a\x0bb", "a\nb", id="answer"),
        pytest.param("1.1.1-question", "a\x00b\x1b", "ab", id="question"),
        pytest.param("title", "a\x0bb\x00\nc\td", "a b c d", id="one-line"),
        pytest.param("1.2.1-count", "4\x00815\x0b", "4815 ", id="count"),
        pytest.param("agency", "xa-a\x9b", "xa-a", id="c1-in-a-query"),
        pytest.param("issuer", "UBND xã\u00a0A", "UBND xã\u00a0A", id="no-control-unchanged"),
    ],
)
def test_the_filter_per_field(name: str, sent: str, stored: str) -> None:
    assert CleanParameters([(name, sent)])[name] == stored


def test_the_multiline_fields_are_the_textareas() -> None:
    import re
    from pathlib import Path

    names = set()
    for template in Path("web/templates").rglob("*.html"):
        names |= set(re.findall(r'<textarea[^>]*name="([^"]+)"', template.read_text("utf-8")))
    assert names and all(is_multiline(n.replace("{{ c }}-", "x-")) for n in names), names
