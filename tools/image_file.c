/* SPDX-License-Identifier: Apache-2.0 */
/* .ota files for the host tool: read, then parsed and verified by the core (src/image.c). */
#include "image_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

int tool_image_load(const char *cmd, const char *path, tool_image_t *img)
{
    memset(img, 0, sizeof *img);
    if (tool_read_file(path, &img->bytes, &img->len) != 0) {
        return tool_fail(cmd, "cannot read %s: %s", path, strerror(errno));
    }
    if (img->len > UINT32_MAX) {
        tool_image_free(img);
        return tool_fail(cmd, "%s: larger than 4 GB, not an otaflow image", path);
    }
    ota_image_source_buffer(&img->src, &img->buffer, img->bytes, (uint32_t)img->len);
    ota_image_status_t st = ota_image_parse(&img->src, &img->info);
    if (st == OTA_IMAGE_ERR_TOO_LARGE) {
        /* Here the slot is the file: say so in the file's terms. */
        tool_image_free(img);
        return tool_fail(cmd, "%s: not a valid otaflow image: %s (the file is shorter than "
                         "the image it announces: truncated?)", path, ota_image_status_str(st));
    }
    if (st != OTA_IMAGE_OK) {
        tool_image_free(img);
        return tool_fail(cmd, "%s: not a valid otaflow image: %s", path, ota_image_status_str(st));
    }
    tool_digests_of(img->bytes, img->info.tlv_offset, img->len, &img->digests);
    return TOOL_EXIT_OK;
}

ota_image_status_t tool_image_verify(const tool_image_t *img)
{
    return memcmp(img->digests.image, img->info.sha256, sizeof img->info.sha256) == 0
               ? OTA_IMAGE_OK
               : OTA_IMAGE_ERR_HASH;
}

int tool_image_load_intact(const char *cmd, const char *path, tool_image_t *img)
{
    int rc = tool_image_load(cmd, path, img);
    if (rc != TOOL_EXIT_OK) {
        return rc;
    }
    /* An encrypted image's hash is of the plaintext, which only the device key shows: it is
     * published as it is, checked by its digest (verify --decrypt-key checks the rest). */
    ota_image_status_t hash = img->info.has_encryption ? OTA_IMAGE_OK : tool_image_verify(img);
    if (hash != OTA_IMAGE_OK || img->len != img->info.total_size) {
        tool_image_free(img);
        return tool_fail(cmd, "%s: not an intact image (%s): see otaflow-image verify", path,
                         hash != OTA_IMAGE_OK ? ota_image_status_str(hash) : "trailing bytes");
    }
    return TOOL_EXIT_OK;
}

void tool_image_free(tool_image_t *img)
{
    free(img->bytes);
    memset(img, 0, sizeof *img);
}
