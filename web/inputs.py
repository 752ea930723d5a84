"""Every text a browser sends, cleaned in one place before any view reads it.

Text pasted from Word carries control characters (a vertical tab for each Shift+Enter, at times
a NUL) that break the officer's Excel template and the audit export once stored. The app's
request class (:class:`CleanRequest`) builds its form and query-string parameters with
:class:`CleanParameters`, which passes every value through
:func:`parindex.text.without_controls`: line breaks and tabs are kept in the multi-line fields
(:data:`MULTILINE`, the page's ``<textarea>``s), become spaces in every other field, and every
other control character is removed. Uploaded files are not text parameters and are left to
their readers. Numbers that name a row (ids, years, versions) in a URL or a form are read by
:class:`IdConverter` and :func:`small_int`: at most :data:`MAX_ID`, else "not found".
"""

from __future__ import annotations

from typing import Any

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

from parindex.text import has_controls, without_controls

#: the fields typed in a ``<textarea>`` (matched on the part of the name after its last "-",
#: as in "1.2.1-explanation"): line breaks are the person's
MULTILINE = frozenset(
    {
        "explanation",
        "reason",
        "dna_reason",
        "survey_reason",
        "answer",
        "question",
        "yaml_text",
        "difficulties",
        "proposals",
    }
)


def is_multiline(name: str) -> bool:
    return name.rsplit("-", 1)[-1] in MULTILINE


class CleanParameters(ImmutableMultiDict[str, Any]):
    """Form or query parameters with every text value free of control characters."""

    def __init__(self, mapping: Any = None) -> None:
        super().__init__(mapping)
        every = dict.values(self)
        if not has_controls("".join(v for vs in every for v in vs if isinstance(v, str))):
            return  # most requests: one search over all the text
        for name, values in dict.items(self):
            if any(isinstance(v, str) and has_controls(v) for v in values):
                multiline = is_multiline(name)
                values[:] = [
                    without_controls(v, multiline=multiline) if isinstance(v, str) else v
                    for v in values
                ]


class CleanRequest(Request):
    """The app's request: :attr:`form` and :attr:`args` are :class:`CleanParameters`."""

    parameter_storage_class = CleanParameters


#: the largest id, year or version a URL or a form may carry: a 32-bit integer, what every
#: database column holds (a longer number would overflow SQLite's INTEGER: a 500, not a 404)
MAX_ID = 2**31 - 1


def small_int(text: str) -> int:
    """An id written in ASCII digits (no sign, no "²"), at most :data:`MAX_ID`; else
    ``ValueError`` — usable as Werkzeug's ``type=``, which then answers the default."""
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or int(text) > MAX_ID:
        raise ValueError(text)
    return int(text)


def small_int_or_none(text: str) -> int | None:
    try:
        return small_int(text)
    except ValueError:
        return None


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: at most :data:`MAX_ID`, so a longer number is a 404."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
