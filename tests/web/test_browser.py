"""A real browser (Debian's Chromium through Playwright) files a self-assessment end to end.

The officer of xa-a logs in, fills leaves of several rule kinds on field 1, watches the points
update as they type, saves, reloads and finds everything, uploads an evidence file, submits, and
can no longer edit. Screenshots go to $PARINDEX_SCREENSHOTS (default: the test's tmp dir).

Expected points, by hand from criteria/2025/xa.yaml (field 1, max 12):
  1.1.1 deadline due 30/07/2025, issued 20/07        → on time          1.00
  1.1.2 graded "Còn thiếu…" share 0.5 of 0.5           →                  0.25
  1.1.3 tiers 80/100 = 80 % (≥ 80 → 0.75)              → on the bound     0.75
  1.2.1 deduction 1 late report × 0.5 from 1           →                  0.50
  1.2.2 deadline due 15/12/2025, issued 10/12          →                  0.50
  1.3.1 yes-no Có                                      →                  0.50
  1.3.2 tiers 50/100 (≥ 50 → 0.5)                      →                  0.50
  1.3.3 did not arise, policy full-points              →                  0.50
  1.4.1 deadline due 30/07/2025, issued 01/07          →                  0.50
  1.4.2 proportional 6825/10000 × 0.5 = 0.34125        → half up          0.34
  1.4.3 per-item 3 × 0.1                               →                  0.30
  1.4.4 yes-no Không                                   →                  0.00
  1.5.1 graded "Có kế hoạch và báo cáo" share 1 of 1   →                  1.00
  1.6.1 graded "Không có"                              →                  0.00
  1.7.1 tiers 95/100 (≥ 90 → 1.0)                      →                  1.00
  1.7.2 yes-no Có                                      →                  0.50
  field 1 total 8.14 of 12 → component index 67.83 %
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

LEAVES_TYPED = {
    "1.1.1": ("date", "20/07/2025", "1,00"),
    "1.1.2": ("level", "chua-day-du", "0,25"),
    "1.1.3": ("rate", (80, 100), "0,75"),
    "1.2.1": ("count", 1, "0,50"),
    "1.2.2": ("date", "10/12/2025", "0,50"),
    "1.3.1": ("done", "co", "0,50"),
    "1.3.2": ("rate", (50, 100), "0,50"),
    "1.3.3": ("dna", "Xã không có đơn vị trực thuộc", "0,50"),
    "1.4.1": ("date", "01/07/2025", "0,50"),
    "1.4.2": ("rate", (6825, 10000), "0,34"),
    "1.4.3": ("count", 3, "0,30"),
    "1.4.4": ("done", "khong", "0,00"),
    "1.5.1": ("level", "ke-hoach-va-bao-cao", "1,00"),
    "1.6.1": ("level", "khong", "0,00"),
    "1.7.1": ("rate", (95, 100), "1,00"),
    "1.7.2": ("done", "co", "0,50"),
}
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _shot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _points(page: Any, code: str) -> str:
    return str(page.locator(f"[id='tc-{code}'] .points-value").inner_text()).strip()


def _wait_points(page: Any, code: str, expected: str) -> None:
    sel = f"[id='tc-{code}'] .points-value"
    page.wait_for_function(
        "([sel, want]) => document.querySelector(sel).textContent.trim() === want",
        arg=[sel, expected],
        timeout=10_000,
    )


@pytest.mark.browser
def test_officer_files_and_submits_in_a_real_browser(
    app: Flask, cycle: dict[str, Any], tmp_path: Path
) -> None:
    shots = Path(os.environ.get("PARINDEX_SCREENSHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    prefill_self_assessment(app, "xa-a", skip_field="1")
    pdf = tmp_path / "ke-hoach-cchc-2025.pdf"
    pdf.write_bytes(PDF)
    with live_server(app) as url, browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        page.goto(url + "/dang-nhap")
        page.fill("#email", "xa-a@thu.vn")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/don-vi/$"))
        _shot(page, shots, "01-tong-quan")

        page.goto(url + "/don-vi/linh-vuc/1")
        for code, (kind, value, expected) in LEAVES_TYPED.items():
            c = code
            if kind == "date":
                page.fill(f"[name='{c}-date']", str(value))
            elif kind == "level":
                page.select_option(f"[name='{c}-level']", str(value))
            elif kind == "rate":
                num, den = value  # type: ignore[misc]
                page.fill(f"[name='{c}-numerator']", str(num))
                page.fill(f"[name='{c}-denominator']", str(den))
            elif kind == "count":
                page.fill(f"[name='{c}-count']", str(value))
            elif kind == "done":
                page.check(f"[name='{c}-done'][value='{value}']")
            elif kind == "dna":
                page.check(f"[name='{c}-dna']")
                page.fill(f"[name='{c}-dna_reason']", str(value))
            if code != "1.1.1":  # 1.1.1 gets an evidence file below
                page.fill(f"[name='{c}-explanation']", "Hồ sơ lưu tại văn phòng UBND xã")
            # the points follow the typing (form.js asks the engine), before any save
            _wait_points(page, code, expected)
        _shot(page, shots, "02-linh-vuc-1-dang-nhap")

        page.click("button:has-text('Lưu nháp')")
        page.wait_for_load_state()
        _shot(page, shots, "03-da-luu")
        assert "Không thể" not in page.inner_text("main")

        page.reload()
        for code, (_, _, expected) in LEAVES_TYPED.items():
            assert _points(page, code) == expected, code
        assert page.input_value("[name='1.1.3-numerator']") == "80"
        assert page.input_value("[name='1.1.1-date']") == "20/07/2025"
        assert page.input_value("[name='1.4.2-denominator']") == "10000"
        assert page.is_checked("[name='1.3.3-dna']")

        page.goto(url + "/don-vi/tieu-chi/1.1.1/minh-chung")
        page.fill("#ev-number", "125/KH-UBND")
        page.fill("#ev-date", "20/07/2025")
        page.fill("#ev-issuer", "UBND xã A")
        page.fill("#ev-title", "Kế hoạch cải cách hành chính năm 2025")
        page.fill("#ev-location", "toàn văn")
        page.set_input_files("#ev-file", str(pdf))
        page.click("form[enctype] button[type=submit]")
        page.wait_for_load_state()
        _shot(page, shots, "04-minh-chung")
        assert "125/KH-UBND" in page.inner_text("main")

        page.goto(url + "/don-vi/")
        overview = page.inner_text("main")
        assert "8,14 / 12,00" in overview and "67,83 %" in overview
        _shot(page, shots, "05-tong-quan-du")

        page.goto(url + "/don-vi/nop")
        _shot(page, shots, "06-xac-nhan-nop")
        asked: list[str] = []

        def accept(dialog: Any) -> None:  # the confirmation before submitting
            asked.append(dialog.message)
            dialog.accept()

        page.once("dialog", accept)
        page.click("form button:has-text('Nộp hồ sơ')")
        page.wait_for_url(re.compile(r".*/don-vi/.*"))
        page.wait_for_load_state()
        assert asked and "Sau khi nộp, hồ sơ bị khóa" in asked[0]
        assert "Đã nộp" in page.inner_text("main")
        _shot(page, shots, "07-da-nop")

        page.goto(url + "/don-vi/linh-vuc/1")
        assert page.locator("button:has-text('Lưu nháp')").count() == 0
        assert page.is_disabled("[name='1.1.3-numerator']")
        _shot(page, shots, "08-chi-doc")
        assert not [e for e in errors if "favicon" not in e], errors
