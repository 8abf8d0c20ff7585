/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Board directory: configuration file, paths, the shared power file, the two flashes.
 * Shared by otaflow-board and the example application (both open the same board).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "board.h"

int board_error(char *err, size_t err_len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
    return -1;
}

void board_config_default(board_config_t *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    strcpy(cfg->ext_flash, "sst26vf032b");
    cfg->period_s = 60;
    cfg->slots = OTA_STORE_DEFAULT_DOWNLOAD_SLOTS;
    cfg->auto_reset = true;
    cfg->attempts = OTA_BOOT_MAX_ATTEMPTS_DEFAULT;
    cfg->watchdog_s = 30;
    cfg->confirm_on_start = false;
}

static bool parse_u32(const char *text, uint32_t min, uint32_t max, uint32_t *out)
{
    if (text[0] < '0' || text[0] > '9') {
        return false;
    }
    errno = 0;
    char *end;
    unsigned long v = strtoul(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

static bool parse_on_off(const char *text, bool *out)
{
    if (strcmp(text, "on") == 0) {
        *out = true;
        return true;
    }
    if (strcmp(text, "off") == 0) {
        *out = false;
        return true;
    }
    return false;
}

/* Exactly 2n hex digits into n bytes. */
static bool parse_hex(const char *text, uint8_t *bytes, size_t n)
{
    if (strlen(text) != 2u * n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(text + 2 * i, "%2x", &v) != 1 || !isxdigit((unsigned char)text[2 * i]) ||
            !isxdigit((unsigned char)text[2 * i + 1])) {
            return false;
        }
        bytes[i] = (uint8_t)v;
    }
    return true;
}

/* 130 hex digits: an uncompressed P-256 public key, 04 || X || Y. "" clears it. */
static bool parse_pubkey(const char *text, bool *has, uint8_t bytes[OTA_ECDSA_P256_PUBKEY_SIZE],
                         ota_sig_key_t *key)
{
    if (text[0] == '\0') {
        *has = false;
        return true;
    }
    if (!parse_hex(text, bytes, OTA_ECDSA_P256_PUBKEY_SIZE)) {
        return false;
    }
    if (bytes[0] != 0x04 ||
        ota_sha256(bytes, OTA_ECDSA_P256_PUBKEY_SIZE, key->key_id) != OTA_CRYPTO_OK) {
        return false;
    }
    key->alg = OTA_SIG_ALG_ECDSA_P256;
    key->key = bytes;
    key->key_len = OTA_ECDSA_P256_PUBKEY_SIZE;
    *has = true;
    return true;
}

/* len bytes as 2 * len lower-case hex digits and a NUL. */
static void board_bytes_to_hex(const uint8_t *bytes, size_t len, char *hex)
{
    static const char DIGITS[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        hex[2 * i] = DIGITS[bytes[i] >> 4];
        hex[2 * i + 1] = DIGITS[bytes[i] & 0xfu];
    }
    hex[2 * len] = '\0';
}

void board_pubkey_to_hex(const uint8_t key[OTA_ECDSA_P256_PUBKEY_SIZE],
                         char hex[BOARD_PUBKEY_HEX])
{
    board_bytes_to_hex(key, OTA_ECDSA_P256_PUBKEY_SIZE, hex);
}

void board_devkey_to_hex(const ota_enc_key_t *key, char hex[BOARD_DEVKEY_HEX])
{
    board_bytes_to_hex((const uint8_t *)key, sizeof *key, hex);
}

static void put_pubkey(FILE *f, const char *name, bool has, const uint8_t *bytes)
{
    char hex[BOARD_PUBKEY_HEX] = "";
    if (has) {
        board_pubkey_to_hex(bytes, hex);
    }
    fprintf(f, "%s = %s\n", name, hex);
}

const char *board_engine_str(board_engine_t engine)
{
    return engine == BOARD_ENGINE_QEMU ? "qemu" : "host";
}

int board_config_set(board_config_t *cfg, const char *key, const char *value, char *err,
                     size_t err_len)
{
    if (strcmp(key, "engine") == 0) {
        if (strcmp(value, "host") != 0 && strcmp(value, "qemu") != 0) {
            return board_error(err, err_len, "engine must be host or qemu, not '%s'", value);
        }
        cfg->engine = value[0] == 'q' ? BOARD_ENGINE_QEMU : BOARD_ENGINE_HOST;
    } else if (strcmp(key, "ext_flash") == 0) {
        if (strcmp(value, "sst26vf032b") != 0 && strcmp(value, "sst26vf064b") != 0) {
            return board_error(err, err_len,
                               "ext_flash must be sst26vf032b or sst26vf064b, not '%s'", value);
        }
        strcpy(cfg->ext_flash, value);
    } else if (strcmp(key, "manifest_url") == 0) {
        if (strlen(value) >= sizeof(cfg->manifest_url)) {
            return board_error(err, err_len, "manifest_url longer than %zu characters",
                               sizeof(cfg->manifest_url) - 1);
        }
        strcpy(cfg->manifest_url, value);
    } else if (strcmp(key, "period_s") == 0) {
        if (!parse_u32(value, 0, BOARD_PERIOD_MAX_S, &cfg->period_s)) {
            return board_error(err, err_len, "period_s must be 0..%u seconds, not '%s'",
                               BOARD_PERIOD_MAX_S, value);
        }
    } else if (strcmp(key, "slots") == 0) {
        if (!parse_u32(value, 1, OTA_STORE_MAX_DOWNLOAD_SLOTS, &cfg->slots)) {
            return board_error(err, err_len, "slots must be 1..%u, not '%s'",
                               OTA_STORE_MAX_DOWNLOAD_SLOTS, value);
        }
    } else if (strcmp(key, "auto_reset") == 0) {
        if (!parse_on_off(value, &cfg->auto_reset)) {
            return board_error(err, err_len, "auto_reset must be on or off, not '%s'", value);
        }
    } else if (strcmp(key, "attempts") == 0) {
        if (!parse_u32(value, 1, 255, &cfg->attempts)) {
            return board_error(err, err_len, "attempts must be 1..255, not '%s'", value);
        }
    } else if (strcmp(key, "watchdog_s") == 0) {
        if (!parse_u32(value, 1, 3600, &cfg->watchdog_s)) {
            return board_error(err, err_len, "watchdog_s must be 1..3600 seconds, not '%s'", value);
        }
    } else if (strcmp(key, "confirm_on_start") == 0) {
        if (!parse_on_off(value, &cfg->confirm_on_start)) {
            return board_error(err, err_len, "confirm_on_start must be on or off, not '%s'", value);
        }
    } else if (strcmp(key, "file_slots") == 0) {
        if (!parse_u32(value, 0, OTA_FILE_SLOTS ? OTA_FILE_SLOTS_MAX : 0u, &cfg->file_slots)) {
            return board_error(err, err_len, "file_slots must be 0..%u, not '%s'",
                               OTA_FILE_SLOTS ? OTA_FILE_SLOTS_MAX : 0u, value);
        }
    } else if (strcmp(key, "accept_raw_images") == 0) {
        /* true/false as the original's users write it; on/off as the other switches. */
        bool on = strcmp(value, "true") == 0;
        if (!on && strcmp(value, "false") != 0 && !parse_on_off(value, &on)) {
            return board_error(err, err_len, "accept_raw_images must be true or false, not '%s'",
                               value);
        }
        cfg->accept_raw_images = on;
    } else if (strcmp(key, "device_id") == 0 || strcmp(key, "report_url") == 0) {
        bool id = key[0] == 'd';
        char *to = id ? cfg->device_id : cfg->report_url;
        size_t room = id ? sizeof cfg->device_id : sizeof cfg->report_url;
        if (strlen(value) >= room) {
            return board_error(err, err_len, "%s longer than %zu characters", key, room - 1u);
        }
        strcpy(to, value);
    } else if (strcmp(key, "hw_id") == 0) {
        if (!parse_u32(value, 0, UINT32_MAX, &cfg->hw_id)) {
            return board_error(err, err_len, "hw_id must be 0..4294967295, not '%s'", value);
        }
    } else if (strcmp(key, "image_pubkey") == 0 || strcmp(key, "manifest_pubkey") == 0) {
        bool image = key[0] == 'i';
        if (!parse_pubkey(value, image ? &cfg->has_image_key : &cfg->has_manifest_key,
                          image ? cfg->image_pubkey : cfg->manifest_pubkey,
                          image ? &cfg->image_key : &cfg->manifest_key)) {
            return board_error(err, err_len, "%s must be 130 hex digits (04 || X || Y) or empty",
                               key);
        }
    } else if (strcmp(key, "decrypt_key") == 0) {
        cfg->has_decrypt_key = value[0] != '\0';
        if (cfg->has_decrypt_key &&
            !parse_hex(value, (uint8_t *)&cfg->decrypt_key, sizeof cfg->decrypt_key)) {
            return board_error(err, err_len, "decrypt_key must be 128 hex digits (private "
                               "scalar, key id: otaflow-board create --decrypt-key) or empty");
        }
    } else {
        return board_error(err, err_len, "unknown setting '%s'", key);
    }
    return 0;
}

int board_path(char *out, const char *dir, const char *name)
{
    int n = snprintf(out, BOARD_PATH_MAX, "%s/%s", dir, name);
    return (n < 0 || (size_t)n >= BOARD_PATH_MAX) ? -1 : 0;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' ||
                     s[n - 1] == '\r')) {
        s[--n] = '\0';
    }
    return s;
}

int board_config_load(const char *dir, board_config_t *cfg, char *err, size_t err_len)
{
    char path[BOARD_PATH_MAX];
    board_config_default(cfg);
    if (board_path(path, dir, BOARD_CONF) != 0) {
        return board_error(err, err_len, "board directory path too long");
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return board_error(err, err_len, "%s is not a board (no %s: %s)", dir, BOARD_CONF,
                           strerror(errno));
    }
    char line[BOARD_URL_MAX + 64];
    unsigned lineno = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
        lineno++;
        char *s = trim(line);
        if (*s == '\0' || *s == '#') {
            continue;
        }
        char *eq = strchr(s, '=');
        if (eq == NULL) {
            rc = board_error(err, err_len, "%s line %u: expected key = value", path, lineno);
            break;
        }
        *eq = '\0';
        char sub[BOARD_ERR_MAX];
        if (board_config_set(cfg, trim(s), trim(eq + 1), sub, sizeof(sub)) != 0) {
            rc = board_error(err, err_len, "%s line %u: %s", path, lineno, sub);
        }
    }
    fclose(f);
    return rc;
}

int board_config_save(const char *dir, const board_config_t *cfg, char *err, size_t err_len)
{
    char path[BOARD_PATH_MAX], tmp[BOARD_PATH_MAX];
    if (board_path(path, dir, BOARD_CONF) != 0 || board_path(tmp, dir, BOARD_CONF ".tmp") != 0) {
        return board_error(err, err_len, "board directory path too long");
    }
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        return board_error(err, err_len, "cannot write %s: %s", tmp, strerror(errno));
    }
    fprintf(f,
            "# otaflow virtual board: PIC32MZ W1 Curiosity (otaflow-board create --help)\n"
            "engine = %s\n"
            "ext_flash = %s\n"
            "manifest_url = %s\n"
            "period_s = %u\n"
            "slots = %u\n"
            "auto_reset = %s\n"
            "attempts = %u\n"
            "watchdog_s = %u\n"
            "confirm_on_start = %s\n",
            board_engine_str(cfg->engine), cfg->ext_flash, cfg->manifest_url, cfg->period_s,
            cfg->slots,
            cfg->auto_reset ? "on" : "off", cfg->attempts, cfg->watchdog_s,
            cfg->confirm_on_start ? "on" : "off");
    fprintf(f, "hw_id = %u\n", (unsigned)cfg->hw_id);
    if (cfg->device_id[0] != '\0') {
        fprintf(f, "device_id = %s\n", cfg->device_id);
    }
    if (cfg->report_url[0] != '\0') {
        fprintf(f, "report_url = %s\n", cfg->report_url);
    }
    if (cfg->file_slots != 0u) {
        fprintf(f, "file_slots = %u\n", (unsigned)cfg->file_slots);
    }
    fprintf(f, "accept_raw_images = %s\n", cfg->accept_raw_images ? "true" : "false");
    put_pubkey(f, "image_pubkey", cfg->has_image_key, cfg->image_pubkey);
    put_pubkey(f, "manifest_pubkey", cfg->has_manifest_key, cfg->manifest_pubkey);
    if (cfg->has_decrypt_key) {
        char hex[BOARD_DEVKEY_HEX];
        board_devkey_to_hex(&cfg->decrypt_key, hex);
        fprintf(f, "decrypt_key = %s\n", hex);
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        return board_error(err, err_len, "cannot write %s: %s", path, strerror(errno));
    }
    return 0;
}

void board_config_copy(board_config_t *dst, const board_config_t *src)
{
    *dst = *src;
    dst->image_key.key = dst->image_pubkey;
    dst->manifest_key.key = dst->manifest_pubkey;
}

void board_store_config(const board_config_t *cfg, ota_sig_keyring_t *ring,
                        ota_store_config_t *out)
{
    memset(out, 0, sizeof(*out));
    out->download_slots = (uint8_t)cfg->slots;
    out->hw_id = cfg->hw_id;
    out->file_slots = (uint8_t)cfg->file_slots;
    ring->keys = &cfg->image_key;
    ring->count = cfg->has_image_key ? 1u : 0u;
    out->trusted_keys = cfg->has_image_key ? ring : NULL;
}

void board_manifest_keys(const board_config_t *cfg, ota_sig_keyring_t *ring)
{
    ring->keys = &cfg->manifest_key;
    ring->count = cfg->has_manifest_key ? 1u : 0u;
}

void board_boot_config(const board_config_t *cfg, ota_boot_config_t *out)
{
    ota_boot_config_default(out);
    if (cfg->engine == BOARD_ENGINE_QEMU) {
        out->flash_address = 0u; /* the Cortex-M4's code memory: load_addr 0x20000 */
    }
    out->max_attempts = (uint8_t)cfg->attempts;
    out->hw_id = cfg->hw_id;
    out->decrypt_key = cfg->has_decrypt_key ? &cfg->decrypt_key : NULL;
}

int board_power_map(const char *dir, bool create, ota_sim_power_t **out, char *err,
                    size_t err_len)
{
    char path[BOARD_PATH_MAX];
    if (board_path(path, dir, BOARD_POWER) != 0) {
        return board_error(err, err_len, "board directory path too long");
    }
    int fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0), 0644);
    if (fd < 0) {
        return board_error(err, err_len, "cannot open %s: %s", path, strerror(errno));
    }
    struct stat st;
    if (create && ftruncate(fd, (off_t)sizeof(ota_sim_power_t)) != 0) {
        close(fd);
        return board_error(err, err_len, "cannot size %s: %s", path, strerror(errno));
    }
    if (fstat(fd, &st) != 0 || (size_t)st.st_size != sizeof(ota_sim_power_t)) {
        close(fd);
        return board_error(err, err_len, "%s is not a power file of this build", path);
    }
    void *p = mmap(NULL, sizeof(ota_sim_power_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        return board_error(err, err_len, "cannot map %s: %s", path, strerror(errno));
    }
    *out = p;
    if (create) {
        ota_sim_power_init(*out);
    }
    return 0;
}

void board_power_unmap(ota_sim_power_t *power)
{
    if (power != NULL) {
        msync(power, sizeof(*power), MS_SYNC);
        munmap(power, sizeof(*power));
    }
}

static int open_one(ota_sim_flash_t *dev, const char *dir, const char *name,
                    const char *preset_name, ota_sim_power_t *power, bool create, char *err,
                    size_t err_len)
{
    char path[BOARD_PATH_MAX];
    if (board_path(path, dir, name) != 0) {
        return board_error(err, err_len, "board directory path too long");
    }
    if (!create && access(path, F_OK) != 0) {
        return board_error(err, err_len, "%s is missing: not a board (otaflow-board create)", path);
    }
    const ota_sim_preset_t *preset = ota_sim_preset(preset_name);
    if (preset == NULL) {
        return board_error(err, err_len, "unknown flash part '%s'", preset_name);
    }
    if (ota_sim_flash_open_file(dev, path, preset, power) != OTA_FLASH_OK) {
        return board_error(err, err_len, "cannot open %s as %s flash", path, preset_name);
    }
    return 0;
}

int board_flashes_open(board_flashes_t *f, const char *dir, const board_config_t *cfg,
                       ota_sim_power_t *power, bool create, char *err, size_t err_len)
{
    memset(f, 0, sizeof(*f));
    f->internal.fd = f->internal.meta_fd = -1;
    f->external.fd = f->external.meta_fd = -1;
    if (open_one(&f->internal, dir, BOARD_INTERNAL, BOARD_INTERNAL_PRESET, power, create, err,
                 err_len) != 0 ||
        open_one(&f->external, dir, BOARD_EXTERNAL, cfg->ext_flash, power, create, err,
                 err_len) != 0) {
        board_flashes_close(f);
        return -1;
    }
    char lock[BOARD_PATH_MAX];
    if (ota_posix_system_init(&f->system, ota_sim_flash_port(&f->internal),
                              OTA_BOOT_APP_OFFSET_DEFAULT) != 0 ||
        board_path(lock, dir, BOARD_GUARD_LOCK) != 0) {
        snprintf(err, err_len, "%s: no room for the guard below the application region", dir);
        board_flashes_close(f);
        return -1;
    }
    ota_posix_system_set_locked(&f->system, access(lock, F_OK) == 0);
    /* A mount failure (power cut) leaves the guard unmounted: the bootloader then stops
     * with a flash error rather than boot without its floor. */
    (void)ota_guard_mount(&f->guard, f->system.system.guard_flash);
    return 0;
}

int board_guard_latch(const char *dir, bool locked, char *err, size_t err_len)
{
    char lock[BOARD_PATH_MAX];
    if (board_path(lock, dir, BOARD_GUARD_LOCK) != 0) {
        snprintf(err, err_len, "%s: path too long", dir);
        return -1;
    }
    if (!locked) {
        if (unlink(lock) != 0 && errno != ENOENT) {
            snprintf(err, err_len, "%s: %s", lock, strerror(errno));
            return -1;
        }
        return 0;
    }
    int fd = open(lock, O_WRONLY | O_CREAT, 0644);
    if (fd < 0) {
        snprintf(err, err_len, "%s: %s", lock, strerror(errno));
        return -1;
    }
    close(fd);
    return 0;
}

ota_flash_status_t board_program_image(const ota_flash_t *f, const ota_boot_config_t *bc,
                                       const uint8_t *img, const ota_image_info_t *info)
{
    uint32_t payload = info->header.payload_size;
    uint8_t desc[OTA_IMAGE_HEADER_SIZE + OTA_IMAGE_TLV_MAX];
    memcpy(desc, img, OTA_IMAGE_HEADER_SIZE);
    memcpy(desc + OTA_IMAGE_HEADER_SIZE, img + info->tlv_offset, info->tlv_size);
    ota_flash_status_t st = board_program_region(f, bc->app_offset, bc->app_size,
                                                 img + OTA_IMAGE_HEADER_SIZE, payload);
    return st != OTA_FLASH_OK ? st
                              : board_program_region(f, bc->app_offset + bc->app_size,
                                                     bc->desc_size, desc,
                                                     OTA_IMAGE_HEADER_SIZE + info->tlv_size);
}

void board_flashes_close(board_flashes_t *f)
{
    ota_sim_flash_close(&f->internal);
    ota_sim_flash_close(&f->external);
}

ota_flash_status_t board_program_region(const ota_flash_t *f, uint32_t base, uint32_t size,
                                         const uint8_t *data, size_t len)
{
    const ota_flash_geometry_t *g = &f->geometry;
    for (uint32_t off = 0; off < size; off += g->erase_unit) {
        ota_flash_status_t st = ota_flash_erase(f, base + off, g->erase_unit);
        if (st != OTA_FLASH_OK) {
            return st;
        }
    }
    uint8_t row[1024];
    if (g->page_size > sizeof row) {
        return OTA_FLASH_ERR_ALIGN;
    }
    for (size_t off = 0; off < len; off += g->page_size) {
        size_t n = len - off < g->page_size ? len - off : g->page_size;
        size_t padded = (n + g->program_unit - 1) / g->program_unit * g->program_unit;
        memset(row, g->erased_value, padded);
        memcpy(row, data + off, n);
        ota_flash_status_t st = ota_flash_program(f, base + (uint32_t)off, row, (uint32_t)padded);
        if (st != OTA_FLASH_OK) {
            return st;
        }
    }
    return OTA_FLASH_OK;
}
