/* SPDX-License-Identifier: Apache-2.0 */
/* The fleet simulation's timeline (see fleet_stats.h). */
#include "fleet_stats.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

bool fleet_stats_init(fleet_stats_t *s, uint32_t count)
{
    s->seconds = calloc(count, sizeof *s->seconds);
    s->count = count;
    s->open = 0;
    memset(s->reasons, 0, sizeof s->reasons);
    return s->seconds != NULL;
}

void fleet_stats_free(fleet_stats_t *s)
{
    free(s->seconds);
    s->seconds = NULL;
    s->count = 0;
}

fleet_second_t *fleet_stats_at(fleet_stats_t *s, uint32_t now_ms)
{
    uint32_t i = now_ms / 1000u;
    return &s->seconds[i < s->count ? i : s->count - 1u];
}

void fleet_stats_opened(fleet_stats_t *s, uint32_t now_ms)
{
    fleet_second_t *sec = fleet_stats_at(s, now_ms);
    s->open++;
    sec->connects++;
    if (s->open > sec->peak_open) {
        sec->peak_open = s->open;
    }
}

void fleet_stats_closed(fleet_stats_t *s)
{
    if (s->open > 0u) {
        s->open--;
    }
}

void fleet_stats_failed(fleet_stats_t *s, const char *reason, uint32_t http_status)
{
    const char *text = reason != NULL ? reason : "";
    for (uint32_t i = 0; i < FLEET_REASONS; i++) {
        fleet_reason_t *r = &s->reasons[i];
        if (r->text == NULL) {
            r->text = text;
            r->http_status = http_status;
        }
        if ((strcmp(r->text, text) == 0 && r->http_status == http_status) ||
            i + 1u == FLEET_REASONS) {
            r->count++;
            return;
        }
    }
}

fleet_second_t fleet_stats_sum(const fleet_stats_t *s, uint32_t from, uint32_t to)
{
    fleet_second_t t = {0};
    for (uint32_t i = from; i < to && i < s->count; i++) {
        const fleet_second_t *x = &s->seconds[i];
        t.requests += x->requests;
        t.checks += x->checks;
        t.check_failures += x->check_failures;
        t.downloads += x->downloads;
        t.download_failures += x->download_failures;
        t.taken += x->taken;
        t.reports += x->reports;
        t.report_failures += x->report_failures;
        t.connects += x->connects;
        t.bytes_in += x->bytes_in;
        t.bytes_out += x->bytes_out;
        t.srv_requests += x->srv_requests;
        t.srv_errors += x->srv_errors;
        t.srv_bytes += x->srv_bytes;
    }
    return t;
}

uint64_t fleet_stats_max(const fleet_stats_t *s, uint32_t from, uint32_t to,
                         uint64_t (*field)(const fleet_second_t *))
{
    uint64_t best = 0;
    for (uint32_t i = from; i < to && i < s->count; i++) {
        uint64_t v = field(&s->seconds[i]);
        best = v > best ? v : best;
    }
    return best;
}

void fleet_stats_write_csv(const fleet_stats_t *s, uint32_t until, FILE *out)
{
    fprintf(out, "second,requests,checks,check_failures,downloads,download_failures,taken,"
                 "running_new,connects,peak_open,bytes_in,bytes_out,srv_requests,srv_errors,"
                 "srv_peak_active,srv_bytes\n");
    for (uint32_t i = 0; i < until && i < s->count; i++) {
        const fleet_second_t *x = &s->seconds[i];
        fprintf(out,
                "%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%" PRIu32
                ",%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%" PRIu64 ",%" PRIu64
                ",%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%" PRIu64 "\n",
                i, x->requests, x->checks, x->check_failures, x->downloads,
                x->download_failures, x->taken, x->running_new, x->connects, x->peak_open,
                x->bytes_in, x->bytes_out, x->srv_requests, x->srv_errors, x->srv_peak_active,
                x->srv_bytes);
    }
}
