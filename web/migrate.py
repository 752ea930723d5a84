"""Database schema through Alembic: ``upgrade(app)`` brings any database to the latest schema."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from flask import Flask

from web.models import db

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(app: Flask, revision: str = "head") -> None:
    with app.app_context():
        with db.engine.begin() as connection:
            cfg = alembic_config(app.config["SQLALCHEMY_DATABASE_URI"])
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)
