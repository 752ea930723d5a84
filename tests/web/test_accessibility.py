"""Every page of every role passes axe-core's WCAG 2.1 AA rules (tags wcag2a, wcag2aa, wcag21a,
wcag21aa) with no violation, in Debian's Chromium through Playwright; after a save with errors
the focus is on the first invalid input, and that input names its message.

axe-core is vendored in ``tests/web/axe/`` (``axe.min.js``, MPL-2.0, its licence beside it) and
injected into each page with ``page.add_script_tag`` (the app's Content-Security-Policy forbids
inline scripts, so the test's browser context bypasses it: the app's own pages are not changed).

One app (the demo province of ``parindex serve``: 2024 published, 2025 in progress with work for
every role), one server and one browser for the whole module; one logged-in browser context per
account. ``PAGES`` names a page for every GET route of every blueprint: a route added later
without an axe check makes ``test_every_page_of_the_app_is_checked`` fail, unless it serves a
file (``DOWNLOADS``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.web.conftest import REPO, _reset_postgres
from tests.web.livesite import browser, live_server

AXE = Path(__file__).parent / "axe" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe's best-practice rules for what the issue found beyond WCAG's tags: an empty header cell
# (an action column), navigation landmarks not told apart, content outside the landmarks, a
# skip link leading nowhere
RULES = ["empty-table-header", "landmark-unique", "region", "skip-link"]
DOMAIN = "tinhmau.gov.vn"
PASSWORD = "parindex-demo"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # the admin's second factor, for the second step

# accounts of the demo (web/demo.py): an officer whose 2025 self-assessment is a draft, one
# asked for an explanation, the panel, the secretariat, and the administrator (second factor)
DRAFT = f"xa-an-long@{DOMAIN}"
EXPLAINING = f"xa-phu-cuong@{DOMAIN}"
APPRAISER = f"thamdinh@{DOMAIN}"
SECRETARIAT = f"sonoivu@{DOMAIN}"
ADMIN = f"quantri@{DOMAIN}"

# routes that serve a file, not a page: nothing for axe to read
DOWNLOADS = {
    "static",
    "agency.evidence_file",
    "agency_excel.template",
    "publishing.audit_export",
    "publishing.evidence_report",
    "public.decision_table",
    "agency_report.docx",
    "agency_report.scan",
}

# endpoint → (account or None, the address: a path, or a function of the demo's ids)
PAGES: dict[str, tuple[str | None, str | Callable[[dict[str, Any]], str]]] = {
    # everyone
    "public.index": (None, "/"),
    "public.results": (None, "/ket-qua"),
    "public.year_results": (None, "/ket-qua/2024"),
    "public.version_results": (None, "/ket-qua/2024/v1"),
    "public.agency_results": (None, lambda d: f"/ket-qua/2024/don-vi/{d['published_code']}"),
    "auth.login": (None, "/dang-nhap"),
    "auth.second_step": (ADMIN, "/dang-nhap/ma-xac-thuc"),
    # the agency officer
    "agency.overview": (DRAFT, "/don-vi/"),
    "agency.field": (DRAFT, "/don-vi/linh-vuc/1"),
    "agency.evidence": (DRAFT, "/don-vi/tieu-chi/1.1.1/minh-chung"),
    "agency.submit": (DRAFT, "/don-vi/nop"),
    "agency_excel.upload": (DRAFT, "/don-vi/excel/nhap"),
    "agency.explanation": (EXPLAINING, "/don-vi/giai-trinh"),
    "agency.explanation_evidence": (
        EXPLAINING,
        lambda d: f"/don-vi/giai-trinh/{d['flagged_leaf']}/minh-chung",
    ),
    "agency_plan.index": (DRAFT, "/don-vi/ke-hoach/"),
    "auth.change_password": (DRAFT, "/doi-mat-khau"),
    "agency_report.page": (DRAFT, "/don-vi/bao-cao/"),
    "agency_report.printable": (DRAFT, "/don-vi/bao-cao/ban-in"),
    "notifications.index": (EXPLAINING, "/thong-bao/"),
    # the appraisal panel
    "appraisal.queue": (APPRAISER, "/tham-dinh/"),
    "appraisal.agency": (APPRAISER, lambda d: f"/tham-dinh/don-vi/{d['submitted_id']}"),
    # a submitted unit whose field 1 shows evidence hints (web.demo.DOUBTFUL)
    "appraisal.field": (APPRAISER, lambda d: f"/tham-dinh/don-vi/{d['hinted_id']}/linh-vuc/1"),
    "appraisal.assign": (SECRETARIAT, "/tham-dinh/phan-cong/2025"),
    # the secretariat (Sở Nội vụ)
    "secretariat.dashboard": (SECRETARIAT, "/so-noi-vu/"),
    "secretariat.cycle": (SECRETARIAT, "/so-noi-vu/ky/2025"),
    "secretariat.criteria_diff": (SECRETARIAT, "/so-noi-vu/ky/2025/thay-doi-bo-tieu-chi"),
    "secretariat.edit_criteria": (SECRETARIAT, "/so-noi-vu/ky/2025/bo-tieu-chi/xa/sua"),
    "secretariat.open_cycle": (SECRETARIAT, "/so-noi-vu/ky/2025/mo-ky"),
    "secretariat.roll_forward": (SECRETARIAT, "/so-noi-vu/tao-tu-nam-truoc"),
    "publishing.progress": (SECRETARIAT, "/so-noi-vu/ky/2025/tien-do"),
    "publishing.preview": (SECRETARIAT, "/so-noi-vu/ky/2025/xep-hang"),
    "publishing.audit_log": (SECRETARIAT, "/so-noi-vu/nhat-ky"),
    "publishing.checklist_page": (SECRETARIAT, "/so-noi-vu/ky/2025/cong-bo"),
    "publishing.council_page": (SECRETARIAT, "/so-noi-vu/ky/2025/hoi-dong"),
    "accounts.index": (SECRETARIAT, "/so-noi-vu/tai-khoan/"),
    "accounts.account": (SECRETARIAT, lambda d: f"/so-noi-vu/tai-khoan/{d['officer_id']}"),
    "units.index": (SECRETARIAT, "/so-noi-vu/don-vi/"),
    "plan_admin.index": (SECRETARIAT, "/so-noi-vu/ke-hoach/2025"),
    "auth.two_factor": (SECRETARIAT, "/xac-thuc-hai-buoc"),
}


class Site:
    """The demo app served on loopback, one browser, a logged-in context per account."""

    def __init__(self, url: str, browser: Any, ids: dict[str, Any]) -> None:
        self.url, self.browser, self.ids = url, browser, ids
        self._contexts: dict[str | None, Any] = {}
        self.axe = AXE.read_text(encoding="utf-8")

    def context(self, account: str | None) -> Any:
        if account not in self._contexts:
            # the app forbids inline scripts (CSP); axe is injected as one, so the test's
            # context bypasses the policy
            ctx = self.browser.new_context(
                bypass_csp=True, locale="vi-VN", viewport={"width": 1280, "height": 900}
            )
            self._contexts[account] = ctx
            if account is not None and account != ADMIN:
                page = ctx.new_page()
                page.goto(self.url + "/dang-nhap")
                page.fill("#email", account)
                page.fill("#password", PASSWORD)
                page.click("form button[type=submit]")
                page.wait_for_load_state()
                assert "/dang-nhap" not in page.url, f"{account} could not log in"
                page.close()
        return self._contexts[account]

    def page(self, account: str | None) -> Any:
        page = self.context(account).new_page()
        if account == ADMIN:  # the second step of a log-in: the password first
            page.goto(self.url + "/dang-nhap")
            page.fill("#email", account)
            page.fill("#password", PASSWORD)
            page.click("form button[type=submit]")
            page.wait_for_url(re.compile(r".*/dang-nhap/ma-xac-thuc$"))
        return page

    def violations(self, page: Any) -> list[dict[str, Any]]:
        """axe's WCAG 2.1 AA violations on the page as it stands, and those of ``RULES``."""
        page.add_script_tag(content=self.axe)
        found: list[dict[str, Any]] = page.evaluate(
            """async ([tags, rules]) => {
                const found = [];
                for (const only of [{type: "tag", values: tags}, {type: "rule", values: rules}]) {
                    const r = await axe.run(document, {runOnly: only});
                    found.push(...r.violations);
                }
                return found.map(v => ({
                    id: v.id, help: v.help,
                    nodes: v.nodes.map(n => n.target.join(" ") + " — " + n.failureSummary)}));
            }""",
            [TAGS, RULES],
        )
        return found

    def close(self) -> None:
        for ctx in self._contexts.values():
            ctx.close()


def _demo_ids(app: Flask) -> dict[str, Any]:
    from web.models import Agency, Appraisal, Cycle, Submission, User, db

    with app.app_context():
        y2024 = db.session.execute(db.select(Cycle).filter_by(year=2024)).scalar_one()
        y2025 = db.session.execute(db.select(Cycle).filter_by(year=2025)).scalar_one()
        published = db.session.execute(
            db.select(Agency).filter_by(cycle_id=y2024.id).order_by(Agency.code)
        ).scalars()
        # the longest name: the public page's chart wraps it
        published_code = max(published, key=lambda a: len(a.name)).code
        submitted = db.session.execute(
            db.select(Agency)
            .join(Submission)
            .filter(Agency.cycle_id == y2025.id, Submission.state == "submitted")
            .order_by(Agency.code)
        ).scalars()
        explaining = db.session.execute(
            db.select(Agency).filter_by(cycle_id=y2025.id, code="xa-phu-cuong")
        ).scalar_one()
        flagged = db.session.execute(
            db.select(Appraisal.leaf)
            .join(Submission)
            .filter(Submission.agency_id == explaining.id, Appraisal.flagged)
            .order_by(Appraisal.leaf)
        ).scalars()
        hinted = db.session.execute(
            db.select(Agency).filter_by(cycle_id=y2025.id, code="xa-dinh-an")
        ).scalar_one()
        officer = db.session.execute(db.select(User).filter_by(email=DRAFT)).scalar_one()
        admin = db.session.execute(db.select(User).filter_by(email=ADMIN)).scalar_one()
        admin.totp_secret = SECRET
        admin.totp_enrolled_at = dt.datetime(2025, 1, 2, 8, 0)
        ids = {
            "published_code": published_code,
            "submitted_id": next(iter(submitted)).id,
            "hinted_id": hinted.id,
            "flagged_leaf": next(iter(flagged)),
            "officer_id": officer.id,
        }
        db.session.commit()
        return ids


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    from web import create_app
    from web.demo import seed_demo
    from web.migrate import upgrade
    from web.models import db

    tmp = tmp_path_factory.mktemp("a11y")
    # the database of the run (CI's second pass: PostgreSQL), emptied as the other web tests do
    url = os.environ.get("PARINDEX_TEST_DATABASE_URL") or f"sqlite:///{tmp / 'demo.db'}"
    if url.startswith("postgresql"):
        _reset_postgres(url)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "tests-only",
            "DATABASE_URL": url,
            "UPLOAD_FOLDER": str(tmp / "uploads"),
            "SESSION_COOKIE_SECURE": False,
            "STAFF_SECOND_FACTOR": False,
        }
    )
    upgrade(app)
    with app.app_context():
        assert seed_demo(REPO), "the demo was not loaded"
    ids = _demo_ids(app)
    with live_server(app) as url, browser() as b:
        s = Site(url, b, ids)
        try:
            yield s
        finally:
            s.close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _report(violations: list[dict[str, Any]]) -> str:
    return "\n".join(f"{v['id']} ({v['help']}): " + "; ".join(v["nodes"]) for v in violations)


def test_every_page_of_the_app_is_checked() -> None:
    from web import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    pages = {r.endpoint for r in app.url_map.iter_rules() if "GET" in (r.methods or ())}
    assert pages - DOWNLOADS - set(PAGES) == set(), "pages without an axe check"
    assert set(PAGES) - pages == set(), "checks of pages that no longer exist"


@pytest.mark.browser
@pytest.mark.parametrize("endpoint", sorted(PAGES))
def test_axe_finds_no_wcag_2_1_aa_violation(site: Site, endpoint: str) -> None:
    account, where = PAGES[endpoint]
    path = where if isinstance(where, str) else where(site.ids)
    page = site.page(account)
    try:
        response = page.goto(site.url + path)
        assert response is not None and response.status == 200, (path, response)
        assert page.url == site.url + path, f"{path} went to {page.url}"
        violations = site.violations(page)
        assert violations == [], f"{path}:\n{_report(violations)}"
    finally:
        page.close()


@pytest.mark.browser
def test_the_public_chart_reads_as_one_described_image(site: Site) -> None:
    page = site.page(None)
    try:
        page.goto(site.url + "/ket-qua/2024")
        charts = page.locator("figure.chart svg[role=img]")
        assert charts.count() >= 2  # one per block of the published year
        # a screen reader reads one image: its name the <title>, its description the <desc>
        name, desc = _accessible(page, "figure.chart svg")
        block = page.locator("main h2").first.inner_text()
        assert name == f"Biểu đồ Chỉ số CCHC khối {block}"
        # the description reads the first row of the ranking table above it, in words
        first = page.locator("table.ranking").first.locator("tbody tr").first
        cells = [c.strip() for c in first.locator("td").all_inner_texts()]
        assert f"hạng {cells[0]}: {cells[1]}, {cells[2]}" in desc
    finally:
        page.close()


@pytest.mark.browser
def test_the_skip_link_is_the_first_tab_stop_and_leads_to_the_main_content(site: Site) -> None:
    page = site.page(DRAFT)
    try:
        page.goto(site.url + "/don-vi/linh-vuc/1")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Bỏ qua, đến nội dung chính"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "noi-dung"
        page.keyboard.press("Tab")  # the next stop is inside <main>
        assert page.evaluate("!!document.activeElement.closest('main')")
    finally:
        page.close()


def _accessible(page: Any, selector: str) -> tuple[str, str]:
    """The accessible name and description Chromium gives the element (what a screen reader
    reads), from the browser's own accessibility tree."""
    cdp = page.context.new_cdp_session(page)
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    tree = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False})
    cdp.detach()
    ax = tree["nodes"][0]
    return (
        str(ax.get("name", {}).get("value", "")),
        str(ax.get("description", {}).get("value", "")),
    )


@pytest.mark.browser
def test_after_a_save_with_errors_the_focus_is_on_the_first_invalid_input(site: Site) -> None:
    page = site.page(DRAFT)
    try:
        page.goto(site.url + "/don-vi/linh-vuc/1")
        # two leaves typed wrong: 1.1.3 (a tiers rate) comes before 1.2.1 (a deduction count)
        page.fill("[name='1.2.1-count']", "hai")
        page.fill("[name='1.1.3-numerator']", "tám mươi")
        page.fill("[name='1.1.3-denominator']", "100")
        page.click("button:has-text('Lưu nháp')")
        page.wait_for_load_state("load")
        page.wait_for_function("document.activeElement.tagName === 'INPUT'", timeout=5_000)
        focused = page.evaluate("document.activeElement.id")
        assert focused == "f-1.1.3-numerator"
        invalid = page.evaluate(
            "[...document.querySelectorAll('main [aria-invalid=true]')].map(e => e.id)"
        )
        assert invalid == ["f-1.1.3-numerator", "f-1.2.1-count"]
        for input_id in invalid:
            message_id = page.get_attribute(f"[id='{input_id}']", "aria-describedby")
            assert message_id == f"{input_id}-error"
            message = page.locator(f"[id='{message_id}']")
            assert message.is_visible() and "field-error" in (message.get_attribute("class") or "")
            text = message.inner_text().strip()
            assert text and _accessible(page, f"[id='{input_id}']")[1] == text
        # nothing of the two leaves was saved, and the page with its errors passes axe too
        violations = site.violations(page)
        assert violations == [], _report(violations)
    finally:
        page.close()


# forms of each role saved with an error: (account, page, what to type, the button, the input
# that must hold the focus, its message as the server words it, worked out from the form's rules)
FORMS_WITH_ERRORS = {
    "officer's evidence form, no number": (
        DRAFT,
        "/don-vi/tieu-chi/1.1.1/minh-chung",
        {"#ev-title": "Kế hoạch CCHC năm 2025"},
        "form[enctype] button[type=submit]",
        "ev-number",
        "Nhập số, ký hiệu của văn bản (ví dụ 125/KH-UBND).",
    ),
    "secretariat's new cycle, a year out of range": (
        SECRETARIAT,
        "/so-noi-vu/",
        {"#year": "1999"},
        "form:has(#year) button[type=submit]",
        "year",
        "Năm phải là số có 4 chữ số, từ 2000 đến 2100.",
    ),
    "appraiser's score below zero": (
        APPRAISER,
        "/tham-dinh/don-vi/{submitted_id}/linh-vuc/1",
        {"input[id$='-score'] >> nth=0": "-1"},
        "form:has(input[id$='-score']) button[type=submit]",
        None,  # the first score input of the page
        "Điểm thẩm định không được âm.",
    ),
    "log-in with nothing typed": (
        None,
        "/dang-nhap",
        {},
        "form button[type=submit]",
        "email",
        "Nhập địa chỉ thư điện tử.",
    ),
}


@pytest.mark.browser
@pytest.mark.parametrize("form", sorted(FORMS_WITH_ERRORS))
def test_every_role_s_form_saved_with_an_error_focuses_and_names_it(site: Site, form: str) -> None:
    account, path, typed, button, input_id, wording = FORMS_WITH_ERRORS[form]
    # the log-in is tried in a context of its own: the shared anonymous one stays untouched
    fresh = None if account else site.browser.new_context(bypass_csp=True, locale="vi-VN")
    page = fresh.new_page() if fresh else site.page(account)
    try:
        page.goto(site.url + path.format(**site.ids))
        if input_id is None:
            input_id = page.get_attribute(next(iter(typed)), "id")
        for selector, value in typed.items():
            page.fill(selector, value)
        page.click(button)
        page.wait_for_load_state("load")
        page.wait_for_function("(id) => document.activeElement.id === id", arg=input_id)
        field = f"[id='{input_id}']"
        assert page.get_attribute(field, "aria-invalid") == "true"
        described = (page.get_attribute(field, "aria-describedby") or "").split()
        assert f"{input_id}-error" in described
        message = page.locator(f"[id='{input_id}-error']").inner_text().strip()
        assert message == wording
        assert message in _accessible(page, field)[1]
        violations = site.violations(page)
        assert violations == [], _report(violations)
    finally:
        page.close()
        if fresh:
            fresh.close()


@pytest.mark.browser
def test_a_wrong_second_factor_code_is_named_by_the_code_input(site: Site) -> None:
    page = site.page(ADMIN)
    try:
        page.fill("#code", "000000")
        page.click("form button[type=submit]")
        page.wait_for_load_state("load")
        page.wait_for_function("document.activeElement.id === 'code'", timeout=5_000)
        described = page.get_attribute("#code", "aria-describedby")
        assert described == "code-hint code-error"
        message = page.locator("#code-error").inner_text().strip()
        hint = page.locator("#code-hint").inner_text().strip()
        assert _accessible(page, "#code")[1] == f"{hint} {message}"
        violations = site.violations(page)
        assert violations == [], _report(violations)
    finally:
        page.close()


# ------------------------------------------------------------------ the chart and the helpers
LONG = {
    "block": "so-nganh",
    "block_name": "Sở, ban, ngành <tỉnh>",
    "agencies": [
        {"rank": 1, "name": "Ban Quản lý Khu kinh tế và các khu công nghiệp tỉnh", "index": 91.25},
        {"rank": 2, "name": "Sở Y tế", "index": 100},
        {
            "rank": 3,
            "name": "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh <hợp nhất>",
            "index": 72.4,
        },
        {"rank": 4, "name": "Trungtâmcótênrấtdàikhôngcódấucáchnàođểngắtdòngchotửtế", "index": 0},
    ],
}


def test_a_long_name_wraps_between_words_and_nothing_is_lost() -> None:
    from web.public.chart import wrap

    # by hand: 38 characters a line at most, broken at the spaces
    assert wrap("Ban Quản lý Khu kinh tế và các khu công nghiệp tỉnh") == [
        "Ban Quản lý Khu kinh tế và các khu",  # 34: "công" would make it 39
        "công nghiệp tỉnh",
    ]
    assert wrap("Sở Y tế") == ["Sở Y tế"]
    assert wrap("abcdefghij klm", 4) == ["abcd", "efgh", "ij", "klm"]
    assert wrap("") == [""]


def test_the_chart_escapes_names_and_describes_every_unit() -> None:
    from web.public.chart import bar_chart

    svg = str(bar_chart(LONG))
    assert "<hợp nhất>" not in svg and "&lt;hợp nhất&gt;" in svg
    assert (
        '<title id="bieu-do-so-nganh-ten">Biểu đồ Chỉ số CCHC khối Sở, ban, ngành &lt;tỉnh&gt;'
        in svg
    )
    desc = re.search(r'<desc id="bieu-do-so-nganh-mo-ta">(.*?)</desc>', svg)
    assert desc is not None
    assert desc.group(1) == (
        "Chỉ số CCHC của 4 đơn vị, theo thứ tự xếp hạng: "
        "hạng 1: Ban Quản lý Khu kinh tế và các khu công nghiệp tỉnh, 91,25 %; "
        "hạng 2: Sở Y tế, 100,00 %; "
        "hạng 3: Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh &lt;hợp nhất&gt;, "
        "72,40 %; "
        "hạng 4: Trungtâmcótênrấtdàikhôngcódấucáchnàođểngắtdòngchotửtế, 0,00 %."
    )


@pytest.mark.browser
def test_long_names_stay_in_their_column_and_rows_do_not_overlap(site: Site) -> None:
    from web.public.chart import BAR_X, bar_chart

    page = site.context(None).new_page()
    try:
        page.set_content(f'<!doctype html><html lang="vi"><body>{bar_chart(LONG)}</body></html>')
        boxes = page.evaluate(
            """() => [...document.querySelectorAll('svg > text')].map(t => {
                const b = t.getBBox(); return [t.textContent, b.x, b.y, b.width, b.height]; })"""
        )
        labels = boxes[0::2]  # name, value, name, value…
        bars = page.evaluate(
            "() => [...document.querySelectorAll('svg rect')].map(r => { const b = r.getBBox();"
            " return [b.x, b.y, b.width, b.height]; })"
        )
        assert len(labels) == len(bars) == 4
        for (_, x, _, width, _), bar in zip(labels, bars, strict=True):
            assert x >= 0 and x + width < BAR_X == bar[0]  # the whole name before the bar
        for above, below in zip(labels, labels[1:], strict=False):
            assert above[2] + above[4] <= below[2]  # a wrapped name does not reach the next
        # the third name needs two lines, the one without spaces two pieces: nothing cut off
        assert boxes[4][0] == (
            "Văn phòng Đoàn đại biểu Quốc hội vàHội đồng nhân dân tỉnh <hợp nhất>"
        )
        assert boxes[6][0] == "Trungtâmcótênrấtdàikhôngcódấucáchnàođểngắtdòngchotửtế"
    finally:
        page.close()


def test_an_invalid_input_is_tied_to_its_message() -> None:
    from web.a11y import error_message, invalid_attrs, invalid_kw

    assert invalid_attrs("f-1.1.3-numerator", "Không đọc được số.") == (
        ' aria-invalid="true" aria-describedby="f-1.1.3-numerator-error"'
    )
    assert invalid_attrs("x", None) == ""
    assert invalid_kw("new", [], "rules", "strength") == {"aria-describedby": "rules strength"}
    assert invalid_kw("code", ["Mã sai."], "code-hint") == {
        "aria-invalid": "true",
        "aria-describedby": "code-hint code-error",
    }
    assert error_message("x", "Sai <b>") == '<p class="field-error" id="x-error">Sai &lt;b&gt;</p>'
    assert error_message("x", ["Một.", "Hai."]) == (
        '<p class="field-error" id="x-error">Một.<br>Hai.</p>'
    )
    assert error_message("x", "") == ""
