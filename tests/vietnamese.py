"""One check that a message a user can see is Vietnamese: no English from a library, no traceback.

Used by every bad-input test. English words are looked for outside quoted text (a value the
user typed, a file name), so a message that echoes ``'Input'`` back to its author is not flagged.
"""

from __future__ import annotations

import re

# Words that English library messages (pydantic, PyYAML, Python's codecs and exceptions, Click,
# openpyxl, csv, SQLAlchemy) are made of and that never occur in a Vietnamese sentence.
ENGLISH_WORDS = frozenset(
    """
    should valid invalid input found while scanning parsing parser expected decode encode codec
    position option options usage missing error errors required dictionary instance determine
    delimiter traceback exception the with cannot could must value values field type object string
    integer number allowed extra permitted unexpected such show this message exit help file
    directory permission denied unable failed failure found not none null true false byte bytes
    start end mapping sequence scalar document character characters token column line invalid
    argument arguments command commands got expecting unknown literal syntax keyword list dict
    zip archive encrypted workbook worksheet sheet range limit exceeded overflow infinity decimal
    float greater less than equal least most length already exists address port connection refused
    database driver module named operational integrity constraint violation
    """.split()
)

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|«[^»]*»|“[^”]*”|‘[^’]*’|`[^`]*`")
_PATHISH = re.compile(r"\S*[/\\]\S*|\S+\.(?:ya?ml|csv|xlsx|xls|json|txt|db|docx|pdf)\b", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z']+")


def english_words(text: str) -> list[str]:
    """The English library words in ``text``, quoted values and file paths left out."""
    bare = _PATHISH.sub(" ", _QUOTED.sub(" ", text))
    return [w for w in _WORD.findall(bare) if w.lower() in ENGLISH_WORDS]


def assert_vietnamese(text: str) -> None:
    """Fail when ``text`` holds a traceback or English words from a library."""
    assert "Traceback" not in text, text
    found = english_words(text)
    assert not found, f"English in a user's message {found}: {text!r}"
