"""In a real browser (Debian's Chromium through Playwright): ticking "Không phát sinh" greys
out the leaf's figures and the claim saves in one step (issue 14, item 2); the overview leads to
the Excel round trip and the report, whose print page renders (items 1, 3). Screenshots go to
$PARINDEX_SCREENSHOTS (default: the test's tmp dir)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.web.conftest import PASSWORD
from tests.web.livesite import browser, live_server
from web.models import Entry, Submission, db

REASON = "Trong năm không có hồ sơ sai sót, trễ hạn"


def _wait_points(page: Any, code: str, expected: str) -> None:
    sel = f"[id='tc-{code}'] .points-value"
    page.wait_for_function(
        "([sel, want]) => document.querySelector(sel).textContent.trim() === want",
        arg=[sel, expected],
        timeout=10_000,
    )


@pytest.mark.browser
def test_did_not_arise_greys_out_the_figures_and_saves_in_one_step(
    app: Flask, cycle: dict[str, Any], tmp_path: Path
) -> None:
    shots = Path(os.environ.get("PARINDEX_SCREENSHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    with live_server(app) as url, browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(url + "/dang-nhap")
        page.fill("#email", "xa-a@thu.vn")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/don-vi/$"))

        # the overview leads to the Excel round trip and to the report
        page.click("text=nhập tệp đã điền")
        page.wait_for_url(re.compile(r".*/don-vi/excel/nhap$"))
        page.go_back()
        page.click("text=soạn báo cáo, tải bản Word (dự thảo)")
        page.wait_for_url(re.compile(r".*/don-vi/bao-cao/$"))
        page.click("text=Bản in")
        page.wait_for_url(re.compile(r".*/don-vi/bao-cao/ban-in$"))
        assert page.locator("text=CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").is_visible()
        page.screenshot(path=str(shots / "bao-cao-ban-in.png"), full_page=True)

        # 3.3.2: 3 of 4 late files apologised for → 75 % < 100 % → 0
        page.goto(url + "/don-vi/linh-vuc/3")
        numerator, denominator = "[name='3.3.2-numerator']", "[name='3.3.2-denominator']"
        page.fill(numerator, "3")
        page.fill(denominator, "4")
        _wait_points(page, "3.3.2", "0,00")
        page.check("[name='3.3.2-dna']")
        assert page.is_disabled(numerator) and page.is_disabled(denominator)
        page.uncheck("[name='3.3.2-dna']")  # changed their mind: the figures come back
        assert page.is_enabled(numerator) and page.input_value(numerator) == "3"
        assert page.input_value(denominator) == "4"
        page.check("[name='3.3.2-dna']")
        page.fill("[name='3.3.2-dna_reason']", REASON)
        _wait_points(page, "3.3.2", "1,50")  # "không có hồ sơ trễ hạn: điểm tối đa", live
        page.locator("[id='tc-3.3.2']").screenshot(path=str(shots / "khong-phat-sinh.png"))
        page.click(".save-bar button[type=submit]")
        page.wait_for_load_state()
        assert page.locator("text=Đã lưu 1 tiêu chí: 3.3.2.").is_visible()
        _wait_points(page, "3.3.2", "1,50")
        assert errors == []
    with app.app_context():
        entry = db.session.execute(
            db.select(Entry)
            .join(Submission)
            .filter(Entry.leaf == "3.3.2", Submission.agency_id == cycle["agency_ids"]["xa-a"])
        ).scalar_one()
        assert entry.data == {"did_not_arise": REASON}
