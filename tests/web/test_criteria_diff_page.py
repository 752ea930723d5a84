"""The criteria-set diff page of a cycle rolled forward: each block's set against the previous
cycle's set of the same block (or of the blocks its ``compare_with`` names), each kind of
change one row (what, where, before, after), "Không có thay đổi" when identical."""

from __future__ import annotations

import copy
import html
import re
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from parindex.criteria import CriteriaSet
from tests.vietnamese import assert_vietnamese
from tests.web.conftest import login, post
from tests.web.rolling import put_set, small_set
from web.models import Cycle, db, get_cycle

DIFF = "/so-noi-vu/ky/2026/thay-doi-bo-tieu-chi"


def _leaf(data: dict[str, Any], code: str) -> dict[str, Any]:
    for f in data["fields"]:
        for c in f["criteria"]:
            for leaf in c["subcriteria"]:
                if leaf["code"] == code:
                    return leaf  # type: ignore[no-any-return]
    raise KeyError(code)


def edited_2026() -> str:
    """The small set of block so for 2026 with one change of each kind:
    1.1.1 renamed; 1.1.2's due date moved (rule parameters); 1.2.4 graded → yes-no (rule kind);
    1.2.1 loses its own "did not arise" policy (full-points → the set's excluded); 1.2.2 moves
    from 1.2 to 1.1 (code 1.1.4, same name); 1.2.3 removed and 1.2.5 added in its place (4
    points), so 1.1 goes 20 → 24 and 1.2 20 → 16; bonus B.1 2 → 1 point (max); the penalty cap
    3 → 4; the top band 90 → 93 %."""
    data = yaml.safe_load(small_set("so", 2026))
    _leaf(data, "1.1.1")["name"] = "Ban hành văn bản chỉ đạo"
    _leaf(data, "1.1.2")["rule"]["due"] = "2026-01-31"
    _leaf(data, "1.2.4")["rule"] = {"kind": "yes-no", "wording": "Tuân thủ: tối đa; không: 0"}
    del _leaf(data, "1.2.1")["did_not_arise"]
    crit_11, crit_12 = data["fields"][0]["criteria"]
    moved = next(x for x in crit_12["subcriteria"] if x["code"] == "1.2.2")
    crit_12["subcriteria"].remove(moved)
    crit_11["subcriteria"].append({**moved, "code": "1.1.4"})
    gone = next(x for x in crit_12["subcriteria"] if x["code"] == "1.2.3")
    crit_12["subcriteria"].remove(gone)
    crit_12["subcriteria"].append(
        {**copy.deepcopy(gone), "code": "1.2.5", "name": "Báo cáo quý đúng hạn"}
    )
    crit_11["max"], crit_12["max"] = 24, 16
    data["bonus"]["items"][0]["max"] = 1
    data["penalty"]["cap"] = 4
    data["bands"][0]["at_least"] = 93
    return str(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


@pytest.fixture
def two_years(app: Flask, cycle: dict[str, Any]) -> None:
    """2025: blocks so and xa (the small set; so-nganh stays as the fixture has it); 2026 (previous 2025, in preparation): so edited,
    xa the same but for its year, phuong new (no 2025 set of that block)."""
    with app.app_context():
        old = get_cycle(2025)
        assert old is not None
        put_set(old, "so", small_set("so"))
        put_set(old, "xa", small_set("xa"))
        new = Cycle(year=2026, title="Kỳ 2026", previous=old)
        db.session.add(new)
        db.session.flush()
        put_set(new, "so", edited_2026())
        put_set(new, "xa", small_set("xa", 2026))
        put_set(new, "phuong", small_set("phuong", 2026))
        db.session.commit()


def _rows(page: str, block: str) -> list[tuple[str, str, str, str, str]]:
    """(kind, what, where, before, after) of each row of ``block``'s section."""
    section = page.split(f'id="khoi-{block}"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(
        r'<tr class="change-([a-z-]+)"><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td>',
        section,
    )
    return [tuple(html.unescape(x) for x in row) for row in rows]  # type: ignore[misc]


def _secretariat(client: FlaskClient) -> None:
    assert login(client, "sonoivu@thu.vn").status_code == 302


def test_each_kind_of_change_is_one_row(client: FlaskClient, two_years: None) -> None:
    _secretariat(client)
    r = client.get(DIFF)
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Thay đổi bộ tiêu chí năm 2026 so với năm 2025" in page
    rows = _rows(page, "so")
    assert [(kind, where) for kind, _, where, _, _ in rows] == [
        ("max", "tiêu chí 1.1"),
        ("max", "tiêu chí 1.2"),
        ("renamed", "tiêu chí thành phần 1.1.1"),
        ("rule", "tiêu chí thành phần 1.1.2"),
        ("moved", "tiêu chí thành phần 1.1.4"),
        ("policy", "tiêu chí thành phần 1.2.1"),
        ("rule", "tiêu chí thành phần 1.2.4"),
        ("added", "tiêu chí thành phần 1.2.5"),
        ("max", "điểm thưởng B.1"),
        ("removed", "tiêu chí thành phần 1.2.3"),
        ("bands", "bộ tiêu chí"),
        ("cap", "điểm trừ"),
    ]
    by_where = {(kind, where): (what, old, new) for kind, what, where, old, new in rows}
    assert by_where[("max", "điểm thưởng B.1")] == ("đổi điểm tối đa", "2", "1")
    assert by_where[("renamed", "tiêu chí thành phần 1.1.1")] == (
        "đổi tên",
        "Ban hành văn bản triển khai",
        "Ban hành văn bản chỉ đạo",
    )
    assert by_where[("rule", "tiêu chí thành phần 1.1.2")] == (
        "đổi cách chấm",
        "Đúng thời hạn (due=2025-01-31; late_share=0.5)",
        "Đúng thời hạn (due=2026-01-31; late_share=0.5)",
    )
    assert by_where[("rule", "tiêu chí thành phần 1.2.4")] == (
        "đổi cách chấm",
        "Mức đánh giá (levels=[{key: full, label: Tuân thủ đầy đủ, share: 1}, "
        "{key: minor, label: Vi phạm nhẹ, share: 0.5}, "
        "{key: serious, label: Vi phạm nghiêm trọng, share: 0}])",
        "Có/Không",
    )
    assert by_where[("policy", "tiêu chí thành phần 1.2.1")] == (
        "đổi cách tính khi không phát sinh",
        "được điểm tối đa",
        "không tính vào điểm tối đa",
    )
    assert by_where[("moved", "tiêu chí thành phần 1.1.4")][1:] == (
        "mã 1.2.2, tiêu chí 1.2",
        "mã 1.1.4, tiêu chí 1.1",
    )
    assert by_where[("added", "tiêu chí thành phần 1.2.5")][1:] == (
        "—",
        "Báo cáo quý đúng hạn (tối đa 4)",
    )
    assert by_where[("removed", "tiêu chí thành phần 1.2.3")][1:] == (
        "Báo cáo định kỳ đúng hạn",
        "—",
    )
    assert by_where[("cap", "điểm trừ")] == ("đổi mức tối đa", "3", "4")
    assert by_where[("bands", "bộ tiêu chí")][1:] == (
        "Tốt ≥ 90 %, Khá ≥ 80 %, Trung bình ≥ 65 %, Yếu ≥ 0 %",
        "Tốt ≥ 93 %, Khá ≥ 80 %, Trung bình ≥ 65 %, Yếu ≥ 0 %",
    )
    for _, what, where, _, _ in rows:
        assert_vietnamese(f"{what} {where}")
    # only the year differs: no change; a block new this year: nothing to compare with
    xa = page.split('id="khoi-xa"', 1)[1].split("</section>", 1)[0]
    assert "Không có thay đổi" in xa and _rows(page, "xa") == []
    phuong = page.split('id="khoi-phuong"', 1)[1].split("</section>", 1)[0]
    assert "Năm 2025 không có bộ tiêu chí khối &#39;phuong&#39;: không có gì để so sánh." in phuong


@pytest.mark.skipif(
    "compare_with" not in CriteriaSet.model_fields, reason="compare_with: issue 13, h-lineage"
)
def test_compare_with_names_the_blocks_of_last_year(
    app: Flask, client: FlaskClient, two_years: None
) -> None:
    """phuong 2026 says ``compare_with: [xa]``: it is compared with xa 2025 (the same small set
    but for its block and id: no change)."""
    text = small_set("phuong", 2026).replace(
        "block: phuong\n", "block: phuong\ncompare_with: [xa]\n"
    )
    with app.app_context():
        new = get_cycle(2026)
        assert new is not None
        put_set(new, "phuong", text)
        db.session.commit()
    _secretariat(client)
    page = client.get(DIFF).get_data(as_text=True)
    phuong = page.split('id="khoi-phuong"', 1)[1].split("</section>", 1)[0]
    assert "(xa, theo <code>compare_with</code>)" in phuong
    assert "Không có thay đổi" in phuong


def test_the_diff_follows_each_save_and_is_linked_from_the_cycle_page(
    app: Flask, client: FlaskClient, two_years: None
) -> None:
    _secretariat(client)
    page = client.get("/so-noi-vu/ky/2026").get_data(as_text=True)
    assert f'href="{DIFF}">Thay đổi so với bộ tiêu chí năm 2025</a>' in page
    text = small_set("xa", 2026).replace(
        "max: 2\n      rule:\n        kind: per-item", "max: 1\n      rule:\n        kind: per-item"
    )
    r = post(client, "/so-noi-vu/ky/2026/bo-tieu-chi/xa/sua", {"yaml_text": text})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"{DIFF}#khoi-xa")
    page = client.get(DIFF).get_data(as_text=True)
    assert _rows(page, "xa") == [("max", "đổi điểm tối đa", "điểm thưởng B.1", "2", "1")]


def test_a_cycle_without_a_previous_one_has_no_diff_page(
    client: FlaskClient, cycle: dict[str, Any]
) -> None:
    _secretariat(client)
    assert client.get("/so-noi-vu/ky/2025/thay-doi-bo-tieu-chi").status_code == 404
    page = client.get("/so-noi-vu/ky/2025").get_data(as_text=True)
    assert "thay-doi-bo-tieu-chi" not in page


def test_officers_and_appraisers_may_not_read_it(
    app: Flask, client: FlaskClient, two_years: None
) -> None:
    for email in ("xa-a@thu.vn", "thamdinh@thu.vn"):
        other = app.test_client()
        assert login(other, email).status_code == 302
        assert other.get(DIFF).status_code == 403
