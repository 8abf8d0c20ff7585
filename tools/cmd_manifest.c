/* SPDX-License-Identifier: Apache-2.0 */
/* otaflow-image manifest add: create or update the update manifest served next to the images. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delta_tool.h"
#include "image_file.h"
#include "manifest_doc.h"
#include "tool.h"

static const char HELP[] =
    "usage: otaflow-image manifest add MANIFEST.json --version N --url URL --file FILE.ota\n"
    "                                  [--erase] [--hw ID]\n"
    "                                  [--patch BASE.ota PATCH --patch-url URL]\n"
    "       otaflow-image manifest sign MANIFEST.json --key KEY.pem [--expires DATE|+SECONDS]\n"
    "                                  [--sequence N]      (manifest sign --help)\n"
    "       otaflow-image manifest verify MANIFEST.json --pubkey PUB.pem\n"
    "\n"
    "Create MANIFEST.json, or update it, in the original format:\n"
    "  {\"ota\":[{\"Version\":N,\"URL\":\"...\",\"Digest\":\"<sha256>\",\"EraseVer\":false}, ...]}\n"
    "Digest is the SHA-256 of FILE.ota as it will be served (what sha256sum prints).\n"
    "FILE.ota must be an intact otaflow image (see verify) whose version is N.\n"
    "An entry with Version N is replaced; the others are kept, in ascending version order\n"
    "(devices that read only the last entry see the newest). Members other than these four\n"
    "are kept as they were; an entry without EraseVer gets \"EraseVer\": false.\n"
    "\n"
    "  --version N   image version (0..4294967295)\n"
    "  --url URL     where devices download FILE.ota (http:// or https://)\n"
    "  --file FILE   the image, for the digest\n"
    "  --erase       EraseVer true: devices delete version N from their store\n"
    "  --hw ID       \"HwId\": only boards with this hardware id take the entry (default: any\n"
    "                board); refused if FILE.ota's header names another hw_id\n"
    "  --patch BASE.ota PATCH  a \"Patch\" for devices that hold BASE.ota (otaflow-image diff\n"
    "                BASE.ota FILE.ota -o PATCH, either format): BaseVersion and BaseVerDigest\n"
    "                from BASE.ota, PatchDigest of PATCH, TargetDigest of FILE.ota; refused\n"
    "                unless PATCH turns BASE.ota into FILE.ota byte for byte\n"
    "  --patch-url URL  where devices download PATCH\n"
    "A signed manifest must be signed again after a change (manifest sign).\n";

/* The "Patch" member: one patch that turns base into the entry's file (target). */
static int manifest_patch_json(const char *cmd, const char *base_path, const char *patch_path,
                               const char *patch_url, const tool_image_t *target, char *json,
                               size_t json_size)
{
    tool_image_t base;
    int rc = tool_image_load_intact(cmd, base_path, &base);
    if (rc != TOOL_EXIT_OK) {
        return rc;
    }
    uint8_t *patch = NULL;
    size_t patch_len = 0;
    if (tool_read_file(patch_path, &patch, &patch_len) != 0) {
        tool_image_free(&base);
        return tool_fail(cmd, "cannot read %s: %s", patch_path, strerror(errno));
    }
    delta_buf_t out = {0};
    ota_delta_format_t format;
    ota_delta_status_t st = delta_apply(base.bytes, base.len, patch, patch_len, &out, &format);
    bool same = st == OTA_DELTA_OK && out.len == target->len &&
                memcmp(out.data, target->bytes, target->len) == 0;
    free(out.data);
    if (!same) {
        rc = tool_fail(cmd, "%s does not turn %s into the image of --file (%s)", patch_path,
                       base_path, st == OTA_DELTA_OK ? "another result" : ota_delta_status_str(st));
    } else {
        /* The two images' digests were taken as they were loaded: only the patch is hashed. */
        char base_digest[65], patch_digest[65], target_digest[65];
        tool_hex(base.digests.file, sizeof base.digests.file, base_digest);
        tool_sha256_hex(patch, patch_len, patch_digest);
        tool_hex(target->digests.file, sizeof target->digests.file, target_digest);
        snprintf(json, json_size,
                 "[{\"BaseVersion\": %u, \"BaseVerDigest\": \"%s\", \"PatchURL\": \"%s\", "
                 "\"PatchDigest\": \"%s\", \"TargetDigest\": \"%s\"}]",
                 (unsigned)base.info.header.version, base_digest, patch_url, patch_digest,
                 target_digest);
    }
    free(patch);
    tool_image_free(&base);
    return rc;
}

/* "--patch BASE PATCH": the option's second word is taken out of argv (tool_args knows
 * options of one value). */
static int manifest_take_patch_word(int *argc, char **argv, const char **patch_path)
{
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], "--patch") != 0) {
            continue;
        }
        if (i + 2 >= *argc || argv[i + 2][0] == '-') {
            return tool_usage_error("manifest add", "--patch needs BASE.ota and PATCH");
        }
        *patch_path = argv[i + 2];
        memmove(&argv[i + 2], &argv[i + 3], (size_t)(*argc - i - 3) * sizeof *argv);
        (*argc)--;
        return TOOL_EXIT_OK;
    }
    return TOOL_EXIT_OK;
}

static int manifest_add(int argc, char **argv)
{
    const char *cmd = "manifest add";
    const char *patch_base = NULL, *patch_path = NULL, *patch_url = NULL;
    int prc = manifest_take_patch_word(&argc, argv, &patch_path);
    if (prc != TOOL_EXIT_OK) {
        return prc;
    }
    const char *version_text = NULL;
    const char *url = NULL;
    const char *file = NULL;
    bool erase = false;
    const char *hw_text = NULL;
    const tool_option_t opts[] = {
        {.name = "hw", .takes_value = true, .value = &hw_text},
        {.name = "version", .takes_value = true, .value = &version_text},
        {.name = "url", .takes_value = true, .value = &url},
        {.name = "file", .takes_value = true, .value = &file},
        {.name = "erase", .takes_value = false, .flag = &erase},
        {.name = "patch", .takes_value = true, .value = &patch_base},
        {.name = "patch-url", .takes_value = true, .value = &patch_url},
        {.name = NULL},
    };
    const char *path = NULL;
    argv[0] = (char *)cmd;
    int status;
    if (!tool_args(argc, argv, opts, &path, 1, HELP, &status)) {
        return status;
    }
    uint32_t version = 0, hw_id = 0;
    if (hw_text != NULL && (!tool_parse_u32(hw_text, &hw_id) || hw_id == 0u)) {
        return tool_usage_error(cmd, "--hw '%s' is not a number from 1 to 4294967295", hw_text);
    }
    if (version_text == NULL || url == NULL || file == NULL) {
        return tool_usage_error(cmd, "--version, --url and --file are required");
    }
    if (!tool_parse_u32(version_text, &version)) {
        return tool_usage_error(cmd, "--version '%s' is not a number from 0 to 4294967295",
                                version_text);
    }
    if ((patch_base != NULL) != (patch_url != NULL) || (patch_base != NULL && erase)) {
        return tool_usage_error(cmd, "--patch and --patch-url go together, without --erase");
    }
    if (patch_url != NULL && strlen(patch_url) > 256u) {
        return tool_usage_error(cmd, "--patch-url longer than devices read (256 characters)");
    }
    const char *urls[2] = {url, patch_url};
    for (int u = 0; u < 2 && urls[u] != NULL; u++) {
        const char *opt = u == 0 ? "--url" : "--patch-url";
        if (strncmp(urls[u], "http://", 7) != 0 && strncmp(urls[u], "https://", 8) != 0) {
            return tool_usage_error(cmd, "%s must start with http:// or https://", opt);
        }
        for (const char *p = urls[u]; *p != '\0'; p++) {
            if ((unsigned char)*p <= 0x20 || *p == 0x7F) {
                return tool_usage_error(cmd, "%s contains a space or control character", opt);
            }
            if (u == 1 && (*p == '"' || *p == '\\')) {
                return tool_usage_error(cmd, "--patch-url contains a quote or backslash");
            }
        }
    }

    tool_image_t img;
    int rc = tool_image_load_intact(cmd, file, &img);
    if (rc != TOOL_EXIT_OK) {
        return rc;
    }
    uint32_t image_version = img.info.header.version;
    if (image_version != version) {
        tool_image_free(&img);
        return tool_fail(cmd, "%s is version %u, not %u", file, image_version, version);
    }
    uint32_t image_hw = img.info.header.hw_id;
    uint32_t size = (uint32_t)img.len;
    char digest[65];
    tool_hex(img.digests.file, sizeof img.digests.file, digest);
    char patch_json[1024] = "";
    if (patch_base != NULL) {
        rc = manifest_patch_json(cmd, patch_base, patch_path, patch_url, &img, patch_json,
                                 sizeof patch_json);
    }
    tool_image_free(&img);
    if (rc != TOOL_EXIT_OK) {
        return rc;
    }
    if (hw_id != 0u && image_hw != 0u && image_hw != hw_id) {
        return tool_fail(cmd, "%s is built for hw id %u, not %u", file, image_hw, hw_id);
    }

    manifest_doc_t doc;
    manifest_doc_init(&doc);
    uint8_t *old = NULL;
    size_t old_len = 0;
    if (tool_read_file(path, &old, &old_len) == 0) {
        char why[200];
        manifest_doc_status_t st = manifest_doc_parse((const char *)old, old_len, &doc, why, sizeof why);
        free(old);
        if (st != MANIFEST_DOC_OK) {
            return tool_fail(cmd, "%s: %s (not changed)", path, why);
        }
    } else if (errno != ENOENT) {
        return tool_fail(cmd, "cannot read %s: %s", path, strerror(errno));
    }
    bool replaced = false;
    for (size_t i = 0; i < doc.n_entries; i++) {
        replaced = replaced || doc.entries[i].version == version;
    }
    if (manifest_doc_put(&doc, version, url, digest, erase, size, hw_id) != MANIFEST_DOC_OK ||
        (patch_base != NULL &&
         manifest_doc_set_entry(&doc, version, "Patch", patch_json) != MANIFEST_DOC_OK)) {
        manifest_doc_free(&doc);
        return tool_fail(cmd, "out of memory");
    }
    char *text = NULL;
    size_t text_len = 0;
    FILE *mem = open_memstream(&text, &text_len);
    if (mem == NULL) {
        manifest_doc_free(&doc);
        return tool_fail(cmd, "out of memory");
    }
    manifest_doc_write(&doc, mem);
    size_t n_entries = doc.n_entries;
    manifest_doc_free(&doc);
    if (fclose(mem) != 0) {
        free(text);
        return tool_fail(cmd, "out of memory");
    }
    if (tool_write_file(path, text, text_len) != 0) {
        rc = tool_fail(cmd, "cannot write %s: %s", path, strerror(errno));
    } else {
        printf("%s: %s Version %u (%s), %zu entr%s\n", path, replaced ? "replaced" : "added",
               version, erase ? "EraseVer true" : digest, n_entries, n_entries == 1 ? "y" : "ies");
    }
    free(text);
    return rc;
}

int cmd_manifest(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "add") == 0) {
        return manifest_add(argc - 1, argv + 1);
    }
    if (argc >= 2 && strcmp(argv[1], "sign") == 0) {
        return cmd_manifest_sign(argc - 1, argv + 1);
    }
    if (argc >= 2 && strcmp(argv[1], "verify") == 0) {
        return cmd_manifest_verify(argc - 1, argv + 1);
    }
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(HELP, stdout);
        return TOOL_EXIT_OK;
    }
    if (argc < 2) {
        return tool_usage_error("manifest", "missing action: add, sign or verify (see --help)");
    }
    return tool_usage_error("manifest", "unknown action '%s': add, sign or verify", argv[1]);
}
