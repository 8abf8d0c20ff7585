/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test firmware of the network port (mps2-an386): brings lwIP up on the LAN9118, GETs the URL
 * of its semihosting command line with the core's HTTP client over the lwIP transport, and
 * prints what arrived, so that a host test compares it with the file it served:
 *   net-fetch: ok bytes=N fnv=XXXXXXXX ms=T      (FNV-1a 32 of the body, SysTick ms)
 *   net-fetch: error <the HTTP client's status name> after N bytes
 * Command line words (after the program name): url=URL, and optionally idle_ms=N (the
 * client's idle timeout). Exit status: 0 fetched, 1 HTTP error, 2 no network.
 * Linked like the bootloader (at address 0): it runs straight from reset.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "an386.h"
#include "console.h"
#include "cortex_m.h"
#include "net_stack.h"
#include "otaflow/http.h"
#include "semihost.h"
#include "transport_lwip.h"

#define NET_UP_TIMEOUT_MS 20000u
#define PREFIX "net-fetch: "

typedef struct fetch {
    uint32_t fnv;
    uint64_t bytes;
} fetch_t;

static ota_cm_net_t g_net;
static ota_lwip_transport_t g_transport;
static ota_http_client_t g_http;
static uint8_t g_http_buf[2048];
static char g_cmdline[512];

static int on_body(void *user, uint64_t offset, const uint8_t *data, size_t len)
{
    fetch_t *f = user;
    if (offset != f->bytes) {
        return 1; /* a gap or an overlap: the transport lost or repeated bytes */
    }
    for (size_t i = 0; i < len; i++) {
        f->fnv = (f->fnv ^ data[i]) * 16777619u;
    }
    f->bytes += len;
    return 0;
}

static uint32_t to_u32(const char *s)
{
    uint32_t v = 0;
    while (*s >= '0' && *s <= '9') {
        v = v * 10u + (uint32_t)(*s++ - '0');
    }
    return v;
}

/* One pass over the command line's words, each NUL-terminated in place: url=, idle_ms=. */
static void parse_args(char *line, const char **url, uint32_t *idle_ms)
{
    for (char *w = line; w != NULL;) {
        char *end = strchr(w, ' ');
        if (end != NULL) {
            *end = '\0';
        }
        if (strncmp(w, "url=", 4) == 0) {
            *url = w + 4;
        } else if (strncmp(w, "idle_ms=", 8) == 0) {
            *idle_ms = to_u32(w + 8);
        }
        w = end != NULL ? end + 1 : NULL;
    }
}

/* Nothing to do until the next SysTick: let QEMU's CPU sleep instead of spinning. */
static void idle(void)
{
    __asm volatile("wfi");
}

int main(void)
{
    console_init();
    cm_clock_start(AN386_CPU_HZ);
    if (sh_cmdline(g_cmdline, sizeof g_cmdline) != 0) {
        console_printf(PREFIX, "no command line");
        sh_exit(2);
    }
    const char *url = NULL;
    uint32_t idle_ms = 0;
    parse_args(g_cmdline, &url, &idle_ms);
    if (url == NULL) {
        console_printf(PREFIX, "usage: url=http://A.B.C.D:PORT/PATH [idle_ms=N]");
        sh_exit(2);
    }
    ota_cm_net_config_t nc = {.rand_seed = sh_time(), .log = console_log, .log_ctx = PREFIX};
    ota_cm_net_status_t ns = ota_cm_net_init(&g_net, &nc, cm_millis());
    if (ns != OTA_CM_NET_OK) {
        console_printf(PREFIX, "network: %s", ota_cm_net_status_str(ns));
        sh_exit(2);
    }
    ota_lwip_transport_init(&g_transport, &g_net);
    ota_transport_t tr = ota_lwip_transport(&g_transport);
    ota_http_config_t hc;
    ota_http_config_default(&hc);
    hc.buf = g_http_buf;
    hc.buf_size = sizeof g_http_buf;
    if (idle_ms != 0) {
        hc.idle_timeout_ms = idle_ms;
    }
    if (ota_http_init(&g_http, &hc, &tr) != OTA_HTTP_OK) {
        console_printf(PREFIX, "http init failed");
        sh_exit(2);
    }
    fetch_t f = {.fnv = 2166136261u};
    bool started = false;
    uint32_t t0 = cm_millis();
    for (;;) {
        uint32_t now = cm_millis();
        unsigned frames = ota_cm_net_poll(&g_net, now);
        if (!started) {
            if (ota_cm_net_up(&g_net)) {
                ota_http_request_t rq = {.url = url, .on_body = on_body, .user = &f};
                ota_http_status_t st = ota_http_get(&g_http, &rq);
                if (st != OTA_HTTP_IN_PROGRESS) {
                    console_printf(PREFIX, "error %s", ota_http_status_str(st));
                    sh_exit(1);
                }
                started = true;
                t0 = now;
            } else if (now - t0 > NET_UP_TIMEOUT_MS) {
                console_printf(PREFIX, "no network address after %lu ms",
                               (unsigned long)NET_UP_TIMEOUT_MS);
                sh_exit(2);
            } else {
                idle();
            }
            continue;
        }
        ota_http_status_t st = ota_http_poll(&g_http, now);
        if (st == OTA_HTTP_WOULD_BLOCK) {
            /* Frames may still wait in the controller's FIFO (a poll takes a few at most):
             * sleep only once the wire is quiet and every received byte has been taken. */
            if (frames == 0 && !ota_lwip_transport_pending(&g_transport)) {
                idle();
            }
        } else if (st != OTA_HTTP_IN_PROGRESS) {
            uint32_t ms = cm_millis() - t0;
            if (st == OTA_HTTP_OK) {
                console_printf(PREFIX, "ok bytes=%lu fnv=%08lx ms=%lu", (unsigned long)f.bytes,
                               (unsigned long)f.fnv, (unsigned long)ms);
                sh_exit(0);
            }
            console_printf(PREFIX, "error %s after %lu bytes", ota_http_status_str(st),
                           (unsigned long)f.bytes);
            sh_exit(1);
        }
    }
}
