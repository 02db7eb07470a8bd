# The two commands of the README, and the training runs that produced the committed models.
.PHONY: run test train-skin
PY := .venv/bin/python

run:  ## set up (once) and start the app on http://127.0.0.1:7860
	bash scripts/setup.sh && $(PY) app.py
test:  ## set up (once), lint, and run the whole test suite, slow tests included
	bash scripts/setup.sh --dev && .venv/bin/ruff check . && $(PY) -m pytest
train-skin:  ## retrain SkinGuard from scratch on ../shared/data/skin (about an hour on 2 cores) into data/skin
	bash scripts/setup.sh
	$(PY) training/train_skin.py --size 96 --epochs 22 --patience 8 --max-minutes 45 --no-tta --out runs/skin1
	$(PY) training/train_skin.py --size 96 --init runs/skin1/skinguard.keras --lr 1e-3 --epochs 15 --patience 8 \
		--max-minutes 16 --out runs/skin2
	$(PY) training/train_skin.py --size 112 --init runs/skin2/skinguard.keras --lr 6e-4 --warmup-epochs 1 \
		--ema 0.995 --epochs 24 --patience 24 --max-minutes 42 --out runs/skin3
	$(PY) training/train_skin.py --size 112 --init runs/skin3/skinguard.keras --lr 3e-4 --warmup-epochs 0.5 \
		--ema 0.995 --epochs 14 --patience 14 --max-minutes 14 --out data/skin
	for n in 1 2 3; do cp runs/skin$$n/training_log.json data/skin/training_log_stage$$n.json; done
	mv data/skin/training_log.json data/skin/training_log_stage4.json
	$(PY) training/train_skin_colour.py --out data/skin
