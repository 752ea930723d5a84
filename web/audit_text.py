"""The audit log as a person reads it: Vietnamese names for what changed (entities, fields,
states), values in the pages' formats (dates dd/mm/yyyy, documents by their name, stored-file
hashes shortened). The log itself (``web.audit``) keeps what was written, unchanged; this only
reads it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from parindex import dates
from parindex.rules import FACT_LABELS
from parindex.text import parse_date
from web.models import AuditEntry
from web.workflow import STATE_LABELS

#: what an entry is about (``AuditEntry.entity``)
ENTITY_LABELS = {
    "submission": "Hồ sơ tự đánh giá",
    "entry": "Số liệu tự đánh giá",
    "evidence": "Tài liệu kiểm chứng",
    "explanation": "Giải trình",
    "appraisal": "Điểm thẩm định",
    "assignment": "Phân công thẩm định",
    "survey": "Kết quả điều tra XHH",
    "publication": "Công bố kết quả",
    "cycle": "Kỳ đánh giá",
    "criteria": "Bộ tiêu chí",
    "deadline": "Thời hạn",
    "agency": "Đơn vị trong kỳ",
    "unit": "Đơn vị",
    "lineage": "Sắp xếp đơn vị",
    "account": "Tài khoản",
    "plan": "Kế hoạch CCHC",
    "plan-report": "Báo cáo nhiệm vụ kế hoạch CCHC",
}

#: the fields of a value written as ``key=value; key=value``, by entity ("" for any entity)
FIELD_LABELS: dict[str, dict[str, str]] = {
    "": {
        **FACT_LABELS,
        "numerator": "Tử số",
        "denominator": "Mẫu số",
        "did_not_arise": "Không phát sinh, lý do",
        "explanation": "Giải trình",
        "name": "Tên",
        "block": "Khối",
    },
    "evidence": {
        "number": "Số, ký hiệu",
        "date": "Ngày ban hành",
        "issuer": "Cơ quan ban hành",
        "title": "Trích yếu",
        "location": "Trang, mục",
        "url": "Đường dẫn",
        "file": "Tệp",
        "stored": "Lưu trữ",
    },
}

#: a deadline's key part (``2025/self_deadline``)
DEADLINE_LABELS = {"self_deadline": "hạn tự đánh giá", "explanation_deadline": "hạn giải trình"}

#: a stored file's name is its content's hash: shown by its first characters
HASH_SHOWN = 10

_PAIR = re.compile(r"(?:^|; )([a-z_]+)=")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_HEX_NAME = re.compile(r"([0-9a-f]{32,})(\.[A-Za-z0-9]{1,8})?")


@dataclass(frozen=True)
class Line:
    """One readable entry: each value is a list of (label, text) parts; a label may be ""."""

    at: str
    who: str
    agency: str
    entity: str
    key: str
    old: list[tuple[str, str]]
    new: list[tuple[str, str]]
    reason: str
    full_hash: bool = False


def entity_label(entity: str) -> str:
    return ENTITY_LABELS.get(entity, entity)


def key_text(entity: str, key: str) -> str:
    """``1.1.1/round2`` → "1.1.1, vòng 2"; ``1.1.1#12`` → "1.1.1, tài liệu số 12";
    ``2025/self_deadline`` → "2025, hạn tự đánh giá"."""
    form = _KEY_FORMS.get(entity)
    if form is not None and (m := form[0].fullmatch(key)):
        return form[1](m)
    return key


#: the audit entities whose keys have parts to put in words: the key's pattern, its wording
#: (a cycle's deadline entity shares its name with the deadline rule kind, hence a table
#: rather than comparisons with the entity's name)
_KEY_FORMS: dict[str, tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = {
    "appraisal": (re.compile(r"(.+)/round([12])"), lambda m: f"{m[1]}, vòng {m[2]}"),
    "evidence": (re.compile(r"(.+)#([0-9]+)"), lambda m: f"{m[1]}, tài liệu số {m[2]}"),
    "deadline": (
        re.compile(r"([0-9]{4})/([a-z_]+)"),
        lambda m: f"{m[1]}, {DEADLINE_LABELS.get(m[2], m[2])}",
    ),
}


def _scalar(value: str, *, full_hash: bool) -> str:
    if _ISO_DAY.fullmatch(value):
        day = parse_date(value)
        return dates.day(day) if isinstance(day, dt.date) else value
    if value in ("True", "False"):
        return "Có" if value == "True" else "Không"
    if not full_hash and (m := _HEX_NAME.fullmatch(value)):
        return f"{m[1][:HASH_SHOWN]}…{m[2] or ''}"
    return value


def value_parts(entity: str, text: str, *, full_hash: bool = False) -> list[tuple[str, str]]:
    """A stored value in words: a state by its name, ``key=value; …`` as labelled parts (in
    the order a person reads them), a date as dd/mm/yyyy, True/False as Có/Không."""
    if not text:
        return []
    if entity == "submission" and text in STATE_LABELS:
        return [("", STATE_LABELS[text])]
    starts = list(_PAIR.finditer(text))
    if not starts or starts[0].start() != 0:
        return [("", _scalar(text, full_hash=full_hash))]
    labels = {**FIELD_LABELS[""], **FIELD_LABELS.get(entity, {})}
    pairs = []
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        pairs.append((m[1], text[m.end() : end]))
    order = [*FIELD_LABELS.get(entity, {}), *FIELD_LABELS[""]]  # the entity's own first
    pairs.sort(key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
    return [(labels.get(k, k), _scalar(v, full_hash=full_hash)) for k, v in pairs]


def readable(entry: AuditEntry, email: str, code: str, *, full_hash: bool = False) -> Line:
    """One audit entry as the audit page (and its export) shows it."""
    return Line(
        at=dates.moment(entry.at),
        who=email or "hệ thống",
        agency=code,
        entity=entity_label(entry.entity),
        key=key_text(entry.entity, entry.key),
        old=value_parts(entry.entity, entry.old, full_hash=full_hash),
        new=value_parts(entry.entity, entry.new, full_hash=full_hash),
        reason=entry.reason,
        full_hash=full_hash,
    )


def parts_text(parts: list[tuple[str, str]]) -> str:
    """Labelled parts on one line each (for a spreadsheet cell)."""
    return "\n".join(f"{label}: {value}" if label else value for label, value in parts)
