/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Silent bad writes of the host flash model: a program that returns OK but does not read back
 * as written (a bit that stayed set, or a weak bit whose reads alternate). Power cuts are
 * loud (the caller gets ERR_POWER); these are what a read-back check exists for.
 */
#include <string.h>

#include "flash_sim_internal.h"

void ota_sim_flash_arm_bad_write(ota_sim_flash_t *dev, ota_sim_bad_write_t kind, uint32_t lo,
                                 uint32_t hi, uint64_t nth, uint64_t seed)
{
    /* Weak bits already made stay weak: they live in the cells until erased. */
    ota_sim_fault_t armed = {
        .kind = kind, .lo = lo, .hi = hi, .nth = nth, .rng = seed,
        .weak_count = dev->fault.weak_count,
    };
    memcpy(armed.weak, dev->fault.weak, sizeof armed.weak);
    dev->fault = armed;
}

const ota_sim_fault_t *ota_sim_flash_fault(const ota_sim_flash_t *dev)
{
    return &dev->fault;
}

/* The bad bit: a bit the program cleared (it went from erased to 0), in a byte chosen at
 * random, else (nothing cleared) any bit of a random byte. */
static void choose_bit(ota_sim_fault_t *f, uint8_t erased, uint32_t addr, const uint8_t *data,
                       uint32_t len)
{
    uint32_t start = (uint32_t)(sim_splitmix(&f->rng) % len);
    unsigned bit = (unsigned)(sim_splitmix(&f->rng) % 8u);
    for (uint32_t k = 0; k < len; k++) {
        uint32_t i = (start + k) % len;
        uint8_t cleared = (uint8_t)(erased & ~data[i]);
        if (cleared != 0) {
            while (!((cleared >> bit) & 1u)) {
                bit = (bit + 1u) % 8u;
            }
            f->bad_addr = addr + i;
            f->bad_mask = (uint8_t)(1u << bit);
            return;
        }
    }
    f->bad_addr = addr + start;
    f->bad_mask = (uint8_t)(1u << bit);
}

void sim_fault_programmed(ota_sim_flash_t *dev, uint32_t addr, const uint8_t *data,
                          uint32_t len, uint64_t op)
{
    ota_sim_fault_t *f = &dev->fault;
    if (addr >= f->hi || addr + len <= f->lo) {
        return;
    }
    f->seen++;
    if (f->kind == OTA_SIM_BAD_NONE || f->seen != f->nth) {
        return;
    }
    choose_bit(f, dev->port.geometry.erased_value, addr, data, len);
    f->fired = true;
    f->fired_op = op;
    uint8_t *cell = &dev->mem[f->bad_addr];
    if (f->kind == OTA_SIM_BAD_FLIP) {
        /* The cell keeps its erased value where the program wanted a change. */
        *cell ^= f->bad_mask;
    } else if (f->weak_count < OTA_SIM_WEAK_MAX) {
        f->weak[f->weak_count++] = (ota_sim_weak_bit_t){f->bad_addr, f->bad_mask, 0};
    }
}

void sim_fault_read(ota_sim_flash_t *dev, uint32_t addr, uint8_t *buf, uint32_t len)
{
    ota_sim_fault_t *f = &dev->fault;
    for (unsigned i = 0; i < f->weak_count; i++) {
        ota_sim_weak_bit_t *w = &f->weak[i];
        if (w->addr >= addr && w->addr - addr < len) {
            w->reads++;
            if (w->reads % 2u == 1u) {
                buf[w->addr - addr] ^= w->mask;
            }
        }
    }
}

void sim_fault_erased(ota_sim_flash_t *dev, uint32_t addr, uint32_t len)
{
    ota_sim_fault_t *f = &dev->fault;
    unsigned kept = 0;
    for (unsigned i = 0; i < f->weak_count; i++) {
        if (f->weak[i].addr < addr || f->weak[i].addr - addr >= len) {
            f->weak[kept++] = f->weak[i];
        }
    }
    f->weak_count = kept;
}
