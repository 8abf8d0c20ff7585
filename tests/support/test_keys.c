/* SPDX-License-Identifier: Apache-2.0 */
/* Signing keys for tests (see test_keys.h). */
#include "test_keys.h"

#include <stdio.h>

int test_keys_make(tool_key_t *trusted, tool_key_t *other, ota_sig_key_t *entry)
{
    char why[128];
    if (tool_key_generate(trusted, why, sizeof why) != 0 ||
        tool_key_generate(other, why, sizeof why) != 0) {
        fprintf(stderr, "keygen: %s\n", why);
        return -1;
    }
    tool_key_trust(trusted, entry);
    return 0;
}

void test_keys_free(tool_key_t *trusted, tool_key_t *other)
{
    tool_key_free(trusted);
    tool_key_free(other);
}
