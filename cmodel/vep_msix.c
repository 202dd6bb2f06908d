/* SPDX-License-Identifier: Apache-2.0 */
/* C twin of rtl/vep_msix.sv; see vep_msix.h and docs/registers.md. */
#include "vep_msix.h"

#include "vep_consts.h"

#define REGION_TABLE (VEP_BAR_MSIX_TABLE_OFF >> VEP_BAR_REGION_SHIFT)
#define REGION_PBA (VEP_BAR_MSIX_PBA_OFF >> VEP_BAR_REGION_SHIFT)

void vep_msix_reset(vep_msix_q_t *q, const vep_params_t *p)
{
  *q = (vep_msix_q_t){0};
  /* Every entry starts masked, so nothing is sent before software programs it. */
  q->tbl_mask_q = p->MSIX_VECTORS >= 64 ? ~0ull : (1ull << p->MSIX_VECTORS) - 1u;
}

/* The MWr of vector v, built from its entry as it is now: one DW of Message Data to the Message
 * Address, 3DW header below 4 GiB. */
static vep_small_tlp_t message(const vep_msix_q_t *q, unsigned v, uint16_t completer_id)
{
  vep_small_tlp_t t = {0};
  uint64_t addr = (uint64_t)q->tbl_addr_hi_q[v] << 32 | q->tbl_addr_lo_q[v];
  vep_mem_req_hdr(t.hdr, 1, addr, 4, completer_id, 0);
  t.hdr_4dw = q->tbl_addr_hi_q[v] != 0;
  t.data_dw = 1;
  t.data[0] = q->tbl_data_q[v];
  return t;
}

void vep_msix_outputs(const vep_msix_q_t *q, const vep_params_t *p, vep_msix_out_t *out)
{
  (void)p;
  out->msix_rdata = q->msix_rdata_q;
  out->msg_valid = q->msg_valid_q;
  out->msg_tlp = message(q, q->msg_vector_q, q->completer_id_q);
}

static uint32_t read_dw(const vep_msix_q_t *q, const vep_params_t *p, unsigned region,
                        uint32_t off)
{
  if (region == REGION_PBA) {
    unsigned k = off >> 2;
    return k < 2 ? (uint32_t)(q->pending_q >> (32 * k)) : 0;
  }
  unsigned v = off / VEP_MSIX_ENTRY_SIZE;
  if (v >= p->MSIX_VECTORS) {
    return 0;
  }
  switch ((off >> 2) & 3u) {
  case 0: return q->tbl_addr_lo_q[v];
  case 1: return q->tbl_addr_hi_q[v];
  case 2: return q->tbl_data_q[v];
  default: return (uint32_t)(q->tbl_mask_q >> v) & VEP_MSIX_VECTOR_MASKED;
  }
}

static void write_dw(const vep_msix_q_t *q, const vep_params_t *p, const vep_regbus_t *b,
                     uint32_t off, vep_msix_q_t *d)
{
  unsigned v = off / VEP_MSIX_ENTRY_SIZE;
  if (v >= p->MSIX_VECTORS) {
    return;
  }
  switch ((off >> 2) & 3u) {
  case 0:
    d->tbl_addr_lo_q[v] = vep_merge32(q->tbl_addr_lo_q[v], b->reg_wdata, b->reg_be) & ~3u;
    break;
  case 1: d->tbl_addr_hi_q[v] = vep_merge32(q->tbl_addr_hi_q[v], b->reg_wdata, b->reg_be); break;
  case 2: d->tbl_data_q[v] = vep_merge32(q->tbl_data_q[v], b->reg_wdata, b->reg_be); break;
  default:
    if (b->reg_be & 1u) {
      d->tbl_mask_q = (q->tbl_mask_q & ~(1ull << v)) |
                      ((uint64_t)(b->reg_wdata & VEP_MSIX_VECTOR_MASKED) << v);
    }
    break;
  }
}

void vep_msix_next(const vep_msix_q_t *q, const vep_params_t *p, const vep_msix_in_t *in,
                   vep_msix_q_t *d)
{
  const vep_regbus_t *b = &in->bus;
  unsigned region = vep_bar_region(b);
  uint32_t off = b->reg_addr & 0xFFCu;
  int hit = b->reg_req && b->reg_space == 1 && (region == REGION_TABLE || region == REGION_PBA);
  uint64_t pend = q->pending_q;

  d->msix_rdata_q = (hit && !b->reg_we) ? read_dw(q, p, region, off) : 0;
  if (hit && b->reg_we && region == REGION_TABLE) {
    write_dw(q, p, b, off, d);
  }

  d->completer_id_q = in->completer_id;
  /* The mask bits as this cycle's write leaves them: a message is neither offered nor kept offered
   * in a cycle in which its entry is masked. */
  uint64_t unmasked = ~d->tbl_mask_q;
  int send_ok = in->msix_en && !in->msix_fmask && in->bus_master;

  if (q->msg_valid_q && in->msg_ready) {
    pend &= ~(1ull << q->msg_vector_q);
    d->msg_valid_q = 0;
  } else if (q->msg_valid_q && !(send_ok && ((unmasked >> q->msg_vector_q) & 1u))) {
    /* May no longer be sent: withdrawn, still pending; offered again (lowest first) once it may. */
    d->msg_valid_q = 0;
  }
  /* An event on the handshake edge is a new one: it needs its own message. */
  if (in->cfg_irq && in->msix_en && in->config_vector < p->MSIX_VECTORS) {
    pend |= 1ull << in->config_vector;
  }
  /* NO_VECTOR or a vector beyond the table sets nothing; as for the configuration event, nothing
   * is left pending while MSI-X is disabled (the ISR carries the event then). */
  for (unsigned i = 0; i < p->NUM_QUEUES; i++) {
    if (((in->q_irq >> i) & 1u) && in->msix_en && in->q_vector[i] < p->MSIX_VECTORS) {
      pend |= 1ull << in->q_vector[i];
    }
  }
  d->pending_q = pend;

  if (in->dev_reset) {
    /* The virtio device reset: no notification of an event from before it may leave. Every
     * pending bit clears and an offered message is withdrawn (an event on this edge too, though
     * vep_common_cfg never raises one with the reset). The table keeps its contents. */
    d->pending_q = 0;
    d->msg_valid_q = 0;
  } else if (!q->msg_valid_q && send_ok) {
    for (unsigned v = 0; v < p->MSIX_VECTORS; v++) {
      if (((q->pending_q & unmasked) >> v) & 1u) {
        d->msg_valid_q = 1;
        d->msg_vector_q = (uint8_t)v;
        break;
      }
    }
  }
}
