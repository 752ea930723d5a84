"""Per-agency report: where the agency earned and lost its points (XLSX and printable HTML)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from parindex.export import fit_landscape, set_text
from parindex.history import sentence
from parindex.ranking import tie_rule_text
from parindex.results import Results, cents
from parindex.robustness import Robustness
from parindex.robustness import sentence as interval_sentence
from parindex.scoring import BlockResult

FONT = "Times New Roman"


@dataclass
class Line:
    level: str  # field | criterion | leaf | bonus | penalty
    code: str
    name: str
    max: Decimal
    self_score: Decimal | None = None
    appraised: Decimal | None = None
    final: Decimal | None = None
    lost: Decimal | None = None
    excluded: bool = False
    reason: str = ""


@dataclass
class AgencyReport:
    year: int
    block: str
    block_name: str
    agency: str
    name: str
    sample: bool
    index: Decimal
    total: Decimal
    applicable_max: Decimal
    rank: int
    of: int
    band: str
    survey: Decimal
    bonus: Decimal
    penalty: Decimal
    tie_rule: str
    change: str
    #: how the change since last year was made ("" when there is no comparison)
    method: str = ""
    lines: list[Line] = field(default_factory=list)
    top_losses: list[Line] = field(default_factory=list)
    next_rank: tuple[int, Decimal, Decimal] | None = None  # (rank, index to reach, points needed)
    next_band: tuple[str, Decimal, Decimal] | None = None  # (band, threshold, points needed)
    #: how sure the rank is ("hạng 7; từ 5 đến 10 với độ tin cậy 90 %"; "" when not computed)
    confidence: str = ""


def points_to_reach(target_u: int, total_c: int, applicable_c: int) -> int:
    """Fewest extra hundredths of a point so the published index reaches ``target_u``.

    The published index is half_up(total / applicable × 100, 2 decimals), which reaches T
    (hundredths of a percent) once total × 10000 / applicable ≥ T − ½, i.e.
    total ≥ (2T − 1) × applicable / 20000 (rounded up to a whole hundredth).
    """
    if applicable_c <= 0:
        return 0
    needed = -(-((2 * target_u - 1) * applicable_c) // 20000)
    return max(0, needed - total_c)


def build_report(
    results: Results, block: str, agency: str, robustness: Robustness | None = None
) -> AgencyReport:
    res: BlockResult = results.blocks[block]
    model = res.criteria.model
    agencies = res.agencies.to_dict("records")
    me = next(a for a in agencies if a["agency"] == agency)
    sub = res.submissions.get(agency)
    texts = sub.texts if sub is not None else {}
    leaves = res.leaves[res.leaves["agency"] == agency].set_index("leaf")

    def leaf_line(level: str, leaf: Any) -> Line:
        row = leaves.loc[leaf.code]
        f = texts.get(leaf.code)
        r1, r2 = int(row["round1_c"]), int(row["round2_c"])
        appraised = r2 if r2 >= 0 else r1 if r1 >= 0 else None
        reason = ""
        if f is not None:
            reason = f.round2_reason if r2 >= 0 else f.round1_reason if r1 >= 0 else ""
            if not reason and f.dna_reason:
                reason = "Không phát sinh: " + f.dna_reason
        excluded = not bool(row["applicable"])
        final = cents(row["final_c"])
        lost = None if excluded or level != "leaf" else leaf.max - final
        return Line(
            level,
            leaf.code,
            leaf.name,
            leaf.max,
            cents(row["self_c"]),
            None if appraised is None else cents(appraised),
            final,
            lost,
            excluded,
            reason,
        )

    lines: list[Line] = []
    leaf_lines: list[Line] = []
    for f in model.fields:
        f_lines: list[Line] = []
        for c in f.criteria:
            c_children = [leaf_line("leaf", leaf) for leaf in c.subcriteria]
            f_lines.append(_sum_line("criterion", c.code, c.name, c_children))
            f_lines += c_children
            leaf_lines += c_children
        lines.append(
            _sum_line("field", f.code, f.name, [x for x in f_lines if x.level == "criterion"])
        )
        lines += f_lines
    for item in model.bonus.items:
        lines.append(leaf_line("bonus", item))
    for item in model.penalty.items:
        lines.append(leaf_line("penalty", item))

    top = sorted((x for x in leaf_lines if x.lost), key=lambda x: (-(x.lost or 0), x.code))[:5]

    next_rank = None
    better = [a for a in agencies if int(a["rank"]) < int(me["rank"])]
    if better:
        target = max((a for a in better), key=lambda a: int(a["rank"]))  # the nearest above
        need = points_to_reach(int(target["index_u"]), int(me["total_c"]), int(me["applicable_c"]))
        next_rank = (int(target["rank"]), cents(target["index_u"]), cents(need))
    next_band = None
    higher = [b for b in model.bands if b.at_least * 100 > int(me["index_u"])]
    if higher:
        band = higher[-1]  # the lowest band above the agency's
        need = points_to_reach(
            int(band.at_least * 100), int(me["total_c"]), int(me["applicable_c"])
        )
        next_band = (band.name, band.at_least, cents(need))
    comparison = results.comparisons.get(agency)
    return AgencyReport(
        year=results.year,
        block=block,
        block_name=model.block_name,
        agency=agency,
        name=str(me["name"]),
        sample=model.sample,
        index=cents(me["index_u"]),
        total=cents(me["total_c"]),
        applicable_max=cents(me["applicable_c"]),
        rank=int(me["rank"]),
        of=len(agencies),
        band=str(me["band"]),
        survey=cents(me["survey_c"]),
        bonus=cents(me["bonus_c"]),
        penalty=cents(me["penalty_c"]),
        tie_rule=tie_rule_text(model),
        change=sentence(comparison) if comparison else "",
        method=results.method if comparison else "",
        lines=lines,
        top_losses=top,
        next_rank=next_rank,
        next_band=next_band,
        confidence=_confidence(robustness, agency),
    )


def _confidence(robustness: Robustness | None, agency: str) -> str:
    got = robustness.interval(agency) if robustness is not None else None
    if got is None:
        return ""
    rank, low, high = got
    return interval_sentence(rank, low, high)


def _sum_line(level: str, code: str, name: str, children: list[Line]) -> Line:
    applicable = [c for c in children if not c.excluded]
    final = sum((c.final or Decimal(0) for c in applicable), Decimal(0))
    mx = sum((c.max for c in children), Decimal(0))
    app_max = sum((c.max for c in applicable), Decimal(0))
    return Line(
        level,
        code,
        name,
        mx,
        sum((c.self_score or Decimal(0) for c in applicable), Decimal(0)),
        None,
        final,
        app_max - final,
        excluded=not applicable,
    )


# ----------------------------------------------------------------------------- outputs
_env = Environment(
    loader=PackageLoader("parindex", "templates"), autoescape=select_autoescape(["html"])
)


def _vn(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}".replace(".", ",")


_env.filters["vn"] = _vn


def write_html(report: AgencyReport, path: Path) -> Path:
    path.write_text(_env.get_template("agency_report.html").render(r=report), encoding="utf-8")
    return path


def write_xlsx(report: AgencyReport, path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Kết quả"
    bold = Font(name=FONT, bold=True)
    normal = Font(name=FONT)
    head = [
        f"Kết quả Chỉ số CCHC năm {report.year}: {report.name}",
        f"{report.block_name}. Chỉ số {_vn(report.index)} %, xếp hạng {report.rank}/{report.of}, "
        f"xếp loại {report.band}. {report.change}",
    ]
    if report.confidence:
        head.append(f"Độ tin cậy của xếp hạng: {report.confidence}.")
    if report.method:
        head.append(report.method)
    if report.sample:
        head.append("DỮ LIỆU MẪU — không phải kết quả chính thức")
    for text in head:
        ws.append([None])
        set_text(ws.cell(row=ws.max_row, column=1), text)
        ws.cell(row=ws.max_row, column=1).font = bold
    ws.append([])
    columns = [
        "Mã",
        "Nội dung",
        "Điểm tối đa",
        "Tự chấm",
        "Thẩm định",
        "Điểm cuối cùng",
        "Điểm bị mất",
        "Lý do / ghi chú",
    ]
    ws.append(columns)
    for cell in ws[ws.max_row]:
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, horizontal="center")
    ws.freeze_panes = ws.cell(row=ws.max_row + 1, column=3)
    for line in report.lines:
        ws.append([None] * len(columns))
        r = ws.max_row
        values: list[Any] = [
            line.code,
            line.name,
            line.max,
            line.self_score,
            line.appraised,
            "KPS" if line.excluded else line.final,
            line.lost,
            line.reason,
        ]
        for c, v in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            if isinstance(v, str):
                set_text(cell, v)
            else:
                cell.value = v
                cell.number_format = "0.00"
            cell.font = bold if line.level in ("field", "criterion") else normal
            cell.alignment = Alignment(wrap_text=c in (2, 8), vertical="top")
    for col, w in zip("ABCDEFGH", (8, 60, 10, 10, 10, 10, 10, 50), strict=True):
        ws.column_dimensions[col].width = w
    fit_landscape(ws)
    ws2 = wb.create_sheet("Điểm bị mất nhiều nhất")
    ws2.append(["Mã", "Tiêu chí thành phần", "Điểm tối đa", "Điểm cuối cùng", "Điểm bị mất"])
    for line in report.top_losses:
        ws2.append([None] * 5)
        r = ws2.max_row
        set_text(ws2.cell(row=r, column=1), line.code)
        set_text(ws2.cell(row=r, column=2), line.name)
        ws2.cell(row=r, column=3).value = line.max
        ws2.cell(row=r, column=4).value = line.final
        ws2.cell(row=r, column=5).value = line.lost
    ws2.append([])
    if report.next_rank:
        rank, index, need = report.next_rank
        ws2.append([None, f"Để đạt hạng {rank} (Chỉ số {_vn(index)} %) cần thêm", None, None, need])
    if report.next_band:
        band, threshold, need = report.next_band
        ws2.append(
            [None, f"Để đạt xếp loại {band} (từ {_vn(threshold)} %) cần thêm", None, None, need]
        )
    ws2.column_dimensions["B"].width = 70
    wb.save(path)
    return path


def write_reports(
    results: Results,
    out: Path,
    agencies: list[str] | None = None,
    robustness: Robustness | None = None,
) -> list[Path]:
    """Write ``<out>/<block>/<agency>.html`` and ``.xlsx`` for the given (default: all) agencies;
    with ``robustness``, each says how sure its rank is."""
    written = []
    for block, res in results.blocks.items():
        for agency in res.agencies["agency"]:
            if agencies and agency not in agencies:
                continue
            report = build_report(results, block, str(agency), robustness)
            folder = out / block
            folder.mkdir(parents=True, exist_ok=True)
            written.append(write_html(report, folder / f"{agency}.html"))
            written.append(write_xlsx(report, folder / f"{agency}.xlsx"))
    return written
