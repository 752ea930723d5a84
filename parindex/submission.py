"""Submissions: one agency's self-assessment (and appraisal rounds) for one year.

A submission file is read into plain data, then every leaf entry is checked against its rule.
Problems are collected as issues (never raised); each leaf ends up as one :class:`LeafFacts` row
holding exactly the facts the vectorised scorer needs. See docs/submission-format.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from parindex.criteria import Leaf, LoadedSet
from parindex.errors import MESSAGES, Issue, Location
from parindex.rules import FACTS, kind_of
from parindex.units import decimal_places, to_cents
from parindex.yamlio import YamlLoadError, YamlPath, format_path, line_of, load_yaml

MAX_COUNT = 10**9  # counts and amounts above this are refused (keeps integer maths in int64)
FACT_KEYS = FACTS  # every fact a leaf entry can state (parindex.rules)
ENTRY_KEYS = (*FACT_KEYS, "did_not_arise", "evidence", "explanation", "appraisal")
EVIDENCE_KEYS = ("number", "date", "issuer", "title", "location", "file", "url")
EVIDENCE_REQUIRED = ("number", "date", "issuer", "title")
TOP_KEYS = ("agency", "year", "sample", "leaves")
ROUNDS = ("round1", "round2")


@dataclass
class LeafFacts:
    """One agency × one leaf, normalised. Points are integer hundredths."""

    leaf: str
    state: str = "empty"  # "facts" | "empty" | "dna" (did not arise) | "invalid"
    done: bool | None = None
    date: dt.date | None = None
    numerator: int | None = None
    denominator: int | None = None
    count: int | None = None
    level: str | None = None
    score_c: int | None = None
    round1_c: int | None = None
    round2_c: int | None = None
    has_evidence: bool = False
    has_explanation: bool = False
    dna_reason: str = ""
    round1_reason: str = ""
    round2_reason: str = ""
    explanation: str = ""


@dataclass
class Submission:
    """A parsed submission: its agency, year, one facts row per leaf it mentions, its issues."""

    agency: str
    year: int | None
    source: str
    facts: dict[str, LeafFacts] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)


class _Ctx:
    def __init__(self, file: str, lines: dict[YamlPath, int], agency: str):
        self.file = file
        self.lines = lines
        self.agency = agency
        self.issues: list[Issue] = []
        #: rounds scored without a reason: (their warning, the leaf, the round's score)
        self.unreasoned: list[tuple[Issue, str, int | None]] = []

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
        pairs = list(zip(path[2:], path[3:], strict=False))  # past ("leaves", code)
        item = next((p + 1 for k, p in pairs if k == "evidence" and isinstance(p, int)), None)
        rnd = next(
            (ROUNDS.index(p) + 1 for k, p in pairs if k == "appraisal" and p in ROUNDS), None
        )
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
    return key if key in (*FACT_KEYS, "did_not_arise", "explanation", "evidence") else ""


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
    if isinstance(value, Decimal) and value.is_finite():
        return value
    if isinstance(value, int):
        return Decimal(value)
    return None


def _plausible(date: dt.date, year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year - 1, 1, 1), dt.date(year + 1, 3, 31)


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
    if isinstance(data, dict) and isinstance(data.get("agency"), str):
        agency = data["agency"]
    ctx = _Ctx(source, lines, agency or agency_hint)
    sub = Submission(agency=agency or agency_hint, year=None, source=source)
    if not isinstance(data, dict):
        ctx.add("wrong-type", (), detail="tệp hồ sơ phải là một bảng khóa: giá trị")
        sub.issues = ctx.issues
        return sub
    sub.raw = data
    for key in data:
        if key not in TOP_KEYS:
            ctx.add("unknown-key", (str(key),), key=str(key))
    if not agency:
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
    leaves = data.get("leaves", {})
    if leaves is None:
        leaves = {}
    if not isinstance(leaves, dict):
        ctx.add("wrong-type", ("leaves",), detail="leaves: phải là bảng theo mã tiêu chí")
        leaves = {}
    for raw_code, entry in leaves.items():
        code = str(raw_code)
        path: YamlPath = ("leaves", code)
        found = criteria.leaf_by_code.get(code)
        leaf: Leaf
        if found is not None:
            leaf = found[2]
        elif code in criteria.extra_by_code:
            leaf = criteria.extra_by_code[code][1]
        elif code in criteria.criterion_codes:
            ctx.add("not-a-leaf", path, value=code, leaf=code)
            continue
        else:
            ctx.add("unknown-leaf", path, value=code, leaf=code)
            continue
        sub.facts[code] = _parse_entry(ctx, criteria, leaf, entry, path, sub.year)
    sub.issues = ctx.issues
    if ctx.unreasoned:
        sub.issues = _without_kept_scores(criteria, sub, ctx.unreasoned)
    return sub


def _without_kept_scores(
    criteria: LoadedSet, sub: Submission, unreasoned: list[tuple[Issue, str, int | None]]
) -> list[Issue]:
    """A round scored without a reason is a warning only when its score differs from the
    self-score: a panel that keeps the agency's score has nothing to explain. (A survey-scored
    leaf has no self-score to keep.)"""
    from parindex.scoring import self_scores  # the scorer builds on this module

    self_c = self_scores(criteria, sub)
    kept = set()
    for issue, code, cents in unreasoned:
        leaf = criteria.leaf_by_code.get(code)
        rule = leaf[2].rule if leaf else criteria.extra_by_code[code][1].rule
        if kind_of(rule).self_scored and cents is not None and cents == self_c[code]:
            kept.add(id(issue))
    return [i for i in sub.issues if id(i) not in kept]


def _parse_entry(
    ctx: _Ctx, criteria: LoadedSet, leaf: Leaf, entry: Any, path: YamlPath, year: int | None
) -> LeafFacts:
    code = leaf.code
    facts = LeafFacts(leaf=code)
    year = year or criteria.model.year
    if entry is None:
        return facts
    if not isinstance(entry, dict):
        ctx.add("wrong-type", path, leaf=code, detail="mỗi tiêu chí là một bảng khóa: giá trị")
        facts.state = "invalid"
        return facts
    rule = leaf.rule
    kind = kind_of(rule)
    required, optional = kind.required, kind.optional
    ok = True
    for key in entry:
        if key not in ENTRY_KEYS:
            ctx.add("unknown-key", path + (str(key),), key=str(key), leaf=code)
        elif key in FACT_KEYS and key not in required + optional and entry[key] is not None:
            if not kind.self_scored:
                ctx.add("survey-self-score", path + (key,), value=code, leaf=code, fact=key)
            else:
                ctx.add(
                    "fact-unexpected", path + (key,), key=key, detail=kind.name, leaf=code, fact=key
                )
            ok = False
    given = [k for k in required + optional if entry.get(k) is not None]

    # did not arise
    dna = entry.get("did_not_arise")
    if dna is not None:
        if not isinstance(dna, str) or not dna.strip():
            ctx.add("did-not-arise-no-reason", path + ("did_not_arise",), leaf=code)
            ok = False
        elif (
            criteria.model.policy(leaf) == "not-allowed"
            or not kind.self_scored
            or code in criteria.extra_by_code  # a bonus/penalty item simply is not claimed
        ):
            ctx.add("did-not-arise-not-allowed", path + ("did_not_arise",), value=code, leaf=code)
            ok = False
        elif given:
            ctx.add("did-not-arise-with-facts", path + ("did_not_arise",), leaf=code)
            ok = False
        else:
            facts.state = "dna"
            facts.dna_reason = dna.strip()

    # the facts the rule needs, each read by its type
    def bad(key: str, detail: str) -> None:
        nonlocal ok
        ctx.add("fact-wrong-type", path + (key,), key=key, detail=detail, leaf=code, fact=key)
        ok = False

    def count_of(key: str) -> int | None:
        nonlocal ok
        value = entry.get(key)
        if value is None:
            return None
        if not _is_int(value):
            bad(key, "phải là số nguyên")
            return None
        if value < 0:
            ctx.add("negative-count", path + (key,), key=key, value=value, leaf=code, fact=key)
            ok = False
            return None
        if value > MAX_COUNT:
            ctx.add("count-too-large", path + (key,), key=key, value=value, leaf=code, fact=key)
            ok = False
            return None
        return int(value)

    takes = kind.facts
    if facts.state != "dna" and given:
        if "done" in takes:
            done = entry.get("done")
            if done is not None and not isinstance(done, bool):
                bad("done", "phải là true/false (có/không)")
            else:
                facts.done = done
        if "date" in takes:
            date = entry.get("date")
            if date is not None:
                if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
                    bad("date", "phải là ngày dạng YYYY-MM-DD")
                else:
                    lo, hi = _plausible(date, year)
                    if not lo <= date <= hi:
                        ctx.add(
                            "date-implausible",
                            path + ("date",),
                            value=date,
                            detail=f"{lo.isoformat()} – {hi.isoformat()}",
                            low=lo,
                            high=hi,
                            leaf=code,
                            fact="date",
                        )
                        ok = False
                    else:
                        facts.date = date
        for key in ("numerator", "denominator", "count"):
            if key in takes:
                setattr(facts, key, count_of(key))
        if "level" in takes:
            level = entry.get("level")
            if str(level) in kind.choices(rule):
                facts.level = str(level)
            else:
                facts.level = None
                ctx.add(
                    "unknown-level",
                    path + ("level",),
                    value=level,
                    detail=", ".join(kind.choices(rule)),
                    leaf=code,
                    fact="level",
                )
                ok = False
        if "score" in takes:
            step = kind.score_step(rule)
            cents = _score(ctx, entry.get("score"), leaf, step, path + ("score",), "score")
            if cents is None:
                ok = False
            facts.score_c = cents
        if ok:
            ok = _value_checks(ctx, leaf, facts, path)
        if ok:
            for key in required:
                if entry.get(key) is None:
                    ctx.add(
                        "fact-missing",
                        path + (key,),
                        key=key,
                        detail=kind.name,
                        leaf=code,
                        fact=key,
                    )
                    ok = False
        if ok:
            facts.state = "facts"
    if not ok:
        facts.state = "invalid"

    # evidence and explanation
    evidence = entry.get("evidence") or []
    if not isinstance(evidence, list):
        ctx.add("wrong-type", path + ("evidence",), leaf=code, detail="evidence: phải là danh sách")
        evidence = []
    for i, item in enumerate(evidence):
        epath = path + ("evidence", i)
        if not isinstance(item, dict):
            ctx.add("wrong-type", epath, leaf=code, detail="mỗi tài liệu là một bảng khóa: giá trị")
            continue
        facts.has_evidence = True
        for key in item:
            if key not in EVIDENCE_KEYS:
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
            elif not dt.date(1990, 1, 1) <= edate <= dt.date(year + 1, 12, 31):
                ctx.add(
                    "date-implausible",
                    epath + ("date",),
                    value=edate,
                    detail=f"1990-01-01 – {year + 1}-12-31",
                    low=dt.date(1990, 1, 1),
                    high=dt.date(year + 1, 12, 31),
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
    facts.has_explanation = isinstance(explanation, str) and bool(explanation.strip())
    if facts.has_explanation:
        facts.explanation = str(explanation).strip()

    # appraisal rounds
    appraisal = entry.get("appraisal")
    if appraisal is not None:
        if not isinstance(appraisal, dict):
            ctx.add(
                "wrong-type",
                path + ("appraisal",),
                leaf=code,
                detail="appraisal: bảng round1/round2",
            )
        else:
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
                step = kind.score_step(rule)
                cents = _score(ctx, value.get("score"), leaf, step, rpath + ("score",), "score")
                if cents is not None:
                    setattr(facts, f"{rnd}_c", cents)
                reason = value.get("reason")
                if isinstance(reason, str) and reason.strip():
                    setattr(facts, f"{rnd}_reason", reason.strip())
                else:
                    ctx.add("appraisal-no-reason", rpath, leaf=code, severity="warning")
                    ctx.unreasoned.append((ctx.issues[-1], code, cents))
    return facts


def _value_checks(ctx: _Ctx, leaf: Leaf, facts: LeafFacts, path: YamlPath) -> bool:
    """The kind's value checks on one entry's facts (one row); False if any failed."""
    kind = kind_of(leaf.rule)
    rows = kind.one_row(leaf.rule, to_cents(leaf.max), facts.__dict__)
    ok = True
    for problem in kind.value_checks(rows):
        if not problem.mask[0]:
            continue
        fact = problem.fact
        params: dict[str, Any] = {}
        if "{key}" in MESSAGES[problem.code]:
            params["key"] = fact
        if problem.value:
            params["value"] = getattr(facts, problem.value)
        if problem.detail == "kind":
            params["detail"] = kind.name
        elif problem.detail in FACT_KEYS:
            params["detail"] = getattr(facts, problem.detail)
        elif problem.detail:
            params["detail"] = problem.detail
        ctx.add(problem.code, path + (fact,), leaf=leaf.code, fact=fact, **params)
        ok = False
    return ok


def _score(
    ctx: _Ctx, value: Any, leaf: Leaf, step: Decimal, path: YamlPath, key: str
) -> int | None:
    number = _as_decimal(value)
    code = leaf.code
    if number is None:
        if value is None:
            ctx.add("fact-missing", path, key=key, detail=leaf.rule.kind, leaf=code, fact=key)
        else:
            ctx.add(
                "fact-wrong-type",
                path,
                key=key,
                detail="phải là số (dấu chấm thập phân)",
                leaf=code,
                fact=key,
            )
        return None
    if number < 0:
        ctx.add("score-negative", path, value=number, leaf=code, fact=key)
        return None
    if number > leaf.max:
        ctx.add("score-above-max", path, value=number, detail=leaf.max, leaf=code, fact=key)
        return None
    if decimal_places(number) > 2 or number % step != 0:
        ctx.add("score-off-step", path, value=number, detail=step, leaf=code, fact=key)
        return None
    return to_cents(number)
