/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the HSS/LMS tests share (tests/unit/test_lms.c, tests/lean/test_lms_lean.c): typed-in
 * hex vectors to bytes, and a verification of a signature held in a buffer. Include after
 * <cmocka.h>.
 */
#ifndef OTAFLOW_TEST_LMS_UTIL_H
#define OTAFLOW_TEST_LMS_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "otaflow/lms.h"

/** The bytes of hex (an even number of digits, at most cap bytes) into out; their count. */
static inline size_t lms_test_unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex) / 2u;
    assert_true(n <= cap && strlen(hex) % 2u == 0u);
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        assert_int_equal(sscanf(hex + 2u * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n;
}

/** ota_lms_verify of msg by key (OTA_LMS_PUBKEY_SIZE bytes), the signature the sig_len bytes
 *  of a buffer (which may end before the signature does, or go on after it). */
static inline ota_lms_status_t lms_test_verify(const uint8_t *key, const uint8_t *msg,
                                               size_t msg_len, const uint8_t *sig,
                                               uint32_t sig_len)
{
    ota_image_source_t src;
    ota_image_buffer_t buf;
    ota_image_source_buffer(&src, &buf, sig, sig_len);
    return ota_lms_verify(key, OTA_LMS_PUBKEY_SIZE, msg, msg_len, &src, 0, sig_len);
}

#endif
