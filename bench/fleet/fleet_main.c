/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fleet_sim: many update agents in one process, one thread, against nginx on 127.0.0.1
 * (docs/fleet.md; `make fleet` runs 10,000, ctest fleet_small 200).
 *
 *   fleet_sim [--devices N] [--period S] [--image BYTES] [--out DIR] [--seed N] [--no-jitter]
 *
 * Fake time advances in steps of one second. In each step every device whose poll is due is
 * polled; then fake time stands still while the network works: the devices with a transfer in
 * hand are polled as their sockets become ready, until none has one. A transfer thus takes no
 * fake time, and all transfers of one second run concurrently against nginx (what "peak
 * concurrent connections" measures). The wall-clock window of each step is recorded, so
 * nginx's access log can be mapped onto the same seconds afterwards.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "fleet_device.h"
#include "fleet_plan.h"
#include "fleet_server.h"
#include "fleet_stats.h"

#define FLEET_VERSION_RUNNING 1u
#define FLEET_VERSION_NEW 2u
/* A step whose network phase takes longer than this (wall clock) lets fake time move on, so
 * the agents' own timeouts end a transfer that hangs. */
#define FLEET_STEP_WALL_LIMIT_MS 10000

typedef struct fleet {
    fleet_plan_t plan;
    fleet_common_t common;
    fleet_stats_t stats;
    fleet_server_t server;
    fleet_device_t *devices;
    uint32_t *due_ms;           /**< per device: fake ms of its next poll */
    uint32_t *active;           /**< devices polled in this step and still working */
    uint32_t active_count;
    uint32_t running_new;       /**< devices running the new version */
    fleet_outcome_t out;
} fleet_t;

static double fleet_wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The clock nginx's $msec reads. */
static int64_t fleet_realtime_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the scenario ------------------------------------------------------------------------ */

static void fleet_plan_default(fleet_plan_t *p)
{
    memset(p, 0, sizeof *p);
    p->devices = 10000;
    p->period_s = 300;
    p->image_size = 16384;
    p->sigmas = 4.0;
}

/* Stages of two periods each (every device checks at least once in one); the outage a
 * quarter period into the last stage, while its downloads run; up to eight periods more to
 * converge; then three periods of the steady state (a device's third check after its reset
 * is the first that may be answered 304). */
static void fleet_plan_times(fleet_plan_t *p)
{
    static const uint32_t percent[FLEET_STAGES] = {1, 10, 100};
    uint32_t stage_s = 2u * p->period_s;
    for (uint32_t k = 0; k < FLEET_STAGES; k++) {
        p->stage_at_s[k] = k * stage_s;
        p->stage_percent[k] = percent[k];
    }
    p->outage_at_s = p->stage_at_s[2] + p->period_s / 4u;
    p->outage_s = 60;
    p->limit_s = p->stage_at_s[2] + 8u * p->period_s;
    p->tail_s = 3u * p->period_s + 60u; /* the steady state: validators armed, 304s */
}

static int fleet_usage(void)
{
    fprintf(stderr, "usage: fleet_sim [--devices N] [--period S] [--image BYTES] [--out DIR] "
                    "[--seed N] [--no-jitter]\n");
    return 2;
}

static bool fleet_arg_u32(const char *text, uint32_t min, uint32_t max, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* Publishing a stage: the share that took the previous one is counted first. */
static bool fleet_scenario(fleet_t *f, uint32_t sec)
{
    const fleet_plan_t *p = &f->plan;
    for (uint32_t k = 0; k < FLEET_STAGES; k++) {
        if (sec == p->stage_at_s[k]) {
            if (k > 0u) {
                f->out.taken_by_stage_end[k - 1u] = fleet_stats_sum(&f->stats, 0, sec).taken;
            }
            printf("fleet: %5us  rollout %u %%\n", (unsigned)sec, (unsigned)p->stage_percent[k]);
            if (!fleet_server_publish(&f->server, p->stage_percent[k])) {
                return false;
            }
        }
    }
    if (sec == p->outage_at_s || sec == p->outage_at_s + p->outage_s) {
        bool on = sec == p->outage_at_s;
        printf("fleet: %5us  outage %s\n", (unsigned)sec, on ? "begins (503)" : "ends");
        return fleet_server_outage(&f->server, on);
    }
    return true;
}

/* ---- one step of fake time --------------------------------------------------------------- */

static void fleet_poll(fleet_t *f, uint32_t i, uint32_t now_ms)
{
    fleet_device_t *d = &f->devices[i];
    uint32_t before = d->running_version;
    fleet_device_poll(d, now_ms);
    if (d->running_version != before && d->running_version == FLEET_VERSION_NEW) {
        f->running_new++;
    }
}

/* Still working in this step: a transfer in hand, or a poll due at once. */
static bool fleet_working(const fleet_t *f, uint32_t i, uint32_t now_ms)
{
    const fleet_device_t *d = &f->devices[i];
    return fleet_device_busy(d) || fleet_device_due_ms(d) <= now_ms;
}

/* Poll the active devices whose sockets are ready (all of them when poll() times out), then
 * drop those that are done for this step. */
static void fleet_network_round(fleet_t *f, uint32_t now_ms, struct pollfd *pfds)
{
    uint32_t n = 0;
    for (uint32_t j = 0; j < f->active_count; j++) {
        const ota_posix_transport_t *sock = &f->devices[f->active[j]].sock;
        pfds[j].fd = sock->fd; /* negative: ignored by poll() */
        pfds[j].events = sock->connected ? POLLIN : POLLOUT;
        pfds[j].revents = 0;
        n += sock->fd >= 0;
    }
    int ready = n > 0u ? poll(pfds, f->active_count, 10) : 0;
    uint32_t kept = 0;
    for (uint32_t j = 0; j < f->active_count; j++) {
        uint32_t i = f->active[j];
        if (ready <= 0 || pfds[j].fd < 0 || pfds[j].revents != 0) {
            fleet_poll(f, i, now_ms);
        }
        if (fleet_working(f, i, now_ms)) {
            f->active[kept++] = i;
        } else {
            f->due_ms[i] = fleet_device_due_ms(&f->devices[i]);
        }
    }
    f->active_count = kept;
}

static void fleet_step(fleet_t *f, uint32_t sec, struct pollfd *pfds)
{
    uint32_t now_ms = sec * 1000u;
    fleet_second_t *s = fleet_stats_at(&f->stats, now_ms);
    int64_t wall_start = fleet_realtime_ms();
    f->active_count = 0;
    for (uint32_t i = 0; i < f->plan.devices; i++) {
        if (f->due_ms[i] <= now_ms) {
            fleet_poll(f, i, now_ms);
            if (fleet_working(f, i, now_ms)) {
                f->active[f->active_count++] = i;
            } else {
                f->due_ms[i] = fleet_device_due_ms(&f->devices[i]);
            }
        }
    }
    double started = fleet_wall_s();
    while (f->active_count > 0u) {
        fleet_network_round(f, now_ms, pfds);
        if (f->active_count > 0u && (fleet_wall_s() - started) * 1000.0 > FLEET_STEP_WALL_LIMIT_MS) {
            fprintf(stderr, "fleet: %us: %u devices still busy after %d ms: time moves on\n",
                    (unsigned)sec, (unsigned)f->active_count, FLEET_STEP_WALL_LIMIT_MS);
            f->out.stalled_s++;
            for (uint32_t j = 0; j < f->active_count; j++) {
                f->due_ms[f->active[j]] = now_ms + 1000u;
            }
            f->active_count = 0;
        }
    }
    s->running_new = f->running_new;
    if (s->connects > 0u || s->requests > 0u) {
        s->wall_start_ms = wall_start;
        s->wall_end_ms = fleet_realtime_ms();
        /* Windows at least 2 ms apart: a log line's millisecond names one second only. */
        usleep(2000);
    }
}

/* ---- setup and the run ------------------------------------------------------------------- */

static bool fleet_open_files(uint32_t devices)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        return false;
    }
    rl.rlim_cur = rl.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < (rlim_t)devices + 64u) {
        fprintf(stderr, "fleet: at most %lu open files; sockets may run out\n",
                (unsigned long)rl.rlim_cur);
    }
    return true;
}

/* Power the fleet on, all at once (as after a site's power cut): each device with its own
 * store, id and random generator; each agent puts its first check at a random time within a
 * period (first_check_jitter_s). */
static bool fleet_power_on(fleet_t *f)
{
    double t0 = fleet_wall_s();
    const fleet_plan_t *p = &f->plan;
    f->devices = calloc(p->devices, sizeof *f->devices);
    f->due_ms = calloc(p->devices, sizeof *f->due_ms);
    f->active = calloc(p->devices, sizeof *f->active);
    if (f->devices == NULL || f->due_ms == NULL || f->active == NULL) {
        fprintf(stderr, "fleet: no memory for %u devices\n", (unsigned)p->devices);
        return false;
    }
    for (uint32_t i = 0; i < p->devices; i++) {
        if (!fleet_device_open(&f->devices[i], i, &f->common)) {
            return false;
        }
        f->due_ms[i] = 0; /* powered on together: the agents spread their first checks */
    }
    f->out.setup_wall_s = fleet_wall_s() - t0;
    return true;
}

static void fleet_power_off(fleet_t *f)
{
    for (uint32_t i = 0; f->devices != NULL && i < f->plan.devices; i++) {
        fleet_device_close(&f->devices[i]);
    }
    free(f->devices);
    free(f->due_ms);
    free(f->active);
}

static bool fleet_run(fleet_t *f)
{
    const fleet_plan_t *p = &f->plan;
    struct pollfd *pfds = calloc(p->devices, sizeof *pfds);
    if (pfds == NULL) {
        return false;
    }
    double t0 = fleet_wall_s();
    f->out.converged_s = UINT32_MAX;
    uint32_t sec = 0;
    bool ok = true;
    for (; ok && sec < p->limit_s + p->tail_s; sec++) {
        ok = fleet_scenario(f, sec);
        fleet_step(f, sec, pfds);
        if (f->out.converged_s == UINT32_MAX && f->running_new == p->devices &&
            sec >= p->stage_at_s[FLEET_STAGES - 1u]) {
            f->out.converged_s = sec;
            printf("fleet: %5us  all %u devices run the update\n", (unsigned)sec,
                   (unsigned)p->devices);
        }
        /* Done: converged, and the outage's aftermath and the tail seen. */
        uint32_t settled = p->outage_at_s + p->outage_s + 60u;
        if (f->out.converged_s != UINT32_MAX && sec >= f->out.converged_s + p->tail_s &&
            sec >= settled + p->tail_s) {
            sec++;
            break;
        }
        if (sec % 300u == 0u) {
            fprintf(stderr, "fleet: %5us  %u of %u run the update (%.0f s wall)\n",
                    (unsigned)sec, (unsigned)f->running_new, (unsigned)p->devices,
                    fleet_wall_s() - t0);
        }
    }
    f->out.end_s = sec;
    f->out.taken_by_stage_end[FLEET_STAGES - 1u] = fleet_stats_sum(&f->stats, 0, sec).taken;
    f->out.wall_s = fleet_wall_s() - t0;
    free(pfds);
    return ok;
}

static int fleet_parse(fleet_plan_t *p, int argc, char **argv, const char **out_dir,
                       uint64_t *seed)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--no-jitter") == 0) {
            p->no_jitter = true;
            continue;
        }
        uint32_t v = 0;
        bool has_value = i + 1 < argc;
        const char *opt = argv[i];
        const char *val = has_value ? argv[++i] : "";
        if (strcmp(opt, "--devices") == 0 && fleet_arg_u32(val, 1, 1000000, &v)) {
            p->devices = v;
        } else if (strcmp(opt, "--period") == 0 && fleet_arg_u32(val, 10, 7200, &v)) {
            p->period_s = v;
        } else if (strcmp(opt, "--image") == 0 && fleet_arg_u32(val, 1024, FLEET_SLOT_SIZE, &v)) {
            p->image_size = v;
        } else if (strcmp(opt, "--seed") == 0 && fleet_arg_u32(val, 0, UINT32_MAX, &v)) {
            *seed = v;
        } else if (strcmp(opt, "--out") == 0 && has_value) {
            *out_dir = val;
        } else {
            return fleet_usage();
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    static fleet_t fleet;
    fleet_t *f = &fleet;
    const char *out_dir = NULL;
    uint64_t seed = 1;
    fleet_plan_default(&f->plan);
    if (fleet_parse(&f->plan, argc, argv, &out_dir, &seed) != 0) {
        return 2;
    }
    fleet_plan_times(&f->plan);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!fleet_open_files(f->plan.devices) ||
        !fleet_stats_init(&f->stats, f->plan.limit_s + f->plan.tail_s + 1u) ||
        !fleet_server_start(&f->server, FLEET_VERSION_NEW, f->plan.image_size,
                            f->plan.devices)) {
        fleet_server_cleanup(&f->server);
        return 1;
    }
    f->common = (fleet_common_t){
        .manifest_url = f->server.manifest_url,
        .report_url = f->server.report_url,
        .period_s = f->plan.period_s,
        .first_check_jitter_s = f->plan.period_s,
        .seed = (uint32_t)seed,
        .no_jitter = f->plan.no_jitter,
        .running_version = FLEET_VERSION_RUNNING,
        .stats = &f->stats,
    };
    f->out.ram = fleet_device_ram();
    bool ok = fleet_power_on(f) && fleet_run(f);
    fleet_server_stop(&f->server);
    ok = ok && fleet_server_read_log(&f->server, &f->stats, &f->out.log);
    fleet_power_off(f);
    fleet_server_cleanup(&f->server);
    int failed = ok ? fleet_report(&f->plan, &f->out, &f->stats, out_dir) : 1;
    fleet_stats_free(&f->stats);
    return failed == 0 ? 0 : 1;
}
