/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The modern virtio-pci transport (virtio 1.x "Virtio Over PCI Bus"), on top of vdrv_pci.h:
 * virtio capabilities, common configuration, status and feature negotiation, queue programming,
 * doorbells, ISR, device configuration, MSI-X table entries and the PCI_CFG access window.
 * The virtqueue and device layers above use only these functions: they never touch a BAR.
 *
 * Errors are negative errno values: those of vdrv_pci.h, plus
 *   -ENODEV    no virtio common configuration capability (a legacy device, or not virtio)
 *   -EPROTO    the device presents invalid capabilities, refuses FEATURES_OK, answers a queue
 *              vector with another real vector, or a queue's doorbell lies outside the notify
 *              region
 *   -ENOTSUP   VERSION_1 not offered
 *   -ETIMEDOUT reset not finished in VDRV_VPCI_RESET_POLLS polls
 *   -EIO       the transport (or the PCI device below it) is marked broken
 * `broken` is set when the device stops answering (a bus error), does not finish a reset, never
 * settles its config_generation, or has invalid capabilities; every later call returns -EIO,
 * except vdrv_vpci_reset, which clears it when a reset of a device whose probe succeeded
 * completes (as re-initialisation does). After a failed probe nothing clears it.
 */
#ifndef VDRV_VPCI_H
#define VDRV_VPCI_H

#include <stdint.h>

#include "vdrv_pci.h"
#include "vep_consts.h"

#define VDRV_FEATURE_WORDS 4            /* 128 feature bits */
#define VDRV_VPCI_MAX_QUEUES 256u       /* queues this transport drives (indices 0..255) */
#define VDRV_VPCI_RESET_POLLS 1000u     /* status reads while waiting for a reset to finish */
#define VDRV_VPCI_POLL_DELAY 64u        /* bus delay (cycles) between two polls */
#define VDRV_VPCI_GEN_RETRIES 16u       /* config_generation retries of a device-config read */
#define VDRV_VPCI_COMMON_MIN_LEN 0x38u  /* virtio 1.0 common configuration */

typedef struct vdrv_vpci_region {
  int bar;                              /* -1 if absent */
  uint32_t offset, length;
} vdrv_vpci_region_t;

typedef struct vdrv_vpci {
  vdrv_pci_dev_t *pci;
  vdrv_vpci_region_t common, notify, isr, device;
  uint32_t notify_off_multiplier;
  uint8_t pci_cfg_cap;                  /* config offset of the PCI_CFG capability, 0 if absent */
  uint16_t num_queues;                  /* as the device reports it */
  unsigned msix_vectors;                /* table size, 0 without MSI-X */
  uint32_t device_features[VDRV_FEATURE_WORDS], driver_features[VDRV_FEATURE_WORDS];
  /* queue_notify_off of each queue below min(num_queues, VDRV_VPCI_MAX_QUEUES), read at probe
   * (and again by vdrv_vpci_setup_queue), so that a doorbell is a single write. */
  uint16_t queue_notify_off[VDRV_VPCI_MAX_QUEUES];
  int probed;                           /* vdrv_vpci_probe succeeded */
  int broken;
} vdrv_vpci_t;

/* Whether feature `bit` is set in a VDRV_FEATURE_WORDS-word set (0 for bits beyond it). */
static inline int vdrv_vpci_has_feature(const uint32_t *words, unsigned bit)
{
  return bit < 32u * VDRV_FEATURE_WORDS && ((words[bit / 32u] >> (bit % 32u)) & 1u);
}

/* Finds the virtio capabilities: per the spec, for each type the first one the driver can use
 * (bar < 6 naming an assigned memory BAR; PCI_CFG needs none) and that is valid; others are
 * skipped, invalid ones included. Valid: cap_len per the type, alignment and minimum lengths per
 * the spec, region inside the BAR, common cfg length >= 0x38, notify multiplier 0 or an even
 * power of two, notify length covers every queue's doorbell (probe selects each queue to read
 * queue_notify_off, then selects queue 0 again). Common, ISR and notify are required; device cfg
 * and PCI_CFG are optional (bar -1 / pci_cfg_cap 0 when absent). Also reads num_queues and the
 * MSI-X table size. -ENODEV for a non-virtio device or one without a common cfg capability
 * (legacy); -EPROTO when a required type has no valid capability, or a type has usable
 * capabilities but none valid; on any failure the transport is broken for good. Touches no
 * status bit. */
int vdrv_vpci_probe(vdrv_vpci_t *v, vdrv_pci_dev_t *pci);

/* Register accessors of the common configuration (sizes 1, 2, 4; the field's own width;
 * naturally aligned inside the region, -EINVAL / -ERANGE otherwise). */
int vdrv_vpci_common_read(vdrv_vpci_t *v, unsigned off, unsigned size, uint32_t *val);
int vdrv_vpci_common_write(vdrv_vpci_t *v, unsigned off, unsigned size, uint32_t val);

int vdrv_vpci_get_status(vdrv_vpci_t *v, uint8_t *status);
int vdrv_vpci_set_status(vdrv_vpci_t *v, uint8_t status);   /* ORs status into the current value */

/* Writes 0 to device_status and polls (bus delay between polls, bounded: -ETIMEDOUT) until it
 * reads 0. On success clears `broken` and driver_features. -EIO without a successful probe (a
 * failed probe stays broken) or when the PCI device is broken. */
int vdrv_vpci_reset(vdrv_vpci_t *v);

/* Reads all VDRV_FEATURE_WORDS words of device_feature into v->device_features. */
int vdrv_vpci_read_features(vdrv_vpci_t *v);

/* Writes `accepted` (VDRV_FEATURE_WORDS words, not filtered: tests use it to try bad sets) into
 * driver_feature and v->driver_features, sets FEATURES_OK, re-reads status: 0 if kept, -EPROTO
 * if the device refused it. Does not set FAILED. */
int vdrv_vpci_write_features(vdrv_vpci_t *v, const uint32_t *accepted);

/* The standard sequence: reset, ACKNOWLEDGE, DRIVER, read features, accept (device & wanted)
 * plus VERSION_1 (required: -ENOTSUP if not offered), FEATURES_OK check; on failure sets FAILED.
 * Does not set DRIVER_OK. wanted may be NULL (only VERSION_1). Requesting NOTIFICATION_DATA or
 * NOTIF_CONFIG_DATA is the caller's mistake: vdrv_vpci_notify writes the queue index. */
int vdrv_vpci_init(vdrv_vpci_t *v, const uint32_t *wanted);

/* Sets DRIVER_OK and re-reads status: -EIO if the device reports DEVICE_NEEDS_RESET. */
int vdrv_vpci_driver_ok(vdrv_vpci_t *v);

/* Queue discovery and programming: select q, read queue_size (0 = absent: -ENOENT), optionally
 * write a smaller power-of-two size (0 = keep the device's; -EINVAL for a size that is not a
 * power of two or exceeds the device's), write desc/driver/device addresses (each as two 32-bit
 * halves, low first), write queue_msix_vector and read it back (-EIO if the device answers
 * NO_VECTOR for a real vector, -EPROTO for any other difference; the vector is not checked
 * against the table size, so tests can try out-of-range ones), and if enable, write
 * queue_enable = 1. Re-reads queue_notify_off (-EPROTO if its doorbell is outside the notify
 * region). -ERANGE for q >= VDRV_VPCI_MAX_QUEUES. *size_out (may be NULL) gets the size in use. */
int vdrv_vpci_setup_queue(vdrv_vpci_t *v, uint16_t q, uint16_t size, uint64_t desc,
                          uint64_t driver, uint64_t device, uint16_t vector, int enable,
                          uint16_t *size_out);

/* Writes config_msix_vector and reads it back: returns the read-back value in *readback. */
int vdrv_vpci_set_config_vector(vdrv_vpci_t *v, uint16_t vector, uint16_t *readback);

/* 16-bit write of q to its doorbell (notify region + queue_notify_off * multiplier). -ERANGE for
 * q >= min(num_queues, VDRV_VPCI_MAX_QUEUES). */
int vdrv_vpci_notify(vdrv_vpci_t *v, uint16_t q);

/* Reads (and so clears) the ISR status byte. */
int vdrv_vpci_read_isr(vdrv_vpci_t *v, uint8_t *isr);

/* Device configuration read of size 1/2/4/8 at an offset, wrapped in the config_generation retry
 * loop (bounded: after VDRV_VPCI_GEN_RETRIES the device is marked broken, -EIO). An 8-byte read
 * is two 32-bit reads, low first, at a 4-byte aligned offset; other sizes are naturally aligned.
 * -ENOENT without a device cfg capability, -ERANGE past its length. */
int vdrv_vpci_device_read(vdrv_vpci_t *v, unsigned off, unsigned size, uint64_t *val);
/* Device configuration write of size 1, 2 or 4 (for the fields a device type makes writable). */
int vdrv_vpci_device_write(vdrv_vpci_t *v, unsigned off, unsigned size, uint32_t val);

/* MSI-X table entry programming (address, data, mask) via BAR accesses per the capability's
 * table BIR/offset. The entry is masked before its address and data change, so that it never
 * fires half-written; then its Vector Control gets `masked`. -EINVAL for entry >= msix_vectors,
 * -ENOENT without MSI-X. */
int vdrv_vpci_msix_set_entry(vdrv_vpci_t *v, unsigned entry, uint64_t addr, uint32_t data,
                             int masked);

/* Access through the virtio_pci_cfg_cap window (bar/offset/length then pci_cfg_data), size 1, 2
 * or 4, off a multiple of size. -ENOENT without a PCI_CFG capability. */
int vdrv_vpci_cfgwin_read(vdrv_vpci_t *v, uint8_t bar, uint32_t off, unsigned size,
                          uint32_t *val);
int vdrv_vpci_cfgwin_write(vdrv_vpci_t *v, uint8_t bar, uint32_t off, unsigned size,
                           uint32_t val);

#endif /* VDRV_VPCI_H */
