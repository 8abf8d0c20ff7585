/* SPDX-License-Identifier: Apache-2.0 */
/* An ota_image_source_t over bytes in memory (a .ota file read whole, a RAM copy in a test). */
#include <string.h>

#include "otaflow/image.h"

static int image_buffer_read(void *ctx, uint32_t offset, void *buf, uint32_t len)
{
    const ota_image_buffer_t *b = ctx;
    if (offset > b->len || len > b->len - offset) {
        return -1;
    }
    if (len > 0u) {
        memcpy(buf, b->data + offset, len);
    }
    return 0;
}

void ota_image_source_buffer(ota_image_source_t *src, ota_image_buffer_t *buf,
                             const uint8_t *data, uint32_t len)
{
    buf->data = data;
    buf->len = len;
    src->read = image_buffer_read;
    src->ctx = buf;
    src->size = len;
}
