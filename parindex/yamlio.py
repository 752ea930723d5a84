"""YAML reading that keeps numbers exact and remembers the line of every value."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from parindex.errors import Issue, Location

YamlPath = tuple[str | int, ...]


_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml if built


_TAGS: dict[tuple[str, tuple[bool, bool]], str] = {}  # plain scalar → its resolved tag


class _ExactLoader(_Base):  # type: ignore[valid-type,misc]
    """SafeLoader whose floats become ``Decimal`` built from the text as written (0.1 stays 0.1).

    Resolving a plain scalar's type (regular expressions per value) is remembered per text:
    submission files repeat the same keys and words thousands of times. Path resolvers are
    never registered here, so their per-node hooks are skipped."""

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not yaml.ScalarNode:
            return super().resolve(kind, value, implicit)
        key = (value, implicit)
        tag = _TAGS.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(_TAGS) > 200_000:
                _TAGS.clear()
            _TAGS[key] = tag
        return tag


def _construct_decimal(loader: Any, node: yaml.ScalarNode) -> Any:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        return Decimal(text)
    except InvalidOperation:  # .inf, .nan: keep YAML's meaning so validation rejects them
        return loader.construct_yaml_float(node)


_ExactLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


def _line_map(
    node: yaml.Node,
    path: YamlPath,
    out: dict[YamlPath, int],
    dups: list[tuple[YamlPath, int]],
    seen: set[int] | None = None,
) -> None:
    out[path] = node.start_mark.line + 1
    seen = set() if seen is None else seen
    if id(node) in seen:  # an alias: its lines are those of the anchored node
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in keys:
                dups.append((path + (key,), line))  # YAML keeps the last silently: we refuse
            keys.add(key)
            _line_map(value_node, path + (key,), out, dups, seen)
            out[path + (key,)] = line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, path + (index,), out, dups, seen)


class _Unusual(Exception):
    """A node the fast builder leaves to PyYAML's constructor."""


_SCALARS: dict[str, Any] = {
    "tag:yaml.org,2002:int": lambda loader, node: loader.construct_yaml_int(node),
    "tag:yaml.org,2002:float": _construct_decimal,
    "tag:yaml.org,2002:bool": lambda loader, node: loader.construct_yaml_bool(node),
    "tag:yaml.org,2002:null": lambda loader, node: None,
    "tag:yaml.org,2002:timestamp": lambda loader, node: _timestamp(loader, node),
}
_DATES: dict[str, Any] = {}  # timestamp text → its (immutable) date or datetime


def _timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    value = _DATES.get(node.value)
    if value is None:
        value = loader.construct_yaml_timestamp(node)
        if len(_DATES) > 100_000:
            _DATES.clear()
        _DATES[node.value] = value
    return value


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


def _build(
    loader: Any,
    node: yaml.Node,
    path: YamlPath,
    lines: dict[YamlPath, int],
    dups: list[tuple[YamlPath, int]],
    seen: set[int],
) -> Any:
    """The node's value, as SafeLoader (with exact decimals) builds it, and the line of every
    path, in one walk. Raises :class:`_Unusual` for what it does not handle itself."""
    lines[path] = node.start_mark.line + 1
    tag = node.tag
    if not isinstance(node, yaml.ScalarNode):
        if id(node) in seen:  # an alias of a collection (perhaps of itself): PyYAML's way
            raise _Unusual("alias")
        seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        if tag == _STR:
            return node.value
        make = _SCALARS.get(tag)
        if make is None:
            raise _Unusual(tag)
        return make(loader, node)
    if isinstance(node, yaml.MappingNode):
        if tag != _MAP:
            raise _Unusual(tag)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if (
                not isinstance(key_node, yaml.ScalarNode)
                or key_node.tag == "tag:yaml.org,2002:merge"
            ):
                raise _Unusual(key_node.tag)
            key = (
                key_node.value
                if key_node.tag == _STR
                else _build(loader, key_node, (), {}, [], seen)
            )
            sub = path + (str(key_node.value),)
            if key in out:
                dups.append((sub, key_node.start_mark.line + 1))  # YAML keeps the last: we refuse
            out[key] = _build(loader, value_node, sub, lines, dups, seen)
            lines[sub] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode) and tag == _SEQ:
        return [
            _build(loader, item, path + (i,), lines, dups, seen)
            for i, item in enumerate(node.value)
        ]
    raise _Unusual(tag)


def load_yaml(path: Path) -> tuple[Any, dict[YamlPath, int]]:
    """Parse ``path``; return the data and a map from YAML path to 1-based line number.

    Raises :class:`YamlLoadError` with a located issue when the file is missing or malformed.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise YamlLoadError(Issue.make("file-not-found", Location(file=str(path)))) from e
    except (OSError, UnicodeDecodeError) as e:
        raise YamlLoadError(
            Issue.make("file-unreadable", Location(file=str(path)), detail=e)
        ) from e
    return load_yaml_text(text, str(path))


def load_yaml_text(text: str, name: str) -> tuple[Any, dict[YamlPath, int]]:
    """Like :func:`load_yaml` for text already read (an upload); ``name`` labels the issues."""
    path = name
    try:
        loader = _ExactLoader(text)
        try:
            node = loader.get_single_node()
            data = None
            lines: dict[YamlPath, int] = {}
            dups: list[tuple[YamlPath, int]] = []
            if node is not None:
                try:
                    data = _build(loader, node, (), lines, dups, set())
                except _Unusual:  # anchors, merge keys, other tags: PyYAML's own way
                    lines, dups = {}, []
                    _line_map(node, (), lines, dups)  # before merge keys are flattened in
                    data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(e, "problem", None) or str(e)
        raise YamlLoadError(
            Issue.make("yaml-syntax", Location(file=str(path), line=line), detail=problem)
        ) from e
    if dups:
        raise YamlLoadError(
            *[
                Issue.make(
                    "duplicate-key",
                    Location(file=str(path), line=line, path=format_path(p)),
                    key=str(p[-1]),
                )
                for p, line in dups
            ]
        )
    return data, lines


def format_path(path: YamlPath) -> str:
    """``("fields", 0, "max")`` → ``fields[0].max``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def line_of(lines: dict[YamlPath, int], path: YamlPath) -> int | None:
    """The line of ``path``, or of its nearest ancestor that has one."""
    while True:
        if path in lines:
            return lines[path]
        if not path:
            return None
        path = path[:-1]


class YamlLoadError(Exception):
    def __init__(self, *issues: Issue):
        self.issues = list(issues)
        self.issue = issues[0]
        super().__init__("\n".join(str(i) for i in issues))
