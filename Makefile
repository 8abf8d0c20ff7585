# otaflow: the front door. Every target installs what is missing first (make deps).
BUILD    ?= build
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?= -DOTA_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug

.PHONY: all deps build test cross-check footprint demo clean

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

cross-check: deps
	bash scripts/cross-check.sh

footprint: deps
	bash scripts/footprint.sh

# The build's output goes to a log so the demo reads as a story; it is shown if the build fails.
demo: deps
	@echo "== 0. Building otaflow (log: $(BUILD)/build.log)"
	@{ [ -f $(BUILD)/CMakeCache.txt ] || cmake -S . -B $(BUILD) $(CMAKE_FLAGS); } > $(BUILD).log 2>&1 \
	  && cmake --build $(BUILD) -j $(JOBS) >> $(BUILD).log 2>&1 \
	  || { tail -40 $(BUILD).log; exit 1; }
	@mv -f $(BUILD).log $(BUILD)/build.log
	@bash scripts/demo.sh

clean:
	rm -rf $(BUILD)
