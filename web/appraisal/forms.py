"""One leaf's appraisal inputs (điểm thẩm định): the text typed ↔ a round's values, the rules
on them (a score from 0 to max on the rule's step, typed with a decimal comma or point; a reason
whenever the score differs from the self-score; a question with every request for an
explanation), and how a round reads in words. Pure functions: no database, no request."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from parindex.criteria import Leaf
from parindex.rules import kind_of
from parindex.text import TextError, parse_number
from parindex.units import decimal_places
from web import formatting
from web.formatting import points_text
from web.models import Appraisal

MAX_REASON = 2000
MAX_QUESTION = 2000


def fingerprint(row: Appraisal | None) -> str:
    if row is None:
        return ""
    text = f"{row.score_c}|{row.reason}|{row.flagged}|{row.question}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def describe(row: Appraisal) -> str:
    text = points_text(row.score_c)
    if row.flagged:
        text += f"; yêu cầu giải trình: {row.question}"
    return text


# ================================================================================ the inputs
def field_name(code: str, key: str) -> str:
    return f"{code}-{key}"


@dataclass
class AppraisalForm:
    """One leaf's appraisal inputs as shown: the text, the messages beside them."""

    raw: dict[str, str]
    orig: str
    errors: dict[str, str] = field(default_factory=dict)
    conflict: str = ""


@dataclass
class Parsed:
    score_c: int | None
    reason: str
    flagged: bool
    question: str


def step_of(leaf: Leaf) -> Decimal:
    """The step of an appraised score: the rule's score step (a cent unless it states one)."""
    return kind_of(leaf.rule).score_step(leaf.rule)


def parse_appraisal(
    leaf: Leaf, raw: Mapping[str, str], self_c: int | None, rnd: int
) -> tuple[Parsed | None, dict[str, str]]:
    """The typed inputs of one leaf → the round's values, or the messages for what is wrong.
    ``self_c`` is the self-score in hundredths, ``None`` when the agency declared the leaf did
    not arise and it is excluded: then an empty score accepts that."""
    errors: dict[str, str] = {}
    text = str(raw.get("score", "")).strip()
    reason = str(raw.get("reason", "")).strip()
    flagged = rnd == 1 and bool(str(raw.get("flag", "")).strip())
    question = str(raw.get("question", "")).strip() if rnd == 1 else ""
    score_c: int | None = None
    if not text:
        if self_c is not None:
            errors["score"] = f"Nhập điểm thẩm định (từ 0 đến {formatting.number(leaf.max)})."
    else:
        value = parse_number(text)  # the range and the step are checked here, below
        step = step_of(leaf)
        if isinstance(value, TextError):
            errors["score"] = f"“{text}” không phải là số điểm; nhập ví dụ 1,25 hoặc 1.25."
        elif value < 0:
            errors["score"] = "Điểm thẩm định không được âm."
        elif value > leaf.max:
            errors["score"] = (
                f"Điểm thẩm định {text} vượt điểm tối đa {formatting.number(leaf.max)}."
            )
        elif decimal_places(value) > 2 or value % step != 0:
            errors["score"] = (
                f"Điểm thẩm định {text} không theo bước {formatting.number(step)} điểm."
            )
        else:
            score_c = int(value * 100)
    if "score" not in errors and score_c != self_c and not reason:
        errors["reason"] = (
            f"Điểm thẩm định khác điểm tự chấm ({points_text(self_c)}); phải nêu lý do."
        )
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"Lý do dài quá {formatting.number(MAX_REASON, 0)} ký tự."
    if flagged and not question:
        errors["question"] = (
            "Đã chọn “Yêu cầu giải trình” thì phải nêu nội dung đơn vị cần giải trình."
        )
    elif question and not flagged:
        errors["question"] = (
            "Đã nhập nội dung cần giải trình nhưng chưa chọn “Yêu cầu giải trình”; "
            "chọn ô đó hoặc xóa nội dung."
        )
    elif len(question) > MAX_QUESTION:
        errors["question"] = f"Nội dung dài quá {formatting.number(MAX_QUESTION, 0)} ký tự."
    if errors:
        return None, errors
    return Parsed(score_c, reason, flagged, question), {}


def _score_input(score_c: int | None) -> str:
    return "" if score_c is None else formatting.number(Decimal(score_c) / 100)


def stored_form(
    rnd: int, self_c: int | None, r1: Appraisal | None, r2: Appraisal | None
) -> AppraisalForm:
    """The inputs as the page first shows them: the stored round, else (round 1) the
    self-score, (round 2) the round-1 score — so that keeping a score is just "Lưu"."""
    row = r1 if rnd == 1 else r2
    if row is not None:
        raw = {"score": _score_input(row.score_c), "reason": row.reason}
        if rnd == 1:
            raw |= {"flag": "1" if row.flagged else "", "question": row.question}
        return AppraisalForm(raw, fingerprint(row))
    start = self_c if rnd == 1 or r1 is None else r1.score_c
    raw = {"score": _score_input(start), "reason": ""}
    if rnd == 1:
        raw |= {"flag": "", "question": ""}
    return AppraisalForm(raw, "")


def read_raw(form: Mapping[str, str], code: str, rnd: int) -> dict[str, str]:
    keys = ("score", "reason", "flag", "question") if rnd == 1 else ("score", "reason")
    return {k: str(form.get(field_name(code, k), "")) for k in keys}
