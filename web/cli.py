"""The web app's commands. `parindex serve` is this module's :func:`serve`, registered under the
entry point group ``parindex.commands`` (pyproject.toml), so that parindex imports nothing of
the web app; ``python3 -m web serve`` runs the same command without the installed entry point."""

from __future__ import annotations

from typing import Any

import click
from waitress import serve as waitress_serve

from parindex.dataset import default_root
from web import create_app
from web.demo import seed_demo
from web.migrate import upgrade
from web.models import db


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """parindex — ứng dụng web."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Địa chỉ lắng nghe.")
@click.option("--port", default=5000, show_default=True, type=int, help="Cổng.")
@click.option(
    "--database",
    default=None,
    help="URL CSDL (mặc định: biến DATABASE_URL, hoặc tệp SQLite trong thư mục instance/).",
)
def serve(host: str, port: int, database: str | None) -> None:
    """Chạy ứng dụng web trên tỉnh mẫu, in các tài khoản dùng thử."""
    config: dict[str, Any] = {"SESSION_COOKIE_SECURE": False}  # plain HTTP on this machine
    if database:
        config["DATABASE_URL"] = database
    app = create_app(config)
    upgrade(app)
    with app.app_context():
        accounts = seed_demo(default_root())
        url = db.engine.url.render_as_string(hide_password=True)
    click.echo(f"CSDL: {url}")
    if accounts:
        click.echo("Tài khoản dùng thử (DỮ LIỆU MẪU), mật khẩu chung: " + accounts[0][2])
        for email, role, _ in accounts[:3]:
            click.echo(f"  {role:12} {email}")
        agencies = [a for a in accounts if a[1] == "agency"]
        click.echo(
            f"  agency       {agencies[0][0]} … ({len(agencies)} đơn vị: <mã đơn vị>"
            "@tinhmau.gov.vn)"
        )
    else:
        click.echo("CSDL đã có dữ liệu; dùng các tài khoản đã tạo (mật khẩu mẫu: parindex-demo).")
    click.echo(f"Mở http://{host}:{port}/ — Ctrl+C để dừng.")
    waitress_serve(app, host=host, port=port, threads=8)
