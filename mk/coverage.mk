# `make coverage`: the RTL Verilated with line and toggle coverage, the C code compiled with gcov
# instrumentation, the regression's coverage stages run on that build, one lcov HTML report.
# scripts/coverage.sh runs the stages and merges; docs/coverage.md says what is measured.
#
# Everything lives apart from the normal build (its own Verilated model, objects and binary), so
# the instrumented build never mixes with build/vepsim.

COV_VRTL_DIR := $(BUILD)/cov/vrtl
COV_VRTL_LIB := $(COV_VRTL_DIR)/Vvep_top__ALL.a
# verilated_cov.o: the runtime that counts and writes the coverage points
COV_VRTL_RT  := $(COV_VRTL_DIR)/verilated.o $(COV_VRTL_DIR)/verilated_threads.o \
                $(COV_VRTL_DIR)/verilated_fst_c.o $(COV_VRTL_DIR)/verilated_cov.o
COV_VFLAGS   := $(VFLAGS) --coverage-line --coverage-toggle
# -O0: gcov's line counts follow the source only without optimisation
COV_CFLAGS   := $(filter-out -O%,$(CFLAGS_ALL)) -O0 --coverage
COV_OBJS     := $(call obj,obj-cov,$(LIB_SRCS) $(TB_SRCS))
COV_SHIM_OBJ := $(BUILD)/obj-cov/cosim/cosim_rtl_shim.o
# The shim sees the coverage model's headers, writes its counters at exit (VEP_COVERAGE), and
# Verilator's headers compile their coverage support (VM_COVERAGE).
COV_CXXFLAGS := $(subst -I$(VRTL_DIR),-I$(COV_VRTL_DIR),$(CXXFLAGS_SHIM)) \
                -DVM_COVERAGE=1 -DVEP_COVERAGE
COV_STAMP    := $(BUILD)/.deps-coverage-installed

.PHONY: coverage coverage-build
coverage: coverage-build
	JOBS=$(JOBS) scripts/coverage.sh $(BUILD)
coverage-build: $(BUILD)/vepsim-cov

# lcov/genhtml come with the `coverage` group of install-deps.sh.
$(COV_STAMP): scripts/install-deps.sh
	@mkdir -p $(BUILD)
	scripts/install-deps.sh coverage
	@touch $@

# OPT_SLOW=-O0: the run-once code registers every coverage point in one function of ~20000
# calls, which takes gcc minutes to optimise and runs in milliseconds either way.
$(COV_VRTL_LIB): $(RTL_SRCS) Makefile mk/coverage.mk | $(DEPS_STAMP) $(COV_STAMP)
	@rm -rf $(COV_VRTL_DIR) && mkdir -p $(COV_VRTL_DIR)
	$(VERILATOR) $(COV_VFLAGS) -Mdir $(COV_VRTL_DIR) $(RTL_SRCS)
	$(MAKE) -s -C $(COV_VRTL_DIR) -f Vvep_top.mk OPT_FAST=-O2 OPT_SLOW=-O0 -j $(JOBS) \
	  Vvep_top__ALL.a $(notdir $(COV_VRTL_RT))
$(COV_VRTL_RT): $(COV_VRTL_LIB)

$(COV_SHIM_OBJ): $(SHIM_SRC) $(COV_VRTL_LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(COV_CXXFLAGS) -c $< -o $@

$(BUILD)/obj-cov/%.o: %.c | $(DEPS_STAMP) $(COV_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(COV_CFLAGS) -c $< -o $@

$(BUILD)/vepsim-cov: $(COV_OBJS) $(COV_SHIM_OBJ) $(COV_VRTL_LIB)
	$(CXX) --coverage -o $@ $(COV_OBJS) $(COV_SHIM_OBJ) $(COV_VRTL_LIB) $(COV_VRTL_RT) $(LDLIBS_V)

-include $(COV_OBJS:.o=.d) $(COV_SHIM_OBJ:.o=.d)
