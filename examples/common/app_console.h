/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The example applications' console: the original's `sysota` commands, typed on the board's
 * console (the host application's stdin, the firmware's UART; `otaflow-board run --send`),
 * carried out through the agent's calls. Shared by both applications; no stdio, no heap.
 *
 *   sysotahelp                       the commands
 *   sysota set url URL|none          the manifest URL (none: no checks)
 *   sysota set period N              seconds between checks, 0..7200 (0: only on demand)
 *   sysota set auto update on|off    download an available update at once
 *   sysota set auto reset on|off     reset once an image is ready
 *   sysota set C R U [N [URL]]       the original's form: periodic check, auto reset, auto
 *                                    update (each 0 or 1), interval N, URL
 *   sysota get info                  status, version, settings, download progress
 *   sysota getfs info                the image store's slots and boot state
 *   sysota check                     check the manifest now
 *   sysota update                    download the update the last check announced
 *   sysota rollback                  the previous image at the next reset
 *   sysota factory-reset             the factory image at the next reset
 *   sysota reset                     reset the board now
 *
 * Lines are at most APP_CONSOLE_LINE_MAX - 1 characters of printable ASCII; a longer line or
 * one with another byte is refused whole with one line saying why. Every answer is a line
 * starting "sysota: ". Settings changed here live until the next reset (the board's settings
 * come back then), as in the original.
 */
#ifndef OTAFLOW_APP_CONSOLE_H
#define OTAFLOW_APP_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app_request.h"
#include "otaflow/agent.h"

/** Longest console line, NUL included: a whole URL and the command before it. */
#define APP_CONSOLE_LINE_MAX (OTA_URL_MAX + 32u)
/** Longest answer line, NUL included (a line quoting a word of the command is cut). */
#define APP_CONSOLE_OUT_MAX (OTA_URL_MAX + 64u)

/** Prints one answer line (no newline). */
typedef void (*app_console_out_fn)(void *ctx, const char *line);

/** A console. Its fields are the application's to set through app_console_init. */
typedef struct app_console {
    ota_agent_t *agent;        /**< NULL: no agent runs (its commands are refused) */
    const ota_store_t *store;  /**< the mounted image store (getfs info) */
    uint32_t running_version;
    app_console_out_fn out;
    void *out_ctx;
    size_t len;                /**< characters of the line so far */
    bool too_long;             /**< the line went over: refused at its end */
    bool bad_char;             /**< the line holds a byte that is not printable ASCII */
    char line[APP_CONSOLE_LINE_MAX];
    char answer[APP_CONSOLE_OUT_MAX];
} app_console_t;

/** Prepare a console over agent (may be NULL) and store, answering through out. */
void app_console_init(app_console_t *c, ota_agent_t *agent, const ota_store_t *store,
                      uint32_t running_version, app_console_out_fn out, void *out_ctx);

/**
 * One character typed. A line ends at CR or LF (empty lines are ignored), and is then
 * carried out or refused.
 * @return APP_REQUEST_RESET after `sysota reset` (the application resets), else
 *         APP_REQUEST_DONE.
 */
app_request_t app_console_putc(app_console_t *c, char ch);

#endif /* OTAFLOW_APP_CONSOLE_H */
