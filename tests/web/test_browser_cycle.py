"""A whole cycle in a real browser (Debian's Chromium through Playwright), with the three roles.

Set-up through the models: only xa-a stays in cycle 2025 (publication needs every agency
approved), every self-scored leaf of xa-a is filled with valid facts and an explanation, and
thamdinh@thu.vn is assigned every field of block xa and the bonus/penalty page.

Then, in the browser: the officer submits; the appraiser saves every page of round 1 (scores
prefilled with the self-scores), lowers 1.1.1 with a reason and flags 1.3.1 with a question,
and completes round 1; the officer answers on /don-vi/giai-trinh; the appraiser settles 1.3.1
in round 2 and completes it; the secretariat approves and publishes version 1; an anonymous
visitor reads the published index, which equals the engine's; the audit trail shows it all.
Screenshots go to $PARINDEX_SCREENSHOTS (default: the test's tmp dir).

Expected points, by hand from criteria/2025/xa.yaml:
  1.1.1 deadline due 30/07/2025 (max 1, late_share 0.5); issued 30/07 → on time, self 1.00;
        the appraiser finds it was issued late: "ban hành chậm: 0,5 điểm" → final 0.50
  1.3.1 yes-no (max 0.5) "Có" → self 0.50; flagged in round 1 (kept at 0.50), settled in
        round 2 at 0.00 ("Không ban hành: 0 điểm") → final 0.00
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.web.conftest import PASSWORD, prefill_self_assessment
from tests.web.livesite import browser, live_server
from web.bulk import bulk_results
from web.engine import set_for
from web.formatting import percent
from web.models import (
    Agency,
    Assignment,
    Cycle,
    Submission,
    User,
    db,
)
from web.pages import EXTRA_PAGE

CHANGED = "1.1.1"
CHANGED_REASON = "Kế hoạch thực tế ban hành sau ngày 30/7/2025 (văn bản số hóa ghi ngày 05/8)"
FLAGGED = "1.3.1"
QUESTION = "Đề nghị cung cấp Kế hoạch tự kiểm tra CCHC đã ký ban hành"
ANSWER = "Kế hoạch tự kiểm tra số 5/KH-UBND, bản ký lưu tại văn phòng UBND xã"
SETTLED_REASON = "Giải trình không kèm kế hoạch đã ký; coi như chưa ban hành"


def _only_xa_a(app: Flask) -> None:
    """Remove xa-b and so-a (their users and submissions) so xa-a is the cycle's only agency,
    and the department criteria set left without agencies."""
    with app.app_context():
        for code in ("xa-b", "so-a"):
            agency = db.session.execute(db.select(Agency).filter_by(code=code)).scalar_one()
            for user in db.session.execute(
                db.select(User).filter_by(unit_id=agency.unit_id)
            ).scalars():
                db.session.delete(user)
            if agency.submission is not None:
                db.session.delete(agency.submission)
            db.session.flush()
            db.session.delete(agency)
        # the department set stays: its block, now without agencies, is scored as empty
        db.session.commit()


def _assign_everything(app: Flask) -> None:
    """thamdinh@thu.vn appraises every field of block xa and its bonus/penalty items."""
    with app.app_context():
        cycle = db.session.execute(db.select(Cycle).filter_by(year=2025)).scalar_one()
        user = db.session.execute(db.select(User).filter_by(email="thamdinh@thu.vn")).scalar_one()
        agency = db.session.execute(db.select(Agency).filter_by(code="xa-a")).scalar_one()
        loaded = set_for(agency)
        assert loaded is not None
        codes = [f.code for f in loaded.model.fields] + [EXTRA_PAGE]
        assert EXTRA_PAGE == "thuong-tru"
        for code in codes:
            db.session.add(Assignment(cycle_id=cycle.id, user_id=user.id, block="xa", code=code))
        db.session.commit()


def _shot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _login(b: Any, url: str, email: str, errors: list[str], dialogs: list[str]) -> Any:
    """A fresh browser context (own cookies) logged in as ``email``; console errors and the
    confirmation dialogs it accepts are recorded."""
    context = b.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.on("console", lambda m: errors.append(f"{email}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{email}: {e}"))

    def accept(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    if email:
        page.goto(url + "/dang-nhap")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        assert "/dang-nhap" not in page.url, page.inner_text("main")
    return page


def _main(page: Any) -> str:
    return str(page.inner_text("main"))


@pytest.mark.browser
def test_a_whole_cycle_with_three_roles_in_a_real_browser(
    app: Flask, cycle: dict[str, Any], tmp_path: Path
) -> None:
    shots = Path(os.environ.get("PARINDEX_SCREENSHOTS") or tmp_path / "shots") / "chu-ky"
    shots.mkdir(parents=True, exist_ok=True)
    _only_xa_a(app)
    prefill_self_assessment(app, "xa-a")
    _assign_everything(app)
    aid = cycle["agency_ids"]["xa-a"]
    errors: list[str] = []
    dialogs: list[str] = []

    with live_server(app) as url, browser() as b:
        # (1) the officer submits ------------------------------------------------------------
        officer = _login(b, url, "xa-a@thu.vn", errors, dialogs)
        officer.goto(url + "/don-vi/nop")
        _shot(officer, shots, "01-don-vi-xac-nhan-nop")
        officer.click("form button:has-text('Nộp hồ sơ')")
        officer.wait_for_url(re.compile(r".*/don-vi/.*"))
        officer.wait_for_load_state()
        assert dialogs and "Sau khi nộp, hồ sơ bị khóa" in dialogs[-1]
        assert "Đã nộp" in _main(officer)
        _shot(officer, shots, "02-don-vi-da-nop")

        # (2) the appraiser's round 1 --------------------------------------------------------
        appraiser = _login(b, url, "thamdinh@thu.vn", errors, dialogs)
        appraiser.goto(url + "/tham-dinh/")
        _shot(appraiser, shots, "03-tham-dinh-danh-sach")
        appraiser.click("#queue-2025 a:has-text('UBND xã A')")
        appraiser.wait_for_url(re.compile(rf".*/tham-dinh/don-vi/{aid}$"))
        _shot(appraiser, shots, "04-tham-dinh-don-vi")
        appraiser.click("table.fields a >> nth=0")
        appraiser.wait_for_load_state()
        tabs = [
            str(h)
            for h in appraiser.locator("nav.tabs a").evaluate_all("as => as.map(a => a.href)")
        ]
        # fields 1–7 and the bonus/penalty page; field 8 (people's satisfaction) is all
        # survey-scored, so the panel has nothing to score there and it has no tab
        assert [t.rsplit("/", 1)[-1] for t in tabs] == [*"1234567", "thuong-tru"], tabs
        for href in tabs:
            appraiser.goto(href)
            code = href.rsplit("/", 1)[-1]
            if code == "1":
                # scores start at the self-scores
                assert appraiser.input_value(f"[name='{CHANGED}-score']") in ("1", "1,00", "1,0")
                assert appraiser.input_value(f"[name='{FLAGGED}-score']") in ("0,5", "0,50")
                appraiser.fill(f"[name='{CHANGED}-score']", "0,5")
                appraiser.fill(f"[name='{CHANGED}-reason']", CHANGED_REASON)
                appraiser.check(f"[name='{FLAGGED}-flag']")
                appraiser.fill(f"[name='{FLAGGED}-question']", QUESTION)
                _shot(appraiser, shots, "05-tham-dinh-vong-1-linh-vuc-1")
            appraiser.click(".save-bar button[type=submit]")
            appraiser.wait_for_load_state()
            assert appraiser.locator("section.has-error").count() == 0, (code, _main(appraiser))
            assert "Không thể" not in _main(appraiser), code
        appraiser.goto(url + f"/tham-dinh/don-vi/{aid}/linh-vuc/1")
        assert appraiser.inner_text(f"[id='tc-{CHANGED}'] .final-value").strip() == "0,50"
        _shot(appraiser, shots, "06-tham-dinh-vong-1-da-luu")

        appraiser.goto(url + f"/tham-dinh/don-vi/{aid}")
        assert not appraiser.is_disabled("#round1-form button"), _main(appraiser)
        appraiser.click("#round1-form button")
        appraiser.wait_for_load_state()
        assert dialogs[-1] == "Hoàn thành thẩm định vòng 1 của đơn vị này?"
        assert "Đang giải trình" in _main(appraiser), _main(appraiser)
        _shot(appraiser, shots, "07-tham-dinh-xong-vong-1")

        # (3) the officer answers the question ------------------------------------------------
        officer.goto(url + "/don-vi/giai-trinh")
        assert QUESTION in _main(officer)
        officer.fill(f"[id='g-{FLAGGED}']", ANSWER)
        _shot(officer, shots, "08-don-vi-giai-trinh")
        officer.click("#explanation-form button:has-text('Gửi giải trình')")
        officer.wait_for_load_state()
        assert "Đã gửi lúc" in _main(officer), _main(officer)
        _shot(officer, shots, "09-don-vi-da-giai-trinh")

        # (4) the appraiser's round 2 --------------------------------------------------------
        appraiser.goto(url + f"/tham-dinh/don-vi/{aid}/linh-vuc/1")
        assert ANSWER in appraiser.inner_text(f"[id='tc-{FLAGGED}']")
        appraiser.fill(f"[name='{FLAGGED}-score']", "0")
        appraiser.fill(f"[name='{FLAGGED}-reason']", SETTLED_REASON)
        appraiser.click(".save-bar button[type=submit]")
        appraiser.wait_for_load_state()
        assert appraiser.locator("section.has-error").count() == 0, _main(appraiser)
        assert appraiser.inner_text(f"[id='tc-{FLAGGED}'] .final-value").strip() == "0,00"
        _shot(appraiser, shots, "10-tham-dinh-vong-2")
        appraiser.goto(url + f"/tham-dinh/don-vi/{aid}")
        appraiser.click("#round2-form button")
        appraiser.wait_for_load_state()
        assert dialogs[-1] == "Hoàn thành thẩm định vòng 2 của đơn vị này?"
        assert "Đã thẩm định vòng 2" in _main(appraiser), _main(appraiser)
        _shot(appraiser, shots, "11-tham-dinh-xong-vong-2")

        # (5) the secretariat approves and publishes -----------------------------------------
        staff = _login(b, url, "sonoivu@thu.vn", errors, dialogs)
        staff.goto(url + "/so-noi-vu/ky/2025/tien-do")
        _shot(staff, shots, "12-so-noi-vu-tien-do")
        staff.click(f"button[name=agency_id][value='{aid}']")
        staff.wait_for_load_state()
        assert "Đã phê duyệt" in _main(staff), _main(staff)
        # the council's decision (3 members, all present and agreeing), then the checklist
        staff.goto(url + "/so-noi-vu/ky/2025/hoi-dong")
        staff.fill("#number", "01/QĐ-HĐTĐ")
        staff.fill("#decided_on", "15/01/2026")
        for i, name in enumerate(("Trần Văn A", "Lê Thị B", "Phạm Văn C")):
            staff.fill(f"[name='name-{i}']", name)
            staff.fill(f"[name='role-{i}']", "Thành viên")
            staff.select_option(f"[name='vote-{i}']", "agree")
        staff.click("form[action$='/hoi-dong'] button[type=submit]")
        staff.wait_for_load_state()
        assert "được thông qua" in _main(staff), _main(staff)
        staff.goto(url + "/so-noi-vu/ky/2025/cong-bo")
        assert "Kiểm tra trước khi công bố" in _main(staff), _main(staff)
        staff.fill("#survey_reason", "Chưa tổ chức điều tra xã hội học ở kỳ thử")
        staff.click("form[action$='/cong-bo'] button[type=submit]")
        staff.wait_for_load_state()
        assert "phiên bản 1" in _main(staff), _main(staff)
        _shot(staff, shots, "13-so-noi-vu-da-cong-bo")

        # (6) anyone reads the published results --------------------------------------------
        with app.app_context():
            c = db.session.execute(db.select(Cycle).filter_by(year=2025)).scalar_one()
            blocks = {x["block"]: x for x in bulk_results(c).as_dict()["blocks"]}
            (row,) = blocks["xa"]["agencies"]
            expected = percent(row["index"])
            sub = db.session.execute(db.select(Submission).filter_by(agency_id=aid)).scalar_one()
            rounds = {(a.leaf, a.round): a.score_c for a in sub.appraisals}
            state = sub.state
        # the changed leaf's final score is the appraiser's 0,50 (self-score 1,00, no round 2);
        # the flagged one is settled at 0,00 in round 2
        assert rounds[(CHANGED, 1)] == 50 and (CHANGED, 2) not in rounds
        assert rounds[(FLAGGED, 1)] == 50 and rounds[(FLAGGED, 2)] == 0
        assert state == "published"
        assert re.fullmatch(r"\d{1,3},\d\d %", expected), expected
        anon = _login(b, url, "", errors, dialogs)
        anon.goto(url + "/ket-qua/2025")
        ranking = anon.inner_text("table.ranking[data-block='xa']")
        assert "UBND xã A" in ranking and expected in ranking, (expected, ranking)
        _shot(anon, shots, "14-cong-khai-ket-qua")
        anon.click("table.ranking a:has-text('UBND xã A')")
        anon.wait_for_url(re.compile(r".*/ket-qua/2025/don-vi/xa-a$"))
        assert expected in _main(anon)
        _shot(anon, shots, "15-cong-khai-don-vi")

        # (7) the audit trail ----------------------------------------------------------------
        staff.goto(url + "/so-noi-vu/nhat-ky?agency=xa-a&year=2025")
        _shot(staff, shots, "16-nhat-ky")
        rows = [
            tuple(r)
            for r in staff.locator("table.audit tbody tr").evaluate_all(
                "trs => trs.map(tr => [...tr.cells].slice(1).map(td => td.textContent.trim()))"
            )
        ]  # (who, agency, what: entity and key in words, old, new, reason), newest first
        assert (
            "thamdinh@thu.vn", "xa-a", f"Điểm thẩm định {CHANGED}, vòng 1",
            "tự chấm 1,00", "0,50", CHANGED_REASON,
        ) in rows  # fmt: skip
        assert (
            "thamdinh@thu.vn", "xa-a", f"Điểm thẩm định {FLAGGED}, vòng 1",
            "tự chấm 0,50", f"0,50; yêu cầu giải trình: {QUESTION}", "thẩm định vòng 1",
        ) in rows  # fmt: skip
        assert (
            "xa-a@thu.vn", "xa-a", f"Giải trình {FLAGGED}", "", ANSWER, "giải trình"
        ) in rows  # fmt: skip
        assert (
            "thamdinh@thu.vn", "xa-a", f"Điểm thẩm định {FLAGGED}, vòng 2",
            "vòng 1: 0,50", "0,00", SETTLED_REASON,
        ) in rows  # fmt: skip
        # the submission's states by their names (its key, the unit's code, is not repeated)
        moves = [(r[0], r[3], r[4]) for r in reversed(rows) if r[2] == "Hồ sơ tự đánh giá"]
        assert moves == [
            ("xa-a@thu.vn", "Bản nháp", "Đã nộp"),
            ("thamdinh@thu.vn", "Đã nộp", "Đã thẩm định vòng 1"),
            ("thamdinh@thu.vn", "Đã thẩm định vòng 1", "Đang giải trình"),
            ("thamdinh@thu.vn", "Đang giải trình", "Đã thẩm định vòng 2"),
            ("sonoivu@thu.vn", "Đã thẩm định vòng 2", "Đã phê duyệt"),
            ("sonoivu@thu.vn", "Đã phê duyệt", "Đã công bố"),
        ], moves

    assert not [e for e in errors if "favicon" not in e], errors
    assert Decimal(rounds[(CHANGED, 1)]) / 100 == Decimal("0.5")
