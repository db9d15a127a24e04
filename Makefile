# betavae — set up, build, test, benchmark.
SHELL := /bin/bash
APT_PACKAGES := pkg-config libcairo2-dev libpng-dev libgif-dev libopenblas-dev libdnnl-dev zlib1g-dev fonts-dejavu-core dataset-fashion-mnist time python3-selenium chromium chromium-driver poppler-utils python3-torch python3-pip libssl-dev liblinear-dev libhdf5-dev libmatio-dev
RELEASE := swift build -c release
BIN := .build/release

.PHONY: setup build test bench demo gallery clean fuzz

# Installs what is missing (apt-get as root, else sudo); does nothing when everything is present.
# python3-selenium, chromium and chromium-driver drive the latent explorer's browser tests;
# python3-torch runs the PyTorch comparisons of the layers, objectives and checkpoints;
# liblinear-dev fits SAP's linear SVMs (the library scikit-learn's LinearSVC wraps).
setup:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	@python3 -c 'import safetensors.numpy' 2>/dev/null || python3 -m pip install -q safetensors numpy 2>/dev/null \
	  || echo "note: Python's safetensors is not installed; the Python interop test will be skipped"
	@# Debian's PyTorch (python3-torch) runs the PyTorch comparisons; it needs safetensors beside it.
	@/usr/bin/python3 -c 'import safetensors.torch' 2>/dev/null || /usr/bin/python3 -m pip install -q --break-system-packages safetensors 2>/dev/null \
	  || echo "note: /usr/bin/python3 has no safetensors; the PyTorch comparison tests will be skipped"
	@# scikit-learn (with scipy, numpy) runs scripts/dlib_reference.py, the reference of the disentanglement_lib parity tests.
	@python3 -c 'import sklearn, scipy' 2>/dev/null || python3 -m pip install -q scikit-learn scipy numpy 2>/dev/null \
	  || python3 -m pip install -q --break-system-packages scikit-learn scipy numpy 2>/dev/null \
	  || echo "note: python3 has no scikit-learn; the disentanglement_lib parity tests will be skipped"

build: setup
	$(RELEASE) --product betavae

# The tests run optimised (-c release, with -enable-testing for their @testable imports): the
# element-wise loops of a debug build are 10-50x slower, and the suite took 13.5 min in debug
# against about 4 min optimised on the 2-core AVX2 machine. Their own scratch folder keeps
# -enable-testing from rebuilding `make build`'s release products and back.
TEST_BUILD := swift test -c release -Xswiftc -enable-testing --scratch-path .build/tests
test: setup
	$(TEST_BUILD)

# The training section also runs ../shared/bench's PyTorch and JAX anchors when they are set up
# (see ../shared/bench/README.md); BENCH_EPOCHS=3 for a quicker run. The first line of each run
# names the ISA oneDNN's kernels used. BENCH_ISA=avx2 runs the engine, conv and training
# sections once more under ONEDNN_MAX_CPU_ISA=AVX2, so an AVX-512 machine also gives the figures
# of the AVX2 CPUs most people have (on an AVX2 machine the native run already is that).
BENCH_ISA ?=
bench: setup
	$(RELEASE) --product betavae
	$(RELEASE) --product bench
	$(BIN)/bench
	@if [ "$(BENCH_ISA)" = avx2 ]; then \
	  if $(BIN)/bench isa | grep -q 'kernels avx2 '; then echo "== BENCH_ISA=avx2: the native run above already used AVX2"; \
	  else echo "== BENCH_ISA=avx2: engine, conv and training again with ONEDNN_MAX_CPU_ISA=AVX2"; \
	    ONEDNN_MAX_CPU_ISA=AVX2 $(BIN)/bench engine conv training; fi; \
	elif [ -n "$(BENCH_ISA)" ]; then echo "BENCH_ISA must be avx2 or empty, not $(BENCH_ISA)"; exit 64; fi

# The main job: a β sweep on Fashion-MNIST (mlp, Z = 10, 10 epochs per run, β ∈ {0.1, 1, 4, 10}),
# a report per run and their comparison; ends with the path of the comparison page.
DEMO_ARGS ?= --betas 0.1,1,4,10 --dataset fashion-mnist --model mlp --latent 10 --epochs 10 --iwae-samples 200 --out runs/demo
demo: build
	$(BIN)/betavae sweep $(DEMO_ARGS)

# Every figure kind of the Plot module, drawn from synthetic data into gallery/.
gallery: setup
	$(RELEASE) --product gallery
	$(BIN)/gallery gallery

# libFuzzer on every reader of outside input (Fuzz/README.md): builds into .build-fuzz, runs each
# target FUZZ_SECONDS (FUZZ_TARGETS="npy png" for some), prints a summary, fails on any finding.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
fuzz: setup
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_TARGETS="$(FUZZ_TARGETS)" Fuzz/run.sh

clean:
	rm -rf .build
