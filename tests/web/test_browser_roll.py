"""Year after year in a real browser (Debian's Chromium through Playwright): the secretariat
rolls 2025 forward to 2026, edits one leaf's maximum, reads the criteria-set diff, opens the
cycle; an officer of a merged unit logs in with last year's account and sees 2026.

Set-up through the models: the fixture's cycle 2025 (open) with the small sets of
tests/web/rolling.py for blocks xa and so-nganh, and the province reorganised on 01/07/2025
(xa-a + xa-b → xa-ab "UBND xã An Bình"; huyen-h dissolved; xa-moi and dk-z new).

In the browser: the secretariat previews the roll forward (dk-z has no block: it is put in xa),
creates 2026, edits block xa's set (bonus item B.1: 2 → 1 point, and the year 2025 → 2026),
sees that one change on the diff page, sets the other sets' year, sets the deadlines, reads the
opening checklist and opens the cycle; then moves xa-a@thu.vn (the officer of xa-a in 2025) to
the merged unit xa-ab on the accounts page. The officer logs in with the 2025 password and
works on 2026 as UBND xã An Bình (xa-a's 2025 rows stay with xa-a's unit and their authors).
Screenshots go to $PARINDEX_SCREENSHOTS (default: the test's tmp dir) / nam-sau.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.web.conftest import PASSWORD
from tests.web.livesite import browser, live_server
from tests.web.rolling import B1_MAX, put_set, reorganise, small_set
from web.models import CriteriaRecord, User, db, get_cycle


def _small_sets(app: Flask) -> None:
    with app.app_context():
        cycle = get_cycle(2025)
        assert cycle is not None
        for block in ("xa", "so-nganh"):
            put_set(cycle, block, small_set(block))
        db.session.commit()


def _login(b: Any, url: str, email: str, errors: list[str]) -> Any:
    context = b.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.on("console", lambda m: errors.append(f"{email}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{email}: {e}"))
    page.on("dialog", lambda d: d.accept())
    page.goto(url + "/dang-nhap")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/dang-nhap" not in page.url, page.inner_text("main")
    return page


def _shot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _main(page: Any) -> str:
    return str(page.inner_text("main"))


def _edit(page: Any, url: str, block: str, change: Any) -> None:
    """Open block's editor, change its text with ``change``, save."""
    page.goto(f"{url}/so-noi-vu/ky/2026/bo-tieu-chi/{block}/sua")
    text = page.input_value("#yaml_text")
    page.fill("#yaml_text", change(text))
    page.click("button:has-text('Kiểm tra và lưu')")
    page.wait_for_load_state()


@pytest.mark.browser
def test_roll_forward_edit_diff_open_and_the_merged_units_officer(
    app: Flask, cycle: dict[str, Any], tmp_path: Path
) -> None:
    shots = Path(os.environ.get("PARINDEX_SCREENSHOTS") or tmp_path / "shots") / "nam-sau"
    shots.mkdir(parents=True, exist_ok=True)
    _small_sets(app)
    reorganise(app)
    errors: list[str] = []

    with live_server(app) as url, browser() as b:
        # (1) the preview, then the new cycle -------------------------------------------------
        staff = _login(b, url, "sonoivu@thu.vn", errors)
        staff.goto(url + "/so-noi-vu/")
        assert staff.input_value("#roll-year") == "2026"
        staff.click("button:has-text('Xem trước')")
        staff.wait_for_load_state()
        text = _main(staff)
        assert "Xem trước kỳ đánh giá năm 2026" in text
        assert "hợp nhất từ xa-a, xa-b (01/07/2025)" in text
        assert "giải thể từ 01/07/2025" in text
        staff.select_option("#khoi-dk-z", "xa")
        _shot(staff, shots, "01-xem-truoc-tao-ky-moi")
        staff.click("button:has-text('Tạo kỳ đánh giá năm 2026')")
        staff.wait_for_url(re.compile(r".*/so-noi-vu/ky/2026$"))
        text = _main(staff)
        assert "Đã tạo kỳ đánh giá năm 2026 từ kỳ 2025: 3 bộ tiêu chí, 4 đơn vị." in text
        assert "Đang chuẩn bị" in text and "ghi năm 2025: sửa thành 2026" in text
        with app.app_context():
            old, new = get_cycle(2025), get_cycle(2026)
            assert old is not None and new is not None
            assert sorted((r.block, r.yaml_text) for r in new.criteria) == sorted(
                (r.block, r.yaml_text) for r in old.criteria
            )
        staff.goto(url + "/so-noi-vu/ky/2026/mo-ky")
        assert _main(staff).count("Chưa đạt") == 3  # sets' year, deadlines, deadline ahead
        _shot(staff, shots, "02-mo-ky-chua-du")

        # (2) one leaf's maximum edited; the diff ------------------------------------------------
        def b1_to_one(text: str) -> str:
            assert B1_MAX in text
            return text.replace("year: 2025", "year: 2026", 1).replace(
                B1_MAX, B1_MAX.replace("max: 2", "max: 1")
            )

        _edit(staff, url, "xa", b1_to_one)
        assert staff.url.endswith("/so-noi-vu/ky/2026/thay-doi-bo-tieu-chi#khoi-xa")
        section = staff.locator("#khoi-xa")
        rows = section.locator("table.diff tbody tr")
        assert rows.count() == 1
        assert rows.nth(0).inner_text().split("\t") == [
            "đổi điểm tối đa",
            "điểm thưởng B.1",
            "2",
            "1",
        ]
        assert "Không có thay đổi" in staff.locator("#khoi-so-nganh").inner_text()
        _shot(staff, shots, "03-thay-doi-bo-tieu-chi")
        for block in ("so-nganh", "huyen"):  # the other copied sets: their year only
            _edit(staff, url, block, lambda t: t.replace("year: 2025", "year: 2026", 1))
            assert "thay-doi-bo-tieu-chi" in staff.url, _main(staff)

        # (3) deadlines, the checklist, open ------------------------------------------------------
        staff.goto(url + "/so-noi-vu/ky/2026")
        staff.fill("#self_date", "2028-01-31")  # within 2026 … 2028, still ahead
        staff.fill("#explanation_date", "2028-02-28")
        staff.click("button:has-text('Lưu thời hạn')")
        staff.wait_for_load_state()
        assert "Đã lưu thời hạn." in _main(staff)
        staff.click("a:has-text('kiểm tra và mở kỳ đánh giá')")
        staff.wait_for_url(re.compile(r".*/mo-ky$"))
        assert "Chưa đạt" not in _main(staff) and _main(staff).count("Đạt") == 5
        _shot(staff, shots, "04-mo-ky-danh-sach-kiem-tra")
        staff.click("form button:has-text('Mở kỳ đánh giá')")
        staff.wait_for_url(re.compile(r".*/so-noi-vu/ky/2026$"))
        assert "Đã mở kỳ đánh giá năm 2026" in _main(staff)
        with app.app_context():
            new = get_cycle(2026)
            assert new is not None and new.opened_at is not None
            xa = next(r for r in new.criteria if r.block == "xa")
            assert isinstance(xa, CriteriaRecord) and "max: 1\n      rule:" in xa.yaml_text

        # (4) last year's account moved to the merged unit -----------------------------------------
        with app.app_context():
            officer = db.session.execute(
                db.select(User).filter_by(email="xa-a@thu.vn")
            ).scalar_one()
            officer_id = officer.id
        staff.goto(f"{url}/so-noi-vu/tai-khoan/{officer_id}")
        staff.click("button:has-text('Chuyển sang UBND xã An Bình (xa-ab)')")
        staff.wait_for_load_state()
        with app.app_context():
            officer = db.session.get(User, officer_id)
            assert officer is not None and officer.unit is not None
            assert officer.unit.code == "xa-ab"

        # (5) the officer, with the 2025 password, works on 2026 ----------------------------------
        page = _login(b, url, "xa-a@thu.vn", errors)
        page.goto(url + "/don-vi/")
        text = _main(page)
        assert "UBND xã An Bình" in text and "Chỉ số cải cách hành chính năm 2026" in text
        _shot(page, shots, "05-don-vi-nam-2026")
    assert errors == []
