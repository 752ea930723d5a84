"""Who may use which route: every route of the app (read from ``app.url_map``) × every role ×
every method, checked against the policy table below; then cross-agency isolation (an officer of
xa-a never sees or changes xa-b's data) and CSRF (every POST route refuses a request without a
token).

A route added later is walked automatically; until it is classified in :data:`POLICY` (and, if
it takes URL parameters, given values in :func:`url_values`) the tests fail and say so.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from werkzeug.routing import Rule as UrlRule
from werkzeug.test import TestResponse

from parindex.criteria import load_criteria
from tests.web.conftest import REPO, login, post
from web.models import (
    Agency,
    Assignment,
    Entry,
    Evidence,
    PlanReport,
    PlanTask,
    Submission,
    SubmissionReport,
    User,
    db,
)
from web.pages import EXTRA_PAGE, pages_of

# ===================================================================================== the policy
ANON = "anonymous"
OFFICER = "agency"  # the officer of xa-a
ROLES = (ANON, OFFICER, "appraiser", "secretariat", "admin")
EMAILS = {
    OFFICER: "xa-a@thu.vn",
    "appraiser": "thamdinh@thu.vn",
    "secretariat": "sonoivu@thu.vn",
    "admin": "quantri@thu.vn",
}
EVERYONE = frozenset(ROLES)
LOGGED_IN = EVERYONE - {ANON}
STAFF = frozenset({"secretariat", "admin"})
PANEL = frozenset({"appraiser", "secretariat", "admin"})


@dataclass(frozen=True)
class Policy:
    """Who may use an endpoint (all its methods). Anonymous users on a protected endpoint get
    the log-in page (302 to /dang-nhap), or 401 when ``api`` (a JSON endpoint called by script);
    logged-in users who may not get 403."""

    roles: frozenset[str]
    api: bool = False
    #: the answer also depends on the agency's state (e.g. the explanation round needs flagged
    #: leaves): an allowed role may get 403/404 here; tests/web/test_appraisal.py covers the
    #: allowed path in the right state
    state_dependent: bool = False


POLICY: dict[str, Policy] = {
    "static": Policy(EVERYONE),
    "public.index": Policy(EVERYONE),
    "auth.login": Policy(EVERYONE),  # a logged-in user is sent to their home page
    "auth.logout": Policy(LOGGED_IN),
    "auth.change_password": Policy(LOGGED_IN),
    # the second step of a log-in: anyone, but without a password step just now it only sends
    # back to the log-in page (tests/web/test_second_factor.py)
    "auth.second_step": Policy(EVERYONE),
    "auth.two_factor": Policy(LOGGED_IN),
    "notifications.index": Policy(LOGGED_IN),  # each user's own (test_notifications.py)
    "notifications.read_all": Policy(LOGGED_IN),
    "agency.overview": Policy(frozenset({OFFICER})),
    "agency.field": Policy(frozenset({OFFICER})),
    "agency.live_score": Policy(frozenset({OFFICER}), api=True),
    "agency.evidence": Policy(frozenset({OFFICER})),
    "agency.delete_evidence": Policy(frozenset({OFFICER})),
    "agency.evidence_file": Policy(LOGGED_IN),  # officers: their own agency's documents only
    "agency.submit": Policy(frozenset({OFFICER})),
    "agency_excel.template": Policy(frozenset({OFFICER})),
    "agency_excel.upload": Policy(frozenset({OFFICER})),
    "agency_report.page": Policy(frozenset({OFFICER})),
    "agency_report.docx": Policy(frozenset({OFFICER})),
    "agency_report.printable": Policy(frozenset({OFFICER})),
    # the signed scan is uploaded after submission only: the fixture's xa-a is a draft (403)
    "agency_report.upload_scan": Policy(frozenset({OFFICER}), state_dependent=True),
    # xa-a has no signed scan yet (404); officers read their own agency's only
    "agency_report.scan": Policy(LOGGED_IN, state_dependent=True),
    "secretariat.dashboard": Policy(STAFF),
    "secretariat.cycle": Policy(STAFF),
    "secretariat.upload_criteria": Policy(STAFF),
    "secretariat.import_agencies": Policy(STAFF),
    "secretariat.deadlines": Policy(STAFF),
    # the empty POST is refused as a form (400) for staff, 403 for the others
    "secretariat.roll_forward": Policy(STAFF),
    "secretariat.edit_criteria": Policy(STAFF),
    # cycle 2025 has no previous cycle: 404 for staff (tests/web/test_criteria_diff_page.py)
    "secretariat.criteria_diff": Policy(STAFF, state_dependent=True),
    "secretariat.open_cycle": Policy(STAFF),
    "appraisal.queue": Policy(PANEL),
    "appraisal.agency": Policy(PANEL),
    "appraisal.field": Policy(PANEL),
    "appraisal.complete_round_1": Policy(PANEL),
    "appraisal.accept_remaining": Policy(PANEL),
    "appraisal.complete_round_2": Policy(PANEL, state_dependent=True),
    "appraisal.return_to_agency": Policy(STAFF),
    "appraisal.assign": Policy(STAFF),
    "appraisal.unassign": Policy(STAFF),
    "agency.explanation": Policy(frozenset({OFFICER}), state_dependent=True),
    "agency.explanation_evidence": Policy(frozenset({OFFICER}), state_dependent=True),
    "agency.delete_explanation_evidence": Policy(frozenset({OFFICER}), state_dependent=True),
    "publishing.progress": Policy(STAFF),
    "publishing.approve": Policy(STAFF),
    "publishing.import_surveys": Policy(STAFF),
    "publishing.preview": Policy(STAFF),
    # nothing is approved in the fixture: staff get 409 (refused, with the reason)
    "publishing.publish": Policy(STAFF, state_dependent=True),
    "publishing.checklist_page": Policy(STAFF),
    "publishing.council_page": Policy(STAFF),
    "publishing.record_council": Policy(STAFF, state_dependent=True),
    "publishing.audit_log": Policy(STAFF),
    "publishing.audit_export": Policy(STAFF),
    "publishing.evidence_report": Policy(STAFF),
    # published results are public; the fixture has none, so everyone gets 404 there
    "public.results": Policy(EVERYONE),
    "public.year_results": Policy(EVERYONE, state_dependent=True),
    "public.version_results": Policy(EVERYONE, state_dependent=True),
    "public.agency_results": Policy(EVERYONE, state_dependent=True),
    "public.decision_table": Policy(EVERYONE, state_dependent=True),
    "accounts.index": Policy(STAFF),
    "accounts.account": Policy(STAFF),
    "accounts.link_unit": Policy(STAFF),
    "accounts.reset_password": Policy(STAFF),
    "accounts.set_active": Policy(STAFF),
    "units.index": Policy(STAFF),
    "units.import_lineage": Policy(STAFF),
    "plan_admin.index": Policy(STAFF),
    "plan_admin.import_plan": Policy(STAFF),
    "agency_plan.index": Policy(frozenset({OFFICER})),
    # no plan imported in the fixture: the officer's report of task 1 is not found (404);
    # tests/web/test_plan_web.py covers saving its own report and refusing another unit's
    "agency_plan.save": Policy(frozenset({OFFICER}), state_dependent=True),
    # no plan in the fixture: nothing to confirm (404); tests/web/test_plan_web.py covers saving
    "agency_plan.confirm": Policy(frozenset({OFFICER}), state_dependent=True),
}

# ============================================================================ the fixture's data
YEAR = 2025
FIELD = "1"  # a field (page) of the commune set
LEAF = "1.1.1"  # a leaf of the commune set that takes documents
SECRET = "XAB-BIMAT-7Q2Z"  # in xa-b's entries and documents only: never in xa-a's pages
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def url_values(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Real values for the URL parameters of each endpoint that takes some."""
    return {
        "static": {"filename": "style.css"},
        "agency.field": {"code": FIELD},
        "agency.evidence": {"code": LEAF},
        "agency.evidence_file": {"evidence_id": data["own"]},
        # the walk deletes this one (the officer may); the one above stays for the download
        "agency.delete_evidence": {"evidence_id": data["own_spare"]},
        "agency_report.scan": {"agency_id": data["agency_ids"]["xa-a"]},
        "secretariat.cycle": {"year": YEAR},
        "secretariat.upload_criteria": {"year": YEAR},
        "secretariat.import_agencies": {"year": YEAR},
        "secretariat.deadlines": {"year": YEAR},
        "secretariat.edit_criteria": {"year": YEAR, "block": "xa"},
        "secretariat.criteria_diff": {"year": YEAR},
        "secretariat.open_cycle": {"year": YEAR},
        "appraisal.agency": {"agency_id": data["submitted"]},
        "appraisal.field": {"agency_id": data["submitted"], "code": "1"},
        "appraisal.complete_round_1": {"agency_id": data["submitted"]},
        "appraisal.accept_remaining": {"agency_id": data["submitted"]},
        "appraisal.complete_round_2": {"agency_id": data["submitted"]},
        "appraisal.return_to_agency": {"agency_id": data["submitted"]},
        "appraisal.assign": {"year": YEAR},
        "appraisal.unassign": {"assignment_id": data["assignment"]},
        "agency.explanation_evidence": {"code": LEAF},
        "agency.delete_explanation_evidence": {"evidence_id": data["own_spare"]},
        "publishing.progress": {"year": YEAR},
        "publishing.approve": {"year": YEAR},
        "publishing.import_surveys": {"year": YEAR},
        "publishing.preview": {"year": YEAR},
        "publishing.publish": {"year": YEAR},
        "publishing.checklist_page": {"year": YEAR},
        "publishing.council_page": {"year": YEAR},
        "publishing.record_council": {"year": YEAR},
        "publishing.evidence_report": {"year": YEAR},
        "public.year_results": {"year": YEAR},
        "public.version_results": {"year": YEAR, "version": 1},
        "public.agency_results": {"year": YEAR, "code": "xa-a"},
        "public.decision_table": {"year": YEAR, "version": 1},
        # the officer of xa-b: never the walking user itself
        "accounts.account": {"user_id": data["other_user"]},
        "accounts.link_unit": {"user_id": data["other_user"]},
        "accounts.reset_password": {"user_id": data["other_user"]},
        "accounts.set_active": {"user_id": data["other_user"]},
        "plan_admin.index": {"year": YEAR},
        "plan_admin.import_plan": {"year": YEAR},
        "agency_plan.save": {"report_id": 1},
    }


URL_VALUES_FOR = frozenset(
    url_values(
        {
            "own": 0,
            "own_spare": 0,
            "submitted": 0,
            "assignment": 0,
            "other_user": 0,
            "agency_ids": {"xa-a": 0},
        }
    )
)

#: a POST's body beyond the CSRF token: empty (an intentionally empty form) unless the endpoint
#: cannot tell roles apart without one
POST_DATA: dict[str, dict[str, str]] = {"agency.live_score": {"leaf": LEAF}}

#: walked last, in this order: they change what the requests after them would see
LAST = (
    "secretariat.open_cycle",  # the fixture's cycle is ready: staff open it
    "agency.delete_evidence",
    "agency.delete_explanation_evidence",
    "agency.submit",
    "appraisal.unassign",
    "appraisal.complete_round_1",
    "appraisal.accept_remaining",  # writes round-1 scores: after round 1 was tried
    "appraisal.complete_round_2",
    "appraisal.return_to_agency",
    "auth.logout",
)
#: methods answered by Flask itself without running the view (checked separately)
AUTOMATIC = frozenset({"OPTIONS"})


def _add_evidence(
    folder: Path, sub: Submission, leaf: str, number: str, content: bytes, name: str
) -> Evidence:
    entry = next((e for e in sub.entries if e.leaf == leaf), None)
    if entry is None:
        entry = Entry(submission=sub, leaf=leaf, data={})
        db.session.add(entry)
    stored = f"{uuid.uuid4().hex}.pdf"
    (folder / stored).write_bytes(content)
    ev = Evidence(
        number=number,
        title=f"Trích yếu {number}",
        original_name=name,
        stored_name=stored,
        content_type="application/pdf",
        size=len(content),
    )
    entry.evidence.append(ev)
    return ev


@pytest.fixture
def data(app: Flask, cycle: dict[str, Any]) -> dict[str, Any]:
    """Two documents of xa-a (one to download, one to delete), and xa-b's entries and document,
    all carrying :data:`SECRET`."""
    folder = Path(app.config["UPLOAD_FOLDER"])
    with app.app_context():
        subs = {
            code: db.session.execute(
                db.select(Submission).filter_by(agency_id=cycle["agency_ids"][code])
            ).scalar_one()
            for code in ("xa-a", "xa-b")
        }
        db.session.add(Entry(submission=subs["xa-a"], leaf=LEAF, data={"date": "2025-03-01"}))
        db.session.flush()
        own = _add_evidence(folder, subs["xa-a"], LEAF, "1/KH-XA-A", PDF + b"%a\n", "a.pdf")
        spare = _add_evidence(folder, subs["xa-a"], LEAF, "2/KH-XA-A", PDF + b"%a2\n", "a2.pdf")
        db.session.add(
            Entry(
                submission=subs["xa-b"],
                leaf=LEAF,
                data={"date": "2025-03-02", "explanation": f"Giải trình {SECRET}"},
            )
        )
        db.session.add(
            Entry(
                submission=subs["xa-b"],
                leaf="1.3.1",
                data={"done": True, "explanation": f"Kế hoạch {SECRET}"},
            )
        )
        db.session.flush()
        other = _add_evidence(
            folder, subs["xa-b"], LEAF, f"{SECRET}/KH", PDF + SECRET.encode(), f"{SECRET}.pdf"
        )
        # xa-b has a signed report (its scan holds the secret)
        scan = f"{uuid.uuid4().hex}.pdf"
        (folder / scan).write_bytes(PDF + SECRET.encode())
        db.session.add(
            SubmissionReport(
                submission=subs["xa-b"],
                scan_original_name=f"{SECRET}.pdf",
                scan_stored_name=scan,
                scan_content_type="application/pdf",
                scan_size=len(PDF) + len(SECRET),
            )
        )
        # so-a has submitted and the appraiser is assigned field 1 of its block
        so_a = db.session.execute(
            db.select(Submission).filter_by(agency_id=cycle["agency_ids"]["so-a"])
        ).scalar_one()
        so_a.state = "submitted"
        appraiser = db.session.execute(
            db.select(User).filter_by(email=EMAILS["appraiser"])
        ).scalar_one()
        assignment = Assignment(
            cycle_id=db.session.get(Agency, cycle["agency_ids"]["so-a"]).cycle_id,
            user_id=appraiser.id,
            block="so-nganh",
            code="1",
        )
        db.session.add(assignment)
        # a plan task xa-b leads (its report holds the secret): xa-a may not report or see it
        task = PlanTask(
            cycle_id=assignment.cycle_id,
            position=4,
            area="I. THỂ CHẾ",
            stt="1",
            task="Nhiệm vụ của xã B",
            product="",
            due_text="Quý I/2025",
            due=dt.date(2025, 3, 31),
            lead_text="UBND xã B",
            coordinating="",
        )
        other_report = PlanReport(
            task=task, agency_id=cycle["agency_ids"]["xa-b"], status="not-done", reason=SECRET
        )
        db.session.add(other_report)
        db.session.commit()
        return {
            "other_report": other_report.id,
            **cycle,
            "own": own.id,
            "own_spare": spare.id,
            "other": other.id,
            "submitted": cycle["agency_ids"]["so-a"],
            "assignment": assignment.id,
            "other_user": db.session.execute(
                db.select(User.id).filter_by(email="xa-b@thu.vn")
            ).scalar_one(),
        }


# ====================================================================================== helpers
def _routes(app: Flask) -> list[UrlRule]:
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))


def _methods(rule: UrlRule) -> list[str]:
    return sorted((rule.methods or set()) - AUTOMATIC)


def _order(item: tuple[UrlRule, str]) -> tuple[int, int, str, str]:
    rule, method = item
    last = LAST.index(rule.endpoint) if rule.endpoint in LAST else -1
    return (method not in ("GET", "HEAD"), last, rule.endpoint, method)


def _client(app: Flask, role: str) -> FlaskClient:
    client = app.test_client()
    if role != ANON:
        r = login(client, EMAILS[role])
        assert r.status_code == 302, f"{role} could not log in ({r.status_code})"
    return client


def _send(
    client: FlaskClient, rule: UrlRule, method: str, path: str, token: bool = True
) -> TestResponse:
    """One request as the app's pages would send it; the body is read and the response closed."""
    headers = {"Accept": "application/json"} if POLICY[rule.endpoint].api else {}
    if method != "POST":
        r = client.open(path, method=method, headers=headers)
    elif token:
        r = post(client, path, POST_DATA.get(rule.endpoint, {}), headers=headers)
    else:
        r = client.post(path, data=POST_DATA.get(rule.endpoint, {}), headers=headers)
    r.get_data()
    r.close()
    return r


def _judge(policy: Policy, role: str, method: str, r: TestResponse) -> str | None:
    """What is wrong with the answer, or None."""
    status = r.status_code
    if status >= 500:
        return "server error"
    if role in policy.roles:
        if status < 400 or (status == 400 and method == "POST"):
            return None
        if policy.state_dependent and status in (403, 404, 409):
            return None  # refused for the agency's state, not for the role
        if method == "POST":
            return "allowed: expected 2xx/3xx, or 400 for the empty form"
        return "allowed: expected 2xx/3xx"
    if role == ANON and policy.api:
        return None if status == 401 else "anonymous on an API route: expected 401"
    if role == ANON:
        where = urlsplit(r.headers.get("Location", "")).path
        if status == 302 and where == "/dang-nhap":
            return None
        return f"anonymous: expected 302 to /dang-nhap (Location: {where or '-'})"
    return None if status == 403 else "not allowed: expected 403"


def _row(endpoint: str, method: str, role: str, status: Any, problem: str) -> str:
    return f"{endpoint:30} {method:5} {role:12} {status!s:>5}  {problem}"


def _fail(title: str, rows: list[str]) -> None:
    header = _row("endpoint", "meth", "role", "got", "problem")
    pytest.fail(f"{title}\n{header}\n" + "\n".join(rows), pytrace=False)


# ============================================================================= classification
def test_every_route_is_classified(app: Flask) -> None:
    """A new route makes this fail until it is added to POLICY (and url_values if needed)."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    unknown = sorted(endpoints - POLICY.keys())
    stale = sorted(POLICY.keys() - endpoints)
    assert not unknown, f"routes not in the access policy table (classify them): {unknown}"
    assert not stale, f"policy entries for routes that no longer exist: {stale}"
    for rule in app.url_map.iter_rules():
        if rule.arguments:
            assert rule.endpoint in URL_VALUES_FOR, f"no URL values for {rule.endpoint}"
        if "/api/" in rule.rule:
            assert POLICY[rule.endpoint].api, f"{rule.endpoint} ({rule.rule}) is an API route"
        for method in _methods(rule):
            assert method in ("GET", "HEAD", "POST"), f"{rule.endpoint}: {method} not walked"
            if method == "POST":
                assert POLICY[rule.endpoint].roles, f"{rule.endpoint}: nobody can POST"


# ================================================================================ the matrix
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app: Flask, data: dict[str, Any], role: str) -> None:
    """Every route × every method as ``role``: allowed → answered (never 401/403/500); not
    allowed → 403 (anonymous: the log-in page, or 401 on an API route). POSTs carry a valid
    CSRF token, except a first try without one, which an allowed role must see refused (400)."""
    client = _client(app, role)
    values = url_values(data)
    problems: list[str] = []
    get_status: dict[str, int] = {}
    walk = sorted(((rule, m) for rule in _routes(app) for m in _methods(rule)), key=_order)
    for rule, method in walk:
        endpoint = rule.endpoint
        policy = POLICY.get(endpoint)
        if policy is None:
            problems.append(_row(endpoint, method, role, "-", "not in POLICY: classify it"))
            continue
        with app.test_request_context():
            path = url_for(endpoint, **values.get(endpoint, {}))
        try:
            if method == "POST" and role in policy.roles:
                r = _send(client, rule, method, path, token=False)
                if r.status_code != 400:
                    problems.append(
                        _row(endpoint, method, role, r.status_code, "no CSRF token: expected 400")
                    )
            r = _send(client, rule, method, path)
        except Exception as e:  # the test app propagates errors: what a 500 would have been
            problems.append(_row(endpoint, method, role, 500, f"raised {e!r}"))
            continue
        problem = _judge(policy, role, method, r)
        if method == "GET":
            get_status[endpoint] = r.status_code
        elif method == "HEAD" and not problem and r.status_code != get_status.get(endpoint):
            problem = f"HEAD must answer as GET ({get_status.get(endpoint)})"
        if problem:
            problems.append(_row(endpoint, method, role, r.status_code, problem))
    if problems:
        _fail(f"access matrix, role {role}: {len(problems)} problem(s)", problems)


def test_options_never_run_a_view(app: Flask, data: dict[str, Any]) -> None:
    """OPTIONS is answered by Flask itself (no view, no data) for every route."""
    client = app.test_client()
    values = url_values(data)
    for rule in _routes(app):
        assert rule.provide_automatic_options, f"{rule.endpoint} handles OPTIONS itself"
        with app.test_request_context():
            path = url_for(rule.endpoint, **values.get(rule.endpoint, {}))
        r = client.options(path)
        assert (r.status_code, r.data) == (200, b""), f"OPTIONS {rule.endpoint}"


# ============================================================================ cross-agency
def _xa_codes() -> tuple[list[str], list[str]]:
    """The commune set's pages (fields + bonus/penalty) and all its leaf codes."""
    loaded = load_criteria(REPO / "criteria" / str(YEAR) / "xa.yaml")
    pages = [p.code for p in pages_of(loaded)]
    assert EXTRA_PAGE in pages
    return pages, [*loaded.leaf_by_code, *loaded.extra_by_code]


def _text(r: TestResponse) -> str:
    """The response body as text; an Office file (zip) is unpacked, every part read."""
    body = r.get_data()
    if body.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(body)) as zf:
            return "\n".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
    return body.decode("utf-8", "replace")


def _snapshot(app: Flask, agency_id: int) -> dict[str, Any]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    with app.app_context():
        agency = db.session.get(Agency, agency_id)
        assert agency is not None and agency.submission is not None
        sub = agency.submission
        return {
            "state": sub.state,
            "entries": {e.leaf: (e.version, dict(e.data)) for e in sub.entries},
            "evidence": {
                ev.id: (ev.entry.leaf, ev.number, ev.stored_name)
                for e in sub.entries
                for ev in e.evidence
            },
            "files": {
                ev.stored_name: (folder / ev.stored_name).read_bytes()
                for e in sub.entries
                for ev in e.evidence
                if ev.stored_name
            },
        }


#: what an officer of xa-a is sent to, for every route that takes a code or an id, and the
#: answers allowed: own codes show xa-a's pages, xa-b's ids are refused
def cross_values(data: dict[str, Any]) -> dict[str, list[tuple[dict[str, Any], set[int]]]]:
    pages, leaves = _xa_codes()
    return {
        "static": [],  # files of the app, no agency's data
        "agency.field": [({"code": p}, {200}) for p in pages],
        # a survey leaf has no documents: 404
        "agency.evidence": [({"code": c}, {200, 404}) for c in leaves],
        "agency.evidence_file": [({"evidence_id": data["other"]}, {403, 404})],
        "agency.delete_evidence": [({"evidence_id": data["other"]}, {403, 404})],
        # xa-b's signed report (it holds the secret): refused
        "agency_report.scan": [({"agency_id": data["agency_ids"]["xa-b"]}, {403})],
        # outside the explanation round (xa-a is a draft) these pages refuse every leaf
        "agency.explanation_evidence": [({"code": c}, {403, 404}) for c in leaves[:5]],
        "agency.delete_explanation_evidence": [({"evidence_id": data["other"]}, {403, 404})],
        # published results are public (no self-assessment text in them); none in the fixture
        "agency_plan.save": [({"report_id": data["other_report"]}, {404})],
        "public.year_results": [({"year": YEAR}, {404})],
        "public.version_results": [({"year": YEAR, "version": 1}, {404})],
        "public.agency_results": [({"year": YEAR, "code": "xa-b"}, {404})],
        "public.decision_table": [({"year": YEAR, "version": 1}, {404})],
    }


def test_officer_never_sees_or_changes_another_agencys_data(
    app: Flask, data: dict[str, Any]
) -> None:
    """Logged in as xa-a: writes naming xa-b still land in xa-a; every page and leaf of xa-a,
    and xa-b's document id on every route taking an id, never show :data:`SECRET`; xa-b's
    entries, documents and files are unchanged at the end."""
    client = _client(app, OFFICER)
    ids = data["agency_ids"]
    before = _snapshot(app, ids["xa-b"])
    assert SECRET in str(before), "the fixture must put the secret in xa-b's data"
    assert _snapshot(app, ids["xa-a"])["evidence"], "xa-a has documents of its own"

    # writes that name xa-b (its id or code in the form) still land in xa-a's own submission
    tamper = {"agency_id": str(ids["xa-b"]), "agency": "xa-b", "agency_code": "xa-b"}
    r = post(
        client,
        f"/don-vi/linh-vuc/{FIELD}",
        {
            **tamper,
            "1.3.1-version": "0",
            "1.3.1-orig": "",
            "1.3.1-done": "co",
            "1.3.1-explanation": "Ghi của xã A",
        },
    )
    assert r.status_code == 302, r.status_code
    r = post(
        client,
        f"/don-vi/tieu-chi/{LEAF}/minh-chung",
        {**tamper, "number": "3/KH-XA-A", "file": (io.BytesIO(PDF), "kh.pdf")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302, r.status_code
    own = _snapshot(app, ids["xa-a"])
    assert own["entries"]["1.3.1"][1]["explanation"] == "Ghi của xã A"
    assert "3/KH-XA-A" in {number for _, number, _ in own["evidence"].values()}

    problems: list[str] = []
    bodies: list[tuple[str, str, TestResponse]] = []
    r = post(client, "/don-vi/api/tinh-diem", {**tamper, "leaf": "1.3.1"})
    bodies.append(("agency.live_score", "/don-vi/api/tinh-diem", r))
    walks = cross_values(data)
    for rule in _routes(app):
        policy = POLICY.get(rule.endpoint)
        if policy is None:
            problems.append(_row(rule.endpoint, "-", OFFICER, "-", "not in POLICY: classify it"))
            continue
        if OFFICER not in policy.roles or rule.endpoint in ("auth.login", "auth.second_step"):
            continue
        if rule.arguments and rule.endpoint not in walks:
            problems.append(_row(rule.endpoint, "-", OFFICER, "-", "not in cross_values"))
            continue
        for method in _methods(rule):
            if method == "HEAD":
                continue  # no body to read; the matrix checks that HEAD answers as GET
            by_id = any(arg.endswith("_id") for arg in rule.arguments)
            if method != "GET" and not by_id:
                continue  # writes by code or to the officer's own agency: the posts above
            calls = walks[rule.endpoint] if rule.arguments else [({}, {200})]
            for kwargs, expected in calls:
                with app.test_request_context():
                    path = url_for(rule.endpoint, **kwargs)
                r = _send(client, rule, method, path)
                if r.status_code not in expected:
                    problems.append(
                        _row(rule.endpoint, method, OFFICER, r.status_code, f"{path}: {expected}")
                    )
                bodies.append((rule.endpoint, path, r))
    for endpoint, path, r in bodies:
        if SECRET in _text(r) or SECRET in str(r.headers):
            problems.append(
                _row(
                    endpoint, r.request.method, OFFICER, r.status_code, f"{path} shows xa-b's data"
                )
            )
    if problems:
        _fail("cross-agency: xa-a's officer reached xa-b's data", problems)
    assert len(bodies) > 50, "the walk must cover every page and leaf"
    assert _snapshot(app, ids["xa-b"]) == before, "xa-b's data changed"


def _download(client: FlaskClient, evidence_id: int) -> tuple[int, bytes]:
    with client.get(f"/don-vi/minh-chung/{evidence_id}/tep") as r:
        return r.status_code, r.get_data()


def test_only_officers_are_limited_to_their_own_documents(app: Flask, data: dict[str, Any]) -> None:
    """Downloads are refused across agencies only: appraisers and staff read every document."""
    for role in ("appraiser", "secretariat", "admin"):
        assert _download(_client(app, role), data["other"]) == (200, PDF + SECRET.encode()), role
    assert _download(_client(app, OFFICER), data["own"])[0] == 200
    xa_b = app.test_client()
    assert login(xa_b, "xa-b@thu.vn").status_code == 302
    assert _download(xa_b, data["own"])[0] in (403, 404)
    assert _download(xa_b, data["other"])[0] == 200


# ==================================================================================== CSRF
def test_no_method_writes_without_a_csrf_token(app: Flask, data: dict[str, Any]) -> None:
    """Writes need the CSRF token whatever the method: a HEAD request (which CSRF protection
    does not check) carrying a form must not save a field nor add a document."""
    client = _client(app, OFFICER)
    ids = data["agency_ids"]
    before = _snapshot(app, ids["xa-a"])
    field = {
        "1.3.1-version": "0",
        "1.3.1-orig": "",
        "1.3.1-done": "co",
        "1.3.1-explanation": "Ghi bằng HEAD",
    }
    document = {"number": "9/HEAD", "file": (io.BytesIO(PDF), "head.pdf")}
    answers = {}
    for path, form in (
        (f"/don-vi/linh-vuc/{FIELD}", field),
        (f"/don-vi/tieu-chi/{LEAF}/minh-chung", document),
    ):
        with client.open(path, method="HEAD", data=form) as r:
            answers[path] = r.status_code
    after = _snapshot(app, ids["xa-a"])
    written = {
        "entries": {k: v for k, v in after["entries"].items() if before["entries"].get(k) != v},
        "documents": [v[1] for k, v in after["evidence"].items() if k not in before["evidence"]],
    }
    assert after == before, f"HEAD without a CSRF token ({answers}) wrote {written}"


# ============================================================================ a second year
def test_in_an_earlier_year_an_officer_still_sees_only_its_own_unit(
    app: Flask, data: dict[str, Any]
) -> None:
    """A 2024 cycle assessing xa-a and xa-b, xa-b's entry and document carrying :data:`SECRET`:
    xa-a's officer reads its own 2024 pages (``?nam=2024``) without xa-b's data, is refused
    xa-b's 2024 document, and never reaches a year its unit is not assessed in."""
    from tests.web.conftest import add_cycle

    earlier = add_cycle(app, 2024)
    folder = Path(app.config["UPLOAD_FOLDER"])
    with app.app_context():
        sub_b = db.session.execute(
            db.select(Submission).filter_by(agency_id=earlier["xa-b"])
        ).scalar_one()
        db.session.add(
            Entry(submission=sub_b, leaf="1.3.1", data={"done": True, "explanation": SECRET})
        )
        doc = _add_evidence(folder, sub_b, LEAF, f"{SECRET}/2024", PDF + SECRET.encode(), "b.pdf")
        db.session.commit()
        doc_id = doc.id
    client = _client(app, OFFICER)
    pages, _ = _xa_codes()
    for path in ["/don-vi/?nam=2024", *(f"/don-vi/linh-vuc/{p}?nam=2024" for p in pages)]:
        r = client.get(path)
        assert r.status_code == 200, path
        assert SECRET not in r.get_data(as_text=True), path
    assert "UBND xã A (2024)" in client.get("/don-vi/?nam=2024").get_data(as_text=True)
    assert _download(client, doc_id)[0] in (403, 404)
    assert client.get("/don-vi/?nam=2023").status_code == 404
    xa_b = app.test_client()
    assert login(xa_b, "xa-b@thu.vn").status_code == 302
    assert _download(xa_b, doc_id) == (200, PDF + SECRET.encode())
