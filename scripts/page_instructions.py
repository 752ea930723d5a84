"""Instructions per request of the agency's field page, or of a save cycle, under callgrind: a
count that does not move with the machine's load (scripts/page_cpu.py measures CPU time).

    PYTHONPATH=TREE valgrind --tool=callgrind --instr-atstart=no \
        --callgrind-out-file=/tmp/cg.out python3 scripts/page_instructions.py TREE N page|cycle|save

(``python3`` must be the interpreter itself, not a shell shim.) Counting is switched on only
around the N requests (``callgrind_control``); valgrind prints "Collected : <instructions>",
divide by N. ``page``: N views of field 3 of xa-ta-dung; ``cycle``: N times the view, the form
read as a browser sends it, and its save (a redirect); ``save``: the N saves alone. Compare
two checkouts side by side.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import page_cpu as P  # noqa: E402


def main() -> None:
    tree, n, what = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    from web import create_app

    database = Path(tempfile.mkdtemp()) / "demo.db"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "page-instructions",
            "SESSION_COOKIE_SECURE": False,
        }
    )
    P._seed(app, tree)
    client = app.test_client()
    login = {"email": "xa-ta-dung@tinhmau.gov.vn", "password": "parindex-demo"}
    assert client.post("/dang-nhap", data=login).status_code in (302, 303)
    saved = [0]

    def cycle() -> None:
        fields = P.form_values(client.get(P.PAGE).get_data(as_text=True))
        explanation = next(k for k in fields if k.endswith("-explanation"))
        saved[0] += 1
        data = {**fields, explanation: f"giải trình {saved[0]}"}
        assert client.post(P.PAGE, data=data).status_code in (302, 303)

    pid = str(os.getpid())

    def count(on: bool) -> None:
        switch = "on" if on else "off"
        subprocess.run(["callgrind_control", "-i", switch, pid], check=True, capture_output=True)

    if what == "save":  # the save alone: counting switched on around each post
        for _ in range(3):
            cycle()
        for _ in range(n):
            fields = P.form_values(client.get(P.PAGE).get_data(as_text=True))
            explanation = next(k for k in fields if k.endswith("-explanation"))
            saved[0] += 1
            data = {**fields, explanation: f"giải trình {saved[0]}"}
            count(True)
            status = client.post(P.PAGE, data=data).status_code
            count(False)
            assert status in (302, 303)
        return
    request = (lambda: client.get(P.PAGE)) if what == "page" else cycle
    for _ in range(3):
        request()
    count(True)
    for _ in range(n):
        request()
    count(False)


if __name__ == "__main__":
    main()
