# Thin wrapper around Meson/Ninja so the usual verbs work: make, make test, make demo, make bench.
# `make` installs missing Debian packages first (scripts/deps.sh).

BUILD ?= build
SANITIZE ?= 0
MESON_OPTS ?=
ifeq ($(SANITIZE),1)
  BUILD := build-sanitize
  MESON_OPTS += -Db_sanitize=address,undefined -Db_lundef=false
endif

.PHONY: all deps build test demo bench help clean

all: build

deps:
	@bash scripts/deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

test: build
	BUILD=$(BUILD) SANITIZE=$(SANITIZE) bash tests/run.sh

demo: build
	BUILD=$(BUILD) bash scripts/demo.sh

bench: build
	BUILD=$(BUILD) bash bench/run.sh

help:
	@echo "make            build $(BUILD)/vm (installs missing Debian packages first)"
	@echo "make test       run every test; ends with 'N passed, N failed'"
	@echo "make test SANITIZE=1  the same under ASan+UBSan (in build-sanitize/)"
	@echo "make demo       run a guest program of every ISA that works so far"
	@echo "make bench      time real workloads under vm, qemu-user and natively"
	@echo "make clean      remove build directories"

clean:
	rm -rf build build-sanitize
