/* SPDX-License-Identifier: Apache-2.0 */
/* The board's console: timestamps, relay of the application's lines, progress bars. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "console.h"

#define BAR_WIDTH 30

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void console_init(console_t *c, const char *watch_text)
{
    memset(c, 0, sizeof(*c));
    c->t0_ms = now_ms();
    c->tty = isatty(STDOUT_FILENO) == 1;
    c->watch_text = watch_text;
}

static void end_bar(console_t *c)
{
    if (c->bar_active) {
        fputc('\n', stdout);
        c->bar_active = false;
    }
}

static void stamp(const console_t *c)
{
    uint64_t t = now_ms() - c->t0_ms;
    printf("[%4u.%03u] ", (unsigned)(t / 1000u), (unsigned)(t % 1000u));
}

/* The progress lines a bar replaces on a terminal: what the line starts with, what the bar
 * says. */
typedef struct progress_kind {
    const char *prefix;
    const char *label;
} progress_kind_t;

static const progress_kind_t PROGRESS_KINDS[] = {
    {CONSOLE_PROGRESS_PREFIX, "app: downloading"},
    {CONSOLE_INSTALL_PREFIX, "boot: installing"},
};

/* A progress line "PREFIX B/T": a bar on a terminal; false if the line is not one. */
static bool draw_progress(console_t *c, const char *line)
{
    const progress_kind_t *kind = NULL;
    for (size_t i = 0; c->tty && i < sizeof PROGRESS_KINDS / sizeof PROGRESS_KINDS[0]; i++) {
        if (strncmp(line, PROGRESS_KINDS[i].prefix, strlen(PROGRESS_KINDS[i].prefix)) == 0) {
            kind = &PROGRESS_KINDS[i];
        }
    }
    unsigned long bytes, total;
    if (kind == NULL || sscanf(line + strlen(kind->prefix), "%lu/%lu", &bytes, &total) != 2) {
        return false;
    }
    char bar[BAR_WIDTH + 1];
    unsigned pct = total > 0 ? (unsigned)(bytes * 100u / total) : 0u;
    unsigned fill = total > 0 ? (unsigned)(bytes * BAR_WIDTH / total) : 0u;
    for (unsigned i = 0; i < BAR_WIDTH; i++) {
        bar[i] = i < fill ? '#' : '.';
    }
    bar[BAR_WIDTH] = '\0';
    if (c->bar_active && c->bar_kind != kind) {
        end_bar(c); /* the download's bar stays above the install's */
    }
    fputs("\r", stdout);
    stamp(c);
    if (total > 0) {
        printf("%s [%s] %3u%% %lu/%lu bytes\033[K", kind->label, bar, pct, bytes, total);
    } else {
        printf("%s %lu bytes\033[K", kind->label, bytes);
    }
    c->bar_active = true;
    c->bar_kind = kind;
    fflush(stdout);
    return true;
}

void console_line(console_t *c, const char *line)
{
    if (c->watch_text != NULL && strstr(line, c->watch_text) != NULL) {
        c->watch_seen = true;
    }
    if (strstr(line, "confirmed") != NULL) {
        c->confirm_seen = true;
    }
    if (draw_progress(c, line)) {
        return;
    }
    end_bar(c);
    stamp(c);
    printf("%s\n", line);
    fflush(stdout);
}

void console_board(console_t *c, const char *fmt, ...)
{
    char line[CONSOLE_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(line, sizeof line, "board: ");
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    console_line(c, line);
}

int console_feed(console_t *c, int fd)
{
    for (;;) {
        char chunk[512];
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n == 0) {
            return 1;
        }
        if (n < 0) {
            return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : 1;
        }
        for (ssize_t i = 0; i < n; i++) {
            char ch = chunk[i];
            if (ch == '\r') {
                continue; /* a UART's line ends in CR LF */
            }
            if (ch == '\n' || c->len == sizeof c->buf - 1) {
                c->buf[c->len] = '\0';
                console_line(c, c->buf);
                c->len = 0;
                if (ch == '\n') {
                    continue;
                }
            }
            c->buf[c->len++] = ch;
        }
    }
}

void console_flush(console_t *c)
{
    if (c->len > 0) {
        c->buf[c->len] = '\0';
        console_line(c, c->buf);
        c->len = 0;
    }
    end_bar(c);
}
