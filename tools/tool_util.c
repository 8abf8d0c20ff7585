/* SPDX-License-Identifier: Apache-2.0 */
/* otaflow-image: messages, numbers, options and files shared by the subcommands. */
#include "tool.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otaflow/crypto.h"

/* kind: "" for an error, "note: " for a note. */
static void vreport(const char *cmd, const char *kind, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* One line, whatever a file name or an input held. */
    for (char *p = msg; *p != '\0'; p++) {
        if (*p == '\n' || *p == '\r') {
            *p = ' ';
        }
    }
    if (cmd != NULL) {
        fprintf(stderr, "otaflow-image: %s: %s%s\n", cmd, kind, msg);
    } else {
        fprintf(stderr, "otaflow-image: %s%s\n", kind, msg);
    }
}

int tool_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(cmd, "", fmt, ap);
    va_end(ap);
    return TOOL_EXIT_FAIL;
}

int tool_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(cmd, "", fmt, ap);
    va_end(ap);
    return TOOL_EXIT_USAGE;
}

int tool_why(char *why, size_t why_len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_len, fmt, ap);
    va_end(ap);
    return -1;
}

void tool_note(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(cmd, "note: ", fmt, ap);
    va_end(ap);
}

bool tool_parse_u32(const char *text, uint32_t *out)
{
    if (text == NULL || text[0] == '\0' || text[0] == '-' || text[0] == '+' || text[0] == ' ') {
        return false;
    }
    int base = 10;
    const char *digits = text;
    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        digits = text + 2;
        if (digits[0] == '\0') {
            return false;
        }
    }
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(digits, &end, base);
    if (errno != 0 || *end != '\0' || v > 0xFFFFFFFFULL || digits[0] == '-' || digits[0] == '+' ||
        digits[0] == ' ') {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

static const tool_option_t *find_option(const tool_option_t *opts, const char *name, size_t len)
{
    for (const tool_option_t *o = opts; o->name != NULL; o++) {
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0) {
            return o;
        }
    }
    return NULL;
}

tool_args_result_t tool_parse_args(int argc, char **argv, const tool_option_t *opts,
                                   const char **positional, int n_positional)
{
    const char *cmd = argv[0];
    int n_seen = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            return TOOL_ARGS_HELP;
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) == 0 && arg[2] != '\0') {
            const char *name = arg + 2;
            const char *eq = strchr(name, '=');
            size_t name_len = eq != NULL ? (size_t)(eq - name) : strlen(name);
            const tool_option_t *o = find_option(opts, name, name_len);
            if (o == NULL) {
                tool_usage_error(cmd, "unknown option %.*s (see %s --help)", (int)(name_len + 2),
                                 arg, cmd);
                return TOOL_ARGS_ERROR;
            }
            if (!o->takes_value) {
                if (eq != NULL) {
                    tool_usage_error(cmd, "option --%s takes no value", o->name);
                    return TOOL_ARGS_ERROR;
                }
                *o->flag = true;
                continue;
            }
            const char *value = NULL;
            if (eq != NULL) {
                value = eq + 1;
            } else if (i + 1 < argc) {
                value = argv[++i];
            } else {
                tool_usage_error(cmd, "option --%s needs a value", o->name);
                return TOOL_ARGS_ERROR;
            }
            if (*o->value != NULL) {
                tool_usage_error(cmd, "option --%s given twice", o->name);
                return TOOL_ARGS_ERROR;
            }
            *o->value = value;
        } else if (strcmp(arg, "-o") == 0) {
            /* The one short option: -o is --output. */
            const tool_option_t *o = find_option(opts, "output", 6);
            if (o == NULL || i + 1 >= argc) {
                tool_usage_error(cmd, o == NULL ? "unknown option -o" : "option -o needs a value");
                return TOOL_ARGS_ERROR;
            }
            if (*o->value != NULL) {
                tool_usage_error(cmd, "output given twice");
                return TOOL_ARGS_ERROR;
            }
            *o->value = argv[++i];
        } else if (arg[0] == '-' && arg[1] != '\0') {
            tool_usage_error(cmd, "unknown option %s (see %s --help)", arg, cmd);
            return TOOL_ARGS_ERROR;
        } else {
            if (n_seen >= n_positional) {
                tool_usage_error(cmd, "unexpected argument '%s' (see %s --help)", arg, cmd);
                return TOOL_ARGS_ERROR;
            }
            positional[n_seen++] = arg;
        }
    }
    if (n_seen < n_positional) {
        tool_usage_error(cmd, "missing %s (see %s --help)",
                         n_positional - n_seen == 1 ? "input file" : "input files", cmd);
        return TOOL_ARGS_ERROR;
    }
    return TOOL_ARGS_OK;
}

bool tool_args(int argc, char **argv, const tool_option_t *opts, const char **positional,
               int n_positional, const char *help, int *exit_status)
{
    tool_args_result_t r = tool_parse_args(argc, argv, opts, positional, n_positional);
    if (r == TOOL_ARGS_HELP) {
        fputs(help, stdout);
    }
    *exit_status = r == TOOL_ARGS_HELP ? TOOL_EXIT_OK : TOOL_EXIT_USAGE;
    return r == TOOL_ARGS_OK;
}

bool tool_name_ends_with(const char *path, const char *suffix)
{
    size_t n = strlen(path);
    size_t k = strlen(suffix);
    return n >= k && strcasecmp(path + n - k, suffix) == 0;
}

int tool_read_file(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return -1;
    }
    /* A regular file's size is known: one buffer and one read (the byte beyond it finds the
     * end). Anything else (a pipe) grows the buffer as it comes. */
    struct stat st;
    size_t cap = 64 * 1024;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size < SIZE_MAX / 2) {
        cap = (size_t)st.st_size + 1;
    }
    size_t used = 0;
    uint8_t *buf = malloc(cap);
    if (buf == NULL) {
        fclose(f);
        errno = ENOMEM;
        return -1;
    }
    for (;;) {
        if (used == cap) {
            uint8_t *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                fclose(f);
                errno = ENOMEM;
                return -1;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t n = fread(buf + used, 1, cap - used, f);
        used += n;
        if (n == 0) {
            break;
        }
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        errno = EIO;
        return -1;
    }
    *out = buf;
    *len = used;
    return 0;
}

static int write_atomic(const char *path, const void *data, size_t len, unsigned mode,
                        bool durable)
{
    tool_output_t out;
    if (tool_output_open(&out, path) != 0) {
        return -1;
    }
    if (tool_output_write(&out, data, len) != 0) {
        int saved = errno;
        tool_output_abort(&out);
        errno = saved;
        return -1;
    }
    return tool_output_commit(&out, mode, durable);
}

int tool_write_file(const char *path, const void *data, size_t len)
{
    return write_atomic(path, data, len, 0666, true);
}

/* fsync the directory holding path: what makes a rename in it durable. */
static int tool_sync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (slash == NULL) {
        snprintf(dir, sizeof dir, ".");
    } else if ((size_t)(slash - path) + 1u > sizeof dir) {
        errno = ENAMETOOLONG;
        return -1;
    } else {
        snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0) {
        return -1;
    }
    int rc = fsync(fd);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

int tool_write_file_mode(const char *path, const void *data, size_t len, unsigned mode)
{
    return write_atomic(path, data, len, mode, true);
}

int tool_write_output(const char *path, const void *data, size_t len)
{
    return write_atomic(path, data, len, 0666, false);
}

int tool_output_open(tool_output_t *out, const char *path)
{
    out->path = path;
    out->f = NULL;
    size_t tmp_len = strlen(path) + 16;
    out->tmp = malloc(tmp_len);
    if (out->tmp == NULL) {
        errno = ENOMEM;
        return -1;
    }
    snprintf(out->tmp, tmp_len, "%s.tmpXXXXXX", path);
    int fd = mkstemp(out->tmp);
    if (fd >= 0) {
        out->f = fdopen(fd, "wb");
        if (out->f == NULL) {
            int saved = errno;
            close(fd);
            unlink(out->tmp);
            errno = saved;
        }
    }
    if (out->f == NULL) {
        free(out->tmp);
        out->tmp = NULL;
        return -1;
    }
    return 0;
}

int tool_output_write(tool_output_t *out, const void *data, size_t len)
{
    if (len != 0 && fwrite(data, 1, len, out->f) != len) {
        errno = errno != 0 ? errno : EIO;
        return -1;
    }
    return 0;
}

void tool_output_abort(tool_output_t *out)
{
    fclose(out->f);
    unlink(out->tmp);
    free(out->tmp);
    out->tmp = NULL;
}

int tool_output_commit(tool_output_t *out, unsigned mode, bool durable)
{
    errno = 0;
    bool ok = fflush(out->f) == 0 && (!durable || fsync(fileno(out->f)) == 0);
    int saved = ok ? 0 : (errno != 0 ? errno : EIO);
    if (fclose(out->f) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    /* mkstemp creates the file 0600; give it the mode asked for, less the umask. */
    mode_t mask = umask(0);
    umask(mask);
    if (ok && chmod(out->tmp, (mode_t)mode & 0777 & ~mask) != 0) {
        ok = false;
        saved = errno;
    }
    if (ok && rename(out->tmp, out->path) != 0) {
        ok = false;
        saved = errno;
    }
    if (ok && durable && tool_sync_parent(out->path) != 0) {
        saved = errno; /* renamed, but the rename itself may not survive a power cut */
        ok = false;
    }
    if (!ok) {
        unlink(out->tmp);
    }
    free(out->tmp);
    out->tmp = NULL;
    errno = saved;
    return ok ? 0 : -1;
}

void tool_hex(const uint8_t *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 0x0F];
    }
    out[2 * n] = '\0';
}

void tool_sha256(const void *data, size_t len, uint8_t out[OTA_SHA256_SIZE])
{
    ota_crypto_status_t st = ota_sha256(data, len, out);
    if (st != OTA_CRYPTO_OK) {
        fprintf(stderr, "otaflow-image: SHA-256: %s\n", ota_crypto_status_str(st));
        abort();
    }
}

void tool_sha256_hex(const void *data, size_t len, char out[65])
{
    uint8_t digest[OTA_SHA256_SIZE];
    tool_sha256(data, len, digest);
    tool_hex(digest, sizeof digest, out);
}

uint32_t tool_kseg_to_physical(uint32_t addr)
{
    if (addr >= 0x80000000UL && addr < 0xC0000000UL) {
        return addr & 0x1FFFFFFFUL;
    }
    return addr;
}

bool tool_c_identifier(const char *s)
{
    if (!(isalpha((unsigned char)*s) || *s == '_')) {
        return false;
    }
    for (; *s != '\0'; s++) {
        if (!(isalnum((unsigned char)*s) || *s == '_')) {
            return false;
        }
    }
    return true;
}

void tool_c_bytes(FILE *f, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s0x%02x,", i % 12 == 0 ? "\n            " : " ", p[i]);
    }
}
