# SPDX-License-Identifier: Apache-2.0
# otaflow: the front door. Every target installs what is missing first (make deps).
BUILD    ?= build
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?= -DOTA_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug

.PHONY: all deps build test powercut cross-check footprint demo clean coverage mutation firmware qemu-demo bench install fleet

all: build

deps:
	@bash scripts/deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# The firmware of the emulated Cortex-M4 board (QEMU mps2-an386), its own CMake project
# cross-compiled with arm-none-eabi-gcc into $(BUILD)/firmware (docs/firmware.md).
# mbedTLS and lwIP for the target come from Debian's source packages (unpacked
# once, then reused).
# FW_CRYPTO=bearssl links the core with the BearSSL backend instead, into $(BUILD)/firmware-bearssl.
FW_CRYPTO ?= mbedtls
FW_BUILD = $(BUILD)/firmware$(if $(filter bearssl,$(FW_CRYPTO)),-bearssl)
firmware: deps
	@for p in mbedtls bearssl lwip; do bash scripts/debian_source.sh $$p $(BUILD)/debian-src >/dev/null; done
	cmake -S firmware -B $(FW_BUILD) -DCMAKE_TOOLCHAIN_FILE=$(CURDIR)/cmake/toolchain-arm-none-eabi.cmake \
	  -DOTA_DEBIAN_SRC=$(abspath $(BUILD))/debian-src -DOTA_FW_CRYPTO=$(FW_CRYPTO)
	cmake --build $(FW_BUILD) -j $(JOBS)

# The whole suite (unit, tool, integration, cross-compile check) under ASan+UBSan; the
# firmware first, which the QEMU engine's tests run.
test: build firmware
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The full power-cut sweep (docs/reliability.md): every scenario x store geometry x image size
# x cut point x mode, double faults; tens of minutes. Optimised, without sanitizers (make test
# runs the reduced sweep under ASan+UBSan).
powercut: deps
	cmake -S . -B $(BUILD)-powercut -DOTA_SANITIZE=OFF -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD)-powercut -j $(JOBS) --target powercut_sweep test_store_files
	@echo "powercut: commit $$(bash scripts/tree_revision.sh)"
	$(BUILD)-powercut/tests/powercut_sweep --full --jobs $(JOBS)
	OTA_FILE_SWEEP_BYTES=61440 $(BUILD)-powercut/tests/test_store_files

# Line and branch coverage of src/ by the suite, in its own build (build-coverage); fails
# below 95 % lines / 90 % branches (scripts/coverage.sh, docs/reliability.md).
coverage: deps
	COVERAGE_BUILD=$(BUILD)-coverage JOBS=$(JOBS) bash scripts/coverage.sh

# Mutation check: each deliberate bug of tests/mutation/run_mutants.py, in a copy of the tree
# (build-mutation), must make the suite fail; exits non-zero if one survives. Not in make test.
mutation: deps
	python3 tests/mutation/run_mutants.py --work $(BUILD)-mutation --jobs $(JOBS)

cross-check: deps
	bash scripts/cross-check.sh

# docs/footprint.md: the linked firmware images (both crypto backends), the bootloader's
# measured stack and heap on QEMU, and the core's objects (scripts/footprint.sh).
footprint: build
	$(MAKE) firmware FW_CRYPTO=mbedtls
	$(MAKE) firmware FW_CRYPTO=bearssl
	BUILD=$(abspath $(BUILD)) bash scripts/footprint.sh

# The build's output goes to a log so the demo reads as a story; it is shown if the build fails.
# Only the three programs the demo runs are built (not the test suite).
DEMO_TARGETS = otaflow-image otaflow-board otaflow-example-app
demo: deps
	@echo "== 0. Building otaflow (log: $(BUILD)/build.log)"
	@{ [ -f $(BUILD)/CMakeCache.txt ] || cmake -S . -B $(BUILD) $(CMAKE_FLAGS); } > $(BUILD).log 2>&1 \
	  && cmake --build $(BUILD) -j $(JOBS) --target $(DEMO_TARGETS) >> $(BUILD).log 2>&1 \
	  || { tail -40 $(BUILD).log; exit 1; }
	@mv -f $(BUILD).log $(BUILD)/build.log
	@bash scripts/demo.sh

# docs/performance.md: otaflow against references in the same run (bench/run.sh), on the
# Release tree BUILD/release that make test's config_release_build also builds. RUNS=5.
bench: deps
	cmake -S . -B $(BUILD)/release -DOTA_SANITIZE=OFF -DCMAKE_BUILD_TYPE=Release > /dev/null
	cmake --build $(BUILD)/release -j $(JOBS) --target otaflow-image bench_agent bench_update
	OTA_RELEASE_DIR=$(abspath $(BUILD))/release bash bench/run.sh

# docs/fleet.md and docs/fleet/fleet.png: FLEET_DEVICES (10,000) agents in one process against
# nginx on 127.0.0.1 (bench/fleet, bench/fleet.sh), on the Release tree BUILD/release. Not part
# of make test (ctest fleet_small runs 200 devices).
fleet: deps
	@start=$$(date +%s.%N) && \
	  cmake -S . -B $(BUILD)/release -DOTA_SANITIZE=OFF -DCMAKE_BUILD_TYPE=Release > /dev/null && \
	  cmake --build $(BUILD)/release -j $(JOBS) --target fleet_sim && \
	  OTA_FLEET_START=$$start OTA_RELEASE_DIR=$(abspath $(BUILD))/release bash bench/fleet.sh

# make demo's story on the emulated Cortex-M4: the firmware on QEMU's mps2-an386 (the board's
# QEMU engine, docs/board.md), updating itself from a server on loopback.
qemu-demo: build firmware
	@bash scripts/qemu_demo.sh

# Install otaflow for other builds (docs/integration.md): headers, static libraries, the host
# tools, the CMake package and otaflow.pc under PREFIX; built in $(BUILD)-install without the
# test suite and so without sanitizers.
PREFIX ?= /usr/local
install: deps
	cmake -S . -B $(BUILD)-install -DOTA_BUILD_TESTS=OFF -DCMAKE_INSTALL_PREFIX=$(PREFIX)
	cmake --build $(BUILD)-install -j $(JOBS)
	cmake --install $(BUILD)-install

clean:
	rm -rf $(BUILD)

# --- fuzzing (issue 7; section owned by the fuzz work) --------------------------------------
# make fuzz: every target of tests/fuzz for FUZZ_SECONDS each, FUZZ_JOBS at a time; new
# coverage is merged into tests/fuzz/corpus/<target>/, one summary line per target goes to
# FUZZ_LOG. make test replays the corpora (ctest tests fuzz_<target>).
FUZZ_BUILD   ?= $(BUILD)/fuzz
FUZZ_SECONDS ?= 600
FUZZ_JOBS    ?= $(JOBS)
FUZZ_LOG     ?= $(FUZZ_BUILD)/fuzz-summary.log
FUZZ_ENV = OTA_FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) FUZZ_LOG=$(FUZZ_LOG)

.PHONY: fuzz fuzz-build fuzz-seeds

fuzz-build: deps
	$(FUZZ_ENV) bash scripts/fuzz.sh build

fuzz: fuzz-build
	$(FUZZ_ENV) bash scripts/fuzz.sh all

fuzz-seeds: fuzz-build
	$(FUZZ_ENV) bash scripts/fuzz.sh seeds
# --- end of fuzzing section ------------------------------------------------------------------
