"""Click in Vietnamese, and the last guard of the command line.

Click marks every message it prints (usage errors, ``--help`` headings, type errors) with
``gettext``; :func:`vietnamese` makes the Vietnamese catalogue ``locale/vi/.../parindex-click``
the current gettext domain while a ``parindex`` command runs. The metavars Click takes from type
names (``INTEGER``, ``PATH``, ``[OPTIONS]``) are not messages: :class:`Formatter` translates them.
:func:`crash` turns an exception nobody expected into one sentence and a log file.
"""

from __future__ import annotations

import gettext
import os
import re
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import click

DOMAIN = "parindex-click"
LOCALE_DIR = Path(__file__).parent / "locale"

#: exit codes of `parindex` (README): 0 done, 1 invalid inputs, 2 usage error
EXIT_MISSING = 3  # ranked, but an agency in the list has no submission
EXIT_OUTPUT = 4  # an output file or folder could not be written
EXIT_CRASH = 70  # an unexpected failure (sysexits' EX_SOFTWARE); details in a log file

OPTIONS_METAVAR = "[TÙY CHỌN]"
COMMAND_METAVAR = "LỆNH [THAM SỐ]..."
_METAVARS = {
    "[OPTIONS]": OPTIONS_METAVAR,
    "COMMAND [ARGS]...": COMMAND_METAVAR,
    "INTEGER RANGE": "SỐ",
    "FLOAT RANGE": "SỐ",
    "INTEGER": "SỐ",
    "FLOAT": "SỐ",
    "TEXT": "CHUỖI",
    "PATH": "ĐƯỜNG_DẪN",
    "FILENAME": "TỆP",
    "FILE": "TỆP",
    "DIRECTORY": "THƯ_MỤC",
    "BOOLEAN": "CÓ|KHÔNG",
}
_METAVAR = re.compile(
    "|".join(re.escape(k) if k.startswith("[") or " [" in k else rf"\b{k}\b" for k in _METAVARS)
)


def translate_metavars(text: str) -> str:
    """Click's English metavars in a usage line or an option's column, in Vietnamese."""
    return _METAVAR.sub(lambda m: _METAVARS[m.group(0)], text)


@contextmanager
def vietnamese() -> Iterator[None]:
    """Click's messages in Vietnamese for the duration (gettext's current domain and language,
    restored afterwards so that a test process or an embedding program is left as it was)."""
    previous_domain = gettext.textdomain()
    previous_language = os.environ.get("LANGUAGE")
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = "vi"  # gettext picks the catalogue's language from the environment
    try:
        yield
    finally:
        gettext.textdomain(previous_domain)
        if previous_language is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = previous_language


class Formatter(click.HelpFormatter):
    """Click's help formatter with the metavars translated."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, translate_metavars(args), prefix)

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(translate_metavars(first), second) for first, second in rows]
        super().write_dl(rows, col_max, col_spacing)


class Context(click.Context):
    formatter_class = Formatter


class Command(click.Command):
    """A parindex command: Vietnamese usage line and help."""

    context_class = Context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)


def localise(command: click.Command) -> click.Command:
    """A command another package registered, presented like parindex's own (its context's
    formatter; its usage line). Its messages are already Vietnamese while parindex runs."""
    if command.context_class is click.Context:
        command.context_class = Context
    if command.options_metavar == "[OPTIONS]":
        command.options_metavar = OPTIONS_METAVAR
    return command


class OutputError(click.ClickException):
    """An output file or folder that cannot be written: one sentence saying what to do."""

    exit_code = EXIT_OUTPUT


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn the operating system's refusal to write ``path`` into an :class:`OutputError`."""
    try:
        yield
    except PermissionError as e:
        where = Path(e.filename) if e.filename else path
        if where.suffix.lower() in (".xlsx", ".csv", ".json") and where.exists():
            raise OutputError(
                f"Không ghi được {where}: tệp đang mở trong một chương trình khác (Excel?) "
                "hoặc chỉ cho đọc. Hãy đóng tệp rồi chạy lại, hoặc ghi ra tệp khác bằng --out."
            ) from e
        raise OutputError(
            f"Không có quyền ghi vào {where}. Hãy chọn thư mục khác bằng --out, "
            "hoặc xin quyền ghi vào thư mục này."
        ) from e
    except (NotADirectoryError, FileExistsError) as e:
        where = Path(e.filename) if e.filename else path
        raise OutputError(
            f"Không ghi được {path}: {_first_file_in(where)} là một tệp, không phải thư mục. "
            "Hãy đổi tên tệp đó hoặc chọn nơi ghi khác bằng --out."
        ) from e
    except IsADirectoryError as e:
        raise OutputError(
            f"Không ghi được {path}: đã có một thư mục cùng tên. Hãy chọn tên tệp khác bằng --out."
        ) from e
    except OSError as e:
        raise OutputError(
            f"Không ghi được {path} (lỗi hệ thống số {e.errno}: ổ đĩa đầy, "
            "hoặc ổ mạng không truy cập được?). Hãy kiểm tra rồi chạy lại, "
            "hoặc chọn nơi ghi khác bằng --out."
        ) from e


def _first_file_in(path: Path) -> Path:
    """The first component of ``path`` that exists as a file (what blocks making the folder)."""
    for parent in [*reversed(path.parents), path]:
        if parent.is_file():
            return parent
    return path


def crash(exc: BaseException) -> int:
    """Write ``exc``'s traceback to a log file and say, in one sentence, what failed and where
    the details are. Returns :data:`EXIT_CRASH`."""
    log: Path | None = None
    details = "".join(traceback.format_exception(exc))
    try:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        with tempfile.NamedTemporaryFile(
            "w",
            encoding="utf-8",
            prefix=f"parindex-loi-{stamp}-",
            suffix=".log",
            delete=False,
        ) as f:
            f.write(details)
            log = Path(f.name)
    except OSError:
        pass
    where = (
        f"chi tiết kỹ thuật đã ghi vào {log}; hãy gửi tệp đó cho bộ phận kỹ thuật"
        if log
        else "không ghi được tệp nhật ký lỗi; hãy chụp màn hình này gửi bộ phận kỹ thuật"
    )
    click.echo(
        f"Lỗi không lường trước: parindex dừng giữa chừng, kết quả của lần chạy này "
        f"không dùng được ({where}).",
        err=True,
    )
    return EXIT_CRASH
