/* SPDX-License-Identifier: Apache-2.0 */
/* The emulated board's settings from the semihosting command line (board_args.h). */
#include "board_args.h"

#include <string.h>

#include "fmt.h"
#include "semihost.h"

#define BOARD_PERIOD_MAX_S 7200u /* as board.conf (the agent's OTA_AGENT_PERIOD_MAX_S) */
#define CMDLINE_MAX 1536u

static void defaults(board_args_t *a)
{
    memset(a, 0, sizeof *a);
    strcpy(a->ext_flash, "sst26vf032b");
    a->period_s = 60;
    a->slots = OTA_STORE_DEFAULT_DOWNLOAD_SLOTS;
    a->auto_reset = true;
    a->attempts = OTA_BOOT_MAX_ATTEMPTS_DEFAULT;
    a->watchdog_s = 30;
}

static bool parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
    uint64_t v = 0;
    if (*s == '\0') {
        return false;
    }
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9') {
            return false;
        }
        v = v * 10u + (uint64_t)(*s - '0');
        if (v > max) {
            return false;
        }
    }
    if (v < min) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

static bool parse_on_off(const char *s, bool *out)
{
    if (strcmp(s, "on") == 0 || strcmp(s, "off") == 0) {
        *out = s[1] == 'n';
        return true;
    }
    return false;
}

static int hex_digit(char c)
{
    static const char DIGITS[] = "0123456789abcdef";
    const char *at = c != '\0' ? strchr(DIGITS, c | 0x20) : NULL; /* 0x20: A-F to a-f */
    return at != NULL ? (int)(at - DIGITS) : -1;
}

/* Exactly 2 * len hex digits into bytes. */
static bool parse_hex(const char *s, uint8_t *bytes, size_t len)
{
    if (strlen(s) != 2u * len) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return false;
        }
        bytes[i] = (uint8_t)(hi * 16 + lo);
    }
    return true;
}

/* 130 hex digits, an uncompressed P-256 key 04 || X || Y; "" clears it (as board.conf). */
static bool parse_pubkey(const char *s, bool *has, uint8_t *bytes, ota_sig_key_t *key)
{
    if (*s == '\0') {
        *has = false;
        return true;
    }
    if (!parse_hex(s, bytes, OTA_ECDSA_P256_PUBKEY_SIZE)) {
        return false;
    }
    *key = (ota_sig_key_t){.alg = OTA_SIG_ALG_ECDSA_P256, .key = bytes,
                           .key_len = OTA_ECDSA_P256_PUBKEY_SIZE};
    *has = bytes[0] == 0x04 &&
           ota_sha256(bytes, OTA_ECDSA_P256_PUBKEY_SIZE, key->key_id) == OTA_CRYPTO_OK;
    return *has;
}

static bool copy_text(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size) {
        return false;
    }
    memcpy(dst, src, n + 1u);
    return true;
}

/* One KEY=VALUE. Returns NULL, or the rule the value broke. */
static const char *set_one(board_args_t *a, const char *key, const char *v)
{
    if (strcmp(key, "dir") == 0) {
        return copy_text(a->dir, sizeof a->dir, v) && v[0] == '/' ? NULL
                                                                  : "an absolute path";
    }
    if (strcmp(key, "ext_flash") == 0) {
        bool ok = strcmp(v, "sst26vf032b") == 0 || strcmp(v, "sst26vf064b") == 0;
        return ok && copy_text(a->ext_flash, sizeof a->ext_flash, v)
                   ? NULL
                   : "sst26vf032b or sst26vf064b";
    }
    if (strcmp(key, "manifest_url") == 0) {
        return copy_text(a->manifest_url, sizeof a->manifest_url, v) ? NULL
                                                                     : "at most 255 characters";
    }
    if (strcmp(key, "period_s") == 0) {
        return parse_u32(v, 0, BOARD_PERIOD_MAX_S, &a->period_s) ? NULL : "0..7200 seconds";
    }
    if (strcmp(key, "slots") == 0) {
        return parse_u32(v, 1, OTA_STORE_MAX_DOWNLOAD_SLOTS, &a->slots) ? NULL : "1..5";
    }
    if (strcmp(key, "auto_reset") == 0) {
        return parse_on_off(v, &a->auto_reset) ? NULL : "on or off";
    }
    if (strcmp(key, "attempts") == 0) {
        return parse_u32(v, 1, 255, &a->attempts) ? NULL : "1..255";
    }
    if (strcmp(key, "watchdog_s") == 0) {
        return parse_u32(v, 1, 3600, &a->watchdog_s) ? NULL : "1..3600 seconds";
    }
    if (strcmp(key, "confirm_on_start") == 0) {
        return parse_on_off(v, &a->confirm_on_start) ? NULL : "on or off";
    }
    if (strcmp(key, "hw_id") == 0) {
        return parse_u32(v, 0, UINT32_MAX, &a->hw_id) ? NULL : "0..4294967295";
    }
    if (strcmp(key, "accept_raw_images") == 0) {
        return parse_on_off(v, &a->accept_raw_images) ? NULL : "on or off";
    }
    if (strcmp(key, "file_slots") == 0) {
        return parse_u32(v, 0, OTA_FILE_SLOTS ? OTA_FILE_SLOTS_MAX : 0u, &a->file_slots)
                   ? NULL
                   : (OTA_FILE_SLOTS ? "0..8" : "0 (this firmware's core has no file slots)");
    }
    if (strcmp(key, "utc") == 0) {
        return parse_u32(v, 0, UINT32_MAX, &a->utc) ? NULL : "UTC seconds";
    }
    if (strcmp(key, "image_pubkey") == 0) {
        return parse_pubkey(v, &a->has_image_key, a->image_pubkey, &a->image_key)
                   ? NULL
                   : "130 hex digits (04 || X || Y) or empty";
    }
    if (strcmp(key, "manifest_pubkey") == 0) {
        return parse_pubkey(v, &a->has_manifest_key, a->manifest_pubkey, &a->manifest_key)
                   ? NULL
                   : "130 hex digits (04 || X || Y) or empty";
    }
    if (strcmp(key, "decrypt_key") == 0) {
        a->has_decrypt_key = *v != '\0';
        return !a->has_decrypt_key ||
                       parse_hex(v, (uint8_t *)&a->decrypt_key, sizeof a->decrypt_key)
                   ? NULL
                   : "128 hex digits (private scalar, key id) or empty";
    }
    return "a known setting";
}

int board_args_parse(board_args_t *out, char *line, char *err, size_t err_len)
{
    defaults(out);
    char *save = line;
    bool first = true;
    while (*save != '\0') {
        while (*save == ' ') {
            save++;
        }
        char *word = save;
        while (*save != '\0' && *save != ' ') {
            save++;
        }
        if (*save == ' ') {
            *save++ = '\0';
        }
        if (*word == '\0' || first) {
            first = first && *word == '\0';
            continue;
        }
        char *eq = strchr(word, '=');
        if (eq == NULL) {
            fmt_format(err, err_len, "board setting '%s' is not KEY=VALUE", word);
            return -1;
        }
        *eq = '\0';
        const char *rule = set_one(out, word, eq + 1);
        if (rule != NULL) {
            fmt_format(err, err_len, "board setting %s: expected %s", word, rule);
            return -1;
        }
    }
    if (out->dir[0] == '\0') {
        fmt_format(err, err_len, "no board directory (dir=...) on the command line");
        return -1;
    }
    return 0;
}

int board_args_read(board_args_t *out, char *err, size_t err_len)
{
    static char line[CMDLINE_MAX];
    if (sh_cmdline(line, sizeof line) != 0) {
        fmt_format(err, err_len, "no semihosting command line (QEMU -semihosting-config)");
        return -1;
    }
    return board_args_parse(out, line, err, err_len);
}

void board_args_store_config(const board_args_t *a, ota_sig_keyring_t *ring, ota_guard_t *guard,
                             ota_store_config_t *out)
{
    memset(out, 0, sizeof *out);
    out->download_slots = (uint8_t)a->slots;
    out->file_slots = (uint8_t)a->file_slots;
    out->hw_id = a->hw_id;
    ring->keys = &a->image_key;
    ring->count = a->has_image_key ? 1u : 0u;
    out->trusted_keys = a->has_image_key ? ring : NULL;
    out->guard = guard;
}

void board_args_boot_config(const board_args_t *a, ota_boot_config_t *out)
{
    ota_boot_config_default(out);
    out->flash_address = 0u; /* the code memory: internal flash at address 0 */
    out->max_attempts = (uint8_t)a->attempts;
    out->hw_id = a->hw_id;
}

const ota_enc_key_t *board_args_decrypt_key(const board_args_t *a)
{
    return a->has_decrypt_key ? &a->decrypt_key : NULL;
}

void board_args_forget_decrypt_key(board_args_t *a)
{
    /* volatile: a plain memset of memory never read again may be dropped by the compiler */
    volatile uint8_t *key = (volatile uint8_t *)&a->decrypt_key;
    for (size_t i = 0; i < sizeof a->decrypt_key; i++) {
        key[i] = 0u;
    }
    a->has_decrypt_key = false;
}
