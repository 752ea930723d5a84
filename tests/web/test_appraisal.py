"""The appraisal: the panel's rounds as the engine sees them (final score = round 2, else round
1, else the self-score), the cycle's results from the database against ``parindex score`` on
the same data written as files; the appraiser's pages, assignments, the explanation round.

Expected points are worked out by hand from the wording of the bundled commune criteria
(criteria/2025/xa.yaml), quoted beside each figure.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from parindex.cli import main
from tests.web.conftest import login, post
from tests.web.test_agency import form_of
from web import workflow
from web.bulk import bulk_results
from web.engine import appraisable_codes, evaluate, submission_for_engine
from web.models import (
    Agency,
    Appraisal,
    Assignment,
    AuditEntry,
    Cycle,
    Entry,
    Evidence,
    Submission,
    User,
    db,
)

D = Decimal

#: facts of xa-a, with the points the rule gives them (xa.yaml)
XA_A_FACTS: dict[str, dict[str, Any]] = {
    # deadline 30/7/2025, issued 20/7: on time → 1 point
    "1.1.1": {"date": "2025-07-20", "explanation": "Bản giấy lưu tại xã"},
    # 9 of 10 tasks = 90 %: "từ 80% đến dưới 100%: 0,75 điểm"
    "1.1.3": {"numerator": 9, "denominator": 10, "explanation": "Báo cáo 12/BC-UBND"},
    # "Có ban hành Kế hoạch tự kiểm tra CCHC: 0,5 điểm"
    "1.3.1": {"done": True, "explanation": "Kế hoạch 5/KH-UBND"},
    # proportional: 7 / 8 = 87,5 % × 0,5 = 0,4375 → 0,44
    "1.4.2": {"numerator": 7, "denominator": 8, "explanation": "Báo cáo tuyên truyền"},
    # "Không phát sinh" on 1.3.3, policy full-points → 0,5
    "1.3.3": {"did_not_arise": "Không phát hiện vấn đề qua kiểm tra"},
    # bonus T.1: 1 initiative × 0,5
    "T.1": {"count": 1, "explanation": "Quyết định công nhận sáng kiến"},
}
#: xa-a's rounds: (leaf, round) → (score, reason)
XA_A_ROUNDS: dict[tuple[str, int], tuple[str, str]] = {
    ("1.1.3", 1): ("0.5", "Chỉ 8/10 nhiệm vụ có sản phẩm"),
    ("1.3.1", 1): ("0.5", ""),  # kept as self-scored
    ("1.3.1", 2): ("0", "Kế hoạch ban hành sau quý III"),
    ("1.4.2", 2): ("0.25", "Giải trình chưa thuyết phục"),
    ("T.1", 1): ("0", "Sáng kiến chưa được công nhận trong năm 2025"),
}
#: xa-b: 1.1.1 late (0,5), appraised up to 1 in round 1; 1.3.1 not done (0)
XA_B_FACTS = {
    "1.1.1": {"date": "2025-08-10", "explanation": "Kế hoạch 20/KH-UBND"},
    "1.3.1": {"done": False},
}
XA_B_ROUNDS = {("1.1.1", 1): ("1", "Văn bản gia hạn của UBND tỉnh")}


def _store(app: Flask, cycle: dict[str, Any], code: str, facts: dict, rounds: dict) -> None:
    with app.app_context():
        agency = db.session.get(Agency, cycle["agency_ids"][code])
        assert agency is not None and agency.submission is not None
        sub = agency.submission
        for leaf, data in facts.items():
            db.session.add(Entry(submission=sub, leaf=leaf, data=dict(data)))
        for (leaf, rnd), (score, reason) in rounds.items():
            db.session.add(
                Appraisal(
                    submission=sub,
                    leaf=leaf,
                    round=rnd,
                    score_c=int(D(score) * 100),
                    reason=reason,
                )
            )
        db.session.commit()


def _agency(cycle: dict[str, Any], code: str) -> Agency:
    agency = db.session.get(Agency, cycle["agency_ids"][code])
    assert agency is not None
    return agency


# ================================================================================ the engine
def test_final_score_is_round_2_then_round_1_then_self(app: Flask, cycle: dict[str, Any]) -> None:
    _store(app, cycle, "xa-a", XA_A_FACTS, XA_A_ROUNDS)
    with app.app_context():
        agency = _agency(cycle, "xa-a")
        e = evaluate(agency)
        got = {c: (e.leaves[c].points, e.leaves[c].final) for c in XA_A_FACTS}
        assert got == {
            "1.1.1": (D("1.00"), D("1.00")),  # no round: the self-score
            "1.1.3": (D("0.75"), D("0.50")),  # round 1
            "1.3.1": (D("0.50"), D("0.00")),  # round 2 over round 1
            "1.4.2": (D("0.44"), D("0.25")),  # round 2 alone
            "1.3.3": (D("0.50"), D("0.50")),  # did not arise, full points
            "T.1": (D("0.50"), D("0.00")),  # bonus item appraised to 0
        }
        # final: 1 + 0,5 + 0 + 0,25 + 0,5 = 2,25 of the tree's 100; bonus 0
        assert (e.points, e.applicable_max, e.index) == (D("2.25"), D("100.00"), D("2.25"))
        # the agency's own pages: self-scores only, 1 + 0,75 + 0,5 + 0,44 + 0,5 = 3,19 + bonus 0,5
        own = evaluate(agency, appraised=False)
        assert (own.points, own.index) == (D("3.69"), D("3.69"))
        assert all(own.leaves[c].final == own.leaves[c].points for c in XA_A_FACTS)
        # a round that keeps the self-score needs no reason: no warning for 1.3.1 round 1
        assert not [i for i in e.issues if i.code == "appraisal-no-reason"]
        raw = submission_for_engine(agency, agency.submission)
        assert raw["leaves"]["1.3.1"]["appraisal"] == {
            "round1": {"score": D("0.50")},
            "round2": {"score": D("0.00"), "reason": "Kế hoạch ban hành sau quý III"},
        }


def test_a_scored_leaf_the_agency_left_empty_counts_its_round(
    app: Flask, cycle: dict[str, Any]
) -> None:
    _store(app, cycle, "xa-a", {}, {("2.2.3", 1): ("0.75", "Có tủ sách pháp luật điện tử")})
    with app.app_context():
        e = evaluate(_agency(cycle, "xa-a"))
        assert (e.leaves["2.2.3"].points, e.leaves["2.2.3"].final) == (D("0.00"), D("0.75"))
        assert e.points == D("0.75")


def test_accepting_did_not_arise_keeps_the_leaf_excluded(app: Flask, cycle: dict[str, Any]) -> None:
    """1.4.3 is excluded when it did not arise (the set's default policy): a round without a
    score accepts that; a round with a score brings the leaf back into the maximum."""
    facts = {"1.4.3": {"did_not_arise": "Xã chưa có trang thông tin"}}
    _store(app, cycle, "xa-a", facts, {})
    _store(app, cycle, "xa-b", facts, {("1.4.3", 1): ("0", "Xã có nhóm Zalo thôn")})
    with app.app_context():
        sub = _agency(cycle, "xa-a").submission
        db.session.add(Appraisal(submission=sub, leaf="1.4.3", round=1, score_c=None))
        db.session.commit()
        a = evaluate(_agency(cycle, "xa-a"))
        b = evaluate(_agency(cycle, "xa-b"))
        assert (a.leaves["1.4.3"].applicable, a.applicable_max) == (False, D("99.50"))
        assert (b.leaves["1.4.3"].applicable, b.applicable_max) == (True, D("100.00"))


def _yaml_text(data: Any) -> str:
    class Dumper(yaml.SafeDumper):
        pass

    Dumper.add_representer(
        Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float", str(v))
    )
    return yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False)


def _export(app: Flask, root: Path) -> None:
    """The cycle as the engine's files: criteria/2025/*.yaml, agencies.csv, one YAML per
    agency (facts, evidence, rounds) — what the command line scores."""
    with app.app_context():
        cycle = db.session.execute(db.select(Cycle)).scalar_one()
        cdir = root / "criteria" / str(cycle.year)
        sdir = root / "submissions" / str(cycle.year)
        cdir.mkdir(parents=True)
        sdir.mkdir(parents=True)
        for record in cycle.criteria:
            (cdir / record.file_name).write_text(record.yaml_text, encoding="utf-8")
        with (sdir / "agencies.csv").open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["id", "name", "block"])
            for a in cycle.agencies:
                writer.writerow([a.code, a.name, a.block])
                raw = submission_for_engine(a, a.submission)
                (sdir / a.block).mkdir(exist_ok=True)
                (sdir / a.block / f"{a.code}.yaml").write_text(_yaml_text(raw), encoding="utf-8")


def test_bulk_results_equal_what_the_command_line_computes(
    app: Flask, cycle: dict[str, Any], tmp_path: Path
) -> None:
    _store(app, cycle, "xa-a", XA_A_FACTS, XA_A_ROUNDS)
    _store(app, cycle, "xa-b", XA_B_FACTS, XA_B_ROUNDS)
    _store(app, cycle, "so-a", {"1.1.1": {"date": "2025-01-10"}}, {})
    with app.app_context():
        results = bulk_results(db.session.execute(db.select(Cycle)).scalar_one())
        web = {
            b["block"]: [(a["agency"], a["rank"], a["index"], a["total"]) for a in b["agencies"]]
            for b in results.as_dict()["blocks"]
        }
    # xa-a 2,25 (above); xa-b: 1.1.1 round 1 = 1, 1.3.1 not done = 0 → 1,00
    assert web["xa"] == [("xa-a", 1, D("2.25"), D("2.25")), ("xa-b", 2, D("1.00"), D("1.00"))]
    assert [a for a, *_ in web["so-nganh"]] == ["so-a"]
    root = tmp_path / "data"
    _export(app, root)
    out = CliRunner().invoke(main, ["score", "--root", str(root), "--year", "2025", "--json"])
    assert out.exit_code == 0, out.output
    cli = {
        b["block"]: [
            (a["agency"], a["rank"], D(str(a["index"])), D(str(a["total"]))) for a in b["agencies"]
        ]
        for b in json.loads(out.stdout)["blocks"]
    }
    assert cli == web


# ============================================================================ the panel's pages
def client_for(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def _user_id(email: str) -> int:
    return db.session.execute(db.select(User.id).filter_by(email=email)).scalar_one()


def submitted(app: Flask, cycle: dict[str, Any], code: str, facts: dict | None = None) -> int:
    """The agency's facts stored and its self-assessment submitted (as its officer)."""
    _store(app, cycle, code, facts or {}, {})
    with app.app_context():
        agency = _agency(cycle, code)
        officer = db.session.get(User, _user_id(f"{code}@thu.vn"))
        assert agency.submission is not None and officer is not None
        workflow.transition(agency.submission, "submitted", officer)
        db.session.commit()
        return agency.id


def assign(app: Flask, *codes: str, block: str = "xa", email: str = "thamdinh@thu.vn") -> None:
    with app.app_context():
        cycle = db.session.execute(db.select(Cycle)).scalar_one()
        for code in codes:
            db.session.add(
                Assignment(cycle_id=cycle.id, user_id=_user_id(email), block=block, code=code)
            )
        db.session.commit()


def html_of(client: FlaskClient, path: str) -> str:
    r = client.get(path)
    assert r.status_code == 200, (path, r.status_code)
    return r.get_data(as_text=True)


def rows(app: Flask, agency_id: int, rnd: int | None = None) -> dict[str, Appraisal]:
    with app.app_context():
        query = db.select(Appraisal).join(Submission).filter(Submission.agency_id == agency_id)
        if rnd is not None:
            query = query.filter(Appraisal.round == rnd)
        return {f"{a.leaf}/{a.round}": a for a in db.session.execute(query).scalars()}


def audits(app: Flask, entity: str) -> list[tuple[str, str, str, str]]:
    with app.app_context():
        return [
            (a.key, a.old, a.new, a.reason)
            for a in db.session.execute(
                db.select(AuditEntry).filter_by(entity=entity).order_by(AuditEntry.id)
            ).scalars()
        ]


def appraise_page(
    client: FlaskClient, agency_id: int, page: str, changes: dict[str, str] | None = None
) -> Any:
    """Load an appraisal page, change some inputs, press "Lưu"."""
    path = f"/tham-dinh/don-vi/{agency_id}/linh-vuc/{page}"
    values = form_of(html_of(client, path), "appraisal-form").values
    values.update(changes or {})
    return post(client, path, values)


PAGES = ["1", "2", "3", "4", "5", "6", "7", "thuong-tru"]  # field 8 is survey-scored


@pytest.fixture
def xa_a(app: Flask, cycle: dict[str, Any]) -> int:
    """xa-a submitted with its facts; the appraiser assigned criterion 1.1 and field 2 of the
    commune block."""
    agency_id = submitted(app, cycle, "xa-a", XA_A_FACTS)
    assign(app, "1.1", "2")
    return agency_id


def test_the_queue_lists_submitted_agencies_with_assigned_leaves(
    app: Flask, cycle: dict[str, Any], xa_a: int
) -> None:
    submitted(app, cycle, "so-a")  # another block: not assigned
    panel = client_for(app, "thamdinh@thu.vn")
    html = html_of(panel, "/tham-dinh/")
    assert "UBND xã A" in html and "Đã nộp" in html
    # criterion 1.1 (3 leaves) + field 2 (xa.yaml: 2.1.1, 2.1.2, 2.2.1–2.2.4: 6 leaves)
    assert "0/9" in html
    assert "UBND xã B" not in html  # a draft: never shown to the panel
    assert "Sở A" not in html
    ids = cycle["agency_ids"]
    assert panel.get(f"/tham-dinh/don-vi/{ids['xa-b']}").status_code == 404
    assert panel.get(f"/tham-dinh/don-vi/{ids['xa-b']}/linh-vuc/1").status_code == 404
    assert panel.get(f"/tham-dinh/don-vi/{ids['so-a']}").status_code == 403
    # the secretariat sees every leaf of every submitted agency
    html = html_of(client_for(app, "sonoivu@thu.vn"), "/tham-dinh/")
    assert "0/74" in html and "Sở A" in html and "UBND xã B" not in html


def test_an_appraiser_sees_and_scores_only_assigned_leaves(app: Flask, xa_a: int) -> None:
    panel = client_for(app, "thamdinh@thu.vn")
    html = html_of(panel, f"/tham-dinh/don-vi/{xa_a}")
    assert f"/tham-dinh/don-vi/{xa_a}/linh-vuc/1" in html
    assert f"/tham-dinh/don-vi/{xa_a}/linh-vuc/2" in html
    assert f"/tham-dinh/don-vi/{xa_a}/linh-vuc/3" not in html
    html = html_of(panel, f"/tham-dinh/don-vi/{xa_a}/linh-vuc/1")
    assert 'id="tc-1.1.1"' in html and 'id="tc-1.1.3"' in html
    assert 'id="tc-1.2.1"' not in html and 'id="tc-1.3.1"' not in html
    assert panel.get(f"/tham-dinh/don-vi/{xa_a}/linh-vuc/3").status_code == 403
    assert panel.get(f"/tham-dinh/don-vi/{xa_a}/linh-vuc/thuong-tru").status_code == 403
    assert panel.get(f"/tham-dinh/don-vi/{xa_a}/linh-vuc/99").status_code == 404
    # a hand-made POST naming an unassigned leaf writes nothing for it
    r = post(
        panel,
        f"/tham-dinh/don-vi/{xa_a}/linh-vuc/1",
        {"1.3.1-orig": "", "1.3.1-score": "0", "1.3.1-reason": "x"},
    )
    assert r.status_code == 302
    assert rows(app, xa_a) == {}


def test_the_page_shows_facts_wording_self_score_evidence_and_explanation(
    app: Flask, xa_a: int
) -> None:
    html = html_of(client_for(app, "thamdinh@thu.vn"), f"/tham-dinh/don-vi/{xa_a}/linh-vuc/1")
    leaf = html[html.index('id="tc-1.1.3"') : html.index('id="tc-1.1.3"') + 6000]
    assert "Hoàn thành 100% kế hoạch: 1,5 điểm" in leaf  # the rule's wording
    assert "Số nhiệm vụ, sản phẩm đã hoàn thành: 9" in leaf  # the facts, in the rule's words
    assert "Tự chấm</span> <strong>0,75</strong>" in leaf  # 90 %: 0,75 (engine)
    assert "Báo cáo 12/BC-UBND" in leaf  # the agency's explanation
    assert 'name="1.1.3-score" value="0,75"' in leaf  # the input starts at the self-score


def test_agency_officers_never_see_appraisal_pages(
    app: Flask, cycle: dict[str, Any], xa_a: int
) -> None:
    officer = client_for(app, "xa-a@thu.vn")
    for path in (
        "/tham-dinh/",
        f"/tham-dinh/don-vi/{xa_a}",
        f"/tham-dinh/don-vi/{xa_a}/linh-vuc/1",
        "/tham-dinh/phan-cong/2025",
    ):
        assert officer.get(path).status_code == 403, path
    for path in (
        f"/tham-dinh/don-vi/{xa_a}/linh-vuc/1",
        f"/tham-dinh/don-vi/{xa_a}/hoan-thanh-vong-1",
        f"/tham-dinh/don-vi/{xa_a}/tra-lai",
    ):
        assert post(officer, path, {"1.1.1-orig": "", "1.1.1-score": "0"}).status_code == 403
    assert rows(app, xa_a) == {}


BAD_SCORES = [
    # (leaf, score, reason, flag, question, field, message)
    (
        "1.1.3",
        "0,5",
        "",
        "",
        "",
        "reason",
        "Điểm thẩm định khác điểm tự chấm (0,75); phải nêu lý do.",
    ),
    (
        "1.1.3",
        "abc",
        "x",
        "",
        "",
        "score",
        "“abc” không phải là số điểm; nhập ví dụ 1,25 hoặc 1.25.",
    ),
    ("1.1.3", "2", "x", "", "", "score", "Điểm thẩm định 2 vượt điểm tối đa 1,50."),
    ("1.1.3", "-0,5", "x", "", "", "score", "Điểm thẩm định không được âm."),
    ("1.1.3", "0,125", "x", "", "", "score", "Điểm thẩm định 0,125 không theo bước 0,01 điểm."),
    ("1.1.3", "", "x", "", "", "score", "Nhập điểm thẩm định (từ 0 đến 1,50)."),
    # 2.2.3 is manual, step 0,25
    ("2.2.3", "0,3", "x", "", "", "score", "Điểm thẩm định 0,3 không theo bước 0,25 điểm."),
    (
        "1.1.1",
        "1",
        "",
        "1",
        "",
        "question",
        "Đã chọn “Yêu cầu giải trình” thì phải nêu nội dung đơn vị cần giải trình.",
    ),
    (
        "1.1.1",
        "1",
        "",
        "",
        "Gửi bản ký số",
        "question",
        "Đã nhập nội dung cần giải trình nhưng chưa chọn “Yêu cầu giải trình”; chọn ô đó hoặc xóa nội dung.",
    ),
]


@pytest.mark.parametrize(
    ("leaf", "score", "reason", "flag", "question", "key", "message"), BAD_SCORES
)
def test_bad_appraisal_input_is_kept_with_its_message(
    app: Flask,
    xa_a: int,
    leaf: str,
    score: str,
    reason: str,
    flag: str,
    question: str,
    key: str,
    message: str,
) -> None:
    panel = client_for(app, "thamdinh@thu.vn")
    page = "1" if leaf.startswith("1.") else "2"
    changes = {f"{leaf}-score": score, f"{leaf}-reason": reason, f"{leaf}-question": question}
    if flag:
        changes[f"{leaf}-flag"] = flag
    r = appraise_page(panel, xa_a, page, changes)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    section = html[
        html.index(f'id="tc-{leaf}"') : html.index("</section>", html.index(f'id="tc-{leaf}"'))
    ]
    assert f'<p class="field-error" id="a-{leaf}-{key}-error">{message}</p>' in section
    field = section[section.index(f'name="{leaf}-{key}"') - 400 :]
    assert 'aria-invalid="true"' in field[:600]
    assert f'value="{score}"' in section  # what was typed is shown again
    if question:
        assert question in section
    assert f"{leaf}/1" not in rows(app, xa_a)  # not saved
    assert len(rows(app, xa_a)) == (3 if page == "1" else 6) - 1  # the page's other leaves are


def test_saving_round_1_writes_the_round_and_audits_each_change(app: Flask, xa_a: int) -> None:
    panel = client_for(app, "thamdinh@thu.vn")
    r = appraise_page(
        panel,
        xa_a,
        "1",
        {
            "1.1.3-score": "0,5",
            "1.1.3-reason": "Chỉ 8/10 nhiệm vụ có sản phẩm",
            "1.1.1-flag": "1",
            "1.1.1-question": "Bổ sung bản ký số của Kế hoạch <b>CCHC</b>",
        },
    )
    assert r.status_code == 302
    html = html_of(panel, f"/tham-dinh/don-vi/{xa_a}/linh-vuc/1")
    assert "Đã lưu điểm thẩm định vòng 1 của 3 tiêu chí: 1.1.1, 1.1.2, 1.1.3." in html
    assert "Bổ sung bản ký số của Kế hoạch &lt;b&gt;CCHC&lt;/b&gt;" in html  # escaped
    got = {k: (a.score_c, a.reason, a.flagged) for k, a in rows(app, xa_a).items()}
    assert got == {
        "1.1.1/1": (100, "", True),  # kept at the self-score (on time: 1)
        "1.1.2/1": (0, "", False),  # left empty by the agency: 0
        "1.1.3/1": (50, "Chỉ 8/10 nhiệm vụ có sản phẩm", False),
    }
    assert audits(app, "appraisal") == [
        (
            "1.1.1/round1",
            "tự chấm 1,00",
            "1,00; yêu cầu giải trình: Bổ sung bản ký số của Kế hoạch <b>CCHC</b>",
            "thẩm định vòng 1",
        ),
        ("1.1.2/round1", "tự chấm 0,00", "0,00", "thẩm định vòng 1"),
        ("1.1.3/round1", "tự chấm 0,75", "0,50", "Chỉ 8/10 nhiệm vụ có sản phẩm"),
    ]
    # saving the page again unchanged writes nothing; a change is audited from the old round
    assert appraise_page(panel, xa_a, "1").status_code == 302
    assert len(audits(app, "appraisal")) == 3
    appraise_page(panel, xa_a, "1", {"1.1.3-score": "0.25", "1.1.3-reason": "Thiếu sản phẩm"})
    assert audits(app, "appraisal")[-1] == ("1.1.3/round1", "0,50", "0,25", "Thiếu sản phẩm")
    with app.app_context():
        e = evaluate(db.session.get(Agency, xa_a))
        assert (e.leaves["1.1.3"].points, e.leaves["1.1.3"].final) == (D("0.75"), D("0.25"))


def test_a_round_scored_meanwhile_by_someone_else_is_not_overwritten(app: Flask, xa_a: int) -> None:
    panel = client_for(app, "thamdinh@thu.vn")
    path = f"/tham-dinh/don-vi/{xa_a}/linh-vuc/1"
    stale = form_of(html_of(panel, path), "appraisal-form").values
    staff = client_for(app, "sonoivu@thu.vn")
    appraise_page(staff, xa_a, "1", {"1.1.3-score": "0", "1.1.3-reason": "Không có sản phẩm"})
    r = post(panel, path, {**stale, "1.1.3-score": "0,5", "1.1.3-reason": "Một phần"})
    html = r.get_data(as_text=True)
    assert "Tiêu chí 1.1.3 vừa được secretariat chấm" in html
    assert 'value="0,5"' in html  # kept as typed
    assert rows(app, xa_a)["1.1.3/1"].score_c == 0
    # a deliberate second save wins
    values = form_of(html, "appraisal-form").values
    assert post(panel, path, values).status_code == 302
    assert rows(app, xa_a)["1.1.3/1"].score_c == 50


def appraise_everything(client: FlaskClient, agency_id: int) -> None:
    for page in PAGES:
        assert appraise_page(client, agency_id, page).status_code == 302, page


def test_round_1_completes_only_when_every_leaf_is_appraised(app: Flask, xa_a: int) -> None:
    panel = client_for(app, "thamdinh@thu.vn")
    appraise_page(panel, xa_a, "1")
    r = post(panel, f"/tham-dinh/don-vi/{xa_a}/hoan-thanh-vong-1")
    assert r.status_code == 302
    html = html_of(panel, f"/tham-dinh/don-vi/{xa_a}")
    assert "Chưa hoàn thành được vòng 1: Còn 71 tiêu chí chưa thẩm định vòng 1:" in html
    staff = client_for(app, "sonoivu@thu.vn")
    appraise_everything(staff, xa_a)
    post(panel, f"/tham-dinh/don-vi/{xa_a}/hoan-thanh-vong-1")
    html = html_of(panel, f"/tham-dinh/don-vi/{xa_a}")
    assert "không có tiêu chí nào yêu cầu giải trình" in html
    assert "Đã thẩm định vòng 1" in html
    with app.app_context():
        assert db.session.get(Agency, xa_a).submission.state == "appraised_1"
    # round 1 is closed: the page is read-only and a POST is refused
    html = html_of(panel, f"/tham-dinh/don-vi/{xa_a}/linh-vuc/1")
    assert 'name="1.1.1-score"' not in html and "Lưu</button>" not in html
    r = post(panel, f"/tham-dinh/don-vi/{xa_a}/linh-vuc/1", {"1.1.1-orig": "x", "1.1.1-score": "0"})
    assert r.status_code == 403
    assert rows(app, xa_a)["1.1.1/1"].score_c == 100


def test_the_secretariat_returns_a_submission_with_a_reason(
    app: Flask, cycle: dict[str, Any], xa_a: int
) -> None:
    staff = client_for(app, "sonoivu@thu.vn")
    post(staff, f"/tham-dinh/don-vi/{xa_a}/tra-lai", {"reason": "  "})
    assert "Chưa trả lại được: Phải nêu lý do khi trả lại đơn vị." in html_of(
        staff, f"/tham-dinh/don-vi/{xa_a}"
    )
    r = post(staff, f"/tham-dinh/don-vi/{xa_a}/tra-lai", {"reason": "Thiếu báo cáo quý IV"})
    assert r.status_code == 302
    assert audits(app, "submission")[-1] == ("xa-a", "submitted", "draft", "Thiếu báo cáo quý IV")
    assert "Lý do: Thiếu báo cáo quý IV" in html_of(client_for(app, "xa-a@thu.vn"), "/don-vi/")
    # a draft again: out of the panel's sight
    assert client_for(app, "thamdinh@thu.vn").get(f"/tham-dinh/don-vi/{xa_a}").status_code == 404


# ================================================================================ assignments
def test_the_secretariat_assigns_appraisers(app: Flask, cycle: dict[str, Any]) -> None:
    staff = client_for(app, "sonoivu@thu.vn")
    with app.app_context():
        appraiser = _user_id("thamdinh@thu.vn")
    r = post(
        staff,
        "/tham-dinh/phan-cong/2025",
        {"user_id": str(appraiser), "block": "xa", "codes": "2, 9.9, 3.2"},
    )
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "Không có mã 9.9 trong khối xa." in html and 'value="2, 9.9, 3.2"' in html
    r = post(
        staff,
        "/tham-dinh/phan-cong/2025",
        {"user_id": str(appraiser), "block": "", "codes": "2; 3.2 thuong-tru"},
    )
    assert r.status_code == 302
    html = html_of(staff, "/tham-dinh/phan-cong/2025")
    assert "Đã phân công: 2, 3.2, thuong-tru." in html and "mọi khối" in html
    post(staff, "/tham-dinh/phan-cong/2025", {"user_id": str(appraiser), "block": "", "codes": "2"})
    assert "Đã phân công từ trước: 2." in html_of(staff, "/tham-dinh/phan-cong/2025")
    assert [k for k, *_ in audits(app, "assignment")] == [
        "2025/*/2",
        "2025/*/3.2",
        "2025/*/thuong-tru",
    ]
    with app.app_context():
        first = db.session.execute(db.select(Assignment).filter_by(code="2")).scalar_one().id
    assert post(staff, f"/tham-dinh/phan-cong/xoa/{first}").status_code == 302
    assert audits(app, "assignment")[-1] == (
        "2025/*/2",
        "thamdinh@thu.vn",
        "",
        "bỏ phân công thẩm định",
    )
    r = post(
        staff,
        "/tham-dinh/phan-cong/2025",
        {"user_id": str(_sec_id(app)), "block": "", "codes": "2"},
    )
    assert "Chọn một thành viên Tổ thẩm định." in r.get_data(as_text=True)
    panel = client_for(app, "thamdinh@thu.vn")
    assert panel.get("/tham-dinh/phan-cong/2025").status_code == 403
    assert post(panel, f"/tham-dinh/phan-cong/xoa/{first}").status_code == 403


def _sec_id(app: Flask) -> int:
    with app.app_context():
        return _user_id("sonoivu@thu.vn")


# =================================================================================== evidence
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def test_evidence_opens_in_the_browser_for_pdf_and_images_only(
    app: Flask, cycle: dict[str, Any], xa_a: int
) -> None:
    folder = Path(app.config["UPLOAD_FOLDER"])
    with app.app_context():
        entry = db.session.execute(
            db.select(Entry)
            .join(Submission)
            .filter(Submission.agency_id == xa_a, Entry.leaf == "1.1.1")
        ).scalar_one()
        ids = []
        for name, content, ctype in (
            ("ke-hoach.pdf", PDF, "application/pdf"),
            (
                "bang.xlsx",
                b"PK\x03\x04xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
        ):
            stored = f"{len(ids):032x}.{name.rsplit('.', 1)[1]}"
            (folder / stored).write_bytes(content)
            ev = Evidence(
                number="125/KH-UBND",
                original_name=name,
                stored_name=stored,
                content_type=ctype,
                size=len(content),
            )
            entry.evidence.append(ev)
            db.session.flush()
            ids.append(ev.id)
        db.session.commit()
    panel = client_for(app, "thamdinh@thu.vn")
    html = html_of(panel, f"/tham-dinh/don-vi/{xa_a}/linh-vuc/1")
    assert f'href="/don-vi/minh-chung/{ids[0]}/tep?xem=1"' in html
    assert f'href="/don-vi/minh-chung/{ids[1]}/tep?xem=1"' not in html
    with panel.get(f"/don-vi/minh-chung/{ids[0]}/tep?xem=1") as r:
        assert r.status_code == 200 and r.data == PDF
        assert r.headers["Content-Type"] == "application/pdf"
        assert r.headers["Content-Disposition"].startswith("inline;")
    with panel.get(f"/don-vi/minh-chung/{ids[1]}/tep?xem=1") as r:
        assert r.headers["Content-Disposition"].startswith("attachment;")  # never inline
    with panel.get(f"/don-vi/minh-chung/{ids[0]}/tep") as r:
        assert r.headers["Content-Disposition"].startswith("attachment;")


# ======================================================================== explanation, round 2
def round_1_done(app: Flask, agency_id: int, flags: dict[str, str]) -> None:
    """Every leaf of the agency scored in round 1 at its self-score (``flags``: leaf → the
    question), then "Hoàn thành vòng 1" pressed by the appraiser."""
    with app.app_context():
        agency = db.session.get(Agency, agency_id)
        own = evaluate(agency, appraised=False)
        for code in appraisable_codes(agency):
            result = own.leaves[code]
            db.session.add(
                Appraisal(
                    submission=agency.submission,
                    leaf=code,
                    round=1,
                    score_c=int(result.points * 100) if result.applicable else None,
                    flagged=code in flags,
                    question=flags.get(code, ""),
                )
            )
        db.session.commit()
    panel = client_for(app, "thamdinh@thu.vn")
    assert post(panel, f"/tham-dinh/don-vi/{agency_id}/hoan-thanh-vong-1").status_code == 302


def deadline_passed(app: Flask) -> None:
    with app.app_context():
        db.session.execute(db.select(Cycle)).scalar_one().explanation_deadline = dt.datetime(
            2026, 2, 28, 17, 0
        )
        db.session.commit()


FLAGS = {"1.1.3": "Nộp danh mục 10 nhiệm vụ và sản phẩm", "1.1.2": "Kế hoạch có phụ lục không?"}


def test_the_officer_answers_only_flagged_leaves_before_the_deadline(app: Flask, xa_a: int) -> None:
    officer = client_for(app, "xa-a@thu.vn")
    with app.app_context():  # round 1 in progress: flags exist but are not shown yet
        sub = db.session.get(Agency, xa_a).submission
        db.session.add(
            Appraisal(
                submission=sub, leaf="1.1.3", round=1, score_c=75, flagged=True, question="Q?"
            )
        )
        db.session.commit()
    html = html_of(officer, "/don-vi/giai-trinh")
    assert "Không có tiêu chí nào được yêu cầu giải trình." in html and "Q?" not in html
    assert post(officer, "/don-vi/giai-trinh", {"1.1.3-answer": "x"}).status_code == 403
    with app.app_context():
        db.session.execute(db.delete(Appraisal))
        db.session.commit()
    round_1_done(app, xa_a, FLAGS)
    html = html_of(officer, "/don-vi/")
    assert "Đang giải trình" in html and 'href="/don-vi/giai-trinh"' in html
    html = html_of(officer, "/don-vi/giai-trinh")
    assert 'id="tc-1.1.3"' in html and 'id="tc-1.1.2"' in html and 'id="tc-1.1.1"' not in html
    assert "Nộp danh mục 10 nhiệm vụ và sản phẩm" in html and "28/02/2099 17:00" in html
    r = post(
        officer,
        "/don-vi/giai-trinh",
        {"1.1.3-answer": "Danh mục <kèm theo> Báo cáo 12/BC-UBND", "1.1.1-answer": "không hỏi"},
    )
    assert r.status_code == 302
    html = html_of(officer, "/don-vi/giai-trinh")
    assert "Đã gửi giải trình 1 tiêu chí: 1.1.3." in html
    assert "Danh mục &lt;kèm theo&gt; Báo cáo 12/BC-UBND" in html
    r1 = rows(app, xa_a, 1)
    assert r1["1.1.3/1"].answer == "Danh mục <kèm theo> Báo cáo 12/BC-UBND"
    assert r1["1.1.3/1"].answered_at is not None and r1["1.1.1/1"].answer == ""
    assert audits(app, "explanation") == [
        ("1.1.3", "", "Danh mục <kèm theo> Báo cáo 12/BC-UBND", "giải trình")
    ]
    # an answer sent cannot be emptied
    r = post(officer, "/don-vi/giai-trinh", {"1.1.3-answer": " "})
    assert "Không được để trống nội dung giải trình đã gửi." in r.get_data(as_text=True)
    # extra documents, for flagged leaves only
    r = post(
        officer,
        "/don-vi/giai-trinh/1.1.3/minh-chung",
        {"number": "12/BC-UBND", "url": "https://xa-a.gov.vn/bc-12"},
    )
    assert r.status_code == 302
    with app.app_context():
        ev = db.session.execute(db.select(Evidence).filter_by(number="12/BC-UBND")).scalar_one()
        assert ev.explanation and ev.entry.leaf == "1.1.3"
        ev_id = ev.id
    assert officer.get("/don-vi/giai-trinh/1.1.1/minh-chung").status_code == 404
    panel = client_for(app, "thamdinh@thu.vn")
    html = html_of(panel, f"/tham-dinh/don-vi/{xa_a}/linh-vuc/1")
    assert "bổ sung khi giải trình" in html and "Danh mục &lt;kèm theo&gt;" in html
    # after the deadline: nothing more is accepted
    deadline_passed(app)
    r = post(officer, "/don-vi/giai-trinh", {"1.1.3-answer": "Muộn"})
    assert r.status_code == 403
    assert "Đã quá hạn giải trình (28/02/2026 17:00). Giải trình chưa được gửi." in r.get_data(
        as_text=True
    )
    r = post(
        officer, "/don-vi/giai-trinh/1.1.3/minh-chung", {"number": "13", "url": "https://x.vn"}
    )
    assert r.status_code == 403
    assert post(officer, f"/don-vi/giai-trinh/minh-chung/{ev_id}/xoa").status_code == 302
    with app.app_context():
        assert db.session.get(Evidence, ev_id) is not None  # refused: past the deadline
    assert rows(app, xa_a, 1)["1.1.3/1"].answer == "Danh mục <kèm theo> Báo cáo 12/BC-UBND"


def test_round_2_settles_the_flagged_leaves(app: Flask, xa_a: int) -> None:
    round_1_done(app, xa_a, FLAGS)
    with app.app_context():  # round 1 had marked 1.1.3 down to 0,5
        row = db.session.execute(db.select(Appraisal).filter_by(leaf="1.1.3")).scalar_one()
        row.score_c, row.reason = 50, "Chỉ 8/10 nhiệm vụ có sản phẩm"
        db.session.commit()
    officer = client_for(app, "xa-a@thu.vn")
    post(officer, "/don-vi/giai-trinh", {"1.1.3-answer": "Đủ 9 sản phẩm, danh mục kèm theo"})
    panel = client_for(app, "thamdinh@thu.vn")
    path = f"/tham-dinh/don-vi/{xa_a}/linh-vuc/1"
    html = html_of(panel, path)
    # answered: open for round 2, starting from the round-1 score; 1.1.2 waits for the agency
    assert 'name="1.1.3-score" value="0,50"' in html and 'name="1.1.1-score"' not in html
    assert 'name="1.1.2-score"' not in html
    assert "Chờ đơn vị giải trình (hạn 28/02/2099 17:00)." in html
    r = post(panel, f"/tham-dinh/don-vi/{xa_a}/hoan-thanh-vong-2")
    assert "Chưa hoàn thành được vòng 2: Còn 2 tiêu chí yêu cầu giải trình chưa chấm vòng 2: " in (
        html_of(panel, f"/tham-dinh/don-vi/{xa_a}")
    )
    # back to the self-score (0,75): no reason needed
    assert appraise_page(panel, xa_a, "1", {"1.1.3-score": "0,75"}).status_code == 302
    assert audits(app, "appraisal")[-1] == (
        "1.1.3/round2",
        "vòng 1: 0,50",
        "0,75",
        "thẩm định vòng 2",
    )
    # the agency did not answer 1.1.2; after the deadline the panel settles it
    deadline_passed(app)
    r = appraise_page(panel, xa_a, "1", {"1.1.2-score": "0,25"})
    assert "Điểm thẩm định khác điểm tự chấm (0,00); phải nêu lý do." in r.get_data(as_text=True)
    r = appraise_page(panel, xa_a, "1", {"1.1.2-score": "0,25", "1.1.2-reason": "Thiếu phụ lục"})
    assert r.status_code == 302
    post(panel, f"/tham-dinh/don-vi/{xa_a}/hoan-thanh-vong-2")
    assert "Đã hoàn thành thẩm định vòng 2 của UBND xã A." in html_of(
        panel, f"/tham-dinh/don-vi/{xa_a}"
    )
    assert audits(app, "submission")[-1][1:3] == ("explanation", "appraised_2")
    with app.app_context():
        agency = db.session.get(Agency, xa_a)
        assert agency.submission.state == "appraised_2"
        e = evaluate(agency)
        final = {c: e.leaves[c].final for c in ("1.1.1", "1.1.2", "1.1.3", "1.3.1")}
        # 1.1.1 round 1 (= self 1); 1.1.2 round 2 0,25 over round 1 0; 1.1.3 round 2 0,75
        # over round 1 0,5; 1.3.1 round 1 (= self 0,5)
        assert final == {
            "1.1.1": D("1.00"),
            "1.1.2": D("0.25"),
            "1.1.3": D("0.75"),
            "1.3.1": D("0.50"),
        }
    # settled: the officer's answer box is closed; the panel's page is read-only
    html = html_of(officer, "/don-vi/giai-trinh")
    assert (
        "Tổ thẩm định đã chấm vòng 2 tiêu chí này." in html
        and "Gửi giải trình</button>" not in html
    )
    assert 'name="1.1.3-score"' not in html_of(panel, path)


def test_without_flags_round_1_waits_for_approval(app: Flask, xa_a: int) -> None:
    round_1_done(app, xa_a, {})
    with app.app_context():
        assert db.session.get(Agency, xa_a).submission.state == "appraised_1"
    assert "Không có tiêu chí nào được yêu cầu giải trình." in html_of(
        client_for(app, "xa-a@thu.vn"), "/don-vi/giai-trinh"
    )


def test_accepting_did_not_arise_on_the_page(app: Flask, cycle: dict[str, Any]) -> None:
    """1.4.3 declared "did not arise" (excluded): the score starts empty, and an empty score
    accepts it; a score brings the leaf back into the maximum and needs a reason."""
    agency_id = submitted(app, cycle, "xa-a", {"1.4.3": {"did_not_arise": "Chưa có trang tin"}})
    staff = client_for(app, "sonoivu@thu.vn")
    html = html_of(staff, f"/tham-dinh/don-vi/{agency_id}/linh-vuc/1")
    assert 'name="1.4.3-score" value=""' in html
    assert '<dt>Không phát sinh</dt><dd class="did-not-arise">Chưa có trang tin</dd>' in html
    assert "Đơn vị khai “Không phát sinh”: để trống điểm là chấp nhận không phát sinh." in html
    r = appraise_page(staff, agency_id, "1", {"1.4.3-score": "0"})
    assert "Điểm thẩm định khác điểm tự chấm (không phát sinh); phải nêu lý do." in r.get_data(
        as_text=True
    )
    assert "1.4.3/1" not in rows(app, agency_id)
    assert appraise_page(staff, agency_id, "1").status_code == 302
    assert rows(app, agency_id)["1.4.3/1"].score_c is None
    assert ("1.4.3/round1", "tự chấm không phát sinh", "không phát sinh", "thẩm định vòng 1") in (
        audits(app, "appraisal")
    )
    with app.app_context():
        assert evaluate(db.session.get(Agency, agency_id)).applicable_max == D("99.50")
