/* SPDX-License-Identifier: Apache-2.0 */
/* vep_blk's pipelining (docs/datapath.md, "vep_blk"): the writer takes a backend beat every
 * cycle, so IN data leaves as back-to-back MWr; the header issuer reads the headers of several
 * slots at once, and a failed header read fails only its own request. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blk/tb_blk_lib.h"
#include "vep_blk.h"
#include "vep_consts.h"

/* ---- blk_writer_back_to_back ---- */

/* MWr64 of 128 B carry 4 header DWs and 32 payload DWs: ceil(36 / lanes) beats (18 at DATA_W
 * 64, 9 at 128, 5 at 256). The writer must not add cycles of its own between them; at 64 the DMA
 * write engine and the TX arbiter leave one idle cycle between two TLPs of a request (19 cycles
 * apart), from 128 on none (vep_dma_wr stores the next header while the previous TLP leaves).
 * Before the writer's second beat buffer, one MWr left every 33 cycles at 64. */
static unsigned b2b_max_gap(unsigned data_w) {
  unsigned lanes = data_w / 32;
  return (36 + lanes - 1) / lanes + (data_w == 64 ? 1 : 0);
}

TB_TEST(blk_writer_back_to_back, "a 4 KiB read with the backend answering at once (latency 0) "
                                 "and a link latency of 1: its 32 data MWr of 128 B reach the "
                                 "root complex at most one TLP's beats apart (plus one idle "
                                 "cycle at DATA_W 64: 19, 9 at 128, 5 at 256), so the writer "
                                 "takes a backend beat every cycle") {
  char path[64];
  tb_temp_path(t, path, sizeof path, "b2b");
  cosim_cfg_t cfg = t->cfg;
  cfg.tlp_log_path = path;
  cfg.link_latency_rx = cfg.link_latency_tx = 1;
  cfg.blk_latency = 0;
  cfg.blk_jitter = 0;
  /* A rate on a free link: no flow control, whatever --backpressure asks for. */
  cfg.tx_backpressure_pct = cfg.rx_gap_pct = 0;
  cfg.tx_storm_gap = cfg.rx_storm_gap = 0;
  cfg.blk_flow_pct = 0;
  tb_reconfigure(t, &cfg);
  tb_blk_t k;
  tb_blk_open(t, &k, NULL);
  uint64_t r = tb_blk_buf(&k, 4096, 4096, VDRV_DMA_DEV_WRITE);
  vdrv_virtq_seg_t rs = {r, 4096};
  TB_DRV(t, vdrv_blk_read(&k.b, 0, 8, &rs, 1));
  tb_blk_check_read(&k, 8, &rs, 1, "4 KiB read");
  tb_blk_close(&k);
  FILE *in = tb_tlp_log_end(t, path);
  char line[512];
  uint64_t at[64];
  unsigned n = 0;
  /* The data MWrs of the read: 128 B writes into the read buffer, in order. */
  char want[64];
  while (fgets(line, sizeof line, in)) {
    unsigned long long cyc, addr;
    unsigned len;
    char kind[16];
    if (sscanf(line, "%llu EP>RC %15s addr=0x%llx len=%u", &cyc, kind, &addr, &len) != 4) continue;
    if (strcmp(kind, "MWr64") || len != 128 || addr < r || addr >= r + 4096) continue;
    if (n < 64) at[n] = cyc;
    n++;
  }
  fclose(in);
  remove(path);
  snprintf(want, sizeof want, "%u", 4096u / 128u);
  TB_REQUIRE(t, n == 4096 / 128, "%u data MWr of 128 B in the log, want %s", n, want);
  unsigned worst = 0;
  for (unsigned i = 1; i < n; i++) {
    unsigned gap = (unsigned)(at[i] - at[i - 1]);
    if (gap > worst) worst = gap;
  }
  printf("  blk_writer_back_to_back: 32 MWr of 128 B over %llu cycles, largest gap %u\n",
         (unsigned long long)(at[n - 1] - at[0]), worst);
  const unsigned max_gap = b2b_max_gap(t->cfg.params.DATA_W);
  TB_CHECK(t, worst <= max_gap, "MWr %u cycles apart, at most %u wanted", worst, max_gap);
}

/* ---- blk_header_overlap ---- */

/* Header reads overlap when chains queue up in vep_blk: here the reader waits at the backend
 * (one request at a time, answered after 20000 cycles) while the issuer reads the headers of
 * the slots handed over, up to VEP_BLK_HDRQ (16 since vep_blk has 16 slots: all 8 headers of
 * this test were out at once; with 4 entries, 4 and then the last two). */
#define HO_REQS 8u

typedef struct ho_ctx {
  unsigned done;
  int result[HO_REQS];
} ho_ctx_t;

typedef struct ho_tag {
  ho_ctx_t *x;
  unsigned i;
} ho_tag_t;

/* A header read as the device saw it: out from `from` until its completion arrived (`to`). */
typedef struct ho_read {
  uint64_t from, to;
  unsigned tag;
  int open;
} ho_read_t;

static void ho_cb(void *cookie, const vdrv_blk_cpl_t *cpl)
{
  ho_tag_t *g = cookie;
  g->x->result[g->i] = cpl->result;
  g->x->done++;
}

TB_TEST(blk_header_overlap, "8 requests at once, the backend taking one at a time (20000 cycles "
                            "each): the header issuer reads ahead (at least 2 and at most "
                            "VEP_BLK_HDRQ header reads out at the same time); the header read of the 7th "
                            "request fails (UR): it alone gets IOERR, its neighbour completes; "
                            "reads 1, 2, 8 OK with their data checked, 3..6 UNSUPP") {
  char path[64];
  tb_temp_path(t, path, sizeof path, "hdr");
  cosim_cfg_t cfg = t->cfg;
  cfg.tlp_log_path = path;
  cfg.blk_latency = 20000;
  cfg.blk_jitter = 0;
  cfg.blk_max_inflight = 1;
  /* Round trips longer than the few cycles between two header reads, so that the log (stamped
   * at the root complex) shows them out together. */
  cfg.link_latency_rx = cfg.link_latency_tx = 100;
  tb_reconfigure(t, &cfg);
  tb_blk_t k;
  tb_blk_open(t, &k, NULL);
  ho_ctx_t x = {0};
  const uint64_t hdrs = k.b.q[0].hdrs;
  const uint64_t hbytes = (uint64_t)VEP_BLK_HDR_BYTES * k.b.q[0].vq.size;
  static const unsigned in_req[] = {0, 1, 6, 7};
  vdrv_virtq_seg_t seg[HO_REQS];
  ho_tag_t tag[HO_REQS];
  uint64_t faulted = 0;
  for (unsigned i = 0; i < HO_REQS; i++) {
    tag[i] = (ho_tag_t){&x, i};
    uint16_t slot = k.b.q[0].free_head;
    vdrv_blk_io_t io = {.flags = VDRV_BLK_IO_NO_KICK};
    if (i >= 2 && i <= 5) {
      io.type = 0x55;  /* no such type: the reader's own verdict, UNSUPP */
      io.flags |= VDRV_BLK_IO_RAW;
    } else {
      seg[i] = (vdrv_virtq_seg_t){tb_blk_buf(&k, 4096, 4096, VDRV_DMA_DEV_WRITE), 4096};
      io.type = VEP_BLK_T_IN;
      io.sector = 8 * i;
      io.seg = &seg[i];
      io.nseg = 1;
    }
    TB_DRV(t, vdrv_blk_submit(&k.b, 0, &io, ho_cb, &tag[i]));
    if (i == 6) {
      faulted = hdrs + (uint64_t)VEP_BLK_HDR_BYTES * slot;
      TB_DRV(t, cosim_set_dma_fault(t->sim, faulted, VEP_BLK_HDR_BYTES, COSIM_DMA_FAULT_UR));
    }
  }
  TB_DRV(t, vdrv_blk_kick(&k.b, 0));
  while (x.done < HO_REQS) TB_DRV(t, vdrv_blk_wait(&k.b, 0));
  TB_DRV(t, cosim_set_dma_fault(t->sim, faulted, VEP_BLK_HDR_BYTES, COSIM_DMA_FAULT_NONE));
  TB_CHECK_EQ(t, cosim_dma_faults_hit(t->sim), 1);
  for (unsigned n = 0; n < sizeof in_req / sizeof *in_req; n++) {
    unsigned i = in_req[n];
    if (i == 6) {
      TB_CHECK(t, x.result[i] == -EIO, "request 6 (header UR): result %d, want -EIO",
               x.result[i]);
    } else if (TB_CHECK(t, x.result[i] == 0, "request %u: result %d", i, x.result[i])) {
      char what[32];
      snprintf(what, sizeof what, "request %u", i);
      tb_blk_check_read(&k, 8 * i, &seg[i], 1, what);
    }
  }
  for (unsigned i = 2; i <= 5; i++)
    TB_CHECK(t, x.result[i] == -EOPNOTSUPP, "request %u: result %d, want -EOPNOTSUPP", i,
             x.result[i]);
  tb_blk_close(&k);

  /* Header reads (MRd into the driver's header array) outstanding at the device: from the
   * cycle the MRd left it (the log's cycle at the root complex minus the link latency) to the
   * cycle its completion reached it (the log's cycle plus the latency). */
  FILE *in = tb_tlp_log_end(t, path);
  char line[512];
  ho_read_t hr[16];
  unsigned nhdr = 0;
  const uint64_t lat = cfg.link_latency_tx;
  while (fgets(line, sizeof line, in)) {
    unsigned long long cyc, addr;
    unsigned len, req, tg;
    char kind[16], st[8];
    if (sscanf(line, "%llu EP>RC %15s addr=0x%llx len=%u req=%x tag=%x", &cyc, kind, &addr,
               &len, &req, &tg) == 6) {
      if (!strncmp(kind, "MRd", 3) && addr >= hdrs && addr < hdrs + hbytes && nhdr < 16)
        hr[nhdr++] = (ho_read_t){cyc - lat, 0, tg, 1};
    } else if (sscanf(line, "%llu RC>EP %15s %7s cpl=%x req=%x tag=%x", &cyc, kind, st, &req,
                      &req, &tg) == 6 && !strncmp(kind, "Cpl", 3)) {
      for (unsigned j = 0; j < nhdr; j++) {
        if (hr[j].open && hr[j].tag == tg) {
          hr[j].to = cyc + cfg.link_latency_rx;
          hr[j].open = 0;
        }
      }
    }
  }
  fclose(in);
  remove(path);
  unsigned most = 0;
  for (unsigned i = 0; i < nhdr; i++) {
    unsigned c = 0;
    for (unsigned j = 0; j < nhdr; j++)
      if (!hr[j].open && hr[j].from <= hr[i].from && hr[i].from < hr[j].to) c++;
    if (c > most) most = c;
  }
  printf("  blk_header_overlap: %u header reads, at most %u out at the same time\n", nhdr,
         most);
  TB_CHECK_EQ(t, nhdr, HO_REQS);
  /* How many overlap depends on how fast vq_fetch hands the chains over; that several do, and
   * never more than the issuer's queue holds, is the claim. */
  TB_CHECK(t, most >= 2 && most <= VEP_BLK_HDRQ, "%u header reads out at once, 2..%u wanted",
           most, VEP_BLK_HDRQ);
}
