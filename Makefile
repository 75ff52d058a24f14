# The two commands of the README, and a few helpers. Each installs what is missing.
SWIFT ?= swift
RELEASE_BIN = .build/release/fashion
OUT ?= out

.PHONY: study test deps build release bench clean

## make study: the main job. Until the seed study lands (issue 4) it prepares and verifies
## the data and writes the sample sprite.
study: deps release
	@$(RELEASE_BIN) data verify
	@echo
	@$(RELEASE_BIN) data info
	@echo
	@$(RELEASE_BIN) data show --output $(OUT)/fashion-samples.png
	@echo
	@echo "The data is ready. The seed study (models 1-3) is not built yet; this step only prepared the data."

## make test: builds and runs every test, the integration tests on the real data included.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

deps:
	@bash Scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product fashion

## make bench: measurements beside the Python peer (numpy), on this machine, in one run.
bench: deps
	$(SWIFT) build -c release --product fashion-bench
	@python3 -c "import numpy" 2>/dev/null || pip install --quiet numpy
	@mkdir -p $(OUT)
	@.build/release/fashion-bench load > $(OUT)/bench-fashion.tsv
	@python3 Benchmarks/peers/load_numpy.py > $(OUT)/bench-numpy.tsv
	@python3 Benchmarks/compare.py $(OUT)/bench-fashion.tsv $(OUT)/bench-numpy.tsv numpy
	@echo
	@OUT=$(OUT) bash Benchmarks/run-train.sh

clean:
	rm -rf .build $(OUT)
