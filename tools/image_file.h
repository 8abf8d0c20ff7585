/* SPDX-License-Identifier: Apache-2.0 */
/* An .ota file read into memory and parsed by the core's parser (the device's own code). */
#ifndef OTAFLOW_TOOL_IMAGE_FILE_H
#define OTAFLOW_TOOL_IMAGE_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "image_digest.h"
#include "otaflow/image.h"

typedef struct tool_image {
    uint8_t *bytes; /**< whole file */
    size_t len;
    ota_image_buffer_t buffer;
    ota_image_source_t src; /**< reads bytes; src.size = len (the file is the slot) */
    ota_image_info_t info;  /**< what ota_image_parse found */
    tool_digests_t digests; /**< of header + payload, and of the whole file (one pass) */
} tool_image_t;

/**
 * Read path, parse it with ota_image_parse and take both digests in one pass. On failure prints the one-line reason (with
 * cmd) and returns TOOL_EXIT_FAIL; nothing to free then.
 */
int tool_image_load(const char *cmd, const char *path, tool_image_t *img);

/**
 * tool_image_load, then require an intact image (what `verify` checks without a key): the
 * hash matches and the file ends where the image ends. Prints the reason and returns
 * TOOL_EXIT_FAIL otherwise; nothing to free then.
 */
int tool_image_load_intact(const char *cmd, const char *path, tool_image_t *img);

/** Hash check of a loaded image: OTA_IMAGE_OK if the SHA-256 TLV is the hash of header +
 *  payload, else OTA_IMAGE_ERR_HASH (what ota_image_verify says of the bytes in memory). */
ota_image_status_t tool_image_verify(const tool_image_t *img);

void tool_image_free(tool_image_t *img);

#endif /* OTAFLOW_TOOL_IMAGE_FILE_H */
