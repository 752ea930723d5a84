"""Dates typed and read as dd/mm/yyyy in a browser set to English, and the officer's pages on a
phone (390 px wide) without sideways scrolling: a real Chromium through Playwright.

Issue 14, items 4 and 5. Expected points by hand from criteria/2025/xa.yaml:
  1.1.1 deadline due 30/07/2025, issued 20/07/2025                 → on time       1,00
  1.4.1 deadline due 30/07/2025, "ban hành chậm: 0,25 điểm"; typed 01/08/2025: read day first,
        1 August is two days late → 0,25 (read month first, 8 January, it would be on time, 0,50)
Screenshots go to $PARINDEX_SCREENSHOTS (default: the test's tmp dir).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.web.conftest import PASSWORD, prefill_self_assessment
from tests.web.livesite import browser, live_server
from web.models import Agency, Entry, Submission, db


def _log_in(page: Any, url: str, email: str = "xa-a@thu.vn") -> None:
    page.goto(url + "/dang-nhap")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/don-vi/$"))


def _points(page: Any, code: str, expected: str) -> None:
    page.wait_for_function(
        "([sel, want]) => document.querySelector(sel).textContent.trim() === want",
        arg=[f"[id='tc-{code}'] .points-value", expected],
        timeout=10_000,
    )


def _stored_date(app: Flask, code: str) -> Any:
    with app.app_context():
        entry = db.session.execute(
            db.select(Entry)
            .join(Submission)
            .join(Agency)
            .where(Entry.leaf == code, Agency.code == "xa-a")
        ).scalar_one()
        return entry.data.get("date")


def _no_sideways_scroll(page: Any) -> tuple[int, int]:
    width, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return int(width), int(client)


@pytest.mark.browser
def test_dates_are_dd_mm_yyyy_in_an_english_browser(
    app: Flask, cycle: dict[str, Any], tmp_path: Path
) -> None:
    shots = Path(os.environ.get("PARINDEX_SCREENSHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    with live_server(app) as url, browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 900}, locale="en-US")
        assert page.evaluate("navigator.language") == "en-US"
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        _log_in(page, url)
        page.goto(url + "/don-vi/linh-vuc/1")
        box = page.locator("[name='1.1.1-date']")
        # what the officer sees in the empty box: the day first, in any browser language
        assert box.get_attribute("type") == "text"
        assert box.get_attribute("placeholder") == "dd/mm/yyyy"
        box.fill("20/07/2025")
        _points(page, "1.1.1", "1,00")
        page.fill("[name='1.4.1-date']", "01/08/2025")
        _points(page, "1.4.1", "0,25")  # 1 August: read day first
        # typed as a person writes it, the box is valid for the browser too (its pattern)
        assert page.evaluate("document.querySelector(\"[name='1.4.1-date']\").validity.valid")
        page.click("button:has-text('Lưu nháp')")
        page.wait_for_load_state()
        assert "Đã lưu" in page.inner_text("main")
        assert _stored_date(app, "1.1.1") == "2025-07-20"
        assert _stored_date(app, "1.4.1") == "2025-08-01"
        page.reload()
        # read back as typed: dd/mm/yyyy, not the browser's mm/dd/yyyy
        assert page.input_value("[name='1.1.1-date']") == "20/07/2025"
        assert page.input_value("[name='1.4.1-date']") == "01/08/2025"
        page.screenshot(path=str(shots / "en-us-ngay.png"), full_page=False)

        # the evidence form: the same box, the same reading
        page.goto(url + "/don-vi/tieu-chi/1.1.1/minh-chung")
        assert page.get_attribute("#ev-date", "placeholder") == "dd/mm/yyyy"
        page.fill("#ev-number", "125/KH-UBND")
        page.fill("#ev-date", "02/07/2025")
        page.fill("#ev-issuer", "UBND xã A")
        page.fill("#ev-url", "https://xa-a.gov.vn/kh-125")
        page.click("form[enctype] button[type=submit]")
        page.wait_for_load_state()
        row = page.locator("table.evidence tbody tr").first.inner_text()
        assert "02/07/2025" in row  # 2 July, shown day first
        # a date that does not exist is refused in Vietnamese, and what was typed is kept
        page.fill("#ev-number", "126/KH-UBND")
        page.fill("#ev-date", "31/02/2025")
        page.fill("#ev-url", "https://xa-a.gov.vn/kh-126")
        page.click("form[enctype] button[type=submit]")
        page.wait_for_load_state()
        assert "“31/02/2025” không phải là ngày hợp lệ" in page.inner_text("main")
        assert page.input_value("#ev-date") == "31/02/2025"
        assert not [e for e in errors if "favicon" not in e and "400" not in e], errors


@pytest.mark.browser
def test_officer_pages_fit_a_phone(app: Flask, cycle: dict[str, Any], tmp_path: Path) -> None:
    shots = Path(os.environ.get("PARINDEX_SCREENSHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    prefill_self_assessment(app, "xa-a")
    with live_server(app) as url, browser() as b:
        page = b.new_page(viewport={"width": 390, "height": 844}, locale="vi-VN")
        _log_in(page, url)
        # a document with a long title and a long link, and one with a missing issuer (a warning)
        page.goto(url + "/don-vi/tieu-chi/1.1.3/minh-chung")
        page.fill("#ev-number", "125/KH-UBND")
        page.fill("#ev-date", "15/07/2025")
        page.fill("#ev-title", "Kế hoạch thực hiện công tác cải cách hành chính " * 4)
        page.fill("#ev-url", "https://xa-a.gov.vn/" + "tai-lieu-kiem-chung-" * 6 + ".pdf")
        page.click("form[enctype] button[type=submit]")
        page.wait_for_load_state()
        assert page.locator("table.evidence tbody tr").count() == 1
        width, client = _no_sideways_scroll(page)
        page.screenshot(path=str(shots / "390-minh-chung.png"), full_page=True)
        assert width <= client, ("evidence page", width, client)

        page.goto(url + "/don-vi/")
        main = page.inner_text("main")
        assert "Cảnh báo không chặn việc nộp" in main and "còn " in main
        width, client = _no_sideways_scroll(page)
        page.screenshot(path=str(shots / "390-tong-quan.png"), full_page=True)
        assert client == 390 and width <= client, ("overview", width, client)
        # each field is a card whose figures are named: the column headers are out of sight
        first = page.locator("table.fields tbody tr").first
        assert first.locator("td[data-label='Điểm / tối đa']").is_visible()
        box = first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390

        for path in ("/don-vi/linh-vuc/1", "/don-vi/nop"):
            page.goto(url + path)
            width, client = _no_sideways_scroll(page)
            assert width <= client, (path, width, client)


@pytest.mark.browser
def test_audit_page_fits_a_1280_px_screen(app: Flask, cycle: dict[str, Any]) -> None:
    import datetime as dt

    from web.models import AuditEntry

    long_title = "Kế hoạch thực hiện công tác cải cách hành chính năm 2025 " * 5
    with app.app_context():
        for n in range(30):
            db.session.add(
                AuditEntry(
                    entity="evidence",
                    key=f"1.1.{n % 9 + 1}#{n}",
                    old="",
                    new=(
                        f"date=2025-07-20; file=ke-hoach-cai-cach-hanh-chinh-{n}.pdf; "
                        f"number=125/KH-UBND; stored={'ab' * 32}.pdf; title={long_title}; "
                        f"url=https://xa-a.gov.vn/{'tailieu' * 30}"
                    ),
                    reason="thêm minh chứng",
                    at=dt.datetime(2026, 12, 2, 6, 56, 2),
                )
            )
        db.session.commit()
    with live_server(app) as url, browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 900}, locale="en-US")
        page.goto(url + "/dang-nhap")
        page.fill("#email", "sonoivu@thu.vn")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.goto(url + "/so-noi-vu/nhat-ky")
        text = page.inner_text("main")
        assert "02/12/2026 13:56" in text and "Tài liệu kiểm chứng" in text
        assert "stored=" not in text and "Ngày ban hành: 20/07/2025" in text
        width, client = _no_sideways_scroll(page)
        assert width <= client == 1280, ("audit", width, client)
