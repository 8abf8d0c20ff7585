/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the fleet simulation counts, per second of fake time and in all: the devices' side
 * (events, connections, bytes on their sockets) and the server's (nginx's access log, mapped
 * onto the same fake seconds by fleet_server.c).
 */
#ifndef OTAFLOW_FLEET_STATS_H
#define OTAFLOW_FLEET_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/** One second of fake time. */
typedef struct fleet_second {
    uint32_t requests;          /**< HTTP requests the devices sent */
    uint32_t checks;            /**< manifest checks started */
    uint32_t check_failures;
    uint32_t downloads;         /**< image downloads started (resumes included) */
    uint32_t download_failures;
    uint32_t taken;             /**< devices that stored the update (RESET_PENDING) */
    uint32_t running_new;       /**< devices running the new version at the end of it */
    uint32_t reports;           /**< status reports delivered (REPORT_SENT) */
    uint32_t report_failures;   /**< ... not delivered this time (REPORT_FAILED) */
    uint32_t connects;          /**< connections established */
    uint32_t peak_open;         /**< most sockets open at once */
    uint64_t bytes_in;          /**< bytes the devices received */
    uint64_t bytes_out;         /**< bytes the devices sent */
    /* The server's view (nginx access log). */
    uint32_t srv_requests;
    uint32_t srv_errors;        /**< responses 500 and above (the outage's 503) */
    uint32_t srv_peak_active;   /**< most connections nginx had open at a logged request */
    uint64_t srv_bytes;         /**< bytes nginx sent */
    /* The wall-clock window in which this second's network traffic ran (0: none). */
    int64_t wall_start_ms, wall_end_ms;
} fleet_second_t;

/** Failure reasons told apart (the rest count as the last). */
#define FLEET_REASONS 8u

/** How often the devices failed for one reason (the agent's event text). */
typedef struct fleet_reason {
    const char *text;           /**< NULL: unused */
    uint32_t http_status;       /**< with an HTTP status failure */
    uint32_t count;
} fleet_reason_t;

/** The whole run's timeline. */
typedef struct fleet_stats {
    fleet_second_t *seconds;    /**< one per second of fake time */
    uint32_t count;
    uint32_t open;              /**< sockets open now */
    fleet_reason_t reasons[FLEET_REASONS]; /**< why checks and downloads failed */
} fleet_stats_t;

/** Allocate count seconds, zeroed. Returns false without memory. */
bool fleet_stats_init(fleet_stats_t *s, uint32_t count);

/** Release the timeline. */
void fleet_stats_free(fleet_stats_t *s);

/** The second now_ms falls in (the last one beyond the end). */
fleet_second_t *fleet_stats_at(fleet_stats_t *s, uint32_t now_ms);

/** A socket opened / closed at now_ms: keeps the open count and the second's peak. */
void fleet_stats_opened(fleet_stats_t *s, uint32_t now_ms);
void fleet_stats_closed(fleet_stats_t *s);

/** Count a failed check or download under its reason (the event's text and HTTP status). */
void fleet_stats_failed(fleet_stats_t *s, const char *reason, uint32_t http_status);

/** Totals over seconds [from, to). */
fleet_second_t fleet_stats_sum(const fleet_stats_t *s, uint32_t from, uint32_t to);

/** The largest value of a field over seconds [from, to): field picks it from a second. */
uint64_t fleet_stats_max(const fleet_stats_t *s, uint32_t from, uint32_t to,
                         uint64_t (*field)(const fleet_second_t *));

/** The timeline as CSV, one line per second up to `until` (header first). */
void fleet_stats_write_csv(const fleet_stats_t *s, uint32_t until, FILE *out);

#endif /* OTAFLOW_FLEET_STATS_H */
