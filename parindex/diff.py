"""What changed between two criteria sets (last year's and this year's, or a set before and
after an edit): the leaves, criteria and fields added, removed, renamed or moved; maximum
points, rules (kind and parameters), "did not arise" policies, evidence needs and survey
scoring that changed; and the set's own bands, caps, weights and tie rule. A reader of two
years' indices sees from it whether they are comparable.

Things are matched by their code; a leaf's policy is the one that applies to it (its own, else
the set's). Each change is data (:class:`Change`); :func:`describe` puts it in Vietnamese.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from parindex.criteria import EVIDENCE_NEED_LABELS, CriteriaSet, Leaf
from parindex.ranking import TIE_KEY_LABELS
from parindex.rules import kind_of

#: what changed, in the order a report lists them
KINDS = (
    "added",
    "removed",
    "renamed",
    "moved",
    "max",
    "rule",
    "policy",
    "evidence",
    "survey",
    "weight",
    "bands",
    "cap",
    "tie-break",
    "set-max",
)
LEVELS = {
    "field": "lĩnh vực",
    "criterion": "tiêu chí",
    "leaf": "tiêu chí thành phần",
    "bonus": "điểm thưởng",
    "penalty": "điểm trừ",
    "set": "bộ tiêu chí",
}
_WHAT = {
    "added": "thêm mới",
    "removed": "bỏ",
    "renamed": "đổi tên",
    "moved": "chuyển sang tiêu chí khác",
    "max": "đổi điểm tối đa",
    "rule": "đổi cách chấm",
    "policy": "đổi cách tính khi không phát sinh",
    "evidence": "đổi yêu cầu tài liệu kiểm chứng",
    "survey": "đổi nguồn điểm (tự chấm / điều tra xã hội học)",
    "weight": "đổi trọng số",
    "bands": "đổi các mức xếp loại",
    "cap": "đổi mức tối đa",
    "tie-break": "đổi cách xếp khi bằng điểm",
    "set-max": "đổi tổng điểm tối đa",
}
POLICIES = {
    "excluded": "không tính vào điểm tối đa",
    "full-points": "được điểm tối đa",
    "not-allowed": "không được nhận không phát sinh",
}
EVIDENCE = {k: v.lower() for k, v in EVIDENCE_NEED_LABELS.items()}


@dataclass(frozen=True)
class Change:
    """One difference: what changed (one of :data:`KINDS`), on which thing (its level and code;
    "" for the set itself), and the old and new values as a reader reads them."""

    kind: str
    level: str
    code: str
    old: str = ""
    new: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def what_changed(change: Change) -> str:
    """What changed, in words: "đổi điểm tối đa" (a table's first column)."""
    return _WHAT[change.kind]


def where_changed(change: Change) -> str:
    """On which thing, in words: "tiêu chí thành phần 1.1.1", "bộ tiêu chí"."""
    return LEVELS[change.level] + (f" {change.code}" if change.code else "")


def describe(change: Change) -> str:
    """The change in one Vietnamese sentence."""
    thing = where_changed(change)
    text = f"{thing[0].upper()}{thing[1:]}: {what_changed(change)}"
    if change.old and change.new:
        return f"{text} — trước: {change.old}; nay: {change.new}"
    return f"{text} — {change.old or change.new}" if change.old or change.new else text


def _points(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return ("0" if text in ("0", "-0") else text).replace(".", ",")


def _rule(leaf: Leaf) -> str:
    """A rule as its kind's Vietnamese name and its parameters (the wording left out: it is
    compared on its own)."""
    params = leaf.rule.model_dump(mode="json", exclude={"kind", "wording"})
    shown = "; ".join(f"{k}={_plain(v)}" for k, v in params.items() if v not in (None, "", []))
    return f"{kind_of(leaf.rule).title}" + (f" ({shown})" if shown else "")


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_plain(v)}" for k, v in value.items()) + "}"
    return str(value)


def _leaves(model: CriteriaSet) -> dict[str, tuple[str, str, Leaf]]:
    """Every leaf by code: (its level, its parent's code, the leaf)."""
    out = {leaf.code: ("leaf", c.code, leaf) for _, c, leaf in model.leaves()}
    out |= {i.code: ("bonus", "", i) for i in model.bonus.items}
    out |= {i.code: ("penalty", "", i) for i in model.penalty.items}
    return out


def diff_sets(old: CriteriaSet, new: CriteriaSet) -> list[Change]:
    """Every difference between ``old`` and ``new``: fields, criteria, leaves (tree order of the
    new set, then what only the old one had), then the set's own settings."""
    return (
        list(_fields(old, new))
        + list(_criteria(old, new))
        + list(_leaf_changes(old, new))
        + (list(_settings(old, new)))
    )


def _coded(
    level: str, before: dict[str, Any], after: dict[str, Any], extra: Any = None
) -> Iterator[Change]:
    for code, node in after.items():
        was = before.get(code)
        if was is None:
            yield Change("added", level, code, new=f"{node.name} (tối đa {_points(node.max)})")
            continue
        if was.name != node.name:
            yield Change("renamed", level, code, was.name, node.name)
        if was.max != node.max:
            yield Change("max", level, code, _points(was.max), _points(node.max))
        if extra is not None:
            yield from extra(code, was, node)
    for code, node in before.items():
        if code not in after:
            yield Change("removed", level, code, old=node.name)


def _fields(old: CriteriaSet, new: CriteriaSet) -> Iterator[Change]:
    def weight(code: str, was: Any, node: Any) -> Iterator[Change]:
        if was.weight != node.weight:
            shown = [("—" if w is None else _points(w)) for w in (was.weight, node.weight)]
            yield Change("weight", "field", code, *shown)

    yield from _coded(
        "field", {f.code: f for f in old.fields}, {f.code: f for f in new.fields}, weight
    )


def _criteria(old: CriteriaSet, new: CriteriaSet) -> Iterator[Change]:
    def parents(model: CriteriaSet) -> dict[str, str]:
        return {c.code: f.code for f in model.fields for c in f.criteria}

    before, after = parents(old), parents(new)

    def moved(code: str, was: Any, node: Any) -> Iterator[Change]:
        if before[code] != after[code]:
            yield Change(
                "moved", "criterion", code, f"lĩnh vực {before[code]}", f"lĩnh vực {after[code]}"
            )

    yield from _coded(
        "criterion",
        {c.code: c for f in old.fields for c in f.criteria},
        {c.code: c for f in new.fields for c in f.criteria},
        moved,
    )


def _leaf_changes(old: CriteriaSet, new: CriteriaSet) -> Iterator[Change]:
    """Leaves matched by code; a leaf that left one code for another with its name unchanged
    (a code says its criterion, so a leaf moved to another criterion has a new code) is one
    leaf moved, not one removed and one added."""
    before, after = _leaves(old), _leaves(new)
    gone = {c: v for c, v in before.items() if c not in after}
    came = {c: v for c, v in after.items() if c not in before}
    names_gone = [v[2].name for v in gone.values()]
    names_came = [v[2].name for v in came.values()]
    moved_from = {
        code: next(c for c, v in gone.items() if v[2].name == leaf.name)
        for code, (_, _, leaf) in came.items()
        if names_gone.count(leaf.name) == 1 and names_came.count(leaf.name) == 1
    }
    for code, (level, parent, leaf) in after.items():
        was_code = code if code in before else moved_from.get(code)
        if was_code is None:
            yield Change("added", level, code, new=f"{leaf.name} (tối đa {_points(leaf.max)})")
            continue
        was_level, was_parent, was = before[was_code]
        if was.name != leaf.name:
            yield Change("renamed", level, code, was.name, leaf.name)
        if (was_code, was_level, was_parent) != (code, level, parent):
            where = [
                (f"mã {c}, " if c != code or was_code != code else "")
                + (f"tiêu chí {p}" if lv == "leaf" else LEVELS[lv])
                for c, lv, p in ((was_code, was_level, was_parent), (code, level, parent))
            ]
            yield Change("moved", level, code, *where)
        if was.max != leaf.max:
            yield Change("max", level, code, _points(was.max), _points(leaf.max))
        if was.rule != leaf.rule:
            yield Change("rule", level, code, _rule(was), _rule(leaf))
        if old.policy(was) != new.policy(leaf):
            yield Change(
                "policy", level, code, POLICIES[old.policy(was)], POLICIES[new.policy(leaf)]
            )
        if was.evidence != leaf.evidence:
            yield Change("evidence", level, code, EVIDENCE[was.evidence], EVIDENCE[leaf.evidence])
        if was.survey != leaf.survey:
            source = {False: "tự chấm", True: "điều tra xã hội học"}
            yield Change("survey", level, code, source[was.survey], source[leaf.survey])
    for code, (level, _, leaf) in gone.items():
        if code not in moved_from.values():
            yield Change("removed", level, code, old=leaf.name)


def _settings(old: CriteriaSet, new: CriteriaSet) -> Iterator[Change]:
    def bands(model: CriteriaSet) -> str:
        return ", ".join(f"{b.name} ≥ {_points(b.at_least)} %" for b in model.bands)

    if bands(old) != bands(new):
        yield Change("bands", "set", "", bands(old), bands(new))
    for level, was, now in (("bonus", old.bonus, new.bonus), ("penalty", old.penalty, new.penalty)):
        if was.cap != now.cap:
            yield Change("cap", level, "", _points(was.cap), _points(now.cap))
    if old.tie_break != new.tie_break:
        shown = [
            "; ".join(TIE_KEY_LABELS[k] for k in keys) or "đồng hạng"
            for keys in (old.tie_break, new.tie_break)
        ]
        yield Change("tie-break", "set", "", *shown)
    if old.max != new.max:
        yield Change("set-max", "set", "", _points(old.max), _points(new.max))


#: the line of a block whose set did not change, or had no set last year
UNCHANGED = "Không thay đổi"
NO_PREVIOUS = "Không có bộ tiêu chí năm trước"


def changes_since(model: CriteriaSet, previous_sets: Mapping[str, CriteriaSet]) -> list[str]:
    """What changed in a block's set since last year's set of each block it is compared with
    (``compare_with``, else its own id), one Vietnamese line each; :data:`UNCHANGED` or
    :data:`NO_PREVIOUS` when so. With several compared blocks, each line names its set."""
    ids = model.compared_blocks
    lines: list[str] = []
    for block in ids:
        old = previous_sets.get(block)
        named = len(ids) > 1
        if old is None:
            lines.append(NO_PREVIOUS + (f" của khối {block}" if named else ""))
            continue
        prefix = f"So với {old.id} (khối {block}): " if named else ""
        lines += [prefix + describe(c) for c in diff_sets(old, model)] or [prefix + UNCHANGED]
    return lines
