"""`pip install -r requirements.txt` into an empty venv builds nothing from source (what a plain Space runs)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_requirements_need_no_source_build():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_space_build.py")], capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "sdists: 0" in done.stdout
