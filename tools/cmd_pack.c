/* SPDX-License-Identifier: Apache-2.0 */
/* otaflow-image pack: a firmware binary (or Intel HEX) into an otaflow update image. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "otaflow/crypto.h"
#include "image_digest.h"
#include "image_encrypt.h"
#include "lms_key.h"
#include "otaflow/image.h"
#include "sign_key.h"
#include "tool.h"

static const char HELP[] =
    "usage: otaflow-image pack IN -o OUT.ota --version N [--security-counter N]\n"
    "                          [--load-addr ADDR] [--hw ID] [--no-kseg] [--key KEY.pem]\n"
    "                          [--lms-key KEY.lms] [--revoke-keys MASK] [--clip]\n"
    "                          [--encrypt-to DEVICE_PUB.pem]\n"
    "\n"
    "Build an update image: header, payload, TLV area with the SHA-256 of header + payload\n"
    "(layout: docs/image-format.md). IN is a flat binary, or Intel HEX when its name ends in\n"
    ".hex or .ihex (converted as hex2bin does, from --load-addr, region size 0xDF000).\n"
    "A HEX whose data starts at 0x00020000 or above in the region from there (the emulated\n"
    "Cortex-M4 board's application region, docs/firmware.md) is packed from 0x00020000\n"
    "when --load-addr is not given. HEX data in the PIC32 boot flash segment\n"
    "0x1FC00000-0x1FFFFFFF (XC32's configuration words) is left out, with a note on stderr.\n"
    "The last line printed is the SHA-256 of OUT as sha256sum prints it: the manifest Digest.\n"
    "\n"
    "  -o, --output OUT         image to write\n"
    "  --version N              image version (the manifest Version), 0..4294967295\n"
    "  --security-counter N     anti-rollback counter (default 0)\n"
    "  --load-addr ADDR         where the payload goes in program flash: the start of the\n"
    "                           application region (default 0x10020000), where the\n"
    "                           bootloader installs and starts it (it refuses another);\n"
    "                           KSEG0/KSEG1 addresses are stored as physical unless --no-kseg\n"
    "  --hw ID                  hardware id the image is built for (default 0)\n"
    "  --no-kseg                no KSEG to physical mapping (see hex2bin --help)\n"
    "  --key KEY.pem            sign: add the KEY_HASH TLV (SHA-256 of the public key) and an\n"
    "                           ECDSA P-256 signature of the image SHA-256 (keygen makes keys)\n"
    "  --lms-key KEY.lms        sign with an HSS/LMS key (keygen --lms): the LMS_KEY_HASH and\n"
    "                           HSS_LMS TLVs; with --key too, the image carries both (hybrid).\n"
    "                           The key's next leaf is saved as used (written, fsync'd, read\n"
    "                           back) before it signs, and OUT appears only after: a key that\n"
    "                           cannot be saved, or has no leaf left, signs nothing\n"
    "  --revoke-keys MASK       keyring entries this image revokes once a device confirms it\n"
    "                           (bit i = entry i, e.g. 0x1 revokes entry 0; default 0). Sign\n"
    "                           with a key that stays: a device refuses an image revoking its\n"
    "                           own key or every key (docs/security.md, key rotation)\n"
    "  --clip                   leave out HEX data outside the region (with a note) instead\n"
    "                           of refusing it\n"
    "  --encrypt-to PUB.pem     encrypt the payload (AES-128-CTR, a fresh key) for the device\n"
    "                           whose P-256 public key this is (keygen makes the pair,\n"
    "                           privkey-c the bootloader's table): the ENC_P256_AES128 TLV.\n"
    "                           The SHA-256 TLV and signatures stay over the plaintext; the\n"
    "                           digest printed is of the file as written (ciphertext)\n";

static bool is_hex_name(const char *path)
{
    return tool_name_ends_with(path, ".hex") || tool_name_ends_with(path, ".ihex");
}

typedef struct pack_args {
    const char *input, *output, *key, *lms_key, *encrypt_to;
    uint32_t version, security_counter, load_addr, hw_id, revoke_keys;
    bool kseg;
    bool clip;       /**< --clip: HEX data outside the region is left out */
    bool load_given; /**< --load-addr was on the command line */
} pack_args_t;

static int parse(int argc, char **argv, pack_args_t *a)
{
    const char *cmd = "pack";
    const char *version = NULL;
    const char *counter = NULL;
    const char *load = NULL;
    const char *hw = NULL;
    const char *revoke = NULL;
    bool no_kseg = false;
    const tool_option_t opts[] = {
        {.name = "output", .takes_value = true, .value = &a->output},
        {.name = "version", .takes_value = true, .value = &version},
        {.name = "security-counter", .takes_value = true, .value = &counter},
        {.name = "load-addr", .takes_value = true, .value = &load},
        {.name = "hw", .takes_value = true, .value = &hw},
        {.name = "no-kseg", .takes_value = false, .flag = &no_kseg},
        {.name = "key", .takes_value = true, .value = &a->key},
        {.name = "lms-key", .takes_value = true, .value = &a->lms_key},
        {.name = "revoke-keys", .takes_value = true, .value = &revoke},
        {.name = "clip", .takes_value = false, .flag = &a->clip},
        {.name = "encrypt-to", .takes_value = true, .value = &a->encrypt_to},
        {.name = NULL},
    };
    int status;
    if (!tool_args(argc, argv, opts, &a->input, 1, HELP, &status)) {
        return status == TOOL_EXIT_OK ? -1 : status; /* -1: help printed */
    }
    if (a->output == NULL) {
        return tool_usage_error(cmd, "missing -o OUT.ota");
    }
    if (version == NULL) {
        return tool_usage_error(cmd, "missing --version N");
    }
    const struct {
        const char *text, *name;
        uint32_t *out;
    } numbers[] = {
        {version, "version", &a->version},
        {counter, "security-counter", &a->security_counter},
        {load, "load-addr", &a->load_addr},
        {hw, "hw", &a->hw_id},
        {revoke, "revoke-keys", &a->revoke_keys},
    };
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        if (numbers[i].text != NULL && !tool_parse_u32(numbers[i].text, numbers[i].out)) {
            return tool_usage_error(cmd, "--%s '%s' is not a 32-bit number", numbers[i].name,
                                    numbers[i].text);
        }
    }
    a->kseg = !no_kseg;
    a->load_given = load != NULL;
    if (a->kseg) {
        a->load_addr = tool_kseg_to_physical(a->load_addr);
    }
    return TOOL_EXIT_OK;
}

/* Without --load-addr, a HEX linked for the emulated Cortex-M4's application payload is
 * packed from there; any other keeps the PIC32MZ W1 default. */
static void choose_load_addr(pack_args_t *a)
{
    uint32_t lowest;
    if (!a->load_given && is_hex_name(a->input) && tool_hex_lowest(a->input, &lowest) == 0 &&
        lowest >= TOOL_CM_PAYLOAD_BASE && lowest - TOOL_CM_PAYLOAD_BASE < TOOL_DEFAULT_SIZE) {
        a->load_addr = TOOL_CM_PAYLOAD_BASE;
    }
}

/* Bytes read, hashed and written at a time: small enough to stay in the caches (a buffer
 * of the whole payload costs a page fault per 4 KB, more than the hash: docs/performance.md). */
#define PACK_CHUNK (128u * 1024u)

/* The payload: HEX converted in memory, or a binary file read as it is written. */
typedef struct payload {
    uint8_t *bytes; /**< the converted HEX (or a pipe's bytes), or NULL */
    FILE *in;       /**< the binary, or NULL */
    size_t len;
} payload_t;

static void close_payload(payload_t *p)
{
    free(p->bytes);
    if (p->in != NULL) {
        fclose(p->in);
    }
}

static int open_payload(const pack_args_t *a, payload_t *p, tool_left_out_t *left)
{
    memset(p, 0, sizeof *p);
    memset(left, 0, sizeof *left);
    if (is_hex_name(a->input)) {
        tool_region_t region = {.base = a->load_addr, .size = TOOL_DEFAULT_SIZE, .pad = false,
                                .kseg = a->kseg, .clip = a->clip};
        if ((uint64_t)region.base + region.size > 0x100000000ULL) {
            region.size = (uint32_t)(0x100000000ULL - region.base);
        }
        return tool_hex_to_region("pack", a->input, &region, &p->bytes, &p->len, left);
    }
    /* The header holds the payload's size before the payload is read: a regular file's is
     * known; anything else (a pipe) is read whole first. */
    struct stat st;
    p->in = fopen(a->input, "rb");
    if (p->in != NULL && fstat(fileno(p->in), &st) == 0 && S_ISREG(st.st_mode)) {
        p->len = (size_t)st.st_size;
        return TOOL_EXIT_OK;
    }
    close_payload(p);
    memset(p, 0, sizeof *p);
    if (tool_read_file(a->input, &p->bytes, &p->len) != 0) {
        return tool_fail("pack", "cannot read %s: %s", a->input, strerror(errno));
    }
    return TOOL_EXIT_OK;
}

/* Where the payload's bytes go: the file's hash and the output, and when encrypting the
 * plaintext's hash first (the image's SHA-256), then the cipher, in place. */
typedef struct payload_sink {
    tool_sha_pass_t *file;  /**< every byte written */
    tool_sha_pass_t *plain; /**< header + plaintext payload, or NULL: file's prefix is it */
    tool_encrypt_t *enc;    /**< or NULL */
    tool_output_t *out;
} payload_sink_t;

static int sink_chunk(payload_sink_t *k, uint8_t *data, size_t n)
{
    if (k->enc != NULL) {
        tool_sha_pass_update(k->plain, data, n);
        if (tool_encrypt_update(k->enc, data, n) != 0) {
            return tool_fail("pack", "cannot encrypt (OpenSSL failed)");
        }
    }
    tool_sha_pass_update(k->file, data, n);
    return tool_output_write(k->out, data, n) == 0
               ? TOOL_EXIT_OK
               : tool_fail("pack", "cannot write: %s", strerror(errno));
}

/* Hash and write the payload: a binary in chunks, checking it is still the size it had. */
static int copy_payload(const char *input, payload_t *p, payload_sink_t *sink)
{
    if (p->bytes != NULL) {
        return sink_chunk(sink, p->bytes, p->len);
    }
    static uint8_t chunk[PACK_CHUNK];
    size_t done = 0;
    for (;;) {
        size_t n = fread(chunk, 1, sizeof chunk, p->in);
        if (n == 0) {
            break;
        }
        done += n;
        if (done > p->len) {
            break;
        }
        int rc = sink_chunk(sink, chunk, n);
        if (rc != TOOL_EXIT_OK) {
            return rc;
        }
    }
    if (ferror(p->in)) {
        return tool_fail("pack", "cannot read %s: %s", input, strerror(EIO));
    }
    if (done != p->len) {
        return tool_fail("pack", "%s changed size while it was read", input);
    }
    return TOOL_EXIT_OK;
}

/* The TLV area: the SHA-256, with --key the key id and the ECDSA signature over that SHA-256,
 * with --lms-key the HSS/LMS pair. Both keys are loaded before either signs, so that a bad
 * --key wastes no LMS leaf. */
static int build_tlvs(const pack_args_t *a, const uint8_t digest[OTA_SHA256_SIZE],
                      const tool_encrypt_t *enc, uint8_t *tlv, size_t cap, uint32_t *tlv_len)
{
    char why[256];
    tool_key_t key;
    tool_lms_key_t lms;
    memset(&key, 0, sizeof key);
    int rc = 0;
    if (a->key != NULL) {
        rc = tool_key_load_private(&key, a->key, why, sizeof why);
    }
    if (rc == 0 && a->lms_key != NULL) {
        rc = tool_lms_load_private(&lms, a->lms_key, why, sizeof why);
    }
    ota_image_tlv_writer_t w;
    ota_image_tlv_begin(&w, tlv, cap);
    ota_image_tlv_add(&w, OTA_IMAGE_TLV_SHA256, digest, OTA_SHA256_SIZE);
    if (enc != NULL) {
        ota_image_tlv_add(&w, OTA_IMAGE_TLV_ENC_P256_AES128, enc->tlv, sizeof enc->tlv);
    }
    if (rc == 0 && a->key != NULL) {
        rc = tool_key_add_tlvs(&key, &w, digest, why, sizeof why);
    }
    if (rc == 0 && a->lms_key != NULL) {
        rc = tool_lms_add_tlvs(&lms, a->lms_key, &w, digest, why, sizeof why);
    }
    ota_image_status_t st = ota_image_tlv_finish(&w, tlv_len);
    if (rc == 0 && st != OTA_IMAGE_OK) {
        rc = tool_why(why, sizeof why, "cannot build the TLV area: %s", ota_image_status_str(st));
    }
    tool_key_free(&key);
    memset(&lms, 0, sizeof lms);
    return rc == 0 ? TOOL_EXIT_OK : tool_fail("pack", "%s", why);
}

int cmd_pack(int argc, char **argv)
{
    const char *cmd = "pack";
    pack_args_t a = {.load_addr = TOOL_DEFAULT_BASE};
    int rc = parse(argc, argv, &a);
    if (rc != TOOL_EXIT_OK) {
        return rc < 0 ? TOOL_EXIT_OK : rc;
    }
    choose_load_addr(&a);
    payload_t payload;
    tool_left_out_t left;
    rc = open_payload(&a, &payload, &left);
    if (rc != TOOL_EXIT_OK) {
        return rc;
    }
    size_t payload_len = payload.len;
    if (payload_len == 0) {
        close_payload(&payload);
        return tool_fail(cmd, "%s: empty payload", a.input);
    }
    if (payload_len > UINT32_MAX - OTA_IMAGE_HEADER_SIZE - OTA_IMAGE_TLV_MAX) {
        close_payload(&payload);
        return tool_fail(cmd, "%s: payload too large for a 32-bit image", a.input);
    }

    ota_image_header_t hdr = {
        .header_version = OTA_IMAGE_HEADER_VERSION,
        .header_size = OTA_IMAGE_HEADER_SIZE,
        .version = a.version,
        .security_counter = a.security_counter,
        .load_addr = a.load_addr,
        .payload_size = (uint32_t)payload_len,
        .flags = 0,
        .hw_id = a.hw_id,
        .revoke_keys = a.revoke_keys,
    };
    uint8_t raw[OTA_IMAGE_HEADER_SIZE];
    ota_image_header_encode(&hdr, raw);

    /* The device key is read before anything is written: a wrong path leaves no output. */
    tool_encrypt_t enc;
    char why[256];
    if (a.encrypt_to != NULL && tool_encrypt_start(&enc, a.encrypt_to, why, sizeof why) != 0) {
        close_payload(&payload);
        return tool_fail(cmd, "%s", why);
    }
    /* One read and one SHA-256 pass, as the image is written: the hash of header + payload
     * goes into the TLV area, which the same pass then covers for the file's digest. An
     * encrypted payload takes a second pass for the plaintext's hash. */
    tool_output_t out;
    if (tool_output_open(&out, a.output) != 0) {
        rc = tool_fail(cmd, "cannot write %s: %s", a.output, strerror(errno));
        close_payload(&payload);
        if (a.encrypt_to != NULL) {
            tool_encrypt_free(&enc);
        }
        return rc;
    }
    tool_sha_pass_t sha, plain;
    tool_sha_pass_start(&sha);
    tool_sha_pass_update(&sha, raw, sizeof raw);
    payload_sink_t sink = {.file = &sha, .out = &out};
    if (a.encrypt_to != NULL) {
        tool_sha_pass_start(&plain);
        tool_sha_pass_update(&plain, raw, sizeof raw);
        sink.plain = &plain;
        sink.enc = &enc;
    }
    rc = tool_output_write(&out, raw, sizeof raw) == 0
             ? copy_payload(a.input, &payload, &sink)
             : tool_fail(cmd, "cannot write %s: %s", a.output, strerror(errno));
    close_payload(&payload);
    uint8_t digest[OTA_SHA256_SIZE];
    static uint8_t tlv[OTA_IMAGE_TLV_MAX]; /* an HSS/LMS signature is KBs */
    uint32_t tlv_len = 0;
    if (a.encrypt_to != NULL) {
        tool_sha_pass_finish(&plain, digest);
        tool_encrypt_free(&enc);
    } else {
        tool_sha_pass_mark(&sha, digest);
    }
    if (rc == TOOL_EXIT_OK) {
        rc = build_tlvs(&a, digest, a.encrypt_to != NULL ? &enc : NULL, tlv, sizeof tlv,
                        &tlv_len);
    }
    tool_sha_pass_update(&sha, tlv, tlv_len);
    uint8_t file_sha[OTA_SHA256_SIZE];
    tool_sha_pass_finish(&sha, file_sha);
    if (rc == TOOL_EXIT_OK && tool_output_write(&out, tlv, tlv_len) != 0) {
        rc = tool_fail(cmd, "cannot write %s: %s", a.output, strerror(errno));
    }
    if (rc != TOOL_EXIT_OK) {
        tool_output_abort(&out);
        return rc;
    }
    if (tool_output_commit(&out, 0666, false) != 0) {
        return tool_fail(cmd, "cannot write %s: %s", a.output, strerror(errno));
    }
    size_t total = sizeof raw + payload_len + tlv_len;
    char file_digest[65];
    tool_hex(file_sha, sizeof file_sha, file_digest);
    tool_note_left_out(cmd, a.input, &left);
    printf("%s: version %u, security counter %u, load address 0x%08X, hardware id 0x%08X\n",
           a.output, a.version, a.security_counter, a.load_addr, a.hw_id);
    printf("%s: %zu-byte payload from %s, %zu bytes in all\n", a.output, payload_len, a.input,
           total);
    if (a.key != NULL) {
        printf("%s: signed with %s\n", a.output, a.key);
    }
    if (a.lms_key != NULL) {
        printf("%s: signed with %s (HSS/LMS)\n", a.output, a.lms_key);
    }
    if (a.encrypt_to != NULL) {
        char id[2 * OTA_SHA256_SIZE + 1];
        tool_hex(enc.tlv + OTA_IMAGE_ENC_OFF_KEY_ID, OTA_SHA256_SIZE, id);
        printf("%s: payload encrypted for %s (device key id %s)\n", a.output, a.encrypt_to, id);
    }
    printf("%s  %s\n", file_digest, a.output);
    return TOOL_EXIT_OK;
}
