/* SPDX-License-Identifier: Apache-2.0 */
/* The fleet simulation's figures and checks (see fleet_plan.h). */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fleet_plan.h"

/* A stretch of fake time the report gives figures for. */
typedef struct fleet_phase {
    const char *name;
    uint32_t from, to;
} fleet_phase_t;

static uint64_t fleet_field_srv_requests(const fleet_second_t *s)
{
    return s->srv_requests;
}

static uint64_t fleet_field_requests(const fleet_second_t *s)
{
    return s->requests;
}

static uint64_t fleet_field_peak_open(const fleet_second_t *s)
{
    return s->peak_open;
}

static uint64_t fleet_field_srv_active(const fleet_second_t *s)
{
    return s->srv_peak_active;
}

/* A check: prints its line (and its table row); returns 1 when it failed. */
static int __attribute__((format(printf, 3, 4))) fleet_check(FILE *md, bool ok,
                                                             const char *fmt, ...)
{
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    printf("%s: %s\n", ok ? "ok" : "FAILED", text);
    if (md != NULL) {
        fprintf(md, "| %s | %s |\n", text, ok ? "ok" : "**failed**");
    }
    return ok ? 0 : 1;
}

/* Stage shares: the devices that took the update by the end of stage k against Binomial(N,
 * p_k); the last stage must have them all. */
static int fleet_check_stages(const fleet_plan_t *p, const fleet_outcome_t *o, FILE *md)
{
    int failed = 0;
    if (md != NULL) {
        fprintf(md, "\n| check | result |\n|---|---|\n");
    }
    for (uint32_t k = 0; k < FLEET_STAGES; k++) {
        double n = p->devices, q = p->stage_percent[k] / 100.0;
        double expect = n * q, sigma = sqrt(n * q * (1.0 - q));
        double got = o->taken_by_stage_end[k];
        failed += fleet_check(md, fabs(got - expect) <= p->sigmas * sigma,
                              "stage %u (Rollout %u %%): %.0f of %u devices took it (%.2f %%), "
                              "expected %.0f ± %.1f (%.0f σ)",
                              (unsigned)k + 1u, (unsigned)p->stage_percent[k], got,
                              (unsigned)p->devices, 100.0 * got / n, expect,
                              p->sigmas * sigma, p->sigmas);
    }
    return failed;
}

static int fleet_check_server(const fleet_plan_t *p, const fleet_outcome_t *o,
                              const fleet_second_t *all, FILE *md)
{
    const fleet_server_log_t *l = &o->log;
    int failed = 0;
    failed += fleet_check(md, o->converged_s != UINT32_MAX,
                          "every device runs the update, %u s after Rollout 100 %%",
                          o->converged_s != UINT32_MAX
                              ? (unsigned)(o->converged_s - p->stage_at_s[FLEET_STAGES - 1u])
                              : 0u);
    failed += fleet_check(md, l->lines == all->requests,
                          "requests: %" PRIu32 " logged by nginx, %" PRIu32 " sent by the devices",
                          l->lines, all->requests);
    failed += fleet_check(md, l->unmapped == 0u,
                          "nginx log lines outside every simulated second: %" PRIu32,
                          l->unmapped);
    failed += fleet_check(md, l->images >= p->devices,
                          "image fetches (200/206) at nginx: %" PRIu32 " for %u devices",
                          l->images, (unsigned)p->devices);
    failed += fleet_check(md, l->unavailable_503 > 0u && all->check_failures > 0u,
                          "the outage was seen: %" PRIu32 " responses 503, %" PRIu32
                          " failed checks, %" PRIu32 " failed downloads",
                          l->unavailable_503, all->check_failures, all->download_failures);
    failed += fleet_check(md, all->reports >= p->devices && l->no_content_204 == all->reports,
                          "status reports: %" PRIu32 " delivered (%" PRIu32
                          " not at the first try), %" PRIu32 " answered 204 by nginx, "
                          "for %u devices that changed version",
                          all->reports, all->report_failures, l->no_content_204,
                          (unsigned)p->devices);
    failed += fleet_check(md, o->stalled_s == 0u,
                          "seconds whose network work hit the wall-clock guard: %" PRIu32,
                          o->stalled_s);
    return failed;
}

static void fleet_phase_rows(const fleet_plan_t *p, const fleet_outcome_t *o,
                             const fleet_stats_t *st, FILE *md)
{
    uint32_t outage_end = p->outage_at_s + p->outage_s;
    uint32_t conv = o->converged_s != UINT32_MAX ? o->converged_s + 1u : o->end_s;
    conv = conv > outage_end + 60u ? conv : outage_end + 60u;
    const fleet_phase_t phases[] = {
        {"Rollout 1 %", p->stage_at_s[0], p->stage_at_s[1]},
        {"Rollout 10 %", p->stage_at_s[1], p->stage_at_s[2]},
        {"Rollout 100 %, before the outage", p->stage_at_s[2], p->outage_at_s},
        {"outage (503)", p->outage_at_s, outage_end},
        {"the minute after the outage", outage_end, outage_end + 60u},
        {"after that, until all run it", outage_end + 60u, conv},
        {"after convergence", conv, o->end_s},
    };
    printf("%-36s %8s %8s %8s %8s %9s %9s %9s\n", "phase (fake time)", "seconds", "srv req",
           "req/s", "peak/s", "failures", "downloads", "MB sent");
    if (md != NULL) {
        fprintf(md, "\n| phase (fake time) | seconds | requests at nginx | mean /s | peak /s | "
                    "failed checks + downloads | downloads started | MB sent by nginx |\n"
                    "|---|---:|---:|---:|---:|---:|---:|---:|\n");
    }
    for (size_t i = 0; i < sizeof phases / sizeof phases[0]; i++) {
        const fleet_phase_t *ph = &phases[i];
        if (ph->to <= ph->from) {
            continue;
        }
        fleet_second_t t = fleet_stats_sum(st, ph->from, ph->to);
        uint64_t peak = fleet_stats_max(st, ph->from, ph->to, fleet_field_srv_requests);
        uint32_t secs = ph->to - ph->from;
        double mean = (double)t.srv_requests / secs, mb = (double)t.srv_bytes / 1e6;
        uint32_t fails = t.check_failures + t.download_failures;
        printf("%-36s %8u %8u %8.1f %8" PRIu64 " %9u %9u %9.2f\n", ph->name, (unsigned)secs,
               (unsigned)t.srv_requests, mean, peak, (unsigned)fails, (unsigned)t.downloads, mb);
        if (md != NULL) {
            fprintf(md, "| %s (%u–%u s) | %u | %u | %.1f | %" PRIu64 " | %u | %u | %.2f |\n",
                    ph->name, (unsigned)ph->from, (unsigned)ph->to, (unsigned)secs,
                    (unsigned)t.srv_requests, mean, peak, (unsigned)fails,
                    (unsigned)t.downloads, mb);
        }
    }
}

static void fleet_totals(const fleet_plan_t *p, const fleet_outcome_t *o, const fleet_stats_t *st,
                         const fleet_second_t *all, FILE *md)
{
    const fleet_server_log_t *l = &o->log;
    uint64_t peak_open = fleet_stats_max(st, 0, o->end_s, fleet_field_peak_open);
    uint64_t peak_active = fleet_stats_max(st, 0, o->end_s, fleet_field_srv_active);
    uint64_t peak_srv = fleet_stats_max(st, 0, o->end_s, fleet_field_srv_requests);
    uint64_t peak_sim = fleet_stats_max(st, 0, o->end_s, fleet_field_requests);
    char rows[12][200];
    int n = 0;
    snprintf(rows[n++], sizeof rows[0], "devices | %u", (unsigned)p->devices);
    const fleet_device_ram_t *r = &o->ram;
    snprintf(rows[n++], sizeof rows[0],
             "host RAM per device: agent + store + socket + flash model (its buffers) + rest | "
             "%u + %u + %u + %u (%u) + %u = %u B",
             (unsigned)r->agent, (unsigned)r->store, (unsigned)r->socket,
             (unsigned)r->flash_model, (unsigned)r->flash_buffers, (unsigned)r->rest,
             (unsigned)r->total);
    snprintf(rows[n++], sizeof rows[0], "fake time simulated | %u s", (unsigned)o->end_s);
    snprintf(rows[n++], sizeof rows[0], "wall clock: power on + simulation | %.1f s + %.1f s",
             o->setup_wall_s, o->wall_s);
    snprintf(rows[n++], sizeof rows[0], "requests (nginx / devices) | %" PRIu32 " / %" PRIu32,
             l->lines, all->requests);
    snprintf(rows[n++], sizeof rows[0],
             "responses 200 / 206 / 304 / 204 / 503 | %" PRIu32 " / %" PRIu32 " / %" PRIu32
             " / %" PRIu32 " / %" PRIu32,
             l->ok_200, l->partial_206, l->not_modified_304, l->no_content_204,
             l->unavailable_503);
    snprintf(rows[n++], sizeof rows[0], "bytes sent by nginx / received by the devices | %" PRIu64
             " / %" PRIu64, l->bytes_sent, all->bytes_in);
    snprintf(rows[n++], sizeof rows[0], "connections made by the devices | %" PRIu32, all->connects);
    snprintf(rows[n++], sizeof rows[0],
             "peak requests in one fake second (nginx / devices) | %" PRIu64 " / %" PRIu64,
             peak_srv, peak_sim);
    snprintf(rows[n++], sizeof rows[0],
             "peak concurrent connections (nginx's $connections_active / sockets open in the sim) | %" PRIu64
             " / %" PRIu64, peak_active, peak_open);
    if (o->converged_s != UINT32_MAX) {
        snprintf(rows[n++], sizeof rows[0], "time to converge after Rollout 100 %% | %u s",
                 (unsigned)(o->converged_s - p->stage_at_s[FLEET_STAGES - 1u]));
    } else {
        snprintf(rows[n++], sizeof rows[0], "time to converge after Rollout 100 %% | never");
    }
    if (md != NULL) {
        fprintf(md, "| figure | value |\n|---|---:|\n");
    }
    for (int i = 0; i < n; i++) {
        printf("%s\n", rows[i]);
        if (md != NULL) {
            fprintf(md, "| %s |\n", rows[i]);
        }
    }
}

/* The scenario's times and the run's main figures as shell assignments, for the chart and
 * the comparison of bench/fleet.sh. */
static void fleet_write_env(const fleet_plan_t *p, const fleet_outcome_t *o,
                            const fleet_stats_t *st, const fleet_second_t *all, FILE *out)
{
    fprintf(out,
            "PEAK_SRV_RPS=%" PRIu64 "\nPEAK_SRV_ACTIVE=%" PRIu64 "\nPEAK_OPEN=%" PRIu64
            "\nREQUESTS_SRV=%" PRIu32 "\nREQUESTS_SIM=%" PRIu32 "\nCHECK_FAILURES=%" PRIu32
            "\nDOWNLOAD_FAILURES=%" PRIu32 "\nSRV_503=%" PRIu32 "\nNOT_MODIFIED=%" PRIu32
            "\nSTALLED_S=%" PRIu32 "\nJITTER=%d\n",
            fleet_stats_max(st, 0, o->end_s, fleet_field_srv_requests),
            fleet_stats_max(st, 0, o->end_s, fleet_field_srv_active),
            fleet_stats_max(st, 0, o->end_s, fleet_field_peak_open), o->log.lines,
            all->requests, all->check_failures, all->download_failures,
            o->log.unavailable_503, o->log.not_modified_304, o->stalled_s, p->no_jitter ? 0 : 1);
    fprintf(out, "FAILURE_REASONS='");
    for (uint32_t i = 0; i < FLEET_REASONS && st->reasons[i].text != NULL; i++) {
        const fleet_reason_t *r = &st->reasons[i];
        fprintf(out, "%s%s", i > 0u ? "; " : "", r->text);
        if (r->http_status != 0u) {
            fprintf(out, " %u", (unsigned)r->http_status);
        }
        fprintf(out, ": %u", (unsigned)r->count);
    }
    fprintf(out, "'\n");
    for (uint32_t k = 0; k < FLEET_STAGES; k++) {
        fprintf(out, "STAGE%u_AT=%u\nSTAGE%u_PERCENT=%u\n", (unsigned)k + 1u,
                (unsigned)p->stage_at_s[k], (unsigned)k + 1u, (unsigned)p->stage_percent[k]);
    }
    bool converged = o->converged_s != UINT32_MAX;
    fprintf(out, "OUTAGE_AT=%u\nOUTAGE_S=%u\nEND_S=%u\nCONVERGED_AFTER_S=%d\nDEVICES=%u\n"
                 "PERIOD_S=%u\nIMAGE_SIZE=%u\nIMAGE_FETCHES=%" PRIu32 "\nSOCKET_BYTES=%u\n",
            (unsigned)p->outage_at_s, (unsigned)p->outage_s, (unsigned)o->end_s,
            converged ? (int)(o->converged_s - p->stage_at_s[FLEET_STAGES - 1u]) : -1,
            (unsigned)p->devices, (unsigned)p->period_s, (unsigned)p->image_size,
            o->log.images, (unsigned)o->ram.socket);
}

int fleet_report(const fleet_plan_t *p, const fleet_outcome_t *o, const fleet_stats_t *st,
                 const char *dir)
{
    FILE *md = NULL;
    char path[512];
    if (dir != NULL) {
        snprintf(path, sizeof path, "%s/timeline.csv", dir);
        FILE *csv = fopen(path, "w");
        if (csv != NULL) {
            fleet_stats_write_csv(st, o->end_s, csv);
            fclose(csv);
        }
        snprintf(path, sizeof path, "%s/figures.md", dir);
        md = fopen(path, "w");
    }
    fleet_second_t all = fleet_stats_sum(st, 0, o->end_s);
    if (dir != NULL) {
        snprintf(path, sizeof path, "%s/run.env", dir);
        FILE *env = fopen(path, "w");
        if (env != NULL) {
            fleet_write_env(p, o, st, &all, env);
            fclose(env);
        }
    }
    fleet_totals(p, o, st, &all, md);
    for (uint32_t i = 0; i < FLEET_REASONS && st->reasons[i].text != NULL; i++) {
        printf("failures: %u x %s %u\n", (unsigned)st->reasons[i].count, st->reasons[i].text,
               (unsigned)st->reasons[i].http_status);
    }
    fleet_phase_rows(p, o, st, md);
    int failed = fleet_check_stages(p, o, md);
    failed += fleet_check_server(p, o, &all, md);
    if (md != NULL) {
        fclose(md);
    }
    printf("fleet: %s\n", failed == 0 ? "all checks passed" : "SOME CHECKS FAILED");
    return failed;
}
