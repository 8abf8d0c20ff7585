/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow port layer: everything the portable core needs from the chip and the network.
 *
 * A new target implements these interfaces; nothing else in src/ touches hardware or an OS.
 * Each interface is a table of function pointers plus an opaque context, so one program can
 * hold several instances (internal program flash and the external image store; many
 * transports in a test that runs many agents).
 */
#ifndef OTAFLOW_PORT_H
#define OTAFLOW_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------
 * Flash
 *
 * A NOR flash device: bits can only be programmed from 1 to 0; an erase sets a whole erase
 * unit back to the erased value. Rules every implementation enforces (and that the host model
 * checks strictly, so that the core cannot come to rely on a forgiving device):
 *  - read:    any address and length inside the device.
 *  - program: address and length multiples of program_unit, 0 < len <= page_size, the range
 *             inside one page (page_size bytes, aligned); each program unit may be programmed
 *             once between two erases of its erase unit.
 *  - erase:   exactly one erase sector: addr == the sector's start and len == its size; or
 *             (if block_size != 0) addr aligned to block_size and len == block_size (one
 *             faster "block erase"), where the block starts and ends on sector boundaries.
 *
 * Erase sectors. A uniform device (sectors == NULL) has sectors of erase_unit bytes, aligned.
 * A device of mixed sector sizes (an STM32F4's bank: 4 x 16K, 1 x 64K, 7 x 128K) lists them
 * as runs in address order from 0: {count, size} each, sizes powers of two and multiples of
 * erase_unit, every sector aligned to its own size, the runs covering exactly `size` bytes;
 * erase_unit is then the smallest sector size (page_size <= erase_unit still holds, so a
 * page never crosses a sector). The table is the port's (static, not copied). The core walks
 * sectors only through ota_flash_sector_at / ota_flash_sector_next / ota_flash_on_sectors.
 * ------------------------------------------------------------------------------------------ */

/** Result of a flash operation. */
typedef enum ota_flash_status {
    OTA_FLASH_OK = 0,
    OTA_FLASH_ERR_RANGE = -1,     /**< address or length outside the device */
    OTA_FLASH_ERR_ALIGN = -2,     /**< misaligned, wrong-size or page-crossing program/erase */
    OTA_FLASH_ERR_OVERWRITE = -3, /**< program of a unit already programmed since its erase */
    OTA_FLASH_ERR_POWER = -4,     /**< device has no power (after a cut, until power-on) */
    OTA_FLASH_ERR_IO = -5,        /**< the device or its backing store failed */
    OTA_FLASH_ERR_PROTECTED = -6, /**< program/erase of a write-protected range (the guard
                                       storage once the bootloader locked it) */
} ota_flash_status_t;

/** One run of equal erase sectors: count sectors of size bytes each. */
typedef struct ota_flash_sector_run {
    uint32_t count; /**< sectors in the run (> 0) */
    uint32_t size;  /**< bytes per sector (power of two, multiple of erase_unit) */
} ota_flash_sector_run_t;

/** Shape of a flash device. All sizes in bytes; all but erased_value are powers of two.
 *  Zero-initialised sectors/sector_runs (every existing initialiser) mean a uniform device. */
typedef struct ota_flash_geometry {
    uint32_t size;          /**< total size */
    uint32_t erase_unit;    /**< smallest erase (sector / page); with a table, its smallest */
    uint32_t block_size;    /**< larger erase with its own op, or 0 if none */
    uint32_t program_unit;  /**< program granularity and alignment */
    uint32_t page_size;     /**< largest single program; a program never crosses a page */
    uint8_t erased_value;   /**< value of an erased byte (0xFF for NOR) */
    const ota_flash_sector_run_t *sectors; /**< runs from address 0; NULL: uniform erase_unit */
    uint32_t sector_runs;   /**< entries in sectors (0 with NULL) */
} ota_flash_geometry_t;

/** One erase sector: where it starts and how big it is. */
typedef struct ota_flash_sector {
    uint32_t start;
    uint32_t size;
} ota_flash_sector_t;

/**
 * The erase sector containing addr (src/flash_sectors.c).
 * @return true and *out set; false if addr is outside the device or the table does not cover
 *         it (then *out is {0, 0}).
 */
bool ota_flash_sector_at(const ota_flash_geometry_t *g, uint32_t addr, ota_flash_sector_t *out);

/**
 * The sector after *s (in place). @return false (and *s unchanged) when *s is the last one.
 */
bool ota_flash_sector_next(const ota_flash_geometry_t *g, ota_flash_sector_t *s);

/**
 * True if [addr, addr + len) lies inside the device and starts and ends on sector boundaries
 * (len > 0), i.e. erasing whole sectors covers exactly that range.
 */
bool ota_flash_on_sectors(const ota_flash_geometry_t *g, uint32_t addr, uint32_t len);

/**
 * True if the sector table is well formed (the rules above); a NULL table always is.
 * Checks only the table against size and erase_unit, not the rest of the geometry.
 */
bool ota_flash_sectors_valid(const ota_flash_geometry_t *g);

/**
 * True if len is the size of some erase sector of the device (erase_unit when uniform).
 */
bool ota_flash_is_sector_size(const ota_flash_geometry_t *g, uint32_t len);

/**
 * The program rules above, for a driver to check before it touches the device.
 * @return OTA_FLASH_OK, OTA_FLASH_ERR_RANGE (outside the device) or OTA_FLASH_ERR_ALIGN
 *         (len 0, misaligned, longer than a page or crossing one).
 */
ota_flash_status_t ota_flash_check_program(const ota_flash_geometry_t *g, uint32_t addr,
                                           uint32_t len);

/**
 * The erase rules above, likewise. *block is set to whether the erase is a block erase
 * rather than one sector's (their timing differs).
 * @return OTA_FLASH_OK, OTA_FLASH_ERR_RANGE or OTA_FLASH_ERR_ALIGN (not one sector nor one
 *         aligned block of whole sectors).
 */
ota_flash_status_t ota_flash_check_erase(const ota_flash_geometry_t *g, uint32_t addr,
                                         uint32_t len, bool *block);

/** Operations of a flash device; ctx is ota_flash_t.ctx. */
typedef struct ota_flash_ops {
    /** Read len bytes at addr into buf. */
    ota_flash_status_t (*read)(void *ctx, uint32_t addr, void *buf, uint32_t len);
    /** Program len bytes from buf at addr (see the rules above). */
    ota_flash_status_t (*program)(void *ctx, uint32_t addr, const void *buf, uint32_t len);
    /** Erase one erase unit or one block starting at addr. */
    ota_flash_status_t (*erase)(void *ctx, uint32_t addr, uint32_t len);
} ota_flash_ops_t;

/** A flash device as the core sees it. */
typedef struct ota_flash {
    const ota_flash_ops_t *ops;
    void *ctx;
    ota_flash_geometry_t geometry;
} ota_flash_t;

/** Read from a flash device. */
static inline ota_flash_status_t ota_flash_read(const ota_flash_t *f, uint32_t addr, void *buf,
                                                uint32_t len)
{
    return f->ops->read(f->ctx, addr, buf, len);
}

/** Program a flash device. */
static inline ota_flash_status_t ota_flash_program(const ota_flash_t *f, uint32_t addr,
                                                   const void *buf, uint32_t len)
{
    return f->ops->program(f->ctx, addr, buf, len);
}

/** Erase one sector (addr its start, len its size) or one block (len == block_size). */
static inline ota_flash_status_t ota_flash_erase(const ota_flash_t *f, uint32_t addr, uint32_t len)
{
    return f->ops->erase(f->ctx, addr, len);
}

/* ------------------------------------------------------------------------------------------
 * Transport: one non-blocking byte stream (TCP, optionally TLS) at a time per context.
 *
 * No call blocks. A call that cannot make progress now returns OTA_NET_WOULD_BLOCK and is
 * repeated later with the same arguments. DNS resolution happens inside connect.
 * ------------------------------------------------------------------------------------------ */

/** Result of a transport operation. */
typedef enum ota_net_status {
    OTA_NET_OK = 0,
    OTA_NET_WOULD_BLOCK = 1,     /**< no progress possible now: call again later */
    OTA_NET_ERR_DNS = -1,        /**< host name could not be resolved */
    OTA_NET_ERR_REFUSED = -2,    /**< connection refused or host unreachable */
    OTA_NET_ERR_CLOSED = -3,     /**< peer closed the connection (orderly end of stream) */
    OTA_NET_ERR_RESET = -4,      /**< connection reset or broken */
    OTA_NET_ERR_TLS = -5,        /**< TLS handshake or certificate verification failed */
    OTA_NET_ERR_IO = -6,         /**< any other local failure (no socket, no memory in stack) */
    OTA_NET_ERR_DOWN = -7,       /**< the network interface is not up */
} ota_net_status_t;

/** Operations of a transport; ctx is ota_transport_t.ctx. */
typedef struct ota_transport_ops {
    /** True when the network is up (link + address): the agent waits for this. */
    bool (*network_up)(void *ctx);
    /**
     * Start or continue connecting to host:port (host: name, IPv4 literal or IPv6 literal
     * without brackets). Returns OK once connected, WOULD_BLOCK while in progress. With tls,
     * the TLS handshake is part of connecting, verified against server_name = host.
     */
    ota_net_status_t (*connect)(void *ctx, const char *host, uint16_t port, bool tls);
    /** Send up to len bytes; *sent is set to what was accepted (0 with WOULD_BLOCK). */
    ota_net_status_t (*send)(void *ctx, const void *buf, size_t len, size_t *sent);
    /** Receive up to len bytes; *received > 0 with OK, ERR_CLOSED at end of stream. */
    ota_net_status_t (*recv)(void *ctx, void *buf, size_t len, size_t *received);
    /** Close the connection (if any); the context can connect again afterwards. */
    void (*close)(void *ctx);
} ota_transport_ops_t;

/** A transport as the core sees it. */
typedef struct ota_transport {
    const ota_transport_ops_t *ops;
    void *ctx;
} ota_transport_t;

/* ------------------------------------------------------------------------------------------
 * Log: one line of console output (no trailing newline). May be NULL to log nothing.
 * ------------------------------------------------------------------------------------------ */
typedef void (*ota_log_fn)(void *ctx, const char *line);

/* ------------------------------------------------------------------------------------------
 * System: what the bootloader needs from the chip besides flash (docs/bootloader.md, "System
 * port"). The bootloader calls, in this order at every power-on: watchdog_arm (so that a hang
 * anywhere from here on resets the board), its decisions (ota_boot_run, which may write the
 * guard storage), guard_protect (the guard storage becomes read-only until the next reset),
 * then jump. Nothing here is called by the application except watchdog_kick and reset.
 * ------------------------------------------------------------------------------------------ */

/** Operations of the system port; ctx is ota_system_t.ctx. */
typedef struct ota_system_ops {
    /** Reset the chip (does not return on a target). */
    void (*reset)(void *ctx);
    /** Start the watchdog: timeout_ms without a kick resets the chip. Cannot be stopped. */
    void (*watchdog_arm)(void *ctx, uint32_t timeout_ms);
    /** Restart the watchdog's countdown. */
    void (*watchdog_kick)(void *ctx);
    /**
     * Write-protect the guard storage until the next reset (flash page write-protect bits,
     * a one-way lock register, or nothing to do for OTP). From then on every program/erase
     * of guard_flash, and of the same physical range through any other path, fails with
     * OTA_FLASH_ERR_PROTECTED. Returns OTA_FLASH_OK, or why the lock could not be set (the
     * bootloader then does not jump).
     */
    ota_flash_status_t (*guard_protect)(void *ctx);
    /** Start the application whose payload (on a Cortex-M, its vector table) begins at
     *  app_offset of internal flash, the region's start (does not return on a target; the
     *  host port records it and returns). */
    void (*jump)(void *ctx, uint32_t app_offset);
} ota_system_ops_t;

/** The system port of a board. */
typedef struct ota_system {
    const ota_system_ops_t *ops;
    void *ctx;
    /** The guard storage (include/otaflow/guard.h): at least two erase units that only the
     *  bootloader writes, e.g. two pages of internal flash below the application region.
     *  NULL: the board has none (the image store's journal is then the only record of the
     *  anti-rollback floor, which an attacker with the external flash can erase). */
    const ota_flash_t *guard_flash;
} ota_system_t;

/* ------------------------------------------------------------------------------------------
 * Assertions: the core checks its own invariants (never its input, which gets a named error)
 * with OTA_ASSERT when config.h's OTA_ENABLE_ASSERT is 1, and calls this hook when one breaks.
 * ------------------------------------------------------------------------------------------ */

/**
 * An internal invariant of the core is broken: a bug in otaflow, or memory overwritten by
 * someone else. Must not return (the state cannot be trusted any more): report and reset the
 * chip, or, on a host, print and abort (port/posix/assert_posix.c).
 * @param file source file of the check, @param line its line, @param expr the condition
 */
#ifdef __cplusplus
[[noreturn]]
#else
_Noreturn
#endif
void ota_port_assert_failed(const char *file, int line, const char *expr);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_PORT_H */
