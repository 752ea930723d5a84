"""Criteria sets: the YAML definition of one block's index for one year.

Loading happens in two stages, as the criteria file format documents (docs/criteria-format.md):
structure first (pydantic models that reject unknown keys, the rule ``kind`` selecting its model),
then cross-field rules (unique codes, parent max = sum of children, tiers ordered, ...). Every
problem of both stages is collected; a file with any raises :class:`CriteriaError`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError

from parindex.errors import CriteriaError, Issue, Location, message
from parindex.rules import NAMES, Rule, kind_of
from parindex.rules.base import StrictModel
from parindex.text import TextError, identifier, parse_number
from parindex.units import decimal_places
from parindex.yamlio import (
    YamlLoadError,
    YamlPath,
    format_path,
    line_of,
    load_yaml,
    load_yaml_text,
)

Policy = Literal["excluded", "full-points", "not-allowed"]
EvidenceNeed = Literal["required", "optional", "none"]
TieKey = Literal["appraised_points", "survey_points", "bonus_points", "penalty_points"]
#: a leaf's evidence need in words (the Excel template's column, the criteria-set diff)
EVIDENCE_NEED_LABELS = {"required": "Bắt buộc", "optional": "Không bắt buộc", "none": "Không cần"}


#: the largest points value of a criteria set (a whole set is usually 100 points; above this a
#: value is a typing mistake, and 1e30 would overflow the scorer's integer hundredths)
MAX_POINTS = Decimal(100_000)
#: the years a criteria set may be for
FIRST_YEAR, LAST_YEAR = 2000, 2100


# ----------------------------------------------------------------------------------------- tree
def _code(value: Any) -> Any:
    # YAML reads an unquoted 1.2 as a number; a code is its text as written.
    return (
        str(value) if isinstance(value, (int, Decimal)) and not isinstance(value, bool) else value
    )


Code = Annotated[str, Field(min_length=1)]


class _Coded(StrictModel):
    code: Code
    name: str = Field(min_length=1)
    max: Decimal


class Leaf(_Coded):
    """A sub-criterion (tiêu chí thành phần): the only level that carries a rule."""

    rule: Rule
    evidence: EvidenceNeed = "required"
    survey: bool = False
    did_not_arise: Policy | None = None  # None: the set's default
    guidance: str = ""  # what the evidence should show, for agencies
    #: the leaf whose facts come from a tracked plan (``cchc``: the yearly CCHC plan, its
    #: tasks completed on time / tasks assigned; parindex/plan.py)
    plan: Literal["cchc"] | None = None


class Criterion(_Coded):
    subcriteria: list[Leaf] = Field(min_length=1)


class FieldArea(_Coded):
    """A field (lĩnh vực): one reform area."""

    weight: Decimal | None = None
    criteria: list[Criterion] = Field(min_length=1)


class BonusPenalty(StrictModel):
    cap: Decimal
    items: list[Leaf] = Field(default_factory=list)


class Band(StrictModel):
    name: str = Field(min_length=1)
    at_least: Decimal  # index (%) from which this band applies


class Rounding(StrictModel):
    leaf: Literal[2] = 2
    index: Literal[2] = 2
    mode: Literal["half-up"] = "half-up"


class CriteriaSet(StrictModel):
    id: str = Field(min_length=1)
    year: int
    block: str = Field(min_length=1)
    block_name: str = Field(min_length=1)
    title: str = Field(min_length=1)
    sample: bool = False
    max: Decimal = Decimal(100)
    rounding: Rounding = Rounding()
    did_not_arise: Policy = "excluded"
    tie_break: list[TieKey] = Field(default_factory=list)
    bands: list[Band] = Field(min_length=1)
    bonus: BonusPenalty = BonusPenalty(cap=Decimal(0))
    penalty: BonusPenalty = BonusPenalty(cap=Decimal(0))
    fields: list[FieldArea] = Field(min_length=1)
    #: last year's blocks whose units this block's units are compared with (year over year);
    #: None: the block of the same id
    compare_with: list[str] | None = Field(default=None, min_length=1)

    @property
    def compared_blocks(self) -> list[str]:
        """Last year's block ids this block is compared with: ``compare_with``, else its own."""
        return list(self.compare_with) if self.compare_with is not None else [self.block]

    def leaves(self) -> Iterator[tuple[FieldArea, Criterion, Leaf]]:
        for f in self.fields:
            for c in f.criteria:
                for leaf in c.subcriteria:
                    yield f, c, leaf

    def policy(self, leaf: Leaf) -> Policy:
        return leaf.did_not_arise or self.did_not_arise

    @property
    def weighted(self) -> bool:
        return any(f.weight is not None for f in self.fields)


class LoadedSet:
    """A validated criteria set with where it came from."""

    def __init__(
        self,
        model: CriteriaSet,
        path: Path,
        sha256: str,
        lines: dict[YamlPath, int] | None = None,
    ):
        self.model = model
        self.path = path
        self.sha256 = sha256
        #: the line of every YAML path of the file (empty for a set not read from YAML)
        self.lines: dict[YamlPath, int] = lines or {}
        self.leaf_by_code: dict[str, tuple[FieldArea, Criterion, Leaf]] = {
            leaf.code: (f, c, leaf) for f, c, leaf in model.leaves()
        }
        self.criterion_codes = {c.code for f in model.fields for c in f.criteria} | {
            f.code for f in model.fields
        }
        self.extra_by_code: dict[str, tuple[str, Leaf]] = {
            **{i.code: ("bonus", i) for i in model.bonus.items},
            **{i.code: ("penalty", i) for i in model.penalty.items},
        }
        #: what is derived from the set once and kept with it (the scorer's rule tables)
        self.cache: dict[str, Any] = {}

    def survey_keys(self) -> list[str]:
        """The surveys whose results score the set's leaves, in file order."""
        keys = (kind_of(leaf.rule).survey_key(leaf.rule) for _, _, leaf in self.model.leaves())
        return list(dict.fromkeys(k for k in keys if k))


# ------------------------------------------------------------------------------------- loading
def _normalise_codes(
    data: Any,
    issues: list[Issue] | None = None,
    file: str = "",
    lines: dict[YamlPath, int] | None = None,
    path: YamlPath = (),
) -> Any:
    """Turn numeric codes (``code: 1.2`` read as a number) back into their text, and every
    code and the block name into its identifier (:func:`parindex.text.identifier`: NFC, the
    stated characters); a code that is no identifier is an issue added to ``issues``."""
    if isinstance(data, dict):
        out = {}
        for k, v in data.items():
            sub = (*path, str(k))
            if k == "code" or (k == "block" and not path):
                v = _code(v)
                if isinstance(v, str):
                    v = _identifier(v, sub, issues, file, lines or {})
                out[k] = v
            elif k == "compare_with" and not path and isinstance(v, list):
                out[k] = [
                    _identifier(x, (*sub, i), issues, file, lines or {})
                    if isinstance(x, str)
                    else x
                    for i, x in enumerate(v)
                ]
            else:
                out[k] = _normalise_codes(v, issues, file, lines, sub)
        return out
    if isinstance(data, list):
        return [_normalise_codes(v, issues, file, lines, (*path, i)) for i, v in enumerate(data)]
    return data


def _identifier(
    value: str, path: YamlPath, issues: list[Issue] | None, file: str, lines: dict[YamlPath, int]
) -> str:
    checked = identifier(value)
    if isinstance(checked, str):
        return checked
    if issues is not None:
        loc = Location(file=file, line=line_of(lines, path), path=format_path(path))
        issues.append(Issue.make(checked.code, loc, **checked.params))
    return value


_PYDANTIC_CODES = {
    "extra_forbidden": "unknown-key",
    "missing": "missing-key",
    "union_tag_invalid": "unknown-rule-kind",
    "union_tag_not_found": "missing-key",
}

#: pydantic's error type → the catalogue key of its Vietnamese explanation (the ``detail`` of a
#: wrong-type or bad-value issue); pydantic's English ``msg`` is never shown
PYDANTIC_TYPES: dict[str, str] = {
    "decimal_parsing": "expect-number",
    "decimal_type": "expect-number",
    "float_parsing": "expect-number",
    "float_type": "expect-number",
    "finite_number": "expect-number",
    "int_parsing": "expect-integer",
    "int_type": "expect-integer",
    "int_from_float": "expect-integer",
    "int_parsing_size": "expect-integer",
    "string_type": "expect-text",
    "string_too_short": "expect-not-empty",
    "bool_parsing": "expect-yes-no",
    "bool_type": "expect-yes-no",
    "list_type": "expect-list",
    "too_short": "expect-at-least",
    "dict_type": "expect-mapping",
    "model_type": "expect-mapping",
    "model_attributes_type": "expect-mapping",
    "literal_error": "expect-one-of",
}


def _explain(err: Any) -> str:
    """pydantic's error in Vietnamese, its parameters (the choices, the least length) kept."""
    key = PYDANTIC_TYPES.get(err["type"], "expect-other")
    ctx = err.get("ctx") or {}
    expected = str(ctx.get("expected", "")).replace(" or ", " hoặc ")
    return message(key, expected=expected, least=ctx.get("min_length", ""))


def _structure_issues(e: ValidationError, file: str, lines: dict[YamlPath, int]) -> list[Issue]:
    issues = []
    for err in e.errors():
        path = _path_of(err)
        code = _PYDANTIC_CODES.get(err["type"])
        key = str(path[-1]) if path else ""
        if code is None:
            code = "wrong-type" if err["type"].endswith(("_type", "_parsing")) else "bad-value"
        if code == "missing-key" and err["type"] == "union_tag_not_found":
            key = "kind"
        value = err.get("input") if code in ("unknown-rule-kind", "bad-value") else ""
        if code == "unknown-rule-kind" and isinstance(err.get("input"), dict):
            value = err["input"].get("kind", "")
        where = format_path(path)
        issues.append(
            Issue.make(
                code,
                Location(file=file, line=line_of(lines, path), path=where),
                key=key,
                value=value if not isinstance(value, dict | list) else "",
                problem=PYDANTIC_TYPES.get(err["type"], "expect-other"),
                detail=_explain(err),  # (the path is the location's)
            )
        )
    return issues


def _path_of(err: Any) -> YamlPath:
    """The YAML path of a pydantic error (the discriminated union's tag left out)."""
    loc: list[str | int] = []
    raw = list(err["loc"])
    for i, part in enumerate(raw):
        # the discriminated union adds the tag to the location: rule.tiers.tiers → rule.tiers
        if isinstance(part, str) and part in NAMES and i > 0 and raw[i - 1] == "rule":
            continue
        loc.append(part)
    if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
        loc.append("kind")  # the problem is the rule's kind, not the whole rule
    return tuple(loc)


def _decimal_commas(data: Any, e: ValidationError) -> bool:
    """Numbers written with a decimal comma (``max: 1,5``, read by YAML as text) replaced in
    ``data`` by their value (:func:`parindex.text.parse_number`); True when any was."""
    changed = False
    for err in e.errors():
        if err["type"] != "decimal_parsing" or not isinstance(err.get("input"), str):
            continue
        number = parse_number(err["input"])
        if isinstance(number, TextError) or "," not in err["input"]:
            continue
        path = _path_of(err)
        node = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = number
        changed = True
    return changed


def _merged(identifiers: list[Issue], structure: list[Issue]) -> list[Issue]:
    """The identifier issues, then pydantic's at other paths (an empty code is said once)."""
    said = {i.location.path for i in identifiers}
    return identifiers + [i for i in structure if i.location.path not in said]


def _model(data: Any, file: str, lines: dict[YamlPath, int]) -> CriteriaSet:
    """Stage 1: the structure, every problem collected; an empty file said so."""
    if data is None or data == {}:
        loc = Location(file=file, line=1)
        raise CriteriaError([Issue.make("file-empty", loc, detail=message("expect-criteria"))])
    issues: list[Issue] = []
    data = _normalise_codes(data, issues, file, lines)
    try:
        model = CriteriaSet.model_validate(data)
    except ValidationError as e:
        if not _decimal_commas(data, e):
            raise CriteriaError(_merged(issues, _structure_issues(e, file, lines))) from e
        try:
            model = CriteriaSet.model_validate(data)
        except ValidationError as again:
            found = _structure_issues(again, file, lines)
            raise CriteriaError(_merged(issues, found)) from again
    if issues:
        raise CriteriaError(issues)
    return model


def criteria_from_text(text: str, name: str) -> LoadedSet:
    """Load and validate criteria given as YAML text (an uploaded file); same checks as a file."""
    try:
        data, lines = load_yaml_text(text, name)
    except YamlLoadError as e:
        raise CriteriaError(e.issues) from e
    return _validate(data, lines, Path(name), hashlib.sha256(text.encode("utf-8")).hexdigest())


def load_criteria(path: Path | str) -> LoadedSet:
    """Load and validate one criteria file; raise :class:`CriteriaError` listing every problem."""
    path = Path(path)
    try:
        data, lines = load_yaml(path)
    except YamlLoadError as e:
        raise CriteriaError(e.issues) from e
    return _validate(data, lines, path, hashlib.sha256(path.read_bytes()).hexdigest())


def _validate(data: Any, lines: dict[YamlPath, int], path: Path, sha256: str) -> LoadedSet:
    file = str(path)
    model = _model(data, file, lines)
    issues = cross_check(model, file, lines)
    if issues:
        raise CriteriaError(issues)
    return LoadedSet(model, path, sha256, lines)


# ---------------------------------------------------------------------------- cross-field rules
class _Checker:
    def __init__(self, file: str, lines: dict[YamlPath, int]):
        self.file = file
        self.lines = lines
        self.issues: list[Issue] = []

    def add(self, code: str, path: YamlPath, **kw: Any) -> None:
        loc = Location(file=self.file, line=line_of(self.lines, path), path=format_path(path))
        self.issues.append(Issue.make(code, loc, **kw))

    def points(self, value: Decimal, path: YamlPath) -> bool:
        if value.is_finite() and value > MAX_POINTS:  # 1e30: would overflow the scorer's int64
            self.add("points-too-large", path, value=value, most=MAX_POINTS)
            return False
        if not value.is_finite() or decimal_places(value) > 2 or value < 0:
            self.add(
                "points-precision" if value >= 0 else "bad-value",
                path,
                value=value,
                detail=f"{value} < 0",
            )
            return False
        return True

    def share(self, value: Decimal, path: YamlPath) -> None:
        if (
            not value.is_finite()
            or not Decimal(0) <= value <= Decimal(1)
            or decimal_places(value) > 4
        ):
            self.add("share-out-of-range", path, value=value)

    def rate(self, value: Decimal, path: YamlPath) -> bool:
        if (
            not value.is_finite()
            or not Decimal(0) <= value <= Decimal(100)
            or decimal_places(value) > 2
        ):
            self.add("rate-out-of-range", path, value=value)
            return False
        return True


def _check_rule(ck: _Checker, leaf: Leaf, path: YamlPath, extra: bool) -> None:
    rule = leaf.rule
    kind = kind_of(rule)
    rpath = path + ("rule",)
    if not kind.self_scored:
        if extra:
            ck.add(
                "bad-value",
                rpath + ("kind",),
                value=rule.kind,
                detail="mục điểm thưởng/điểm trừ không chấm qua điều tra",
            )
        elif not leaf.survey:
            ck.add(
                "survey-self-scored",
                path + ("survey",),
                detail=f"quy tắc '{rule.kind}' cần 'survey: true'",
            )
        if leaf.evidence != "none":
            ck.add("survey-evidence", path + ("evidence",))
    elif leaf.survey:
        ck.add(
            "survey-self-scored",
            rpath + ("kind",),
            detail=f"'survey: true' nhưng quy tắc là '{rule.kind}'",
        )
    kind.check(ck, rule, leaf.max, rpath)
    if leaf.plan is not None and set(kind.required) != {"numerator", "denominator"}:
        ck.add(
            "bad-value",
            path + ("plan",),
            value=leaf.plan,
            detail="'plan' chỉ dùng cho tiêu chí chấm theo tỷ lệ (tử số, mẫu số)",
        )


def cross_check(
    model: CriteriaSet, file: str = "", lines: dict[YamlPath, int] | None = None
) -> list[Issue]:
    """Stage 2: the rules no single key can check. Returns every problem found."""
    ck = _Checker(file, lines or {})
    seen: dict[str, str] = {}
    if not FIRST_YEAR <= model.year <= LAST_YEAR:
        ck.add("year-out-of-range", ("year",), value=model.year, low=FIRST_YEAR, high=LAST_YEAR)

    def code(value: str, path: YamlPath, parent: str | None) -> None:
        where = format_path(path)
        if value in seen:
            ck.add("duplicate-code", path + ("code",), value=value, detail=seen[value])
        else:
            seen[value] = where
        if parent is not None:
            rest = value[len(parent) + 1 :] if value.startswith(parent + ".") else ""
            if not rest or "." in rest:  # one more segment than its parent: 1 → 1.2 → 1.2.3
                ck.add("code-not-in-parent", path + ("code",), value=value, detail=parent)

    def sum_check(node_max: Decimal, children: list[Decimal], path: YamlPath) -> None:
        if ck.points(node_max, path + ("max",)) and node_max != sum(children, Decimal(0)):
            ck.add("max-not-sum", path + ("max",), value=node_max, detail=sum(children, Decimal(0)))

    field_max = []
    planned: dict[str, str] = {}  # a plan → the one leaf it feeds
    for fi, f in enumerate(model.fields):
        fpath: YamlPath = ("fields", fi)
        code(f.code, fpath, None)
        for ci, c in enumerate(f.criteria):
            cpath = fpath + ("criteria", ci)
            code(c.code, cpath, f.code)
            for li, leaf in enumerate(c.subcriteria):
                lpath = cpath + ("subcriteria", li)
                code(leaf.code, lpath, c.code)
                if ck.points(leaf.max, lpath + ("max",)):
                    if leaf.max == 0:
                        ck.add("bad-value", lpath + ("max",), value=0, detail="max phải lớn hơn 0")
                    _check_rule(ck, leaf, lpath, extra=False)
                if leaf.plan is not None:
                    if leaf.plan in planned:
                        ck.add(
                            "duplicate-code",
                            lpath + ("plan",),
                            value=f"plan: {leaf.plan}",
                            detail=planned[leaf.plan],
                        )
                    planned.setdefault(leaf.plan, format_path(lpath))
            sum_check(c.max, [leaf.max for leaf in c.subcriteria], cpath)
        sum_check(f.max, [c.max for c in f.criteria], fpath)
        field_max.append(f.max)
    sum_check(model.max, field_max, ())

    weights = [f.weight for f in model.fields]
    if any(w is not None for w in weights):
        if any(w is None for w in weights):
            ck.add("weights-partial", ("fields",))
        else:
            total = sum((w for w in weights if w is not None), Decimal(0))
            if total != 100:
                ck.add("weights-not-100", ("fields",), value=total)
            for fi, w in enumerate(weights):
                if w is not None:
                    ck.points(w, ("fields", fi, "weight"))

    for section in ("bonus", "penalty"):
        block: BonusPenalty = getattr(model, section)
        ck.points(block.cap, (section, "cap"))
        for ii, item in enumerate(block.items):
            ipath: YamlPath = (section, "items", ii)
            code(item.code, ipath, None)
            if ck.points(item.max, ipath + ("max",)):
                if item.max > block.cap:
                    ck.add(
                        "bonus-item-above-cap", ipath + ("max",), value=item.max, detail=block.cap
                    )
                _check_rule(ck, item, ipath, extra=True)
            if item.did_not_arise is not None:
                ck.add(
                    "bad-value",
                    ipath + ("did_not_arise",),
                    value=item.did_not_arise,
                    detail="mục điểm thưởng/điểm trừ không khai 'không phát sinh'",
                )

    previous_band: Band | None = None
    for bi, band in enumerate(model.bands):
        ck.rate(band.at_least, ("bands", bi, "at_least"))
        if previous_band is not None and band.at_least >= previous_band.at_least:
            ck.add(
                "bands-not-ordered",
                ("bands", bi, "at_least"),
                detail=f"{band.at_least} sau {previous_band.at_least}",
            )
        previous_band = band
    if model.bands[-1].at_least != 0:
        ck.add("bands-no-floor", ("bands", len(model.bands) - 1, "at_least"))
    compared: dict[str, str] = {}
    for bi, other in enumerate(model.compare_with or []):
        where: YamlPath = ("compare_with", bi)
        if other in compared:
            ck.add("duplicate-code", where, value=other, detail=compared[other])
        compared.setdefault(other, f"phần tử thứ {bi + 1} của danh sách")
    return ck.issues


def criteria_from_dict(data: Any, name: str = "<memory>") -> LoadedSet:
    """Validate criteria given as plain data (tests, generators); same checks as a file."""
    import json

    model = _model(data, name, {})
    issues = cross_check(model, name, {})
    if issues:
        raise CriteriaError(issues)
    digest = hashlib.sha256(json.dumps(data, default=str, sort_keys=True).encode()).hexdigest()
    return LoadedSet(model, Path(name), digest)
