/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The two ways a doorbell write reaches vep_notify: vep_rx_demux's fast path (a Length-1 MWr to
 * the notify region, consumed there) and the completer's register bus (every other MWr to BAR0,
 * and the virtio_pci_cfg_cap window). Whatever path a write takes, it must ring exactly when the
 * completer's decode would have rung it before the fast path existed; a ring shows as the device's
 * avail.idx read of the enabled queue 0 (its ring is empty, so nothing follows).
 */
#include <string.h>

#include "cosim_mem.h"
#include "tb.h"

#define NFY_QSIZE 8u
#define NFY_PCIE(reg) (VEP_CAP_PCIE_OFF + (reg))
#define NFY_PCICFG(reg) (VEP_CAP_PCICFG_OFF + (reg))
#define NFY_CMD_ON (VEP_CMD_MEM_EN | VEP_CMD_BUS_MASTER)

static uint64_t nfy_alloc(tb_t *t, uint64_t len, uint64_t align, unsigned perm) {
  cosim_hmem_t *m = cosim_host_mem(t->sim);
  uint64_t a = 0;
  TB_REQUIRE(t, cosim_hmem_alloc(m, len, align, 1, &a) == 0, "alloc %llu bytes",
             (unsigned long long)len);
  TB_REQUIRE(t, cosim_hmem_expose(m, a, len, perm) == 0, "expose %llu bytes",
             (unsigned long long)len);
  return a;
}

/* Queue 0 enabled on empty rings, DRIVER_OK. */
static void nfy_queue0(tb_t *t) {
  uint64_t desc = nfy_alloc(t, 16u * NFY_QSIZE, 16, COSIM_HMEM_DEV_READ);
  uint64_t avail = nfy_alloc(t, 6u + 2u * NFY_QSIZE, 2, COSIM_HMEM_DEV_READ);
  uint64_t used = nfy_alloc(t, 6u + 8u * NFY_QSIZE, 4, COSIM_HMEM_DEV_WRITE);
  tb_virtio_init(t, 1ull << VEP_F_VERSION_1, 0);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SELECT), 2, 0);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_SIZE), 2, NFY_QSIZE);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_DESCLO), 8, desc);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_AVAILLO), 8, avail);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_USEDLO), 8, used);
  tb_bar_wr(t, TB_COMMON(VEP_COMMON_Q_ENABLE), 2, 1);
  tb_status_wr(t, VEP_STATUS_ACKNOWLEDGE | VEP_STATUS_DRIVER | VEP_STATUS_FEATURES_OK |
                      VEP_STATUS_DRIVER_OK);
}

static void nfy_mwr(cosim_tlp_t *r, uint8_t fmt_type, uint64_t addr, unsigned len, unsigned fbe,
                    unsigned lbe, unsigned ep) {
  memset(r, 0, offsetof(cosim_tlp_t, data));
  r->fmt_type = fmt_type;
  r->req_id = 0x0010u;
  r->ep = (uint8_t)ep;
  r->addr = addr;
  r->len_dw = (uint16_t)len;
  r->first_be = (uint8_t)fbe;
  r->last_be = (uint8_t)lbe;
  r->ndata = len;
  for (unsigned i = 0; i < len; i++) r->data[i] = i;
}

/* Sends req with Command = cmd and checks what follows: the avail.idx read or nothing, and
 * whether it was logged as an unsupported request. */
static void nfy_case(tb_t *t, const char *what, const cosim_tlp_t *req, uint16_t cmd, int ring,
                     int ur) {
  tb_cfg_wr(t, VEP_CFG_COMMAND, 2, cmd);
  tb_cfg_wr(t, NFY_PCIE(VEP_PCIE_DEVSTA), 2, VEP_PCIE_DEVSTA_URD);
  uint64_t tx = cosim_tlps_tx(t->sim);
  TB_CHECK_EQ_CTX(t, tb_send_tlp(t, req, NULL), 1, "%s: posted", what);
  tb_run(t, TB_IRQ_WAIT_CYCLES);
  TB_CHECK_EQ_CTX(t, cosim_tlps_tx(t->sim) - tx, ring ? 1u : 0u,
                  "%s: TLPs from the device (1: the avail.idx read of a ring)", what);
  tb_cfg_wr(t, VEP_CFG_COMMAND, 2, NFY_CMD_ON);
  TB_CHECK_EQ_CTX(t, tb_cfg_rd(t, NFY_PCIE(VEP_PCIE_DEVSTA), 2) & VEP_PCIE_DEVSTA_URD,
                  ur ? VEP_PCIE_DEVSTA_URD : 0u, "%s: URD", what);
}

TB_TEST(notify_paths, "Doorbells by MWr32 and MWr64: Length 1 rings (fast path) unless its "
                      "First BE misses bytes 0-1, the queue does not exist, it is poisoned "
                      "(URD) or Memory Space is off (URD); Length 2 rings through the "
                      "completer; the PCI_CFG window rings") {
  static const struct {
    uint64_t bar;
    uint8_t fmt_type;
  } bars[] = {{TB_BAR0_ADDR32, VEP_TLP_MWR32}, {TB_BAR0_ADDR, VEP_TLP_MWR64}};
  cosim_tlp_t req;
  const uint64_t nq = t->cfg.params.NUM_QUEUES;

  for (size_t b = 0; b < sizeof bars / sizeof bars[0]; b++) {
    const uint64_t q0 = bars[b].bar + VEP_BAR_NOTIFY_OFF;
    const uint8_t ft = bars[b].fmt_type;
    char what[96];
    tb_setup_bar0_at(t, bars[b].bar);
    nfy_queue0(t);

    static const struct {
      const char *what;
      unsigned qoff, len, fbe, lbe, ep;
      uint16_t cmd;
      int ring, ur;
    } cases[] = {
        {"q0, BE 0011", 0, 1, 0x3, 0, 0, NFY_CMD_ON, 1, 0},
        {"q0, BE 0001", 0, 1, 0x1, 0, 0, NFY_CMD_ON, 1, 0},
        {"q0, BE 0010", 0, 1, 0x2, 0, 0, NFY_CMD_ON, 1, 0},
        {"q0, BE 1100", 0, 1, 0xC, 0, 0, NFY_CMD_ON, 0, 0},
        {"q0 poisoned", 0, 1, 0x3, 0, 1, NFY_CMD_ON, 0, 1},
        {"q0, Memory Space off", 0, 1, 0x3, 0, 0, VEP_CMD_BUS_MASTER, 0, 1},
        {"q0 and q1 in one MWr of Length 2", 0, 2, 0xF, 0xF, 0, NFY_CMD_ON, 1, 0},
        {"q0 and q1, Length 2, First BE 1100: q1 only (disabled)", 0, 2, 0xC, 0xF, 0, NFY_CMD_ON,
         0, 0},
        {"the first queue that does not exist", 1, 1, 0x3, 0, 0, NFY_CMD_ON, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
      uint64_t addr = q0 + 4u * (cases[i].qoff ? nq : 0u);
      snprintf(what, sizeof what, "%s: %s", ft == VEP_TLP_MWR32 ? "MWr32" : "MWr64",
               cases[i].what);
      nfy_mwr(&req, ft, addr, cases[i].len, cases[i].fbe, cases[i].lbe, cases[i].ep);
      nfy_case(t, what, &req, cases[i].cmd, cases[i].ring, cases[i].ur);
    }
  }

  /* The window: a CfgWr (its completion is one TLP) writes q0's doorbell through the completer. */
  tb_cfg_wr(t, NFY_PCICFG(VEP_VIRTIO_CAP_BAR), 1, 0);
  tb_cfg_wr(t, NFY_PCICFG(VEP_VIRTIO_CAP_OFFSET), 4, VEP_BAR_NOTIFY_OFF);
  tb_cfg_wr(t, NFY_PCICFG(VEP_VIRTIO_CAP_LENGTH), 4, 2);
  uint64_t tx = cosim_tlps_tx(t->sim);
  tb_cfg_wr(t, NFY_PCICFG(VEP_VIRTIO_CAP_EXTRA), 4, 0);
  tb_run(t, TB_IRQ_WAIT_CYCLES);
  TB_CHECK_EQ_CTX(t, cosim_tlps_tx(t->sim) - tx, 2u,
                  "window write: the CfgWr's completion and the avail.idx read");
}
