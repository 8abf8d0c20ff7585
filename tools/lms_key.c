/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HSS/LMS key files and the signing state (tools/lms_key.h). The private key file is text:
 *
 *   otaflow-hss-private-key 1
 *   levels 2
 *   lms 6 6          (RFC 8554 type codes, top level first)
 *   lmots 4 4
 *   seed <64 hex>    (the secret)
 *   I <32 hex>
 *   next 17          (the next signature's index: the state)
 *   public <120 hex> (the HSS public key, kept so that reading it costs no tree)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms_key.h"
#include "tool.h"

/* The longest file this code writes, with room. */
#define LMS_FILE_MAX 1024u

static int lms_unhex(const char *hex, uint8_t *out, size_t n)
{
    if (strlen(hex) != 2u * n) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        if (sscanf(hex + 2u * i, "%2x", &v) != 1) {
            return -1;
        }
        out[i] = (uint8_t)v;
    }
    return 0;
}

/* The file's text for key, into buf. */
static int lms_format(const tool_lms_key_t *key, char *buf, size_t cap)
{
    char seed[2u * OTA_LMS_N + 1u], id[2u * OTA_LMS_I_SIZE + 1u], pub[2u * OTA_LMS_PUBKEY_SIZE + 1u];
    tool_hex(key->seed, sizeof key->seed, seed);
    tool_hex(key->I, sizeof key->I, id);
    tool_hex(key->pub, sizeof key->pub, pub);
    char lms[96] = "", lmots[96] = "";
    for (uint32_t k = 0; k < key->levels; k++) {
        size_t a = strlen(lms), b = strlen(lmots);
        snprintf(lms + a, sizeof lms - a, " %u", (unsigned)key->params[k].lms_type);
        snprintf(lmots + b, sizeof lmots - b, " %u", (unsigned)key->params[k].ots_type);
    }
    int n = snprintf(buf, cap, "%s\nlevels %u\nlms%s\nlmots%s\nseed %s\nI %s\nnext %" PRIu64
                     "\npublic %s\n", TOOL_LMS_KEY_MAGIC, (unsigned)key->levels, lms, lmots,
                     seed, id, key->next, pub);
    return n > 0 && (size_t)n < cap ? n : -1;
}

/* Parse a file's text (NUL-terminated) into key. */
static int lms_parse(char *text, tool_lms_key_t *key)
{
    memset(key, 0, sizeof *key);
    char *save = NULL;
    char *line = strtok_r(text, "\n", &save);
    if (line == NULL || strcmp(line, TOOL_LMS_KEY_MAGIC) != 0) {
        return -1;
    }
    unsigned seen = 0;
    uint32_t lms[OTA_LMS_LEVELS_MAX] = {0}, ots[OTA_LMS_LEVELS_MAX] = {0};
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        char word[16], rest[300];
        if (sscanf(line, "%15s %299[^\n]", word, rest) != 2) {
            return -1;
        }
        if (strcmp(word, "levels") == 0 && sscanf(rest, "%" SCNu32, &key->levels) == 1) {
            seen |= 1u;
        } else if (strcmp(word, "lms") == 0 || strcmp(word, "lmots") == 0) {
            uint32_t *into = word[3] == '\0' ? lms : ots;
            char *p = rest;
            for (unsigned k = 0; k < OTA_LMS_LEVELS_MAX && *p != '\0'; k++) {
                char *end = NULL;
                into[k] = (uint32_t)strtoul(p, &end, 10);
                if (end == p) {
                    return -1;
                }
                p = end;
            }
            seen |= into == lms ? 2u : 4u;
        } else if (strcmp(word, "seed") == 0 && lms_unhex(rest, key->seed, OTA_LMS_N) == 0) {
            seen |= 8u;
        } else if (strcmp(word, "I") == 0 && lms_unhex(rest, key->I, OTA_LMS_I_SIZE) == 0) {
            seen |= 16u;
        } else if (strcmp(word, "next") == 0 && sscanf(rest, "%" SCNu64, &key->next) == 1) {
            seen |= 32u;
        } else if (strcmp(word, "public") == 0 &&
                   lms_unhex(rest, key->pub, OTA_LMS_PUBKEY_SIZE) == 0) {
            seen |= 64u;
        } else {
            return -1;
        }
    }
    if (seen != 127u || key->levels < 1u || key->levels > OTA_LMS_LEVELS_MAX ||
        !tool_lms_is_public(key->pub, sizeof key->pub) || ota_be32_get(key->pub) != key->levels) {
        return -1;
    }
    for (uint32_t k = 0; k < key->levels; k++) {
        if (!ota_lms_params_get(lms[k], ots[k], &key->params[k])) {
            return -1;
        }
    }
    tool_sha256(key->pub, sizeof key->pub, key->key_id);
    return key->next <= tool_lms_total(key) ? 0 : -1;
}

bool tool_lms_is_private(const uint8_t *data, size_t len)
{
    size_t n = strlen(TOOL_LMS_KEY_MAGIC);
    return len > n && memcmp(data, TOOL_LMS_KEY_MAGIC, n) == 0 && data[n] == '\n';
}

bool tool_lms_is_public(const uint8_t *data, size_t len)
{
    ota_lms_params_t pr;
    return len == OTA_LMS_PUBKEY_SIZE && ota_be32_get(data) >= 1u &&
           ota_be32_get(data) <= OTA_LMS_LEVELS_MAX &&
           ota_lms_params_get(ota_be32_get(data + 4), ota_be32_get(data + 8), &pr);
}

int tool_lms_load_private(tool_lms_key_t *key, const char *path, char *why, size_t why_len)
{
    uint8_t *data = NULL;
    size_t len = 0;
    if (tool_read_file(path, &data, &len) != 0) {
        return tool_why(why, why_len, "cannot read %s: %s", path, strerror(errno));
    }
    int rc = -1;
    char *text = malloc(len + 1u);
    if (text != NULL && tool_lms_is_private(data, len)) {
        memcpy(text, data, len);
        text[len] = '\0';
        rc = lms_parse(text, key);
        memset(text, 0, len);
    }
    memset(data, 0, len);
    free(text);
    free(data);
    return rc == 0 ? 0 : tool_why(why, why_len, "%s: not an HSS/LMS private key", path);
}

int tool_lms_save_private(const tool_lms_key_t *key, const char *path, char *why, size_t why_len)
{
    char text[LMS_FILE_MAX];
    int n = lms_format(key, text, sizeof text);
    if (n < 0) {
        return tool_why(why, why_len, "cannot encode the key");
    }
    if (tool_write_file_mode(path, text, (size_t)n, 0600) != 0) {
        int err = errno;
        memset(text, 0, sizeof text);
        return tool_why(why, why_len, "cannot save %s: %s", path, strerror(err));
    }
    memset(text, 0, sizeof text);
    tool_lms_key_t back;
    char ignored[8];
    bool same = tool_lms_load_private(&back, path, ignored, sizeof ignored) == 0 &&
                memcmp(back.seed, key->seed, sizeof key->seed) == 0 &&
                memcmp(back.pub, key->pub, sizeof key->pub) == 0 && back.next == key->next;
    memset(&back, 0, sizeof back);
    return same ? 0 : tool_why(why, why_len, "%s does not read back as written", path);
}

int tool_lms_save_public(const tool_lms_key_t *key, const char *path, char *why, size_t why_len)
{
    if (tool_write_file(path, key->pub, sizeof key->pub) != 0) {
        return tool_why(why, why_len, "cannot write %s: %s", path, strerror(errno));
    }
    return 0;
}

int tool_lms_generate(tool_lms_key_t *key, uint32_t levels, uint32_t lms_type, uint32_t ots_type,
                      char *why, size_t why_len)
{
    uint8_t secret[OTA_LMS_N + OTA_LMS_I_SIZE];
    FILE *f = fopen("/dev/urandom", "rb");
    bool ok = f != NULL && fread(secret, 1, sizeof secret, f) == sizeof secret;
    if (f != NULL) {
        fclose(f);
    }
    if (!ok) {
        return tool_why(why, why_len, "cannot read /dev/urandom");
    }
    int rc = tool_lms_derive(key, levels, lms_type, ots_type, secret, secret + OTA_LMS_N, why,
                             why_len);
    memset(secret, 0, sizeof secret);
    return rc;
}

int tool_lms_reserve(tool_lms_key_t *key, const char *path, uint64_t *index, char *why,
                     size_t why_len)
{
    if (tool_lms_left(key) == 0u) {
        return tool_why(why, why_len, "%s is exhausted: all %" PRIu64 " signatures used", path,
                        tool_lms_total(key));
    }
    tool_lms_key_t advanced = *key;
    advanced.next++;
    int rc = tool_lms_save_private(&advanced, path, why, why_len);
    memset(&advanced, 0, sizeof advanced);
    if (rc != 0) {
        return -1; /* the index may or may not be used up on disk: it is never given out */
    }
    *index = key->next++;
    return 0;
}

int tool_lms_add_tlvs(tool_lms_key_t *key, const char *path, ota_image_tlv_writer_t *w,
                      const uint8_t digest[OTA_SHA256_SIZE], char *why, size_t why_len)
{
    const size_t len = tool_lms_sig_size(key);
    if (len > UINT16_MAX) {
        return tool_why(why, why_len, "%s: its %zu-byte signatures do not fit a TLV", path, len);
    }
    uint8_t *sig = malloc(len);
    if (sig == NULL) {
        return tool_why(why, why_len, "out of memory");
    }
    uint64_t index = 0;
    int rc = tool_lms_reserve(key, path, &index, why, why_len);
    if (rc == 0) {
        rc = tool_lms_sign(key, index, digest, OTA_SHA256_SIZE, sig, why, why_len);
    }
    if (rc == 0) {
        ota_image_tlv_add(w, OTA_IMAGE_TLV_LMS_KEY_HASH, key->key_id, sizeof key->key_id);
        ota_image_tlv_add(w, OTA_IMAGE_TLV_HSS_LMS, sig, len);
    }
    free(sig);
    return rc;
}
