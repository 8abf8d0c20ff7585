/* SPDX-License-Identifier: Apache-2.0 */
/* otaflow-image info and verify: what an .ota file holds, and whether it is intact. */
#include <stdio.h>
#include <string.h>

#include <inttypes.h>
#include <stdlib.h>

#include "image_encrypt.h"
#include "image_file.h"
#include "lms_key.h"
#include "otaflow/image_sig.h"
#include "tool.h"
#include "trusted_key.h"

static const char INFO_HELP[] =
    "usage: otaflow-image info FILE.ota [--json]\n"
    "       otaflow-image info KEY.lms\n"
    "\n"
    "Print every header field and every TLV of an update image (known TLVs by name, others by\n"
    "type and length), whether header + payload match the SHA-256 TLV, and the SHA-256 of the\n"
    "whole file (the manifest Digest). The image is parsed by the same code as on the device.\n"
    "Exit 0 when the image parses (even if the hash does not match: see verify).\n"
    "Given an HSS/LMS private key (keygen --lms), print its parameters, key id and how many\n"
    "signatures it has left (each leaf signs once).\n"
    "\n"
    "  --json   one JSON object instead of text\n";

static const char VERIFY_HELP[] =
    "usage: otaflow-image verify FILE.ota [--pubkey PUB] [--decrypt-key DEVICE.pem]\n"
    "\n"
    "Exit 0 only when FILE.ota is an intact otaflow image: it parses, header + payload match\n"
    "its SHA-256 TLV, and nothing follows the TLV area. Otherwise print why and exit 1.\n"
    "\n"
    "  --pubkey PUB       also require a signature by this key, checked as the device does\n"
    "                     (ota_image_sig_check): refused when the image is not signed, names\n"
    "                     another key id, or its signature does not verify. PUB is an ECDSA\n"
    "                     P-256 key (PEM) or an HSS/LMS public key (keygen --lms --pub)\n"
    "  --decrypt-key DEVICE.pem\n"
    "                     an encrypted image (pack --encrypt-to): decrypt it with the device's\n"
    "                     private key as its bootloader does, then check the plaintext's\n"
    "                     SHA-256. Without it an encrypted image is refused: its hash is of\n"
    "                     a plaintext this command cannot see\n";

/* Walk the TLV area (ota_image_parse has checked its bounds). */
typedef struct tlv_view {
    uint16_t type;
    uint16_t len;
    const uint8_t *value;
} tlv_view_t;

static size_t next_tlv(const tool_image_t *img, size_t pos, tlv_view_t *out)
{
    size_t end = (size_t)img->info.tlv_offset + img->info.tlv_size;
    if (pos + OTA_IMAGE_TLV_ENTRY_HDR > end) {
        return 0;
    }
    const uint8_t *p = img->bytes + pos;
    out->type = (uint16_t)(p[0] | p[1] << 8);
    out->len = (uint16_t)(p[2] | p[3] << 8);
    out->value = p + OTA_IMAGE_TLV_ENTRY_HDR;
    if (pos + OTA_IMAGE_TLV_ENTRY_HDR + out->len > end) {
        return 0;
    }
    return pos + OTA_IMAGE_TLV_ENTRY_HDR + out->len;
}

static const char *tlv_name(uint16_t type)
{
    switch (type) {
    case OTA_IMAGE_TLV_SHA256: return "sha256";
    case OTA_IMAGE_TLV_KEY_HASH: return "key-hash";
    case OTA_IMAGE_TLV_ECDSA_P256: return "ecdsa-p256";
    case OTA_IMAGE_TLV_ECDSA_P256_PAYLOAD: return "ecdsa-p256-payload";
    case OTA_IMAGE_TLV_LMS_KEY_HASH: return "lms-key-hash";
    case OTA_IMAGE_TLV_HSS_LMS: return "hss-lms";
    case OTA_IMAGE_TLV_ENC_P256_AES128: return "enc-p256-aes128";
    default: return "unknown";
    }
}

static void print_hex(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        printf("%02x", p[i]);
    }
}

static void print_text(const char *path, const tool_image_t *img, ota_image_status_t hash,
                       const char *file_digest)
{
    const ota_image_header_t *h = &img->info.header;
    printf("file              %s (%zu bytes)\n", path, img->len);
    printf("magic             0x%08lX (\"OTAF\")\n", (unsigned long)OTA_IMAGE_MAGIC);
    printf("header version    %u\n", h->header_version);
    printf("header size       %u\n", h->header_size);
    printf("version           %u\n", h->version);
    printf("security counter  %u\n", h->security_counter);
    printf("load address      0x%08X\n", h->load_addr);
    printf("payload size      %u\n", h->payload_size);
    printf("flags             0x%08X\n", h->flags);
    printf("hardware id       0x%08X\n", h->hw_id);
    printf("revokes keys      0x%08X%s\n", h->revoke_keys,
           h->revoke_keys != 0u ? " (keyring entries, bit i = entry i)" : " (none)");
    printf("TLV area          offset %u, %u bytes\n", img->info.tlv_offset, img->info.tlv_size);
    tlv_view_t t;
    for (size_t pos = img->info.tlv_offset + OTA_IMAGE_TLV_INFO_SIZE;
         (pos = next_tlv(img, pos, &t)) != 0;) {
        printf("TLV 0x%04X        %s, %u bytes%s: ", t.type, tlv_name(t.type), t.len,
               (t.type & OTA_IMAGE_TLV_CRITICAL) ? ", critical" : "");
        print_hex(t.value, t.len);
        printf("\n");
    }
    if (img->len > img->info.total_size) {
        printf("trailing bytes    %zu after the image\n", img->len - img->info.total_size);
    }
    printf("hash              %s\n", img->info.has_encryption
                                           ? "of the plaintext: payload encrypted, not checked"
                                       : hash == OTA_IMAGE_OK ? "ok"
                                                              : ota_image_status_str(hash));
    const struct {
        bool has, has_id;
        const char *alg;
        unsigned len;
        const uint8_t *id;
    } sigs[] = {
        {img->info.has_signature, img->info.has_key_hash, "ECDSA P-256", img->info.signature_len,
         img->info.key_hash},
        {img->info.has_lms_signature, img->info.has_lms_key_hash, "HSS/LMS",
         img->info.lms_signature_len, img->info.lms_key_hash},
    };
    bool any = false;
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        char id[2 * OTA_SHA256_SIZE + 1] = "none";
        if (sigs[i].has_id) {
            tool_hex(sigs[i].id, OTA_SHA256_SIZE, id);
        }
        if (sigs[i].has) {
            printf("signature         %s, %u bytes, key id %s\n", sigs[i].alg, sigs[i].len, id);
            any = true;
        }
    }
    if (!any) {
        printf("signature         none\n");
    }
    printf("file sha256       %s\n", file_digest);
}

/* "{\n  "file": "PATH",\n": the object's first member, the path as a JSON string. */
static void json_open_file(const char *path)
{
    printf("{\n  \"file\": \"");
    for (const char *p = path; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\') {
            printf("\\%c", *p);
        } else if ((unsigned char)*p < 0x20) {
            printf("\\u%04x", (unsigned char)*p);
        } else {
            putchar(*p);
        }
    }
    printf("\",\n");
}

static void print_json(const char *path, const tool_image_t *img, ota_image_status_t hash,
                       const char *file_digest)
{
    const ota_image_header_t *h = &img->info.header;
    json_open_file(path);
    printf("  \"file_size\": %zu,\n", img->len);
    printf("  \"magic\": %lu,\n", (unsigned long)OTA_IMAGE_MAGIC);
    printf("  \"header_version\": %u,\n  \"header_size\": %u,\n", h->header_version,
           h->header_size);
    printf("  \"version\": %u,\n  \"security_counter\": %u,\n", h->version, h->security_counter);
    printf("  \"load_addr\": %u,\n  \"payload_size\": %u,\n", h->load_addr, h->payload_size);
    printf("  \"flags\": %u,\n  \"hw_id\": %u,\n  \"revoke_keys\": %u,\n", h->flags, h->hw_id,
           h->revoke_keys);
    printf("  \"tlv_offset\": %u,\n  \"tlv_size\": %u,\n  \"total_size\": %u,\n",
           img->info.tlv_offset, img->info.tlv_size, img->info.total_size);
    printf("  \"tlvs\": [");
    tlv_view_t t;
    bool first = true;
    for (size_t pos = img->info.tlv_offset + OTA_IMAGE_TLV_INFO_SIZE;
         (pos = next_tlv(img, pos, &t)) != 0;) {
        printf("%s\n    {\"type\": %u, \"name\": \"%s\", \"critical\": %s, \"length\": %u, "
               "\"value\": \"",
               first ? "" : ",", t.type, tlv_name(t.type),
               (t.type & OTA_IMAGE_TLV_CRITICAL) ? "true" : "false", t.len);
        print_hex(t.value, t.len);
        printf("\"}");
        first = false;
    }
    printf("%s],\n", first ? "" : "\n  ");
    printf("  \"trailing_bytes\": %zu,\n", img->len - img->info.total_size);
    printf("  \"hash_ok\": %s,\n", hash == OTA_IMAGE_OK ? "true" : "false");
    printf("  \"encrypted\": %s,\n", img->info.has_encryption ? "true" : "false");
    printf("  \"signed\": %s,\n",
           img->info.has_signature || img->info.has_lms_signature ? "true" : "false");
    printf("  \"file_sha256\": \"%s\"\n}\n", file_digest);
}

/* An HSS/LMS private key: what it is and how many signatures it has left. */
static int info_lms_key(const char *path, bool json)
{
    char why[256];
    tool_lms_key_t key;
    if (tool_lms_load_private(&key, path, why, sizeof why) != 0) {
        return tool_fail("info", "%s", why);
    }
    char id[2 * OTA_SHA256_SIZE + 1], params[64];
    tool_hex(key.key_id, sizeof key.key_id, id);
    tool_lms_params_name(&key.params[0], params, sizeof params);
    if (json) {
        json_open_file(path); /* a path is any bytes: escaped, as info FILE.ota's */
        printf("  \"kind\": \"hss-lms-private-key\",\n");
        printf("  \"levels\": %u,\n  \"parameters\": \"%s\",\n", (unsigned)key.levels, params);
        printf("  \"key_id\": \"%s\",\n  \"signature_size\": %zu,\n", id,
               tool_lms_sig_size(&key));
        printf("  \"signatures_total\": %" PRIu64 ",\n  \"signatures_used\": %" PRIu64
               ",\n  \"leaves_left\": %" PRIu64 "\n}\n",
               tool_lms_total(&key), key.next, tool_lms_left(&key));
    } else {
        printf("file              %s\n", path);
        printf("key               HSS/LMS private key, %u level%s of %s\n", (unsigned)key.levels,
               key.levels == 1u ? "" : "s", params);
        printf("key id            %s\n", id);
        printf("signature size    %zu bytes\n", tool_lms_sig_size(&key));
        printf("signatures        %" PRIu64 " used of %" PRIu64 "\n", key.next,
               tool_lms_total(&key));
        printf("leaves left       %" PRIu64 "%s\n", tool_lms_left(&key),
               tool_lms_left(&key) == 0u ? " (exhausted: this key signs nothing more)" : "");
    }
    memset(&key, 0, sizeof key);
    return TOOL_EXIT_OK;
}

int cmd_info(int argc, char **argv)
{
    bool json = false;
    const tool_option_t opts[] = {
        {.name = "json", .takes_value = false, .flag = &json},
        {.name = NULL},
    };
    const char *path = NULL;
    int status;
    if (!tool_args(argc, argv, opts, &path, 1, INFO_HELP, &status)) {
        return status;
    }
    uint8_t head[64] = {0};
    FILE *f = fopen(path, "rb");
    size_t got = f != NULL ? fread(head, 1, sizeof head, f) : 0;
    if (f != NULL) {
        fclose(f);
    }
    if (tool_lms_is_private(head, got)) {
        return info_lms_key(path, json);
    }
    tool_image_t img;
    int rc = tool_image_load("info", path, &img);
    if (rc != TOOL_EXIT_OK) {
        return rc;
    }
    ota_image_status_t hash = tool_image_verify(&img);
    char file_digest[65];
    tool_hex(img.digests.file, sizeof img.digests.file, file_digest);
    if (json) {
        print_json(path, &img, hash, file_digest);
    } else {
        print_text(path, &img, hash, file_digest);
    }
    tool_image_free(&img);
    return TOOL_EXIT_OK;
}

/* The device's signature check with PUB as the only trusted key, and required. */
static int check_signature(const char *path, const tool_image_t *img, const char *pubkey_path)
{
    const char *cmd = "verify";
    char why[256];
    tool_trusted_t trusted;
    if (tool_trusted_load(&trusted, pubkey_path, why, sizeof why) != 0) {
        tool_trusted_free(&trusted);
        return tool_fail(cmd, "%s", why);
    }
    const ota_sig_keyring_t ring = {.keys = &trusted.entry, .count = 1,
                                    .required = OTA_SIG_REQUIRE(trusted.entry.alg)};
    uint8_t work[OTA_SIG_MAX_SIZE];
    ota_sig_status_t st = ota_image_sig_check(&img->src, &img->info, &ring, work, sizeof work);
    bool lms = trusted.entry.alg == OTA_SIG_ALG_HSS_LMS;
    tool_trusted_free(&trusted);
    if (st == OTA_SIG_OK) {
        return TOOL_EXIT_OK;
    }
    bool has_id = lms ? img->info.has_lms_key_hash : img->info.has_key_hash;
    if (st == OTA_SIG_ERR_UNKNOWN_KEY && has_id) {
        char id[2 * OTA_SHA256_SIZE + 1];
        tool_hex(lms ? img->info.lms_key_hash : img->info.key_hash, OTA_SHA256_SIZE, id);
        return tool_fail(cmd, "%s: %s (signed by key id %s, not by %s)", path,
                         ota_sig_status_str(st), id, pubkey_path);
    }
    if (st == OTA_SIG_ERR_REQUIRED || (st == OTA_SIG_ERR_UNKNOWN_KEY && !has_id)) {
        return tool_fail(cmd, "%s: %s", path, ota_sig_status_str(OTA_SIG_ERR_UNSIGNED));
    }
    return tool_fail(cmd, "%s: %s", path, ota_sig_status_str(st));
}

int cmd_verify(int argc, char **argv)
{
    const char *cmd = "verify";
    const char *pubkey = NULL;
    const char *decrypt_key = NULL;
    const tool_option_t opts[] = {
        {.name = "pubkey", .takes_value = true, .value = &pubkey},
        {.name = "decrypt-key", .takes_value = true, .value = &decrypt_key},
        {.name = NULL},
    };
    const char *path = NULL;
    int status;
    if (!tool_args(argc, argv, opts, &path, 1, VERIFY_HELP, &status)) {
        return status;
    }
    tool_image_t img;
    int rc = tool_image_load(cmd, path, &img);
    if (rc != TOOL_EXIT_OK) {
        return rc;
    }
    char why[256];
    if (img.info.has_encryption && decrypt_key == NULL) {
        tool_image_free(&img);
        return tool_fail(cmd, "%s: payload encrypted: give --decrypt-key DEVICE.pem to check it",
                         path);
    }
    if (decrypt_key != NULL && tool_image_decrypt(&img, decrypt_key, why, sizeof why) != 0) {
        tool_image_free(&img);
        return tool_fail(cmd, "%s: %s", path, why);
    }
    ota_image_status_t st = tool_image_verify(&img);
    if (st != OTA_IMAGE_OK) {
        rc = tool_fail(cmd, "%s: %s", path, ota_image_status_str(st));
    } else if (img.len != img.info.total_size) {
        size_t extra = img.len - img.info.total_size;
        rc = tool_fail(cmd, "%s: %zu trailing byte%s after the end of the image", path, extra,
                       extra == 1 ? "" : "s");
    } else if (pubkey != NULL) {
        rc = check_signature(path, &img, pubkey);
    }
    if (rc == TOOL_EXIT_OK) {
        printf("%s: ok (version %u, %u-byte payload%s, SHA-256 matches%s)\n", path,
               img.info.header.version, img.info.header.payload_size,
               decrypt_key != NULL ? " decrypted" : "",
               pubkey != NULL ? ", signed by that key" : "");
    }
    tool_image_free(&img);
    return rc;
}
