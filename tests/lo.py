"""LibreOffice headless, for recalculating and rendering the workbooks parindex writes."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

# On a developer's machine without LibreOffice these tests are skipped; in CI (CI=true, where
# .ci/run installs it) a missing LibreOffice makes them fail instead of passing unseen.
needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("CI"),
    reason="LibreOffice (Debian: libreoffice-calc) is not installed",
)


def convert(src: Path, fmt: str, outdir: Path) -> Path:
    """``soffice --headless --convert-to fmt``; returns the converted file."""
    assert SOFFICE is not None
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / "lo-profile"
    proc = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    out = outdir / (src.stem + "." + fmt.split(":")[0])
    assert out.exists(), f"LibreOffice failed: {proc.stdout}\n{proc.stderr}"
    return out
