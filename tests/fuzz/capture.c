/* SPDX-License-Identifier: Apache-2.0 */
#include "capture.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* FNV-1a 64: a stable file name per distinct input. */
static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ b[i]) * 0x100000001b3ULL;
    }
    return h;
}

void fuzz_capture(const char *target, const void *prefix, size_t plen, const void *data,
                  size_t len)
{
    const char *root = getenv("OTA_FUZZ_CAPTURE_DIR");
    if (root == NULL || (data == NULL && len > 0)) {
        return;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root, target);
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        return;
    }
    uint64_t h = fnv1a(fnv1a(0xcbf29ce484222325ULL, prefix, plen), data, len);
    snprintf(path, sizeof path, "%s/%s/t-%016llx", root, target, (unsigned long long)h);
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return;
    }
    if (plen > 0) {
        fwrite(prefix, 1, plen, f);
    }
    if (len > 0) {
        fwrite(data, 1, len, f);
    }
    fclose(f);
}
