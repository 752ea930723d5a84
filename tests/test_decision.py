"""The published decision table: layout, formulas recalculated by LibreOffice, method, safety."""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from parindex.criteria import criteria_from_dict
from parindex.dataset import load_year
from parindex.decision import FIRST_DATA, write_decision_table
from parindex.errors import Report
from parindex.export import csv_rows
from parindex.results import Results, score_dataset
from parindex.scoring import score_block
from parindex.submission import parse_submission
from tests.lo import convert, needs_libreoffice

REPO = Path(__file__).resolve().parent.parent
RUN = dt.datetime(2026, 1, 15, 8, 0, 0)


@pytest.fixture(scope="module")
def sample() -> Results:
    return score_dataset(load_year(REPO, 2025))


def _manual_set(max_points: str = "40") -> dict[str, Any]:
    return {
        "id": "thu",
        "year": 2025,
        "block": "so-nganh",
        "block_name": "Sở, ban, ngành",
        "title": "Thử",
        "max": Decimal(max_points),
        "bands": [{"name": "Tốt", "at_least": Decimal(80)}, {"name": "Khá", "at_least": 0}],
        "bonus": {
            "cap": Decimal(2),
            "items": [
                {
                    "code": "T.1",
                    "name": "Thưởng",
                    "max": Decimal(2),
                    "evidence": "none",
                    "rule": {"kind": "manual", "step": Decimal("0.01"), "wording": "w"},
                }
            ],
        },
        "fields": [
            {
                "code": "1",
                "name": "Lĩnh vực",
                "max": Decimal(max_points),
                "criteria": [
                    {
                        "code": "1.1",
                        "name": "Tiêu chí",
                        "max": Decimal(max_points),
                        "subcriteria": [
                            {
                                "code": "1.1.1",
                                "name": "Tự chấm",
                                "max": Decimal(max_points),
                                "evidence": "none",
                                "rule": {"kind": "manual", "step": Decimal("0.01"), "wording": "w"},
                            }
                        ],
                    }
                ],
            }
        ],
    }


def _results_from_scores(scores: dict[str, tuple[str, str]], names: dict[str, str]) -> Results:
    """Agencies with one manual score (and a bonus) on a 40-point set."""
    loaded = criteria_from_dict(_manual_set())
    subs = [
        parse_submission(
            {
                "agency": a,
                "year": 2025,
                "leaves": {"1.1.1": {"score": Decimal(s)}, "T.1": {"score": Decimal(b)}},
            },
            loaded,
        )
        for a, (s, b) in scores.items()
    ]
    assert all(not s.issues for s in subs)
    res = score_block(loaded, subs, [], names)
    return Results(2025, {"so-nganh": res}, Report(), {})


def _values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    wb = load_workbook(path, data_only=True)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb}


def _header(rows: list[tuple[Any, ...]]) -> list[Any]:
    """Column titles: row 7, or row 6 where the title spans both header rows."""
    return [b if b is not None else a for a, b in zip(rows[5], rows[6], strict=True)]


def _d(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)


# ---------------------------------------------------------------------------- layout
def test_ranking_sheet_layout(sample: Results, tmp_path: Path) -> None:
    out = write_decision_table(sample, tmp_path / "t.xlsx", charts=False, run_time=RUN)
    wb = load_workbook(out)
    ws = wb["Xếp hạng so-nganh"]
    assert ws["A1"].value == "Phụ lục II"
    assert "KẾT QUẢ XẾP HẠNG CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2025 CỦA CÁC SỞ, BAN, NGÀNH" in (
        ws["A2"].value
    )
    assert "DỮ LIỆU MẪU" in ws["A4"].value
    # 2025 is two-tier: wards, then communes and special zones (no thị trấn any more)
    title = "KẾT QUẢ XẾP HẠNG CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2025 CỦA ỦY BAN NHÂN DÂN CÁC "
    assert wb["Xếp hạng phuong"]["A2"].value == title + "PHƯỜNG"
    assert wb["Xếp hạng xa"]["A2"].value == title + "XÃ, ĐẶC KHU"
    assert ws.print_title_rows == "$6:$8"
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == str(ws.PAPERSIZE_A4)
    assert ws.freeze_panes == f"C{FIRST_DATA}"
    assert ws["B9"].font.name == "Times New Roman"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert any(r.startswith("A2:") for r in merged)  # merged title row
    top = [ws.cell(row=6, column=c).value for c in range(1, ws.max_column + 1)]
    headers = [ws.cell(row=7, column=c).value for c in range(1, ws.max_column + 1)]
    field1 = sample.blocks["so-nganh"].criteria.model.fields[0]
    assert headers[2] == f"1. {field1.name} (tối đa {field1.max})"
    assert top[2] == "Điểm đạt được theo lĩnh vực"
    assert "Điểm điều tra xã hội học (tối đa 30)" in top
    assert "Chỉ số CCHC (%)" in top and "Xếp hạng" in top and "Xếp loại" in top
    assert "So với năm 2024" in top
    # the ranks compared are among this year's comparable peers, and the headers say so
    assert "Hạng năm 2024 giữa các đơn vị so sánh được của khối" in headers
    assert "Hạng năm 2025 giữa các đơn vị so sánh được của khối" in headers
    assert ws.cell(row=6, column=1).value == "STT"


def test_the_2024_tables_keep_the_words_of_three_tier_local_government(tmp_path: Path) -> None:
    results = score_dataset(load_year(REPO, 2024))
    wb = load_workbook(
        write_decision_table(results, tmp_path / "t.xlsx", charts=False, run_time=RUN)
    )
    title = "KẾT QUẢ XẾP HẠNG CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2024 CỦA ỦY BAN NHÂN DÂN CÁC "
    assert wb["Xếp hạng huyen"]["A2"].value == title + "HUYỆN, THỊ XÃ, THÀNH PHỐ"
    assert wb["Xếp hạng xa"]["A2"].value == title + "XÃ, PHƯỜNG, THỊ TRẤN"


def test_every_agency_is_in_its_sheet_once(sample: Results, tmp_path: Path) -> None:
    out = write_decision_table(sample, tmp_path / "t.xlsx", charts=False, run_time=RUN)
    wb = load_workbook(out)
    for block, res in sample.blocks.items():
        ws = wb[f"Xếp hạng {block}"]
        names = [
            ws.cell(row=r, column=2).value
            for r in range(FIRST_DATA, FIRST_DATA + len(res.agencies))
        ]
        assert names == list(res.agencies["name"])


def _look(cell: Any) -> dict[str, Any]:
    """What a reader sees of a cell's format."""
    f, a = cell.font, cell.alignment
    return {
        "font": (f.name, f.sz, bool(f.b), bool(f.i), f.color.rgb if f.color else None),
        "fmt": cell.number_format,
        "align": (a.horizontal, a.vertical, bool(a.wrap_text)),
        "border": cell.border.left.style,
        "fill": cell.fill.fgColor.rgb if cell.fill.fill_type else None,
    }


def _expected(
    size: float = 11,
    bold: bool = False,
    italic: bool = False,
    fmt: str = "General",
    align: str | None = None,
    vertical: str | None = "center",
    wrap: bool = False,
    border: str | None = "thin",
    fill: str | None = None,
    colour: str = "00000000",
) -> dict[str, Any]:
    return {
        "font": ("Times New Roman", size, bold, italic, colour),
        "fmt": fmt,
        "align": (align, vertical, wrap),
        "border": border,
        "fill": fill,
    }


def test_cell_formats(sample: Results, tmp_path: Path) -> None:
    """Each kind of cell has its look — on every row, not only the first (styles are shared)."""
    out = write_decision_table(sample, tmp_path / "t.xlsx", charts=False, run_time=RUN)
    wb = load_workbook(out)
    ws = wb["Xếp hạng so-nganh"]
    n = len(sample.blocks["so-nganh"].agencies)
    top = [ws.cell(row=6, column=c).value for c in range(1, ws.max_column + 1)]
    c_total, c_index = top.index("Tổng điểm") + 1, top.index("Chỉ số CCHC (%)") + 1
    c_band = top.index("Xếp loại") + 1
    title = _expected(13, bold=True, align="center", wrap=True, border=None)
    assert _look(ws["A2"]) == title
    header = _expected(10, bold=True, align="center", wrap=True, fill="00DDEBF7")
    assert _look(ws["A6"]) == header
    assert _look(ws["C8"]) == _expected(9, italic=True, align="center")
    expected = {
        1: _expected(align="center"),
        2: _expected(wrap=True),
        3: _expected(fmt="0.00"),
        c_total: _expected(bold=True, fmt="0.00"),
        c_index: _expected(bold=True, fmt="0.00"),
        c_band: _expected(align="center"),
        c_band + 1: _expected(fmt="0.00"),  # last year's index compared with
        c_band + 2: _expected(align="center"),  # its rank among this year's comparable peers
        c_band + 3: _expected(align="center"),  # this year's rank among them
        c_band + 4: _expected(fmt="+0.00;-0.00;0.00"),
        c_band + 5: _expected(fmt="+0;-0;0", align="center"),
        c_band + 6: _expected(9, wrap=True),
    }
    for col, look in expected.items():
        for row in range(FIRST_DATA, FIRST_DATA + n):
            assert _look(ws.cell(row=row, column=col)) == look, (row, col)
    average = ws.cell(row=FIRST_DATA + n, column=c_index)
    assert _look(average) == _expected(bold=True, fmt="0.00")

    ws = wb["Chi tiết xa"]
    assert _look(ws["C2"]) == _expected(bold=True, align="center")
    assert _look(ws["C3"]) == _expected(italic=True, fmt="0.00")
    kps = _expected(9, italic=True, align="center")
    seen = set()
    rows = 3 + len(sample.blocks["xa"].agencies)
    for row in ws.iter_rows(min_row=4, max_row=rows, min_col=3):
        for cell in row:
            if cell.value is not None:
                assert _look(cell) == (kps if cell.value == "KPS" else _expected(fmt="0.00"))
                seen.add(cell.value == "KPS")
    assert seen == {True, False}
    assert _look(wb["Ghi chú"]["A2"]) == _expected(10, vertical=None, border=None)
    method = wb["Phương pháp"]
    assert _look(method["A1"]) == _expected(13, bold=True, vertical="top", wrap=True, border=None)
    assert _look(method["B3"]) == _expected(vertical="top", wrap=True, border=None)


@pytest.mark.parametrize("enabled", [True, False])
def test_garbage_collector_is_left_as_it_was(
    sample: Results, tmp_path: Path, enabled: bool
) -> None:
    (gc.enable if enabled else gc.disable)()
    try:
        write_decision_table(sample, tmp_path / "t.xlsx", charts=False, run_time=RUN)
        assert gc.isenabled() is enabled
    finally:
        gc.enable()


# ------------------------------------------------------------------ recalculation
@needs_libreoffice
def test_libreoffice_recalculates_every_total_and_index(sample: Results, tmp_path: Path) -> None:
    out = write_decision_table(sample, tmp_path / "t.xlsx", charts=False, run_time=RUN)
    recalculated = convert(out, "xlsx", tmp_path / "lo")
    values = _values(recalculated)
    checked = 0
    for block, res in sample.blocks.items():
        rows = values[f"Xếp hạng {block}"]
        header = _header(rows)
        c_total = header.index("Tổng điểm")
        c_index = header.index("Chỉ số CCHC (%)")
        c_max = header.index("Điểm tối đa áp dụng")
        for i, rec in enumerate(res.agencies.to_dict("records")):
            row = rows[FIRST_DATA - 1 + i]
            assert row[1] == rec["name"]
            assert _d(row[c_total]) == Decimal(int(rec["total_c"])).scaleb(-2)
            assert _d(row[c_max]) == Decimal(int(rec["applicable_c"])).scaleb(-2)
            assert _d(row[c_index]) == Decimal(int(rec["index_u"])).scaleb(-2)
            checked += 1
        # the block average row
        avg_row = rows[FIRST_DATA - 1 + len(res.agencies)]
        indices = [Decimal(int(v)).scaleb(-2) for v in res.agencies["index_u"]]
        expected = (sum(indices) / len(indices)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert _d(avg_row[c_index]) == expected
    assert checked == sum(len(r.agencies) for r in sample.blocks.values())


@needs_libreoffice
def test_recalculation_rounds_half_up_like_the_engine(tmp_path: Path) -> None:
    # 32.53 / 40 = 81.325 % → 81.33; 16.26 + 0.01 bonus → 16.27 / 40 = 40.675 → 40.68;
    # 27.30 / 40 = 68.25 exactly; 0.1 + 0.2 style: 0.10 + 0.20 bonus → 0.30 / 40 = 0.75.
    results = _results_from_scores(
        {"a": ("32.53", "0"), "b": ("16.26", "0.01"), "c": ("27.30", "0"), "d": ("0.10", "0.20")},
        {"a": "A", "b": "B", "c": "C", "d": "D"},
    )
    by = {r["agency"]: r for r in results.blocks["so-nganh"].agencies.to_dict("records")}
    assert [by[k]["index_u"] for k in "abcd"] == [8133, 4068, 6825, 75]
    out = write_decision_table(results, tmp_path / "x.xlsx", charts=False, run_time=RUN)
    rows = _values(convert(out, "xlsx", tmp_path / "lo"))["Xếp hạng so-nganh"]
    header = _header(rows)
    got = {
        r[1]: _d(r[header.index("Chỉ số CCHC (%)")]) for r in rows[FIRST_DATA - 1 : FIRST_DATA + 3]
    }
    assert got == {
        "A": Decimal("81.33"),
        "B": Decimal("40.68"),
        "C": Decimal("68.25"),
        "D": Decimal("0.75"),
    }


# ------------------------------------------------------------------------ method
def test_method_sheet_and_identical_rerun(sample: Results, tmp_path: Path) -> None:
    first = write_decision_table(sample, tmp_path / "a.xlsx", charts=False, run_time=RUN)
    again = score_dataset(load_year(REPO, 2025))
    later = RUN + dt.timedelta(hours=3)
    second = write_decision_table(again, tmp_path / "b.xlsx", charts=False, run_time=later)
    a, b = _values(first), _values(second)
    assert a.keys() == b.keys()
    for sheet in a:
        if sheet == "Phương pháp":
            continue
        assert a[sheet] == b[sheet], sheet
    method_a = [r for r in a["Phương pháp"] if r[0] != "Thời điểm chạy (giờ Việt Nam)"]
    method_b = [r for r in b["Phương pháp"] if r[0] != "Thời điểm chạy (giờ Việt Nam)"]
    assert method_a == method_b
    flat = [str(c) for r in a["Phương pháp"] for c in r if c is not None]
    for res in sample.blocks.values():
        assert res.criteria.sha256 in flat
        assert res.criteria.model.id in flat
    assert "15/01/2026 15:00" in flat  # RUN, 08:00 UTC, read in Vietnam time (UTC+7)
    for path, digest in sample.inputs.items():
        assert path in flat and digest in flat
    assert any("parindex" in c for c in flat)


def test_detail_sheet_has_every_leaf(sample: Results, tmp_path: Path) -> None:
    out = write_decision_table(sample, tmp_path / "t.xlsx", charts=False, run_time=RUN)
    rows = _values(out)["Chi tiết xa"]
    res = sample.blocks["xa"]
    codes = [leaf.code for _, _, leaf in res.criteria.model.leaves()]
    assert list(rows[1][2 : 2 + len(codes)]) == codes
    maxima = [leaf.max for _, _, leaf in res.criteria.model.leaves()]
    assert [Decimal(str(v)) for v in rows[2][2 : 2 + len(codes)]] == maxima
    leaves = res.leaves.set_index(["agency", "leaf"])
    for row in rows[3 : 3 + len(res.agencies)]:
        agency = row[0]
        for code, value in zip(codes, row[2:], strict=False):
            final, applicable = leaves.loc[(agency, code), ["final_c", "applicable"]]
            if applicable:
                assert _d(value) == Decimal(int(final)).scaleb(-2)
            else:
                assert value == "KPS"


# --------------------------------------------------------------------- safe cells
DANGEROUS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "=1+1"]


def test_user_text_never_becomes_a_formula(tmp_path: Path) -> None:
    names = dict(zip("abcde", DANGEROUS, strict=True))
    results = _results_from_scores({k: ("20", "0") for k in names}, names)
    out = write_decision_table(results, tmp_path / "x.xlsx", charts=False, run_time=RUN)
    wb = load_workbook(out)
    for ws in (wb["Xếp hạng so-nganh"], wb["Chi tiết so-nganh"]):
        texts = {
            c.value: c.data_type for row in ws.iter_rows() for c in row if c.value in DANGEROUS
        }
        assert set(texts) == set(DANGEROUS), ws.title
        assert set(texts.values()) == {"s"}
    rows = list(csv.DictReader(io.StringIO(csv_rows(results))))
    assert sorted(r["name"] for r in rows) == sorted("'" + n for n in DANGEROUS)


@needs_libreoffice
def test_user_text_stays_text_after_libreoffice(tmp_path: Path) -> None:
    names = dict(zip("abcde", DANGEROUS, strict=True))
    results = _results_from_scores({k: ("20", "0") for k in names}, names)
    out = write_decision_table(results, tmp_path / "x.xlsx", charts=False, run_time=RUN)
    rows = _values(convert(out, "xlsx", tmp_path / "lo"))["Xếp hạng so-nganh"]
    got = {r[1] for r in rows[FIRST_DATA - 1 : FIRST_DATA + 4]}
    assert got == set(DANGEROUS)


@needs_libreoffice
def test_printed_table_is_a4_landscape_with_headers_on_every_page(tmp_path: Path) -> None:
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        pytest.skip("poppler-utils is not installed")
    names = {f"a{i:03d}": f"UBND xã Thử Nghiệm số {i}" for i in range(90)}
    scores = {k: (f"{20 + (i % 17) * 0.75:.2f}", "0") for i, k in enumerate(names)}
    results = _results_from_scores(scores, names)
    out = write_decision_table(results, tmp_path / "x.xlsx", charts=False, run_time=RUN)
    pdf = convert(out, "pdf", tmp_path / "pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "841.89 x 595.3" in info  # A4 landscape, in points
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages")))
    text = [
        subprocess.run(
            ["pdftotext", "-f", str(p), "-l", str(p), "-layout", str(pdf), "-"],
            capture_output=True,
            text=True,
        ).stdout
        for p in range(1, pages + 1)
    ]
    # the ranking sheet's pages (the detail sheet's pages say "Mã đơn vị")
    ranking_pages = [t for t in text if "UBND xã Thử Nghiệm" in t and "Mã đơn vị" not in t]
    assert len(ranking_pages) >= 2  # 90 agencies do not fit one page
    for page in ranking_pages:
        assert "STT" in page and "Đơn vị" in page and "Tổng điểm" in page  # header repeats
    assert "KẾT QUẢ XẾP HẠNG" in ranking_pages[0] and "KẾT QUẢ XẾP HẠNG" not in ranking_pages[1]
    # nothing cut off: every agency and the last column appear
    joined = "\n".join(ranking_pages)
    assert all(name in joined for name in names.values())
    assert all("Xếp loại" in page for page in ranking_pages)
    assert "Chỉ số bình quân của khối" in ranking_pages[-1]


# ------------------------------------------------------------- detail rows written as XML
TRICKY_NAMES = {
    "a": "  UBND xã À  ",  # spaces kept
    "b": "Sở <Tài chính> & Kế hoạch",
    "c": "Ban\rDân tộc\nmiền núi\t",
    "d": "=SUM(A1)",
    "e": "",
    "f": "Đặc khu 😀 Phú Quốc",
}


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def _exact_numbers(xml: bytes) -> bytes:
    """Each number cell's text as the exact decimal its float stands for at 2 places."""

    def exact(m: re.Match[bytes]) -> bytes:
        cents = round(float(m[1]) * 100)
        assert abs(float(m[1]) * 100 - cents) < 1e-6  # a point: whole hundredths
        whole, part = divmod(abs(cents), 100)
        text = f"{whole}.{part:02d}".rstrip("0").rstrip(".")
        return b"<v>" + (("-" if cents < 0 else "") + text).encode() + b"</v>"

    return re.sub(rb'(?<=t="n">)<v>([-0-9.eE+]+)</v>', exact, xml)


@pytest.mark.parametrize("case", ["sample", "tricky names"])
def test_detail_rows_written_as_xml_are_openpyxls_own_byte_for_byte(
    sample: Results, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    """Every part of the workbook (the modification time aside) is the file openpyxl writes
    when it writes every cell itself: the sheets, the styles, the order of the looks."""
    from parindex import decision

    results = (
        sample
        if case == "sample"
        else _results_from_scores(
            {k: (f"{n * 2.25}", "1") for n, k in enumerate(TRICKY_NAMES)}, TRICKY_NAMES
        )
    )
    as_xml: list[int] = []  # rows written as XML, per sheet
    xml = decision.SheetRows.xml

    def counted(self: decision.SheetRows) -> bytes:
        as_xml.append(len(self.rows))
        return xml(self)

    monkeypatch.setattr(decision.SheetRows, "xml", counted)
    fast = write_decision_table(results, tmp_path / "fast.xlsx", charts=False, run_time=RUN)
    agencies = sum(len(res.agencies) for res in results.blocks.values())
    assert len(as_xml) == len(results.blocks) and sum(as_xml) >= agencies // 2
    monkeypatch.setattr(decision, "ROWS_AS_XML", False)
    slow = write_decision_table(results, tmp_path / "slow.xlsx", charts=False, run_time=RUN)
    assert sum(as_xml[len(results.blocks) :]) == 0
    a, b = _parts(fast), _parts(slow)
    assert list(a) == list(b)
    for name in a:
        # openpyxl writes a Decimal point as "%.16g" of its float (9.70 → 9.699999999999999);
        # the rows written as XML give its exact text (9.7): the same number, fewer digits
        assert _exact_numbers(b[name]) == _exact_numbers(a[name]), name
    detail = [n for n, data in a.items() if b"KPS: kh" in data]
    assert len(detail) == len(results.blocks)
    if case == "sample":  # some points openpyxl writes with 16 digits: exact in the XML rows
        long = re.compile(rb"<v>-?[0-9]+\.[0-9]{10,}</v>")
        assert any(long.search(b[n]) for n in detail) and not any(long.search(a[n]) for n in detail)
    numbers = sum(data.count(b't="n"><v>') for n, data in a.items() if n in detail)
    assert numbers >= 2 * len(TRICKY_NAMES)  # every agency's row, most of them written as XML
    if case == "sample":  # "did not arise" cells in the rows written as XML too
        assert all(data.count(b"<t>KPS</t>") > 1 for n, data in a.items() if n in detail)
