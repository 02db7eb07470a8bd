"""Check that `pip install -r requirements.txt` (what a plain Space or any user runs) builds nothing from source.

Creates an empty Python 3.11 venv, asks pip to resolve requirements.txt with `--dry-run --report`, and lists every
distribution that would come as a source archive (an sdist needs a build: llama-cpp-python took minutes).
Prints one line per package and `sdists: N`; exits 1 when N > 0. Needs the package index (no install happens).
Usage: .venv/bin/python scripts/check_space_build.py [--requirements requirements.txt]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SDIST_SUFFIXES = (".tar.gz", ".zip", ".tar.bz2", ".tgz")


def resolve(requirements: Path, workdir: Path) -> list[dict]:
    """pip's install report for `requirements` in a fresh venv (nothing is installed)."""
    venv.EnvBuilder(with_pip=True).create(workdir / "venv")
    python = workdir / "venv" / "bin" / "python"
    report = workdir / "report.json"
    subprocess.run([python, "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
    subprocess.run([python, "-m", "pip", "install", "-q", "--dry-run", "--ignore-installed", "--report", report,
                    "-r", requirements], check=True)
    return json.loads(report.read_text())["install"]


def source_builds(install: list[dict]) -> list[str]:
    """Names of the distributions pip would build from a source archive."""
    return [item["metadata"]["name"] for item in install
            if item["download_info"]["url"].split("#")[0].endswith(SDIST_SUFFIXES)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requirements", type=Path, default=ROOT / "requirements.txt")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="healify-space-") as tmp:
        install = resolve(args.requirements.resolve(), Path(tmp))
    sdists = source_builds(install)
    for item in sorted(install, key=lambda i: i["metadata"]["name"].lower()):
        url = item["download_info"]["url"].split("#")[0]
        print(f"{item['metadata']['name']}=={item['metadata']['version']}  {url.rsplit('/', 1)[-1]}")
    print(f"packages: {len(install)}  sdists: {len(sdists)}" + (f"  ({', '.join(sdists)})" if sdists else ""))
    return 1 if sdists else 0


if __name__ == "__main__":
    sys.exit(main())
