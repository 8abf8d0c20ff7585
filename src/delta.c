/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Patch applier: the entry points, format detection, the target's output buffer and the
 * checkpoints (docs/delta.md). The two decoders are in delta_ofd.c and delta_jojo.c.
 */
#include <string.h>

#include "delta_format.h"
#include "delta_internal.h"
#include "status_text.h"

/* Issue 15's budget: the applier's RAM beside the agent. */
_Static_assert(sizeof(ota_delta_t) <= 4096, "ota_delta_t over 4 KB");

const char *ota_delta_status_str(ota_delta_status_t status)
{
    OTA_STATUS_TEXT_OFF(status);
    switch (status) {
    case OTA_DELTA_OK: return "OTA_DELTA_OK";
    case OTA_DELTA_ERR_ARG: return "OTA_DELTA_ERR_ARG";
    case OTA_DELTA_ERR_FORMAT: return "OTA_DELTA_ERR_FORMAT";
    case OTA_DELTA_ERR_VERSION: return "OTA_DELTA_ERR_VERSION";
    case OTA_DELTA_ERR_HEADER: return "OTA_DELTA_ERR_HEADER";
    case OTA_DELTA_ERR_BASE_SIZE: return "OTA_DELTA_ERR_BASE_SIZE";
    case OTA_DELTA_ERR_OVERSIZE: return "OTA_DELTA_ERR_OVERSIZE";
    case OTA_DELTA_ERR_BASE_RANGE: return "OTA_DELTA_ERR_BASE_RANGE";
    case OTA_DELTA_ERR_OUTPUT_RANGE: return "OTA_DELTA_ERR_OUTPUT_RANGE";
    case OTA_DELTA_ERR_SEEK: return "OTA_DELTA_ERR_SEEK";
    case OTA_DELTA_ERR_CORRUPT: return "OTA_DELTA_ERR_CORRUPT";
    case OTA_DELTA_ERR_TRUNCATED: return "OTA_DELTA_ERR_TRUNCATED";
    case OTA_DELTA_ERR_READ: return "OTA_DELTA_ERR_READ";
    case OTA_DELTA_ERR_WRITE: return "OTA_DELTA_ERR_WRITE";
    case OTA_DELTA_ERR_CHECKPOINT: return "OTA_DELTA_ERR_CHECKPOINT";
    case OTA_DELTA_ERR_STATE: return "OTA_DELTA_ERR_STATE";
    }
    return "?";
}

ota_delta_status_t ota_delta_init(ota_delta_t *d, const ota_delta_io_t *io)
{
    if (d == NULL || io == NULL || io->read_base == NULL || io->write_out == NULL ||
        (io->checkpoint_every & (io->checkpoint_every - 1u)) != 0) {
        return OTA_DELTA_ERR_ARG;
    }
    memset(d, 0, sizeof *d);
    d->io = *io;
    d->cp.base_size = io->base_size;
    return OTA_DELTA_OK;
}

ota_delta_status_t ota_delta_resume(ota_delta_t *d, const ota_delta_io_t *io,
                                    const ota_delta_checkpoint_t *cp)
{
    ota_delta_status_t st = ota_delta_init(d, io);
    if (st != OTA_DELTA_OK || cp == NULL) {
        return st != OTA_DELTA_OK ? st : OTA_DELTA_ERR_ARG;
    }
    if (cp->reserved != 0 || cp->base_size != io->base_size ||
        (io->output_max != 0 && cp->output_offset > io->output_max)) {
        return OTA_DELTA_ERR_CHECKPOINT;
    }
    if (cp->format == OTA_DELTA_FORMAT_UNKNOWN) {
        /* The start of the patch: nothing to restore. */
        return (cp->patch_offset | cp->output_offset | cp->base_pos | cp->copy_left | cp->op) == 0
                   ? OTA_DELTA_OK
                   : OTA_DELTA_ERR_CHECKPOINT;
    }
    d->cp = *cp;
    d->patch_off = cp->patch_offset;
    d->out_off = cp->output_offset;
    d->base_pos = cp->base_pos;
    d->format = cp->format;
    d->phase = DELTA_PHASE_BODY;
    if (cp->format == OTA_DELTA_FORMAT_JOJODIFF) {
        return ota_delta_jojo_resume(d, cp);
    }
    if (cp->format == OTA_DELTA_FORMAT_OTAFLOW) {
        return (cp->op | cp->copy_left) == 0 ? ota_delta_ofd_resume(d, cp)
                                             : OTA_DELTA_ERR_CHECKPOINT;
    }
    return OTA_DELTA_ERR_CHECKPOINT;
}

static ota_delta_status_t delta_fail(ota_delta_t *d, ota_delta_status_t st)
{
    if (st != OTA_DELTA_OK) {
        d->phase = DELTA_PHASE_FAILED;
    }
    return st;
}

ota_delta_status_t ota_delta_feed(ota_delta_t *d, const uint8_t *data, size_t len)
{
    if (d == NULL || (data == NULL && len != 0)) {
        return OTA_DELTA_ERR_ARG;
    }
    if (d->phase >= DELTA_PHASE_FINISHED) {
        return OTA_DELTA_ERR_STATE;
    }
    if (len == 0) {
        return OTA_DELTA_OK;
    }
    if (d->format == OTA_DELTA_FORMAT_UNKNOWN) {
        /* A jojodiff patch starts with an escape; otaflow's with its magic. */
        if (data[0] == DELTA_JOJO_ESC) {
            d->format = OTA_DELTA_FORMAT_JOJODIFF;
        } else if (data[0] == (uint8_t)DELTA_OFD_MAGIC[0]) {
            d->format = OTA_DELTA_FORMAT_OTAFLOW;
        } else {
            return delta_fail(d, OTA_DELTA_ERR_FORMAT);
        }
    }
    if (d->format == OTA_DELTA_FORMAT_JOJODIFF) {
        return delta_fail(d, ota_delta_jojo_feed(d, data, len));
    }
    return delta_fail(d, ota_delta_ofd_feed(d, data, len));
}

ota_delta_status_t ota_delta_finish(ota_delta_t *d)
{
    if (d == NULL) {
        return OTA_DELTA_ERR_ARG;
    }
    if (d->phase >= DELTA_PHASE_FINISHED) {
        return OTA_DELTA_ERR_STATE;
    }
    ota_delta_status_t st = OTA_DELTA_ERR_TRUNCATED; /* an empty patch is none */
    if (d->format == OTA_DELTA_FORMAT_JOJODIFF) {
        st = ota_delta_jojo_finish(d);
    } else if (d->format == OTA_DELTA_FORMAT_OTAFLOW) {
        st = ota_delta_ofd_finish(d);
    }
    if (st == OTA_DELTA_OK) {
        st = ota_delta_out_flush(d);
    }
    d->phase = st == OTA_DELTA_OK ? DELTA_PHASE_FINISHED : DELTA_PHASE_FAILED;
    return st;
}

void ota_delta_checkpoint(const ota_delta_t *d, ota_delta_checkpoint_t *cp)
{
    *cp = d->cp;
}

uint32_t ota_delta_patch_offset(const ota_delta_t *d)
{
    return d->patch_off;
}

ota_delta_format_t ota_delta_format(const ota_delta_t *d)
{
    return (ota_delta_format_t)d->format;
}

uint32_t ota_delta_output_size(const ota_delta_t *d)
{
    return d->out_off;
}

/* --- the target's output buffer ------------------------------------------------------------ */

ota_delta_status_t ota_delta_out_flush(ota_delta_t *d)
{
    if (d->out_n == 0) {
        return OTA_DELTA_OK;
    }
    uint32_t n = d->out_n;
    d->out_n = 0;
    return d->io.write_out(d->io.ctx, d->out_off - n, d->outbuf, n) == 0 ? OTA_DELTA_OK
                                                                        : OTA_DELTA_ERR_WRITE;
}

ota_delta_status_t ota_delta_out_room(const ota_delta_t *d, uint32_t n, uint32_t limit)
{
    uint32_t end = d->out_off + n;
    if (end < n || (limit != 0 && end > limit) ||
        (d->io.output_max != 0 && end > d->io.output_max)) {
        return OTA_DELTA_ERR_OUTPUT_RANGE;
    }
    return OTA_DELTA_OK;
}

ota_delta_status_t ota_delta_out_byte(ota_delta_t *d, uint8_t b)
{
    if (d->out_n == OTA_DELTA_OUTBUF) {
        ota_delta_status_t st = ota_delta_out_flush(d);
        if (st != OTA_DELTA_OK) {
            return st;
        }
    }
    d->outbuf[d->out_n++] = b;
    d->out_off++;
    return OTA_DELTA_OK;
}

ota_delta_status_t ota_delta_out_base(ota_delta_t *d, uint32_t n)
{
    while (n > 0) {
        if (d->out_n == OTA_DELTA_OUTBUF) {
            ota_delta_status_t st = ota_delta_out_flush(d);
            if (st != OTA_DELTA_OK) {
                return st;
            }
        }
        uint32_t room = OTA_DELTA_OUTBUF - d->out_n;
        uint32_t chunk = n < room ? n : room;
        if (d->io.read_base(d->io.ctx, d->base_pos, d->outbuf + d->out_n, chunk) != 0) {
            return OTA_DELTA_ERR_READ;
        }
        d->out_n = (uint8_t)(d->out_n + chunk);
        d->out_off += chunk;
        d->base_pos += chunk;
        n -= chunk;
    }
    return OTA_DELTA_OK;
}

ota_delta_status_t ota_delta_mark(ota_delta_t *d, uint32_t patch_offset, uint8_t op,
                                  uint32_t copy_left)
{
    ota_delta_status_t st = ota_delta_out_flush(d);
    if (st == OTA_DELTA_OK) {
        d->cp.patch_offset = patch_offset;
        d->cp.output_offset = d->out_off;
        d->cp.base_pos = d->base_pos;
        d->cp.format = d->format;
        d->cp.op = op;
        d->cp.copy_left = copy_left;
        if (d->io.on_checkpoint != NULL && d->io.on_checkpoint(d->io.ctx, &d->cp) != 0) {
            st = OTA_DELTA_ERR_WRITE;
        }
    }
    return st;
}

bool ota_delta_at_boundary(const ota_delta_t *d)
{
    return d->io.checkpoint_every == 0 || (d->out_off & (d->io.checkpoint_every - 1u)) == 0;
}

uint32_t ota_delta_to_boundary(const ota_delta_t *d, uint32_t n)
{
    uint32_t every = d->io.checkpoint_every;
    uint32_t room = every - (d->out_off & (every - 1u));
    return every != 0 && room < n ? room : n;
}
