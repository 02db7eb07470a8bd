# The Hugging Face Space (sdk: docker) builds exactly what `make run` builds locally: scripts/setup.sh.
FROM python:3.11-slim
# tesseract-ocr + tesseract-ocr-rus: the second OCR engine for Cyrillic report photos (reports/tesseract.py).
RUN apt-get update && apt-get install -y --no-install-recommends make libgl1 libglib2.0-0 \
    tesseract-ocr tesseract-ocr-rus \
    && rm -rf /var/lib/apt/lists/*
RUN useradd -m -u 1000 user
USER user
ENV HOME=/home/user PYTHONUNBUFFERED=1 GRADIO_SERVER_NAME=0.0.0.0 GRADIO_SERVER_PORT=7860
WORKDIR /home/user/app
COPY --chown=user requirements.txt requirements-dev.txt pyproject.toml ./
COPY --chown=user scripts/setup.sh scripts/setup.sh
# The dependencies first (a cached layer), then the app: torch==2.13.0 comes from PyPI's CPU index here.
RUN mkdir -p assistant knowledge models rag reports safety skin storage tabs training \
    && touch app.py engine.py settings.py \
    && PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu bash scripts/setup.sh
COPY --chown=user . .
RUN .venv/bin/python -m pip install -q --no-deps --no-build-isolation -e .
EXPOSE 7860
CMD [".venv/bin/python", "app.py"]
