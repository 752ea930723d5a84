"""Web benchmarks: the self-assessment page and a draft save with 50 officers at once.

Run: `python3 -m pytest tests/benchmarks/test_web_bench.py --benchmark-only -s`.

The server runs as in production (docs/web.md): `waitress-serve --call web:create_app` (4
threads) in a process of its own, on loopback, with the demo province in a SQLite file
(WAL journal). The clients run in the test process: 50 threads, each logged in as a different
agency's officer, each loading its field page (`/don-vi/linh-vuc/3`) and saving a draft from
it (the form as the page sent it, one leaf's explanation changed) in turn, `ROUNDS` times. Every
client loads its page once before the clock starts (the server's criteria sets are then
cached, as on a server that has been up for a while).

Two load models, each recorded in its benchmark's extra_info (p50/p95 of the page and of the
save in ms, requests, failures, requests per second) and printed:

- **stress** (`test_stress_zero_think_time`): no think time; each client sends its next request
  as soon as the previous answer arrived, so 50 requests are always waiting. A saturation test:
  the server process runs Python on one core at a time (the GIL), so a latency is about 50 × the
  server's CPU time per request, whatever it does with its threads.
- **officers** (`test_officers_with_think_time`): the same sequence, each request after a think
  time of 1–3 s (uniform, seeded per client), as 50 officers filling in the form at the same
  time would: the latency is the service time plus what queueing those arrivals cause.

A request fails when it raises or answers other than 200 (page) or a redirect (save: a save
that shows the form again did not save everything). After each run every client's last
explanation must be in the database. Nothing here asserts a time (docs/performance.md).
"""

from __future__ import annotations

import html
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CLIENTS = 50
ROUNDS = 6  # page loads and saves per client
THREADS = 4  # waitress' worker threads: its default, as in docs/web.md's production command
THINK = (1.0, 3.0)  # seconds, the officers model
SEED = 2025
PAGE = "/don-vi/linh-vuc/3"
LEAF = "3.1.1"  # whose explanation each save changes


class _Form(HTMLParser):
    """The name=value pairs a browser would post from the page's forms (the reference)."""

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


def html_form(page: str) -> list[tuple[str, str]]:
    form = _Form()
    form.feed(page)
    return form.fields


_TAG = re.compile(r"<(input|textarea|select|option|/select)\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(r'([a-zA-Z_:][-\w:.]*)(?:\s*=\s*"([^"]*)")?')


def fast_form(page: str) -> list[tuple[str, str]]:
    """The same pairs as :func:`html_form`, read with two regular expressions: the HTML parser
    costs the client about as much CPU as the server spends on the page, and the clients share
    the machine's two cores with the server. Checked against :func:`html_form` on every client's
    first page."""
    fields: list[tuple[str, str]] = []
    select: str | None = None
    for m in _TAG.finditer(page):
        tag = m.group(1).lower()
        if tag == "/select":
            select = None
            continue
        a = {k.lower(): html.unescape(v or "") for k, v in _ATTR.findall(m.group(2))}
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("file", "submit"):
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                continue
            fields.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            end = page.find("</textarea>", m.end())
            fields.append((name, html.unescape(page[m.end() : end])))
        elif tag == "select" and name:
            select = name
        elif tag == "option" and select and "selected" in a:
            fields.append((select, a.get("value", "")))
    return fields


def _percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def _text(i: int) -> str:
    return f"Giải trình lần {i}"


def _client(
    base: str,
    email: str,
    out: dict[str, list[Any]],
    barrier: threading.Barrier,
    think: Callable[[], None],
) -> None:
    import requests

    s = requests.Session()
    try:
        page = s.get(base + "/dang-nhap", timeout=60).text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore
        r = s.post(
            base + "/dang-nhap",
            data={"email": email, "password": "parindex-demo", "csrf_token": token},
            timeout=60,
        )
        r.raise_for_status()
        first = s.get(base + PAGE, timeout=60).text  # warm-up, not measured
        if fast_form(first) != html_form(first):
            out["failures"].append(f"form reader {email}: differs from the HTML parser")
    except Exception as e:  # reported; the other clients go on
        out["failures"].append(f"login {email}: {e!r}")
        barrier.wait()
        return
    barrier.wait()
    for i in range(ROUNDS):
        think()
        t = time.perf_counter()
        try:
            r = s.get(base + PAGE, timeout=60)
        except Exception as e:
            out["failures"].append(f"page {email}: {e!r}")
            continue
        finally:
            out["page"].append(time.perf_counter() - t)
        if r.status_code != 200:
            out["failures"].append(f"page {email}: {r.status_code}")
            continue
        fields = [(k, _text(i) if k == f"{LEAF}-explanation" else v) for k, v in fast_form(r.text)]
        think()
        t = time.perf_counter()
        try:
            r = s.post(base + PAGE, data=fields, timeout=60, allow_redirects=False)
        except Exception as e:
            out["failures"].append(f"save {email}: {e!r}")
            continue
        finally:
            out["save"].append(time.perf_counter() - t)
        if r.status_code not in (302, 303):
            out["failures"].append(f"save {email}: {r.status_code}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: Any) -> Iterator[tuple[str, list[str], str, int]]:
    """The demo province served by waitress in its own process: (base URL, e-mails, DB URL,
    the server's process id)."""
    from web import create_app
    from web.demo import seed_demo
    from web.migrate import upgrade
    from web.models import Agency, db

    tmp = tmp_path_factory.mktemp("bench")
    env = {
        **os.environ,
        "SECRET_KEY": "bench",
        "DATABASE_URL": f"sqlite:///{tmp / 'b.db'}",
        "UPLOAD_FOLDER": str(tmp / "u"),
        "PARINDEX_INSECURE_COOKIES": "1",
    }
    app = create_app({k: env[k] for k in ("SECRET_KEY", "DATABASE_URL", "UPLOAD_FOLDER")})
    upgrade(app)
    with app.app_context():
        seed_demo(REPO)
        agencies = db.session.execute(db.select(Agency)).scalars().all()
        # the commune block first (as many agencies as clients there), then the others
        ordered = sorted(agencies, key=lambda a: (a.block != "xa", a.id))
        emails = [f"{a.code}@tinhmau.gov.vn" for a in ordered][:CLIENTS]
        db.session.remove()
        db.engine.dispose()
    port = _free_port()
    log = (tmp / "server.log").open("w")
    command = [
        sys.executable,
        "-m",
        "waitress",
        "--host=127.0.0.1",
        f"--port={port}",
        f"--threads={THREADS}",
        "--call",
        "web:create_app",
    ]
    server = subprocess.Popen(
        command,
        env=env,
        cwd=tmp,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp / "server.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start in 60 s"
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", emails, env["DATABASE_URL"], server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process and its child processes have used so far, from
    Linux's /proc; 0 where unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(_cpu_seconds(int(c)) for c in children)


def _run(
    benchmark: Any,
    server: tuple[str, list[str], str, int],
    model: str,
    think: Callable[[int], Callable[[], None]],
) -> dict[str, Any]:
    base, emails, url, pid = server

    def load() -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {"page": [], "save": [], "failures": []}
        barrier = threading.Barrier(len(emails) + 1)
        threads = [
            threading.Thread(target=_client, args=(base, e, out, barrier, think(n)))
            for n, e in enumerate(emails)
        ]
        for t in threads:
            t.start()
        barrier.wait()
        start = time.perf_counter()
        cpu = (_cpu_seconds(pid), time.process_time())
        for t in threads:
            t.join(timeout=600)
        out["seconds"] = [time.perf_counter() - start]
        out["cpu"] = [_cpu_seconds(pid) - cpu[0], time.process_time() - cpu[1]]
        return out

    out = benchmark.pedantic(load, rounds=1, iterations=1)
    info = benchmark.extra_info
    for key in ("page", "save"):
        info[f"{key}_p50_ms"] = round(_percentile(out[key], 50) * 1000, 1)
        info[f"{key}_p95_ms"] = round(_percentile(out[key], 95) * 1000, 1)
        info[f"{key}_requests"] = len(out[key])
    info["failures"] = len(out["failures"])
    requests = len(out["page"]) + len(out["save"])
    info["requests_per_s"] = round(requests / out["seconds"][0], 1)
    # CPU per request (page or save, averaged): the server's process, and the clients' own
    info["server_cpu_ms_per_request"] = round(out["cpu"][0] / requests * 1000, 2)
    info["client_cpu_ms_per_request"] = round(out["cpu"][1] / requests * 1000, 2)
    info["server"] = f"waitress, own process, {THREADS} threads, SQLite (WAL)"
    info["model"] = model
    print("\n", dict(info), out["failures"][:5])
    assert len(out["page"]) == len(emails) * ROUNDS  # every client ran (not a timing check)
    assert _last_explanations(url, emails) == {e: _text(ROUNDS - 1) for e in emails}
    return out


def _last_explanations(url: str, emails: list[str]) -> dict[str, str]:
    """What the database holds as each client's explanation of the leaf saved."""
    from sqlalchemy import create_engine, select

    from web.models import Agency, Entry, Submission, User

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(User.email, Entry.data)
                .join(Agency, Agency.unit_id == User.unit_id)
                .join(Submission, Submission.agency_id == Agency.id)
                .join(Entry, Entry.submission_id == Submission.id)
                .where(User.email.in_(emails), Entry.leaf == LEAF)
            ).all()
    finally:
        engine.dispose()
    return {email: (data or {}).get("explanation", "") for email, data in rows}


def test_stress_zero_think_time(benchmark: Any, demo_server: Any) -> None:
    _run(benchmark, demo_server, "stress: 50 clients, no think time", lambda n: lambda: None)


def test_officers_with_think_time(benchmark: Any, demo_server: Any) -> None:
    def think(n: int) -> Callable[[], None]:
        rng = random.Random(SEED * 1000 + n)
        return lambda: time.sleep(rng.uniform(*THINK))

    model = f"officers: 50 clients, think time {THINK[0]:g}–{THINK[1]:g} s (seed {SEED})"
    _run(benchmark, demo_server, model, think)
