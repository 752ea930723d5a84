"""The Excel round trip of an agency's self-assessment, part 2: reading the filled-in template
back. Every problem is reported by Excel row and column (the engine's issues mapped back to
cells); nothing is saved unless the whole file is valid; every changed entry gets a new version
and an audit entry.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import update

from parindex import dates
from parindex.criteria import LoadedSet
from parindex.errors import Issue, message
from parindex.submission import parse_submission
from parindex.tables import check_xlsx
from parindex.text import TextError, parse_count, parse_date, parse_score, parse_yes_no
from web.agency.excel_template import (
    COL,
    COLUMNS,
    EVIDENCE_COLUMNS,
    EVIDENCE_MAX,
    INPUTS,
    MANAGED,
    MAX_TEXT,
    META,
    NO,
    SHEET,
    YES,
    LeafRow,
    leaf_rows,
    levels_of,
)
from web.audit import audit
from web.engine import set_for, submission_of
from web.errors import commit_or_conflict
from web.leafform import describe_data
from web.models import Agency, Entry, Evidence, User, db, utcnow
from web.tabular import (
    CellProblem,
    Table,
    TableError,
    is_blank,
    kind_of,
    letter,
    normalise,
    read_workbook,
)
from web.workflow import can_edit


@dataclass
class Change:
    code: str
    name: str
    row: int
    old: dict[str, Any]
    new: dict[str, Any]
    #: ``old`` and ``new`` in words, as the form says them (the rule's labels, a level's wording)
    old_text: str = ""
    new_text: str = ""


@dataclass
class ExcelImport:
    refused: str = ""  # the self-assessment can no longer be changed
    problems: list[CellProblem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    evidence_added: list[tuple[str, str]] = field(default_factory=list)
    evidence_skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[CellProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused and not self.problems


@dataclass
class _Row:
    number: int
    row: LeafRow
    data: dict[str, Any]  # the entry's data as stored (date ISO text, score decimal text)
    evidence: dict[str, Any] | None
    bad: set[str] = field(default_factory=set)  # columns already reported


def _problem(r: int | None, key: str, code: str, text: str) -> CellProblem:
    if key in COL:
        return CellProblem(r, letter(COL[key]), COLUMNS[COL[key]].header, code, text)
    return CellProblem(r, "", "", code, text)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return dates.day(value)
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def _canonical(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "+0") else text


def _read_row(number: int, row: LeafRow, cells: list[Any], problems: list[CellProblem]) -> _Row:
    """The row's cells → the entry's data (as stored) and the document to add; problems of
    cells that cannot be read at all."""
    out = _Row(number, row, {}, None)
    leaf = row.leaf

    def value(key: str) -> Any:
        i = COL[key]
        return cells[i] if i < len(cells) else None

    def bad(key: str, error: TextError) -> None:
        out.bad.add(key)
        problems.append(_problem(number, key, "fact-wrong-type", f"{error.message}."))

    if row.survey:
        for key in INPUTS:
            if not is_blank(value(key)):
                out.bad.add(key)
                problems.append(
                    _problem(
                        number,
                        key,
                        "survey-self-score",
                        message("survey-self-score", value=leaf.code),
                    )
                )
        return out
    # every cell is read by parindex.text, as every other front end reads it
    if not is_blank(value("done")):
        done = parse_yes_no(value("done"))
        if isinstance(done, TextError):
            bad("done", done)
        else:
            out.data["done"] = done
    if not is_blank(value("date")):
        date = parse_date(value("date"))
        if isinstance(date, TextError):
            bad("date", date)
        else:
            out.data["date"] = date.isoformat()
    for key in ("numerator", "denominator", "count"):
        if not is_blank(value(key)):
            count = parse_count(value(key))
            if isinstance(count, TextError):
                bad(key, count)
            else:
                out.data[key] = count
    if not is_blank(value("level")):
        _, back = levels_of(leaf)
        text = _text(value("level"))
        out.data["level"] = back.get(normalise(text), text)
    if not is_blank(value("score")):
        score = parse_score(value("score"))
        if isinstance(score, TextError):
            bad("score", score)
        else:
            out.data["score"] = _canonical(score)
    for key in ("did_not_arise", "explanation"):
        text = _text(value(key))
        if len(text) > MAX_TEXT[key]:
            out.bad.add(key)
            problems.append(_problem(number, key, "too-long", f"Dài quá {MAX_TEXT[key]} ký tự."))
        elif text:
            out.data[key] = text
    ev = {k[3:]: value(k) for k in EVIDENCE_COLUMNS}
    if any(not is_blank(v) for v in ev.values()):
        item: dict[str, Any] = {k: _text(v) for k, v in ev.items() if k != "date"}
        item["date"] = None
        if not is_blank(ev["date"]):
            ev_date = parse_date(ev["date"])
            if isinstance(ev_date, TextError):
                bad("ev_date", ev_date)
            else:
                item["date"] = ev_date
        for key, most in EVIDENCE_MAX.items():
            if len(item[key]) > most:
                out.bad.add("ev_" + key)
                problems.append(_problem(number, "ev_" + key, "too-long", f"Dài quá {most} ký tự."))
        if not item["number"]:
            out.bad.add("ev_number")
            problems.append(
                _problem(
                    number,
                    "ev_number",
                    "evidence-incomplete",
                    "Tài liệu kiểm chứng thiếu số, ký hiệu văn bản.",
                )
            )
        if not item["url"]:
            out.bad.add("ev_url")
            problems.append(
                _problem(
                    number,
                    "ev_url",
                    "evidence-no-source",
                    "Tài liệu kiểm chứng cần đường dẫn (http/https); tệp đính kèm thì tải lên trên trang tự đánh giá.",
                )
            )
        elif "ev_url" not in out.bad:
            parts = urlsplit(item["url"])
            if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
                out.bad.add("ev_url")
                problems.append(
                    _problem(
                        number,
                        "ev_url",
                        "bad-url",
                        "Đường dẫn phải bắt đầu bằng http:// hoặc https://.",
                    )
                )
        out.evidence = item
    return out


def _comparable(data: dict[str, Any] | None) -> dict[str, Any]:
    """The managed part of an entry's data, as compared for "changed": empty values dropped,
    text stripped, scores as numbers."""
    out: dict[str, Any] = {}
    for key in MANAGED:
        value = (data or {}).get(key)
        if value is None or value == "":
            continue
        if key == "score":
            try:
                value = Decimal(str(value))
            except InvalidOperation:
                pass
        elif isinstance(value, str):
            value = unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()
        out[key] = value
    return out


def _number_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _engine_entry(data: dict[str, Any]) -> dict[str, Any]:
    """An entry's data as the submission-file mapping the engine reads."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "date":
            out[key] = dt.date.fromisoformat(value)
        elif key == "score":
            out[key] = Decimal(value)
        else:
            out[key] = value
    return out


def _column_of(issue: Issue) -> str:
    loc = issue.location
    if loc.item is not None:  # an evidence document: the column of the part at fault
        part = loc.fact if loc.fact != "evidence" else str(issue.params.get("key", ""))
        return "ev_" + part if "ev_" + part in COL else "ev_number"
    if loc.fact in COL:
        return loc.fact
    return "code"


def import_workbook(
    agency: Agency, user: User, data: bytes, now: dt.datetime | None = None
) -> ExcelImport:
    """Read the agency's filled-in template; if the whole file is valid, update every changed
    entry (version bumped, audited) and add the new documents."""
    result = ExcelImport()
    ok, why = can_edit(agency, now)
    if not ok:
        result.refused = why
        return result
    loaded = set_for(agency)
    if loaded is None:
        result.refused = "Chưa có bộ tiêu chí cho khối của đơn vị."
        return result
    rows = _read_file(agency, loaded, data, result)
    if not rows:  # the file as a whole is refused; its problems say why
        return result
    entries = {e.leaf: e for e in submission_of(agency).entries}
    changed: dict[str, _Row] = {}
    data_changed: set[str] = set()
    for code, row in rows.items():
        entry = entries.get(code)
        old = _comparable(entry.data if entry else None)
        if _comparable(row.data) != old:
            data_changed.add(code)
            changed[code] = row
        if row.evidence is not None and "ev_number" not in row.bad:
            numbers = {_number_key(ev.number) for ev in (entry.evidence if entry else [])}
            if _number_key(row.evidence["number"]) in numbers:
                result.evidence_skipped.append((code, row.evidence["number"]))
                row.evidence = None
            else:
                changed[code] = row
    _check_with_engine(agency, loaded, entries, changed, data_changed, result)
    if result.problems:
        result.problems.sort(key=lambda p: (p.row or 0, COL.get(_key_of(p), 0)))
        result.evidence_skipped = []
        return result
    _save(agency, loaded, user, entries, changed, data_changed, result, now)
    return result


def _key_of(p: CellProblem) -> str:
    return next((c.key for c in COLUMNS if c.header == p.header), "code")


def _read_file(
    agency: Agency, loaded: LoadedSet, data: bytes, result: ExcelImport
) -> dict[str, _Row]:
    problems = result.problems

    def fail(text: str, code: str = "file-unreadable", row: int | None = None) -> dict[str, _Row]:
        problems.append(CellProblem(row, "", "", code, text))
        return {}

    if not data:
        return fail("Chưa chọn tệp hoặc tệp rỗng.", "file-empty")
    if kind_of(data) == "xls":  # an old .xls, or a password-protected workbook: say which
        try:
            check_xlsx(data)
        except TableError as e:
            return fail(e.message, e.code)
    if kind_of(data) != "xlsx":
        return fail(
            "Tệp không phải bảng tính Excel .xlsx (kiểm tra theo nội dung tệp).", "not-xlsx"
        )
    try:
        sheets = read_workbook(data)
    except TableError as e:
        return fail(e.message, e.code, e.row)
    meta = {_text(r[0]): _text(r[1]) for _, r in sheets.get(META, Table()).rows if len(r) > 1}
    if meta.get("agency") and meta["agency"] != agency.code:
        return fail(
            f"Tệp này là mẫu của đơn vị khác (mã {meta['agency']}); hãy tải mẫu của đơn vị mình.",
            "wrong-agency",
        )
    if meta.get("year") and meta["year"] != str(agency.cycle.year):
        return fail(
            f"Tệp này là mẫu của năm {meta['year']}, không phải năm {agency.cycle.year}.",
            "wrong-year",
        )
    table = sheets.get(SHEET)
    if table is None:
        return fail(
            f"Không có trang tính “{SHEET}”; hãy dùng tệp mẫu tải từ hệ thống.", "bad-sheet"
        )
    header_at = next(
        (i for i, (_, r) in enumerate(table.rows[:10]) if any(normalise(v) == "mã" for v in r)),
        None,
    )
    if header_at is None:
        return fail("Không tìm thấy dòng tiêu đề (ô “Mã”) trên trang “Tự đánh giá”.", "bad-header")
    header_row, header = table.rows[header_at]
    found = {normalise(v): i for i, v in reversed(list(enumerate(header))) if not is_blank(v)}
    for col in COLUMNS:
        if (col.input or col.key == "code") and found.get(normalise(col.header)) != COL[col.key]:
            where = letter(COL[col.key])
            problems.append(
                CellProblem(
                    header_row,
                    where,
                    col.header,
                    "bad-header",
                    f"Cột {where} phải là “{col.header}”; đừng thêm, xóa hoặc đổi tên cột — "
                    "hãy tải lại mẫu.",
                )
            )
    if problems:
        return {}
    for r, c in sorted(table.uncomputed):
        if c in {COL[k] for k in INPUTS}:
            problems.append(
                CellProblem(
                    r,
                    letter(c),
                    COLUMNS[c].header if c < len(COLUMNS) else "",
                    "formula",
                    "Ô chứa công thức chưa có kết quả; hãy nhập giá trị.",
                )
            )
    by_code = {row.leaf.code: row for row in leaf_rows(loaded)}
    out: dict[str, _Row] = {}
    seen: dict[str, int] = {}
    for number, cells in table.rows[header_at + 1 :]:
        code = _text(cells[0] if cells else None)
        filled = any(not is_blank(cells[COL[k]]) for k in INPUTS if COL[k] < len(cells))
        if not code:
            if filled:
                problems.append(
                    _problem(
                        number, "code", "missing-key", "Dòng có dữ liệu nhưng thiếu mã tiêu chí."
                    )
                )
            continue
        leaf_row = by_code.get(code)
        if leaf_row is None:
            problems.append(
                _problem(number, "code", "unknown-leaf", message("unknown-leaf", value=code))
            )
            continue
        if code in seen:
            problems.append(
                _problem(
                    number, "code", "duplicate-code", f"Mã '{code}' đã có ở dòng {seen[code]}."
                )
            )
            continue
        seen[code] = number
        out[code] = _read_row(number, leaf_row, cells, problems)
    if not out and not problems:
        return fail("Trang “Tự đánh giá” không có dòng tiêu chí nào.", "file-empty")
    return out


def _check_with_engine(
    agency: Agency,
    loaded: LoadedSet,
    entries: dict[str, Entry],
    changed: dict[str, _Row],
    data_changed: set[str],
    result: ExcelImport,
) -> None:
    """Run the engine on the changed rows and map its issues back to their cells."""
    if not changed:
        return
    leaves: dict[str, Any] = {}
    new_index: dict[str, int] = {}
    for code, row in changed.items():
        entry = entries.get(code)
        data = row.data if code in data_changed else _engine_safe(entry)
        engine = _engine_entry(data)
        existing = [
            {
                k: v
                for k, v in {
                    "number": ev.number,
                    "date": ev.date,
                    "issuer": ev.issuer,
                    "title": ev.title,
                    "location": ev.location,
                    "url": ev.url,
                    "file": ev.original_name or ev.stored_name,
                }.items()
                if v not in (None, "")
            }
            for ev in (entry.evidence if entry else [])
        ]
        if row.evidence is not None:
            new_index[code] = len(existing)
            existing.append({k: v for k, v in row.evidence.items() if v not in (None, "")})
        if existing:
            engine["evidence"] = existing
        leaves[code] = engine
    raw = {"agency": agency.code, "year": agency.cycle.year, "leaves": leaves}
    parsed = parse_submission(raw, loaded, source="excel")
    seen = {(p.row, p.column) for p in result.problems}
    for issue in parsed.issues:
        found = changed.get(issue.location.leaf)
        if found is None:
            continue
        row = found
        key = _column_of(issue)
        if key.startswith("ev_"):
            item = issue.location.item  # counted from 1
            if item is None or item - 1 != new_index.get(row.row.leaf.code):
                continue  # a document stored earlier: not this file's doing
        elif issue.location.leaf not in data_changed:
            continue  # facts as stored, unchanged by the file
        if key in row.bad:
            continue
        text = issue.message
        if issue.code == "evidence-incomplete":
            missing = str(issue.params.get("key", ""))
            key = "ev_" + missing if "ev_" + missing in COL else key
            text = f"Tài liệu kiểm chứng thiếu “{COLUMNS[COL[key]].header}”."
        if issue.code == "unknown-level":
            shown, _ = levels_of(row.row.leaf)
            text += "; chọn một mức trong danh sách: " + "; ".join(shown.values())
        problem = _problem(row.number, key, issue.code, text)
        if issue.severity == "error":
            if (problem.row, problem.column) not in seen:
                seen.add((problem.row, problem.column))
                result.problems.append(problem)
        elif issue.code != "leaf-empty":
            result.warnings.append(problem)


def _engine_safe(entry: Entry | None) -> dict[str, Any]:
    """A stored entry's managed data that the engine can read (a date that is not ISO is
    left out: it is not this file's doing)."""
    data = {
        k: v
        for k, v in (entry.data if entry else {}).items()
        if k in MANAGED and v not in (None, "")
    }
    if "date" in data:
        try:
            dt.date.fromisoformat(str(data["date"]))
        except ValueError:
            data.pop("date")
    if "score" in data:
        try:
            Decimal(str(data["score"]))
        except InvalidOperation:
            data.pop("score")
    return data


def _save(
    agency: Agency,
    loaded: LoadedSet,
    user: User,
    entries: dict[str, Entry],
    changed: dict[str, _Row],
    data_changed: set[str],
    result: ExcelImport,
    now: dt.datetime | None,
) -> None:
    sub = submission_of(agency)
    stamp = now or utcnow()
    with commit_or_conflict(_Conflict) as saved:
        for code, row in changed.items():
            entry = entries.get(code)
            old = {
                k: v
                for k, v in (entry.data if entry else {}).items()
                if k in MANAGED and v not in (None, "")
            }
            if code in data_changed:
                if entry is None:
                    entry = Entry(
                        submission=sub,
                        leaf=code,
                        data=dict(row.data),
                        version=1,
                        updated_at=stamp,
                        updated_by=user.id,
                    )
                    db.session.add(entry)
                    db.session.flush()
                else:
                    kept = {k: v for k, v in (entry.data or {}).items() if k not in MANAGED}
                    done = db.session.execute(
                        update(Entry)
                        .where(Entry.id == entry.id, Entry.version == entry.version)
                        .values(
                            data={**kept, **row.data},
                            version=entry.version + 1,
                            updated_at=stamp,
                            updated_by=user.id,
                        )
                        .execution_options(synchronize_session=False)
                    )
                    if done.rowcount != 1:  # type: ignore[attr-defined]
                        raise _Conflict(code)
                    db.session.expire(entry)
                audit(user, "entry", code, old, row.data, agency=agency, reason="nhập từ tệp Excel")
                result.changes.append(
                    Change(
                        code,
                        row.row.leaf.name,
                        row.number,
                        old,
                        dict(row.data),
                        describe_data(loaded, row.row.leaf, old),
                        describe_data(loaded, row.row.leaf, row.data),
                    )
                )
            if row.evidence is not None:
                if entry is None:
                    entry = Entry(submission=sub, leaf=code, data={}, version=1, updated_by=user.id)
                    db.session.add(entry)
                ev = Evidence(
                    number=row.evidence["number"],
                    date=row.evidence["date"],
                    issuer=row.evidence["issuer"],
                    title=row.evidence["title"],
                    location=row.evidence["location"],
                    url=row.evidence["url"],
                    uploaded_at=stamp,
                    uploaded_by=user.id,
                )
                entry.evidence.append(ev)
                db.session.flush()
                audit(
                    user,
                    "evidence",
                    f"{code}#{ev.id}",
                    "",
                    {
                        k: (v.isoformat() if isinstance(v, dt.date) else v)
                        for k, v in row.evidence.items()
                    },
                    agency=agency,
                    reason="nhập từ tệp Excel",
                )
                result.evidence_added.append((code, ev.number))
    if not saved.ok:
        result.changes, result.evidence_added, result.evidence_skipped = [], [], []
        e = saved.error
        leaf = f" (tiêu chí {e.code})" if isinstance(e, _Conflict) else ""
        result.problems.append(
            CellProblem(
                None,
                "",
                "",
                "conflict",
                f"Có người vừa lưu cùng lúc{leaf}; chưa lưu gì từ tệp. Hãy tải lên lại.",
            )
        )


class _Conflict(Exception):
    def __init__(self, code: str):
        self.code = code
        super().__init__(code)
