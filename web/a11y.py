"""A form's errors for everyone: an invalid input marked ``aria-invalid`` and tied to its message
by ``aria-describedby``, the message with the id it is named by. Templates call these (globals
registered in ``create_app``); ``static/a11y.js`` then moves the focus to the first invalid
input after a save with errors. One home: every form of the app marks its errors through here.

    <input id="f-x" … {{ invalid_attrs("f-x", error) }}>
    {{ error_message("f-x", error) }}

``error`` is a message, a list of messages (WTForms' ``field.errors``) or nothing; with nothing,
the input keeps only the other descriptions it was given and no message is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from markupsafe import Markup, escape

Error = str | Iterable[str] | None


def error_id(input_id: str) -> str:
    """The id of the message of input ``input_id``."""
    return f"{input_id}-error"


def _messages(error: Error) -> list[str]:
    if not error:
        return []
    if isinstance(error, str):
        return [error]
    return [str(e) for e in error if e]


def invalid_kw(input_id: str, error: Error, *described_by: str) -> dict[str, str]:
    """The ARIA attributes of an input as a mapping (for a WTForms field's call):
    ``aria-invalid`` and ``aria-describedby`` (its other descriptions, then its message) when
    it has an error; only its other descriptions when it has none."""
    ids = [d for d in described_by if d]
    out: dict[str, str] = {}
    if _messages(error):
        ids.append(error_id(input_id))
        out["aria-invalid"] = "true"
    if ids:
        out["aria-describedby"] = " ".join(ids)
    return out


def invalid_attrs(input_id: str, error: Error, *described_by: str) -> Markup:
    """The same attributes written into a tag (with a leading space), escaped."""
    kw = invalid_kw(input_id, error, *described_by)
    return Markup("").join(Markup(' {}="{}"').format(k, v) for k, v in kw.items())


def error_message(input_id: str, error: Error) -> Markup:
    """The message of input ``input_id``, with the id its ``aria-describedby`` names; nothing
    when it has no error. Several messages share one paragraph, one per line."""
    messages = _messages(error)
    if not messages:
        return Markup("")
    body = Markup("<br>").join(escape(m) for m in messages)
    return Markup('<p class="field-error" id="{}">{}</p>').format(error_id(input_id), body)


GLOBALS: dict[str, Any] = {
    "invalid_attrs": invalid_attrs,
    "invalid_kw": invalid_kw,
    "error_message": error_message,
}
