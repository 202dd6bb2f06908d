# Waveforms (docs/waves.md).
#
#   make waves TEST=name [BLOCK=dma] [WINDOW=FROM:TO] [ARGS='--seed 5']
#       run one test on the RTL with an FST of it, $(BUILD)/waves/NAME.fst, and open gtkwave with
#       waves/BLOCK.gtkw (default overview); without a display, print the command instead
#   make wave-picture   re-render docs/img/wave-cfg-read.png (a configuration read) headlessly
#   make check-waves    every signal of waves/*.gtkw exists in a real FST; the automatic
#                       waveform of a lockstep mismatch covers the mismatch

WAVES_STAMP := $(BUILD)/.deps-waves-installed
# The picture in docs/waves.md: cfg_header's first configuration read (CfgRd0 at cycles 16-17,
# CplD at 23-24), traced over cycles 10..40 and shown over 15..26, the marker on the edge that
# takes the request's first beat.
WAVE_PIC_TEST   := cfg_header
WAVE_PIC_TRACE  := 10:40
WAVE_PIC_VIEW   := 15 26 16
WAVE_PIC_GTKW   := waves/doc_cfg_read.gtkw
WAVE_PIC_PNG    := docs/img/wave-cfg-read.png

.PHONY: waves wave-picture check-waves
waves: $(BUILD)/vepsim | $(WAVES_STAMP)
	scripts/waves.sh $(BUILD) '$(TEST)' '$(BLOCK)' '$(WINDOW)' '$(ARGS)'

wave-picture: $(BUILD)/vepsim | $(WAVES_STAMP)
	@mkdir -p $(BUILD)/waves $(dir $(WAVE_PIC_PNG))
	$(BUILD)/vepsim --dut rtl --test $(WAVE_PIC_TEST) --trace $(BUILD)/waves/picture.fst \
	  --trace-window $(WAVE_PIC_TRACE)
	scripts/render-wave.sh $(BUILD)/waves/picture.fst $(WAVE_PIC_GTKW) $(WAVE_PIC_PNG) \
	  $(WAVE_PIC_VIEW)

check-waves: $(BUILD)/vepsim $(BUILD)/vepsim-bug | $(WAVES_STAMP)
	tb/waves/check_gtkw.sh $(BUILD)
	tb/waves/check_mismatch_window.sh $(BUILD)

# gtkwave (and fst2vcd), Xvfb, xwd, ImageMagick: the `waves` group of install-deps.sh.
$(WAVES_STAMP): scripts/install-deps.sh
	@mkdir -p $(BUILD)
	scripts/install-deps.sh waves
	@touch $@
