/* SPDX-License-Identifier: Apache-2.0 */
/* The TLP log (cosim_tlplog.h). */
#include "cosim_tlplog.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "vep_consts.h"

#define TL_TAGS 1024u
#define TL_TEXT 160u

/* An outstanding request, so that its completion can say what it answers. */
typedef struct tl_req {
  uint8_t open;
  char what[TL_TEXT];
} tl_req_t;

struct cosim_tlplog {
  FILE *f;
  const cosim_vmon_t *vmon;
  tl_req_t host_req[TL_TAGS];  /* root complex requests, by tag */
  tl_req_t dev_req[TL_TAGS];   /* device reads, by tag */
  cosim_tlp_t t;               /* decode scratch */
};

int cosim_tlplog_create(const char *path, const cosim_vmon_t *vmon, cosim_tlplog_t **out) {
  cosim_tlplog_t *l = calloc(1, sizeof(*l));
  if (!l) return -ENOMEM;
  /* Appending: a test that rebuilds its simulation (tb_reconfigure) continues the same file; the
   * runner empties it before the test. */
  l->f = fopen(path, "a");
  if (!l->f) {
    int e = errno;
    free(l);
    return -e;
  }
  l->vmon = vmon;
  fseek(l->f, 0, SEEK_END);
  if (ftell(l->f) == 0)
    fprintf(l->f, "#    cycle  dir    kind     fields | virtio meaning (docs/tlp-log.md)\n");
  *out = l;
  return 0;
}

void cosim_tlplog_destroy(cosim_tlplog_t *l) {
  if (!l) return;
  fclose(l->f);
  free(l);
}

typedef struct tl_reg {
  unsigned off, len;
  const char *name;
} tl_reg_t;

static const tl_reg_t cfg_regs[] = {
    {VEP_CFG_VENDOR_ID, 2, "Vendor ID"}, {VEP_CFG_DEVICE_ID, 2, "Device ID"},
    {VEP_CFG_COMMAND, 2, "Command"}, {VEP_CFG_STATUS, 2, "Status"},
    {VEP_CFG_REVISION, 1, "Revision ID"}, {VEP_CFG_CLASS, 3, "Class Code"},
    {VEP_CFG_CACHE_LINE, 1, "Cache Line Size"}, {0x0D, 1, "Latency Timer"},
    {VEP_CFG_HEADER_TYPE, 1, "Header Type"}, {0x0F, 1, "BIST"},
    {0x10, 4, "BAR0"}, {0x14, 4, "BAR1"}, {0x18, 4, "BAR2"}, {0x1C, 4, "BAR3"},
    {0x20, 4, "BAR4"}, {0x24, 4, "BAR5"}, {0x28, 4, "CardBus CIS"},
    {VEP_CFG_SUBSYS_VENDOR, 2, "Subsystem Vendor ID"}, {VEP_CFG_SUBSYS_ID, 2, "Subsystem ID"},
    {VEP_CFG_ROM_BAR, 4, "Expansion ROM BAR"}, {VEP_CFG_CAP_PTR, 1, "Capabilities Pointer"},
    {VEP_CFG_INT_LINE, 1, "Interrupt Line"}, {VEP_CFG_INT_PIN, 1, "Interrupt Pin"},
    {0x3E, 2, "Min_Gnt/Max_Lat"},
};

typedef struct tl_cap {
  unsigned off, len;
  const char *name;
} tl_cap_t;

static const tl_cap_t caps[] = {
    {VEP_CAP_PCIE_OFF, VEP_CAP_PCIE_LEN, "PCIe cap"},
    {VEP_CAP_MSIX_OFF, 12, "MSI-X cap"},
    {VEP_CAP_COMMON_OFF, VEP_VIRTIO_CAP_LEN, "virtio cap COMMON_CFG"},
    {VEP_CAP_NOTIFY_OFF, VEP_VIRTIO_NOTIFY_CAP_LEN, "virtio cap NOTIFY_CFG"},
    {VEP_CAP_ISR_OFF, VEP_VIRTIO_CAP_LEN, "virtio cap ISR_CFG"},
    {VEP_CAP_DEVICE_OFF, VEP_VIRTIO_CAP_LEN, "virtio cap DEVICE_CFG"},
    {VEP_CAP_PCICFG_OFF, VEP_VIRTIO_PCICFG_CAP_LEN, "virtio cap PCI_CFG"},
    {VEP_CAP_PM_OFF, 8, "PM cap"},
};

static const char *cap_field(unsigned cap, unsigned o) {
  if (o < 2) return "header";
  if (cap == VEP_CAP_PCIE_OFF) {
    static const tl_reg_t f[] = {
        {VEP_PCIE_CAPS, 2, "PCIe Capabilities"}, {VEP_PCIE_DEVCAP, 4, "Device Capabilities"},
        {VEP_PCIE_DEVCTL, 2, "Device Control"}, {VEP_PCIE_DEVSTA, 2, "Device Status"},
        {VEP_PCIE_LNKCAP, 4, "Link Capabilities"}, {VEP_PCIE_LNKCTL, 2, "Link Control"},
        {VEP_PCIE_LNKSTA, 2, "Link Status"}, {VEP_PCIE_DEVCAP2, 4, "Device Capabilities 2"},
        {VEP_PCIE_DEVCTL2, 2, "Device Control 2"}, {VEP_PCIE_LNKCAP2, 4, "Link Capabilities 2"},
        {VEP_PCIE_LNKCTL2, 2, "Link Control 2"}, {VEP_PCIE_LNKSTA2, 2, "Link Status 2"},
    };
    for (size_t i = 0; i < sizeof f / sizeof *f; i++)
      if (o >= f[i].off && o < f[i].off + f[i].len) return f[i].name;
    return "reserved";
  }
  if (cap == VEP_CAP_MSIX_OFF)
    return o < VEP_MSIX_TABLE ? "Message Control" : o < VEP_MSIX_PBA ? "Table Offset/BIR"
                                                                    : "PBA Offset/BIR";
  if (cap == VEP_CAP_PM_OFF) return o < VEP_PM_PMCSR ? "PMC" : "PMCSR";
  if (o < VEP_VIRTIO_CAP_BAR) return "cap_len/cfg_type";
  if (o < VEP_VIRTIO_CAP_OFFSET) return "bar";
  if (o < VEP_VIRTIO_CAP_LENGTH) return "offset";
  if (o < VEP_VIRTIO_CAP_EXTRA) return "length";
  return cap == VEP_CAP_NOTIFY_OFF ? "notify_off_multiplier" : "pci_cfg_data";
}

void cosim_tlplog_cfg_reg_name(unsigned off, char *buf, size_t len) {
  for (size_t i = 0; i < sizeof cfg_regs / sizeof *cfg_regs; i++)
    if (off >= cfg_regs[i].off && off < cfg_regs[i].off + cfg_regs[i].len) {
      snprintf(buf, len, "%s", cfg_regs[i].name);
      return;
    }
  for (size_t i = 0; i < sizeof caps / sizeof *caps; i++)
    if (off >= caps[i].off && off < caps[i].off + caps[i].len) {
      snprintf(buf, len, "%s %s", caps[i].name, cap_field(caps[i].off, off - caps[i].off));
      return;
    }
  snprintf(buf, len, off >= 0x100 ? "extended config 0x%03x" : "config 0x%02x", off);
}

/* Byte count and the value of a 1- or 2-DW request (its enabled bytes), for the meaning. */
static unsigned req_bytes(const cosim_tlp_t *t, uint64_t *first, uint64_t *val) {
  unsigned off0;
  unsigned n = cosim_tlp_byte_span(t, &off0);
  *first = t->addr + off0;
  *val = 0;
  if (t->ndata && n <= 8) {
    uint64_t raw = t->ndata > 1 ? (uint64_t)t->data[1] << 32 | t->data[0] : t->data[0];
    *val = (raw >> (8 * off0)) & (n >= 8 ? ~0ull : (1ull << (8 * n)) - 1);
  }
  return n;
}

static void kind_text(const cosim_tlp_t *t, char *buf, size_t len) {
  cosim_tlp_kind_t k = cosim_tlp_kind(t->fmt_type);
  int four = cosim_tlp_is_4dw(t->fmt_type);
  if (k == COSIM_TLP_KIND_MRD || k == COSIM_TLP_KIND_MWR)
    snprintf(buf, len, "%s%s", cosim_tlp_kind_name(k), four ? "64" : "32");
  else if (k == COSIM_TLP_KIND_MSG && t->msg_code == VEP_MSG_ASSERT_INTA)
    snprintf(buf, len, "Msg(Assert_INTA)");
  else if (k == COSIM_TLP_KIND_MSG && t->msg_code == VEP_MSG_DEASSERT_INTA)
    snprintf(buf, len, "Msg(Deassert_INTA)");
  else if (k == COSIM_TLP_KIND_MSG || k == COSIM_TLP_KIND_MSGD)
    snprintf(buf, len, "%s(0x%02x)", cosim_tlp_kind_name(k), t->msg_code);
  else
    snprintf(buf, len, "%s", cosim_tlp_kind_name(k));
}

/* Copies src into dst (size n), cut short if need be. */
static void copy_text(char *dst, size_t n, const char *src) {
  size_t k = strlen(src);
  if (k >= n) k = n - 1;
  memcpy(dst, src, k);
  dst[k] = '\0';
}

/* The fields of t, like an analyzer, and its meaning (dev: it comes from the device). */
static void line(cosim_tlplog_t *l, uint64_t cycle, const cosim_tlp_t *t, int dev, int fault) {
  char kind[32], fields[160], meaning[2 * TL_TEXT] = "";
  kind_text(t, kind, sizeof kind);
  cosim_tlp_kind_t k = cosim_tlp_kind(t->fmt_type);
  uint64_t first, val;
  switch (k) {
    case COSIM_TLP_KIND_MRD:
    case COSIM_TLP_KIND_MWR: {
      unsigned n = req_bytes(t, &first, &val);
      int write = k == COSIM_TLP_KIND_MWR;
      snprintf(fields, sizeof fields, "addr=0x%" PRIx64 " len=%u req=%04x tag=%03x be=%x/%x",
               first, n, t->req_id, t->tag, t->first_be, t->last_be);
      cosim_vmon_describe(l->vmon, dev, write, first, n,
                          dev && write ? (t->ndata ? t->data[0] : 0) : val, meaning,
                          TL_TEXT);
      if (!write) {
        tl_req_t *r = dev ? &l->dev_req[t->tag % TL_TAGS] : &l->host_req[t->tag % TL_TAGS];
        r->open = 1;
        copy_text(r->what, sizeof r->what, meaning);
      }
      break;
    }
    case COSIM_TLP_KIND_CFGRD0:
    case COSIM_TLP_KIND_CFGWR0:
    case COSIM_TLP_KIND_CFGRD1:
    case COSIM_TLP_KIND_CFGWR1: {
      unsigned off = t->cfg_reg & 0xFFCu, shift = 0;
      while (shift < 4 && t->first_be && !(t->first_be >> shift & 1u)) shift++;
      int write = k == COSIM_TLP_KIND_CFGWR0 || k == COSIM_TLP_KIND_CFGWR1;
      char reg[64];
      cosim_tlplog_cfg_reg_name(off + shift, reg, sizeof reg);
      snprintf(fields, sizeof fields, "bdf=%02x:%02x.%x reg=0x%03x be=%x req=%04x tag=%03x",
               t->cfg_bdf >> 8, t->cfg_bdf >> 3 & 0x1F, t->cfg_bdf & 7, off, t->first_be,
               t->req_id, t->tag);
      if (write)
        snprintf(meaning, sizeof meaning, "%s write 0x%x", reg,
                 t->ndata ? t->data[0] >> (8 * shift) : 0);
      else
        snprintf(meaning, sizeof meaning, "%s read", reg);
      tl_req_t *r = &l->host_req[t->tag % TL_TAGS];
      r->open = 1;
      copy_text(r->what, sizeof r->what, meaning);
      break;
    }
    case COSIM_TLP_KIND_CPL:
    case COSIM_TLP_KIND_CPLD: {
      snprintf(fields, sizeof fields, "%s cpl=%04x req=%04x tag=%03x bc=%u la=0x%02x len=%u%s",
               cosim_tlp_status_name(t->status), t->cpl_id, t->req_id, t->tag,
               t->byte_count ? t->byte_count : 4096u, t->lower_addr,
               k == COSIM_TLP_KIND_CPLD ? 4u * t->len_dw : 0u, t->ep ? " EP" : "");
      /* A completion the host sends answers a device read, and the other way round. */
      tl_req_t *r = dev ? &l->host_req[t->tag % TL_TAGS] : &l->dev_req[t->tag % TL_TAGS];
      if (r->open) {
        char v[32] = "";
        if (dev && k == COSIM_TLP_KIND_CPLD && t->ndata)
          snprintf(v, sizeof v, " = 0x%08x", t->data[0]);
        snprintf(meaning, sizeof meaning, "%s for %s (tag %03x)%s", kind, r->what, t->tag, v);
        uint32_t bc = t->byte_count ? t->byte_count : 4096u;
        if (k == COSIM_TLP_KIND_CPL || bc <= 4u * t->len_dw - (t->lower_addr & 3u)) r->open = 0;
      } else {
        snprintf(meaning, sizeof meaning, "answers no outstanding request");
      }
      break;
    }
    default:
      snprintf(fields, sizeof fields, "req=%04x", t->req_id);
      if (k == COSIM_TLP_KIND_MSG && t->msg_code == VEP_MSG_ASSERT_INTA)
        snprintf(meaning, sizeof meaning, "INTA asserted");
      else if (k == COSIM_TLP_KIND_MSG && t->msg_code == VEP_MSG_DEASSERT_INTA)
        snprintf(meaning, sizeof meaning, "INTA deasserted");
      break;
  }
  fprintf(l->f, "%10" PRIu64 "  %s  %-8s %-58s | %s%s\n", cycle, dev ? "EP>RC" : "RC>EP", kind,
          fields, fault ? "[injected fault] " : "", meaning);
}

void cosim_tlplog_host(cosim_tlplog_t *l, uint64_t cycle, const uint32_t *dws, size_t n,
                       int fault) {
  const char *why = NULL;
  if (cosim_tlp_decode(dws, n, &l->t, &why)) {
    fprintf(l->f, "%10" PRIu64 "  RC>EP  %-8s %zu DWs, DW0=0x%08x%-34s | malformed: %s\n", cycle,
            "raw", n, n ? dws[0] : 0, "", why ? why : "?");
    return;
  }
  line(l, cycle, &l->t, 0, fault);
}

void cosim_tlplog_dev(cosim_tlplog_t *l, uint64_t cycle, const cosim_tlp_t *t) {
  line(l, cycle, t, 1, 0);
}

void cosim_tlplog_note(cosim_tlplog_t *l, uint64_t cycle, const char *what) {
  fprintf(l->f, "%10" PRIu64 "  RC     %-8s %-58s | %s\n", cycle, "-", "(not on the link)", what);
}
