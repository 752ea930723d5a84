"""Text typed by a person → values: the one parser behind every front end.

The self-assessment form, the appraisal form, the evidence form, the Excel import, the survey
import, the secretariat's deadlines and the previous year's results all read people's text
through these functions, so they cannot disagree about what "4.815", "1,25" or "30/7/2025"
means. Each parser returns the value or a :class:`TextError` (a code of the one catalogue,
:data:`parindex.errors.MESSAGES`, with its parameters); none raises on bad input. Blank input
is the caller's business (:func:`is_blank`): a blank input is "not given", not an error.

A spreadsheet cell may already hold a typed value (a number, a date, TRUE/FALSE); the parsers
take those too, so a cell reader is one call.

Before reading, :func:`clean` forgives what people really send:

>>> clean("\\u00a01.250\\u200b ")  # a non-breaking space, a zero-width space
'1.250'
>>> clean("\\uff11\\uff12")  # full-width digits typed on a phone
'12'
>>> clean("co\\u0301") == "có"  # NFD (decomposed) text is composed
True
>>> parse_count("4.815"), parse_count("4 815"), parse_number("85,5 %", percent=True)
(4815, 4815, Decimal('85.5'))
>>> parse_count("+5").code, parse_score("0,125").code
('count-signed', 'score-precision')
>>> parse_date("30/7/2025"), parse_yes_no("Không")
(datetime.date(2025, 7, 30), False)
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from parindex.errors import message

#: a number written with more digits than this is a typing mistake (counts are at most 10⁹)
MAX_DIGITS = 15
#: words read as Có / Không (compared after :func:`clean`, case-insensitively)
YES = frozenset({"có", "co", "x", "yes", "true", "1"})
NO = frozenset({"không", "khong", "no", "false", "0"})

_DASHES = dict.fromkeys(map(ord, "\u2212\u2012\u2013\u2010\u2011\ufe63"), "-")  # − ‒ – ‐ ‑ ﹣


@dataclass(frozen=True)
class TextError:
    """Why a text is not a value: a code of the catalogue and the parameters of its message."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return message(self.code, **self.params)


def clean(value: Any) -> str:
    """The text of ``value`` as it is read: NFKC (composed; full-width digits and signs made
    ASCII), format characters (zero-width spaces, BOM, soft hyphen, direction marks) dropped,
    control characters and every kind of space read as one space, dashes and the minus sign
    read as ``-``, ends trimmed."""
    text = "" if value is None else str(value)
    if text.isascii() and text.isprintable():  # most input: nothing to forgive but spaces
        return " ".join(text.split())
    text = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cf":
            continue
        out.append(" " if category in ("Cc", "Zs", "Zl", "Zp") else ch)
    return " ".join("".join(out).translate(_DASHES).split())


def fold(value: Any) -> str:
    """Text as a search compares it: compatibility-decomposed (NFKD: full-width letters read as
    ASCII), without diacritics (``đ`` read as ``d``) nor zero-width characters, case-folded,
    spaces collapsed, so that "so noi vu" finds "Sở Nội vụ" however either was typed.

    >>> fold("Sở Nội vụ") == fold("so noi vu") == fold("SO NOI VU") == "so noi vu"
    True
    >>> fold("Đắk Lắk"), fold("Ủy ban  nhân dân\u00a0xã"), fold("Sở\u200b Ｎội vụ")
    ('dak lak', 'uy ban nhan dan xa', 'so noi vu')
    """
    text = "" if value is None else str(value)
    text = unicodedata.normalize("NFKD", text.translate(_D_BAR)).translate(_UNMARK)
    return " ".join(text.casefold().split())


#: the one Vietnamese letter whose stroke is not a combining mark
_D_BAR = str.maketrans({"đ": "d", "Đ": "D"})
#: what folding drops, in one C-level pass (a search runs over thousands of names): the
#: combining diacritical marks (U+0300–U+036F: every Vietnamese tone and vowel mark once
#: decomposed) and the format characters people paste (zero-width spaces, BOM, soft hyphen)
_UNMARK = dict.fromkeys([*range(0x300, 0x370), 0xAD, *range(0x200B, 0x2010), 0x2060, 0xFEFF], None)


#: control characters that break a line or a cell: a person meant a line break or a space
_LINE_BREAKS = "\r\n\x0b\x0c\x85"  # CR LF, Word's vertical tab (Shift+Enter), form feed, NEL
#: the control characters (Unicode category Cc: C0, DEL, C1), found in one pass in C
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def has_controls(text: str) -> bool:
    """Whether ``text`` holds a control character (what :func:`without_controls` frees)."""
    return _CONTROLS.search(text) is not None


def without_controls(text: str, *, multiline: bool) -> str:
    """Free text as it is stored: control characters (C0, DEL, C1 — Unicode category ``Cc``)
    removed, so that a NUL or Word's vertical tab never reaches the database, an export or a
    workbook. In ``multiline`` text, a line break of any kind (CR LF, CR, vertical tab, form
    feed, NEL) becomes ``\\n`` and tabs stay; in one-line text every line break and tab becomes
    a space. Nothing else changes (the words are kept as typed; numbers go through
    :func:`clean`, which reads control characters as spaces too).

    >>> without_controls("Dòng 1\\x0bDòng 2\\x00", multiline=True)
    'Dòng 1\\nDòng 2'
    >>> without_controls("Sở\\tA\\x0b\\x07", multiline=False)
    'Sở A '
    """
    if _CONTROLS.search(text) is None:  # most text: nothing to free
        return text
    if multiline:
        text = text.replace("\r\n", "\n")
    out: list[str] = []
    for ch in text:
        if ch in _LINE_BREAKS:
            out.append("\n" if multiline else " ")
        elif ch == "\t":
            out.append(ch if multiline else " ")
        elif unicodedata.category(ch) != "Cc":
            out.append(ch)
    return "".join(out)


def is_blank(value: Any) -> bool:
    """Nothing given: ``None``, or text that is empty once cleaned (spaces, zero-width spaces)."""
    return value is None or (isinstance(value, str) and clean(value) == "")


def _error(code: str, value: Any, **params: Any) -> TextError:
    shown = "" if value is None else str(value).strip()
    return TextError(code, {"value": shown, **params})


# ------------------------------------------------------------------------------------ numbers
_NUMBER = re.compile(r"([+-]?)([0-9]*)(?:[.,]([0-9]+))?")
_PERCENT = re.compile(r"(.*?) ?%")


def parse_number(value: Any, *, percent: bool = False) -> Decimal | TextError:
    """A decimal number with a decimal comma or point (``"87,5"``, ``"87.5"``, ``",5"``, a sign
    allowed); with ``percent``, a trailing ``%`` is allowed (``"85,5 %"`` → 85.5). No thousands
    separators: "4.815" is four point eight one five here (counts: :func:`parse_count`)."""
    if isinstance(value, bool):
        return _error("not-a-number", value)
    if isinstance(value, int | Decimal | float):
        # a float by the shortest text that is it: what was typed
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            return _error("not-a-number", value)
        if number and number.adjusted() >= MAX_DIGITS:  # 1E+999999999 from a JSON file
            return _error("number-too-long", value, most=MAX_DIGITS)
        return number
    text = clean(value)
    if percent:
        m = _PERCENT.fullmatch(text)
        text = m[1] if m else text
    m = _NUMBER.fullmatch(text)
    if not m or not (m[2] or m[3]):
        return _error("not-a-number", value)
    if len(m[2]) + len(m[3] or "") > MAX_DIGITS:
        return _error("number-too-long", value, most=MAX_DIGITS)
    return Decimal(f"{m[1]}{m[2] or '0'}" + (f".{m[3]}" if m[3] else ""))


def parse_score(value: Any) -> Decimal | TextError:
    """A score: a number (:func:`parse_number`) with at most 2 decimals ("1,25"; "1,250" is
    1.25). The range and the step are the rule's business, not the parser's."""
    number = parse_number(value)
    if isinstance(number, TextError):
        code = "number-too-long" if number.code == "number-too-long" else "not-a-score"
        return TextError(code, number.params)
    if number != number.quantize(Decimal("0.01")):
        return _error("score-precision", value)
    return number


# ------------------------------------------------------------------------------------- counts
_DIGITS = re.compile(r"[0-9]+")
_GROUPED = re.compile(r"[0-9]{1,3}(?:([. ])[0-9]{3})(?:\1[0-9]{3})*")  # 4.815, 4 815, 1.234.567
_SIGNED = re.compile(r"[+-] ?[0-9][0-9. ]*")


def parse_count(value: Any) -> int | TextError:
    """A non-negative whole number as people type it: ``"4815"``, ``"4.815"``, ``"4 815"``
    (Vietnamese thousands). A sign is refused (``count-signed``): a count is written with
    digits only, and "-0" or "+5" is a typing mistake."""
    if isinstance(value, bool):
        return _error("not-a-count", value)
    if isinstance(value, float):
        if not value.is_integer():
            return _error("not-a-count", value)
        value = int(value)
    if isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            return _error("not-a-count", value)
        if value.adjusted() >= MAX_DIGITS:  # before int(): 1E+999999999 has a billion digits
            return _error("number-too-long", value, most=MAX_DIGITS)
        value = int(value)
    if isinstance(value, int):
        if value < 0:
            return _error("count-signed", value)
        if len(str(value)) > MAX_DIGITS:
            return _error("number-too-long", value, most=MAX_DIGITS)
        return value
    text = clean(value)
    if _GROUPED.fullmatch(text):
        text = text.replace(".", "").replace(" ", "")
    if not _DIGITS.fullmatch(text):
        code = "count-signed" if _SIGNED.fullmatch(text) else "not-a-count"
        return _error(code, value)
    if len(text) > MAX_DIGITS:
        return _error("number-too-long", value, most=MAX_DIGITS)
    return int(text)


# -------------------------------------------------------------------------------------- dates
_DMY = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})")  # 30/07/2025, 3-7-2025
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")  # 2025-07-30


def parse_date(value: Any) -> dt.date | TextError:
    """A date: day/month/year (``/``, ``-`` or ``.`` between, the same one twice; day and
    month of one or two digits, a four-digit year) or ISO ``yyyy-mm-dd``. A date cell (or a
    date-time at any hour) is its day. A day that is not on the calendar (31/02) is refused."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = clean(value)
    m = _DMY.fullmatch(text)
    if m:
        day, month, year = int(m[1]), int(m[3]), int(m[4])
    elif (m := _ISO.fullmatch(text)) is not None:
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    else:
        return _error("not-a-date", value)
    try:
        return dt.date(year, month, day)
    except ValueError:
        return _error("not-a-date", value)


# -------------------------------------------------------------------------------- identifiers
#: the longest identifier (agency id, leaf code, block name)
MAX_IDENTIFIER = 64
#: punctuation allowed in an identifier, beside letters and digits
IDENTIFIER_PUNCTUATION = frozenset(".-_")
#: the marks a Vietnamese letter is made of (grave, acute, tilde, hook, dot below; breve,
#: circumflex, horn): a letter is an ASCII letter with at most two of them, or đ/Đ
_VIETNAMESE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323\u0306\u0302\u031b")


_ASCII_IDENTIFIER = re.compile(r"[A-Za-z0-9._-]+")


def _identifier_char(ch: str) -> bool:
    if ch.isascii():
        return ch.isalnum() or ch in IDENTIFIER_PUNCTUATION
    if ch in "đĐ":
        return True
    parts = unicodedata.normalize("NFD", ch)
    return (
        parts[0].isascii()
        and parts[0].isalpha()
        and 1 < len(parts) <= 3
        and all(m in _VIETNAMESE_MARKS for m in parts[1:])
    )


def identifier(raw: Any) -> str | TextError:
    """An identifier (agency id, leaf code, block name) as it is compared: NFC (a code typed
    on a Mac or a phone, decomposed, is its composed twin). Allowed: ASCII letters and digits,
    Vietnamese letters (a, ă, â, …, đ with their tone marks), ``.``, ``-`` and ``_``, at most
    :data:`MAX_IDENTIFIER` characters. Refused, so that no look-alike becomes a new, distinct
    code: whitespace anywhere, full-width digits and letters, Cyrillic or Greek letters that
    look Latin, and every other character (docs/criteria-format.md, "Mã và tên định danh").

    >>> identifier("xa-an-bi\u0300nh") == "xa-an-bình"
    True
    >>> identifier("1.1.1 ").code, identifier("\uff11.1").code, identifier("\u0441o").code
    ('identifier-space', 'identifier-fullwidth', 'identifier-lookalike')
    """
    text = "" if raw is None else str(raw)
    if len(text) <= MAX_IDENTIFIER and _ASCII_IDENTIFIER.fullmatch(text):
        return text  # most identifiers: nothing to normalise
    text = unicodedata.normalize("NFC", text)
    if not text:
        return TextError("identifier-empty", {"value": ""})
    shown = text if len(text) <= 40 else text[:39] + "…"
    if len(text) > MAX_IDENTIFIER:
        return TextError("identifier-too-long", {"value": shown, "most": MAX_IDENTIFIER})
    for i, ch in enumerate(text, start=1):
        if _identifier_char(ch):
            continue
        params = {"value": shown, "char": ch, "position": i, "codepoint": f"U+{ord(ch):04X}"}
        name = unicodedata.name(ch, "")
        if ch.isspace() or unicodedata.category(ch) in ("Zs", "Cc", "Cf", "Zl", "Zp"):
            return TextError("identifier-space", params)
        if name.startswith(("FULLWIDTH", "HALFWIDTH")):
            return TextError(
                "identifier-fullwidth", params | {"ascii": unicodedata.normalize("NFKC", ch)}
            )
        if name.startswith(("CYRILLIC", "GREEK", "ARMENIAN")):
            return TextError("identifier-lookalike", params)
        return TextError("identifier-char", params)
    return text


# ------------------------------------------------------------------------------ values → text
def number_text(value: Decimal) -> str:
    """A number as a Vietnamese reader writes it, without trailing zeros: 1.50 → "1,5"
    (thousands are not grouped: the text reads back through :func:`parse_number`)."""
    text = format(value.normalize(), "f")
    return "0" if text in ("0", "-0") else text.replace(".", ",")


# ----------------------------------------------------------------------------------- Có/Không
def parse_yes_no(value: Any) -> bool | TextError:
    """Có or Không: a TRUE/FALSE cell, or one of the words of :data:`YES` and :data:`NO`
    (``có``, ``co``, ``x``, ``yes``, ``true``, ``1`` / ``không``, ``khong``, ``no``,
    ``false``, ``0``), in any case."""
    if isinstance(value, bool):
        return value
    word = clean(value).casefold()
    if word in YES:
        return True
    if word in NO:
        return False
    return _error("not-yes-no", value)
