// SPDX-License-Identifier: Apache-2.0
// The thin C++ shim over the Verilated vep_top: the only C++ in the project. It owns the
// VerilatedContext (no file-scope statics, so several models can live in one process), switches
// FST tracing on when asked, and calls final() before deleting the model.
#include "cosim_rtl_shim.h"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <new>

// Verilator 5.006's runtime headers have unused parameters (verilated_types.h, VlClass): waive
// that one warning for them only, so the shim itself still builds with -Wall -Wextra -Werror.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "Vvep_top.h"
#include "verilated.h"
#include "verilated_fst_c.h"
#ifdef VEP_COVERAGE
#include <cstdlib>

#include "Vvep_top__Syms.h"
#include "verilated_cov.h"
#endif
#pragma GCC diagnostic pop

#if !defined(VEP_RTL_DATA_W) || !defined(VEP_RTL_NUM_QUEUES) || !defined(VEP_RTL_QUEUE_SIZE_MAX) \
    || !defined(VEP_RTL_MSIX_VECTORS) || !defined(VEP_RTL_DMA_TAGS)                              \
    || !defined(VEP_RTL_DEVICE_ID) || !defined(VEP_RTL_BLK_SEG_MAX) || !defined(VEP_RTL_BLK_SIZE)
#error "compile with -DVEP_RTL_<PARAM>=<value> for every parameter vep_top was Verilated with"
#endif

static_assert(VEP_RTL_DATA_W == 64 || VEP_RTL_DATA_W == 128 || VEP_RTL_DATA_W == 256,
              "VEP_RTL_DATA_W must be 64, 128 or 256");

namespace {

// Verilator represents a port of up to 64 bits as an integer and a wider one as VlWide<words>.
inline void set_data(QData &port, const uint64_t *q) { port = q[0]; }
template <std::size_t N>
inline void set_data(VlWide<N> &port, const uint64_t *q) {
  for (std::size_t i = 0; i < N; i++) port[i] = static_cast<EData>(q[i / 2] >> (32 * (i % 2)));
}
inline void get_data(const QData &port, uint64_t *q) { q[0] = port; }
template <std::size_t N>
inline void get_data(const VlWide<N> &port, uint64_t *q) {
  for (std::size_t i = 0; i < N; i++) q[i / 2] |= static_cast<uint64_t>(port[i]) << (32 * (i % 2));
}

}  // namespace

#ifdef VEP_COVERAGE
namespace {

// Coverage build only (`make coverage`, -DVEP_COVERAGE). A model's coverage counters live in its
// symbol table and die with it, and every test builds models of its own. So before a model is
// deleted its counts are added into those of a collector model that lives until exit, and the
// collector writes them once, to $VEP_RTL_COVERAGE_FILE (default coverage.dat). This is the
// shim's one process-wide state, and it exists only in that build.
class coverage_collector {
 public:
  coverage_collector() : ctx_(new VerilatedContext), top_(new Vvep_top(ctx_.get(), "TOP")) {}
  ~coverage_collector() {
    const char *path = std::getenv("VEP_RTL_COVERAGE_FILE");
    ctx_->coveragep()->write(path && *path ? path : VerilatedCovContext::defaultFilename());
  }
  void add(Vvep_top &model) {
    auto &from = model.rootp->vlSymsp->__Vcoverage;
    auto &into = top_->rootp->vlSymsp->__Vcoverage;
    for (std::size_t i = 0; i < sizeof(from) / sizeof(from[0]); i++) {
      const uint32_t sum = into[i].load() + from[i].load();
      into[i] = sum < from[i].load() ? UINT32_MAX : sum;  // saturate, never wrap to a small count
    }
  }

 private:
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vvep_top> top_;
};

void coverage_collect(Vvep_top &model) {
  static coverage_collector collector;
  collector.add(model);
}

}  // namespace
#endif

struct cosim_rtl {
  std::unique_ptr<VerilatedContext> ctx;
  std::unique_ptr<Vvep_top> top;
  std::unique_ptr<VerilatedFstC> fst;

  void dump() {
    // A waveform stopped by cosim_rtl_trace_open(r, NULL) stays attached but is not written.
    if (fst && fst->isOpen()) fst->dump(ctx->time());
  }
};

extern "C" void cosim_rtl_params(vep_params_t *p) {
  p->DATA_W = VEP_RTL_DATA_W;
  p->NUM_QUEUES = VEP_RTL_NUM_QUEUES;
  p->QUEUE_SIZE_MAX = VEP_RTL_QUEUE_SIZE_MAX;
  p->MSIX_VECTORS = VEP_RTL_MSIX_VECTORS;
  p->DMA_TAGS = VEP_RTL_DMA_TAGS;
  p->DEVICE_ID = VEP_RTL_DEVICE_ID;
  p->BLK_SEG_MAX = VEP_RTL_BLK_SEG_MAX;
  p->BLK_SIZE = VEP_RTL_BLK_SIZE;
}

extern "C" cosim_rtl_t *cosim_rtl_new(void) {
  std::unique_ptr<cosim_rtl> r(new (std::nothrow) cosim_rtl);
  if (!r) return nullptr;
  try {
    r->ctx.reset(new VerilatedContext);
    // A $fatal or an X-check in the RTL must not end the whole regression process.
    r->ctx->fatalOnError(false);
    // Tracing can only be switched on later if the context allowed it from the start.
    r->ctx->traceEverOn(true);
    r->top.reset(new Vvep_top(r->ctx.get(), "TOP"));
  } catch (const std::bad_alloc &) {
    return nullptr;
  }
  Vvep_top &t = *r->top;
  t.clk_i = 0;
  t.rst_ni = 0;
  t.eval();
  return r.release();
}

extern "C" void cosim_rtl_delete(cosim_rtl_t *r) {
  if (!r) return;
  r->top->final();
#ifdef VEP_COVERAGE
  coverage_collect(*r->top);
#endif
  if (r->fst) r->fst->close();
  r->fst.reset();
  r->top.reset();
  r->ctx.reset();
  delete r;
}

extern "C" void cosim_rtl_outputs(const cosim_rtl_t *r, vep_out_t *out) {
  const Vvep_top &t = *r->top;
  *out = vep_out_t{};
  out->s_rx_ready = t.s_rx_ready;
  out->m_tx_valid = t.m_tx_valid;
  out->m_tx_sop = t.m_tx_sop;
  out->m_tx_eop = t.m_tx_eop;
  out->m_tx_keep = t.m_tx_keep;
  get_data(t.m_tx_data, out->m_tx_data);
  out->m_blk_req_valid = t.m_blk_req_valid;
  out->m_blk_req_tag = t.m_blk_req_tag;
  out->m_blk_req_type = t.m_blk_req_type;
  out->m_blk_req_sector = t.m_blk_req_sector;
  out->m_blk_req_bytes = t.m_blk_req_bytes;
  out->m_blk_wdata_valid = t.m_blk_wdata_valid;
  get_data(t.m_blk_wdata_data, out->m_blk_wdata_data);
  out->m_blk_wdata_keep = t.m_blk_wdata_keep;
  out->m_blk_wdata_last = t.m_blk_wdata_last;
  out->m_blk_wdata_abort = t.m_blk_wdata_abort;
  out->s_blk_rsp_ready = t.s_blk_rsp_ready;
}

extern "C" void cosim_rtl_step(cosim_rtl_t *r, const vep_in_t *in) {
  Vvep_top &t = *r->top;
  t.clk_i = 0;
  t.rst_ni = in->rst_ni;
  t.s_rx_valid = in->s_rx_valid;
  t.s_rx_sop = in->s_rx_sop;
  t.s_rx_eop = in->s_rx_eop;
  t.s_rx_keep = in->s_rx_keep;
  set_data(t.s_rx_data, in->s_rx_data);
  t.m_tx_ready = in->m_tx_ready;
  t.blk_capacity_i = in->blk_capacity_i;
  t.blk_ro_i = in->blk_ro_i;
  t.m_blk_req_ready = in->m_blk_req_ready;
  t.s_blk_rsp_valid = in->s_blk_rsp_valid;
  t.s_blk_rsp_tag = in->s_blk_rsp_tag;
  set_data(t.s_blk_rsp_data, in->s_blk_rsp_data);
  t.s_blk_rsp_last = in->s_blk_rsp_last;
  t.s_blk_rsp_status = in->s_blk_rsp_status;
  // The context's time is 10N at the start of cycle N (see cosim_rtl_shim.h for the layout).
  t.eval();
  r->ctx->timeInc(1);
  r->dump();
  t.clk_i = 1;
  t.eval();
  r->ctx->timeInc(4);
  r->dump();
  t.clk_i = 0;
  t.eval();
  r->ctx->timeInc(5);
  r->dump();
}

extern "C" int cosim_rtl_trace_open(cosim_rtl_t *r, const char *path) {
  if (!path) {
    if (r->fst) r->fst->close();
    return 0;
  }
  // Verilator attaches a model to one trace for its lifetime.
  if (r->fst) return -EBUSY;
  // VerilatedFstC dereferences a writer it failed to create, so find out first.
  std::FILE *probe = std::fopen(path, "wb");
  if (!probe) return errno ? -errno : -EIO;
  std::fclose(probe);
  try {
    r->fst.reset(new VerilatedFstC);
    r->top->trace(r->fst.get(), 99);
    r->fst->open(path);
  } catch (const std::bad_alloc &) {
    r->fst.reset();
    return -ENOMEM;
  }
  if (!r->fst->isOpen()) {
    r->fst.reset();
    return -EIO;
  }
  return 0;
}
