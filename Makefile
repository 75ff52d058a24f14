# The two commands of the README, and a few helpers. Each installs what is missing.
SWIFT ?= swift
RELEASE_BIN = .build/release/fashion
OUT ?= out

.PHONY: study tune beyond test soak cut-soak kernel-levels doc-examples docs lint format deps build release bench \
	bench-tune bench-serve bench-infer bench-outfits demo-photos fuzz clean

## make study: the main job. Verifies the data, then runs the seed study (Models 1-3 of the
## original Keras notebook, 3 seeds each) and writes its report into $(OUT)/seed-study.
study: deps release
	@$(RELEASE_BIN) data verify
	@$(RELEASE_BIN) data show --output $(OUT)/fashion-samples.png
	@echo
	@$(RELEASE_BIN) study experiments/seed-study.json --output $(OUT)/seed-study

## make tune: a 30-trial TPE search over dense networks (experiments/tune-mlp.json); retrains
## the best on the whole training set, tests it once and writes $(OUT)/tune-mlp/report.html.
## Started again after an interruption, it resumes the same study from $(OUT)/tune-store.sqlite.
tune: deps release
	@$(RELEASE_BIN) data verify
	@echo
	@$(RELEASE_BIN) tune experiments/tune-mlp.json --store $(OUT)/tune-store.sqlite --output $(OUT)/tune-mlp

## make beyond: the seed study's models beside strong-mlp and three CNNs (experiments/beyond.json),
## one run at a time on both cores, so each run's training time is what one user would wait.
beyond: deps release
	@$(RELEASE_BIN) data verify
	@echo
	@$(RELEASE_BIN) study experiments/beyond.json --threads 2 --parallel-runs 1 --output $(OUT)/beyond

## make test: checks the formatting, then builds and runs every test, the integration tests on
## the real data included, and the PostgreSQL store against a throwaway cluster (Scripts/with-postgres.sh).
## The tests run on a release build of their own in .build-test (TEST_BUILD): the code as the tool runs
## it, and one build for the tests and the fault test's binary instead of a debug and a release build
## (a clean build: 508 s instead of 457 + 364 on a Zen 5). make study's .build is left alone.
## Every run of the tests is under a watchdog (Scripts/test-watchdog.py): past TEST_LIMIT seconds it
## names the tests that started and did not end, prints every thread's backtrace and fails.
TEST_BUILD = -c release --scratch-path .build-test -Xswiftc -enable-testing
TEST_LIMIT ?= 900
test: deps lint
	$(SWIFT) build --build-tests $(TEST_BUILD)
	@FASHION=.build-test/release/fashion $(MAKE) --no-print-directory fault-test
	Scripts/with-postgres.sh Scripts/test-watchdog.py $(TEST_LIMIT) $(SWIFT) test --skip-build $(TEST_BUILD)
	@$(MAKE) --no-print-directory doc-examples
	@$(MAKE) --no-print-directory kernel-levels

## make doc-examples: runs the quick examples (```sh quick blocks) of README.md and Docs/ with the test
## build's fashion and checks that they print what the pages show (Scripts/doc-examples.py).
doc-examples:
	python3 Scripts/doc-examples.py --fashion .build-test/release/fashion

## make kernel-levels: the layers' kernel tests again with each lower instruction set forced
## (FASHION_KERNELS; the 8-bit product's too): the kernels are compiled for baseline, AVX2 and
## AVX-512, and the tests above run only the clones this machine's CPU chose. Seconds; needs the
## test build (make test's).
LAYER_SUITES = ImageLayerTests|ConvolutionMaxPoolTests|ReLUPoolOrderTests|OptimizerTests|ThreadInvarianceTests
KERNEL_SUITES = $(LAYER_SUITES)|Int8ProductTests|QuantizationTests
kernel-levels:
	FASHION_KERNELS=baseline Scripts/test-watchdog.py 600 $(SWIFT) test --skip-build $(TEST_BUILD) \
		--filter "$(KERNEL_SUITES)"
	FASHION_KERNELS=avx2 Scripts/test-watchdog.py 600 $(SWIFT) test --skip-build $(TEST_BUILD) --filter "$(KERNEL_SUITES)"

## make soak: the whole suite SOAK_RUNS (20) times in a row beside two busy processes, each run
## under the watchdog; counts passes, failures and hangs (Scripts/soak-tests.sh). Needs make test's build.
SOAK_RUNS ?= 20
soak:
	@OUT=$(OUT) TEST_LIMIT=$(TEST_LIMIT) Scripts/soak-tests.sh $(SOAK_RUNS) 2

## make cut-soak: CUTS (200) cuts of 0.2-3 s of a PostgreSQL link during a two-worker tuning run, each
## worker on a host of its own; hangs, lost or doubled trials and the stall after each cut
## (Scripts/cut-soak.sh; needs root and make test's build).
cut-soak: deps
	FASHION=.build-test/release/fashion Scripts/cut-soak.sh

## make fault-test: eight tune workers on eight simulated hosts (network namespaces) share one
## 64-trial study in PostgreSQL; ten SIGKILLs (one host lost for good) and a link cut for 20 s;
## then the study's invariants are checked in the database (Scripts/fault-test.sh; needs root).
fault-test: deps
	SWIFT="$(SWIFT)" Scripts/fault-test.sh

## make lint: swift format (it ships with the toolchain) with the committed .swift-format
## (4 spaces, lines of at most 120 characters); fails on any file it would change. Then
## Scripts/lint-docs.py: no file speaks of work sessions or issue numbers, and no Markdown line
## outside tables and fenced blocks is over 120 characters.
FORMATTED = Sources Tests Benchmarks Examples Package.swift Fuzz/Sources Fuzz/Package.swift
lint:
	$(SWIFT) format lint --strict --recursive --parallel $(FORMATTED)
	python3 Scripts/lint-docs.py

## make format: rewrites the files as make lint wants them.
format:
	$(SWIFT) format format --in-place --recursive --parallel $(FORMATTED)

deps:
	@bash Scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product fashion

## make bench: measurements beside the Python peer (numpy), on this machine, in one run.
bench: deps release
	$(SWIFT) build -c release --product fashion-bench
	@python3 -c "import numpy" 2>/dev/null || pip install --quiet numpy
	@mkdir -p $(OUT)
	@.build/release/fashion-bench load > $(OUT)/bench-fashion.tsv
	@python3 Benchmarks/peers/load_numpy.py > $(OUT)/bench-numpy.tsv
	@python3 Benchmarks/compare.py $(OUT)/bench-fashion.tsv $(OUT)/bench-numpy.tsv numpy
	@echo
	@# Fashion-MNIST as PNG folders (written once): first and cached load, beside Pillow in a loop.
	@[ -d $(OUT)/fashion-folders ] || $(RELEASE_BIN) data export --output $(OUT)/fashion-folders
	@.build/release/fashion-bench folders $(OUT)/fashion-folders
	@python3 -c "import PIL" 2>/dev/null || pip install --quiet pillow
	@python3 Benchmarks/peers/load_folders_pil.py $(OUT)/fashion-folders
	@echo
	@OUT=$(OUT) bash Benchmarks/run-train.sh

## make bench-tune: TPE against random search, 5 searches each of 30 trials (8 epochs a trial).
bench-tune: deps
	$(SWIFT) build -c release --product fashion-bench
	.build/release/fashion-bench tune-compare experiments/tune-mlp.json 5 30 8

## make demo-photos: 3,000 training and 600 test colour JPEG "product photos" made from
## Fashion-MNIST (Scripts/make_demo_photos.py, seeded) in $(OUT)/demo-photos.
demo-photos: deps
	@python3 -c "import PIL, numpy" 2>/dev/null || pip install --quiet pillow numpy
	@python3 Scripts/make_demo_photos.py $(OUT)/demo-photos

## make bench-outfits: the multi-label outfit benchmark: fashion's outfit CNN against PyTorch's same
## network (same epochs and threads) and against an oracle running cnn-best on each filled cell.
bench-outfits: deps release
	$(SWIFT) build -c release --product fashion-bench
	bash Benchmarks/outfits/run.sh

## make bench-serve: fashion serve against FastAPI + uvicorn + onnxruntime on the same models, in
## one run, with wrk: requests per second, p50 and p99 latency, start-up time, peak memory.
bench-serve: deps release
	@OUT=$(OUT) bash Benchmarks/serve/run.sh

## make bench-infer: fashion's forward pass against onnxruntime's on the same exported models, in one
## run: images a second at batch 1 and 64 on 1 and 2 threads, and one image's p50 and p99.
bench-infer: deps release
	$(SWIFT) build -c release --product fashion-bench
	@python3 -c "import onnxruntime, numpy" 2>/dev/null || python3 -m pip install --quiet onnxruntime numpy
	@mkdir -p $(OUT)/bench-infer
	python3 Benchmarks/infer/bench_infer.py .build/release/fashion .build/release/fashion-bench $(OUT)/bench-infer \
		| tee $(OUT)/bench-infer/table.md

## make fuzz: every parser under libFuzzer with address sanitizer (Fuzz/, a package of its own),
## FUZZ_SECONDS (60) each; crashes are kept in Fuzz/Crashes/<target>/.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= idx gzip csv png jpeg model experiment space serve
fuzz: deps
	@# Each target alone (building the whole graph would link fashion itself with libFuzzer); lld,
	@# because gold fails on the sanitized objects.
	@for t in $(FUZZ_TARGETS); do \
		$(SWIFT) build --package-path Fuzz -c debug --product fuzz-$$t -Xswiftc -sanitize=fuzzer,address \
			-Xswiftc -parse-as-library -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld || exit 1; \
	done
	@OUT=$(OUT) bash Fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf .build $(OUT)

## make docs: the API reference of each library (DocC, through swift-docc-plugin) into .build/docs/<Target>;
## fails on any warning. Open .build/docs/<Target>/index.html through a web server, or the archive in Xcode.
DOC_TARGETS = FashionData NeuralNet Inference Studies Tuning Serving Reports
docs:
	@mkdir -p .build/docs
	@for t in $(DOC_TARGETS); do \
		$(SWIFT) package --allow-writing-to-directory .build/docs generate-documentation --target $$t \
			--warnings-as-errors --output-path .build/docs/$$t --transform-for-static-hosting || exit 1; \
	done
