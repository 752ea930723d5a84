"""CPU per request of the agency's field page and of a draft save, in process (Flask test client).

    PYTHONPATH=TREE python3 scripts/page_cpu.py TREE [N]

TREE is a checkout of parindex (its demo province is loaded into a fresh SQLite file); prints
the median CPU time (process time, ms) of N views of field 3 of xa-ta-dung and of N draft saves
of it. Run two checkouts alternately to compare them on a noisy machine (docs/performance.md).
Old checkouts keep ``seed_demo`` in ``web.services``; both places are tried.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

PAGE = "/don-vi/linh-vuc/3"


def _seed(app: Any, root: Path) -> None:
    from web.migrate import upgrade

    try:
        from web.demo import seed_demo
    except ImportError:  # a checkout from before web/demo.py
        from web.services import seed_demo  # type: ignore[no-redef]
    with app.app_context():
        upgrade(app)
        seed_demo(root)


class _Form(HTMLParser):
    """The values a browser sends for the page's form: inputs (radio buttons and boxes only
    when checked), the selected option of each select, and textareas."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select = ""
        self._textarea = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") not in ("radio", "checkbox") or "checked" in a:
                self.values[name] = a.get("value", "on" if a.get("type") == "checkbox" else "")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = ""
        elif tag == "textarea":
            self._textarea = ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


def form_values(html: str) -> dict[str, str]:
    parser = _Form()
    parser.feed(html)
    return parser.values


def _median_ms(f: Callable[[], object], n: int, *, prepared: bool = False) -> float:
    """The median CPU time of ``n`` calls of ``f``; with ``prepared``, ``f`` (untimed) returns
    the call to time."""
    times = []
    for _ in range(n):
        call = f() if prepared else f
        start = time.process_time()
        call()  # type: ignore[operator]
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    root = Path(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    from web import create_app

    database = Path(tempfile.mkdtemp()) / "demo.db"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "page-cpu",
            "SESSION_COOKIE_SECURE": False,
        }
    )
    _seed(app, root)
    client = app.test_client()
    login = {"email": "xa-ta-dung@tinhmau.gov.vn", "password": "parindex-demo"}
    assert client.post("/dang-nhap", data=login).status_code in (302, 303)
    saved = [0]

    def save() -> Callable[[], object]:
        """The form as the browser has it after the last save (untimed), posted with a new
        explanation (timed): a successful save answers with a redirect."""
        fields = form_values(client.get(PAGE).get_data(as_text=True))
        explanation = next(k for k in fields if k.endswith("-explanation"))
        saved[0] += 1
        data = {**fields, explanation: f"giải trình {saved[0]}"}

        def post() -> None:
            answer = client.post(PAGE, data=data)
            assert answer.status_code in (302, 303), "the save must succeed (a redirect)"

        return post

    page_ms = _median_ms(lambda: client.get(PAGE), n)
    save_ms = _median_ms(save, n, prepared=True)
    print(f"{root}: page {page_ms:.2f} ms CPU, save {save_ms:.2f} ms CPU (median of {n})")


if __name__ == "__main__":
    main()
