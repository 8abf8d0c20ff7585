/* SPDX-License-Identifier: Apache-2.0 */
/* Seeds for target image: every slot test_image.c parses, read through its source, with the
 * shape byte 0x3F of fuzz_image.c (exact slot size, 505-byte verify chunks). */
#include <stdint.h>
#include <stdlib.h>

#include "capture.h"
#include "otaflow/image.h"

ota_image_status_t __real_ota_image_parse(const ota_image_source_t *src, ota_image_info_t *info);
ota_image_status_t __wrap_ota_image_parse(const ota_image_source_t *src, ota_image_info_t *info);

ota_image_status_t __wrap_ota_image_parse(const ota_image_source_t *src, ota_image_info_t *info)
{
    /* Only slots small enough to be useful seeds, read in full through the test's source. */
    if (src != NULL && src->read != NULL && src->size <= 8192u) {
        uint8_t *copy = malloc(src->size + 1u);
        if (copy != NULL && src->read(src->ctx, 0, copy, src->size) == 0) {
            const uint8_t shape = 0x3F;
            fuzz_capture("image", &shape, 1, copy, src->size);
        }
        free(copy);
    }
    return __real_ota_image_parse(src, info);
}
