# Fuzzing (docs/fuzzing.md): a libFuzzer harness on the C model and a differential fuzzer that
# runs random driver behaviour and ring corruption in lockstep, RTL against the C model.
#
#   make fuzz FUZZ_SECONDS=N [FUZZ_SEED=S|clock]   build both, run each for N/2 seconds, summarise; non-zero exit
#                              when either found something (inputs and repro commands under
#                              $(BUILD)/fuzz/)

FUZZ_SECONDS ?= 60
# The seed of both fuzzers: fixed by default, so that CI explores the same inputs first on every
# run and a finding is reproducible; FUZZ_SEED=clock draws one from the clock (printed).
FUZZ_SEED    ?= 1
FUZZ_CC      ?= clang
FUZZ_DIR     := $(BUILD)/fuzz
# libFuzzer's coverage instrumentation on every object; the fuzzer's main only at the link.
FUZZ_SAN     := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
                -fno-sanitize-recover=undefined
# The C model and the bus model without the Verilator adapter (fuzz_no_rtl.c stands in for it).
FUZZ_SRCS    := $(filter-out cosim/cosim_dut_rtl.c,$(sort $(wildcard cmodel/*.c cosim/*.c))) \
                fuzz/libfuzzer/fuzz_tlp.c fuzz/libfuzzer/fuzz_no_rtl.c
FUZZ_OBJS    := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(FUZZ_SRCS))
FUZZ_STAMP   := $(BUILD)/.deps-fuzz-installed

# The differential fuzzer: the normal objects (tb/ libraries included) without the regression
# runner's main and the demo that needs the runner's option helpers.
VEPFUZZ_SRCS := $(sort $(wildcard fuzz/diff/*.c))
VEPFUZZ_OBJS := $(call obj,obj,$(VEPFUZZ_SRCS)) \
                $(filter-out $(call obj,obj,tb/tb_main.c tb/demo/tb_demo.c),$(OBJS))

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_DIR)/fuzz_tlp $(BUILD)/vepfuzz

fuzz: fuzz-build
	fuzz/run-fuzz.sh $(BUILD) $(FUZZ_SECONDS) $(FUZZ_SEED)

$(FUZZ_STAMP): scripts/install-deps.sh
	@mkdir -p $(BUILD)
	scripts/install-deps.sh fuzz
	@touch $@

$(FUZZ_DIR)/obj/%.o: %.c | $(FUZZ_STAMP)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CFLAGS_ALL) $(FUZZ_SAN) -c $< -o $@

$(FUZZ_DIR)/fuzz_tlp: $(FUZZ_OBJS)
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $(FUZZ_OBJS)

$(BUILD)/vepfuzz: $(VEPFUZZ_OBJS) $(SHIM_OBJ) $(VRTL_LIB)
	$(CXX) -o $@ $(VEPFUZZ_OBJS) $(SHIM_OBJ) $(VLINK)

-include $(FUZZ_OBJS:.o=.d) $(call obj,obj,$(VEPFUZZ_SRCS:.c=.d))
