"""Every text a browser sends, cleaned in one place before any view reads it.

Text pasted from Word carries control characters (a vertical tab for each Shift+Enter, at times
a NUL) that break the officer's Excel template and the audit export once stored. The app's
request class (:class:`CleanRequest`) builds its form and query-string parameters with
:class:`CleanParameters`, which passes every value through
:func:`parindex.text.without_controls`: line breaks and tabs are kept in the multi-line fields
(:data:`MULTILINE`, the page's ``<textarea>``s), become spaces in every other field, and every
other control character is removed. Uploaded files are not text parameters and are left to
their readers.
"""

from __future__ import annotations

from typing import Any

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict

from parindex.text import without_controls

#: the fields typed in a ``<textarea>`` (matched on the part of the name after its last "-",
#: as in "1.2.1-explanation"): line breaks are the person's
MULTILINE = frozenset({"explanation", "reason", "dna_reason", "answer", "question"})


def is_multiline(name: str) -> bool:
    return name.rsplit("-", 1)[-1] in MULTILINE


class CleanParameters(ImmutableMultiDict[str, Any]):
    """Form or query parameters with every text value free of control characters."""

    def __init__(self, mapping: Any = None) -> None:
        super().__init__(mapping)
        for name, values in dict.items(self):
            multiline = is_multiline(name)
            values[:] = [
                without_controls(v, multiline=multiline) if isinstance(v, str) else v
                for v in values
            ]


class CleanRequest(Request):
    """The app's request: :attr:`form` and :attr:`args` are :class:`CleanParameters`."""

    parameter_storage_class = CleanParameters
