"""One leaf of the self-assessment form: its inputs, the text typed into them ↔ the entry's data
(the submission-file facts of docs/submission-format.md), and the engine's issues in the words of
the form. Pure functions: no database, no request."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from parindex import dates
from parindex.criteria import Leaf, LoadedSet
from parindex.errors import Issue
from parindex.rules import FACT_LABELS, FACTS, Input, kind_of
from parindex.text import (
    TextError,
    is_blank,
    parse_count,
    parse_date,
    parse_score,
    parse_yes_no,
)
from web import formatting
from web.engine import StoredEntry
from web.models import ENTRY_DATA_KEYS, Entry

#: the keys of an entry's data that the self-assessment form writes (others are kept as they are)
SELF_KEYS = ENTRY_DATA_KEYS
MAX_EXPLANATION = 5000
MAX_REASON = 1000
EVIDENCE_NAMES = {
    "number": "số, ký hiệu",
    "date": "ngày ban hành",
    "issuer": "cơ quan ban hành",
    "title": "trích yếu",
}


def self_scored(leaf: Leaf) -> bool:
    """Whether the agency scores the leaf itself (survey leaves: no form, no evidence)."""
    return kind_of(leaf.rule).self_scored


def fact_inputs(leaf: Leaf) -> tuple[Input, ...]:
    """The inputs of the leaf's facts, as its rule declares them (with the rule's labels)."""
    return kind_of(leaf.rule).form_inputs(leaf.rule)


def input_rows(inputs: tuple[Input, ...]) -> list[tuple[bool, tuple[Input, ...]]]:
    """The inputs as the page lays them out: boxes side by side in a row (date, "not issued",
    numbers, score), or one on its own (Có/Không, a level); ``(in a row, inputs)``."""
    rows: list[tuple[bool, tuple[Input, ...]]] = []
    for i in inputs:
        boxed = i.widget not in ("co-khong", "level")
        if boxed and rows and rows[-1][0]:
            rows[-1] = (True, rows[-1][1] + (i,))
        else:
            rows.append((boxed, (i,)))
    return rows


def dna_allowed(loaded: LoadedSet, leaf: Leaf) -> bool:
    """Whether the form offers "Không phát sinh" for the leaf (never for bonus/penalty items)."""
    return (
        leaf.code in loaded.leaf_by_code
        and self_scored(leaf)
        and loaded.model.policy(leaf) != "not-allowed"
    )


def input_keys(loaded: LoadedSet, leaf: Leaf) -> tuple[str, ...]:
    """The form inputs of a leaf (its name in the page is ``<code>-<key>``); worked out once
    per leaf of a loaded set (a page and a save ask for them several times per leaf)."""
    known: dict[str, tuple[str, ...]] = loaded.cache.setdefault("input_keys", {})
    keys = known.get(leaf.code)
    if keys is None:
        keys = known[leaf.code] = _input_keys(loaded, leaf)
    return keys


def _input_keys(loaded: LoadedSet, leaf: Leaf) -> tuple[str, ...]:
    if not self_scored(leaf):
        return ()
    facts = tuple(i.key for i in fact_inputs(leaf))
    extra = ("dna", "dna_reason") if dna_allowed(loaded, leaf) else ()
    return facts + extra + ("explanation",)


def field_name(code: str, key: str) -> str:
    return f"{code}-{key}"


def read_raw(form: Mapping[str, str], loaded: LoadedSet, leaf: Leaf) -> dict[str, str]:
    """What the officer typed for one leaf, as text (kept as is when the form is shown again)."""
    return {k: str(form.get(field_name(leaf.code, k), "")) for k in input_keys(loaded, leaf)}


def self_data(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """The self-assessment part of an entry's data, empty values dropped."""
    return {k: data[k] for k in SELF_KEYS if data and data.get(k) not in (None, "")}


def fingerprint(data: Mapping[str, Any] | None) -> str:
    """A short digest of an entry's self-assessment data: tells "changed since loaded"."""
    text = json.dumps(self_data(data), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def form_fingerprint(loaded: LoadedSet, leaf: Leaf, data: Mapping[str, Any] | None) -> str:
    """The digest of stored data as the form shows it and would send it back. Data the form
    cannot show (written by an import, say) thus reads as unchanged when the officer leaves the
    leaf alone, and is not rewritten behind their back."""
    shown, _ = parse_leaf(loaded, leaf, raw_from_data(loaded, leaf, data))
    return fingerprint(shown)


def _vn_decimal(text: str) -> str:
    return text.replace(".", ",")


def raw_from_data(loaded: LoadedSet, leaf: Leaf, data: Mapping[str, Any] | None) -> dict[str, str]:
    """A stored entry's data as the form's text values."""
    data = data or {}
    raw = {k: "" for k in input_keys(loaded, leaf)}
    for i in fact_inputs(leaf):
        value = data.get(i.fact)
        if i.widget == "co-khong":
            raw[i.key] = "" if value is None else "co" if value is True else "khong"
        elif i.widget == "date":  # stored ISO, shown as typed here: dd/mm/yyyy
            date = parse_date(value) if value else None
            raw[i.key] = dates.day(date) if isinstance(date, dt.date) else str(value or "")
        elif i.widget == "not-issued":
            raw[i.key] = "1" if value is False else ""
        elif i.widget == "score":
            raw[i.key] = "" if value in (None, "") else _vn_decimal(str(value))
        elif value is not None:  # a count, a level
            raw[i.key] = str(value)
    if "dna" in raw and data.get("did_not_arise"):
        raw["dna"] = "1"
        raw["dna_reason"] = str(data["did_not_arise"])
    raw["explanation"] = str(data.get("explanation") or "")
    return raw


def _canonical(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "+0") else text


def rule_labels(leaf: Leaf) -> dict[str, str]:
    """The Vietnamese label of each fact input, taken from the rule where it gives one."""
    return {**FACT_LABELS, **kind_of(leaf.rule).labels(leaf.rule)}


def parse_leaf(
    loaded: LoadedSet, leaf: Leaf, raw: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Form text → the entry's data (submission-file facts); input key → message for what cannot
    be read. Rules about the values themselves (numerator above denominator, a score off its
    step, an implausible date) are left to the engine, which reports them beside the leaf.
    The text is read by :mod:`parindex.text`, as every other front end reads it."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}

    def text(key: str) -> str:
        return str(raw.get(key, "")).strip()

    def given(key: str) -> bool:
        return not is_blank(raw.get(key))

    inputs = fact_inputs(leaf)
    # the "not issued" box beside a date: ticked, the date stays empty and the fact is false
    ticked = [i for i in inputs if i.widget == "not-issued" and text(i.key)]
    value: Any
    for i in inputs:
        if i.widget == "not-issued" or not given(i.key):
            continue
        if i.widget == "co-khong":
            value = parse_yes_no(text(i.key))
        elif i.widget == "date":
            value = parse_date(text(i.key))
            if ticked and not isinstance(value, TextError):
                errors[i.key] = f"Đã chọn “{ticked[0].label}” thì để trống ngày."
                continue
            value = value if isinstance(value, TextError) else value.isoformat()
        elif i.widget == "integer":
            value = parse_count(text(i.key))
        elif i.widget == "score":
            value = parse_score(text(i.key))
            value = value if isinstance(value, TextError) else _canonical(value)
        else:  # a level: one of the rule's choices
            if text(i.key) not in kind_of(leaf.rule).choices(leaf.rule):
                errors[i.key] = "Mức đánh giá đã chọn không có trong tiêu chí; hãy chọn lại."
                continue
            value = text(i.key)
        if isinstance(value, TextError):
            errors[i.key] = f"{value.message}."
        else:
            data[i.fact] = value
    for i in ticked:
        if not any(j.widget == "date" and given(j.key) for j in inputs):
            data[i.fact] = False
    if "dna" in raw:
        reason = text("dna_reason")
        if text("dna"):
            if not reason:
                errors["dna_reason"] = "Đã chọn “Không phát sinh” thì phải nêu lý do."
            elif len(reason) > MAX_REASON:
                errors["dna_reason"] = (
                    f"Lý do dài {formatting.number(len(reason), 0)} ký tự, "
                    f"tối đa {formatting.number(MAX_REASON, 0)} ký tự."
                )
            else:
                # the claim wins: the leaf's figures are cleared in the same save (the form
                # says so beside the box; :func:`cleared_by_claim` names them for the message)
                data = {"did_not_arise": reason}
                for i in inputs:  # nor is a figure that cannot be read in the way
                    errors.pop(i.key, None)
        elif reason:
            errors["dna_reason"] = (
                "Đã nhập lý do nhưng chưa chọn “Không phát sinh”; chọn ô đó hoặc xóa lý do."
            )
    explanation = text("explanation")
    if len(explanation) > MAX_EXPLANATION:
        errors["explanation"] = (
            f"Giải trình dài {formatting.number(len(explanation), 0)} ký tự, "
            f"tối đa {formatting.number(MAX_EXPLANATION, 0)} ký tự."
        )
    elif explanation:
        data["explanation"] = explanation
    return data, errors


def cleared_by_claim(
    leaf: Leaf, raw: Mapping[str, str], stored: Mapping[str, Any] | None = None
) -> list[str]:
    """The labels of the figures a leaf's "Không phát sinh" claim clears when saved: those typed
    beside the ticked box and those stored before (:func:`parse_leaf` drops them); the officer
    is told which."""
    if not str(raw.get("dna", "")).strip():
        return []
    return [
        i.label
        for i in fact_inputs(leaf)
        if not is_blank(raw.get(i.key)) or (stored and stored.get(i.fact) not in (None, ""))
    ]


def _vn(value: Any) -> str:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return formatting.number(number) if number.is_finite() else str(value)


def issue_text(issue: Issue, leaf: Leaf | None) -> str:
    """An engine issue in the words of the form (the rule's own labels, decimal commas)."""
    labels = rule_labels(leaf) if leaf is not None else {}
    fact = issue.location.fact
    if issue.code == "fact-missing" and fact in labels:
        return f"Chưa nhập “{labels[fact]}”; tiêu chí tính 0 điểm."
    if issue.code == "numerator-above-denominator" and leaf is not None:
        return (
            f"“{labels.get('numerator', 'Tử số')}” ({issue.value}) không được lớn hơn "
            f"“{labels.get('denominator', 'Mẫu số')}”."
        )
    if issue.code == "did-not-arise-not-allowed" and fact == "denominator":
        return (
            f"“{labels.get('denominator', 'Mẫu số')}” bằng 0 nghĩa là không phát sinh, "
            "nhưng tiêu chí này không cho phép khai “Không phát sinh”."
        )
    if issue.code in ("score-above-max", "score-negative", "score-off-step") and leaf is not None:
        step = kind_of(leaf.rule).score_step(leaf.rule)
        return {
            "score-above-max": f"Điểm {_vn(issue.value)} vượt điểm tối đa {_vn(leaf.max)}.",
            "score-negative": f"Điểm {_vn(issue.value)} không được âm.",
            "score-off-step": (
                f"Điểm {_vn(issue.value)} không theo bước {_vn(step)} điểm "
                f"(ví dụ 0; {_vn(step)}; {_vn(2 * step)} …)."
            ),
        }[issue.code]
    if issue.code in ("evidence-incomplete", "date-implausible", "evidence-no-source"):
        item = issue.location.item
        where = f"Minh chứng thứ {item}: " if item is not None else ""
        if issue.code == "evidence-incomplete":
            key = str(issue.params.get("key", ""))
            return f"{where}chưa có {EVIDENCE_NAMES.get(key, key)}."
        if issue.code == "date-implausible":
            low, high = issue.params.get("low"), issue.params.get("high")
            value = issue.params.get("value")
            shown = formatting.date(value) if isinstance(value, dt.date) else str(value or "")
            if isinstance(low, dt.date) and isinstance(high, dt.date):
                return (
                    f"{where}Ngày {shown} nằm ngoài khoảng hợp lý "
                    f"({formatting.date(low)} – {formatting.date(high)})"
                )
        return f"{where}{issue.message}"
    if issue.code == "evidence-missing":
        return (
            f"Tự chấm {_vn(issue.value)} điểm nhưng chưa có tài liệu kiểm chứng "
            "và chưa có giải trình."
        )
    return issue.message


@dataclass
class Message:
    text: str
    severity: str  # "error" | "warning"


def leaf_messages(issues: list[Issue], leaf: Leaf | None) -> list[Message]:
    return [Message(issue_text(i, leaf), i.severity) for i in issues]


@dataclass
class LeafForm:
    """One leaf's inputs as shown: the text, the messages beside them, the hidden version."""

    raw: dict[str, str]
    version: int
    orig: str
    errors: dict[str, str] = field(default_factory=dict)
    conflict: str = ""
    stored: str = ""  # on a conflict: what is stored now


def stored_form(loaded: LoadedSet, leaf: Leaf, entry: Entry | StoredEntry | None) -> LeafForm:
    raw = raw_from_data(loaded, leaf, None if entry is None else entry.data)
    shown, _ = parse_leaf(loaded, leaf, raw)  # as in form_fingerprint, from the same text
    return LeafForm(raw, 0 if entry is None else entry.version, fingerprint(shown))


def describe_data(loaded: LoadedSet, leaf: Leaf, data: Mapping[str, Any] | None) -> str:
    """A stored entry's values in words (shown when someone else changed them)."""
    data = self_data(data)
    by_fact = {i.fact: i for i in fact_inputs(leaf)}
    names = kind_of(leaf.rule).choice_labels(leaf.rule)
    parts = []
    for fact in FACTS:
        i = by_fact.get(fact)
        if i is None or fact not in data:
            continue
        value = data[fact]
        if i.widget == "not-issued":
            parts.append(i.label if value is False else "Đã ban hành")
        elif i.widget == "co-khong":
            parts.append(f"{i.label}: {'Có' if value else 'Không'}")
        elif i.widget == "date":
            date = parse_date(str(value))
            shown = formatting.date(date) if isinstance(date, dt.date) else value
            parts.append(f"{i.label}: {shown}")
        elif i.widget == "level":
            parts.append(f"{i.label}: {names.get(value, value)}")
        elif i.widget == "score":
            parts.append(f"{i.label}: {_vn_decimal(str(value))}")
        else:
            parts.append(f"{i.label}: {value}")
    if "did_not_arise" in data:
        parts.append(f"Không phát sinh: {data['did_not_arise']}")
    if "explanation" in data:
        parts.append(f"Giải trình: {data['explanation']}")
    return "; ".join(parts) or "(trống)"
