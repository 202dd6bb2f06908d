# Performance figures (docs/perf.md): the blk workloads on the RTL at every link latency and
# supported DATA_W, the simulator speeds of the three DUTs, and the resident memory of a
# lockstep stress run; a table on stdout and $(BUILD)/bench/results.json.
#
#   make bench                        everything (a few minutes on 2 cores)
#   make bench BENCH=name,...         only these figures, e.g. BENCH=doorbell_to_first_read_cycles
#   make bench BENCH_LATENCIES=100    other link latencies (cycles each way)
#   make bench BENCH_DATA_W=128       other DATA_W values (each from its own build)

BENCH           ?=
BENCH_LATENCIES ?= 0,100,500
BENCH_DATA_W    ?= 64,128,256
BENCH_SEED      ?= 1
BENCH_DIR       := $(BUILD)/bench

# The normal objects (tb/ libraries included) without the regression runner's main and the demo
# that needs the runner's option helpers, as vepfuzz is linked (mk/fuzz.mk).
VEPBENCH_SRCS := $(sort $(wildcard bench/*.c))
VEPBENCH_OBJS := $(call obj,obj,$(VEPBENCH_SRCS)) \
                 $(filter-out $(call obj,obj,tb/tb_main.c tb/demo/tb_demo.c),$(OBJS))

.PHONY: bench bench-build
bench-build: $(BUILD)/vepbench $(BUILD)/vepsim

# Each DATA_W of the list runs in the build Verilated for it ($(BUILD) for DATA_W, $(BUILD)/dwW for
# the others, see the Makefile): the first writes results.json, the others append to it.
comma := ,
BENCH_WIDTHS := $(subst $(comma), ,$(BENCH_DATA_W))
bench_build   = $(if $(filter $(1),$(DATA_W)),$(BUILD),$(BUILD)/dw$(1))
bench: bench-build $(foreach w,$(filter-out $(DATA_W),$(BENCH_WIDTHS)),$(BUILD)/dw$(w)/vepbench $(BUILD)/dw$(w)/vepsim)
	@mkdir -p $(BENCH_DIR)
	$(foreach w,$(BENCH_WIDTHS),$(call bench_build,$(w))/vepbench --out $(BENCH_DIR)/results.json \
	  --vepsim $(call bench_build,$(w))/vepsim --latencies $(BENCH_LATENCIES) --data-w $(w) \
	  --seed $(BENCH_SEED) $(if $(BENCH),--only $(BENCH)) $(if $(filter-out $(firstword $(BENCH_WIDTHS)),$(w)),--append) &&) true

$(BUILD)/vepbench: $(VEPBENCH_OBJS) $(SHIM_OBJ) $(VRTL_LIB)
	$(CXX) -o $@ $(VEPBENCH_OBJS) $(SHIM_OBJ) $(VLINK) -lm

-include $(call obj,obj,$(VEPBENCH_SRCS:.c=.d))
