"""Submissions: one agency's self-assessment (and appraisal rounds) for one year, from a YAML
file or the same mapping (the web app's stored entries, the Excel import).

This front end checks only what a mapping can get wrong — unknown keys, wrong types, the shape
of evidence documents and their own fields — and reads each leaf entry into a fact row
(:class:`parindex.facts.FactRow`). Every value check runs in the one validator
(:func:`parindex.validate.validate_rows`); its issues come back located by the entry's line and
path. Problems are collected as issues (never raised); the submission keeps the rows, the
validator's verdict on them (what the scorer takes) and the entries' texts. See
docs/submission-format.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from parindex.criteria import Leaf, LoadedSet
from parindex.errors import Issue, Location, message
from parindex.facts import FactRow
from parindex.rules import FACTS, kind_of
from parindex.scoring import STATE_CODE, STATES
from parindex.text import TextError, identifier, parse_number
from parindex.units import decimal_places, to_cents
from parindex.validate import Checked, validate_rows
from parindex.yamlio import YamlLoadError, YamlPath, format_path, line_of, load_yaml

FACT_KEYS = FACTS  # every fact a leaf entry can state (parindex.rules)
ENTRY_KEYS = (*FACT_KEYS, "did_not_arise", "evidence", "explanation", "appraisal")
EVIDENCE_KEYS = ("number", "date", "issuer", "title", "location", "file", "url")
EVIDENCE_REQUIRED = ("number", "date", "issuer", "title")
TOP_KEYS = ("agency", "year", "sample", "leaves")
ROUNDS = ("round1", "round2")
_ENTRY_KEYS = frozenset(ENTRY_KEYS)
_EVIDENCE_KEYS = frozenset(EVIDENCE_KEYS)
_FACT_OF = frozenset((*FACT_KEYS, "did_not_arise", "explanation", "evidence"))


@dataclass
class Texts:
    """What a leaf entry says in words: shown in reports, never scored (its facts are the
    entry's :class:`parindex.facts.FactRow`)."""

    dna_reason: str = ""  # only where the leaf is scored as "did not arise"
    explanation: str = ""
    round1_reason: str = ""
    round2_reason: str = ""


@dataclass
class Submission:
    """A parsed submission: its agency and year, one fact row per leaf it names (file order),
    the one validator's verdict on them, the entries' texts, and every issue."""

    agency: str
    year: int | None
    source: str
    rows: list[FactRow] = field(default_factory=list)
    checked: Checked | None = None
    texts: dict[str, Texts] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    def state(self, leaf: str) -> str:
        """How the leaf is scored: "facts", "empty", "dna" (did not arise) or "invalid"."""
        if self.checked is not None:
            for i, row in enumerate(self.rows):
                if row.leaf == leaf:
                    return STATES[int(self.checked.state[i])]
        return "empty"


class _Ctx:
    def __init__(self, file: str, lines: dict[YamlPath, int], agency: str):
        self.file = file
        self.lines = lines
        self.agency = agency
        self.issues: list[Issue] = []

    def add(
        self,
        code: str,
        path: YamlPath,
        *,
        leaf: str = "",
        fact: str = "",
        severity: str = "error",
        **kw: Any,
    ) -> None:
        # the domain coordinates the path names: an evidence document, an appraisal round
        item = rnd = None
        if len(path) > 3:  # ("leaves", code, "evidence", i, …) or (…, "appraisal", round, …)
            key, at = path[2], path[3]
            if key == "evidence" and isinstance(at, int):
                item = at + 1
            elif key == "appraisal" and at in ROUNDS:
                rnd = ROUNDS.index(at) + 1
        loc = Location(
            file=self.file,
            line=line_of(self.lines, path),
            path=format_path(path),
            agency=self.agency,
            leaf=leaf,
            fact=fact or _fact_of(path, item),
            item=item,
            round=rnd,
        )
        self.issues.append(Issue.make(code, loc, severity=severity, **kw))  # type: ignore[arg-type]


def _fact_of(path: YamlPath, item: int | None) -> str:
    """The fact a leaf entry's path names (``leaves.<code>.did_not_arise`` → did_not_arise)."""
    if item is not None:
        return "evidence"
    key = path[2] if len(path) > 2 and path[0] == "leaves" else ""
    return key if key in _FACT_OF else ""


def read_submission_file(path: Path) -> tuple[Any, dict[YamlPath, int], list[Issue]]:
    try:
        data, lines = load_yaml(path)
    except YamlLoadError as e:
        return None, {}, e.issues
    return data, lines, []


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):  # "1,5": the decimal comma as typed (parindex.text)
        number = parse_number(value)
        return None if isinstance(number, TextError) else number
    if isinstance(value, Decimal) and value.is_finite():
        return value
    if isinstance(value, int):
        return Decimal(value)
    return None


def parse_submission(
    data: Any,
    criteria: LoadedSet,
    *,
    source: str = "",
    lines: dict[YamlPath, int] | None = None,
    agency_hint: str = "",
) -> Submission:
    """Check one submission's data against a criteria set; collect every issue."""
    lines = lines or {}
    agency = ""
    bad_agency: TextError | None = None
    if isinstance(data, dict) and isinstance(data.get("agency"), str):
        checked = identifier(data["agency"])
        if isinstance(checked, TextError):
            bad_agency = checked
        else:
            agency = checked
    ctx = _Ctx(source, lines, agency or agency_hint)
    sub = Submission(agency=agency or agency_hint, year=None, source=source)
    if data is None or data == {}:
        ctx.add("file-empty", (), detail=message("expect-submission"))
        sub.issues = ctx.issues
        return sub
    if not isinstance(data, dict):
        ctx.add("wrong-type", (), detail=message("expect-submission"))
        sub.issues = ctx.issues
        return sub
    if bad_agency is not None:
        ctx.add(bad_agency.code, ("agency",), **bad_agency.params)
    sub.raw = data
    for key in data:
        if key not in TOP_KEYS:
            ctx.add("unknown-key", (str(key),), key=str(key))
    if not agency and bad_agency is None:
        ctx.add(
            "missing-key" if "agency" not in data else "wrong-type",
            ("agency",),
            key="agency",
            detail="agency: phải là mã đơn vị (chuỗi)",
        )
    year = data.get("year")
    if not _is_int(year):
        ctx.add(
            "missing-key" if year is None else "wrong-type",
            ("year",),
            key="year",
            detail="year: phải là số năm",
        )
    else:
        sub.year = year
        if year != criteria.model.year:
            ctx.add("year-wrong", ("year",), value=year, detail=criteria.model.year)
    # the year that bounds the dates: the set's when the file's is wrong (99999 has no calendar)
    assessed = criteria.model.year
    leaves = data.get("leaves", {})
    if leaves is None:
        leaves = {}
    if not isinstance(leaves, dict):
        ctx.add("wrong-type", ("leaves",), detail="leaves: phải là bảng theo mã tiêu chí")
        leaves = {}
    entries: list[Entry] = []
    rank: dict[str, int] = {}  # each leaf's place in the file, for the issues' order
    ranks: list[int] = [-1] * len(ctx.issues)
    codes: dict[str, str] = {}  # identifier → the key as written
    for j, (raw_code, entry) in enumerate(leaves.items()):
        written = str(raw_code)
        path: YamlPath = ("leaves", written)
        code = identifier(written)
        if isinstance(code, TextError):
            ctx.add(code.code, path, **code.params)
            ranks += [j] * (len(ctx.issues) - len(ranks))
            continue
        if code in codes:  # 1.1.1 twice: once composed, once decomposed (NFC/NFD)
            ctx.add("duplicate-key", path, key=written, leaf=code)
            ranks += [j] * (len(ctx.issues) - len(ranks))
            continue
        codes[code] = written
        if code != written:  # the lines of a decomposed key, under its composed twin
            _rename(lines, path, ("leaves", code))
            path = ("leaves", code)
        found = criteria.leaf_by_code.get(code)
        leaf: Leaf
        if found is not None:
            leaf = found[2]
        elif code in criteria.extra_by_code:
            leaf = criteria.extra_by_code[code][1]
        elif code in criteria.criterion_codes:
            ctx.add("not-a-leaf", path, value=code, leaf=code)
        else:
            ctx.add("unknown-leaf", path, value=code, leaf=code)
        if found is not None or code in criteria.extra_by_code:
            entries.append(_read_entry(ctx, sub.agency, leaf, entry, path, assessed))
            rank[code] = j
        ranks += [j] * (len(ctx.issues) - len(ranks))
    mine = len(ctx.issues)
    _validated(ctx, criteria, entries, sub, assessed)
    ranks += [rank[i.location.leaf] for i in ctx.issues[mine:]]
    # by entry (file order), then line
    order = sorted(
        range(len(ctx.issues)), key=lambda n: (ranks[n], ctx.issues[n].location.line or 0, n)
    )
    sub.issues = [ctx.issues[n] for n in order]
    return sub


def _rename(lines: dict[YamlPath, int], old: YamlPath, new: YamlPath) -> None:
    """The lines of ``old`` and every path under it, also under ``new``."""
    n = len(old)
    for key in [k for k in lines if k[:n] == old]:
        lines[new + key[n:]] = lines[key]


@dataclass
class Entry:
    """One leaf entry as read: its fact row, whether a fact could not be read (the entry is
    then invalid), and the texts the row only flags."""

    row: FactRow
    unreadable: bool = False
    dna_reason: str = ""
    explanation: str = ""
    reasons: dict[str, str] = field(default_factory=dict)


def _validated(
    ctx: _Ctx, criteria: LoadedSet, entries: list[Entry], sub: Submission, year: int
) -> None:
    """The one value validator on the entries' fact rows (dates bounded by the assessed
    ``year``); its issues located by line."""
    sub.rows = [e.row for e in entries]
    unreadable = {i for i, e in enumerate(entries) if e.unreadable}
    checked = sub.checked = validate_rows(criteria, sub.rows, unreadable, year)
    for issue in checked.issues:
        loc = issue.location
        path: YamlPath = ("leaves", loc.leaf)
        if loc.round is not None:
            path += ("appraisal", ROUNDS[loc.round - 1]) + (("score",) if loc.fact else ())
        elif loc.fact:
            path += (loc.fact,)
        ctx.add(
            issue.code, path, leaf=loc.leaf, fact=loc.fact, severity=issue.severity, **issue.params
        )
    dna = STATE_CODE["dna"]
    for e, state in zip(entries, checked.state.tolist(), strict=True):
        if e.dna_reason or e.explanation or e.reasons:
            sub.texts[e.row.leaf] = Texts(
                e.dna_reason if state == dna else "",
                e.explanation,
                e.reasons.get("round1", ""),
                e.reasons.get("round2", ""),
            )


def _read_entry(ctx: _Ctx, agency: str, leaf: Leaf, entry: Any, path: YamlPath, year: int) -> Entry:
    """One leaf entry's shape and types: its facts as a row, the evidence documents' own
    fields, the appraisal rounds. Values are checked by the validator."""
    code = leaf.code
    read = Entry(FactRow(agency, code))
    row = read.row
    if entry is None:
        return read
    if not isinstance(entry, dict):
        ctx.add("wrong-type", path, leaf=code, detail="mỗi tiêu chí là một bảng khóa: giá trị")
        read.unreadable = True
        return read
    kind = kind_of(leaf.rule)
    takes = kind.facts
    for key in entry:
        if key not in _ENTRY_KEYS:
            ctx.add("unknown-key", path + (str(key),), key=str(key), leaf=code)

    dna = entry.get("did_not_arise")
    if dna is not None:
        row.did_not_arise = dna if isinstance(dna, str) else ""
        read.dna_reason = row.did_not_arise.strip()

    def bad(key: str, detail: str) -> None:
        ctx.add("fact-wrong-type", path + (key,), key=key, detail=detail, leaf=code, fact=key)
        read.unreadable = True

    # a fact the rule does not take is only marked given (the validator refuses it)
    for key in FACT_KEYS:
        if key not in entry:
            continue
        value = entry[key]
        if value is None:
            continue
        if key not in takes:
            setattr(row, "score_c" if key == "score" else key, _GIVEN[key])
        elif key == "done":
            if isinstance(value, bool):
                row.done = value
            else:
                bad("done", "phải là true/false (có/không)")
        elif key == "date":
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                row.date = value
            else:
                bad("date", "phải là ngày dạng YYYY-MM-DD")
        elif key in ("numerator", "denominator", "count"):
            if _is_int(value):
                setattr(row, key, int(value))
            else:
                bad(key, "phải là số nguyên")
        elif key == "level":
            row.level = str(value)
        else:
            cents = _score(ctx, value, leaf, path + ("score",))
            if cents is None:
                read.unreadable = True
            row.score_c = cents

    # evidence and explanation
    evidence = entry.get("evidence") or []
    if not isinstance(evidence, list):
        ctx.add("wrong-type", path + ("evidence",), leaf=code, detail="evidence: phải là danh sách")
        evidence = []
    earliest, latest = dt.date(1990, 1, 1), dt.date(year + 1, 12, 31)
    for i, item in enumerate(evidence):
        epath = path + ("evidence", i)
        if not isinstance(item, dict):
            ctx.add("wrong-type", epath, leaf=code, detail="mỗi tài liệu là một bảng khóa: giá trị")
            continue
        row.has_evidence = True
        for key in item:
            if key not in _EVIDENCE_KEYS:
                ctx.add("unknown-key", epath + (str(key),), key=str(key), leaf=code)
        for key in EVIDENCE_REQUIRED:
            if item.get(key) in (None, ""):
                ctx.add("evidence-incomplete", epath, key=key, leaf=code, severity="warning")
        edate = item.get("date")
        if edate is not None:
            if not isinstance(edate, dt.date):
                ctx.add(
                    "fact-wrong-type",
                    epath + ("date",),
                    key="date",
                    leaf=code,
                    detail="phải là ngày dạng YYYY-MM-DD",
                    fact="date",
                )
            elif not earliest <= edate <= latest:
                ctx.add(
                    "date-implausible",
                    epath + ("date",),
                    value=edate,
                    detail=f"1990-01-01 – {year + 1}-12-31",
                    low=earliest,
                    high=latest,
                    leaf=code,
                    fact="date",
                )
        if not item.get("file") and not item.get("url"):
            ctx.add("evidence-no-source", epath, leaf=code, severity="warning")
    explanation = entry.get("explanation")
    if explanation is not None and not isinstance(explanation, str):
        ctx.add(
            "wrong-type", path + ("explanation",), leaf=code, detail="explanation: phải là văn bản"
        )
    row.has_explanation = isinstance(explanation, str) and bool(explanation.strip())
    if row.has_explanation:
        read.explanation = str(explanation).strip()

    # appraisal rounds
    appraisal = entry.get("appraisal")
    if appraisal is None:
        return read
    if not isinstance(appraisal, dict):
        ctx.add(
            "wrong-type", path + ("appraisal",), leaf=code, detail="appraisal: bảng round1/round2"
        )
        return read
    for key in appraisal:
        if key not in ROUNDS:
            ctx.add("unknown-key", path + ("appraisal", str(key)), key=str(key), leaf=code)
    for rnd in ROUNDS:
        value = appraisal.get(rnd)
        if value is None:
            continue
        rpath = path + ("appraisal", rnd)
        if not isinstance(value, dict):
            ctx.add("wrong-type", rpath, leaf=code, detail=f"{rnd}: bảng score/reason")
            continue
        for key in value:
            if key not in ("score", "reason", "by"):
                ctx.add("unknown-key", rpath + (str(key),), key=str(key), leaf=code)
        cents = _score(ctx, value.get("score"), leaf, rpath + ("score",))
        reason = value.get("reason")
        given = isinstance(reason, str) and bool(reason.strip())
        if given:
            read.reasons[rnd] = str(reason).strip()
        if cents is not None:
            setattr(row, f"{rnd}_c", cents)
            setattr(row, f"{rnd}_reason", given)
        elif not given:  # nothing to compare with the self-score: the reason is missing
            ctx.add("appraisal-no-reason", rpath, leaf=code, severity="warning")
    return read


#: what a fact the rule does not take is held as (only its presence matters)
_GIVEN: dict[str, Any] = {
    "done": False,
    "date": dt.date(2000, 1, 1),
    "numerator": 0,
    "denominator": 0,
    "count": 0,
    "level": "",
    "score": 0,
}


def _score(ctx: _Ctx, value: Any, leaf: Leaf, path: YamlPath) -> int | None:
    """A score as hundredths; None (and an issue) when it is absent, not a number, or has more
    decimals than a record holds (the validator checks the rest: sign, maximum, step)."""
    number = _as_decimal(value)
    code = leaf.code
    if number is None:
        if value is None:
            ctx.add(
                "fact-missing", path, key="score", detail=leaf.rule.kind, leaf=code, fact="score"
            )
        else:
            ctx.add(
                "fact-wrong-type",
                path,
                key="score",
                detail="phải là số, ví dụ 1,5 hoặc 1.5",
                leaf=code,
                fact="score",
            )
        return None
    if decimal_places(number) > 2:
        step = kind_of(leaf.rule).score_step(leaf.rule)
        ctx.add("score-off-step", path, value=number, detail=step, leaf=code, fact="score")
        return None
    return to_cents(number)
