# The two commands of the README.
.PHONY: run test
run:  ## set up (once) and start the app on http://127.0.0.1:7860
	bash scripts/setup.sh && .venv/bin/python app.py
test:  ## set up (once) and run the whole test suite, slow tests included
	bash scripts/setup.sh --dev && .venv/bin/python -m pytest
