"""YAML reading that keeps numbers exact and remembers the line of every value.

The one door every YAML file (criteria sets, submissions, uploads) comes through, and so the one
home of its defences: a size limit checked before parsing (:data:`MAX_YAML_BYTES`), bytes that
are not UTF-8 (UTF-16 with its byte-order mark is read), alias cycles and "billion laughs"
expansions (:data:`MAX_ALIAS_EXPANSION`), dates not on the calendar, numbers too large to be a
typing mistake (:data:`MAX_NUMBER_CHARS`), and PyYAML's own errors — each a located issue whose
Vietnamese message comes from :data:`parindex.errors.MESSAGES` (PyYAML's English problem is
translated through :data:`YAML_PROBLEMS`, never shown).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from parindex.errors import Issue, Location, message

YamlPath = tuple[str | int, ...]

#: the largest YAML file read (bytes): 40 times the largest criteria set of the sample province;
#: a larger file is refused before it is parsed (docs/criteria-format.md, "Giới hạn")
MAX_YAML_BYTES = 2 * 2**20
#: how many values aliases may add when expanded (``*a`` repeating an anchored list): anchors
#: and merge keys for a few shared tables pass; a "billion laughs" document is refused
MAX_ALIAS_EXPANSION = 100_000
#: the longest number (characters) read; longer is a typing mistake (and 1e999999999 or a
#: 5000-digit integer would overflow or exhaust what Python converts)
MAX_NUMBER_CHARS = 40
#: the largest decimal exponent a number may carry (1.0e+40 is read, 1.0e+999999999 is refused)
MAX_EXPONENT = 40

#: PyYAML's (and libyaml's) English problem → the catalogue key of its Vietnamese explanation
#: (:data:`parindex.errors.MESSAGES`), the ``problem`` of a ``yaml-syntax`` issue; first match
#: wins, the rest is ``yaml-other``
YAML_PROBLEMS: tuple[tuple[str, str], ...] = (
    ("tab character", "yaml-tab"),
    ("unexpected end of stream", "yaml-unexpected-end"),
    ("mapping values are not allowed", "yaml-colon"),
    ("expected ',' or ']'", "yaml-unclosed-bracket"),
    ("expected ',' or '}'", "yaml-unclosed-bracket"),
    ("flow sequence", "yaml-unclosed-bracket"),
    ("flow mapping", "yaml-unclosed-bracket"),
    ("undefined alias", "yaml-undefined-alias"),
    ("duplicate anchor", "yaml-duplicate-anchor"),
    ("second occurrence", "yaml-duplicate-anchor"),
    ("another document", "yaml-many-documents"),
    ("escape", "yaml-escape"),
    ("constructor for the tag", "yaml-unknown-tag"),
    ("cannot start any token", "yaml-bad-start"),
    ("could not find expected ':'", "yaml-indentation"),
    ("did not find expected key", "yaml-indentation"),
    ("did not find expected '-'", "yaml-indentation"),
    ("expected <block end>", "yaml-indentation"),
)


_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml if built


_TAGS: dict[tuple[str, tuple[bool, bool]], str] = {}  # plain scalar → its resolved tag


#: a character YAML refuses (the reader's set of printable characters, inverted)
_NOT_YAML = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


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


class _BadScalar(Exception):
    """A scalar PyYAML would crash on (a date not on the calendar, a number too large)."""

    def __init__(self, code: str, node: yaml.Node, **params: Any):
        super().__init__(code)
        self.code, self.node, self.params = code, node, params


def _too_long(node: yaml.ScalarNode) -> bool:
    return len(str(node.value)) > MAX_NUMBER_CHARS


def _construct_decimal(loader: Any, node: yaml.ScalarNode) -> Any:
    if _too_long(node):
        raise _BadScalar("yaml-number-too-large", node, value=_shown(node), most=MAX_NUMBER_CHARS)
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        number = Decimal(text)
    except InvalidOperation:  # .inf, .nan: keep YAML's meaning so validation rejects them
        return loader.construct_yaml_float(node)
    if abs(number.adjusted()) > MAX_EXPONENT:
        raise _BadScalar("yaml-number-too-large", node, value=_shown(node), most=MAX_NUMBER_CHARS)
    return number


def _shown(node: yaml.ScalarNode) -> str:
    """A scalar as echoed in a message: at most 30 characters."""
    text = str(node.value)
    return text if len(text) <= 30 else text[:29] + "…"


def _construct_int(loader: Any, node: yaml.ScalarNode) -> Any:
    if _too_long(node):
        raise _BadScalar("yaml-number-too-large", node, value=_shown(node), most=MAX_NUMBER_CHARS)
    return loader.construct_yaml_int(node)


def _construct_timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    try:
        return loader.construct_yaml_timestamp(node)
    except (ValueError, OverflowError) as e:  # 2025-02-30, month 13: not on the calendar
        raise _BadScalar("yaml-bad-date", node, value=_shown(node)) from e


_ExactLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_ExactLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_ExactLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


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
    "tag:yaml.org,2002:int": _construct_int,
    "tag:yaml.org,2002:float": _construct_decimal,
    "tag:yaml.org,2002:bool": lambda loader, node: loader.construct_yaml_bool(node),
    "tag:yaml.org,2002:null": lambda loader, node: None,
    "tag:yaml.org,2002:timestamp": lambda loader, node: _timestamp(loader, node),
}
_DATES: dict[str, Any] = {}  # timestamp text → its (immutable) date or datetime


def _timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    value = _DATES.get(node.value)
    if value is None:
        value = _construct_timestamp(loader, node)
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

    Raises :class:`YamlLoadError` with a located issue when the file is missing, too large (it
    is then not read at all), not UTF-8 or malformed.
    """
    where = Location(file=str(path))
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise YamlLoadError(_too_large(where, size))
        raw = path.read_bytes()
    except FileNotFoundError as e:
        raise YamlLoadError(Issue.make("file-not-found", where)) from e
    except IsADirectoryError as e:
        raise YamlLoadError(Issue.make("file-is-folder", where)) from e
    except PermissionError as e:
        raise YamlLoadError(
            Issue.make("file-unreadable", where, detail="không có quyền đọc tệp", errno=e.errno)
        ) from e
    except OSError as e:  # the system's words are English: its error number is kept as data
        raise YamlLoadError(
            Issue.make("file-unreadable", where, detail=f"lỗi hệ thống số {e.errno}", errno=e.errno)
        ) from e
    return load_yaml_text(decode_yaml(raw, str(path)), str(path))


def _too_large(where: Location, size: int) -> Issue:
    return Issue.make(
        "file-too-large", where, size=_mib(size), most=_mib(MAX_YAML_BYTES), bytes=size
    )


def _mib(size: int) -> str:
    """Mebibytes with 2 decimals, rounded up (a file 1 byte over 2 MiB is "2,01", not "2,00")."""
    hundredths = -(-size * 100 // 2**20)
    return f"{hundredths // 100},{hundredths % 100:02d}"


def decode_yaml(raw: bytes, name: str) -> str:
    """The text of a YAML file's bytes: UTF-8 (a byte-order mark is dropped) or UTF-16 with its
    byte-order mark; anything else raises :class:`YamlLoadError` naming the line and column of
    the first byte that is not UTF-8, and saying how to save the file."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        start = e.start
        line = raw.count(b"\n", 0, start) + 1
        before = raw[raw.rfind(b"\n", 0, start) + 1 : start]
        column = len(before.decode("utf-8", errors="replace")) + 1
        raise YamlLoadError(
            Issue.make(
                "file-not-utf8",
                Location(file=name, line=line),
                column=column,
                byte=f"0x{raw[start]:02X}",
            )
        ) from None


def load_yaml_text(text: str, name: str) -> tuple[Any, dict[YamlPath, int]]:
    """Like :func:`load_yaml` for text already read (an upload); ``name`` labels the issues."""
    path = name
    if len(text) > MAX_YAML_BYTES // 4 and len(text.encode("utf-8")) > MAX_YAML_BYTES:
        raise YamlLoadError(_too_large(Location(file=name), len(text.encode("utf-8"))))
    text = text.removeprefix("\ufeff")
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
                    _check_aliases(node, name)
                    lines, dups = {}, []
                    _line_map(node, (), lines, dups)  # before merge keys are flattened in
                    data = loader.construct_document(node)
        finally:
            loader.dispose()
    except _BadScalar as e:
        mark = e.node.start_mark
        where = Location(file=name, line=mark.line + 1)
        raise YamlLoadError(Issue.make(e.code, where, column=mark.column + 1, **e.params)) from None
    except yaml.reader.ReaderError as e:  # a control character (NUL, …): found in the text
        bad = _NOT_YAML.search(text)  # (libyaml's position counts bytes, PyYAML's characters)
        at = bad.start() if bad is not None else 0
        before = text[:at]
        line = before.count("\n") + 1
        column = at - (before.rfind("\n") + 1) + 1
        char = ord(text[at]) if bad is not None else 0
        raise YamlLoadError(
            _syntax("yaml-control-character", name, line, column, f"U+{char:04X}")
        ) from e
    except yaml.YAMLError as e:
        raise YamlLoadError(_syntax_issue(e, text, name)) from None
    except RecursionError:  # [[[[…]]]] thousands deep: the composer recurses
        raise YamlLoadError(Issue.make("yaml-too-deep", Location(file=name))) from None
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


def _syntax_issue(e: yaml.YAMLError, text: str, name: str) -> Issue:
    """PyYAML's error as a located issue in Vietnamese: its English problem is only matched
    against :data:`YAML_PROBLEMS`, never shown."""
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    line = column = None
    char = ""
    if mark is not None:
        line, column = mark.line + 1, mark.column + 1
        lines = text.splitlines()
        if mark.line < len(lines) and mark.column < len(lines[mark.line]):
            char = lines[mark.line][mark.column]
    words = f"{getattr(e, 'context', '') or ''} {getattr(e, 'problem', '') or ''}"
    problem = next((c for key, c in YAML_PROBLEMS if key in words), "yaml-other")
    if char == "\t":
        problem = "yaml-tab"
    shown = "" if not char or char in "\t\r\n" else char
    return _syntax(problem, name, line, column, shown)


def _syntax(problem: str, name: str, line: int | None, column: int | None, char: str) -> Issue:
    """A ``yaml-syntax`` issue: ``problem`` names its explanation in the catalogue, ``detail``
    is that explanation rendered (so the message reads on its own)."""
    return Issue.make(
        "yaml-syntax",
        Location(file=name, line=line),
        problem=problem,
        column=column,
        char=char,
        detail=message(problem, column=column or "", char=char),
    )


def _check_aliases(node: yaml.Node, name: str) -> None:
    """Refuse a document whose aliases make a cycle (a list that contains itself) or expand to
    more than :data:`MAX_ALIAS_EXPANSION` values beyond those written ("billion laughs"):
    nothing downstream could walk it. Counted on the node graph, without building anything."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    distinct: set[int] = set()

    def size(n: yaml.Node) -> int:
        distinct.add(id(n))
        if isinstance(n, yaml.ScalarNode):
            return 1
        known = sizes.get(id(n))
        if known is not None:
            return known
        if id(n) in active:
            raise YamlLoadError(
                Issue.make("yaml-alias-cycle", Location(file=name, line=n.start_mark.line + 1))
            )
        active.add(id(n))
        children = (
            [x for pair in n.value for x in pair]
            if isinstance(n, yaml.MappingNode)
            else list(n.value)
        )
        total = 1 + sum(size(c) for c in children)
        active.discard(id(n))
        sizes[id(n)] = total
        if total - len(distinct) > MAX_ALIAS_EXPANSION:
            raise YamlLoadError(
                Issue.make(
                    "yaml-alias-expansion",
                    Location(file=name, line=n.start_mark.line + 1),
                    most=MAX_ALIAS_EXPANSION,
                )
            )
        return total

    size(node)


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
