/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bring-up sequence a virtio driver runs, through the driver library (enumeration, BARs,
 * capabilities, status, features, MSI-X, queues, DRIVER_OK), asserting every step. The same
 * sequence is the `--demo` (`make run`), which prints each step; the test runs it silently.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tb.h"

/* Prints one step of the demo (nothing when log is NULL). */
static void say(FILE *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(FILE *log, const char *fmt, ...) {
  if (!log) return;
  va_list ap;
  va_start(ap, fmt);
  vfprintf(log, fmt, ap);
  va_end(ap);
}

static const char *feature_name(unsigned bit) {
  switch (bit) {
    case VEP_BLK_F_SIZE_MAX: return "SIZE_MAX";
    case VEP_BLK_F_SEG_MAX: return "SEG_MAX";
    case VEP_BLK_F_GEOMETRY: return "GEOMETRY";
    case VEP_BLK_F_RO: return "RO";
    case VEP_BLK_F_BLK_SIZE: return "BLK_SIZE";
    case VEP_BLK_F_FLUSH: return "FLUSH";
    case VEP_F_INDIRECT_DESC: return "INDIRECT_DESC";
    case VEP_F_EVENT_IDX: return "EVENT_IDX";
    case VEP_F_VERSION_1: return "VERSION_1";
    case VEP_F_ACCESS_PLATFORM: return "ACCESS_PLATFORM";
    case VEP_F_RING_PACKED: return "RING_PACKED";
    default: return NULL;
  }
}

void tb_format_features(const uint32_t *words, char *buf, size_t len) {
  size_t pos = 0;
  buf[0] = '\0';
  for (unsigned bit = 0; bit < 32u * VDRV_FEATURE_WORDS && pos < len; bit++) {
    if (!vdrv_vpci_has_feature(words, bit)) continue;
    const char *n = feature_name(bit);
    int k = n ? snprintf(buf + pos, len - pos, "%s%s", pos ? " " : "", n)
              : snprintf(buf + pos, len - pos, "%sbit%u", pos ? " " : "", bit);
    if (k > 0) pos += (size_t)k;
  }
  if (!pos) snprintf(buf, len, "(none)");
}

static void format_status(uint8_t s, char *buf, size_t len) {
  static const struct {
    uint8_t bit;
    const char *name;
  } names[] = {{VEP_STATUS_ACKNOWLEDGE, "ACKNOWLEDGE"},
               {VEP_STATUS_DRIVER, "DRIVER"},
               {VEP_STATUS_FEATURES_OK, "FEATURES_OK"},
               {VEP_STATUS_DRIVER_OK, "DRIVER_OK"},
               {VEP_STATUS_DEVICE_NEEDS_RESET, "DEVICE_NEEDS_RESET"},
               {VEP_STATUS_FAILED, "FAILED"}};
  size_t pos = (size_t)snprintf(buf, len, "0x%02x", s);
  for (size_t i = 0; i < sizeof names / sizeof names[0] && pos < len; i++)
    if (s & names[i].bit) {
      int k = snprintf(buf + pos, len - pos, " %s", names[i].name);
      if (k > 0) pos += (size_t)k;
    }
}

/* Every status step on one column, so the read-backs line up. */
#define STEP_FMT "  %-38s"

/* Writes status (OR-ing it in, as the driver does), reads it back, checks and prints both. */
static void status_step(tb_t *t, FILE *log, vdrv_vpci_t *v, uint8_t add, uint8_t want) {
  char a[96], b[96];
  TB_DRV(t, vdrv_vpci_set_status(v, add));
  uint8_t got = 0;
  TB_DRV(t, vdrv_vpci_get_status(v, &got));
  format_status(add, a, sizeof a);
  format_status(got, b, sizeof b);
  char label[128];
  snprintf(label, sizeof label, "device_status |= %s", a);
  say(log, STEP_FMT " -> reads %s\n", label, b);
  TB_CHECK_EQ_CTX(t, got, want, "status after setting 0x%02x", add);
}

/* Ring memory for queue q (no DMA happens before a doorbell, so no host buffer is needed yet). */
#define RING_BASE 0x10000000ull
#define RING_STRIDE 0x00100000ull

void tb_bringup_sequence(tb_t *t, FILE *log) {
  const vep_params_t *p = &t->cfg.params;
  vdrv_pci_dev_t dev;
  vdrv_vpci_t v;
  char text[16384];

  /* ---- PCI: enumerate, size and assign BARs, enable, probe (tb_bringup), then show it ---- */
  tb_bringup(t, &dev, &v);
  say(log, "Enumerating bus %02x: found %02x:%02x.%x [%04x:%04x] rev %02x class %06x "
      "subsystem [%04x:%04x]\n", t->bus.first_bus, dev.bdf >> 8, (dev.bdf >> 3) & 0x1F,
      dev.bdf & 7, dev.vendor_id, dev.device_id, dev.revision, dev.class_code,
      dev.subsys_vendor_id, dev.subsys_id);
  TB_CHECK_EQ(t, dev.vendor_id, VEP_PCI_VENDOR_ID);
  TB_CHECK_EQ(t, dev.device_id, VEP_PCI_DEVICE_ID_BASE + p->DEVICE_ID);
  TB_CHECK_EQ(t, dev.revision, VEP_PCI_REVISION_ID);
  TB_CHECK_EQ(t, dev.subsys_id, VEP_PCI_SUBSYS_ID);
  TB_CHECK_EQ(t, dev.pcie_cap, VEP_CAP_PCIE_OFF);
  TB_CHECK_EQ(t, dev.msix_cap, VEP_CAP_MSIX_OFF);
  TB_CHECK_EQ(t, dev.bar[0].size, VEP_BAR0_SIZE);
  TB_CHECK(t, dev.bar[0].is_64 && !dev.bar[0].prefetchable && !dev.bar[0].is_io,
           "BAR0 type: 64-bit %d prefetchable %d io %d", dev.bar[0].is_64,
           dev.bar[0].prefetchable, dev.bar[0].is_io);
  /* A non-prefetchable BAR belongs in the 32-bit window, as a real host places it. */
  TB_CHECK(t, dev.bar[0].addr >= t->bus.mmio32_window_base &&
                  dev.bar[0].addr + VEP_BAR0_SIZE <= t->bus.mmio32_window_base +
                                                         t->bus.mmio32_window_size,
           "BAR0 at 0x%llx outside the 32-bit window", (unsigned long long)dev.bar[0].addr);
  for (unsigned b = 1; b < VDRV_PCI_NUM_BARS; b++)
    TB_CHECK_EQ_CTX(t, dev.bar[b].size, 0, "BAR%u", b);
  uint32_t cmd = 0;
  TB_DRV(t, vdrv_pci_cfg_read(&dev, VEP_CFG_COMMAND, 2, &cmd));
  TB_CHECK_EQ(t, cmd & (VEP_CMD_MEM_EN | VEP_CMD_BUS_MASTER), VEP_CMD_MEM_EN | VEP_CMD_BUS_MASTER);
  say(log, "  BAR0: 64-bit memory, non-prefetchable, %llu KiB at 0x%llx; "
      "Memory Space and Bus Master enabled\n\n",
      (unsigned long long)(dev.bar[0].size >> 10), (unsigned long long)dev.bar[0].addr);

  int n = TB_DRV(t, vdrv_pci_format(&dev, text, sizeof text));
  TB_CHECK(t, n > 0 && strstr(text, "1af4") != NULL, "vdrv_pci_format output lacks the vendor");
  say(log, "%s%s\n", text, n > 0 && text[n - 1] == '\n' ? "" : "\n");

  /* ---- virtio-pci transport ---- */
  say(log, "virtio-pci capabilities: common BAR%d+0x%04x len 0x%x, notify BAR%d+0x%04x len 0x%x "
      "(multiplier %u), ISR BAR%d+0x%04x, device BAR%d+0x%04x len 0x%x, PCI_CFG at 0x%02x\n",
      v.common.bar, v.common.offset, v.common.length, v.notify.bar, v.notify.offset,
      v.notify.length, v.notify_off_multiplier, v.isr.bar, v.isr.offset, v.device.bar,
      v.device.offset, v.device.length, v.pci_cfg_cap);
  TB_CHECK_EQ(t, v.common.offset, VEP_BAR_COMMON_OFF);
  TB_CHECK_EQ(t, v.notify.offset, VEP_BAR_NOTIFY_OFF);
  TB_CHECK_EQ(t, v.isr.offset, VEP_BAR_ISR_OFF);
  TB_CHECK_EQ(t, v.device.offset, VEP_BAR_DEVICE_OFF);
  TB_CHECK_EQ(t, v.notify_off_multiplier, VEP_NOTIFY_MULTIPLIER);
  TB_CHECK_EQ(t, v.pci_cfg_cap, VEP_CAP_PCICFG_OFF);
  TB_CHECK_EQ(t, v.num_queues, p->NUM_QUEUES);
  TB_CHECK_EQ(t, v.msix_vectors, p->MSIX_VECTORS);

  say(log, "\nvirtio initialisation\n");
  TB_DRV(t, vdrv_vpci_reset(&v));
  uint8_t s = 0xFF;
  TB_DRV(t, vdrv_vpci_get_status(&v, &s));
  say(log, STEP_FMT " -> reads 0x%02x\n", "device_status = 0 (reset)", s);
  TB_CHECK_EQ(t, s, 0);
  status_step(t, log, &v, VEP_STATUS_ACKNOWLEDGE, VEP_STATUS_ACKNOWLEDGE);
  status_step(t, log, &v, VEP_STATUS_DRIVER, VEP_STATUS_ACKNOWLEDGE | VEP_STATUS_DRIVER);

  TB_DRV(t, vdrv_vpci_read_features(&v));
  char names[256];
  tb_format_features(v.device_features, names, sizeof names);
  say(log, "  device features: 0x%08x%08x = %s\n", v.device_features[1], v.device_features[0],
      names);
  const uint64_t offered = TB_FEATURES_OFFERED | (t->cfg.blk_ro ? 1ull << VEP_BLK_F_RO : 0);
  TB_CHECK_EQ(t, ((uint64_t)v.device_features[1] << 32) | v.device_features[0], offered);
  TB_CHECK_EQ(t, v.device_features[2] | v.device_features[3], 0);
  /* The driver wants what a block driver uses, and VERSION_1. */
  uint32_t accept[VDRV_FEATURE_WORDS] = {0};
  for (unsigned w = 0; w < 2; w++) accept[w] = v.device_features[w];
  tb_format_features(accept, names, sizeof names);
  say(log, "  driver features: 0x%08x%08x = %s\n", accept[1], accept[0], names);
  int rc = vdrv_vpci_write_features(&v, accept);
  TB_CHECK_EQ(t, rc, 0);
  tb_check_diverged(t);
  TB_DRV(t, vdrv_vpci_get_status(&v, &s));
  say(log, STEP_FMT " -> reads 0x%02x (%s)\n", "device_status |= 0x08 FEATURES_OK", s,
      s & VEP_STATUS_FEATURES_OK ? "accepted" : "REFUSED");
  TB_CHECK_EQ(t, s, VEP_STATUS_ACKNOWLEDGE | VEP_STATUS_DRIVER | VEP_STATUS_FEATURES_OK);

  /* MSI-X: vector 0 for configuration changes, one per queue after it. */
  TB_DRV(t, vdrv_pci_msix_enable(&dev, 1));
  for (unsigned i = 0; i < v.msix_vectors; i++)
    TB_DRV(t, vdrv_vpci_msix_set_entry(&v, i, TB_MSI_ADDR(i), TB_MSI_DATA(i), 0));
  uint16_t rb = 0;
  TB_DRV(t, vdrv_vpci_set_config_vector(&v, 0, &rb));
  say(log, "  MSI-X enabled, %u vectors at 0x%llx..; config_msix_vector = 0 -> reads %u\n",
      v.msix_vectors, (unsigned long long)TB_MSI_ADDR(0), rb);
  TB_CHECK_EQ(t, rb, 0);

  for (unsigned q = 0; q < v.num_queues; q++) {
    uint16_t size = 0;
    uint16_t vec = (uint16_t)(1u + q % (v.msix_vectors - 1u));
    uint64_t base = RING_BASE + RING_STRIDE * q;
    TB_DRV(t, vdrv_vpci_setup_queue(&v, (uint16_t)q, 0, base, base + 0x4000u, base + 0x8000u,
                                    vec, 1, &size));
    say(log, "  queue %u: size %u, msix vector %u, desc 0x%llx avail 0x%llx used 0x%llx, "
        "notify_off %u, enabled\n", q, size, vec, (unsigned long long)base,
        (unsigned long long)(base + 0x4000u), (unsigned long long)(base + 0x8000u),
        v.queue_notify_off[q]);
    TB_CHECK_EQ_CTX(t, size, p->QUEUE_SIZE_MAX, "queue %u size", q);
    TB_CHECK_EQ_CTX(t, v.queue_notify_off[q], q, "queue %u notify_off", q);
  }
  TB_DRV(t, vdrv_vpci_driver_ok(&v));
  TB_DRV(t, vdrv_vpci_get_status(&v, &s));
  char sb[96];
  format_status(s, sb, sizeof sb);
  say(log, STEP_FMT " -> reads %s\n", "device_status |= 0x04 DRIVER_OK", sb);
  TB_CHECK_EQ(t, s, VEP_STATUS_ACKNOWLEDGE | VEP_STATUS_DRIVER | VEP_STATUS_FEATURES_OK |
                        VEP_STATUS_DRIVER_OK);

  /* Device configuration, through the generation-checked reads. */
  uint64_t cap = 0, seg = 0, bsz = 0, nq = 0;
  TB_DRV(t, vdrv_vpci_device_read(&v, VEP_BLK_CFG_CAPACITY, 8, &cap));
  TB_DRV(t, vdrv_vpci_device_read(&v, VEP_BLK_CFG_SEG_MAX, 4, &seg));
  TB_DRV(t, vdrv_vpci_device_read(&v, VEP_BLK_CFG_BLK_SIZE, 4, &bsz));
  TB_DRV(t, vdrv_vpci_device_read(&v, VEP_BLK_CFG_NUM_QUEUES, 2, &nq));
  say(log, "  virtio-blk: capacity %llu sectors (%llu KiB), seg_max %llu, blk_size %llu, "
      "num_queues %llu\n", (unsigned long long)cap, (unsigned long long)(cap / 2),
      (unsigned long long)seg, (unsigned long long)bsz, (unsigned long long)nq);
  TB_CHECK_EQ(t, cap, t->cfg.blk_capacity);
  TB_CHECK_EQ(t, seg, p->BLK_SEG_MAX);
  TB_CHECK_EQ(t, bsz, p->BLK_SIZE);
  TB_CHECK_EQ(t, nq, p->NUM_QUEUES);

  /* The device is live: a configuration change interrupts on vector 0. */
  tb_msi_clear(t);
  cosim_set_blk_capacity(t->sim, cap + 2048);
  unsigned got = tb_msi_wait(t, 1, TB_IRQ_WAIT_CYCLES);
  say(log, "  capacity change -> %u MSI-X message%s", got, got == 1 ? "" : "s");
  if (got) say(log, " (address 0x%llx data 0x%x)", (unsigned long long)t->msi[0].addr,
               t->msi[0].data);
  say(log, "\n");
  TB_CHECK_EQ(t, got, 1);
  if (got) {
    TB_CHECK_EQ(t, t->msi[0].addr, TB_MSI_ADDR(0));
    TB_CHECK_EQ(t, t->msi[0].data, TB_MSI_DATA(0));
  }
  uint8_t isr = 0;
  TB_DRV(t, vdrv_vpci_read_isr(&v, &isr));
  TB_CHECK_EQ(t, isr, VEP_ISR_CONFIG);
  TB_DRV(t, vdrv_vpci_device_read(&v, VEP_BLK_CFG_CAPACITY, 8, &cap));
  TB_CHECK_EQ(t, cap, t->cfg.blk_capacity + 2048);
}

TB_TEST(bringup, "The demo sequence through the driver: enumerate, BARs, capabilities, reset, "
                 "ACKNOWLEDGE, DRIVER, features, FEATURES_OK, MSI-X, queues, DRIVER_OK, device "
                 "config, a config interrupt; every step asserted") {
  tb_bringup_sequence(t, NULL);
}
