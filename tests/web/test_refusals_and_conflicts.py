"""web.errors: the one commit-or-conflict helper and the one refusal shape."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.exc import OperationalError

from web.errors import CONFLICT_MESSAGE, commit_or_conflict
from web.models import Cycle, db
from web.workflow import IllegalTransition


def _years() -> list[int]:
    return list(db.session.execute(db.select(Cycle.year).order_by(Cycle.year)).scalars())


def test_the_block_s_writes_are_committed(app: Flask) -> None:
    with app.app_context():
        with commit_or_conflict() as saved:
            db.session.add(Cycle(year=2031, title="a"))
        assert saved.ok and saved.error is None
        db.session.remove()
        assert _years() == [2031]


def test_a_key_taken_meanwhile_rolls_everything_back(app: Flask) -> None:
    with app.app_context():
        db.session.add(Cycle(year=2031, title="a"))
        db.session.commit()
        with commit_or_conflict() as saved:
            db.session.add(Cycle(year=2032, title="b"))
            db.session.add(Cycle(year=2031, title="the same year again"))
        assert not saved.ok
        assert saved.why == CONFLICT_MESSAGE
        assert _years() == [2031]  # 2032 went too: nothing of the block is kept


def test_a_failed_commit_is_a_conflict(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_commit() -> None:
        raise OperationalError("COMMIT", {}, Exception("database is locked"))

    with app.app_context():
        monkeypatch.setattr(db.session, "commit", broken_commit)
        with commit_or_conflict() as saved:
            db.session.add(Cycle(year=2033, title="c"))
        monkeypatch.undo()
        assert not saved.ok and isinstance(saved.error, OperationalError)
        assert _years() == []


def test_an_expected_refusal_keeps_its_message(app: Flask) -> None:
    with app.app_context():
        with commit_or_conflict(IllegalTransition) as saved:
            db.session.add(Cycle(year=2034, title="d"))
            raise IllegalTransition("Không thể chuyển hồ sơ.")
        assert not saved.ok and saved.why == "Không thể chuyển hồ sơ."
        assert _years() == []


def test_an_unexpected_exception_is_rolled_back_and_raised(app: Flask) -> None:
    with app.app_context():
        with pytest.raises(KeyError), commit_or_conflict():
            db.session.add(Cycle(year=2035, title="e"))
            raise KeyError("bug")
        assert _years() == []


@pytest.mark.parametrize(("accept", "json"), [("text/html", False), ("application/json", True)])
def test_one_refusal_shape_html_or_json(client: FlaskClient, accept: str, json: bool) -> None:
    r = client.get("/khong-co-trang-nay", headers={"Accept": accept})
    assert r.status_code == 404
    if json:
        assert r.get_json() == {
            "error": {"code": 404, "message": "Không tìm thấy trang hoặc dữ liệu."}
        }
    else:
        assert "Không tìm thấy trang hoặc dữ liệu." in r.get_data(as_text=True)
