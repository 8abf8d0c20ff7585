/* SPDX-License-Identifier: Apache-2.0 */
/* Test images with a chosen counter, revocation mask and signer (signed_image.h). */
#include "signed_image.h"

#include <stdlib.h>

#include "boot_fixture.h"
#include "otaflow/image.h"
#include "test_keys.h"

uint32_t signed_image_make(uint8_t *buf, uint32_t cap, uint32_t size, uint32_t counter,
                           uint32_t revoke_keys, tool_key_t *key)
{
    for (unsigned i = 0; i < 4; i++) { /* u32 little-endian; hashed again just below */
        buf[OTA_IMAGE_OFF_REVOKE_KEYS + i] = (uint8_t)(revoke_keys >> (8u * i));
    }
    boot_fixture_set_security_counter(buf, size, counter);
    if (key == NULL) {
        return size;
    }
    uint32_t signed_size = test_keys_sign_image(key, buf, size, cap);
    if (signed_size == 0) {
        abort();
    }
    return signed_size;
}
