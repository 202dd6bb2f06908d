# Performance figures (docs/perf.md): the blk workloads on the RTL at every link latency and
# supported DATA_W, the simulator speeds of the three DUTs, and the resident memory of a
# lockstep stress run; a table on stdout and $(BUILD)/bench/results.json.
#
#   make bench                        everything (a few minutes on 2 cores)
#   make bench BENCH=name,...         only these figures, e.g. BENCH=doorbell_to_first_read_cycles
#   make bench BENCH_LATENCIES=100    other link latencies (cycles each way)

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

bench: bench-build
	@mkdir -p $(BENCH_DIR)
	$(BUILD)/vepbench --out $(BENCH_DIR)/results.json --vepsim $(BUILD)/vepsim \
	  --latencies $(BENCH_LATENCIES) --data-w $(BENCH_DATA_W) --seed $(BENCH_SEED) \
	  $(if $(BENCH),--only $(BENCH))

$(BUILD)/vepbench: $(VEPBENCH_OBJS) $(SHIM_OBJ) $(VRTL_LIB)
	$(CXX) -o $@ $(VEPBENCH_OBJS) $(SHIM_OBJ) $(VLINK) -lm

-include $(call obj,obj,$(VEPBENCH_SRCS:.c=.d))
