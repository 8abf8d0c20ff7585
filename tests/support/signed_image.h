/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test images with the header fields and signature a security test needs: a fixture image
 * (tests/support/boot_fixture.h) given another security counter and revocation mask, its
 * SHA-256 recomputed and its TLV area rebuilt, signed by a host-tool key.
 */
#ifndef OTAFLOW_TEST_SIGNED_IMAGE_H
#define OTAFLOW_TEST_SIGNED_IMAGE_H

#include <stdint.h>

#include "sign_key.h"

/**
 * Rewrite the image of size bytes in buf (cap bytes of room): header security_counter and
 * revoke_keys as given, SHA-256 TLV recomputed, then KEY_HASH + ECDSA_P256 TLVs by key (NULL:
 * left unsigned). Aborts if the image does not parse or signing fails. Returns the new size.
 */
uint32_t signed_image_make(uint8_t *buf, uint32_t cap, uint32_t size, uint32_t counter,
                           uint32_t revoke_keys, tool_key_t *key);

#endif
