/* SPDX-License-Identifier: Apache-2.0 */
/* The patch applier's parts (src/delta.c, src/delta_ofd.c, src/delta_jojo.c): what they share. */
#ifndef OTAFLOW_DELTA_INTERNAL_H
#define OTAFLOW_DELTA_INTERNAL_H

#include "otaflow/delta.h"

/* ota_delta_t.phase */
enum { DELTA_PHASE_START = 0, DELTA_PHASE_BODY = 1, DELTA_PHASE_FINISHED = 2, DELTA_PHASE_FAILED = 3 };

/** Append one target byte (writes the gathered bytes first when outbuf is full). */
ota_delta_status_t ota_delta_out_byte(ota_delta_t *d, uint8_t b);
/** Append n base bytes from base_pos on (base_pos advances); the caller checked the range. */
ota_delta_status_t ota_delta_out_base(ota_delta_t *d, uint32_t n);
/** Hand the gathered target bytes to the write callback. */
ota_delta_status_t ota_delta_out_flush(ota_delta_t *d);
/** OTA_DELTA_ERR_OUTPUT_RANGE unless n more target bytes stay within limit (0: none). */
ota_delta_status_t ota_delta_out_room(const ota_delta_t *d, uint32_t n, uint32_t limit);
/** Flush, then record the checkpoint "patch byte patch_offset, with the current positions"
 *  and jojodiff's operation in progress (0: none) with the bytes its copy has left, and tell
 *  the caller (io.on_checkpoint). */
ota_delta_status_t ota_delta_mark(ota_delta_t *d, uint32_t patch_offset, uint8_t op,
                                  uint32_t copy_left);
/** True where a checkpoint may be recorded: anywhere without io.checkpoint_every, else at
 *  an output offset that is a multiple of it. */
bool ota_delta_at_boundary(const ota_delta_t *d);
/** n, or fewer: the output bytes up to the next multiple of io.checkpoint_every. */
uint32_t ota_delta_to_boundary(const ota_delta_t *d, uint32_t n);

/* otaflow format (src/delta_ofd.c) */
ota_delta_status_t ota_delta_ofd_feed(ota_delta_t *d, const uint8_t *data, size_t len);
ota_delta_status_t ota_delta_ofd_finish(ota_delta_t *d);
ota_delta_status_t ota_delta_ofd_resume(ota_delta_t *d, const ota_delta_checkpoint_t *cp);

/* jojodiff format (src/delta_jojo.c) */
ota_delta_status_t ota_delta_jojo_feed(ota_delta_t *d, const uint8_t *data, size_t len);
ota_delta_status_t ota_delta_jojo_finish(ota_delta_t *d);
ota_delta_status_t ota_delta_jojo_resume(ota_delta_t *d, const ota_delta_checkpoint_t *cp);

#endif /* OTAFLOW_DELTA_INTERNAL_H */
