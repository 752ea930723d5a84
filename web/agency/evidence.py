"""Documents cited for a leaf (tài liệu kiểm chứng): the list, adding one with an uploaded file
(checked by its content, stored under a generated name) or a link, deleting, and serving the file
to those allowed to read it. A rejected or failed add leaves no file behind."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import Forbidden, NotFound
from werkzeug.utils import secure_filename

from parindex.criteria import Leaf, LoadedSet
from parindex.text import TextError, is_blank, parse_date
from web import accounts, formatting
from web.agency.selfassessment import Status, entries_of, loaded_set, status_of
from web.audit import audit
from web.engine import evaluate, submission_of
from web.errors import commit_or_conflict
from web.leafform import Message, leaf_messages, self_scored
from web.models import Agency, Entry, Evidence, User, db, utcnow
from web.pages import find_leaf, page_of_leaf
from web.roles import AGENCY, ROLES
from web.workflow import can_edit


@dataclass(frozen=True)
class FileKind:
    extension: str
    content_type: str
    label: str


FILE_KINDS = {
    "pdf": FileKind("pdf", "application/pdf", "PDF"),
    "docx": FileKind(
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word (DOCX)",
    ),
    "xlsx": FileKind(
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel (XLSX)",
    ),
    "jpg": FileKind("jpg", "image/jpeg", "ảnh JPG"),
    "png": FileKind("png", "image/png", "ảnh PNG"),
}
ACCEPT = ".pdf,.docx,.xlsx,.jpg,.jpeg,.png"
_STORED = re.compile(r"^[0-9a-f]{32}\.(pdf|docx|xlsx|jpg|png)$")


def sniff(content: bytes) -> FileKind | None:
    """The file's type from its content (magic bytes; a DOCX/XLSX must be an Office zip)."""
    if content.startswith(b"%PDF-"):
        return FILE_KINDS["pdf"]
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return FILE_KINDS["png"]
    if content.startswith(b"\xff\xd8\xff"):
        return FILE_KINDS["jpg"]
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as zf:
                names = zf.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        if any(n.startswith("word/") for n in names):
            return FILE_KINDS["docx"]
        if any(n.startswith("xl/") for n in names):
            return FILE_KINDS["xlsx"]
    return None


def display_name(raw: str, kind: FileKind) -> str:
    """The uploaded file's name as shown and offered on download: its last path segment, no
    control characters, the extension its content calls for."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C" and ch not in '"<>|:*?')
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    stem = name.rsplit(".", 1)[0] if "." in name else name
    if not stem or not secure_filename(stem + "." + kind.extension):
        stem = "minh-chung"
    return f"{stem[:150]}.{kind.extension}"


@dataclass
class EvidenceForm:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


EVIDENCE_INPUTS = ("number", "date", "issuer", "title", "location", "url")
_EVIDENCE_MAX = {"number": 100, "issuer": 300, "title": 500, "location": 200, "url": 1000}


@dataclass
class EvidencePage:
    agency: Agency
    leaf: Leaf
    page: str
    items: list[Evidence]
    messages: list[Message]
    status: Status
    form: EvidenceForm
    max_mb: int
    accept: str = ACCEPT

    @staticmethod
    def size_label(size: int) -> str:
        if size < 1024:
            return f"{size} byte"
        if size < 1024 * 1024:
            return f"{formatting.number(Decimal(size) / 1024, 0)} KB"
        return f"{formatting.number(Decimal(size) / (1024 * 1024), 1)} MB"


def evidence_page(
    agency: Agency,
    code: str,
    max_mb: int,
    form: EvidenceForm | None = None,
    now: dt.datetime | None = None,
) -> EvidencePage:
    loaded = loaded_set(agency)
    leaf = _evidence_leaf(loaded, code)
    entry = entries_of(agency, [code]).get(code)
    result = evaluate(agency, loaded, appraised=False).leaves.get(code)
    return EvidencePage(
        agency,
        leaf,
        page_of_leaf(loaded, code),
        list(entry.evidence) if entry is not None else [],
        leaf_messages(result.issues if result else [], leaf),
        status_of(agency, now),
        form or EvidenceForm(),
        max_mb,
    )


def _evidence_leaf(loaded: LoadedSet, code: str) -> Leaf:
    leaf = find_leaf(loaded, code)
    if not self_scored(leaf):
        raise NotFound("Tiêu chí chấm qua điều tra xã hội học không có tài liệu kiểm chứng.")
    return leaf


@dataclass
class EvidenceOutcome:
    ok: bool
    message: str
    form: EvidenceForm
    status: int = 200
    notes: list[str] = field(default_factory=list)


def _check_evidence(
    values: dict[str, str], upload: FileStorage | None, limit: int, max_mb: int
) -> tuple[dict[str, str], dt.date | None, bytes, FileKind | None]:
    errors: dict[str, str] = {}
    if not values["number"]:
        errors["number"] = "Nhập số, ký hiệu của văn bản (ví dụ 125/KH-UBND)."
    for key, most in _EVIDENCE_MAX.items():
        if len(values[key]) > most:
            errors[key] = f"Dài quá {formatting.number(most, 0)} ký tự."
    date = None
    if not is_blank(values["date"]):
        parsed = parse_date(values["date"])
        if isinstance(parsed, TextError):
            errors["date"] = f"{parsed.message}."
        else:
            date = parsed
    if values["url"] and "url" not in errors:
        parts = urlsplit(values["url"])
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            errors["url"] = "Đường dẫn phải bắt đầu bằng http:// hoặc https:// (ví dụ https://…)."
    content = b""
    kind = None
    has_file = upload is not None and bool(upload.filename)
    if has_file and upload is not None:
        content = upload.stream.read(limit + 1)
        name = upload.filename or ""
        if len(content) > limit:
            errors["file"] = (
                f"Tệp “{name}” vượt quá dung lượng cho phép ({max_mb} MB); tệp chưa được lưu."
            )
        elif not content:
            errors["file"] = f"Tệp “{name}” rỗng; tệp chưa được lưu."
        else:
            kind = sniff(content)
            if kind is None:
                errors["file"] = (
                    f"Tệp “{name}” không phải PDF, DOCX, XLSX, JPG hoặc PNG (kiểm tra theo "
                    "nội dung tệp, không theo đuôi tên); tệp chưa được lưu."
                )
    if has_file and values["url"]:
        errors["url"] = "Chỉ chọn một: tải tệp lên hoặc nhập đường dẫn, không cả hai."
    if not has_file and not values["url"] and "file" not in errors:
        errors["file"] = "Hãy tải tệp minh chứng lên hoặc nhập đường dẫn (http/https)."
    return errors, date, content, kind


#: whether the agency may change documents now, and why not: the self-assessment's rule
#: (:func:`web.workflow.can_edit`) or, while it explains, the explanation round's
Gate = Callable[[Agency, "dt.datetime | None"], tuple[bool, str]]


def add_evidence(
    agency: Agency,
    user: User,
    code: str,
    form: Mapping[str, str],
    upload: FileStorage | None,
    folder: str | Path,
    max_mb: int,
    now: dt.datetime | None = None,
    *,
    gate: Gate = can_edit,
    explanation: bool = False,
) -> EvidenceOutcome:
    """Add a document to a leaf: metadata plus a file (checked by content, stored under a
    generated name) or a link. A rejected or failed add leaves no file behind. ``gate`` says
    whether documents may change now; ``explanation`` marks a document added while answering
    the panel's questions."""
    values = {k: str(form.get(k, "")).strip() for k in EVIDENCE_INPUTS}
    ev_form = EvidenceForm(values)
    ok, why = gate(agency, now)
    if not ok:
        return EvidenceOutcome(False, f"{why} Minh chứng chưa được lưu.", ev_form, 403)
    loaded = loaded_set(agency)
    _evidence_leaf(loaded, code)
    errors, date, content, kind = _check_evidence(values, upload, max_mb * 1024 * 1024, max_mb)
    if errors:
        ev_form.errors = errors
        return EvidenceOutcome(
            False, "Minh chứng chưa được lưu; xem thông báo bên cạnh từng ô.", ev_form, 400
        )
    evidence = Evidence(
        number=values["number"],
        date=date,
        issuer=values["issuer"],
        title=values["title"],
        location=values["location"],
        url=values["url"],
        uploaded_at=now or utcnow(),
        uploaded_by=user.id,
        explanation=explanation,
    )
    notes = []
    path: Path | None = None
    if kind is not None and upload is not None:
        original = upload.filename or ""
        evidence.original_name = display_name(original, kind)
        evidence.stored_name = f"{uuid.uuid4().hex}.{kind.extension}"
        evidence.content_type = kind.content_type
        evidence.size = len(content)
        claimed = original.rsplit(".", 1)[-1].lower() if "." in original else ""
        if claimed not in (kind.extension, "jpeg" if kind.extension == "jpg" else ""):
            notes.append(
                f"Tệp “{original}” có nội dung là {kind.label}; đã lưu với tên "
                f"“{evidence.original_name}”."
            )
        path = Path(folder) / evidence.stored_name
        path.write_bytes(content)
    details = {c.key: getattr(evidence, c.key) for c in Evidence.__table__.columns if c.key != "id"}
    for attempt in range(2):  # once more if another request created the leaf's entry meanwhile
        if attempt:
            evidence = Evidence(**details)  # the first attempt's row was rolled back
        created = False
        with commit_or_conflict(_AlreadyThere) as saved:
            sub = submission_of(agency)
            entry = db.session.execute(
                db.select(Entry).filter_by(submission_id=sub.id, leaf=code)
            ).scalar_one_or_none()
            if entry is None:  # two first documents at once: the entry's unique key refuses one
                created = True
                entry = Entry(submission=sub, leaf=code, data={}, version=1, updated_by=user.id)
                db.session.add(entry)
            else:
                # one writer per leaf at a time: a double click's second request waits here
                # until the first has committed, and then finds its document below
                db.session.execute(
                    update(Entry).where(Entry.id == entry.id).values(version=Entry.version + 1)
                )
                db.session.expire(entry, ["evidence", "version"])
                if any(_same_document(ev, evidence, content, folder) for ev in entry.evidence):
                    raise _AlreadyThere
            entry.evidence.append(evidence)
            db.session.flush()
            audit(
                user,
                "evidence",
                f"{code}#{evidence.id}",
                "",
                _evidence_summary(evidence),
                agency=agency,
                reason="bổ sung minh chứng khi giải trình" if explanation else "thêm minh chứng",
            )
        raced = (created and isinstance(saved.error, IntegrityError)) or isinstance(
            saved.error,
            OperationalError,  # SQLite: a write from a snapshot another one changed
        )
        if saved.ok or not raced:
            break
    if not saved.ok:
        if path is not None:
            path.unlink(missing_ok=True)
        if isinstance(saved.error, _AlreadyThere):
            return EvidenceOutcome(
                False,
                f"Tài liệu này đã có trong minh chứng của tiêu chí {code} (có thể do bấm "
                "“Thêm” hai lần); không thêm lần nữa.",
                EvidenceForm(),
                409,
            )
        return EvidenceOutcome(
            False,
            "Lỗi hệ thống khi lưu minh chứng; minh chứng chưa được lưu. Vui lòng thử lại.",
            ev_form,
            500,
        )
    return EvidenceOutcome(
        True,
        f"Đã thêm minh chứng {evidence.number} cho tiêu chí {code}.",
        EvidenceForm(),
        200,
        notes,
    )


class _AlreadyThere(Exception):
    """The document is already cited for the leaf (a double click, a second tab)."""


def _same_document(ev: Evidence, new: Evidence, content: bytes, folder: str | Path) -> bool:
    """Whether stored document ``ev`` is ``new`` again: the same details and the same link, or
    the same file (name and content)."""
    texts = ("number", "issuer", "title", "location", "url", "original_name")
    if ev.date != new.date or any(
        (getattr(ev, f) or "") != (getattr(new, f) or "")
        for f in texts  # "" before a flush
    ):
        return False
    if not ev.stored_name or not content:
        return not ev.stored_name and not content
    stored = Path(folder) / ev.stored_name
    return ev.size == len(content) and stored.is_file() and stored.read_bytes() == content


def _evidence_summary(ev: Evidence) -> dict[str, Any]:
    return {
        "number": ev.number,
        "date": ev.date.isoformat() if ev.date else "",
        "issuer": ev.issuer,
        "title": ev.title,
        "location": ev.location,
        "url": ev.url,
        "file": ev.original_name,
        "stored": ev.stored_name,
    }


def _own_evidence(agency: Agency, evidence_id: int) -> Evidence:
    ev = db.session.get(Evidence, evidence_id)
    if ev is None or ev.entry.submission.agency_id != agency.id:
        raise NotFound("Không tìm thấy minh chứng.")
    return ev


def delete_evidence(
    agency: Agency,
    user: User,
    evidence_id: int,
    folder: str | Path,
    now: dt.datetime | None = None,
    *,
    gate: Gate = can_edit,
) -> tuple[bool, str, str]:
    """Delete one of the agency's documents (and its file). Returns (ok, message, leaf code)."""
    ev = _own_evidence(agency, evidence_id)
    code = ev.entry.leaf
    ok, why = gate(agency, now)
    if not ok:
        return False, f"{why} Minh chứng chưa bị xóa.", code
    summary = _evidence_summary(ev)
    stored = ev.stored_name
    db.session.delete(ev)
    audit(
        user,
        "evidence",
        f"{code}#{evidence_id}",
        summary,
        "",
        agency=agency,
        reason="xóa minh chứng",
    )
    with commit_or_conflict() as saved:  # deleted meanwhile from another tab: one deletion
        pass
    if not saved.ok:
        return False, f"Minh chứng chưa bị xóa: {saved.why}", code
    if stored and _STORED.match(stored):
        (Path(folder) / stored).unlink(missing_ok=True)
    return True, f"Đã xóa minh chứng {summary['number']} của tiêu chí {code}.", code


#: the types a browser shows itself: these open in the browser on request (``?xem=1``)
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})


@dataclass
class StoredFile:
    folder: Path
    name: str
    content_type: str
    download_name: str

    @property
    def viewable(self) -> bool:
        """Whether the browser may show it (PDF, images); Office files are always downloaded."""
        return self.content_type in INLINE_TYPES


def evidence_file(user: User, evidence_id: int, folder: str | Path) -> StoredFile:
    """The stored file of a document, for its agency's officer, appraisers, the secretariat
    and administrators only (others: 403)."""
    ev = db.session.get(Evidence, evidence_id)
    if ev is None:
        raise NotFound("Không tìm thấy minh chứng.")
    if user.role == AGENCY and not accounts.owns(user, ev.entry.submission.agency):
        raise Forbidden("Bạn không có quyền xem minh chứng của đơn vị khác.")
    if user.role not in ROLES:
        raise Forbidden()
    if not ev.stored_name or not _STORED.match(ev.stored_name):
        raise NotFound("Minh chứng này không có tệp tải lên hệ thống.")
    if not (Path(folder) / ev.stored_name).is_file():
        raise NotFound("Không tìm thấy tệp minh chứng trên máy chủ.")
    return StoredFile(Path(folder), ev.stored_name, ev.content_type, ev.original_name)
