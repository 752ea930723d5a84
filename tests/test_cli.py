"""The command line, through Click's runner and once as a real subprocess."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import tomllib
from importlib.metadata import EntryPoint
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from parindex import cli
from parindex.cli import main

REPO = Path(__file__).resolve().parent.parent
#: the sample's blocks: 2024 before the reorganisation, 2025 after it (two-tier local government)
BLOCKS = {2024: ("so-nganh", "huyen", "xa"), 2025: ("so-nganh", "phuong", "xa")}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_check_bundled_criteria_is_valid(runner: CliRunner) -> None:
    files = [str(REPO / "criteria" / str(y) / f"{b}.yaml") for y, bs in BLOCKS.items() for b in bs]
    result = runner.invoke(main, ["check", *files])
    assert result.exit_code == 0, result.output
    assert result.output.count("Hợp lệ:") == 6


def test_check_bad_file_exits_1_with_code_and_line(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: x\nyear: 2025\nblock: b\nblock_name: B\ntitle: T\ncolour: red\n"
        "bands: [{name: A, at_least: 0}]\nfields: []\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["check", str(bad), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    found = {(i["code"], i["location"].get("line")) for i in report["issues"]}
    # colour: red, line 6; fields: [] is a list (the right type) with too few items, line 8
    assert found == {("unknown-key", 6), ("bad-value", 8)}


def test_check_missing_file_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["check", str(tmp_path / "none.yaml")])
    assert result.exit_code == 1
    assert "file-not-found" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["score", "--no-such-option"],
        ["score", "--year", "1999"],
        ["score", "--block", "no-such-block"],
        ["score", "--json", "--csv"],
        ["rank", "--out", "x.pdf"],
        ["check"],
    ],
)
def test_usage_errors_exit_2(runner: CliRunner, args: list[str], tmp_path: Path) -> None:
    if args[0] == "rank":
        args = ["rank", "--root", str(REPO), "--out", str(tmp_path / "x.pdf")]
    elif args[0] == "score" and "--no-such-option" not in args:
        args = [*args, "--root", str(REPO)]
    result = runner.invoke(main, args)
    assert result.exit_code == 2, result.output


def test_score_json_is_the_library_result(runner: CliRunner) -> None:
    result = runner.invoke(main, ["score", "--root", str(REPO), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["year"] == 2025
    assert [b["block"] for b in data["blocks"]] == ["phuong", "so-nganh", "xa"]
    counts = {b["block"]: len(b["agencies"]) for b in data["blocks"]}
    # submissions/2025/agencies.csv: 16 departments, 6 wards, 16 communes + 1 special zone
    assert counts == {"so-nganh": 16, "phuong": 6, "xa": 17}
    for block in data["blocks"]:
        indices = [a["index"] for a in block["agencies"]]
        assert indices == sorted(indices, reverse=True)
        assert block["tie_rule"]
        for a in block["agencies"]:
            # the index re-computes from the published total and applicable maximum
            from decimal import ROUND_HALF_UP, Decimal

            total, maximum = Decimal(str(a["total"])), Decimal(str(a["applicable_max"]))
            expected = (total / maximum * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
            assert Decimal(str(a["index"])) == expected


def test_sample_has_an_exact_tie_sharing_a_rank(runner: CliRunner) -> None:
    result = runner.invoke(main, ["score", "--root", str(REPO), "--json"])
    data = json.loads(result.stdout)
    block = next(b for b in data["blocks"] if b["block"] == "so-nganh")
    by_id = {a["agency"]: a for a in block["agencies"]}
    a, b = by_id["so-ngoai-vu"], by_id["so-dan-toc-ton-giao"]
    assert a["index"] == b["index"] and a["rank"] == b["rank"]
    ranks = [x["rank"] for x in block["agencies"]]
    tied_at = ranks.index(a["rank"])
    # the next agency's rank skips the shared one (1, 2, 2, 4)
    if tied_at + 2 < len(ranks):
        assert ranks[tied_at + 2] == a["rank"] + 2


def test_score_csv_rows(runner: CliRunner) -> None:
    result = runner.invoke(main, ["score", "--root", str(REPO), "--csv", "--block", "phuong"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and {r["block"] for r in rows} == {"phuong"}
    assert {"rank", "agency", "name", "index", "band", "field_1"} <= set(rows[0])


def test_the_2024_published_results_are_parindex_own_csv(runner: CliRunner) -> None:
    # the sample's last year: its three pre-merger blocks, and the published file that 2025
    # reads back is exactly what `parindex score --csv --year 2024` prints
    result = runner.invoke(main, ["score", "--root", str(REPO), "--year", "2024", "--csv"])
    assert result.exit_code == 0, result.output
    published = (REPO / "submissions" / "2024" / "ket-qua-2024.csv").read_text(encoding="utf-8")
    assert result.stdout == published
    rows = list(csv.DictReader(io.StringIO(published)))
    assert {r["block"] for r in rows} == set(BLOCKS[2024])
    assert all(r["applicable_max"] for r in rows)


def test_score_table_prints_every_block_and_sample_marker(runner: CliRunner) -> None:
    result = runner.invoke(main, ["score", "--root", str(REPO)])
    assert result.exit_code == 0, result.output
    for title in ("Sở, ban, ngành", "Phường — năm 2025", "Xã và đặc khu — năm 2025"):
        assert title in result.output
    assert "DỮ LIỆU MẪU" in result.output


def test_rank_writes_workbook(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "xep-hang.xlsx"
    result = runner.invoke(main, ["rank", "--root", str(REPO), "--out", str(out), "--no-charts"])
    assert result.exit_code == 0, result.output
    wb = load_workbook(out)
    assert wb.sheetnames == [
        "Xếp hạng phuong",
        "Xếp hạng so-nganh",
        "Xếp hạng xa",
        "Chi tiết phuong",
        "Chi tiết so-nganh",
        "Chi tiết xa",
        "Phương pháp",
        "Ghi chú",
        "Độ tin cậy của xếp hạng",  # after the official sheets (tests/test_robustness.py)
    ]
    assert out.with_suffix(".csv").exists() and out.with_suffix(".json").exists()


def test_invalid_submission_exits_1_but_still_ranks(runner: CliRunner, tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "root"
    shutil.copytree(REPO / "criteria", root / "criteria")
    shutil.copytree(REPO / "submissions", root / "submissions")
    target = next((root / "submissions" / "2025" / "xa").glob("*.yaml"))
    text = target.read_text(encoding="utf-8")
    target.write_text(text + "  9.9.9: {done: true}\n", encoding="utf-8")
    result = runner.invoke(main, ["score", "--root", str(root)])
    assert result.exit_code == 1
    assert "unknown-leaf" in result.output
    assert "Xã và đặc khu — năm 2025" in result.output  # the ranking is still printed


def test_real_subprocess_rank(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "parindex.cli",
            "rank",
            "--root",
            str(REPO),
            "--out",
            str(out),
            "--no-charts",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.exists()
    assert "Đã ghi bảng xếp hạng" in proc.stdout


# ------------------------------------------------------------- commands of other packages
@click.command()
@click.option("--name", default="thế giới")
def _hello(name: str) -> None:
    """Chào (a command registered by another package)."""
    click.echo(f"xin chào {name}")


def _registered(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    eps = {n: EntryPoint(name=n, value=v, group=cli.COMMAND_GROUP) for n, v in values.items()}
    monkeypatch.setattr(cli, "command_entry_points", lambda: eps)


def test_commands_registered_under_the_group_are_listed_and_run(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    _registered(monkeypatch, hello="tests.test_cli:_hello")
    listed = runner.invoke(main, ["--help"])
    assert listed.exit_code == 0
    assert "hello" in listed.output and "Chào" in listed.output
    assert "check" in listed.output  # parindex's own commands stay
    result = runner.invoke(main, ["hello", "--name", "Tà Đùng"])
    assert result.exit_code == 0, result.output
    assert result.output == "xin chào Tà Đùng\n"


def test_an_unknown_command_is_a_usage_error(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    _registered(monkeypatch)
    result = runner.invoke(main, ["serve"])
    assert result.exit_code == 2
    assert "Không có lệnh 'serve'" in result.output  # Click's "No such command", in Vietnamese


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("tests.no_such_module:serve", "Không nạp được lệnh hello"),
        ("tests.test_cli:BLOCKS", "không phải là một lệnh"),
    ],
)
def test_a_broken_registration_is_a_usage_error(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, value: str, message: str
) -> None:
    _registered(monkeypatch, hello=value)
    result = runner.invoke(main, ["hello"])
    assert result.exit_code == 2
    assert message in result.output


def test_the_web_app_declares_serve_in_the_group() -> None:
    """pyproject.toml registers `parindex serve` (installed by `pip install -e .`); the web
    package's own test runs it through this declaration."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["entry-points"][cli.COMMAND_GROUP] == {
        "serve": "web.cli:serve",
        "backup": "web.cli:backup",
        "restore": "web.cli:restore",
        "remind": "web.cli:remind",
    }


# ------------------------------------------------------------------------------ evidence
def test_evidence_on_the_sample_prints_no_hint(runner: CliRunner) -> None:
    result = runner.invoke(main, ["evidence", "--root", str(REPO), "--year", "2025"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Năm 2025: 0 gợi ý kiểm tra minh chứng."


def test_evidence_prints_the_hints_of_the_files(runner: CliRunner, tmp_path: Path) -> None:
    import shutil

    for part in ("criteria", "submissions"):
        shutil.copytree(REPO / part / "2025", tmp_path / part / "2025")
    path = tmp_path / "submissions" / "2025" / "xa" / "xa-phu-my.yaml"
    text = path.read_text(encoding="utf-8")
    first = text.index("    - number: ")
    end = text.index("\n", first)
    number = text[first + len("    - number: ") : end]
    # the first document's number typed without its symbol; a link that is no web address
    text = text[:first] + "    - number: KH 99" + text[end:]
    text = text.replace("url: https://", "url: ftp://", 1)
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["evidence", "--root", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    found = [(i["code"], i["location"]["agency"]) for i in json.loads(result.stdout)["issues"]]
    assert ("evidence-number-format", "xa-phu-my") in found
    assert ("evidence-link-scheme", "xa-phu-my") in found
    assert len(found) == 2, (number, found)
    plain = runner.invoke(main, ["evidence", "--root", str(tmp_path)])
    assert plain.exit_code == 0
    assert "UBND xã Phú Mỹ, tiêu chí " in plain.output
    assert "Số, ký hiệu sai thể thức: Số, ký hiệu “KH 99” không đúng thể thức" in plain.output
    assert plain.output.rstrip().endswith("Năm 2025: 2 gợi ý kiểm tra minh chứng.")


def test_evidence_year_without_data_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["evidence", "--root", str(REPO), "--year", "1999"])
    assert result.exit_code == 2
    assert "Không có dữ liệu năm 1999" in result.output
