/* SPDX-License-Identifier: Apache-2.0 */
/* The fleet's nginx (see fleet_server.h). */
#include "fleet_server.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otaflow/crypto.h"
#include "store_fixture.h"

static bool fleet_server_fail(const char *what)
{
    fprintf(stderr, "fleet server: %s failed\n", what);
    return false;
}

static bool fleet_write_file(const char *path, const void *data, size_t len)
{
    char tmp[320];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (f == NULL) {
        return fleet_server_fail(tmp);
    }
    bool ok = fwrite(data, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    return (ok && rename(tmp, path) == 0) || fleet_server_fail(path);
}

static bool fleet_write_image(fleet_server_t *s)
{
    uint8_t *image = malloc(s->image_size);
    if (image == NULL) {
        return fleet_server_fail("malloc");
    }
    store_fixture_image(image, s->image_size, s->image_version);
    ota_sha256(image, s->image_size, s->image_digest);
    char path[320];
    snprintf(path, sizeof path, "%s/www/app_v%u.ota", s->dir, (unsigned)s->image_version);
    bool ok = fleet_write_file(path, image, s->image_size);
    free(image);
    return ok;
}

/* keepalive_timeout 0: nginx closes each connection after its response, as a CDN closes a
 * device's idle connection long before its next check (minutes of fake time later). */
static bool fleet_write_config(const fleet_server_t *s, uint16_t port, uint32_t max_connections)
{
    char path[320];
    snprintf(path, sizeof path, "%s/nginx.conf", s->dir);
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        return fleet_server_fail(path);
    }
    const char *d = s->dir;
    fprintf(f,
            "daemon off;\n"
            "worker_processes 1;\n"
            "worker_rlimit_nofile %u;\n"
            "pid %s/nginx.pid;\n"
            "error_log %s/error.log;\n"
            "events { worker_connections %u; }\n"
            "http {\n"
            "  log_format fleet '$msec $request_time $status $bytes_sent $connections_active "
            "$request_method $uri';\n"
            "  access_log %s/access.log fleet;\n"
            "  keepalive_timeout 0;\n"
            "  client_body_temp_path %s/tmp;\n"
            "  proxy_temp_path %s/tmp;\n"
            "  fastcgi_temp_path %s/tmp;\n"
            "  uwsgi_temp_path %s/tmp;\n"
            "  scgi_temp_path %s/tmp;\n"
            "  types { application/json json; application/octet-stream ota; }\n"
            "  server {\n"
            "    listen 127.0.0.1:%u;\n"
            "    root %s/www;\n"
            "    location / { if (-f %s/outage) { return 503; } }\n"
            "    location = /report { if (-f %s/outage) { return 503; } return 204; }\n"
            "  }\n"
            "}\n",
            (unsigned)(2u * max_connections + 256u), d, d, (unsigned)(max_connections + 64u), d,
            d, d, d, d, d, (unsigned)port, d, d, d);
    return fclose(f) == 0 || fleet_server_fail(path);
}

static bool fleet_nginx_start(fleet_server_t *s, uint32_t max_connections)
{
    for (int attempt = 0; attempt < 3; attempt++) {
        uint16_t port = test_server_closed_port();
        if (port == 0 || !fleet_write_config(s, port, max_connections)) {
            continue;
        }
        char cmd[700], errlog[320];
        /* nginx says nothing when it is ready: announce the port the way test_server wants. */
        snprintf(cmd, sizeof cmd, "echo 'nginx port %u'; exec nginx -p %s -c %s/nginx.conf",
                 (unsigned)port, s->dir, s->dir);
        snprintf(errlog, sizeof errlog, "%s/nginx-stderr.log", s->dir);
        char *argv[] = {"sh", "-c", cmd, NULL};
        if (test_server_start(&s->nginx, argv, NULL, errlog, "127.0.0.1", 10000)) {
            s->port = port;
            snprintf(s->base_url, sizeof s->base_url, "http://127.0.0.1:%u", (unsigned)port);
            snprintf(s->manifest_url, sizeof s->manifest_url, "%s/ota.json", s->base_url);
            snprintf(s->report_url, sizeof s->report_url, "%s/report", s->base_url);
            return true;
        }
    }
    return fleet_server_fail("starting nginx");
}

bool fleet_server_start(fleet_server_t *s, uint32_t version, uint32_t image_size,
                        uint32_t max_connections)
{
    memset(s, 0, sizeof *s);
    s->image_version = version;
    s->image_size = image_size;
    snprintf(s->dir, sizeof s->dir, "%s/otaflow-fleet-XXXXXX",
             getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(s->dir) == NULL) {
        s->dir[0] = '\0';
        return fleet_server_fail("mkdtemp");
    }
    chmod(s->dir, 0755); /* nginx's workers run as nobody when we are root */
    char sub[320];
    snprintf(sub, sizeof sub, "%s/www", s->dir);
    mkdir(sub, 0755);
    snprintf(sub, sizeof sub, "%s/tmp", s->dir);
    mkdir(sub, 0755);
    return fleet_write_image(s) && fleet_nginx_start(s, max_connections);
}

bool fleet_server_publish(fleet_server_t *s, uint32_t percent)
{
    char digest[2 * 32 + 1];
    for (unsigned i = 0; i < 32u; i++) {
        snprintf(digest + 2 * i, 3, "%02x", s->image_digest[i]);
    }
    char text[512], path[320];
    int n = snprintf(text, sizeof text,
                     "{\"ota\": [{\"Version\": %u, \"URL\": \"%s/app_v%u.ota\", "
                     "\"Digest\": \"%s\", \"Rollout\": %u}]}\n",
                     (unsigned)s->image_version, s->base_url, (unsigned)s->image_version, digest,
                     (unsigned)percent);
    snprintf(path, sizeof path, "%s/www/ota.json", s->dir);
    return fleet_write_file(path, text, (size_t)n);
}

bool fleet_server_outage(fleet_server_t *s, bool on)
{
    char path[320];
    snprintf(path, sizeof path, "%s/outage", s->dir);
    if (on) {
        return fleet_write_file(path, "outage\n", 7);
    }
    return unlink(path) == 0 || fleet_server_fail("ending the outage");
}

void fleet_server_stop(fleet_server_t *s)
{
    test_server_stop(&s->nginx);
}

/* The second a log line stamped wall_ms belongs to: the first whose wall window ends at or
 * after it (NULL if none). nginx stamps a line with the time it cached when its event loop
 * last woke, truncated to the millisecond: never after the request really ended, but possibly
 * a little before the window opened (windows are 2 ms apart, and nginx wakes up for the
 * connections of a window only once it has opened). */
static fleet_second_t *fleet_second_of(fleet_stats_t *stats, const uint32_t *busy, uint32_t n,
                                       int64_t wall_ms)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) { /* the first busy second whose window ends at or after wall_ms */
        uint32_t mid = lo + (hi - lo) / 2u;
        if (stats->seconds[busy[mid]].wall_end_ms < wall_ms) {
            lo = mid + 1u;
        } else {
            hi = mid;
        }
    }
    return lo < n ? &stats->seconds[busy[lo]] : NULL;
}

static void fleet_count_line(fleet_server_log_t *out, unsigned status, uint64_t bytes,
                             unsigned active, const char *uri, const fleet_server_t *s)
{
    char image_uri[64];
    snprintf(image_uri, sizeof image_uri, "/app_v%u.ota", (unsigned)s->image_version);
    out->lines++;
    out->by_status[status >= 100u && status < 600u ? status / 100u : 0u]++;
    out->ok_200 += status == 200u;
    out->partial_206 += status == 206u;
    out->not_modified_304 += status == 304u;
    out->no_content_204 += status == 204u;
    out->unavailable_503 += status == 503u;
    out->images += (status == 200u || status == 206u) && strcmp(uri, image_uri) == 0;
    out->bytes_sent += bytes;
    out->peak_active = active > out->peak_active ? active : out->peak_active;
}

bool fleet_server_read_log(const fleet_server_t *s, fleet_stats_t *stats,
                           fleet_server_log_t *out)
{
    memset(out, 0, sizeof *out);
    char path[320];
    snprintf(path, sizeof path, "%s/access.log", s->dir);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return fleet_server_fail(path);
    }
    uint32_t *busy = malloc(stats->count * sizeof *busy);
    uint32_t n = 0;
    for (uint32_t i = 0; busy != NULL && i < stats->count; i++) {
        if (stats->seconds[i].wall_end_ms != 0) {
            busy[n++] = i;
        }
    }
    char line[512];
    while (busy != NULL && fgets(line, sizeof line, f) != NULL) {
        double msec, request_time;
        unsigned status, active;
        uint64_t bytes;
        char method[16], uri[256];
        if (sscanf(line, "%lf %lf %u %" SCNu64 " %u %15s %255s", &msec, &request_time, &status,
                   &bytes, &active, method, uri) != 7) {
            continue;
        }
        fleet_count_line(out, status, bytes, active, uri, s);
        fleet_second_t *sec = fleet_second_of(stats, busy, n, (int64_t)(msec * 1000.0 + 0.5));
        if (sec == NULL) {
            out->unmapped++;
            continue;
        }
        sec->srv_requests++;
        sec->srv_errors += status >= 500u;
        sec->srv_bytes += bytes;
        sec->srv_peak_active = active > sec->srv_peak_active ? active : sec->srv_peak_active;
    }
    bool ok = busy != NULL;
    free(busy);
    fclose(f);
    return ok || fleet_server_fail("malloc");
}

void fleet_server_cleanup(fleet_server_t *s)
{
    if (s->dir[0] == '\0' || getenv("OTA_KEEP") != NULL) {
        return;
    }
    char cmd[320];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "fleet server: could not remove %s\n", s->dir);
    }
}
