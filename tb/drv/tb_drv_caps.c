/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The driver's capability walk and virtio capability validation against malformed devices,
 * through the fake bus (tb_fake_bus.h): loops, bad pointers, missing and invalid virtio
 * structures, BAR indices the driver must ignore. Each case changes one thing of a valid fake
 * device (which is checked to probe first), so the error can only come from that change; each
 * call must return the documented errno (driver/vdrv_pci.h, driver/vdrv_vpci.h) within a bounded
 * number of bus operations (the fake fails everything with -EIO past TB_FAKE_LIMIT, so a walk
 * that does not end shows up as -EIO, not as a hang). No simulation: the same under every --dut.
 */
#include <errno.h>
#include <string.h>

#include "tb.h"
#include "tb_fake_bus.h"

/* Standard capabilities inside 0x40..0xFF: more than 48 cannot be distinct. */
#define CAP_SLOTS 48u
/* Bus operations a find_cap may use: Status, Capabilities Pointer, one header per slot. */
#define FIND_CAP_MAX_OPS (2u + CAP_SLOTS)

static const char *err_name(int rc) {
  switch (rc) {
    case 0: return "0";
    case -ELOOP: return "-ELOOP";
    case -EPROTO: return "-EPROTO";
    case -ENOENT: return "-ENOENT";
    case -ENODEV: return "-ENODEV";
    case -EIO: return "-EIO (the fake's operation limit: a walk that did not end?)";
    case -EINVAL: return "-EINVAL";
    default: return "another errno";
  }
}

#define CHECK_RC(t, got, want, ...)                                                          \
  do {                                                                                       \
    int got_ = (got), want_ = (want);                                                        \
    char ctx_[160];                                                                          \
    snprintf(ctx_, sizeof ctx_, __VA_ARGS__);                                                \
    TB_CHECK(t, got_ == want_, "%s: returned %d (%s), documented %d (%s)", ctx_, got_,       \
             err_name(got_), want_, err_name(want_));                                        \
  } while (0)

/* find_cap on the fake, with the operations it took checked against the bound. */
static int find_cap(tb_t *t, tb_fake_bus_t *f, vdrv_pci_dev_t *d, uint8_t id, uint8_t after,
                    uint8_t *off, const char *what) {
  unsigned long ops0 = tb_fake_ops(f);
  int rc = vdrv_pci_find_cap(d, id, after, off);
  unsigned long ops = tb_fake_ops(f) - ops0;
  TB_CHECK(t, ops <= FIND_CAP_MAX_OPS, "%s: find_cap used %lu bus operations (at most %u)", what,
           ops, FIND_CAP_MAX_OPS);
  return rc;
}

/* A device handle on the fake without probing (for walks over lists probe_dev would reject). */
static void dev_on(tb_fake_bus_t *f, vdrv_pci_dev_t *d) {
  memset(d, 0, sizeof *d);
  d->bus = &f->bus;
  d->bdf = TB_FAKE_BDF;
}

/* A list of n bare capabilities with the given IDs and offsets (IDs 0x10, 0x11, 0x05...). */
static void bare_list(tb_fake_bus_t *f, const unsigned *at, const uint8_t *ids, unsigned n) {
  tb_fake_cap_t caps[CAP_SLOTS];
  memset(caps, 0, sizeof caps);
  for (unsigned i = 0; i < n; i++) {
    caps[i].id = ids ? ids[i] : 0x05;
    caps[i].at = at[i];
  }
  tb_fake_init(f);
  tb_fake_cfg_put(f, 0x00, 4, 0x00011234u);
  tb_fake_caps(f, caps, n, NULL);
}

TB_TEST(drv_cap_loop, "vdrv_pci_find_cap on looping lists (self-loop, 2-cycle, a ring over all "
                      "48 DW slots back from 0xFC to 0x40) returns -ELOOP within 2+48 bus "
                      "operations; a 48-capability list that ends is walked to its end; "
                      "vdrv_pci_probe_dev returns 0 with no PCIe/MSI-X capability on a loop; "
                      "vdrv_vpci_probe on a loop of virtio capabilities returns -EPROTO") {
  tb_fake_bus_t *f = &(tb_fake_bus_t){0};
  vdrv_pci_dev_t d;
  uint8_t off = 0;

  /* Self-loop: 0x40 -> 0x40. */
  bare_list(f, (const unsigned[]){0x40}, NULL, 1);
  tb_fake_cfg_put(f, 0x41, 1, 0x40);
  dev_on(f, &d);
  CHECK_RC(t, find_cap(t, f, &d, 0x11, 0, &off, "self-loop"), -ELOOP, "self-loop 0x40");
  /* Two capabilities pointing at each other. */
  bare_list(f, (const unsigned[]){0x40, 0x80}, NULL, 2);
  tb_fake_cfg_put(f, 0x81, 1, 0x40);
  dev_on(f, &d);
  CHECK_RC(t, find_cap(t, f, &d, 0x11, 0, &off, "2-cycle"), -ELOOP, "0x40 <-> 0x80");
  /* 48 capabilities in every DW slot 0x40..0xFC: a list that ends is not a loop... */
  unsigned at[CAP_SLOTS];
  uint8_t ids[CAP_SLOTS];
  for (unsigned i = 0; i < CAP_SLOTS; i++) {
    at[i] = 0x40 + 4 * i;
    ids[i] = 0x05;
  }
  ids[CAP_SLOTS - 1] = 0x11;
  bare_list(f, at, ids, CAP_SLOTS);
  dev_on(f, &d);
  CHECK_RC(t, find_cap(t, f, &d, 0x11, 0, &off, "48 slots"), 0, "48 capabilities, wanted last");
  TB_CHECK_EQ(t, off, 0xFC);
  CHECK_RC(t, find_cap(t, f, &d, 0x10, 0, &off, "48 slots"), -ENOENT,
           "48 capabilities, absent ID");
  /* ...and the same list closed into a ring from 0xFC back to 0x40 is. */
  tb_fake_cfg_put(f, 0xFD, 1, 0x40);
  CHECK_RC(t, find_cap(t, f, &d, 0x10, 0, &off, "48-ring"), -ELOOP, "ring of 48, absent ID");
  /* A loop entered after a valid prefix: 0x40 -> 0x60 -> 0x70 -> 0x60. */
  bare_list(f, (const unsigned[]){0x40, 0x60, 0x70}, NULL, 3);
  tb_fake_cfg_put(f, 0x71, 1, 0x60);
  dev_on(f, &d);
  CHECK_RC(t, find_cap(t, f, &d, 0x11, 0, &off, "tail loop"), -ELOOP, "0x40 -> (0x60 <-> 0x70)");

  /* probe_dev: a malformed list hides the capabilities, it is not an error (vdrv_pci.h). */
  tb_fake_cap_t caps[TB_FAKE_NCAPS];
  tb_fake_virtio_caps(caps);
  unsigned pos[TB_FAKE_NCAPS];
  tb_fake_init(f);
  tb_fake_virtio(f, caps, TB_FAKE_NCAPS, pos);
  vdrv_vpci_t v;
  CHECK_RC(t, tb_fake_probe_dev(f, &d), 0, "probe_dev of the valid fake");
  TB_CHECK_EQ(t, d.msix_cap, pos[0]);
  CHECK_RC(t, vdrv_vpci_probe(&v, &d), 0, "vpci_probe of the valid fake");
  /* The last virtio capability (PCI_CFG) points back to the first one (MSI-X). */
  tb_fake_cfg_put(f, pos[TB_FAKE_NCAPS - 1] + 1, 1, pos[0]);
  CHECK_RC(t, tb_fake_probe_dev(f, &d), 0, "probe_dev with a looping list");
  TB_CHECK_EQ(t, d.pcie_cap, 0);
  TB_CHECK_EQ(t, d.msix_cap, pos[0]);  /* found before the loop closes */
  unsigned long ops0 = tb_fake_ops(f);
  CHECK_RC(t, vdrv_vpci_probe(&v, &d), -EPROTO, "vpci_probe with PCI_CFG -> MSI-X loop");
  TB_CHECK(t, v.broken, "transport not marked broken after invalid capabilities");
  TB_CHECK(t, tb_fake_ops(f) - ops0 < 2000, "vpci_probe used %lu bus operations on a loop",
           tb_fake_ops(f) - ops0);
  /* A loop among the virtio capabilities only: ISR -> NOTIFY. */
  tb_fake_init(f);
  tb_fake_virtio(f, caps, TB_FAKE_NCAPS, pos);
  tb_fake_cfg_put(f, pos[3] + 1, 1, pos[2]);
  CHECK_RC(t, tb_fake_probe_dev(f, &d), 0, "probe_dev with an ISR -> NOTIFY loop");
  CHECK_RC(t, vdrv_vpci_probe(&v, &d), -EPROTO, "vpci_probe with an ISR -> NOTIFY loop");
  TB_CHECK_EQ(t, f->refused, 0);
  TB_CHECK_EQ(t, f->stray, 0);
}

TB_TEST(drv_cap_pointers, "vdrv_pci_find_cap returns -EPROTO for a Capabilities Pointer or a "
                          "next pointer that is not DW aligned (0x41, 0x4A) or below 0x40 "
                          "(0x3C, 0x20, 0x04), and -ENOENT without the Capabilities List bit, "
                          "for an absent ID and for an `after` not in the list; vdrv_vpci_probe "
                          "turns a bad pointer into -EPROTO") {
  tb_fake_bus_t *f = &(tb_fake_bus_t){0};
  vdrv_pci_dev_t d;
  uint8_t off = 0;
  static const unsigned bad[] = {0x41, 0x4A, 0x3F, 0x3C, 0x20, 0x04};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    /* As the Capabilities Pointer. */
    bare_list(f, (const unsigned[]){0x40, 0x60}, (const uint8_t[]){0x10, 0x11}, 2);
    tb_fake_cfg_put(f, 0x34, 1, bad[i]);
    dev_on(f, &d);
    CHECK_RC(t, find_cap(t, f, &d, 0x11, 0, &off, "head"), -EPROTO,
             "Capabilities Pointer 0x%02x", bad[i]);
    /* As the next pointer of the first capability, before the wanted one. */
    bare_list(f, (const unsigned[]){0x40, 0x60}, (const uint8_t[]){0x10, 0x11}, 2);
    tb_fake_cfg_put(f, 0x41, 1, bad[i]);
    dev_on(f, &d);
    CHECK_RC(t, find_cap(t, f, &d, 0x11, 0, &off, "next"), -EPROTO, "next pointer 0x%02x",
             bad[i]);
    /* The capability before the bad pointer is still found. */
    CHECK_RC(t, find_cap(t, f, &d, 0x10, 0, &off, "next"), 0, "ID before next pointer 0x%02x",
             bad[i]);
  }
  bare_list(f, (const unsigned[]){0x40, 0x60}, (const uint8_t[]){0x10, 0x11}, 2);
  dev_on(f, &d);
  CHECK_RC(t, find_cap(t, f, &d, 0x11, 0, &off, "valid"), 0, "valid list");
  TB_CHECK_EQ(t, off, 0x60);
  CHECK_RC(t, find_cap(t, f, &d, 0x11, 0x40, &off, "after"), 0, "after 0x40");
  CHECK_RC(t, find_cap(t, f, &d, 0x11, 0x60, &off, "after"), -ENOENT, "after the last");
  CHECK_RC(t, find_cap(t, f, &d, 0x11, 0x50, &off, "after"), -ENOENT, "after 0x50 (not a cap)");
  CHECK_RC(t, find_cap(t, f, &d, 0x09, 0, &off, "absent"), -ENOENT, "absent ID");
  tb_fake_cfg_put(f, 0x06, 2, 0);  /* no Capabilities List: the pointer is not looked at */
  CHECK_RC(t, find_cap(t, f, &d, 0x11, 0, &off, "no list"), -ENOENT, "Status without Cap List");

  /* vpci_probe over a virtio device whose DEVICE capability points to 0x3C / 0x8E. */
  static const unsigned vbad[] = {0x3C, 0x8E};
  for (size_t i = 0; i < 2; i++) {
    tb_fake_cap_t caps[TB_FAKE_NCAPS];
    unsigned pos[TB_FAKE_NCAPS];
    vdrv_vpci_t v;
    tb_fake_virtio_caps(caps);
    tb_fake_init(f);
    tb_fake_virtio(f, caps, TB_FAKE_NCAPS, pos);
    tb_fake_cfg_put(f, pos[4] + 1, 1, vbad[i]);
    CHECK_RC(t, tb_fake_probe_dev(f, &d), 0, "probe_dev, DEVICE next 0x%02x", vbad[i]);
    CHECK_RC(t, vdrv_vpci_probe(&v, &d), -EPROTO, "vpci_probe, DEVICE next 0x%02x", vbad[i]);
  }
  TB_CHECK_EQ(t, f->refused, 0);
}

/* Probes a fake virtio device built from caps (after a valid baseline probed fine). */
static int vprobe(tb_t *t, const tb_fake_cap_t *caps, unsigned n, vdrv_vpci_t *v,
                  void (*tweak)(tb_fake_bus_t *f, const unsigned *pos), const char *what) {
  tb_fake_bus_t *f = &(tb_fake_bus_t){0};
  vdrv_pci_dev_t d;
  unsigned pos[16];
  tb_fake_init(f);
  tb_fake_virtio(f, caps, n, pos);
  if (tweak) tweak(f, pos);
  int rc = tb_fake_probe_dev(f, &d);
  CHECK_RC(t, rc, 0, "%s: probe_dev", what);
  if (rc) return rc;
  rc = vdrv_vpci_probe(v, &d);
  TB_CHECK(t, f->refused == 0 && tb_fake_ops(f) < 2000, "%s: %lu bus operations", what,
           tb_fake_ops(f));
  TB_CHECK(t, f->stray == 0, "%s: %lu accesses outside the function/BAR0", what, f->stray);
  if (rc == -EPROTO) TB_CHECK(t, v->broken, "%s: -EPROTO but transport not marked broken", what);
  return rc;
}

/* The baseline with one capability changed (index i gets c), or removed (c == NULL). */
static int vprobe_one(tb_t *t, unsigned i, const tb_fake_cap_t *c, vdrv_vpci_t *v,
                      const char *what) {
  tb_fake_cap_t caps[TB_FAKE_NCAPS], out[TB_FAKE_NCAPS];
  tb_fake_virtio_caps(caps);
  unsigned n = 0;
  for (unsigned k = 0; k < TB_FAKE_NCAPS; k++) {
    if (k == i && !c) continue;
    out[n++] = k == i ? *c : caps[k];
  }
  return vprobe(t, out, n, v, NULL, what);
}

TB_TEST(drv_vpci_missing_caps, "vdrv_vpci_probe: the valid fake probes (regions, multiplier, "
                               "PCI_CFG, num_queues, MSI-X size, queue_select back to 0); "
                               "-ENODEV for another vendor, a device ID above 0x107F, no "
                               "capabilities, no COMMON_CFG; -EPROTO without NOTIFY or ISR; "
                               "DEVICE_CFG and PCI_CFG optional") {
  vdrv_vpci_t v;
  tb_fake_cap_t caps[TB_FAKE_NCAPS];
  tb_fake_virtio_caps(caps);
  CHECK_RC(t, vprobe(t, caps, TB_FAKE_NCAPS, &v, NULL, "valid"), 0, "valid fake");
  TB_CHECK_EQ(t, v.common.bar, 0);
  TB_CHECK_EQ(t, v.common.offset, 0x0000);
  TB_CHECK_EQ(t, v.common.length, 0x38);
  TB_CHECK_EQ(t, v.notify.offset, 0x3000);
  TB_CHECK_EQ(t, v.notify.length, 0x10);
  TB_CHECK_EQ(t, v.notify_off_multiplier, 4);
  TB_CHECK_EQ(t, v.isr.offset, 0x1000);
  TB_CHECK_EQ(t, v.device.offset, 0x2000);
  TB_CHECK(t, v.pci_cfg_cap != 0, "PCI_CFG capability not recorded");
  TB_CHECK_EQ(t, v.num_queues, 4);
  TB_CHECK_EQ(t, v.msix_vectors, 8);
  TB_CHECK_EQ(t, v.broken, 0);

  /* Another vendor, or a device ID outside virtio's range: not a virtio device. */
  {
    tb_fake_bus_t *f = &(tb_fake_bus_t){0};
    vdrv_pci_dev_t d;
    tb_fake_init(f);
    tb_fake_virtio(f, caps, TB_FAKE_NCAPS, NULL);
    tb_fake_cfg_put(f, 0x00, 2, 0x8086);
    CHECK_RC(t, tb_fake_probe_dev(f, &d), 0, "probe_dev, vendor 0x8086");
    CHECK_RC(t, vdrv_vpci_probe(&v, &d), -ENODEV, "vpci_probe, vendor 0x8086");
    tb_fake_cfg_put(f, 0x00, 2, 0x1AF4);
    tb_fake_cfg_put(f, 0x02, 2, 0x1080);
    CHECK_RC(t, tb_fake_probe_dev(f, &d), 0, "probe_dev, device 0x1080");
    CHECK_RC(t, vdrv_vpci_probe(&v, &d), -ENODEV, "vpci_probe, device 0x1080");
  }
  CHECK_RC(t, vprobe(t, caps, 0, &v, NULL, "no capabilities"), -ENODEV, "no capabilities");
  CHECK_RC(t, vprobe(t, caps, 1, &v, NULL, "MSI-X only"), -ENODEV, "MSI-X only");
  CHECK_RC(t, vprobe_one(t, 1, NULL, &v, "no COMMON"), -ENODEV, "no COMMON_CFG");
  CHECK_RC(t, vprobe_one(t, 2, NULL, &v, "no NOTIFY"), -EPROTO, "no NOTIFY_CFG");
  CHECK_RC(t, vprobe_one(t, 3, NULL, &v, "no ISR"), -EPROTO, "no ISR_CFG");
  CHECK_RC(t, vprobe_one(t, 4, NULL, &v, "no DEVICE"), 0, "no DEVICE_CFG (optional)");
  TB_CHECK_EQ(t, v.device.bar, -1);
  CHECK_RC(t, vprobe_one(t, 5, NULL, &v, "no PCI_CFG"), 0, "no PCI_CFG (optional)");
  TB_CHECK_EQ(t, v.pci_cfg_cap, 0);
}

static void notify_off_5(tb_fake_bus_t *f, const unsigned *pos) {
  (void)pos;
  tb_fake_bar_put(f, 0x1E, 2, 3);  /* doorbell at 3 * 4 = 12: 12 + 2 <= 0x10 fits */
}
static void notify_off_4(tb_fake_bus_t *f, const unsigned *pos) {
  (void)pos;
  tb_fake_bar_put(f, 0x1E, 2, 4);  /* doorbell at 16: past the 0x10-byte notify region */
}
static void pcicfg_past_ff(tb_fake_bus_t *f, const unsigned *pos) {
  /* The DEVICE capability's next is a PCI_CFG capability (20 bytes) at 0xF0: it would end at
   * 0x104. */
  tb_fake_cfg_put(f, pos[4] + 1, 1, 0xF0);
  tb_fake_cfg_put(f, 0xF0, 4, 0x05140009u);  /* vndr, next 0, cap_len 20, PCI_CFG */
}

TB_TEST(drv_vpci_bad_caps, "vdrv_vpci_probe returns -EPROTO for each single defect: common cfg "
                           "length 0x34 (< 0x38) or offset 2, notify multiplier 1, 3 or 6, odd "
                           "notify offset, ISR length 0, misaligned device cfg, a region past "
                           "the end of BAR0, cap_len below 16 / NOTIFY below 20, a capability "
                           "past 0xFF, a doorbell outside the notify region; the limits "
                           "themselves (0x38, multiplier 0/2/4, region ending at the BAR end) "
                           "accepted") {
  vdrv_vpci_t v;
  tb_fake_cap_t c;
  tb_fake_cap_t base[TB_FAKE_NCAPS];
  tb_fake_virtio_caps(base);
#define ONE(i, field, val, want, what)                                    \
  do {                                                                    \
    c = base[i];                                                          \
    c.field = (val);                                                      \
    CHECK_RC(t, vprobe_one(t, (i), &c, &v, what), (want), "%s", what);   \
  } while (0)
  ONE(1, length, 0x34, -EPROTO, "common length 0x34");
  ONE(1, length, 0x38, 0, "common length 0x38");
  ONE(1, length, 0x1000, 0, "common length 0x1000");
  ONE(1, offset, 0x0002, -EPROTO, "common offset 2 (not DW aligned)");
  ONE(2, extra, 1, -EPROTO, "notify multiplier 1 (odd)");
  ONE(2, extra, 3, -EPROTO, "notify multiplier 3 (odd)");
  ONE(2, extra, 6, -EPROTO, "notify multiplier 6 (not a power of two)");
  ONE(2, extra, 0, 0, "notify multiplier 0");
  ONE(2, extra, 2, 0, "notify multiplier 2");
  ONE(2, offset, 0x3001, -EPROTO, "notify offset 0x3001 (odd)");
  ONE(3, length, 0, -EPROTO, "ISR length 0");
  ONE(4, offset, 0x2002, -EPROTO, "device cfg offset 0x2002 (not DW aligned)");
  /* Regions against the end of the 32 KiB BAR. */
  ONE(3, offset, 0x7FFC, 0, "ISR at 0x7FFC, 4 bytes: ends at the BAR end");
  ONE(3, offset, 0x7FFE, -EPROTO, "ISR at 0x7FFE, 4 bytes: past the BAR end");
  ONE(1, offset, 0x7FF0, -EPROTO, "common at 0x7FF0, 0x38 bytes: past the BAR end");
  ONE(4, length, 0x6001, -EPROTO, "device cfg 0x2000 + 0x6001: past the BAR end");
  ONE(2, length, 0xFFFFFFFFu, -EPROTO, "notify length 0xFFFFFFFF (offset + length wraps 32 bits)");
  /* Capability lengths. */
  ONE(1, cap_len, 12, -EPROTO, "COMMON cap_len 12");
  ONE(2, cap_len, 16, -EPROTO, "NOTIFY cap_len 16 (no multiplier)");
  ONE(5, cap_len, 16, -EPROTO, "PCI_CFG cap_len 16 (no pci_cfg_data)");
  CHECK_RC(t, vprobe(t, base, TB_FAKE_NCAPS, &v, pcicfg_past_ff, "PCI_CFG at 0xF0"), -EPROTO,
           "PCI_CFG capability at 0xF0 (20 bytes, past 0xFF)");
  /* The doorbell rule: queue_notify_off * multiplier + 2 inside the notify length. */
  CHECK_RC(t, vprobe(t, base, TB_FAKE_NCAPS, &v, notify_off_5, "notify_off 3"), 0,
           "queue_notify_off 3 (doorbell at 12 of 16)");
  CHECK_RC(t, vprobe(t, base, TB_FAKE_NCAPS, &v, notify_off_4, "notify_off 4"), -EPROTO,
           "queue_notify_off 4 (doorbell at 16 of 16)");
#undef ONE
}

TB_TEST(drv_vpci_bar_index, "vdrv_vpci_probe skips virtio capabilities that name bar >= 6 (6, "
                            "7, 0xFF) or an unassigned BAR, without touching MMIO for them: a "
                            "COMMON_CFG with bar 6 before a valid one probes with the valid one; "
                            "only bar >= 6: -ENODEV (COMMON) / -EPROTO (NOTIFY, ISR)") {
  vdrv_vpci_t v;
  static const uint8_t bars[] = {6, 7, 0xFF, 2};
  for (size_t i = 0; i < sizeof bars / sizeof bars[0]; i++) {
    tb_fake_cap_t base[TB_FAKE_NCAPS], caps[TB_FAKE_NCAPS + 1];
    tb_fake_virtio_caps(base);
    char what[64];
    /* A bad COMMON first (an offset that would be invalid if it were used), then the valid. */
    caps[0] = base[0];
    caps[1] = base[1];
    caps[1].bar = bars[i];
    caps[1].offset = 0x7FFF;
    memcpy(&caps[2], &base[1], sizeof base[0] * (TB_FAKE_NCAPS - 1));
    snprintf(what, sizeof what, "COMMON bar %u then a valid COMMON", bars[i]);
    CHECK_RC(t, vprobe(t, caps, TB_FAKE_NCAPS + 1, &v, NULL, what), 0, "%s", what);
    TB_CHECK_EQ_CTX(t, v.common.bar, 0, "%s", what);
    TB_CHECK_EQ_CTX(t, v.common.offset, 0, "%s", what);
    /* Only an unusable one of a required structure. */
    static const struct {
      unsigned idx;
      int want;
      const char *name;
    } only[] = {{1, -ENODEV, "COMMON"}, {2, -EPROTO, "NOTIFY"}, {3, -EPROTO, "ISR"}};
    for (size_t k = 0; k < 3; k++) {
      tb_fake_cap_t c = base[only[k].idx];
      c.bar = bars[i];
      snprintf(what, sizeof what, "only %s, bar %u", only[k].name, bars[i]);
      CHECK_RC(t, vprobe_one(t, only[k].idx, &c, &v, what), only[k].want, "%s", what);
    }
  }
}
