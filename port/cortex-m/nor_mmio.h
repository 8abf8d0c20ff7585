/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A memory-mapped NOR flash, driven as a part's flash controller driver does it: reads are
 * plain loads, a program ANDs the new bytes into the array (bits only go from 1 to 0), an
 * erase sets a whole sector (or block) to the erased value. It checks the port's rules
 * (include/otaflow/port.h, "Flash": range, program unit, page, sector; the core's
 * ota_flash_check_program/ota_flash_check_erase, which the host flash model checks too) and
 * an optional write-protected range, and nothing else: no model of wear, timing or power. The
 * lean bootloader (firmware/bootloader_lean.c) drives the emulated board's internal flash
 * (SSRAM1 at 0x0) and its image store (PSRAM at 0x21000000) with it; on a real part the three
 * operations become the controller's command sequences.
 */
#ifndef OTAFLOW_NOR_MMIO_H
#define OTAFLOW_NOR_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include "otaflow/port.h"

/* NOR_MMIO_CHECK_RULES 1 (default): every operation is checked against the port's rules
 * (range, program unit, page, erase sector or block: port.h) before it touches the device.
 * 0: only the write-protected range is checked, for a program whose core issues nothing but
 * legal operations by construction: the lean bootloader's (firmware/CMakeLists.txt), whose
 * core checks its configuration against the devices' geometries when it starts (the region
 * on sectors, the store's layout) and then only reads, programs and erases inside it in
 * units of that geometry; the host's tests run that core on the flash model, which refuses
 * every operation that breaks a rule (tests/lean). A range check here would not protect the
 * bootloader either: its own code lies inside the internal flash's range. */
#ifndef NOR_MMIO_CHECK_RULES
#define NOR_MMIO_CHECK_RULES 1
#endif

/** One device (or a window of one). Caller-owned; set up by nor_mmio_init. */
typedef struct nor_mmio {
    ota_flash_t port;         /**< what the core gets (nor_mmio_port) */
    uint8_t *base;            /**< address of the device's (or window's) first byte */
    uint32_t protect_start;   /**< [start, end) refused while *locked (end 0: none) */
    uint32_t protect_end;
    const volatile bool *locked;
} nor_mmio_t;

/** The driver's operations (what NOR_MMIO_DEVICE puts in the port). */
extern const ota_flash_ops_t nor_mmio_ops;

/**
 * A static initialiser of the device `self` (the object it initialises): geometry `g` (an
 * initialiser), mapped at base, [start, start + len) refused while *locked (a pointer to a
 * volatile bool; NULL and 0, 0: none). The same device nor_mmio_init and nor_mmio_protect
 * make at run time, for a `static const nor_mmio_t`: no start-up code and no RAM (the lean
 * bootloader's devices). The driver never writes its nor_mmio_t.
 */
#define NOR_MMIO_DEVICE(self, base_addr, g, start, len, lock)                                    \
    {.port = {.ops = &nor_mmio_ops, .ctx = (void *)&(self), .geometry = g},                     \
     .base = (uint8_t *)(base_addr), .protect_start = (start), .protect_end = (start) + (len),  \
     .locked = (lock)}

/** A device of geometry g (uniform sectors) whose contents are mapped at base. */
void nor_mmio_init(nor_mmio_t *n, uintptr_t base, const ota_flash_geometry_t *g);

/** Refuse program/erase of [start, start + len) with OTA_FLASH_ERR_PROTECTED while *locked
 *  is true (a flash page lock register; the bootloader sets it before the jump). */
void nor_mmio_protect(nor_mmio_t *n, uint32_t start, uint32_t len, const volatile bool *locked);

/** The port of the device (what the core gets). */
const ota_flash_t *nor_mmio_port(const nor_mmio_t *n);

#endif /* OTAFLOW_NOR_MMIO_H */
