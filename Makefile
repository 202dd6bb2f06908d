# virtio-ep: the one entry point. `make help` lists the targets.
#
#   make run    install what is missing, build, run the default co-simulation (lockstep)
#   make test   the regression, as CI runs it
#   make lint   Verilator -Wall and a Yosys elaboration check of rtl/
#   make coverage / fuzz / waves   the verification kit (mk/*.mk, `make help`)
#
# Everything is built under $(BUILD)/, which git ignores.

SHELL := /bin/bash
.DEFAULT_GOAL := help

BUILD     ?= build
VERILATOR ?= verilator
YOSYS     ?= yosys
# make's built-in CC is `cc`; say gcc explicitly unless the user overrides it on the command line.
CC        := $(if $(filter default,$(origin CC)),gcc,$(CC))
CXX       := $(if $(filter default,$(origin CXX)),g++,$(CXX))
JOBS      ?= 2

# ---- Endpoint parameters the RTL is Verilated with (the C model takes them at run time) ----
DATA_W         ?= 64
NUM_QUEUES     ?= 4
QUEUE_SIZE_MAX ?= 256
MSIX_VECTORS   ?= 8
DMA_TAGS       ?= 32
DEVICE_ID      ?= 2
BLK_SEG_MAX    ?= 64
BLK_SIZE       ?= 512
RTL_PARAMS := DATA_W NUM_QUEUES QUEUE_SIZE_MAX MSIX_VECTORS DMA_TAGS DEVICE_ID BLK_SEG_MAX BLK_SIZE

# ---- Sources ----
RTL_PKG  := rtl/vep_pkg.sv
RTL_SRCS := $(RTL_PKG) $(filter-out $(RTL_PKG),$(sort $(wildcard rtl/*.sv)))
LIB_SRCS := $(sort $(wildcard cmodel/*.c cosim/*.c driver/*.c))
TB_SRCS  := $(sort $(filter-out tb/consts/%,$(wildcard tb/*.c tb/*/*.c)))
MODEL_SRCS := $(sort $(wildcard cmodel/*.c))

# ---- C flags: one per line, with its reason where it is not obvious ----
CSTD     := -std=c11
CWARN    := -Wall -Wextra -Werror
CINC     := -Iinclude -Icmodel -Icosim -Idriver -Itb
# header dependencies, so edits rebuild what they touch
CDEPS    := -MMD -MP
# -O3: the C model and the bus model simulate about 12% faster than at -O2 (docs/perf.md)
COPT     ?= -O3 -g
CFLAGS_ALL := $(CSTD) $(CWARN) $(CINC) $(CDEPS) $(COPT) -D_POSIX_C_SOURCE=200809L
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# ---- Verilated RTL ----
VRTL_DIR   := $(BUILD)/vrtl
VRTL_LIB   := $(VRTL_DIR)/Vvep_top__ALL.a
VRTL_RT    := $(VRTL_DIR)/verilated.o $(VRTL_DIR)/verilated_threads.o $(VRTL_DIR)/verilated_fst_c.o
VINC       := /usr/share/verilator/include
VFLAGS     := --cc                          # C++ model, linked into the C harness via a shim
VFLAGS     += --trace-fst                   # waveforms on demand (--trace FILE)
VFLAGS     += --prefix Vvep_top
VFLAGS     += --top-module vep_top
VFLAGS     += -Wall                         # the RTL is kept lint-clean
VFLAGS     += -O3 --x-assign 0 --x-initial 0  # deterministic: no random X resolution
VFLAGS     += $(foreach p,$(RTL_PARAMS),-G$(p)=$($(p)))
SHIM_DEFS  := $(foreach p,$(RTL_PARAMS),-DVEP_RTL_$(p)=$($(p)))
CXXFLAGS_SHIM := -std=c++17 -O2 -g -Wall -Wextra -Werror $(CINC) -I$(VINC) -I$(VINC)/vltstd \
                 -I$(VRTL_DIR) -DVM_TRACE=1 -DVM_TRACE_FST=1 $(SHIM_DEFS) -MMD -MP
LDLIBS_V   := -pthread -latomic -lz

# ---- Objects ----
obj = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))
OBJS      := $(call obj,obj,$(LIB_SRCS) $(TB_SRCS))
BUG_OBJS  := $(call obj,obj-bug,$(MODEL_SRCS)) \
             $(filter-out $(call obj,obj,$(MODEL_SRCS)),$(OBJS))
ASAN_OBJS := $(call obj,obj-asan,$(LIB_SRCS) $(TB_SRCS))
SHIM_OBJ  := $(BUILD)/obj/cosim/cosim_rtl_shim.o
SHIM_SRC  := $(wildcard cosim/cosim_rtl_shim.cpp)

DEPS_STAMP := $(BUILD)/.deps-installed

.PHONY: help deps build run test lint lint-verilator lint-yosys clean
help:
	@echo "make run     build, then the default co-simulation (lockstep, RTL vs C model)"
	@echo "make test    the regression (lockstep, rtl, cmodel, ASan/UBSan, valgrind, waves checks, lockstep self-test)"
	@echo "make lint    verilator --lint-only -Wall at DATA_W 64, 128, 256; Yosys elaboration at all three, proc and check at DATA_W"
	@echo "make build   build $(BUILD)/vepsim and its variants"
	@echo "make coverage  RTL line/toggle + C gcov + functional coverage, HTML report (docs/coverage.md)"
	@echo "make fuzz FUZZ_SECONDS=N  libFuzzer on the C model + lockstep differential fuzzer (docs/fuzzing.md)"
	@echo "make waves TEST=name [BLOCK=dma]  run one test with an FST and open it in GTKWave (docs/waves.md)"
	@echo "make bench   performance figures in cycles, build/bench/results.json (docs/perf.md)"
	@echo "make synth   Yosys generic + synth_xilinx area and logic levels, build/synth/summary.json (docs/synth.md)"
	@echo "make clean   remove $(BUILD)/"
	@echo "RTL parameters (make VAR=value): $(foreach p,$(RTL_PARAMS),$(p)=$($(p)))"

# Installs the Debian packages the project needs when they are missing (needs root for apt-get).
deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/install-deps.sh
	@mkdir -p $(BUILD)
	scripts/install-deps.sh
	@touch $@

build: $(BUILD)/vepsim $(BUILD)/vepsim-bug $(BUILD)/vepsim-asan $(BUILD)/check_consts \
       $(BUILD)/junit-merge

run: $(BUILD)/vepsim
	$(BUILD)/vepsim --demo

# The other DATA_W values make test also runs (lockstep, in their builds below). Set before the
# rule: make expands a rule's prerequisites as it reads it.
WIDE_DATA_W ?= $(filter-out $(DATA_W),64 128 256)
test: build lint $(foreach w,$(WIDE_DATA_W),$(BUILD)/dw$(w)/vepsim)
	scripts/regress.sh $(BUILD) $(WIDE_DATA_W)

# ---- The same tree at the other DATA_W values ----
# The RTL is Verilated for one DATA_W, so each other width is a build of its own, in $(BUILD)/dwW
# (make BUILD=$(BUILD)/dwW DATA_W=W): make test runs the lockstep regression there, make bench
# takes that width's figures from it. About a minute each on 2 cores.
.PHONY: FORCE
FORCE:
$(BUILD)/dw%/vepsim: FORCE | $(DEPS_STAMP)
	$(MAKE) -s --no-print-directory BUILD=$(BUILD)/dw$* DATA_W=$* $@
$(BUILD)/dw%/vepbench: FORCE | $(DEPS_STAMP)
	$(MAKE) -s --no-print-directory BUILD=$(BUILD)/dw$* DATA_W=$* $@

# ---- Verilator ----
# The parameter values the RTL was Verilated with, rewritten only when they change: so that
# `make DATA_W=128` in a tree built at 64 Verilates again (and only then).
RTL_PARAM_STAMP  := $(BUILD)/.rtl-params
RTL_PARAM_VALUES := $(foreach p,$(RTL_PARAMS),$(p)=$($(p)))
# (Not under make -n, which must change nothing.)
ifeq ($(filter clean,$(MAKECMDGOALS))$(findstring n,$(firstword -$(MAKEFLAGS))),)
$(shell mkdir -p $(BUILD) && [ "$$(cat $(RTL_PARAM_STAMP) 2>/dev/null)" = "$(RTL_PARAM_VALUES)" ] \
        || echo "$(RTL_PARAM_VALUES)" > $(RTL_PARAM_STAMP))
endif
$(VRTL_LIB): $(RTL_SRCS) Makefile $(RTL_PARAM_STAMP) | $(DEPS_STAMP)
	@rm -rf $(VRTL_DIR)
	$(VERILATOR) $(VFLAGS) -Mdir $(VRTL_DIR) $(RTL_SRCS)
	$(MAKE) -s -C $(VRTL_DIR) -f Vvep_top.mk OPT_FAST=-O2 OPT_SLOW=-O1 -j $(JOBS) \
	  Vvep_top__ALL.a verilated.o verilated_threads.o verilated_fst_c.o
$(VRTL_RT): $(VRTL_LIB)

$(SHIM_OBJ): $(SHIM_SRC) $(VRTL_LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS_SHIM) -c $< -o $@

# ---- C objects: normal, with the model's deliberate bug, and sanitized ----
$(BUILD)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@
$(BUILD)/obj-bug/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -DVEP_MODEL_INJECT_BUG -c $< -o $@
$(BUILD)/obj-asan/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(SANITIZE) -c $< -o $@

VLINK = $(VRTL_LIB) $(VRTL_RT) $(LDLIBS_V)
$(BUILD)/vepsim: $(OBJS) $(SHIM_OBJ) $(VRTL_LIB)
	$(CXX) -o $@ $(OBJS) $(SHIM_OBJ) $(VLINK)
$(BUILD)/vepsim-bug: $(BUG_OBJS) $(SHIM_OBJ) $(VRTL_LIB)
	$(CXX) -o $@ $(BUG_OBJS) $(SHIM_OBJ) $(VLINK)
$(BUILD)/vepsim-asan: $(ASAN_OBJS) $(SHIM_OBJ) $(VRTL_LIB)
	$(CXX) $(SANITIZE) -o $@ $(ASAN_OBJS) $(SHIM_OBJ) $(VLINK)
$(BUILD)/check_consts: tb/consts/check_consts.c include/vep_consts.h | $(DEPS_STAMP)
	$(CC) $(CFLAGS_ALL) -o $@ $<
# Merges the JUnit reports of a sharded run, refusing an incomplete set (tools/junit_merge.c).
$(BUILD)/junit-merge: tools/junit_merge.c | $(DEPS_STAMP)
	$(CC) $(CFLAGS_ALL) -o $@ $<

# ---- Lint: Verilator -Wall, then Yosys reads and elaborates rtl/ and converts every process
# (hierarchy -check, proc, check -assert: multiple drivers, logic loops, undriven wires). A full
# generic synthesis of the data path's buffers takes minutes: that is a synthesis job, not lint.
# The full check at the build's DATA_W (about 16 s); the other widths are elaborated only
# (verilator -Wall already lints all three): make lint stays well under a minute.
yosys_elab_script = read_verilog -sv $(RTL_SRCS); chparam -set DATA_W $(1) vep_top; \
                    hierarchy -check -top vep_top
yosys_lint_script = read_verilog -sv $(RTL_SRCS); chparam -set DATA_W $(1) vep_top; \
                     hierarchy -check -top vep_top; proc; opt_clean; check -assert; \
                     tee -o $(BUILD)/lint/stat_dw$(1).txt stat
lint: lint-verilator lint-yosys
lint-verilator: | $(DEPS_STAMP)
	$(foreach w,64 128 256,$(VERILATOR) --lint-only -Wall --top-module vep_top -GDATA_W=$(w) $(RTL_SRCS) &&) true
	@echo "verilator --lint-only -Wall: clean at DATA_W 64, 128 and 256"
lint-yosys: | $(DEPS_STAMP)
	@mkdir -p $(BUILD)/lint
	$(YOSYS) -q -l $(BUILD)/lint/yosys_dw$(DATA_W).log -p '$(call yosys_lint_script,$(DATA_W))' >/dev/null
	$(foreach w,$(filter-out $(DATA_W),64 128 256),$(YOSYS) -q -l $(BUILD)/lint/yosys_dw$(w).log -p '$(call yosys_elab_script,$(w))' >/dev/null &&) true
	@echo "yosys: check -assert clean at DATA_W $(DATA_W) ($$(sed -n '/design hierarchy/,$$p' $(BUILD)/lint/stat_dw$(DATA_W).txt | grep 'Number of cells' | tail -1 | tr -s ' ' | sed 's/^ //') before synthesis), elaborated at $(filter-out $(DATA_W),64 128 256)"

clean:
	rm -rf $(BUILD)

# Feature targets (coverage, fuzz, waves, ...) each live in a fragment of their own.
-include $(sort $(wildcard mk/*.mk))

-include $(OBJS:.o=.d) $(BUG_OBJS:.o=.d) $(ASAN_OBJS:.o=.d) $(SHIM_OBJ:.o=.d)
