/* SPDX-License-Identifier: Apache-2.0 */
/* Trusted keys of either algorithm from their files (tools/trusted_key.h). */
#include "trusted_key.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lms_key.h"
#include "tool.h"

int tool_trusted_load(tool_trusted_t *t, const char *path, char *why, size_t why_len)
{
    memset(t, 0, sizeof *t);
    uint8_t *data = NULL;
    size_t len = 0;
    if (tool_read_file(path, &data, &len) != 0) {
        return tool_why(why, why_len, "cannot read %s: %s", path, strerror(errno));
    }
    bool lms_public = tool_lms_is_public(data, len);
    bool lms_private = tool_lms_is_private(data, len);
    if (lms_public) {
        memcpy(t->lms, data, sizeof t->lms);
    }
    memset(data, 0, len);
    free(data);
    if (lms_private) {
        tool_lms_key_t key;
        if (tool_lms_load_private(&key, path, why, why_len) != 0) {
            return -1;
        }
        memcpy(t->lms, key.pub, sizeof t->lms);
        memset(&key, 0, sizeof key);
    }
    if (lms_public || lms_private) {
        t->entry.alg = OTA_SIG_ALG_HSS_LMS;
        tool_sha256(t->lms, sizeof t->lms, t->entry.key_id);
        t->entry.key = t->lms;
        t->entry.key_len = sizeof t->lms;
        return 0;
    }
    return tool_key_load_trusted(&t->ecdsa, &t->entry, path, why, why_len);
}

void tool_trusted_free(tool_trusted_t *t)
{
    tool_key_free(&t->ecdsa);
    memset(t, 0, sizeof *t);
}
