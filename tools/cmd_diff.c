/* SPDX-License-Identifier: Apache-2.0 */
/* otaflow-image diff and patch: make a patch of two files, and apply one with the device's
 * applier (src/delta*.c), as the agent will (docs/delta.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delta_format.h"
#include "delta_tool.h"
#include "otaflow/delta.h"
#include "tool.h"

static const char DIFF_HELP[] =
    "usage: otaflow-image diff OLD NEW -o PATCH [--format otaflow|jojodiff] [--block-size N]\n"
    "\n"
    "Write the patch that turns OLD into NEW (any files: .ota images as served, raw .bin):\n"
    "bsdiff-style matches found with a suffix array of OLD, coded in otaflow's format (the\n"
    "default: range-coded blocks a device can resume from) or the original's jojodiff format.\n"
    "\n"
    "  --format F       otaflow (default) or jojodiff\n"
    "  --block-size N   otaflow: target bytes per block, a power of two from 1024 to 65536\n"
    "                   (default 32768): a resumed patch repeats at most one block\n";

static const char PATCH_HELP[] =
    "usage: otaflow-image patch OLD PATCH -o NEW\n"
    "\n"
    "Apply PATCH (either format, told apart by its first bytes) to OLD with the device's\n"
    "streaming applier and write the result to NEW. Exit 1 with the applier's status when the\n"
    "patch is malformed or does not fit OLD.\n";

/* Both input files into memory (what is read stays in files[] for the caller to free). */
static int read_inputs(const char *cmd, const char *const in[2], uint8_t *files[2],
                       size_t sizes[2])
{
    for (int i = 0; i < 2; i++) {
        if (tool_read_file(in[i], &files[i], &sizes[i]) != 0) {
            return tool_fail(cmd, "cannot read %s: %s", in[i], strerror(errno));
        }
    }
    return TOOL_EXIT_OK;
}

int cmd_diff(int argc, char **argv)
{
    const char *cmd = "diff", *output = NULL, *format = NULL, *block_text = NULL;
    const tool_option_t opts[] = {
        {.name = "output", .takes_value = true, .value = &output},
        {.name = "format", .takes_value = true, .value = &format},
        {.name = "block-size", .takes_value = true, .value = &block_text},
        {.name = NULL},
    };
    const char *in[2] = {NULL, NULL};
    int status;
    if (!tool_args(argc, argv, opts, in, 2, DIFF_HELP, &status)) {
        return status;
    }
    if (output == NULL) {
        return tool_usage_error(cmd, "missing -o PATCH");
    }
    bool jojo = false;
    if (format != NULL && strcmp(format, "jojodiff") == 0) {
        jojo = true;
    } else if (format != NULL && strcmp(format, "otaflow") != 0) {
        return tool_usage_error(cmd, "--format must be otaflow or jojodiff, not '%s'", format);
    }
    unsigned block_log2 = DELTA_OFD_BLOCK_LOG2_DEFAULT;
    if (block_text != NULL) {
        uint32_t size = 0;
        if (!tool_parse_u32(block_text, &size) || size < (1u << DELTA_OFD_BLOCK_LOG2_MIN) ||
            size > (1u << DELTA_OFD_BLOCK_LOG2_MAX) || (size & (size - 1u)) != 0) {
            return tool_usage_error(cmd, "--block-size must be a power of two, 1024..65536");
        }
        for (block_log2 = 0; (1u << block_log2) < size; block_log2++) {
        }
    }
    uint8_t *files[2] = {NULL, NULL};
    size_t sizes[2] = {0, 0};
    int rc = read_inputs(cmd, in, files, sizes);
    delta_op_t *ops = NULL;
    size_t n_ops = 0;
    if (rc == TOOL_EXIT_OK && delta_match(files[0], sizes[0], files[1], sizes[1], &ops, &n_ops) != 0) {
        rc = tool_fail(cmd, "cannot match %s against %s (out of memory, or 2 GB or more)", in[1],
                       in[0]);
    }
    if (rc == TOOL_EXIT_OK) {
        delta_buf_t patch = {0};
        if (jojo) {
            delta_encode_jojo(files[0], sizes[0], files[1], sizes[1], ops, n_ops, &patch);
        } else {
            delta_encode_ofd(files[0], sizes[0], files[1], sizes[1], ops, n_ops, block_log2,
                             &patch);
        }
        if (tool_write_output(output, patch.data, patch.len) != 0) {
            rc = tool_fail(cmd, "cannot write %s: %s", output, strerror(errno));
        } else {
            printf("%s: %zu bytes (%s format, %zu operations) for %zu -> %zu bytes\n", output,
                   patch.len, jojo ? "jojodiff" : "otaflow", n_ops, sizes[0], sizes[1]);
        }
        free(patch.data);
    }
    free(ops);
    free(files[0]);
    free(files[1]);
    return rc;
}

/* The applier's callbacks over a file in memory and a growing output. */
typedef struct patch_io {
    const uint8_t *base;
    delta_buf_t out;
} patch_io_t;

static int read_base(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len)
{
    const patch_io_t *io = ctx;
    memcpy(buf, io->base + offset, len);
    return 0;
}

static int write_out(void *ctx, uint32_t offset, const uint8_t *data, uint32_t len)
{
    patch_io_t *io = ctx;
    if (offset != io->out.len) {
        return -1; /* the applier promises consecutive writes */
    }
    delta_buf_put(&io->out, data, len);
    return 0;
}

ota_delta_status_t delta_apply(const uint8_t *base, size_t base_size, const uint8_t *patch,
                               size_t patch_size, delta_buf_t *out, ota_delta_format_t *format)
{
    if (base_size > UINT32_MAX) {
        return OTA_DELTA_ERR_OVERSIZE;
    }
    patch_io_t pio = {base, {0}};
    ota_delta_io_t io = {read_base, write_out, &pio, (uint32_t)base_size, 0, 0, NULL};
    ota_delta_t *d = malloc(sizeof *d);
    ota_delta_status_t st = d == NULL ? OTA_DELTA_ERR_ARG : ota_delta_init(d, &io);
    if (st == OTA_DELTA_OK) {
        st = ota_delta_feed(d, patch, patch_size);
    }
    if (st == OTA_DELTA_OK) {
        st = ota_delta_finish(d);
    }
    if (d != NULL) {
        *format = ota_delta_format(d);
    }
    free(d);
    *out = pio.out;
    return st;
}

int cmd_patch(int argc, char **argv)
{
    const char *cmd = "patch", *output = NULL;
    const tool_option_t opts[] = {
        {.name = "output", .takes_value = true, .value = &output},
        {.name = NULL},
    };
    const char *in[2] = {NULL, NULL};
    int status;
    if (!tool_args(argc, argv, opts, in, 2, PATCH_HELP, &status)) {
        return status;
    }
    if (output == NULL) {
        return tool_usage_error(cmd, "missing -o NEW");
    }
    uint8_t *files[2] = {NULL, NULL};
    size_t sizes[2] = {0, 0};
    int rc = read_inputs(cmd, in, files, sizes);
    if (rc == TOOL_EXIT_OK && sizes[0] > UINT32_MAX) {
        rc = tool_fail(cmd, "%s: 4 GB or more", in[0]);
    }
    delta_buf_t out = {0};
    if (rc == TOOL_EXIT_OK) {
        ota_delta_format_t format = OTA_DELTA_FORMAT_UNKNOWN;
        ota_delta_status_t st = delta_apply(files[0], sizes[0], files[1], sizes[1], &out, &format);
        if (st != OTA_DELTA_OK) {
            rc = tool_fail(cmd, "%s does not apply to %s: %s", in[1], in[0],
                           ota_delta_status_str(st));
        } else if (tool_write_output(output, out.data, out.len) != 0) {
            rc = tool_fail(cmd, "cannot write %s: %s", output, strerror(errno));
        } else {
            printf("%s: %zu bytes from %s (%s format)\n", output, out.len, in[1],
                   format == OTA_DELTA_FORMAT_OTAFLOW ? "otaflow" : "jojodiff");
        }
    }
    free(out.data);
    free(files[0]);
    free(files[1]);
    return rc;
}
