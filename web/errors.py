"""One refusal shape for the whole app, its handlers, and the one way to commit a page's writes.

A refused request answers an HTML page (``error.html``) or, for API calls, JSON
``{"error": {"code", "message"}}``; messages are Vietnamese. A save that the database refuses
(a concurrent writer, a key taken meanwhile, a lock that did not clear) is rolled back by
:func:`commit_or_conflict`, and the page says that nothing was saved.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from web.models import db

ERROR_MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    403: "Bạn không có quyền truy cập trang này.",
    404: "Không tìm thấy trang hoặc dữ liệu.",
    405: "Phương thức không được hỗ trợ.",
    413: "Tệp tải lên quá lớn.",
    429: "Thao tác quá nhiều lần; vui lòng thử lại sau.",
    500: "Lỗi hệ thống; thao tác chưa được lưu. Vui lòng thử lại.",
}
CSRF_MESSAGE = (
    "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ (CSRF). "
    "Hãy tải lại trang rồi thử lại; dữ liệu chưa được lưu."
)


CONFLICT_MESSAGE = (
    "có người vừa thay đổi cùng lúc hoặc hệ thống đang bận; chưa lưu gì, hãy thử lại."
)


def wants_json() -> bool:
    return "/api/" in request.path or request.accept_mimetypes.best == "application/json"


def refusal(code: int, message: str = "") -> ResponseReturnValue:
    """The one error shape: an HTML page, or JSON for API calls."""
    message = message or ERROR_MESSAGES.get(code, "")
    if wants_json():
        return jsonify({"error": {"code": code, "message": message}}), code
    return render_template("error.html", code=code, message=message), code


def init_app(app: Flask) -> None:
    """Register the handlers: every HTTP error and a failed CSRF check answer :func:`refusal`."""

    @app.errorhandler(CSRFError)
    def csrf_error(e: CSRFError) -> ResponseReturnValue:
        return refusal(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException) -> ResponseReturnValue:
        code = e.code or 500
        return refusal(code, ERROR_MESSAGES.get(code, e.description or ""))


@dataclass
class Saved:
    """How :func:`commit_or_conflict` ended: committed (``ok``), or rolled back on ``error``."""

    ok: bool = True
    error: BaseException | None = None

    @property
    def why(self) -> str:
        """The refusal in words: the refusing exception's own ``message`` when it has one (a
        workflow refusal), else a concurrent change."""
        message = getattr(self.error, "message", None)
        return message if isinstance(message, str) and message else CONFLICT_MESSAGE


@contextmanager
def commit_or_conflict(*expected: type[Exception]) -> Iterator[Saved]:
    """Run the block's writes and commit them, or roll all of them back.

    When the database refuses them (any :class:`SQLAlchemyError`, raised by a flush inside the
    block or by the commit) or the block raises one of ``expected``, the session is rolled back
    and ``saved.ok`` is False (``saved.error`` says why); the caller tells the user that nothing
    was saved. Any other exception is rolled back too and propagates.

        with commit_or_conflict() as saved:
            db.session.add(row)
        if not saved.ok:
            ...  # "có người vừa lưu cùng lúc"; nothing was saved
    """
    saved = Saved()
    refused: tuple[type[BaseException], ...] = (SQLAlchemyError, *expected)
    try:
        yield saved
        db.session.commit()
    except refused as e:
        db.session.rollback()
        saved.ok, saved.error = False, e
    except BaseException:
        db.session.rollback()
        raise
