/* SPDX-License-Identifier: Apache-2.0 */
/*
 * make bench's host driver around the update agent (bench/run.sh): the agent on the POSIX
 * socket transport and the real clock, its store on the RAM flash model (SST26 shape and
 * timings, 64 MB so that a 16 MB image fits a slot).
 *
 *   bench_agent fetch URL    check URL (a manifest offering version 2), download, store and
 *                            verify the image: prints "wall_s cpu_s" from the check to the
 *                            image stored and verified (the process's CPU time); under
 *                            callgrind (--collect-atstart=no) that part alone is counted
 *   bench_agent check URL    three checks of a manifest with nothing new (running version 2),
 *                            the second 1.1 s after the first: prints "cpu_us" of the third,
 *                            the steady state of a device that checks every period (the first
 *                            a conditional GET can answer: the agent sends the validator once
 *                            two reads at least a second apart agreed, src/agent_check.c).
 *                            Under callgrind (--collect-atstart=no) only the third check's
 *                            polls are counted.
 *
 * Exit status 1 (with the event that stopped it) if the agent did not get there.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock_posix.h"
#include "otaflow/agent.h"
#include "store_fixture.h"
#include "transport_posix.h"

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define BENCH_COUNT_ON() CALLGRIND_TOGGLE_COLLECT
#define BENCH_COUNT_OFF() CALLGRIND_TOGGLE_COLLECT
#else
#define BENCH_COUNT_ON() ((void)0)
#define BENCH_COUNT_OFF() ((void)0)
#endif

/* 64 MB of SST26-shaped NOR: three 20 MB slots (factory + two downloads) and the journal. */
static const ota_flash_geometry_t bench_flash = {
    .size = 64u * 1024u * 1024u,
    .erase_unit = 4096u,
    .block_size = 64u * 1024u,
    .program_unit = 1u,
    .page_size = 256u,
    .erased_value = 0xFF,
};
#define BENCH_SLOT_SIZE (20u * 1024u * 1024u)

typedef struct bench_run {
    ota_event_type_t want; /* the event that ends the run */
    bool done, failed;
    ota_event_type_t last;
} bench_run_t;

static void bench_on_event(void *user, const ota_event_t *e)
{
    bench_run_t *r = user;
    r->last = e->type;
    if (e->type == r->want) {
        r->done = true;
    } else if (e->type == OTA_EVT_CHECK_FAILED || e->type == OTA_EVT_DOWNLOAD_FAILED ||
               e->type == OTA_EVT_VERIFY_FAILED || e->type == OTA_EVT_NO_UPDATE) {
        r->failed = true;
    }
}

static double bench_seconds(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Poll until the run ends; between polls wait on the socket (as a device's loop would). */
static bool bench_until(ota_agent_t *agent, ota_posix_transport_t *sock, bench_run_t *r)
{
    r->done = r->failed = false;
    if (ota_agent_check_now(agent) != OTA_AGENT_OK) {
        return false;
    }
    uint32_t start = ota_posix_now_ms();
    while (!r->done && !r->failed && ota_posix_now_ms() - start < 120000u) {
        ota_agent_state_t st = ota_agent_poll(agent, ota_posix_now_ms());
        if (sock->fd >= 0 && st != OTA_AGENT_VERIFYING) {
            ota_posix_transport_wait(sock, 5);
        }
    }
    if (!r->done) {
        fprintf(stderr, "bench_agent: stopped at event '%s'\n", ota_event_type_str(r->last));
    }
    return r->done;
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "fetch") != 0 && strcmp(argv[1], "check") != 0)) {
        fprintf(stderr, "usage: bench_agent fetch|check MANIFEST_URL\n");
        return 2;
    }
    bool fetch = strcmp(argv[1], "fetch") == 0;
    ota_store_config_t store_config = {.slot_size = BENCH_SLOT_SIZE, .download_slots = 2};
    store_fixture_t *fx = store_fixture_open(&bench_flash, &store_config);
    ota_posix_transport_t sock;
    ota_posix_transport_init(&sock);
    bench_run_t run = {.want = fetch ? OTA_EVT_IMAGE_STORED : OTA_EVT_NO_UPDATE};
    ota_agent_config_t cfg;
    ota_agent_config_default(&cfg);
    cfg.manifest_url = argv[2];
    cfg.running_version = fetch ? 1u : 2u;
    cfg.period_s = 0; /* checks only when asked */
    cfg.auto_reset = false;
    cfg.on_event = bench_on_event;
    cfg.event_user = &run;
    ota_agent_ports_t ports = {.transport = ota_posix_transport(&sock), .store = &fx->store};
    static ota_agent_t agent;
    if (ota_agent_init(&agent, &cfg, &ports) != OTA_AGENT_OK) {
        fprintf(stderr, "bench_agent: agent refused its configuration\n");
        return 1;
    }
    int rc = 0;
    if (fetch) {
        double wall = bench_seconds(CLOCK_MONOTONIC);
        double cpu = bench_seconds(CLOCK_PROCESS_CPUTIME_ID);
        BENCH_COUNT_ON();
        rc = bench_until(&agent, &sock, &run) ? 0 : 1;
        BENCH_COUNT_OFF();
        if (rc == 0) {
            printf("%.6f %.6f\n", bench_seconds(CLOCK_MONOTONIC) - wall,
                   bench_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu);
        }
    } else {
        rc = bench_until(&agent, &sock, &run) ? 0 : 1; /* the first: the device's cold start */
        const struct timespec apart = {.tv_sec = 1, .tv_nsec = 100000000};
        nanosleep(&apart, NULL);
        rc |= bench_until(&agent, &sock, &run) ? 0 : 1; /* arms the conditional GET */
        double cpu = bench_seconds(CLOCK_PROCESS_CPUTIME_ID);
        BENCH_COUNT_ON();
        rc |= bench_until(&agent, &sock, &run) ? 0 : 1;
        BENCH_COUNT_OFF();
        if (rc == 0) {
            printf("%.1f\n", (bench_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu) * 1e6);
        }
    }
    ota_posix_transport_free(&sock);
    store_fixture_close(fx);
    return rc;
}
