"""parindex as people install it: the README's two set-up commands run as written in a fresh
virtual environment made from a clean clone of this repository, and a regular (non-editable)
wheel that carries the sample province.

The README test installs every dependency into its own venv from the configured package index
(about two minutes with pip's cache). In CI, .ci/run is that test itself (it runs the two
commands, read from the README, in a clean checkout) and skips this copy; set
PARINDEX_SKIP_README_TEST=1 to skip it where there is no package index (or to save the time)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
#: set in the README test's own inner run, so that it does not start itself again
INNER = "PARINDEX_README_INNER"
#: what the inner run of the README's second command runs instead of the whole suite (CI runs the
#: whole suite with that same command); passed through pytest's own PYTEST_ADDOPTS
INNER_TESTS = "tests/test_docs.py tests/web/test_serve.py"


def readme_commands(text: str) -> list[str]:
    """The commands of README.md's first ```sh block (how .ci/run reads them too)."""
    match = re.search(r"^```sh\n(.*?)^```$", text, re.S | re.M)
    assert match, "README.md has no ```sh block"
    return [line for line in match.group(1).splitlines() if line.strip()]


def test_the_readme_starts_with_two_commands_that_ci_runs() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    first_block = text.index("```sh")
    assert text[:first_block].count("\n") <= 2, "the set-up commands come first in the README"
    commands = readme_commands(text)
    assert len(commands) == 2
    assert commands[0].startswith("python3 -m venv .venv && ")  # never pip into Debian's Python
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "awk '/^```sh$/" in ci and 'bash -c "set -e; ${readme[0]}"' in ci
    assert 'bash -c "set -e; ${readme[1]}"' in ci
    assert "python3 -m pip install" not in ci  # CI installs nothing beside the README's venv
    requires = re.search(r'requires-python = ">=(\d+\.\d+)"', (REPO / "pyproject.toml").read_text())
    assert requires and f"Python {requires.group(1)} or newer" in text


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment of a person at a terminal: nothing that points Python at this tree."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTEST_ADDOPTS", "PYTHONHOME"}
    }
    return env | extra


@pytest.mark.skipif(bool(os.environ.get(INNER)), reason="inside the README test's own run")
@pytest.mark.skipif(
    bool(os.environ.get("PARINDEX_SKIP_README_TEST")), reason="PARINDEX_SKIP_README_TEST is set"
)
def test_the_readme_commands_work_as_written_in_a_clean_clone(tmp_path: Path) -> None:
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    clone = tmp_path / "parindex"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True, timeout=120)
    first, second = readme_commands((clone / "README.md").read_text(encoding="utf-8"))

    done = subprocess.run(
        ["bash", "-c", f"set -e; {first}"],
        cwd=clone,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    table = (clone / "out" / "xep-hang-2025.xlsx").resolve()
    assert f"Đã ghi bảng xếp hạng: {table}" in done.stdout
    assert (clone / "out" / "xep-hang-2025.xlsx").is_file()
    elsewhere = tmp_path / "elsewhere"  # not beside the clone's folder named parindex
    elsewhere.mkdir()
    installed = subprocess.run(
        [
            str(clone / ".venv" / "bin" / "python"),
            "-c",
            "import parindex; print(parindex.__file__)",
        ],
        cwd=elsewhere,
        env=_clean_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert installed.stdout.strip() == str(clone / "parindex" / "__init__.py")  # the clone's own

    done = subprocess.run(
        ["bash", "-c", f"set -e; {second}"],
        cwd=clone,
        env=_clean_env(**{INNER: "1", "PYTEST_ADDOPTS": f"-q -p no:cacheprovider {INNER_TESTS}"}),
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert re.search(r"^\d+ passed", done.stdout.splitlines()[-1]), done.stdout[-500:]


def test_a_wheel_carries_the_sample_province(tmp_path: Path) -> None:
    """A regular install (a wheel, not editable) ranks the sample and seeds the web demo from any
    folder. Dependencies come from this Python (a venv with --system-site-packages)."""
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(REPO)],
        check=True,
        capture_output=True,
        timeout=600,
        env=_clean_env(),
    )
    [wheel] = wheels.glob("parindex-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
        env=_clean_env(),
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args, cwd=elsewhere, env=_clean_env(), capture_output=True, text=True, timeout=600
        )

    ranked = run(str(env_dir / "bin" / "parindex"), "rank", "--no-charts")
    assert ranked.returncode == 0, ranked.stdout[-2000:] + ranked.stderr[-2000:]
    table = (elsewhere / "out" / "xep-hang-2025.xlsx").resolve()
    assert f"Đã ghi bảng xếp hạng: {table}" in ranked.stdout
    assert table.is_file()
    last_year = run(str(env_dir / "bin" / "parindex"), "score", "--year", "2024")
    assert last_year.returncode == 0, last_year.stdout[-2000:] + last_year.stderr[-2000:]
    assert "UBND cấp huyện — năm 2024" in last_year.stdout  # the year before the reorganisation
    listed = run(str(env_dir / "bin" / "parindex"), "--help")
    assert all(f"  {c} " in listed.stdout for c in ("serve", "backup", "restore")), listed.stdout
    demo = run(
        str(py),
        "-c",
        "import sys, parindex, web\n"
        "from parindex.dataset import SAMPLE_ROOT, default_root\n"
        "from web import create_app\nfrom web.demo import seed_demo\n"
        "from web.migrate import upgrade\nfrom web.models import db\n"
        "assert default_root() == SAMPLE_ROOT, default_root()\n"
        "assert 'site-packages' in parindex.__file__ and 'site-packages' in web.__file__\n"
        f"app = create_app({{'DATABASE_URL': 'sqlite:///{tmp_path / 'demo.db'}',"
        f" 'UPLOAD_FOLDER': '{tmp_path / 'uploads'}'}})\n"
        "upgrade(app)\n"
        "with app.app_context():\n    print(len(seed_demo(default_root())))\n",
    )
    assert demo.returncode == 0, demo.stderr[-3000:]
    accounts = int(demo.stdout.strip().splitlines()[-1])
    # admin, secretariat, appraiser and one officer per unit of either year: 71 units in 2024,
    # 39 in 2025, 27 of them in both → 71 + 39 − 27 = 83, less the 9 districts dissolved on
    # 01/07/2025 (their accounts closed; the merged units' accounts carry on) → 74
    assert accounts == 3 + 74
