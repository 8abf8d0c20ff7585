/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fleet's server: nginx on 127.0.0.1 with a private configuration in a temporary
 * directory, serving the manifest and the image as static files (the server side of a fleet
 * stays stateless), answering 503 to everything while an outage is on, and taking reports
 * (POST /report: 204). Its access log is read back at the end and mapped onto the seconds of
 * fake time (fleet_stats_t) by the wall-clock windows the simulation recorded.
 */
#ifndef OTAFLOW_FLEET_SERVER_H
#define OTAFLOW_FLEET_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "fleet_stats.h"
#include "test_server.h"

typedef struct fleet_server {
    char dir[256];              /**< temporary directory: www/, logs, configuration */
    test_server_t nginx;
    uint16_t port;
    char base_url[32];          /**< "http://127.0.0.1:<port>" */
    char manifest_url[48];      /**< base_url + "/ota.json" */
    char report_url[48];        /**< base_url + "/report" */
    uint32_t image_size;
    uint8_t image_digest[32];   /**< SHA-256 of the image file */
    uint32_t image_version;
} fleet_server_t;

/** Totals read from the access log. */
typedef struct fleet_server_log {
    uint32_t lines;             /**< requests logged */
    uint32_t unmapped;          /**< requests outside every recorded window */
    uint32_t by_status[6];      /**< 1xx..5xx in [1..5]; [0]: anything else */
    uint32_t ok_200, partial_206, not_modified_304, no_content_204, unavailable_503;
    uint32_t images;            /**< GETs of the image (200 or 206) */
    uint64_t bytes_sent;
    uint32_t peak_active;       /**< most connections nginx had open ($connections_active) */
} fleet_server_log_t;

/**
 * Make the directory, write the image (image_size bytes, an otaflow image of version) and
 * start nginx (worker_connections enough for max_connections). Returns false after printing
 * why; fleet_server_stop() is safe after it.
 */
bool fleet_server_start(fleet_server_t *s, uint32_t version, uint32_t image_size,
                        uint32_t max_connections);

/** Publish the manifest: the image's entry with "Rollout": percent (written to a temporary
 *  file, then renamed: nginx never serves half of it). */
bool fleet_server_publish(fleet_server_t *s, uint32_t percent);

/** Start or end an outage: every request gets 503 while it is on. */
bool fleet_server_outage(fleet_server_t *s, bool on);

/** Stop nginx (its log is complete then). */
void fleet_server_stop(fleet_server_t *s);

/** Read the access log (after stop): totals into *out, per-second server counts into stats
 *  (by each second's wall window). Returns false if the log cannot be read. */
bool fleet_server_read_log(const fleet_server_t *s, fleet_stats_t *stats,
                           fleet_server_log_t *out);

/** Remove the temporary directory (keep it with OTA_KEEP set). */
void fleet_server_cleanup(fleet_server_t *s);

#endif /* OTAFLOW_FLEET_SERVER_H */
