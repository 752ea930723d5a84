"""YAML reading that keeps numbers exact and remembers the line of every value."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from parindex.errors import Issue, Location

YamlPath = tuple[str | int, ...]


_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml if built


class _ExactLoader(_Base):  # type: ignore[valid-type,misc]
    """SafeLoader whose floats become ``Decimal`` built from the text as written (0.1 stays 0.1)."""


def _construct_decimal(loader: Any, node: yaml.ScalarNode) -> Any:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        return Decimal(text)
    except InvalidOperation:  # .inf, .nan: keep YAML's meaning so validation rejects them
        return loader.construct_yaml_float(node)


_ExactLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


def _line_map(
    node: yaml.Node, path: YamlPath, out: dict[YamlPath, int], dups: list[tuple[YamlPath, int]]
) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                dups.append((path + (key,), line))  # YAML keeps the last silently: we refuse
            seen.add(key)
            _line_map(value_node, path + (key,), out, dups)
            out[path + (key,)] = line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, path + (index,), out, dups)


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
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(e, "problem", None) or str(e)
        raise YamlLoadError(
            Issue.make("yaml-syntax", Location(file=str(path), line=line), detail=problem)
        ) from e
    lines: dict[YamlPath, int] = {}
    dups: list[tuple[YamlPath, int]] = []
    if node is not None:
        _line_map(node, (), lines, dups)
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
