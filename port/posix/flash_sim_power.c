/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Power domain of a simulated board: numbers the modifying flash operations of all its
 * devices, cuts power at an armed one, and owns the seeded generator of torn operations so
 * that a failing power-cut case reproduces exactly from (op index, mode, seed).
 */
#include <string.h>

#include "flash_sim_internal.h"

void ota_sim_power_init(ota_sim_power_t *p)
{
    memset(p, 0, sizeof(*p));
}

void ota_sim_power_arm(ota_sim_power_t *p, uint64_t op_index, ota_sim_cut_mode_t mode,
                       uint64_t seed)
{
    p->cut_at = op_index;
    p->mode = mode;
    p->rng = seed;
}

void ota_sim_power_on(ota_sim_power_t *p)
{
    p->dead = false;
    p->cut_at = 0;
}

bool sim_power_dead(const ota_sim_power_t *p)
{
    return p != NULL && p->dead;
}

sim_fate_t sim_power_begin_op(ota_sim_power_t *p)
{
    if (p == NULL) {
        return SIM_FATE_RUN;
    }
    p->ops++;
    if (p->cut_at == 0 || p->ops != p->cut_at) {
        return SIM_FATE_RUN;
    }
    p->dead = true;
    if (p->on_cut != NULL) {
        p->on_cut(p->on_cut_ctx);
    }
    switch (p->mode) {
    case OTA_SIM_CUT_AFTER:
        return SIM_FATE_AFTER;
    case OTA_SIM_CUT_TORN:
        return SIM_FATE_TORN;
    case OTA_SIM_CUT_BEFORE:
    default: /* an unknown mode cuts as early as possible: the least forgiving choice */
        return SIM_FATE_BEFORE;
    }
}

uint64_t sim_random(ota_sim_power_t *p)
{
    return sim_splitmix(&p->rng);
}

uint64_t sim_splitmix(uint64_t *state)
{
    /* splitmix64 (Steele, Lea, Flood 2014): tiny, full-period, good enough for fault shapes */
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint32_t sim_random_below(ota_sim_power_t *p, uint32_t n)
{
    return (uint32_t)(sim_random(p) % n);
}
