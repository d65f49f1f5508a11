# Thin wrapper around Meson/Ninja so the usual verbs work: make, make test, make demo, make bench.
# `make` installs missing Debian packages first (scripts/deps.sh).

BUILD ?= build
SANITIZE ?= 0
MESON_OPTS ?=
# HOST=aarch64 or HOST=riscv64: vm cross-built for that host ISA (scripts/cross/<isa>.ini) in
# build-<isa>/, with the optional libraries that ISA has installed.
HOST ?=
ifneq ($(HOST),)
  BUILD := build-$(HOST)
  MESON_OPTS += --cross-file scripts/cross/$(HOST).ini
endif
ifeq ($(SANITIZE),1)
  BUILD := build-sanitize
  MESON_OPTS += -Db_sanitize=address,undefined -Db_lundef=false
endif

.PHONY: all deps build test test-kvm-linux demo bench fuzz fuzz-aarch64 fuzz-riscv64 fuzz-x86_64 fuzz-x86_64-sse fuzz-x86_64-x87 help clean

all: build

deps:
	@bash scripts/deps.sh

# After deps, also under make -j: meson itself may be what deps installs.
$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) $(MESON_OPTS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

test: build
	BUILD=$(BUILD) SANITIZE=$(SANITIZE) bash tests/run.sh

# Debian's amd64 kernel and a busybox initramfs under vm boot --accel=kvm (tests/kvm-linux): not
# part of make test, since it takes hours under nested KVM.
test-kvm-linux: build
	VM_BIN=$(CURDIR)/$(BUILD)/vm bash tests/kvm-linux/run.sh $(BUILD)/kvm-linux

# Every harness of tests/fuzz for SECONDS in all (default 600), seeds from SEED (default: the
# time) on.
fuzz: build
	SECONDS_BUDGET=$(or $(SECONDS),600) SEED=$(or $(SEED),$$(date +%s)) BUILD=$(BUILD) bash tests/fuzz/run.sh $(BUILD)

# Differential fuzzing of the AArch64 and RISC-V translators against Unicorn: SEED (default:
# the time) and N sequences (default 200000).
fuzz-aarch64: build
	A64_DIFF_SEED=$${SEED:-$$(date +%s)} A64_DIFF_SEQUENCES=$${N:-200000} $(BUILD)/tests/diff/a64_diff

fuzz-riscv64: build
	RV64_DIFF_SEED=$${SEED:-$$(date +%s)} RV64_DIFF_SEQUENCES=$${N:-200000} $(BUILD)/tests/diff/rv64_diff

# The x86-64 translator against the host CPU (x86-64 hosts): SEED (default: the time) and N
# sequences (default 100000).
fuzz-x86_64: build
	X64_DIFF_SEED=$${SEED:-$$(date +%s)} X64_DIFF_SEQUENCES=$${N:-100000} $(BUILD)/tests/diff/x64_diff

# The x86-64 SSE families against the host CPU: SEED (default: the time) and N single-instruction
# cases (default 200000).
fuzz-x86_64-sse: build
	X64_SSE_DIFF_SEED=$${SEED:-$$(date +%s)} X64_SSE_DIFF_CASES=$${N:-200000} $(BUILD)/tests/diff/x64_sse_diff

# The x86-64 x87 and MMX families against the host CPU: SEED (default: the time) and N
# sequences of one to four instructions (default 100000).
fuzz-x86_64-x87: build
	X64_X87_DIFF_SEED=$${SEED:-$$(date +%s)} X64_X87_DIFF_CASES=$${N:-100000} $(BUILD)/tests/diff/x64_x87_diff

demo: build
	BUILD=$(BUILD) bash scripts/demo.sh

bench: build
	BUILD=$(BUILD) bash bench/run.sh
	BUILD=$(BUILD) bash bench/system.sh
	BUILD=$(BUILD) bash bench/kvm.sh
	BUILD=$(BUILD) bash bench/tcache.sh

help:
	@echo "make            build $(BUILD)/vm (installs missing Debian packages first)"
	@echo "make test       run every test; ends with 'N passed, N failed'"
	@echo "make test-kvm-linux  boot Debian's amd64 kernel to a busybox init under --accel=kvm"
	@echo "                (not in make test: hours under nested KVM; KVM_LINUX_TIMEOUT=seconds)"
	@echo "make HOST=aarch64  vm for AArch64 hosts in build-aarch64/ (cross-built; also HOST=riscv64)"
	@echo "make test SANITIZE=1  the same under ASan+UBSan (in build-sanitize/)"
	@echo "make demo       run a guest program of every ISA that works so far"
	@echo "make bench      time real workloads (Lua, SQLite's speedtest1, xz) under vm"
	@echo "                (interp, T1, T2), qemu-user and natively, per guest ISA, and a"
	@echo "                bare-metal program and Linux (boot, CPU-bound work) under vm boot and"
	@echo "                qemu-system-riscv64, and vm boot --accel=kvm's start-up"
	@echo "                time and own memory (bench/kvm.sh), and the cold and warm start"
	@echo "                of Debian's arm64 python3 with --tcache (bench/tcache.sh)"
	@echo "make fuzz [SECONDS=n SEED=n]  every fuzzing harness (tests/fuzz) for SECONDS (default 600)"
	@echo "make fuzz-aarch64 [SEED=n N=count]  AArch64 translator vs Unicorn on random code"
	@echo "make fuzz-riscv64 [SEED=n N=count]  RV64GC translator vs Unicorn on random code"
	@echo "make fuzz-x86_64 [SEED=n N=count]   x86-64 translator vs the host CPU on random code"
	@echo "make fuzz-x86_64-sse [SEED=n N=count]  x86-64 SSE translation vs the host CPU"
	@echo "make fuzz-x86_64-x87 [SEED=n N=count]  x86-64 x87 and MMX translation vs the host CPU"
	@echo "make clean      remove build directories"

clean:
	rm -rf build build-sanitize build-aarch64 build-riscv64
