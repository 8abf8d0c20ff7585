/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DIR/power.qemu: the power domain of a board run by the QEMU engine, one text line
 *   ops=K cut_at=N mode=before|after|torn seed=S dead=0|1
 * (decimal; cut_at on the ops scale, 0 = no cut armed). otaflow-board writes it before the
 * first launch of a run (power on: dead=0, the requested cut armed) and after the run (the cut
 * disarmed unless it fired); while QEMU runs, the firmware owns it: it rewrites it after every
 * program/erase of either flash and sets dead=1 when the cut fires (docs/firmware.md).
 */
#ifndef OTAFLOW_SIM_QEMU_POWER_H
#define OTAFLOW_SIM_QEMU_POWER_H

#include <stddef.h>
#include <stdint.h>

#include "flash_sim.h"

/** Read DIR/power.qemu into p (ops, cut_at, mode, dead; the rest zero) and *seed. A missing
 *  file is a fresh domain (all zero, seed 1). Returns 0, or -1 with the reason in err. */
int qemu_power_read(const char *dir, ota_sim_power_t *p, uint32_t *seed, char *err,
                    size_t err_len);

/** Write DIR/power.qemu (through a temporary file and a rename). */
int qemu_power_write(const char *dir, const ota_sim_power_t *p, uint32_t seed, char *err,
                     size_t err_len);

/** "before", "after" or "torn". */
const char *qemu_power_mode_str(ota_sim_cut_mode_t mode);

/** The mode of a name; -1 for an unknown one. */
int qemu_power_mode_parse(const char *name, ota_sim_cut_mode_t *out);

#endif /* OTAFLOW_SIM_QEMU_POWER_H */
