/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host flash model: a strict NOR flash device behind the ota_flash_t port, RAM- or
 * file-backed, with counters, wear, modeled hardware time and power cuts.
 *
 * This is the ground truth for every power-fail claim the project makes, so it refuses
 * everything a real part would not do reliably (see the rules in include/otaflow/port.h).
 *
 * Errors: every rule violation returns the named ota_flash_status_t of port.h and changes
 * nothing (contents, programmed bitmap, counters, wear, the board's operation counter).
 * Beyond port.h: a NULL buffer with len > 0 is OTA_FLASH_ERR_RANGE; a dead board answers
 * OTA_FLASH_ERR_POWER before any other check.
 * See docs/flash-model.md for the rules, presets, timing sources and file layout.
 *
 * Power: devices that share one ota_sim_power_t form a board. Its operation counter numbers
 * every *modifying* operation (program, erase) across all of its devices, starting at 1. Armed
 * with a cut at operation N, the board loses power at N (before it, after it, or with N torn);
 * from then on every operation on every device of the board fails with OTA_FLASH_ERR_POWER
 * until ota_sim_power_on().
 */
#ifndef OTAFLOW_FLASH_SIM_H
#define OTAFLOW_FLASH_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "otaflow/port.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Where in operation N the power goes. */
typedef enum ota_sim_cut_mode {
    OTA_SIM_CUT_BEFORE = 0, /**< op N does not happen at all */
    OTA_SIM_CUT_AFTER = 1,  /**< op N completes, then power is lost */
    OTA_SIM_CUT_TORN = 2,   /**< op N is torn: a program writes a random part of its bytes;
                                 an erase leaves the unit neither erased nor intact */
} ota_sim_cut_mode_t;

/** The power domain of a board, shared by its flash devices. */
typedef struct ota_sim_power {
    uint64_t ops;        /**< modifying operations so far (since init, not reset by power-on) */
    uint64_t cut_at;     /**< 1-based operation at which power is cut; 0 = not armed */
    ota_sim_cut_mode_t mode;
    uint64_t rng;        /**< state of the seeded generator used for torn operations */
    bool dead;           /**< power is off: every operation fails */
    /** Called (if not NULL) at the instant the armed cut fires, before operation cut_at does
     *  anything: a test records what the code under test held in RAM at that moment. It must
     *  not touch the board's flash. */
    void (*on_cut)(void *ctx);
    void *on_cut_ctx;
} ota_sim_power_t;

/** A silent bad write: a program that reports success but does not read back as written. */
typedef enum ota_sim_bad_write {
    OTA_SIM_BAD_NONE = 0,
    /** One bit the program should have cleared stays set (a cell that did not program): every
     *  read returns it wrong until the erase unit is erased. (A program that clears no bit
     *  clears one instead.) */
    OTA_SIM_BAD_FLIP = 1,
    /** One bit is weak: the cell holds the right value, but reads of it alternate, wrong on
     *  the first read after the program, right on the second, wrong on the third, ... until
     *  the erase unit is erased. */
    OTA_SIM_BAD_WEAK = 2,
} ota_sim_bad_write_t;

/** Weak bits a device remembers at a time (more are not made weak). */
#define OTA_SIM_WEAK_MAX 8u

/** A weak bit: address, bit mask, reads of it since its program. */
typedef struct ota_sim_weak_bit {
    uint32_t addr;
    uint8_t mask;
    uint32_t reads;
} ota_sim_weak_bit_t;

/** The silent-fault state of a device (see ota_sim_flash_arm_bad_write). */
typedef struct ota_sim_fault {
    ota_sim_bad_write_t kind; /**< what the armed bad write does; NONE: only count */
    uint32_t lo, hi;          /**< address window: programs overlapping [lo, hi) count */
    uint64_t nth;             /**< 1-based: the nth such program goes bad; 0: none */
    uint64_t seen;            /**< programs in the window that completed since arming */
    uint64_t rng;             /**< seeded generator choosing the bad bit */
    bool fired;               /**< the bad write happened */
    uint64_t fired_op;        /**< its board operation number (power.ops), 0 without a board */
    uint32_t bad_addr;        /**< the byte holding the bad bit */
    uint8_t bad_mask;         /**< the bad bit */
    ota_sim_weak_bit_t weak[OTA_SIM_WEAK_MAX];
    unsigned weak_count;
} ota_sim_fault_t;

/** Initialise a power domain: powered, not armed, counter 0. Call once per board. */
void ota_sim_power_init(ota_sim_power_t *p);

/** Arm a cut at modifying operation number op_index, an absolute index on the same scale as
 *  p->ops (so the next operation is p->ops + 1; an index <= p->ops never fires; 0 disarms),
 *  in the given mode. seed seeds the generator of torn operations: the same operations after
 *  the same arm give the same torn contents. */
void ota_sim_power_arm(ota_sim_power_t *p, uint64_t op_index, ota_sim_cut_mode_t mode,
                       uint64_t seed);

/** Power on again after a cut: devices work again, the cut is disarmed. Contents, programmed
 *  bitmaps, wear and p->ops stay as they are (flash is non-volatile). */
void ota_sim_power_on(ota_sim_power_t *p);

/** Datasheet timings of a part, in nanoseconds (typical values).
 *
 *  read    = read_setup_ns + len * read_byte_ns
 *  program = program_setup_ns + len * program_byte_ns + cell time, where the cell time is
 *            program_op_ns, or units * program_unit_ns when that is smaller and
 *            program_unit_ns != 0 (a driver programs a few quad words instead of a whole row)
 *  erase   = erase_block_ns (a block erase), else for a sector of n erase units:
 *            erase_unit_ns + (n - 1) * erase_more_unit_ns (erase_unit_ns * n when
 *            erase_more_unit_ns is 0); a uniform device has n = 1 */
typedef struct ota_sim_timing {
    uint64_t read_setup_ns;     /**< per read command (opcode + address + dummy) */
    uint64_t read_byte_ns;      /**< per byte read */
    uint64_t program_setup_ns;  /**< per program operation (command + address transfer) */
    uint64_t program_byte_ns;   /**< per byte transferred for a program (0: none) */
    uint64_t program_op_ns;     /**< flat cell time of one program op (page program / row) */
    uint64_t program_unit_ns;   /**< cell time per program unit if cheaper (0: always flat) */
    uint64_t erase_unit_ns;     /**< one erase unit */
    uint64_t erase_block_ns;    /**< one block, if the part has block erase */
    uint64_t erase_more_unit_ns; /**< a larger sector: per erase unit beyond the first */
} ota_sim_timing_t;

/** A named part: geometry + timing. */
typedef struct ota_sim_preset {
    const char *name;           /**< "sst26vf032b", "sst26vf064b", "pic32mzw1-pfm",
                                     "stm32f4-1m" (mixed sectors) */
    ota_flash_geometry_t geometry;
    ota_sim_timing_t timing;
} ota_sim_preset_t;

/** Look up a preset by name; NULL if unknown. */
const ota_sim_preset_t *ota_sim_preset(const char *name);

/** Counters of one device. They count operations the device carried out: a refused operation
 *  (rule violation, no power) and one cut BEFORE it ran count nothing; one cut AFTER or TORN
 *  counts in full. An erase of a block is one erase op of block_size bytes. */
typedef struct ota_sim_stats {
    uint64_t reads, programs, erases;           /**< operations */
    uint64_t bytes_read, bytes_programmed, bytes_erased;
    uint64_t modeled_ns;                        /**< modeled hardware time of all operations */
    uint32_t max_wear;                          /**< highest erase count of any erase unit */
} ota_sim_stats_t;

/** One simulated device. Fields are private to flash_sim.c; use the functions. */
typedef struct ota_sim_flash {
    ota_flash_t port;            /**< the ota_flash_t interface of this device */
    ota_sim_preset_t preset;
    ota_sim_power_t *power;      /**< NULL: a device on its own, never cut */
    uint8_t *mem;                /**< contents (mmap of the file, or heap) */
    uint8_t *programmed;         /**< one bit per program unit: programmed since erase */
    uint32_t *wear;              /**< erases per erase unit (a larger sector: all of its) */
    ota_sim_stats_t stats;
    ota_sim_fault_t fault;       /**< silent bad writes (RAM only, not kept in a .meta) */
    int fd;                      /**< backing file, -1 for RAM */
    int meta_fd;                 /**< backing file of the metadata, -1 for RAM */
    void *meta_map;              /**< the .meta image (mmap of the file, or the caller's
                                      memory): programmed and wear live in it */
    size_t meta_size;            /**< its size in bytes */
    char path[512];
    const struct sim_backing_ops *backing; /**< file backing's hooks; NULL for RAM */
} ota_sim_flash_t;

/** Open a RAM-backed device of the preset's geometry, all erased. power may be NULL.
 *  geometry_override, if not NULL, replaces the preset's geometry (tests of odd shapes).
 *  The device must not move in memory while open (its port points at it).
 *  Returns OK; OTA_FLASH_ERR_ALIGN for a geometry that breaks port.h (sizes not powers of two,
 *  program_unit <= page_size <= erase_unit <= block_size (if any) <= size violated);
 *  OTA_FLASH_ERR_IO for a NULL argument or no memory. On error dev is safe to close. */
ota_flash_status_t ota_sim_flash_open_ram(ota_sim_flash_t *dev, const ota_sim_preset_t *preset,
                                          const ota_flash_geometry_t *geometry_override,
                                          ota_sim_power_t *power);

/** Open a file-backed device: path holds the contents (created erased if missing), path +
 *  ".meta" holds the programmed bitmap, wear and counters, so they survive a power-off (both
 *  are mapped, so they are current on disk even if the process dies).
 *  A contents file without a .meta (e.g. written by a tool) gets one whose programmed bitmap
 *  marks every program unit that is not all erased_value.
 *  Returns OK; OTA_FLASH_ERR_IO for a NULL argument, a path too long, a contents file whose
 *  size is not the geometry's size, a .meta of another geometry/size/format, or any system
 *  call failure; OTA_FLASH_ERR_ALIGN for a bad preset geometry. On error dev is safe to close. */
ota_flash_status_t ota_sim_flash_open_file(ota_sim_flash_t *dev, const char *path,
                                           const ota_sim_preset_t *preset,
                                           ota_sim_power_t *power);

/** Bytes of the .meta header: identity and the counters (layout in flash_sim_meta.c). */
#define OTA_SIM_META_HEADER_SIZE 104u

/** Bytes of the .meta image of a flash of SIZE bytes in ERASE_UNIT and PROGRAM_UNIT units, as
 *  a constant expression for static storage: header, programmed bitmap padded to 4 bytes,
 *  one u32 wear count per erase unit. */
#define OTA_SIM_META_SIZE(size, erase_unit, program_unit)                                    \
    (OTA_SIM_META_HEADER_SIZE + (((size) / (program_unit) + 7u) / 8u + 3u) / 4u * 4u +           \
     (size) / (erase_unit) * 4u)

/** Bytes of the .meta image of a device of geometry g (OTA_SIM_META_SIZE; layout in
 *  port/posix/flash_sim_meta.c and docs/flash-model.md). */
size_t ota_sim_meta_size(const ota_flash_geometry_t *g);

/** Open a device over storage the caller provides, with no allocation and no OS call: how
 *  a target runs this model (port/cortex-m/mps2-an386/board_flash.c). mem holds the contents
 *  (geometry.size bytes, as they are); meta a .meta image (ota_sim_meta_size bytes, the
 *  layout of the file backing's PATH.meta) that the device keeps current after every
 *  operation: programmed bits, wear, counters. fresh: meta is made here from the contents (a
 *  program unit that is not all erased_value counts as programmed, no wear, counters 0);
 *  otherwise it must be a .meta of this geometry, whose counters the device continues.
 *  Writing either out (write-through) is the caller's business.
 *  mem may be address 0 (on a target where that is memory), so it is not checked.
 *  Returns OK; OTA_FLASH_ERR_IO for a NULL dev or meta, or a .meta of another geometry/format;
 *  OTA_FLASH_ERR_ALIGN for a bad preset geometry. ota_sim_flash_close leaves the counters in
 *  meta and frees nothing. */
ota_flash_status_t ota_sim_flash_open_meta(ota_sim_flash_t *dev, const ota_sim_preset_t *preset,
                                           ota_sim_power_t *power, uint8_t *mem, void *meta,
                                           bool fresh);

/** Write back (file-backed) and release the device. Safe on a device whose open failed and
 *  on one already closed. */
void ota_sim_flash_close(ota_sim_flash_t *dev);

/** The device's ota_flash_t interface, to hand to the core. */
static inline const ota_flash_t *ota_sim_flash_port(const ota_sim_flash_t *dev)
{
    return &dev->port;
}

/** Counters so far. */
ota_sim_stats_t ota_sim_flash_stats(const ota_sim_flash_t *dev);

/** Erase count of the sector containing addr (0 if addr is outside the device). */
uint32_t ota_sim_flash_wear(const ota_sim_flash_t *dev, uint32_t addr);

/** True if the program unit containing addr was programmed (or torn) since its last erase,
 *  i.e. programming it now would be OTA_FLASH_ERR_OVERWRITE (false outside the device). */
bool ota_sim_flash_programmed(const ota_sim_flash_t *dev, uint32_t addr);

/** Arm a silent bad write on this device: the nth program (counting from 1, from now) that
 *  overlaps [lo, hi) and completes (not cut before, not torn) is bad in the way kind says,
 *  yet returns OK and counts as a normal program. The bit is chosen by a generator seeded
 *  with seed, so a case replays exactly. nth 0 or kind NONE arms nothing but still counts
 *  the programs in the window (fault.seen), e.g. to size a sweep. Re-arming forgets the
 *  count, not the weak bits already made. */
void ota_sim_flash_arm_bad_write(ota_sim_flash_t *dev, ota_sim_bad_write_t kind, uint32_t lo,
                                 uint32_t hi, uint64_t nth, uint64_t seed);

/** The device's silent-fault state: whether the armed bad write fired, where, at which board
 *  operation; how many programs hit the window. */
const ota_sim_fault_t *ota_sim_flash_fault(const ota_sim_flash_t *dev);

/** Direct view of the contents, for tests that inspect or corrupt flash. Writing through it
 *  bypasses every rule (that is its purpose: simulating a bad chip). */
uint8_t *ota_sim_flash_raw(ota_sim_flash_t *dev);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_FLASH_SIM_H */
