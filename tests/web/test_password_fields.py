"""ASVS 2.1.12 (show the typed password) and 2.1.8 (a strength indication on the password
change), driven in Debian's Chromium under the app's own Content-Security-Policy; and the same
pages without script (they still work: the rules are listed, nothing is required of the script).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from tests.web.conftest import PASSWORD, REPO, login
from tests.web.livesite import browser, live_server

NEW = "một câu mật khẩu đủ dài"  # 23 characters, 14 distinct


def _rule(page: Any, name: str) -> str:
    return str(page.get_attribute(f"#password-rules [data-rule='{name}']", "class"))


def _strength(page: Any) -> tuple[str, str]:
    text = page.inner_text("#password-strength [data-strength]").strip()
    return text, page.eval_on_selector("#password-strength meter", "m => String(m.value)")


def _log_in(page: Any, url: str, password: str = PASSWORD) -> None:
    page.goto(url + "/dang-nhap")
    page.fill("#email", "xa-a@thu.vn")
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/don-vi/$"))


def test_the_pages_name_their_script_and_no_inline_script(
    app: Flask, cycle: dict[str, Any]
) -> None:
    c = app.test_client()
    login_page = c.get("/dang-nhap").get_data(as_text=True)
    login(c, "xa-a@thu.vn")
    change_page = c.get("/doi-mat-khau").get_data(as_text=True)
    for html in (login_page, change_page):
        assert '<script src="/static/password.js"></script>' in html
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script
    # without script the rules are stated and the strength line is hidden (it needs the script)
    assert "Từ 12 đến 128 ký tự" in change_page and "Ít nhất 4 ký tự khác nhau" in change_page
    assert '<p id="password-strength" class="strength" aria-live="polite" hidden>' in change_page
    js = (REPO / "web" / "static" / "password.js").read_text(encoding="utf-8")
    assert "innerHTML" not in js and "eval(" not in js and "paste" not in js
    assert "localStorage" not in js and "sessionStorage" not in js


@pytest.mark.browser
def test_show_password_buttons_work_by_keyboard_under_the_csp(
    app: Flask, cycle: dict[str, Any]
) -> None:
    with live_server(app) as url, browser() as b:
        page = b.new_page(locale="vi-VN")
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(url + "/dang-nhap")
        button = page.locator("#password + button.reveal")
        assert button.inner_text() == "Hiện mật khẩu"
        assert button.get_attribute("aria-pressed") == "false"
        assert button.get_attribute("aria-controls") == "password"
        assert button.get_attribute("type") == "button"  # never submits the form
        page.fill("#email", "xa-a@thu.vn")
        page.fill("#password", PASSWORD)
        button.focus()
        page.keyboard.press("Space")
        assert page.get_attribute("#password", "type") == "text"
        assert button.get_attribute("aria-pressed") == "true"
        assert page.input_value("#password") == PASSWORD
        page.keyboard.press("Enter")
        assert page.get_attribute("#password", "type") == "password"
        assert button.get_attribute("aria-pressed") == "false"
        page.keyboard.press("Enter")  # shown again, then the form is sent: hidden on submission
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/don-vi/$"))

        page.goto(url + "/doi-mat-khau")
        buttons = page.locator("button.reveal")
        assert buttons.count() == 3
        for field in ("current", "new", "confirm"):
            toggle = page.locator(f"#{field} + button.reveal")
            toggle.click()
            assert page.get_attribute(f"#{field}", "type") == "text", field
            assert toggle.get_attribute("aria-pressed") == "true", field
        assert problems == []  # the CSP let the script run and refused nothing


@pytest.mark.browser
def test_the_rules_and_the_strength_follow_the_typing(app: Flask, cycle: dict[str, Any]) -> None:
    with live_server(app) as url, browser() as b:
        page = b.new_page(locale="vi-VN")
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        _log_in(page, url)
        page.goto(url + "/doi-mat-khau")
        assert page.is_visible("#password-strength")
        assert _strength(page) == ("Chưa đạt yêu cầu", "0")

        page.fill("#current", PASSWORD)
        page.locator("#new").press_sequentially("ngắn ạ")
        assert page.inner_text("#password-rules [data-count]") == "6"
        assert _rule(page, "length") == "rule-unmet"
        assert _rule(page, "distinct") == "rule-met"
        assert _strength(page) == ("Chưa đạt yêu cầu", "0")

        cases = [
            ("password1234", {"common": "rule-unmet", "length": "rule-met"}, "Chưa đạt yêu cầu"),
            ("mật khẩu xa-a của tôi", {"email": "rule-unmet"}, "Chưa đạt yêu cầu"),
            ("aaaaaaaaaaaaaaab", {"distinct": "rule-unmet"}, "Chưa đạt yêu cầu"),
            (PASSWORD, {"differs": "rule-unmet"}, "Chưa đạt yêu cầu"),
            ("mười hai kýy", {"length": "rule-met", "common": "rule-met"}, "Đạt yêu cầu"),
            ("mười sáu ký tự ạ", {"length": "rule-met"}, "Khá mạnh"),
            (NEW, {"length": "rule-met", "email": "rule-met"}, "Mạnh"),
        ]
        for typed, rules, strength in cases:
            page.fill("#new", typed)
            for rule, state in rules.items():
                assert _rule(page, rule) == state, (typed, rule)
            assert _strength(page)[0] == strength, typed
        assert page.inner_text("#password-rules [data-count]") == str(len(NEW))
        assert _rule(page, "confirm") == "rule-unmet"
        page.fill("#confirm", NEW)
        assert _rule(page, "confirm") == "rule-met"
        page.click("#password-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/don-vi/$"))
        assert "Đã đổi mật khẩu" in page.inner_text("main")
        assert problems == []
    assert login(app.test_client(), "xa-a@thu.vn", NEW).status_code == 302


@pytest.mark.browser
def test_the_server_stays_the_authority(app: Flask, cycle: dict[str, Any]) -> None:
    """A password the meter would pass if its list were tampered with is still refused."""
    with live_server(app) as url, browser() as b:
        page = b.new_page(locale="vi-VN")
        _log_in(page, url)
        page.goto(url + "/doi-mat-khau")
        page.eval_on_selector("#password-rules", "u => u.setAttribute('data-common', '')")
        page.fill("#current", PASSWORD)
        page.fill("#new", "password1234")
        page.fill("#confirm", "password1234")
        page.click("#password-form button[type=submit]")
        page.wait_for_load_state()
        assert "Mật khẩu mới quá phổ biến" in page.inner_text("main")
    assert login(app.test_client(), "xa-a@thu.vn", PASSWORD).status_code == 302


@pytest.mark.browser
def test_the_pages_work_without_script(app: Flask, cycle: dict[str, Any]) -> None:
    with live_server(app) as url, browser() as b:
        context = b.new_context(java_script_enabled=False, locale="vi-VN")
        page = context.new_page()
        _log_in(page, url)
        page.goto(url + "/doi-mat-khau")
        assert page.locator("button.reveal").count() == 0
        assert not page.is_visible("#password-strength")
        assert "Không phải mật khẩu phổ biến" in page.inner_text("#password-rules")
        page.fill("#current", PASSWORD)
        page.fill("#new", NEW)
        page.fill("#confirm", NEW)
        page.click("#password-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/don-vi/$"))
        context.close()
    assert login(app.test_client(), "xa-a@thu.vn", NEW).status_code == 302
