"""`parindex serve`, as registered by the web app: the command that pyproject.toml declares under
``parindex.commands`` runs from parindex's command line (waitress itself is not started)."""

from __future__ import annotations

import tomllib
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from parindex import cli
from parindex.cli import main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def declared(monkeypatch: pytest.MonkeyPatch) -> None:
    """The entry points as `pip install -e .` of this tree would install them."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    eps = {
        name: EntryPoint(name=name, value=value, group=cli.COMMAND_GROUP)
        for name, value in project["entry-points"][cli.COMMAND_GROUP].items()
    }
    monkeypatch.setattr(cli, "command_entry_points", lambda: eps)


def test_serve_is_listed_with_its_documented_options(declared: None) -> None:
    runner = CliRunner()
    assert "serve" in runner.invoke(main, ["--help"]).output
    result = runner.invoke(main, ["serve", "--help"])
    assert result.exit_code == 0, result.output
    assert "--port" in result.output and "--database" in result.output


def test_remind_is_a_parindex_command(declared: None) -> None:
    """`parindex remind` (reminders and the mail outbox, run by cron: docs/web.md); what it
    does is tested in tests/web/test_notifications.py."""
    runner = CliRunner()
    assert "  remind " in runner.invoke(main, ["--help"]).output
    result = runner.invoke(main, ["remind", "--help"])
    assert result.exit_code == 0, result.output
    assert "--database" in result.output and "--days" in result.output
    assert "Gửi thư nhắc hạn" in result.output


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_backup_and_restore_are_parindex_commands(declared: None, command: str) -> None:
    runner = CliRunner()
    assert f"  {command} " in runner.invoke(main, ["--help"]).output
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "--database" in result.output and "--yes" in result.output


def test_serve_seeds_the_demo_and_starts_waitress(
    declared: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import web.cli

    started: dict[str, Any] = {}

    class FakeServer:
        def run(self) -> None:
            started["ran"] = True

        def close(self) -> None:
            started["closed"] = True

    def fake_server(app: Any, **kw: Any) -> FakeServer:
        started.update(kw, app=app)
        return FakeServer()

    monkeypatch.setattr(web.cli, "create_server", fake_server)
    monkeypatch.setenv("UPLOAD_FOLDER", str(tmp_path / "uploads"))
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    result = CliRunner().invoke(main, ["serve", "--port", "5099", "--database", url])
    assert result.exit_code == 0, result.output
    assert "Tài khoản dùng thử (DỮ LIỆU MẪU), mật khẩu chung: parindex-demo" in result.output
    assert "sonoivu@tinhmau.gov.vn" in result.output
    assert "Mở http://127.0.0.1:5099/" in result.output
    assert started["port"] == 5099 and started["host"] == "127.0.0.1"
    assert started["app"].config["SESSION_COOKIE_SECURE"] is False
    assert started["ran"] and started["closed"]
    # a second start finds the database filled and keeps it
    again = CliRunner().invoke(main, ["serve", "--port", "5099", "--database", url])
    assert again.exit_code == 0, again.output
    assert "CSDL đã có dữ liệu" in again.output
