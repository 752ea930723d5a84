"""The command line given bad options, bad paths and unwritable outputs: every case ends with
its exit code and one Vietnamese message, never a traceback (issue 12, the `parindex` part).

Exit codes: 1 invalid inputs, 2 usage error, 3 an agency without a submission, 4 an output that
cannot be written, 70 an unexpected failure (details in a log file)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import tempfile
from collections.abc import Callable
from decimal import Decimal
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from parindex import cli, clivi, decision, export
from parindex.cli import main
from parindex.errors import Report
from parindex.history import read_previous
from parindex.results import Results
from tests.builders import build_set, extras, leaf, score
from tests.vietnamese import assert_vietnamese

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the bundled sample province (valid: warnings only)."""
    root = tmp_path / "tinh"
    shutil.copytree(REPO / "criteria", root / "criteria")
    shutil.copytree(REPO / "submissions", root / "submissions")
    return root


def _invalid(root: Path) -> Path:
    """One submission with an unknown leaf: an error in the inputs."""
    target = sorted((root / "submissions" / "2025" / "xa").glob("*.yaml"))[0]
    target.write_text(target.read_text(encoding="utf-8") + "  9.9.9: {done: true}\n", "utf-8")
    return root


def _missing(root: Path) -> str:
    """One agency of the list without its submission; returns its id."""
    target = sorted((root / "submissions" / "2025" / "phuong").glob("*.yaml"))[0]
    target.unlink()
    return target.stem


def _said(result: Result) -> str:
    """What the person sees: standard output and standard error, and no traceback."""
    text = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in text
    return text


# ---------------------------------------------------------------- the corpus: usage errors
def _paths(tmp: Path) -> dict[str, str]:
    a_file = tmp / "tep.txt"
    a_file.write_text("x", encoding="utf-8")
    a_dir = tmp / "thu-muc"
    a_dir.mkdir()
    (tmp / "da-co" / "x").mkdir(parents=True)
    (tmp / "bang.xlsx").mkdir()
    return {
        "FILE": str(a_file),
        "DIR": str(a_dir),
        "NONE": str(tmp / "khong-co"),
        "FULL": str(tmp / "da-co"),
        "DIR_XLSX": str(tmp / "bang.xlsx"),
    }


USAGE = [
    # (arguments, what the message says)
    (["--hep"], "Không có tùy chọn '--hep'"),
    (["scor"], "Không có lệnh 'scor'"),
    (["score", "--year", "abc"], "'abc' không phải là một số hợp lệ"),
    (["score", "--year"], "cần 1 giá trị đi kèm"),
    (["score", "--root", "NONE"], "Không tìm thấy"),
    (["score", "--root", "FILE"], "là một tệp, không phải thư mục"),
    (["score", "--json", "--csv", "--root", "REPO"], "Chọn một trong --json hoặc --csv"),
    (["score", "--block", "khong-co", "--root", "REPO"], "Không có khối 'khong-co'"),
    (["score", "--year", "1999", "--root", "REPO"], "Không có dữ liệu năm 1999"),
    (["score", "thua"], "Thừa tham số (thua)"),
    (["score", "--issues=co"], "không nhận giá trị"),
    (["check"], "Thiếu tham số 'TỆP...'"),
    (["rank", "--out", "x.pdf", "--root", "REPO"], "--out phải là tệp .xlsx"),
    (["rank", "--out", "DIR_XLSX", "--root", "REPO"], "là một thư mục, không phải tệp"),
    (["rank", "--surveys", "NONE", "--root", "REPO"], "Không tìm thấy"),
    (["report", "khong-co-don-vi", "--root", "REPO"], "Không có đơn vị: khong-co-don-vi"),
    (["report", "--out", "FILE", "--root", "REPO"], "là một tệp, không phải thư mục"),
    (["surveys", "NONE"], "Không tìm thấy"),
    (["surveys", "DIR"], "là một thư mục, không phải tệp"),
    (["generate", "--out", "DIR"], "Thiếu tùy chọn '--agencies'"),
    (["generate", "--agencies", "0", "--out", "DIR"], "0 nằm ngoài khoảng cho phép x>=1"),
    (["generate", "--agencies", "2", "--leaves", "5", "--out", "DIR"], "nằm ngoài khoảng"),
    (["generate", "--agencies", "2", "--out", "FULL"], "đã có dữ liệu; chọn thư mục trống"),
    (["generate", "--agencies", "2", "--out", "FILE"], "là một tệp, không phải thư mục"),
]


@pytest.mark.parametrize(("args", "says"), USAGE, ids=[" ".join(a) for a, _ in USAGE])
def test_usage_error_is_one_vietnamese_message(
    runner: CliRunner, tmp_path: Path, args: list[str], says: str
) -> None:
    paths = _paths(tmp_path) | {"REPO": str(REPO)}
    result = runner.invoke(main, [paths.get(a, a) for a in args])
    text = _said(result)
    assert result.exit_code == 2, text
    assert says in text, text
    assert text.rstrip("\n").splitlines()[-1].startswith("Lỗi: ")
    assert_vietnamese(text)


def _all_commands() -> list[str]:
    with clivi.vietnamese():
        return main.list_commands(click.Context(main))


@pytest.mark.parametrize("command", [[], *([c] for c in _all_commands())])
def test_help_of_every_command_is_vietnamese(runner: CliRunner, command: list[str]) -> None:
    """`--help` of parindex and of each command, `serve` (registered by web/) included."""
    result = runner.invoke(main, [*command, "--help"])
    text = _said(result)
    assert result.exit_code == 0, text
    assert "Cách dùng:" in text and "Tùy chọn:" in text
    assert "Hiện hướng dẫn này rồi thoát." in text
    # the option names (--help, --json) and environment variables are the only English left
    assert_vietnamese(re.sub(r"(?<![\w-])--?[a-z][a-z-]*|\b[A-Z]+_[A-Z_]+\b", " ", text))
    for english in ("INTEGER", "TEXT", "PATH", "FILE", "DIRECTORY", "[OPTIONS]", "default:"):
        assert english not in text, english


def test_version_is_vietnamese(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("parindex, phiên bản ")


def test_click_is_left_as_it_was_after_a_command(runner: CliRunner) -> None:
    """The catalogue is active only while parindex runs (a test process, a program that embeds
    Click, keeps its own language)."""
    runner.invoke(main, ["--hep"])

    @click.command()
    def other() -> None:
        pass

    result = runner.invoke(other, ["--hep"])
    assert "No such option" in result.output


# ---------------------------------------------------------------- the last guard
def _boom() -> None:
    raise RuntimeError("hỏng giữa chừng")


def test_an_unexpected_failure_is_one_sentence_and_a_log(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    boom = click.Command("boom", callback=_boom)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    eps = {"boom": EntryPoint(name="boom", value="x:y", group=cli.COMMAND_GROUP)}
    monkeypatch.setattr(cli, "command_entry_points", lambda: eps)
    monkeypatch.setattr(EntryPoint, "load", lambda self: boom)
    result = runner.invoke(main, ["boom"])
    text = _said(result)
    assert result.exit_code == clivi.EXIT_CRASH == 70
    assert "Lỗi không lường trước" in text
    assert_vietnamese(text)
    logs = list(tmp_path.glob("parindex-loi-*.log"))
    assert len(logs) == 1 and str(logs[0]) in text
    details = logs[0].read_text(encoding="utf-8")
    assert "Traceback" in details and "RuntimeError: hỏng giữa chừng" in details


def test_an_input_error_escaping_a_command_keeps_its_location(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, root: Path
) -> None:
    """`surveys` loads the year itself; a broken agency list reaches the guard as a DataError."""
    (root / "submissions" / "2025" / "agencies.csv").write_text("id,name\n", encoding="utf-8")
    survey = root / "submissions" / "2025" / "surveys.csv"
    result = runner.invoke(main, ["surveys", str(survey), "--root", str(root)])
    text = _said(result)
    assert result.exit_code == 1, text
    assert "agencies.csv, dòng 1: Thiếu khóa bắt buộc 'block'" in text
    assert_vietnamese(re.sub(r"\[[a-z-]+\]", " ", text))  # the issue's code is an identifier


# ---------------------------------------------------------------- outputs that cannot be written
def _refuse(error: OSError) -> Callable[..., Any]:
    def write(*args: Any, **kwargs: Any) -> Any:
        raise error

    return write


def test_output_folder_below_a_file(runner: CliRunner, tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("một tệp tên out", encoding="utf-8")
    out = blocker / "bang" / "x.xlsx"
    result = runner.invoke(main, ["rank", "--root", str(REPO), "--out", str(out), "--no-charts"])
    text = _said(result)
    assert result.exit_code == clivi.EXIT_OUTPUT == 4, text
    assert f"{blocker} là một tệp, không phải thư mục" in text
    assert_vietnamese(text)


@pytest.mark.parametrize(
    ("exists", "error", "says"),
    [
        # the workbook open in Excel: Windows refuses to replace it
        (True, PermissionError(13, "Permission denied"), "đang mở trong một chương trình khác"),
        # a read-only folder (a shared drive without write rights)
        (False, PermissionError(13, "Permission denied"), "Không có quyền ghi vào"),
        (False, OSError(28, "No space left on device"), "ổ đĩa đầy"),
    ],
    ids=["open-in-excel", "read-only-folder", "disk-full"],
)
def test_output_not_writable(
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    exists: bool,
    error: OSError,
    says: str,
) -> None:
    out = tmp_path / "bang.xlsx"
    if exists:
        out.write_bytes(b"")
    error.filename = str(out)
    monkeypatch.setattr(decision, "write_decision_table", _refuse(error))
    result = runner.invoke(main, ["rank", "--root", str(REPO), "--out", str(out), "--no-charts"])
    text = _said(result)
    assert result.exit_code == 4, text
    assert says in text and str(out) in text
    assert "Đã ghi" not in text
    assert_vietnamese(text)


def test_report_into_a_read_only_folder(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import parindex.report

    error = PermissionError(13, "Permission denied", str(tmp_path / "bc"))
    monkeypatch.setattr(parindex.report, "write_reports", _refuse(error))
    args = ["report", "--root", str(REPO), "--out", str(tmp_path / "bc")]
    result = runner.invoke(main, args)
    text = _said(result)
    assert result.exit_code == 4, text
    assert "Không có quyền ghi vào" in text
    assert_vietnamese(text)


# ---------------------------------------------------------------- publishable or a draft
def test_rank_refuses_a_table_from_invalid_inputs(runner: CliRunner, root: Path) -> None:
    _invalid(root)
    result = runner.invoke(main, ["rank", "--root", str(root), "--no-charts"])
    text = _said(result)
    assert result.exit_code == 1, text
    assert "KHÔNG GHI bảng xếp hạng: dữ liệu đầu vào có 1 lỗi" in text
    assert "--draft" in text and "Đã ghi" not in text
    assert not (root / "out").exists()
    assert_vietnamese(text.split("KHÔNG GHI")[1])


def test_a_draft_is_marked_on_every_sheet_and_in_its_name(runner: CliRunner, root: Path) -> None:
    _invalid(root)
    result = runner.invoke(main, ["rank", "--root", str(root), "--no-charts", "--draft"])
    text = _said(result)
    assert result.exit_code == 1, text
    out = root / "out" / "xep-hang-2025-ban-nhap.xlsx"
    assert f"Đã ghi BẢN NHÁP bảng xếp hạng (không công bố): {out.resolve()}" in text
    assert not (root / "out" / "xep-hang-2025.xlsx").exists()
    wb = load_workbook(out)
    for ws in wb.worksheets:
        assert ws.oddHeader.center.text == decision.DRAFT_MARK, ws.title
        assert ws.oddFooter.left.text == decision.DRAFT_MARK, ws.title
    ranking = wb["Xếp hạng xa"]
    assert ranking.cell(row=5, column=1).value == decision.DRAFT_MARK
    data = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert data["draft"] is True
    assert out.with_suffix(".csv").exists()


def test_an_agency_without_submission_cannot_be_missed(runner: CliRunner, root: Path) -> None:
    agency = _missing(root)
    refused = runner.invoke(main, ["rank", "--root", str(root), "--no-charts"])
    text = _said(refused)
    assert refused.exit_code == clivi.EXIT_MISSING == 3, text
    assert "1 đơn vị chưa nộp hồ sơ" in text and not (root / "out").exists()

    result = runner.invoke(main, ["rank", "--root", str(root), "--no-charts", "--draft"])
    text = _said(result)
    assert result.exit_code == 3, text
    last = text.rstrip("\n").splitlines()[-1]
    assert last.startswith("CHƯA NỘP HỒ SƠ: 1 đơn vị") and f"({agency})" in last
    assert_vietnamese(last)
    wb = load_workbook(root / "out" / "xep-hang-2025-ban-nhap.xlsx")
    rows = list(wb["Xếp hạng phuong"].iter_rows(min_row=decision.FIRST_DATA, values_only=True))
    # its row, the last ranked, says why (beside its year-over-year note, when it has one)
    noted = [r for r in rows if any(decision.MISSING_NOTE in str(c) for c in r)]
    assert len(noted) == 1

    score_only = runner.invoke(main, ["score", "--root", str(root)])
    assert score_only.exit_code == 3
    assert "CHƯA NỘP HỒ SƠ" in score_only.output.rstrip("\n").splitlines()[-1]


# ---------------------------------------------------------------- where the table goes
def test_rank_root_writes_beside_the_data_and_says_when_it_replaces(
    runner: CliRunner, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "noi-khac"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    first = runner.invoke(main, ["rank", "--root", str(root), "--no-charts"])
    assert first.exit_code == 0, first.output
    table = root / "out" / "xep-hang-2025.xlsx"
    assert table.exists() and not (elsewhere / "out").exists()
    assert f"Đã ghi bảng xếp hạng: {table.resolve()}" in first.output
    assert "thay bảng của lần chạy trước" not in first.output
    again = runner.invoke(main, ["rank", "--root", str(root), "--no-charts"])
    assert again.exit_code == 0
    assert "— thay bảng của lần chạy trước." in again.output


def test_stale_charts_are_removed(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "bang.xlsx"
    charts = decision.charts_dir(out)
    (charts / "ho-so").mkdir(parents=True)
    stale = [charts / "xep-hang-khoi-cu.png", charts / "xep-hang-khoi-cu.svg"]
    stale += [charts / "ho-so" / "khoi-cu-don-vi.png"]
    for f in stale:
        f.write_bytes(b"cu")
    kept = charts / "ghi-chu-cua-toi.txt"
    kept.write_text("của người dùng", encoding="utf-8")
    result = runner.invoke(main, ["rank", "--root", str(REPO), "--out", str(out), "--no-charts"])
    assert result.exit_code == 0, result.output
    assert not any(f.exists() for f in stale)
    assert kept.exists() and not (charts / "ho-so").exists()


# ---------------------------------------------------------------- CSV and JSON
def test_csv_opens_in_excel_and_json_has_two_places(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "bang.xlsx"
    result = runner.invoke(main, ["rank", "--root", str(REPO), "--out", str(out), "--no-charts"])
    assert result.exit_code == 0, result.output
    raw = out.with_suffix(".csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {"Xếp hạng", "Mã đơn vị", "Đơn vị", "Chỉ số CCHC (%)", "Lĩnh vực 1"} <= set(rows[0])
    text = out.with_suffix(".json").read_text(encoding="utf-8")
    numbers = re.findall(r'"(?:index|total|applicable_max)": (-?[0-9.]+)', text)
    assert numbers and all(re.fullmatch(r"-?[0-9]+\.[0-9]{2}", n) for n in numbers)
    data = json.loads(text)
    by_id = {a["agency"]: a for b in data["blocks"] for a in b["agencies"]}
    for r in rows:  # the CSV and the JSON agree, to the hundredth
        assert Decimal(r["Chỉ số CCHC (%)"]) == Decimal(str(by_id[r["Mã đơn vị"]]["index"]))
    # next year reads this CSV as last year's results, column names and all
    previous, issues = read_previous(out.with_suffix(".csv"))
    assert not issues
    assert {a: p.rank for a, p in previous.items()} == {a: x["rank"] for a, x in by_id.items()}


def test_json_text_prints_decimals_with_two_places() -> None:
    text = export.json_text({"a": Decimal("73.4"), "b": Decimal("100"), "c": Decimal("-4.21")})
    assert text == '{\n  "a": 73.40,\n  "b": 100.00,\n  "c": -4.21\n}'


def test_weighted_csv_row_re_adds_to_its_total() -> None:
    """The hand-worked weighted set of test_single: fields 40 and 10 (weighted), bonus 2,
    penalty 1 → total 51; the CSV's field columns hold the weighted points."""
    data = build_set(
        [[[leaf(2, "yes-no"), leaf(1, "yes-no")]], [[leaf(1, "manual")]]],
        weights=[60, 40],
        bonus=extras(2, leaf(2, "yes-no"), leaf(1, "yes-no")),
        penalty=extras(1, leaf(1, "yes-no"), prefix="D"),
    )
    yes = {"done": True, "explanation": "x"}
    leaves = {
        "1.1.1": yes,
        "1.1.2": {"done": False},
        "2.1.1": {"score": Decimal("0.25"), "explanation": "x"},
        "T1": yes,
        "T2": yes,
        "D1": yes,
    }
    res = score(data, [{"agency": "so-a", "year": 2025, "leaves": leaves}])
    results = Results(2025, {"so": res}, Report(), {})
    (row,) = csv.DictReader(io.StringIO(export.csv_rows(results, labels=True)))
    fields = [Decimal(row["Lĩnh vực 1"]), Decimal(row["Lĩnh vực 2"])]
    assert fields == [Decimal("40.00"), Decimal("10.00")]
    bonus, penalty = Decimal(row["Điểm thưởng"]), Decimal(row["Điểm trừ"])
    assert (bonus, penalty) == (Decimal("2.00"), Decimal("1.00"))
    assert sum(fields) + bonus - penalty == Decimal(row["Tổng điểm"]) == Decimal("51.00")


# ---------------------------------------------------------------- the catalogue
def test_catalogue_translates_every_message_click_marks() -> None:
    """Every message the installed Click marks for translation is in the catalogue, translated,
    and the compiled catalogue (what gettext reads) is the source's (`pybabel compile`)."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    po_path = clivi.LOCALE_DIR / "vi" / "LC_MESSAGES" / f"{clivi.DOMAIN}.po"
    with po_path.open("rb") as f:
        po = read_po(f)
    with po_path.with_suffix(".mo").open("rb") as f:
        mo = read_mo(f)

    def strings(catalogue: Any) -> dict[str, str]:
        return {
            m.id if isinstance(m.id, str) else m.id[0]: m.string
            if isinstance(m.string, str)
            else m.string[0]
            for m in catalogue
            if m.id
        }

    translated = strings(po)
    assert strings(mo) == translated
    marked = {
        msg if isinstance(msg, str) else msg[0]
        for _, _, msg, *_ in extract_from_dir(Path(click.__file__).parent)
    }
    marked -= {"d"}  # not a message: a format letter Click passes through gettext
    untranslated = sorted(m for m in marked if not translated.get(m))
    assert not untranslated
    for string in translated.values():  # placeholders ({error}, %(prog)s) are Click's names
        assert_vietnamese(re.sub(r"\{[^}]*\}|%\([a-z]+\)s", " ", string))


@pytest.mark.parametrize("language", [{"LANG": "C"}, {"LANG": "en_US.UTF-8", "LANGUAGE": "fr"}])
def test_a_real_process_speaks_vietnamese_whatever_the_locale(language: dict[str, str]) -> None:
    """A fresh process, as a person runs it, whatever language the machine is set to."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LANGUAGE", "LC_ALL")}
    proc = subprocess.run(
        [sys.executable, "-m", "parindex.cli", "score", "--year", "abc"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env | language | {"PYTHONIOENCODING": "utf-8"},
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Lỗi: Giá trị không hợp lệ cho '--year'" in proc.stderr
    assert_vietnamese(proc.stderr)
