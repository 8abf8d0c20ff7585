/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Seed capture (issue 7): a unit test program relinked with -Wl,--wrap=<entry point> hands
 * every input it feeds to that entry point to fuzz_capture(), which stores it as a corpus file
 * when OTA_FUZZ_CAPTURE_DIR is set. So the seeds are exactly the inputs the unit tests use.
 */
#ifndef OTAFLOW_FUZZ_CAPTURE_H
#define OTAFLOW_FUZZ_CAPTURE_H

#include <stddef.h>

/** Write prefix (plen bytes) + data (len bytes) to $OTA_FUZZ_CAPTURE_DIR/<target>/<hash>;
 *  no-op without the variable. Identical inputs land in the same file. */
void fuzz_capture(const char *target, const void *prefix, size_t plen, const void *data,
                  size_t len);

#endif /* OTAFLOW_FUZZ_CAPTURE_H */
