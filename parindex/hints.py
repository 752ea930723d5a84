"""Evidence that checks itself: hints for the appraisal panel computed from the documents the
agencies cite (tài liệu kiểm chứng). Hints are warnings for a person to look at, never scores.

Pure functions on plain records (:class:`Cited`, one per cited document) and the criteria sets:
the web app (the appraiser's leaf card, the cycle's evidence report) and ``parindex evidence``
build the records from their own storage and call :func:`evidence_hints`, so both say the same.

The hints (each an :class:`parindex.errors.Issue` with severity "warning", its parameters as
data, its message in the catalogue of :mod:`parindex.errors`):

- ``evidence-number-format``: a number-symbol (số, ký hiệu) not in the administrative format of
  Nghị định 30/2020 (number "/" [year "/"] type abbreviation "-" issuing body);
- ``evidence-number-type``: its type abbreviation disagrees with the title (trích yếu);
- ``evidence-date-window``: a document dated outside the assessed year's window (:func:`window`);
- ``evidence-date-claimed``: a leaf whose rule takes an issue date (``date``) claims a date that
  none of its cited documents carries;
- ``evidence-same-file`` / ``evidence-same-number``: one file (by content hash) or one document
  (number-symbol and issuer) cited by several units;
- ``evidence-reused``: one file or document cited by one unit for leaves of different criteria;
- ``evidence-link-scheme``: a link that is not an http(s) URL.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from parindex.criteria import LoadedSet
from parindex.errors import Issue, Location
from parindex.rules import kind_of
from parindex.text import clean, fold

#: fold, remembered: a cycle's issuers and titles' starts repeat (thousands of documents)
_fold = functools.lru_cache(maxsize=8192)(fold)

if TYPE_CHECKING:
    from parindex.dataset import Dataset
    from parindex.submission import Submission

#: the type abbreviations of administrative documents (Nghị định 30/2020/NĐ-CP, Phụ lục III),
#: with the document type's name as a title begins; "CV" is not in the appendix (a công văn's
#: symbol has no type part: ``45/UBND-VP``) but is widely written, and read as a công văn
DOCUMENT_TYPES: dict[str, str] = {
    "NQ": "Nghị quyết",
    "QĐ": "Quyết định",
    "CT": "Chỉ thị",
    "QC": "Quy chế",
    "QYĐ": "Quy định",
    "TC": "Thông cáo",
    "TB": "Thông báo",
    "HD": "Hướng dẫn",
    "CTr": "Chương trình",
    "KH": "Kế hoạch",
    "PA": "Phương án",
    "ĐA": "Đề án",
    "DA": "Dự án",
    "BC": "Báo cáo",
    "BB": "Biên bản",
    "TTr": "Tờ trình",
    "HĐ": "Hợp đồng",
    "CĐ": "Công điện",
    "GN": "Bản ghi nhớ",
    "TTh": "Bản thỏa thuận",
    "GUQ": "Giấy ủy quyền",
    "GM": "Giấy mời",
    "GGT": "Giấy giới thiệu",
    "GNP": "Giấy nghỉ phép",
    "PG": "Phiếu gửi",
    "PC": "Phiếu chuyển",
    "PB": "Phiếu báo",
    "CV": "Công văn",
}
#: the công văn: a symbol without a type part, or "CV"
LETTER = "CV"
#: a typed abbreviation → its type: as written (any case: "TTR"), else without its accent when
#: that is unambiguous ("QD" → QĐ; "HD" is Hướng dẫn, not Hợp đồng HĐ; "DA" Dự án, not Đề án)
_BY_UPPER = {k.upper(): k for k in DOCUMENT_TYPES}
_FOLDS = [fold(k) for k in DOCUMENT_TYPES]
_BY_FOLDED = {fold(k): k for k in DOCUMENT_TYPES if _FOLDS.count(fold(k)) == 1}
#: how a title names its type, folded, longest first ("quyet dinh" before "quy dinh" cannot
#: clash: a name matches only as the title's first whole words); a công văn's trích yếu begins
#: "V/v" or "Về việc"
_TITLE_NAMES = sorted(
    [(fold(name), code) for code, name in DOCUMENT_TYPES.items()]
    + [("v/v", LETTER), ("ve viec", LETTER)],
    key=lambda p: -len(p[0]),
)

#: a number-symbol: the number, an optional year (a legal document: ``01/2025/NQ-HĐND``), then
#: the symbol's parts joined by "-" (type abbreviation and issuing body, or for a công văn the
#: body and its drafting unit); letters (Vietnamese too), digits, "&" and "."
SYMBOL = re.compile(
    r"^(?P<number>[0-9]{1,6}[a-z]?)"
    r"(?:/(?P<year>(?:19|20)[0-9]{2}))?"
    r"/(?P<symbol>[^\W_][\w&.]*(?:-[^\W_][\w&.]*)*)$"
)


@dataclass(frozen=True)
class Symbol:
    """A number-symbol read by :data:`SYMBOL`: its type ("CV" for a công văn) and the body."""

    number: str
    year: int | None
    type: str
    body: str


def parse_symbol(text: str) -> Symbol | None:
    """The parts of a number-symbol, or None when it does not follow the format (spaces around
    "/" and "-" are forgiven).

    >>> parse_symbol("125/KH-UBND")
    Symbol(number='125', year=None, type='KH', body='UBND')
    >>> parse_symbol("01/2025/NQ-HĐND").year, parse_symbol("45/UBND-VP").type
    (2025, 'CV')
    >>> parse_symbol("KH-UBND 125") is None, parse_symbol("125/KH") is None
    (True, True)
    >>> parse_symbol("45/UBND").type, parse_symbol("12/QĐ-TTr").body
    ('CV', 'TTr')
    """
    value = re.sub(r"\s*([/-])\s*", r"\1", clean(text))
    m = SYMBOL.match(value)
    if m is None:
        return None
    first, _, rest = m["symbol"].partition("-")
    code = _BY_UPPER.get(first.upper()) or _BY_FOLDED.get(fold(first))
    if code is None:  # no type part: a công văn (``45/UBND-VP``, a commune's ``45/UBND``)
        code, rest = LETTER, m["symbol"]
    if not rest:  # a type without its issuer
        return None
    return Symbol(m["number"], int(m["year"]) if m["year"] else None, code, rest)


def title_type(title: str) -> str | None:
    """The document type a title (trích yếu) names by its first words, or None."""
    folded = _fold(title[:40])  # the names are short: a long title's start is enough
    for name, code in _TITLE_NAMES:
        if folded == name or folded.startswith(name + " "):
            return code
    return None


def window(year: int) -> tuple[dt.date, dt.date]:
    """The dates a document cited for ``year`` is expected within: the year and a month either
    side (a year's plans are often issued in the December before it, its reports in the January
    after it; docs/decisions.md)."""
    return dt.date(year - 1, 12, 1), dt.date(year + 1, 1, 31)


def is_web_link(link: str) -> bool:
    """Whether ``link`` is an http(s) URL with a host."""
    parts = urlsplit(link.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


@dataclass(frozen=True)
class Cited:
    """One document an agency cites for a leaf, as the hints read it. ``item`` counts the
    leaf's documents from 1; ``file_hash`` is the content's hash ("" without a file);
    ``claimed`` is the leaf's issue-date fact (``date``), if it states one."""

    agency: str
    leaf: str
    item: int
    number: str
    date: dt.date | None = None
    title: str = ""
    issuer: str = ""
    file_hash: str = ""
    link: str = ""
    claimed: dt.date | None = None


def document_key(number: str, issuer: str) -> tuple[str, str]:
    """What makes two citations the same document: the number-symbol and the issuer, compared
    without spaces, case or diacritics (``125/KH-UBND`` of two communes are two documents)."""
    return _fold(number).replace(" ", ""), _fold(issuer)


def _where(c: Cited, fact: str = "evidence") -> Location:
    return Location(agency=c.agency, leaf=c.leaf, fact=fact, item=c.item if fact else None)


def _hint(code: str, c: Cited, **params: object) -> Issue:
    return Issue.make(code, _where(c), severity="warning", number=c.number, title=c.title, **params)


def document_hints(c: Cited, year: int) -> list[Issue]:
    """The hints one document raises by itself: its number-symbol, its date, its link."""
    out: list[Issue] = []
    symbol = parse_symbol(c.number)
    if symbol is None:
        out.append(_hint("evidence-number-format", c, value=c.number))
    else:
        named = title_type(c.title)
        if named is not None and named != symbol.type:
            out.append(
                _hint(
                    "evidence-number-type",
                    c,
                    value=c.number,
                    type=symbol.type,
                    type_name=DOCUMENT_TYPES[symbol.type],
                    title_type=named,
                    title_name=DOCUMENT_TYPES[named],
                )
            )
    low, high = window(year)
    if c.date is not None and not low <= c.date <= high:
        out.append(
            _hint("evidence-date-window", c, value=c.number, date=c.date, start=low, end=high)
        )
    if c.link and not is_web_link(c.link):
        out.append(_hint("evidence-link-scheme", c, value=c.link))
    return out


def _dated_leaves(sets: Iterable[LoadedSet]) -> set[str]:
    """The leaves whose rule takes an issue date (``date``): their evidence should carry it."""
    out: set[str] = set()
    for s in sets:
        for _, _, leaf in s.model.leaves():
            if "date" in kind_of(leaf.rule).facts:
                out.add(leaf.code)
    return out


def _criterion_of(sets: Iterable[LoadedSet]) -> dict[str, str]:
    """Each leaf's criterion (bonus and penalty items: their group)."""
    out: dict[str, str] = {}
    for s in sets:
        for _, c, leaf in s.model.leaves():
            out[leaf.code] = c.code
        for code, (group, _) in s.extra_by_code.items():
            out[code] = group
    return out


def evidence_hints(
    cited: Iterable[Cited],
    sets: Iterable[LoadedSet],
    year: int,
    names: Mapping[str, str] = {},
    *,
    agency: str | None = None,
) -> list[Issue]:
    """Every hint on the documents ``cited`` (a cycle's: cross-unit duplicates are found within
    ``cited``); with ``agency``, only the hints on that agency's documents (still compared with
    every other's). ``names`` gives the agencies' names for the messages (their ids otherwise).
    Ordered by agency, leaf, document."""
    items = list(cited)
    sets = list(sets)
    dated = _dated_leaves(sets)
    criterion = _criterion_of(sets)
    out: list[Issue] = []
    for c in items:
        if agency is None or c.agency == agency:
            out.extend(document_hints(c, year))

    # a dated leaf: its claimed issue date on none of its documents
    by_leaf: dict[tuple[str, str], list[Cited]] = defaultdict(list)
    for c in items:
        if agency is None or c.agency == agency:
            by_leaf[c.agency, c.leaf].append(c)
    for docs in by_leaf.values():
        first = docs[0]
        if first.leaf not in dated or first.claimed is None:
            continue
        with_date = [d for d in docs if d.date is not None]
        if with_date and first.claimed not in [d.date for d in with_date]:
            out.append(
                Issue.make(
                    "evidence-date-claimed",
                    Location(agency=first.agency, leaf=first.leaf, fact="date"),
                    severity="warning",
                    claimed=first.claimed,
                    date=with_date[0].date,
                    value=with_date[0].number,
                    number=with_date[0].number,
                    title=with_date[0].title,
                )
            )

    # the same file, the same document: by several units, or by one unit for unrelated leaves
    def name(agency: str) -> str:
        return names.get(agency, agency)

    groups: list[tuple[str, dict[object, list[Cited]]]] = [
        ("file", defaultdict(list)),
        ("number", defaultdict(list)),
    ]
    for c in items:
        if c.file_hash:
            groups[0][1][c.file_hash].append(c)
        if c.number.strip():
            groups[1][1][document_key(c.number, c.issuer)].append(c)
    for what, grouped in groups:
        for docs in grouped.values():
            agencies = list(dict.fromkeys(d.agency for d in docs))
            for c in docs:
                if agency is not None and c.agency != agency:
                    continue
                others = [a for a in agencies if a != c.agency]
                if others:
                    code = "evidence-same-file" if what == "file" else "evidence-same-number"
                    out.append(
                        _hint(
                            code,
                            c,
                            value=c.number,
                            agencies=tuple(others),
                            detail=_listed([name(a) for a in others]),  # up to 400 chars
                        )
                    )
                mine = [d for d in docs if d.agency == c.agency and d.leaf != c.leaf]
                unrelated = [
                    d.leaf
                    for d in mine
                    if criterion.get(d.leaf, d.leaf) != criterion.get(c.leaf, c.leaf)
                ]
                if unrelated:
                    leaves = tuple(dict.fromkeys(unrelated))
                    out.append(
                        _hint(
                            "evidence-reused",
                            c,
                            value=c.number,
                            by=what,
                            leaves=leaves,
                            leaf_list=", ".join(leaves),
                        )
                    )
    # one hint per document and code: a file both the same and the same number says it twice
    seen: set[tuple[str, Location]] = set()
    unique = []
    for issue in out:
        key = (issue.code, issue.location)
        if key not in seen:
            seen.add(key)
            unique.append(issue)
    return sorted(unique, key=_order)


def _listed(names: list[str], most: int = 3) -> str:
    """Names for a message: the first ``most``, then how many more."""
    if len(names) <= most:
        return ", ".join(names)
    return ", ".join(names[:most]) + f" và {len(names) - most} đơn vị khác"


def _order(issue: Issue) -> tuple[str, tuple[tuple[int, str], ...], int, str]:
    loc = issue.location
    parts = tuple((int(p), "") if p.isdigit() else (-1, p) for p in loc.leaf.split("."))
    return loc.agency, parts, loc.item or 0, issue.code


#: the hints' short names, for a report's "loại gợi ý" column and the card's list
HINT_LABELS: dict[str, str] = {
    "evidence-number-format": "Số, ký hiệu sai thể thức",
    "evidence-number-type": "Loại văn bản không khớp trích yếu",
    "evidence-date-window": "Ngày ngoài thời gian đánh giá",
    "evidence-date-claimed": "Ngày kê khai khác ngày văn bản",
    "evidence-same-file": "Cùng tệp ở đơn vị khác",
    "evidence-same-number": "Cùng văn bản ở đơn vị khác",
    "evidence-reused": "Dùng cho tiêu chí không liên quan",
    "evidence-link-scheme": "Đường dẫn không phải http(s)",
}


def submission_cited(sub: Submission, base: Path | None = None) -> list[Cited]:
    """The documents a YAML submission cites (docs/submission-format.md), as records. A
    ``file`` found on disk (relative to the submission's folder, or to ``base``) is read for its
    content's hash; a leaf's ``date`` fact is each record's ``claimed`` date."""
    claimed = {row.leaf: row.date for row in sub.rows}
    folder = Path(sub.source).parent if sub.source else None
    out: list[Cited] = []
    leaves = sub.raw.get("leaves") if isinstance(sub.raw, dict) else None
    if not isinstance(leaves, dict):
        return out
    for code, entry in leaves.items():
        items = entry.get("evidence") if isinstance(entry, dict) else None
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                continue
            date = item.get("date")
            out.append(
                Cited(
                    agency=sub.agency,
                    leaf=str(code),
                    item=i,
                    number=_text(item.get("number")),
                    date=date if isinstance(date, dt.date) else None,
                    title=_text(item.get("title")),
                    issuer=_text(item.get("issuer")),
                    file_hash=_file_hash(_text(item.get("file")), folder, base),
                    link=_text(item.get("url")),
                    claimed=claimed.get(str(code)),
                )
            )
    return out


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _file_hash(name: str, *folders: Path | None) -> str:
    if not name:
        return ""
    for folder in folders:
        if folder is None:
            continue
        path = folder / name
        if path.is_file():
            digest = hashlib.sha256()
            with path.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(chunk)
            return digest.hexdigest()
    return ""


def dataset_hints(ds: Dataset) -> list[Issue]:
    """Every hint on a year's submissions read from files (``parindex evidence``)."""
    cited = [
        c
        for subs in ds.submissions.values()
        for sub in subs
        for c in submission_cited(sub, ds.root)
    ]
    names = {a.id: a.name for a in ds.agencies.values()}
    return evidence_hints(cited, ds.sets.values(), ds.year, names)


#: the evidence report's columns (the secretariat filters on them)
REPORT_COLUMNS = ("Đơn vị", "Tiêu chí", "Tài liệu", "Loại gợi ý", "Nội dung")


def hints_xlsx(issues: Iterable[Issue], names: Mapping[str, str] = {}, year: int = 0) -> bytes:
    """The hints as a workbook, one row each under a filterable header (đơn vị, tiêu chí, tài
    liệu: its number-symbol and title, loại gợi ý, nội dung); every text cell written by :func:`parindex.export.set_text`, so
    a title typed as ``=…`` stays text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from parindex.export import fit_landscape, set_text

    wb = Workbook()
    ws = wb.active
    ws.title = f"Gợi ý minh chứng {year}" if year else "Gợi ý minh chứng"
    for col, title in enumerate(REPORT_COLUMNS, start=1):
        cell = ws.cell(row=1, column=col)
        set_text(cell, title)
        cell.font = Font(bold=True)
    n = 1
    for n, issue in enumerate(issues, start=2):
        loc = issue.location
        document = " — ".join(
            str(p) for p in (issue.params.get("number"), issue.params.get("title")) if p
        )
        values = (
            names.get(loc.agency, loc.agency),
            loc.leaf,
            document,
            HINT_LABELS.get(issue.code, issue.code),
            issue.message,
        )
        for col, value in enumerate(values, start=1):
            set_text(ws.cell(row=n, column=col), value)
    ws.auto_filter.ref = f"A1:E{max(n, 1)}"
    ws.freeze_panes = "A2"
    for letter, width in zip("ABCDE", (34, 10, 30, 30, 90), strict=True):
        ws.column_dimensions[letter].width = width
    fit_landscape(ws)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
