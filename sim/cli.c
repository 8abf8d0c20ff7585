/* SPDX-License-Identifier: Apache-2.0 */
/* otaflow-board: messages, command-line parsing and file reading shared by the subcommands. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void say(const char *cmd, const char *fmt, va_list ap)
{
    fputs("otaflow-board: ", stderr);
    if (cmd != NULL) {
        fprintf(stderr, "%s: ", cmd);
    }
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int board_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(cmd, fmt, ap);
    va_end(ap);
    return BOARD_EXIT_FAIL;
}

int board_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(cmd, fmt, ap);
    va_end(ap);
    return BOARD_EXIT_USAGE;
}

static const cli_opt_t *find_opt(const cli_opt_t *opts, const char *name, size_t len)
{
    for (; opts->name != NULL; opts++) {
        if (strlen(opts->name) == len && strncmp(opts->name, name, len) == 0) {
            return opts;
        }
    }
    return NULL;
}

int cli_parse(int argc, char **argv, const cli_opt_t *opts, const char **pos, int npos,
              const char *help)
{
    const char *cmd = argv[0];
    int got = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(help, stdout);
            return 1;
        }
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            if (got == npos) {
                board_usage_error(cmd, "unexpected argument '%s' (see --help)", a);
                return -1;
            }
            pos[got++] = a;
            continue;
        }
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
        const cli_opt_t *o = find_opt(opts, name, len);
        if (o == NULL) {
            board_usage_error(cmd, "unknown option '%.*s' (see --help)", (int)len + 2, a);
            return -1;
        }
        if (o->value == NULL) {
            if (eq != NULL) {
                board_usage_error(cmd, "option --%s takes no value", o->name);
                return -1;
            }
            *o->flag = true;
        } else if (eq != NULL) {
            *o->value = eq + 1;
        } else if (i + 1 < argc) {
            *o->value = argv[++i];
        } else {
            board_usage_error(cmd, "option --%s needs a value", o->name);
            return -1;
        }
    }
    if (got < npos) {
        board_usage_error(cmd, "missing argument (see --help)");
        return -1;
    }
    return 0;
}

bool cli_u32(const char *text, uint32_t min, uint32_t max, uint32_t *out)
{
    if (text == NULL || text[0] < '0' || text[0] > '9') {
        return false;
    }
    errno = 0;
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

int board_self_path(char *out, size_t len)
{
    ssize_t n = readlink("/proc/self/exe", out, len - 1);
    if (n <= 0 || (size_t)n >= len - 1) {
        return -1; /* n == len - 1 may be a truncated path */
    }
    out[n] = '\0';
    return 0;
}

int board_read_file(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return -1;
    }
    size_t cap = 1u << 16, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf != NULL) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) {
            break;
        }
        uint8_t *bigger = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;
        if (bigger == NULL) {
            free(buf);
            buf = NULL;
            errno = EFBIG;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int failed = buf == NULL || ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        return -1;
    }
    *out = buf;
    *len = n;
    return 0;
}
