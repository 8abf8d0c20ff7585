# otaflow: the front door. Every target installs what is missing first (make deps).
BUILD    ?= build
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?= -DOTA_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug

.PHONY: all deps build test powercut cross-check footprint demo clean

all: build

deps:
	@bash scripts/deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# The whole suite (unit, tool, integration, cross-compile check) under ASan+UBSan.
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The full power-cut sweep (docs/reliability.md): every scenario x store geometry x image size
# x cut point x mode, double faults; tens of minutes. Optimised, without sanitizers (make test
# runs the reduced sweep under ASan+UBSan).
powercut: deps
	cmake -S . -B $(BUILD)-powercut -DOTA_SANITIZE=OFF -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD)-powercut -j $(JOBS) --target powercut_sweep
	$(BUILD)-powercut/tests/powercut_sweep --full --jobs $(JOBS)

cross-check: deps
	bash scripts/cross-check.sh

footprint: deps
	bash scripts/footprint.sh

demo: build
	@bash scripts/demo.sh

clean:
	rm -rf $(BUILD)
