# Synthesis figures (docs/synth.md).
#
#   make synth   Yosys on vep_top for each DATA_W in SYNTH_DATA_W (NUM_QUEUES=SYNTH_NUM_QUEUES,
#                DMA_TAGS=SYNTH_DMA_TAGS, every other parameter as the Makefile sets it): the
#                flows of SYNTH_FLOWS, reports under $(BUILD)/synth/<config>/, the figures in
#                $(BUILD)/synth/summary.json and summary.txt
#
# DATA_W 256 synthesises too (make synth SYNTH_DATA_W=256); it is not in the default list to keep
# make synth at about a quarter of an hour on 2 cores.

SYNTH_DIR        := $(BUILD)/synth
SYNTH_DATA_W     ?= 64 128
SYNTH_NUM_QUEUES ?= 4
SYNTH_DMA_TAGS   ?= 32
# xilinx: synth_xilinx xc7; generic: synth with memories kept as RAM cells; generic_flops: the
# unmodified synth, memories as flip-flops (minutes: add it on request)
SYNTH_FLOWS      ?= xilinx generic
SYNTH_BASE       := $(foreach p,$(RTL_PARAMS),$(p)=$($(p)))
# One word per configuration: its name, then the parameters it sets (synth/run-synth.sh).
synth_name        = dw$(1)_q$(SYNTH_NUM_QUEUES)_t$(SYNTH_DMA_TAGS)
synth_set         = DATA_W=$(1),NUM_QUEUES=$(SYNTH_NUM_QUEUES),DMA_TAGS=$(SYNTH_DMA_TAGS)
SYNTH_CONFIGS    := $(foreach w,$(SYNTH_DATA_W),$(call synth_name,$(w)):$(call synth_set,$(w)))

.PHONY: synth
synth: | $(DEPS_STAMP)
	synth/run-synth.sh '$(YOSYS)' '$(SYNTH_DIR)' '$(SYNTH_BASE)' '$(SYNTH_CONFIGS)' \
	  '$(SYNTH_FLOWS)' $(RTL_SRCS)
