"""The agency's self-assessment report (báo cáo kết quả tự đánh giá, chấm điểm): what it says,
the texts the officer writes for it, and the signed scan uploaded after submission.

The report has the three parts of the ministry's guidance: a summary table of self-scores per
field and criterion, the explanations for criteria whose evidence is missing or incomplete, and
the difficulties and proposals. Every figure is the engine's (:func:`web.engine.evaluate` on the
self-assessment, ``appraised=False``): the fields' and criteria's points are the engine's
components, the total, bonus, penalty and index its totals; nothing is added up here. The DOCX is
written by :mod:`web.agency.report_docx`, the print page by ``agency/report_print.html``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import Forbidden, NotFound

from parindex.criteria import Leaf, LoadedSet
from parindex.results import cents
from web import accounts, formatting, workflow
from web.agency.evidence import FILE_KINDS, StoredFile, display_name, sniff
from web.agency.selfassessment import loaded_set
from web.audit import audit
from web.engine import (
    LeafResult,
    StoredEntry,
    evaluate,
    leaves_of,
    stored_entries,
    submission_of,
)
from web.errors import commit_or_conflict
from web.leafform import issue_text, self_scored
from web.models import Agency, Submission, SubmissionReport, User, db, utcnow
from web.roles import AGENCY, ROLES

#: the texts the officer writes, with their longest length
TEXTS = {"difficulties": 10_000, "proposals": 10_000, "signer_title": 200, "signer_name": 200}
TEXT_LABELS = {
    "difficulties": "Khó khăn, vướng mắc",
    "proposals": "Đề xuất, kiến nghị",
    "signer_title": "Chức vụ người ký",
    "signer_name": "Họ và tên người ký",
}
DEFAULT_SIGNER = "THỦ TRƯỞNG ĐƠN VỊ"
#: what a signed scan may be: a PDF or a photograph of the pages
SCAN_KINDS = ("pdf", "jpg", "png")
SCAN_ACCEPT = ".pdf,.jpg,.jpeg,.png"
#: the document issues that make a leaf's evidence incomplete
INCOMPLETE = ("evidence-incomplete", "evidence-no-source", "date-implausible")
BLANK = "……"


# ======================================================================================= the data
@dataclass
class Row:
    """A row of the summary table: a field, a criterion, the bonus or penalty, the total."""

    kind: str  # "field" | "criterion" | "bonus" | "penalty" | "total"
    number: str  # STT: "1", "1.1"; "" for the total
    name: str
    max: Decimal | None
    points: Decimal | None  # None: not self-scored and no survey result yet ("—")
    note: str = ""


@dataclass
class Explained:
    """A leaf scored above 0 whose evidence is missing or incomplete, with the agency's words."""

    code: str
    name: str
    points: Decimal
    problem: str
    explanation: str


@dataclass
class ReportData:
    agency: Agency
    year: int
    province: str
    draft: bool  # not submitted yet: the report is marked as a draft
    submitted_at: dt.datetime | None
    rows: list[Row]
    total: Decimal
    applicable_max: Decimal
    index: Decimal
    surveys_imported: bool
    explained: list[Explained]
    difficulties: str
    proposals: str
    signer_title: str
    signer_name: str

    @property
    def superior(self) -> str:
        """The issuing unit's superior (cơ quan chủ quản), the first line of the heading: a
        people's committee's is its province, a department's the province's committee."""
        province = self.province.upper() or BLANK
        name = self.agency.name.strip().lower()
        if name.startswith(("ubnd", "ủy ban nhân dân", "uỷ ban nhân dân")):
            return f"TỈNH {province}"
        return f"ỦY BAN NHÂN DÂN TỈNH {province}"

    @property
    def unit(self) -> str:
        return self.agency.name.strip().upper()

    @property
    def place(self) -> str:
        return self.province or BLANK

    @property
    def title(self) -> str:
        return f"Kết quả tự đánh giá, chấm điểm Chỉ số cải cách hành chính năm {self.year}"

    @property
    def recipient(self) -> str:
        return f"Sở Nội vụ tỉnh {self.province or BLANK}"

    @property
    def intro(self) -> str:
        return (
            f"Thực hiện hướng dẫn của Sở Nội vụ về việc tự đánh giá, chấm điểm Chỉ số cải cách "
            f"hành chính năm {self.year}, {self.agency.name} báo cáo kết quả tự đánh giá, chấm "
            "điểm như sau:"
        )

    @property
    def summary(self) -> str:
        """The result in one sentence, with the engine's figures."""
        survey = (
            "gồm điểm các tiêu chí điều tra xã hội học theo kết quả Sở Nội vụ đã nhập"
            if self.surveys_imported
            else "chưa gồm điểm các tiêu chí đánh giá qua điều tra xã hội học (do Sở Nội vụ "
            "chấm theo kết quả điều tra)"
        )
        return (
            f"Tổng điểm tự đánh giá: {formatting.number(self.total)} điểm trên "
            f"{formatting.number(self.applicable_max)} điểm tối đa áp dụng, chỉ số "
            f"{formatting.percent(self.index)} ({survey})."
        )

    @property
    def signer(self) -> str:
        return self.signer_title.strip().upper() or DEFAULT_SIGNER

    @property
    def file_name(self) -> str:
        return f"bao-cao-tu-danh-gia-{self.year}-{self.agency.code}.docx"


def report_of(sub: Submission) -> SubmissionReport | None:
    return db.session.execute(
        db.select(SubmissionReport).filter_by(submission_id=sub.id)
    ).scalar_one_or_none()


def report_data(agency: Agency, province: str) -> ReportData:
    """What the report says, from the stored self-assessment and the engine's result."""
    loaded = loaded_set(agency)
    sub = submission_of(agency)
    entries = stored_entries(sub)
    evaluation = evaluate(agency, loaded, appraised=False, stored=entries)
    score = evaluation.score
    assert score is not None  # evaluate always keeps the engine's result
    components = {(c.level, c.code): c for c in score.components}
    m = loaded.model
    rows: list[Row] = []
    for f in m.fields:
        leaves = [leaf for c in f.criteria for leaf in c.subcriteria]
        fc = components[("field", f.code)]
        rows.append(
            Row(
                "field",
                f.code,
                f.name,
                f.max,
                _shown(fc.achieved_c, leaves, evaluation.surveys_imported),
                _note(leaves, evaluation.leaves, evaluation.surveys_imported, fc.weighted_c),
            )
        )
        for c in f.criteria:
            cc = components[("criterion", c.code)]
            rows.append(
                Row(
                    "criterion",
                    c.code,
                    c.name,
                    c.max,
                    _shown(cc.achieved_c, c.subcriteria, evaluation.surveys_imported),
                    _note(c.subcriteria, evaluation.leaves, evaluation.surveys_imported, None),
                )
            )
    if m.bonus.items:
        rows.append(
            Row(
                "bonus",
                "",
                "Điểm thưởng",
                m.bonus.cap,
                cents(score.bonus_c),
                f"Tối đa {formatting.number(m.bonus.cap)} điểm",
            )
        )
    if m.penalty.items:
        rows.append(
            Row(
                "penalty",
                "",
                "Điểm trừ",
                m.penalty.cap,
                cents(score.penalty_c),
                f"Tối đa {formatting.number(m.penalty.cap)} điểm",
            )
        )
    rows.append(
        Row(
            "total",
            "",
            "Tổng điểm tự đánh giá",
            cents(score.applicable_c),
            cents(score.total_c),
            f"Chỉ số {formatting.percent(cents(score.index_u))}",
        )
    )
    explained = _explained(loaded, evaluation.leaves, entries)
    stored = report_of(sub)
    return ReportData(
        agency=agency,
        year=agency.cycle.year,
        province=province.strip(),
        draft=sub.state == workflow.DRAFT,
        submitted_at=sub.submitted_at,
        rows=rows,
        total=cents(score.total_c),
        applicable_max=cents(score.applicable_c),
        index=cents(score.index_u),
        surveys_imported=evaluation.surveys_imported,
        explained=explained,
        difficulties=stored.difficulties if stored else "",
        proposals=stored.proposals if stored else "",
        signer_title=stored.signer_title if stored else "",
        signer_name=stored.signer_name if stored else "",
    )


def _shown(achieved_c: int, leaves: list[Leaf], surveys_imported: bool) -> Decimal | None:
    """A row's points, the engine's; none ("—") for survey leaves before their results."""
    if not surveys_imported and leaves and all(not self_scored(leaf) for leaf in leaves):
        return None
    return cents(achieved_c)


def _note(
    leaves: list[Leaf],
    results: Mapping[str, LeafResult],
    surveys_imported: bool,
    weighted: int | None,
) -> str:
    parts = []
    if leaves and all(not self_scored(leaf) for leaf in leaves):
        parts.append(
            "Đánh giá qua điều tra xã hội học"
            + ("" if surveys_imported else "; Sở Nội vụ chấm theo kết quả điều tra")
        )
    excluded = [
        leaf.code
        for leaf in leaves
        if (r := results.get(leaf.code)) is not None and r.state == "dna" and not r.applicable
    ]
    if excluded:
        parts.append("Không phát sinh: " + ", ".join(excluded) + " (không tính vào điểm tối đa)")
    if weighted is not None:
        parts.append(f"Quy đổi theo trọng số: {formatting.number(cents(weighted))} điểm")
    return "; ".join(parts)


def _explained(
    loaded: LoadedSet, results: Mapping[str, LeafResult], entries: Mapping[str, StoredEntry]
) -> list[Explained]:
    """Leaves scored above 0 that need evidence and have none, or whose documents miss a
    detail: the report explains them with the agency's own explanation."""
    out = []
    for leaf in leaves_of(loaded):
        result = results.get(leaf.code)
        if result is None or not result.self_c or not self_scored(leaf) or leaf.evidence == "none":
            continue
        entry = entries.get(leaf.code)
        documents = entry.evidence if entry is not None else []
        data = (entry.data if entry is not None else None) or {}
        issues = [i for i in result.issues if i.code in INCOMPLETE]
        if not documents and leaf.evidence == "required":
            problem = "Chưa có tài liệu kiểm chứng."
        elif issues:
            problem = " ".join(issue_text(i, leaf) for i in issues)
        else:
            continue
        out.append(
            Explained(
                leaf.code,
                leaf.name,
                cents(result.self_c),
                problem,
                str(data.get("explanation") or "").strip(),
            )
        )
    return out


# ================================================================================ the texts
@dataclass
class TextsOutcome:
    ok: bool
    message: str
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    status: int = 200


def texts_form(agency: Agency) -> dict[str, str]:
    stored = report_of(submission_of(agency))
    return {k: (getattr(stored, k) if stored else "") for k in TEXTS}


def save_texts(agency: Agency, user: User, form: Mapping[str, str]) -> TextsOutcome:
    """Store the officer's texts (difficulties, proposals, the signer). They are the report's
    words, not the self-assessment's facts: they may change after submission too."""
    values = {k: str(form.get(k, "")).strip() for k in TEXTS}
    errors = {
        k: (
            f"“{TEXT_LABELS[k]}” dài {formatting.number(len(v), 0)} ký tự, tối đa "
            f"{formatting.number(TEXTS[k], 0)} ký tự."
        )
        for k, v in values.items()
        if len(v) > TEXTS[k]
    }
    if errors:
        return TextsOutcome(
            False, "Chưa lưu nội dung báo cáo; xem thông báo bên cạnh từng ô.", values, errors, 400
        )
    sub = submission_of(agency)
    stored = report_of(sub)
    old = {k: (getattr(stored, k) if stored else "") for k in TEXTS}
    if old == values:
        return TextsOutcome(True, "Không có thay đổi nào cần lưu.", values)
    with commit_or_conflict() as saved:
        if stored is None:
            stored = SubmissionReport(submission_id=sub.id)
            db.session.add(stored)
        for k, v in values.items():
            setattr(stored, k, v)
        stored.updated_at = utcnow()
        stored.updated_by = user.id
        audit(user, "report", "texts", old, values, agency=agency, reason="nội dung báo cáo")
    if not saved.ok:
        return TextsOutcome(False, f"Chưa lưu nội dung báo cáo: {saved.why}", values, {}, 409)
    return TextsOutcome(True, "Đã lưu nội dung báo cáo.", values)


# ============================================================================= the signed scan
@dataclass
class ScanOutcome:
    ok: bool
    message: str
    status: int = 200


def upload_scan(
    agency: Agency,
    user: User,
    upload: FileStorage | None,
    folder: str | Path,
    max_mb: int,
) -> ScanOutcome:
    """Store the signed, stamped report (PDF or image, checked by its content as evidence is)
    as the submission's cover document; a new scan replaces the previous one. Only once the
    self-assessment is submitted: before, there is nothing signed to send."""
    sub = submission_of(agency)
    if sub.state == workflow.DRAFT:
        return ScanOutcome(
            False,
            "Chỉ tải lên bản báo cáo đã ký sau khi nộp hồ sơ tự đánh giá; bản báo cáo chưa "
            "được lưu.",
            403,
        )
    if upload is None or not upload.filename:
        return ScanOutcome(False, "Hãy chọn tệp bản báo cáo đã ký (PDF, JPG hoặc PNG).", 400)
    name = upload.filename
    limit = max_mb * 1024 * 1024
    content = upload.stream.read(limit + 1)
    if len(content) > limit:
        return ScanOutcome(
            False,
            f"Tệp “{name}” vượt quá dung lượng cho phép ({max_mb} MB); bản báo cáo chưa được lưu.",
            400,
        )
    if not content:
        return ScanOutcome(False, f"Tệp “{name}” rỗng; bản báo cáo chưa được lưu.", 400)
    kind = sniff(content)
    if kind is None or kind.extension not in SCAN_KINDS:
        return ScanOutcome(
            False,
            f"Tệp “{name}” không phải PDF, JPG hoặc PNG (kiểm tra theo nội dung tệp, không theo "
            "đuôi tên); bản báo cáo chưa được lưu.",
            400,
        )
    stored_name = f"{uuid.uuid4().hex}.{kind.extension}"
    path = Path(folder) / stored_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    report = report_of(sub)
    previous = report.scan_stored_name if report is not None else ""
    old = report.scan_original_name if report is not None else ""
    with commit_or_conflict() as saved:
        if report is None:
            report = SubmissionReport(submission_id=sub.id)
            db.session.add(report)
        report.scan_original_name = display_name(name, kind)
        report.scan_stored_name = stored_name
        report.scan_content_type = kind.content_type
        report.scan_size = len(content)
        report.scan_uploaded_at = utcnow()
        report.scan_uploaded_by = user.id
        audit(
            user,
            "report",
            "scan",
            old,
            {"file": report.scan_original_name, "stored": stored_name},
            agency=agency,
            reason="tải lên báo cáo tự đánh giá đã ký",
        )
    if not saved.ok:
        path.unlink(missing_ok=True)
        return ScanOutcome(False, f"Bản báo cáo chưa được lưu: {saved.why}", 409)
    if previous and previous != stored_name:
        (Path(folder) / previous).unlink(missing_ok=True)
    return ScanOutcome(
        True, f"Đã lưu bản báo cáo đã ký “{report.scan_original_name}” làm văn bản kèm hồ sơ."
    )


def cover_of(agency: Agency) -> SubmissionReport | None:
    """The submission's cover document (the signed report), when one was uploaded."""
    sub = agency.submission
    report = None if sub is None else report_of(sub)
    return report if report is not None and report.scan_stored_name else None


def scan_file(user: User, agency: Agency, folder: str | Path) -> StoredFile:
    """The signed scan, for its agency's officer, the panel and the secretariat (others 403)."""
    if user.role not in ROLES:
        raise Forbidden()
    if user.role == AGENCY and not accounts.owns(user, agency):
        raise Forbidden("Bạn không có quyền xem báo cáo của đơn vị khác.")
    report = cover_of(agency)
    if report is None:
        raise NotFound("Đơn vị chưa tải lên bản báo cáo đã ký.")
    kinds = {k.content_type: k for k in FILE_KINDS.values()}
    kind = kinds.get(report.scan_content_type)
    if kind is None or not (Path(folder) / report.scan_stored_name).is_file():
        raise NotFound("Không tìm thấy tệp báo cáo đã ký trên máy chủ.")
    return StoredFile(
        Path(folder), report.scan_stored_name, kind.content_type, report.scan_original_name
    )
