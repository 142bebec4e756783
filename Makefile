# The two commands a newcomer needs: `make demo` and `make test`. Everything else is a step of those.
.PHONY: install models data demo test doctor teacher serve stop clean

VENV_BIN := .venv/bin
CONFIG ?= configs/demo.yaml

install:            ## create .venv with the whole CPU stack (idempotent: seconds when up to date)
	bash scripts/install.sh

models: install     ## download, verify and convert all bundled demo models (no-op when cached)
	$(VENV_BIN)/distillery models prepare

DEMO_LOG := data/demo/production.db
$(DEMO_LOG): data/generate_demo_log.py data/demo_text.py $(wildcard data/routes/*) | install
	$(VENV_BIN)/python data/generate_demo_log.py

data: $(DEMO_LOG)   ## generate the demo production log (deterministic; seconds)

demo: install data  ## run the main job on the embedded demo (prepares the models it uses)
	$(VENV_BIN)/distillery demo --config $(CONFIG)

# Two workers, each pinned to its own core with every process it starts (tests/conftest.py pin_test_worker):
# while one imports or starts a server on one core, the other computes on the other. Whole modules per worker.
TEST_WORKERS ?= 2
test: install       ## the test suite; tests prepare the small models they need themselves
	$(VENV_BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

doctor: install     ## is this machine ready? exit 1 with a one-line fix when not
	$(VENV_BIN)/distillery doctor --config $(CONFIG)

teacher: install    ## serve the configured teacher in the foreground (Ctrl-C stops it)
	$(VENV_BIN)/distillery teacher serve --config $(CONFIG)

serve: install      ## local Prefect server + worker + deployments (nightly at 02:00, on-demand, ...) + report server; prints the URLs
	bash scripts/prefect_serve.sh

stop:               ## stop the Prefect server and worker that `make serve` started
	bash scripts/prefect_stop.sh

clean:              ## remove run outputs (keeps .venv and the model cache)
	rm -rf .distillery
