"""Evidence hints (parindex/hints.py): one hand-made case per hint, a well-formed document that
raises none, and none on the bundled sample's evidence."""

from __future__ import annotations

import datetime as dt
import doctest
from pathlib import Path

import pytest

from parindex import hints
from parindex.criteria import LoadedSet, criteria_from_dict
from parindex.dataset import load_year
from parindex.hints import Cited, evidence_hints, parse_symbol, title_type, window
from tests.builders import DUE, YEAR, build_set, leaf

D = dt.date
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def loaded() -> LoadedSet:
    # 1.1.1 takes an issue date (deadline); 1.1.2 is its neighbour in criterion 1.1;
    # 2.1.1 is in another criterion
    return criteria_from_dict(
        build_set(
            [
                [[leaf(1, "deadline", due=DUE, late_share="0.5"), leaf(1, "yes-no")]],
                [[leaf(1, "yes-no")]],
            ]
        )
    )


def good(**changes: object) -> Cited:
    """A well-formed plan cited for leaf 1.1.2 of xa-a."""
    base: dict[str, object] = {
        "agency": "xa-a",
        "leaf": "1.1.2",
        "item": 1,
        "number": "125/KH-UBND",
        "date": D(2025, 3, 10),
        "title": "Kế hoạch cải cách hành chính năm 2025",
        "issuer": "UBND xã A",
        "file_hash": "a" * 64,
        "link": "",
    }
    base.update(changes)
    return Cited(**base)  # type: ignore[arg-type]


def found(cited: list[Cited], loaded: LoadedSet) -> list[tuple[str, str, str, int | None]]:
    return [
        (i.code, i.location.agency, i.location.leaf, i.location.item)
        for i in evidence_hints(cited, [loaded], YEAR)
    ]


# ------------------------------------------------------------------------ well-formed documents
@pytest.mark.parametrize(
    ("number", "title"),
    [
        ("125/KH-UBND", "Kế hoạch cải cách hành chính năm 2025"),
        ("2712/QĐ-UBND", "Quyết định ban hành Quy chế làm việc"),
        ("15/BC-SNV", "Báo cáo kết quả CCHC quý I"),
        ("01/2025/NQ-HĐND", "Nghị quyết quy định mức chi"),
        ("45/TB-VP", "Thông báo kết luận của Chủ tịch"),
        ("45/UBND-VP", "V/v triển khai Đề án 06"),  # a công văn: no type part
        ("128/CV-UBND", "Công văn triển khai kế hoạch"),
        ("12/TTr-SNV", "Tờ trình phê duyệt"),
        ("7/QĐ-TTr", "Quyết định thanh tra"),  # Thanh tra tỉnh's body is "TTr"
        ("30/HD-SNV", "Hướng dẫn chấm điểm"),
        ("125 / KH - UBND", "kế hoạch tuyên truyền"),  # spaces and case forgiven
        ("9/QĐ-UBND", "Tài liệu họp"),  # a title naming no type: nothing to compare
    ],
)
def test_a_well_formed_document_raises_no_hint(loaded: LoadedSet, number: str, title: str) -> None:
    assert found([good(number=number, title=title)], loaded) == []


# ------------------------------------------------------------------------------- one per hint
@pytest.mark.parametrize("number", ["KH-UBND 125", "125/KH", "125", "số 125 KH UBND", "/KH-UBND"])
def test_number_not_in_the_administrative_format(loaded: LoadedSet, number: str) -> None:
    issues = evidence_hints([good(number=number)], [loaded], YEAR)
    assert [(i.code, i.params["value"]) for i in issues] == [("evidence-number-format", number)]
    assert issues[0].severity == "warning"


@pytest.mark.parametrize(
    ("number", "title", "symbol", "named"),
    [
        ("125/KH-UBND", "Quyết định thành lập Tổ công tác", "KH", "QĐ"),
        ("15/BC-SNV", "Kế hoạch tự kiểm tra", "BC", "KH"),
        ("45/UBND-VP", "Báo cáo kết quả", "CV", "BC"),  # a công văn's symbol, a report's title
        ("20/TB-UBND", "V/v đôn đốc", "TB", "CV"),
        ("3/QYĐ-UBND", "Quyết định số 3", "QYĐ", "QĐ"),  # "Quy định" is not "Quyết định"
    ],
)
def test_type_abbreviation_unlike_the_title(
    loaded: LoadedSet, number: str, title: str, symbol: str, named: str
) -> None:
    issues = evidence_hints([good(number=number, title=title)], [loaded], YEAR)
    assert [(i.code, i.params["type"], i.params["title_type"]) for i in issues] == [
        ("evidence-number-type", symbol, named)
    ]


def test_the_window_is_the_year_and_a_month_either_side() -> None:
    assert window(2025) == (D(2024, 12, 1), D(2026, 1, 31))


@pytest.mark.parametrize(
    ("date", "hinted"),
    [
        (D(2024, 11, 30), True),
        (D(2024, 12, 1), False),
        (D(2026, 1, 31), False),
        (D(2026, 2, 1), True),
        (D(2023, 5, 4), True),  # last year's document cited again
    ],
)
def test_date_outside_the_window(loaded: LoadedSet, date: dt.date, hinted: bool) -> None:
    issues = evidence_hints([good(date=date)], [loaded], YEAR)
    assert [i.code for i in issues] == (["evidence-date-window"] if hinted else [])
    if hinted:
        assert "01/12/2024 – 31/01/2026" in issues[0].message
        assert date.strftime("%d/%m/%Y") in issues[0].message


def test_claimed_issue_date_unlike_the_documents(loaded: LoadedSet) -> None:
    plan = good(leaf="1.1.1", date=D(2025, 3, 10), claimed=D(2025, 3, 1))
    issues = evidence_hints([plan], [loaded], YEAR)
    assert [(i.code, i.location.leaf, i.location.fact) for i in issues] == [
        ("evidence-date-claimed", "1.1.1", "date")
    ]
    assert issues[0].params["claimed"] == D(2025, 3, 1)
    assert "01/03/2025" in issues[0].message and "10/03/2025" in issues[0].message
    # the same date: no hint; a second document carrying the claimed date: no hint
    assert found([good(leaf="1.1.1", claimed=D(2025, 3, 10))], loaded) == []
    other = good(leaf="1.1.1", item=2, number="126/QĐ-UBND", title="Quyết định", date=D(2025, 3, 1))
    assert found([plan, other], loaded) == []
    # every such leaf is told, not only the first
    theirs = good(
        agency="xa-b", leaf="1.1.1", issuer="UBND xã B", file_hash="", claimed=D(2025, 2, 2)
    )
    assert [(c, a) for c, a, *_ in found([plan, theirs], loaded)] == [
        ("evidence-date-claimed", "xa-a"),
        ("evidence-date-claimed", "xa-b"),
    ]
    # a leaf whose rule takes no issue date (yes/no) is not compared
    assert found([good(leaf="1.1.2", claimed=D(2025, 3, 1))], loaded) == []


def test_the_same_file_cited_by_several_units(loaded: LoadedSet) -> None:
    mine = good(number="125/KH-UBND", issuer="UBND xã A")
    theirs = good(agency="xa-b", number="77/KH-UBND", issuer="UBND xã B")  # same hash
    issues = evidence_hints([mine, theirs], [loaded], YEAR, {"xa-a": "Xã A", "xa-b": "Xã B"})
    assert [(i.code, i.location.agency, i.params["agencies"]) for i in issues] == [
        ("evidence-same-file", "xa-a", ("xa-b",)),
        ("evidence-same-file", "xa-b", ("xa-a",)),
    ]
    assert issues[0].message.endswith("Xã B")


def test_the_same_document_cited_by_several_units(loaded: LoadedSet) -> None:
    province = {"number": "2712/QĐ-UBND", "issuer": "UBND tỉnh", "title": "Quyết định"}
    mine = good(file_hash="1" * 64, **province)
    theirs = good(agency="xa-b", file_hash="2" * 64, **{**province, "issuer": "ubnd  TỈNH"})
    assert found([mine, theirs], loaded) == [
        ("evidence-same-number", "xa-a", "1.1.2", 1),
        ("evidence-same-number", "xa-b", "1.1.2", 1),
    ]
    # the same symbol from two communes is two documents
    other = good(agency="xa-b", file_hash="2" * 64, issuer="UBND xã B")
    assert found([good(), other], loaded) == []


def test_one_document_for_unrelated_leaves_of_one_unit(loaded: LoadedSet) -> None:
    first = good(leaf="1.1.2")
    neighbour = good(leaf="1.1.1", claimed=D(2025, 3, 10))  # same criterion 1.1: related
    assert found([first, neighbour], loaded) == []
    elsewhere = good(leaf="2.1.1", file_hash="b" * 64)  # same number, criterion 2.1
    issues = evidence_hints([first, elsewhere], [loaded], YEAR)
    assert [(i.code, i.location.leaf, i.params["leaves"]) for i in issues] == [
        ("evidence-reused", "1.1.2", ("2.1.1",)),
        ("evidence-reused", "2.1.1", ("1.1.2",)),
    ]
    # the same file under another number: also reused (by the file)
    again = good(leaf="2.1.1", number="300/BC-UBND", title="Báo cáo")
    assert [c for c, *_ in found([first, again], loaded)] == ["evidence-reused"] * 2


@pytest.mark.parametrize(
    "link",
    ["ftp://vanban.gov.vn/a.pdf", "file:///C:/minh-chung.pdf", "vanban.gov.vn/125", "https:"],
)
def test_a_link_that_is_not_http(loaded: LoadedSet, link: str) -> None:
    issues = evidence_hints([good(file_hash="", link=link)], [loaded], YEAR)
    assert [(i.code, i.params["value"]) for i in issues] == [("evidence-link-scheme", link)]


def test_a_web_link_raises_no_hint(loaded: LoadedSet) -> None:
    assert found([good(file_hash="", link="HTTPS://vanban.tinh.gov.vn/125")], loaded) == []


# ---------------------------------------------------------------------------------- the parts
def test_symbol_and_title_readers() -> None:
    assert parse_symbol("01/2025/NQ-HĐND") == hints.Symbol("01", 2025, "NQ", "HĐND")
    assert parse_symbol("12/QD-UBND") == hints.Symbol("12", None, "QĐ", "UBND")  # no accent
    assert title_type("QUYẾT ĐỊNH về việc") == "QĐ"
    assert title_type("Quy chế làm việc") == "QC"
    assert title_type("Kết quả") is None
    assert doctest.testmod(hints).failed == 0


def test_every_hint_has_a_message_and_a_label() -> None:
    from parindex.errors import MESSAGES

    codes = {
        "evidence-number-format",
        "evidence-number-type",
        "evidence-date-window",
        "evidence-date-claimed",
        "evidence-same-file",
        "evidence-same-number",
        "evidence-reused",
        "evidence-link-scheme",
    }
    assert set(hints.HINT_LABELS) == codes
    assert codes <= set(MESSAGES)


# ------------------------------------------------------------------------------- the sample
@pytest.mark.parametrize("year", [2024, 2025])
def test_the_bundled_sample_raises_no_hint(year: int) -> None:
    ds = load_year(REPO, year)
    cited = [c for subs in ds.submissions.values() for s in subs for c in hints.submission_cited(s)]
    assert len(cited) > 1000  # the sample's documents are read
    assert hints.dataset_hints(ds) == []


def test_a_file_on_disk_is_compared_by_its_content(tmp_path: Path, loaded: LoadedSet) -> None:
    from parindex.submission import parse_submission

    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4 same")
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.4 same")
    subs = []
    for agency, name in (("xa-a", "a.pdf"), ("xa-b", "b.pdf")):
        data = {
            "agency": agency,
            "year": YEAR,
            "leaves": {
                "1.1.2": {
                    "done": True,
                    "evidence": [
                        {
                            "number": f"1/KH-{agency.upper()}",
                            "date": D(2025, 2, 1),
                            "issuer": agency,
                            "title": "Kế hoạch",
                            "file": name,
                        }
                    ],
                }
            },
        }
        sub = parse_submission(data, loaded)
        subs.append(sub)
    cited = [c for s in subs for c in hints.submission_cited(s, tmp_path)]
    assert cited[0].file_hash == cited[1].file_hash != ""
    assert [c for c, *_ in found(cited, loaded)] == ["evidence-same-file"] * 2


def test_one_agency_s_hints_are_those_of_the_whole_on_its_documents(loaded: LoadedSet) -> None:
    cited = [
        good(number="KH 1"),
        good(agency="xa-b", issuer="UBND xã B", number="9/QĐ-UBND"),  # same file as xa-a's
        good(agency="xa-b", leaf="2.1.1", issuer="UBND xã B", number="9/QĐ-UBND", file_hash=""),
    ]
    everything = evidence_hints(cited, [loaded], YEAR)
    for agency in ("xa-a", "xa-b"):
        mine = evidence_hints(cited, [loaded], YEAR, agency=agency)
        assert mine == [i for i in everything if i.location.agency == agency]
        assert mine


def test_many_units_citing_one_document_are_named_three_then_counted(loaded: LoadedSet) -> None:
    province = {"number": "2712/QĐ-UBND", "issuer": "UBND tỉnh", "title": "Quyết định"}
    cited = [good(agency=f"xa-{n}", file_hash=str(n) * 64, **province) for n in range(1, 6)]
    names = {f"xa-{n}": f"Ủy ban nhân dân xã Số {n} của tỉnh" for n in range(1, 6)}
    first = evidence_hints(cited, [loaded], YEAR, names)[0]
    assert first.params["agencies"] == ("xa-2", "xa-3", "xa-4", "xa-5")
    assert first.message.endswith(
        "Ủy ban nhân dân xã Số 2 của tỉnh, Ủy ban nhân dân xã Số 3 của tỉnh, "
        "Ủy ban nhân dân xã Số 4 của tỉnh và 1 đơn vị khác"
    )
