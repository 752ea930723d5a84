"""CPU per request of the agency's field page and of a draft save, in process (Flask test client).

    PYTHONPATH=TREE python3 scripts/page_cpu.py TREE [N]

TREE is a checkout of parindex (its demo province is loaded into a fresh SQLite file); prints
the median CPU time (process time, ms) of N views of field 3 of xa-ta-dung and of N draft saves
of it. Run two checkouts alternately to compare them on a noisy machine (docs/performance.md).
Old checkouts keep ``seed_demo`` in ``web.services``; both places are tried.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
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


def _median_ms(f: Callable[[], object], n: int) -> float:
    times = []
    for _ in range(n):
        start = time.process_time()
        f()
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
    html = client.get(PAGE).get_data(as_text=True)
    fields = dict(re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', html))
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', html):
        fields[name] = text
    explanation = next(k for k in fields if k.endswith("-explanation"))
    saved = [0]

    def save() -> None:
        saved[0] += 1
        answer = client.post(PAGE, data={**fields, explanation: f"giải trình {saved[0]}"})
        assert answer.status_code in (200, 302, 303)

    page_ms = _median_ms(lambda: client.get(PAGE), n)
    save_ms = _median_ms(save, n)
    print(f"{root}: page {page_ms:.2f} ms CPU, save {save_ms:.2f} ms CPU (median of {n})")


if __name__ == "__main__":
    main()
