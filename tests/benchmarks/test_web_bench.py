"""Web benchmarks: the self-assessment page and a draft save under 50 concurrent clients.

Run: `python3 -m pytest tests/benchmarks --benchmark-only`. A real waitress server on loopback
with the demo province in a SQLite file; 50 threads, each logged in as a different agency's
officer, each loads its field page and saves a draft (one leaf's explanation changed) in turn.
The p50/p95 latencies and the failures are recorded in the benchmark's extra_info and in
docs/performance.md. Nothing here asserts a time.
"""

from __future__ import annotations

import re
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CLIENTS = 50
ROUNDS = 6  # page loads and saves per client


class _Form(HTMLParser):
    """The name=value pairs a browser would post from the page's save form."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("file", "submit"):
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            self.fields.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.append((name, ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self._textarea and self.fields and self.fields[-1][0] == self._textarea:
            self.fields[-1] = (self._textarea, self.fields[-1][1] + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def _percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def _client(base: str, email: str, out: dict[str, list[Any]], barrier: threading.Barrier) -> None:
    import requests

    s = requests.Session()
    page = s.get(base + "/dang-nhap", timeout=30).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore
    r = s.post(
        base + "/dang-nhap",
        data={"email": email, "password": "parindex-demo", "csrf_token": token},
        timeout=30,
    )
    if r.status_code != 200:
        out["failures"].append(f"login {email}: {r.status_code}")
        return
    barrier.wait()
    for i in range(ROUNDS):
        t = time.perf_counter()
        r = s.get(base + "/don-vi/linh-vuc/3", timeout=30)
        out["page"].append(time.perf_counter() - t)
        if r.status_code != 200:
            out["failures"].append(f"page {email}: {r.status_code}")
            continue
        form = _Form()
        form.feed(r.text)
        fields = [
            (k, f"Giải trình lần {i}" if k == "3.1.1-explanation" else v) for k, v in form.fields
        ]
        t = time.perf_counter()
        r = s.post(base + "/don-vi/linh-vuc/3", data=fields, timeout=30, allow_redirects=False)
        out["save"].append(time.perf_counter() - t)
        if r.status_code not in (200, 302, 303):
            out["failures"].append(f"save {email}: {r.status_code}")


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: Any) -> Any:
    from waitress.server import create_server

    from tests.web.livesite import free_port
    from web import create_app
    from web.migrate import upgrade
    from web.models import Agency, db
    from web.services import seed_demo

    tmp = tmp_path_factory.mktemp("bench")
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": f"sqlite:///{tmp / 'b.db'}",
            "UPLOAD_FOLDER": str(tmp / "u"),
            "SESSION_COOKIE_SECURE": False,
        }
    )
    upgrade(app)
    with app.app_context():
        seed_demo(REPO)
        emails = [
            f"{a.code}@tinhmau.gov.vn"
            for a in db.session.execute(db.select(Agency).filter_by(block="xa")).scalars()
        ]
        emails += [
            f"{a.code}@tinhmau.gov.vn"
            for a in db.session.execute(db.select(Agency).filter(Agency.block != "xa")).scalars()
        ]
    port = free_port()
    server = create_server(app, host="127.0.0.1", port=port, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", emails[:CLIENTS]
    server.close()


def test_form_page_and_draft_save_under_50_clients(benchmark: Any, demo_server: Any) -> None:
    base, emails = demo_server

    def load() -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {"page": [], "save": [], "failures": []}
        barrier = threading.Barrier(len(emails))
        threads = [threading.Thread(target=_client, args=(base, e, out, barrier)) for e in emails]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        return out

    out = benchmark.pedantic(load, rounds=1, iterations=1)
    for key in ("page", "save"):
        benchmark.extra_info[f"{key}_p50_ms"] = round(_percentile(out[key], 50) * 1000, 1)
        benchmark.extra_info[f"{key}_p95_ms"] = round(_percentile(out[key], 95) * 1000, 1)
        benchmark.extra_info[f"{key}_requests"] = len(out[key])
    benchmark.extra_info["failures"] = len(out["failures"])
    print("\n", benchmark.extra_info, out["failures"][:5])
    assert len(out["page"]) == CLIENTS * ROUNDS  # every client ran (not a timing check)
