/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio 1.x structures as the driver sees them in memory or in a BAR, with compile-time checks
 * that every field sits at the offset the specification (and include/vep_consts.h) gives.
 * All multi-byte fields are little-endian; the code that reads them converts explicitly.
 */
#ifndef VEP_VIRTIO_H
#define VEP_VIRTIO_H

#include <stddef.h>
#include <stdint.h>

#include "vep_consts.h"

/* virtio_pci_cap: a vendor-specific PCI capability */
struct vep_virtio_pci_cap {
  uint8_t cap_vndr;
  uint8_t cap_next;
  uint8_t cap_len;
  uint8_t cfg_type;
  uint8_t bar;
  uint8_t id;
  uint8_t padding[2];
  uint32_t offset;
  uint32_t length;
};
_Static_assert(sizeof(struct vep_virtio_pci_cap) == VEP_VIRTIO_CAP_LEN, "virtio_pci_cap size");
_Static_assert(offsetof(struct vep_virtio_pci_cap, cfg_type) == VEP_VIRTIO_CAP_CFG_TYPE, "");
_Static_assert(offsetof(struct vep_virtio_pci_cap, bar) == VEP_VIRTIO_CAP_BAR, "");
_Static_assert(offsetof(struct vep_virtio_pci_cap, offset) == VEP_VIRTIO_CAP_OFFSET, "");
_Static_assert(offsetof(struct vep_virtio_pci_cap, length) == VEP_VIRTIO_CAP_LENGTH, "");

struct vep_virtio_pci_notify_cap {
  struct vep_virtio_pci_cap cap;
  uint32_t notify_off_multiplier;
};
_Static_assert(sizeof(struct vep_virtio_pci_notify_cap) == VEP_VIRTIO_NOTIFY_CAP_LEN, "");

struct vep_virtio_pci_cfg_cap {
  struct vep_virtio_pci_cap cap;
  uint8_t pci_cfg_data[4];
};
_Static_assert(sizeof(struct vep_virtio_pci_cfg_cap) == VEP_VIRTIO_PCICFG_CAP_LEN, "");

/* virtio_pci_common_cfg, the virtio 1.0 fields */
struct vep_virtio_pci_common_cfg {
  uint32_t device_feature_select;
  uint32_t device_feature;
  uint32_t driver_feature_select;
  uint32_t driver_feature;
  uint16_t config_msix_vector;
  uint16_t num_queues;
  uint8_t device_status;
  uint8_t config_generation;
  uint16_t queue_select;
  uint16_t queue_size;
  uint16_t queue_msix_vector;
  uint16_t queue_enable;
  uint16_t queue_notify_off;
  uint32_t queue_desc_lo, queue_desc_hi;
  uint32_t queue_driver_lo, queue_driver_hi;
  uint32_t queue_device_lo, queue_device_hi;
};
#define VEP_CHECK_COMMON(field, off) \
  _Static_assert(offsetof(struct vep_virtio_pci_common_cfg, field) == (off), #field)
VEP_CHECK_COMMON(device_feature_select, VEP_COMMON_DFSELECT);
VEP_CHECK_COMMON(device_feature, VEP_COMMON_DF);
VEP_CHECK_COMMON(driver_feature_select, VEP_COMMON_GFSELECT);
VEP_CHECK_COMMON(driver_feature, VEP_COMMON_GF);
VEP_CHECK_COMMON(config_msix_vector, VEP_COMMON_MSIX);
VEP_CHECK_COMMON(num_queues, VEP_COMMON_NUMQ);
VEP_CHECK_COMMON(device_status, VEP_COMMON_STATUS);
VEP_CHECK_COMMON(config_generation, VEP_COMMON_CFGGEN);
VEP_CHECK_COMMON(queue_select, VEP_COMMON_Q_SELECT);
VEP_CHECK_COMMON(queue_size, VEP_COMMON_Q_SIZE);
VEP_CHECK_COMMON(queue_msix_vector, VEP_COMMON_Q_MSIX);
VEP_CHECK_COMMON(queue_enable, VEP_COMMON_Q_ENABLE);
VEP_CHECK_COMMON(queue_notify_off, VEP_COMMON_Q_NOFF);
VEP_CHECK_COMMON(queue_desc_lo, VEP_COMMON_Q_DESCLO);
VEP_CHECK_COMMON(queue_desc_hi, VEP_COMMON_Q_DESCHI);
VEP_CHECK_COMMON(queue_driver_lo, VEP_COMMON_Q_AVAILLO);
VEP_CHECK_COMMON(queue_driver_hi, VEP_COMMON_Q_AVAILHI);
VEP_CHECK_COMMON(queue_device_lo, VEP_COMMON_Q_USEDLO);
VEP_CHECK_COMMON(queue_device_hi, VEP_COMMON_Q_USEDHI);
_Static_assert(sizeof(struct vep_virtio_pci_common_cfg) == VEP_BAR_COMMON_LEN, "common cfg size");

/* virtio-blk device configuration, through num_queues (the part this endpoint implements) */
struct vep_virtio_blk_config {
  uint64_t capacity;
  uint32_t size_max;
  uint32_t seg_max;
  struct {
    uint16_t cylinders;
    uint8_t heads;
    uint8_t sectors;
  } geometry;
  uint32_t blk_size;
  struct {
    uint8_t physical_block_exp;
    uint8_t alignment_offset;
    uint16_t min_io_size;
    uint32_t opt_io_size;
  } topology;
  uint8_t writeback;
  uint8_t unused0;
  uint16_t num_queues;
};
#define VEP_CHECK_BLK(field, off) \
  _Static_assert(offsetof(struct vep_virtio_blk_config, field) == (off), #field)
VEP_CHECK_BLK(capacity, VEP_BLK_CFG_CAPACITY);
VEP_CHECK_BLK(size_max, VEP_BLK_CFG_SIZE_MAX);
VEP_CHECK_BLK(seg_max, VEP_BLK_CFG_SEG_MAX);
VEP_CHECK_BLK(geometry, VEP_BLK_CFG_GEOMETRY);
VEP_CHECK_BLK(blk_size, VEP_BLK_CFG_BLK_SIZE);
VEP_CHECK_BLK(topology, VEP_BLK_CFG_TOPOLOGY);
VEP_CHECK_BLK(writeback, VEP_BLK_CFG_WRITEBACK);
VEP_CHECK_BLK(num_queues, VEP_BLK_CFG_NUM_QUEUES);
/* The uint64_t capacity pads the C struct to 40 bytes; the device structure ends at num_queues. */
_Static_assert(offsetof(struct vep_virtio_blk_config, num_queues) + 2 == VEP_BAR_DEVICE_LEN,
               "blk config length");

/* Split virtqueue (virtio 1.0 section 2.6) */
#define VEP_VRING_DESC_F_NEXT       1u
#define VEP_VRING_DESC_F_WRITE      2u
#define VEP_VRING_DESC_F_INDIRECT   4u
#define VEP_VRING_AVAIL_F_NO_INTERRUPT 1u
#define VEP_VRING_USED_F_NO_NOTIFY  1u

struct vep_vring_desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags;
  uint16_t next;
};
_Static_assert(sizeof(struct vep_vring_desc) == 16, "vring_desc size");
_Static_assert(offsetof(struct vep_vring_desc, next) == 14, "vring_desc next");

struct vep_vring_used_elem {
  uint32_t id;
  uint32_t len;
};
_Static_assert(sizeof(struct vep_vring_used_elem) == 8, "vring_used_elem size");

#endif /* VEP_VIRTIO_H */
