/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The update agent against a hostile network: tests/faults/hostile_server.py on 127.0.0.1
 * misbehaves in one way per case (resets, short and long bodies, broken chunking, absurd
 * lengths and headers, non-HTTP answers, trickles and stalls, redirect loops, error statuses,
 * Range answered wrongly), or serves hostile content (wrong digest, an image larger than a slot,
 * hostile manifests, a manifest that changes between check and download).
 *
 * Each case runs one device (real socket transport, real clock, short timeouts, period 1 s,
 * strict RAM flash model under the store) and checks what a user would:
 *   - the failure is reported with the right event, module, status (and HTTP code);
 *   - nothing bad is stored: no slot STORED or INSTALLED, no install pending, store invariants;
 *   - no poll blocks (the slowest poll is measured) and the failure comes within a bound;
 *   - then the server behaves again and the same agent, at its next period and without any
 *     reset, stores and verifies the right image (resuming where the failed attempt stopped,
 *     for the cases that leave a usable part).
 * The cases run in 4 processes at once (FAULTS_WORKERS=n to change). FAULTS_VERBOSE=1 prints
 * each case's outcome; FAULTS_ONLY=<pattern> runs the matching cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent_harness.h"
#include "clock_posix.h"
#include "otaflow/agent.h"
#include "store_fixture.h"
#include "test_server.h"

#define RUNNING_VERSION 1u
#define NEW_VERSION 2u
#define IMAGE_SIZE (96u * 1024u)
#define BIGGER_THAN_SLOT (1024u * 1024u)
#define PERIOD_S 1u
#define CONNECT_MS 1000u
#define IDLE_MS 1000u
#define TOTAL_MS 8000u       /* no case may hold an attempt longer than this */
#define FAIL_WITHIN_MS 10000u
#define RECOVER_WITHIN_MS 10000u
#define LONGEST_POLL_MS 500u /* a poll that takes longer is a hang */
#define WORKERS 4u           /* processes running cases at once (FAULTS_WORKERS overrides) */
#define WORKERS_MAX 16u

static test_server_t server;
static agent_device_t *device; /* the running case's, freed by its teardown */

typedef enum target {
    ON_IMAGE,    /* the image fetch misbehaves (the manifest is served correctly) */
    ON_MANIFEST, /* the manifest fetch misbehaves */
} target_t;

typedef struct hostile_case hostile_case_t;
typedef void (*case_fn)(const hostile_case_t *c);

struct hostile_case {
    const char *name;         /* cmocka name, and the case's directory under www */
    const char *behaviour;    /* server behaviour; NULL: the files themselves are hostile */
    target_t target;
    ota_event_type_t event;   /* the failure reported; 0: valid HTTP, stored at once */
    ota_event_source_t source;
    int32_t status[3];        /* statuses accepted (0 ends the list) */
    uint16_t http_status;
    unsigned failures;        /* failures before the server is healed (0 = 1); the last one
                                 is checked */
    case_fn prepare;          /* writes hostile files (NULL: the good ones stay) */
    bool heals_itself;        /* the next attempt succeeds with no change on the server */
    bool resumes;             /* the attempt that succeeds continues the failed one */
    bool starts_over;         /* the attempt that succeeds starts from byte 0 */
    uint32_t stored_version;  /* what is stored in the end (0 = NEW_VERSION) */
    uint32_t idle_ms;         /* 0 = IDLE_MS */
    uint32_t total_ms;        /* 0 = TOTAL_MS */
};

/* ---- files the server serves ------------------------------------------------------------- */

static void case_path(char *out, size_t cap, const hostile_case_t *c, const char *file)
{
    snprintf(out, cap, "%s/%s/%s", harness_www, c->name, file);
}

static void base_url(char *out, size_t cap)
{
    snprintf(out, cap, "http://127.0.0.1:%u", (unsigned)server.port);
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void write_text(const char *path, const char *text)
{
    write_file(path, text, strlen(text));
}

/* An image of `size` bytes for version into the case's `file`; its file digest in hex. */
static void write_image(const hostile_case_t *c, const char *file, uint32_t version,
                        size_t size, char digest_hex[65])
{
    uint8_t *img = malloc(size);
    assert_non_null(img);
    store_fixture_image(img, size, version);
    char path[512];
    case_path(path, sizeof path, c, file);
    write_file(path, img, size);
    uint8_t dg[OTA_SHA256_SIZE];
    ota_sha256(img, size, dg);
    for (unsigned i = 0; i < OTA_SHA256_SIZE; i++) {
        snprintf(digest_hex + 2 * i, 3, "%02x", dg[i]);
    }
    free(img);
}

/* URL of the case's image: through the behaviour when the image fetch misbehaves. */
static void image_url(char *out, size_t cap, const hostile_case_t *c)
{
    char base[64];
    base_url(base, sizeof base);
    if (c->behaviour != NULL && c->target == ON_IMAGE) {
        snprintf(out, cap, "%s/%s/%s/app.ota", base, c->behaviour, c->name);
    } else {
        snprintf(out, cap, "%s/%s/app.ota", base, c->name);
    }
}

/* A one-entry manifest for version at the case's image URL, with `extra` fields. */
static void manifest_text(char *out, size_t cap, const hostile_case_t *c, uint32_t version,
                          const char *digest_hex, const char *extra)
{
    char url[256];
    image_url(url, sizeof url, c);
    snprintf(out, cap, "{\"ota\":[{\"Version\":%u,\"URL\":\"%s\",\"Digest\":\"%s\"%s}]}\n",
             version, url, digest_hex, extra);
}

/* What a well-run server publishes: app.ota (NEW_VERSION) and the manifest describing it. */
static void publish_good(const hostile_case_t *c)
{
    char dir[400], hex[65], text[1024], path[512];
    snprintf(dir, sizeof dir, "%s/%s", harness_www, c->name);
    mkdir(dir, 0755);
    write_image(c, "app.ota", NEW_VERSION, IMAGE_SIZE, hex);
    manifest_text(text, sizeof text, c, NEW_VERSION, hex, "");
    case_path(path, sizeof path, c, "ota.json");
    write_text(path, text);
}

static void write_manifest(const hostile_case_t *c, const char *text)
{
    char path[512];
    case_path(path, sizeof path, c, "ota.json");
    write_text(path, text);
}

static void healed_flag(char *out, size_t cap, const char *behaviour)
{
    snprintf(out, cap, "%s/_healed/%s", harness_www, behaviour);
}

/* The server misbehaves again for this behaviour (another case may have healed it). */
static void unheal(const hostile_case_t *c)
{
    if (c->behaviour != NULL) {
        char flag[512];
        healed_flag(flag, sizeof flag, c->behaviour);
        unlink(flag);
    }
}

/* The server behaves again: the behaviour is switched off, the content is the good one. */
static void heal(const hostile_case_t *c)
{
    if (c->behaviour != NULL) {
        char flag[512];
        healed_flag(flag, sizeof flag, c->behaviour);
        write_text(flag, "");
    }
    publish_good(c);
}

/* Number of requests the server logged for this behaviour with a Range header. */
static unsigned range_requests(const hostile_case_t *c)
{
    char path[512];
    snprintf(path, sizeof path, "%s/_log/%s", harness_www, c->behaviour);
    size_t len;
    uint8_t *log = harness_read_file(path, &len);
    unsigned n = 0;
    for (const char *p = (const char *)log; (p = strstr(p, "range=bytes=")) != NULL; p++) {
        n++;
    }
    free(log);
    return n;
}

/* ---- hostile content ---------------------------------------------------------------------- */

/* The manifest's Digest is another image's. */
static void prepare_wrong_digest(const hostile_case_t *c)
{
    char hex[65], text[1024];
    write_image(c, "other.ota", NEW_VERSION + 7u, IMAGE_SIZE, hex);
    manifest_text(text, sizeof text, c, NEW_VERSION, hex, "");
    write_manifest(c, text);
}

/* A valid image (and a manifest describing it truthfully) that is larger than a slot. */
static void prepare_bigger_than_slot(const hostile_case_t *c)
{
    char hex[65], text[1024];
    write_image(c, "app.ota", NEW_VERSION, BIGGER_THAN_SLOT, hex);
    manifest_text(text, sizeof text, c, NEW_VERSION, hex, "");
    write_manifest(c, text);
}

/* The manifest's Size says one thing, the server's Content-Length another. */
static void prepare_size_differs(const hostile_case_t *c)
{
    char hex[65], text[1024], extra[64];
    write_image(c, "app.ota", NEW_VERSION, IMAGE_SIZE, hex);
    snprintf(extra, sizeof extra, ",\"Size\":%u", IMAGE_SIZE + 4096u);
    manifest_text(text, sizeof text, c, NEW_VERSION, hex, extra);
    write_manifest(c, text);
}

/* The manifest announces a Size no slot can take. */
static void prepare_size_over_slot(const hostile_case_t *c)
{
    char hex[65], text[1024], extra[64];
    write_image(c, "app.ota", NEW_VERSION, IMAGE_SIZE, hex);
    snprintf(extra, sizeof extra, ",\"Size\":%u", BIGGER_THAN_SLOT);
    manifest_text(text, sizeof text, c, NEW_VERSION, hex, extra);
    write_manifest(c, text);
}

/* Valid JSON, hostile manifests. Each builder writes into a buffer it allocates. */
static char *grow(size_t size)
{
    char *s = malloc(size);
    assert_non_null(s);
    s[0] = '\0';
    return s;
}

static void prepare_10000_entries(const hostile_case_t *c)
{
    char *s = grow(10000u * 64u + 64u);
    size_t n = (size_t)sprintf(s, "{\"ota\":[");
    for (unsigned i = 0; i < 10000u; i++) {
        n += (size_t)sprintf(s + n, "%s{\"Version\":%u,\"EraseVer\":true}", i ? "," : "",
                             i + 10u);
    }
    sprintf(s + n, "]}\n");
    write_manifest(c, s);
    free(s);
}

/* As many entries as fit the 4 KB the agent accepts. */
static void prepare_entries_to_the_limit(const hostile_case_t *c)
{
    char *s = grow(OTA_MANIFEST_MAX_SIZE_DEFAULT + 64u);
    size_t n = (size_t)sprintf(s, "{\"ota\":[");
    for (unsigned i = 0; n + 40u < OTA_MANIFEST_MAX_SIZE_DEFAULT; i++) {
        n += (size_t)sprintf(s + n, "%s{\"Version\":%u,\"EraseVer\":true}", i ? "," : "",
                             i + 10u);
    }
    sprintf(s + n, "]}");
    write_manifest(c, s);
    free(s);
}

static void prepare_url_64k(const hostile_case_t *c)
{
    char *s = grow(70000u);
    size_t n = (size_t)sprintf(s, "{\"ota\":[{\"Version\":2,\"URL\":\"http://127.0.0.1/");
    memset(s + n, 'a', 65536u);
    n += 65536u;
    sprintf(s + n, "\",\"Digest\":\"%064d\"}]}", 0);
    write_manifest(c, s);
    free(s);
}

/* A URL just over the parser's limit: small enough to be read, too long to be used. */
static void prepare_url_over_limit(const hostile_case_t *c)
{
    char *s = grow(1024u);
    size_t n = (size_t)sprintf(s, "{\"ota\":[{\"Version\":2,\"URL\":\"http://127.0.0.1/");
    memset(s + n, 'a', OTA_MANIFEST_URL_MAX);
    n += OTA_MANIFEST_URL_MAX;
    sprintf(s + n, "\",\"Digest\":\"%064d\"}]}", 0);
    write_manifest(c, s);
    free(s);
}

static void prepare_nesting_1000(const hostile_case_t *c)
{
    char *s = grow(2100u + 32u);
    size_t n = (size_t)sprintf(s, "{\"ota\":");
    for (int i = 0; i < 1000; i++) {
        s[n++] = '[';
    }
    for (int i = 0; i < 1000; i++) {
        s[n++] = ']';
    }
    sprintf(s + n, "}");
    write_manifest(c, s);
    free(s);
}

static void prepare_version_past_2_63(const hostile_case_t *c)
{
    char hex[65], text[1024];
    write_image(c, "app.ota", NEW_VERSION, IMAGE_SIZE, hex);
    manifest_text(text, sizeof text, c, NEW_VERSION, hex, "");
    /* Version 2 becomes 2^63 + 2: what a parser storing it in int64 or uint32 would wrap. */
    char *v = strstr(text, "\"Version\":2");
    assert_non_null(v);
    char fixed[1100];
    snprintf(fixed, sizeof fixed, "%.*s\"Version\":9223372036854775810%s", (int)(v - text), text,
             v + strlen("\"Version\":2"));
    write_manifest(c, fixed);
}

static void prepare_size_past_2_64(const hostile_case_t *c)
{
    char hex[65], text[1024];
    write_image(c, "app.ota", NEW_VERSION, IMAGE_SIZE, hex);
    manifest_text(text, sizeof text, c, NEW_VERSION, hex, ",\"Size\":18446744073709649920");
    write_manifest(c, text);
}

/* Right after this device has read the manifest, the operator replaces the image at the same
 * URL by version 3 and then publishes the manifest for it (the server's "swap" behaviour moves
 * www/next/<case>/ into place once the manifest has been served). */
static void prepare_swap(const hostile_case_t *c)
{
    char dir[400], hex[65], text[1024], src[512], dst[512];
    snprintf(dir, sizeof dir, "%s/next", harness_www);
    mkdir(dir, 0755);
    snprintf(dir, sizeof dir, "%s/next/%s", harness_www, c->name);
    mkdir(dir, 0755);
    write_image(c, "v3.ota", NEW_VERSION + 1u, IMAGE_SIZE, hex);
    case_path(src, sizeof src, c, "v3.ota");
    snprintf(dst, sizeof dst, "%s/app.ota", dir);
    assert_int_equal(rename(src, dst), 0);
    manifest_text(text, sizeof text, c, NEW_VERSION + 1u, hex, "");
    snprintf(dst, sizeof dst, "%s/ota.json", dir);
    write_text(dst, text);
}

/* The image at the URL is replaced in the middle of a download (the server's "swap-mid-body"
 * behaviour cuts the body, then publishes www/next/<case>/): by another build of the same
 * version, with the manifest updated too when `with_manifest`. */
static void publish_next_build(const hostile_case_t *c, bool with_manifest)
{
    char dir[400], hex[65], text[1024], src[512], dst[512];
    snprintf(dir, sizeof dir, "%s/next", harness_www);
    mkdir(dir, 0755);
    snprintf(dir, sizeof dir, "%s/next/%s", harness_www, c->name);
    mkdir(dir, 0755);
    /* Same version, other bytes: a rebuild with a different size. */
    write_image(c, "rebuild.ota", NEW_VERSION, IMAGE_SIZE + 4096u, hex);
    case_path(src, sizeof src, c, "rebuild.ota");
    snprintf(dst, sizeof dst, "%s/app.ota", dir);
    assert_int_equal(rename(src, dst), 0);
    if (with_manifest) {
        manifest_text(text, sizeof text, c, NEW_VERSION, hex, "");
        snprintf(dst, sizeof dst, "%s/ota.json", dir);
        write_text(dst, text);
    }
}

static void prepare_rebuild_with_manifest(const hostile_case_t *c)
{
    publish_next_build(c, true);
}

static void prepare_rebuild_image_only(const hostile_case_t *c)
{
    publish_next_build(c, false);
}

/* ---- the run ------------------------------------------------------------------------------- */

static bool status_accepted(const hostile_case_t *c, int32_t status)
{
    for (size_t i = 0; i < 3 && c->status[i] != 0; i++) {
        if (c->status[i] == status) {
            return true;
        }
    }
    return false;
}

static void manifest_url(char *out, size_t cap, const hostile_case_t *c)
{
    char base[64];
    base_url(base, sizeof base);
    if (c->behaviour != NULL && c->target == ON_MANIFEST) {
        snprintf(out, cap, "%s/%s/%s/ota.json", base, c->behaviour, c->name);
    } else {
        snprintf(out, cap, "%s/%s/ota.json", base, c->name);
    }
}

static void expect_failure(const hostile_case_t *c, agent_device_t *d, size_t nth)
{
    const ota_event_t *e = event_log_failure(&d->log, nth);
    assert_non_null(e);
    if (getenv("FAULTS_VERBOSE") != NULL || e->type != c->event || e->source != c->source ||
        !status_accepted(c, e->status) || e->http_status != c->http_status) {
        fprintf(stderr, "faults: %s: %s: %s (source %d, status %d, http %u)\n", c->name,
                ota_event_type_str(e->type), e->reason, (int)e->source, (int)e->status,
                (unsigned)e->http_status);
    }
    assert_int_equal(e->type, c->event);
    assert_int_equal(e->source, c->source);
    assert_true(status_accepted(c, e->status));
    assert_int_equal(e->http_status, c->http_status);
    assert_non_null(e->reason);
    assert_true(strlen(e->reason) > 0);
}

static void run_case(void **state)
{
    const hostile_case_t *c = *state;
    uint32_t t0 = ota_posix_now_ms();
    unheal(c);
    publish_good(c);
    if (c->prepare != NULL) {
        c->prepare(c);
    }

    char murl[256], path[512];
    manifest_url(murl, sizeof murl, c);
    agent_device_t *d = device = agent_device_new();
    ota_agent_config_t cfg;
    agent_device_config(d, &cfg, murl, RUNNING_VERSION, PERIOD_S);
    cfg.connect_timeout_ms = CONNECT_MS;
    cfg.idle_timeout_ms = c->idle_ms != 0u ? c->idle_ms : IDLE_MS;
    cfg.total_timeout_ms = c->total_ms != 0u ? c->total_ms : TOTAL_MS;
    assert_int_equal(agent_device_start(d, &cfg), OTA_AGENT_OK);

    uint32_t stored_version = c->stored_version != 0u ? c->stored_version : NEW_VERSION;
    case_path(path, sizeof path, c, "app.ota");

    if (c->event == 0) {
        /* Unusual but valid HTTP: stored at the first attempt. */
        assert_true(agent_device_run_until(d, OTA_EVT_IMAGE_STORED, 1, RECOVER_WITHIN_MS));
        assert_int_equal(event_log_failures(&d->log), 0);
    } else {
        unsigned failures = c->failures != 0u ? c->failures : 1u;
        assert_true(agent_device_run_until_failures(d, failures, FAIL_WITHIN_MS));
        expect_failure(c, d, failures - 1u);
        /* Nothing of the bad answer is kept as an image, nothing is to be installed. */
        assert_int_equal(event_log_count(&d->log, OTA_EVT_IMAGE_STORED), 0);
        assert_int_equal(event_log_count(&d->log, OTA_EVT_RESET_PENDING), 0);
        assert_int_equal(agent_device_nothing_stored(d), 0);
        assert_int_equal(ota_agent_state(&d->agent), OTA_AGENT_IDLE);

        /* The server behaves again: the same agent succeeds at its next period. */
        if (!c->heals_itself) {
            heal(c);
        }
        assert_true(agent_device_run_until(d, OTA_EVT_IMAGE_STORED, 1, RECOVER_WITHIN_MS));
        assert_int_equal(event_log_failures(&d->log), failures);
    }
    assert_int_equal(event_log_last(&d->log, OTA_EVT_IMAGE_STORED)->version, stored_version);
    assert_int_equal(agent_device_slot_is_file(d, stored_version, path), 0);
    assert_int_equal(ota_store_boot(&d->fx->store)->state, OTA_BOOT_INSTALL_PENDING);
    assert_int_equal(event_log_count(&d->log, OTA_EVT_RESET_PENDING), 1);
    assert_int_equal(store_fixture_check_invariants(d->fx), 0);
    if (c->resumes) {
        const ota_event_t *started = event_log_last(&d->log, OTA_EVT_DOWNLOAD_STARTED);
        assert_true(started->bytes > 0u);
        assert_true(range_requests(c) >= 1u);
    }
    if (c->starts_over) {
        assert_int_equal(event_log_last(&d->log, OTA_EVT_DOWNLOAD_STARTED)->bytes, 0);
    }
    assert_true(d->longest_poll_ms < LONGEST_POLL_MS);
    if (getenv("FAULTS_VERBOSE") != NULL) {
        fprintf(stderr, "faults: %s: stored v%u after %u ms, slowest poll %u ms\n", c->name,
                stored_version, ota_posix_now_ms() - t0, d->longest_poll_ms);
    }
}

static int free_device(void **state)
{
    (void)state;
    if (device != NULL) {
        agent_device_free(device);
        device = NULL;
    }
    return 0;
}

/* ---- the cases ---------------------------------------------------------------------------- */

#define HTTP_FAIL(evt, ...) .event = (evt), .source = OTA_SRC_HTTP, .status = { __VA_ARGS__ }
#define DL(...) HTTP_FAIL(OTA_EVT_DOWNLOAD_FAILED, __VA_ARGS__)
#define CHK(...) HTTP_FAIL(OTA_EVT_CHECK_FAILED, __VA_ARGS__)

static const hostile_case_t cases[] = {
    /* The image fetch misbehaves. */
    {"reset_mid_header", "reset-header", ON_IMAGE, DL(OTA_HTTP_ERR_RESET, OTA_HTTP_ERR_CLOSED)},
    {"reset_mid_body", "reset-body", ON_IMAGE, DL(OTA_HTTP_ERR_RESET, OTA_HTTP_ERR_BODY_SHORT)},
    {"body_shorter_than_length", "short-body", ON_IMAGE, DL(OTA_HTTP_ERR_BODY_SHORT),
     .resumes = true},
    {"body_longer_than_length", "long-body", ON_IMAGE, DL(OTA_HTTP_ERR_BODY_LONG)},
    {"no_length_then_close", "no-length-close", ON_IMAGE, .event = 0},
    {"no_length_truncated", "no-length-truncated", ON_IMAGE, .event = OTA_EVT_VERIFY_FAILED,
     .source = OTA_SRC_STORE, .status = {OTA_STORE_ERR_DIGEST}},
    {"chunk_size_not_hex", "chunk-size-hex", ON_IMAGE, DL(OTA_HTTP_ERR_MALFORMED)},
    {"chunk_size_overflow", "chunk-size-overflow", ON_IMAGE, DL(OTA_HTTP_ERR_MALFORMED)},
    {"chunk_size_negative", "chunk-size-negative", ON_IMAGE, DL(OTA_HTTP_ERR_MALFORMED)},
    {"chunk_longer_than_size", "chunk-longer-than-size", ON_IMAGE, DL(OTA_HTTP_ERR_MALFORMED)},
    {"content_length_5gb", "length-5gb", ON_IMAGE, .event = OTA_EVT_DOWNLOAD_FAILED,
     .source = OTA_SRC_STORE, .status = {OTA_STORE_ERR_TOO_LARGE}},
    {"headers_64k", "headers-64k", ON_IMAGE, DL(OTA_HTTP_ERR_HEADERS_TOO_LARGE)},
    {"header_line_64k", "header-line-64k", ON_IMAGE, DL(OTA_HTTP_ERR_HEADERS_TOO_LARGE)},
    {"header_line_without_crlf", "header-no-crlf", ON_IMAGE, DL(OTA_HTTP_ERR_CLOSED)},
    {"lines_ending_in_lf_only", "lf-only", ON_IMAGE, .event = 0},
    {"status_line_ssh_banner", "status-ssh", ON_IMAGE, DL(OTA_HTTP_ERR_MALFORMED)},
    {"status_line_binary", "status-binary", ON_IMAGE, DL(OTA_HTTP_ERR_MALFORMED)},
    {"status_line_missing_http09", "status-http09", ON_IMAGE, DL(OTA_HTTP_ERR_MALFORMED)},
    {"status_code_not_digits", "status-bad-code", ON_IMAGE, DL(OTA_HTTP_ERR_MALFORMED)},
    {"status_line_http_9_9", "status-version", ON_IMAGE, DL(OTA_HTTP_ERR_MALFORMED)},
    {"one_byte_per_second", "trickle", ON_IMAGE, DL(OTA_HTTP_ERR_TIMEOUT_TOTAL),
     .idle_ms = 2500, .total_ms = 3000},
    {"stall_after_headers", "stall-headers", ON_IMAGE, DL(OTA_HTTP_ERR_TIMEOUT_IDLE)},
    {"stall_mid_body", "stall-body", ON_IMAGE, DL(OTA_HTTP_ERR_TIMEOUT_IDLE), .resumes = true},
    {"redirect_loop", "redirect-loop", ON_IMAGE, DL(OTA_HTTP_ERR_TOO_MANY_REDIRECTS)},
    {"redirect_to_closed_port", "redirect-closed", ON_IMAGE, DL(OTA_HTTP_ERR_REFUSED)},
    {"redirect_to_ftp", "redirect-ftp", ON_IMAGE, DL(OTA_HTTP_ERR_REDIRECT_BAD_LOCATION)},
    {"endless_100_continue", "endless-interim", ON_IMAGE, DL(OTA_HTTP_ERR_TIMEOUT_TOTAL),
     .total_ms = 3000},
    {"status_500", "status-500", ON_IMAGE, DL(OTA_HTTP_ERR_STATUS), .http_status = 500},
    {"status_503", "status-503", ON_IMAGE, DL(OTA_HTTP_ERR_STATUS), .http_status = 503},
    {"range_answered_200_whole_file", "range-200", ON_IMAGE, DL(OTA_HTTP_ERR_BODY_SHORT),
     .heals_itself = true, .resumes = true},
    {"range_answered_wrong_content_range", "range-wrong", ON_IMAGE, DL(OTA_HTTP_ERR_RANGE),
     .failures = 2, .resumes = true},

    /* The content is hostile. */
    {"wrong_digest", NULL, ON_IMAGE, .event = OTA_EVT_VERIFY_FAILED, .source = OTA_SRC_STORE,
     .status = {OTA_STORE_ERR_DIGEST}, .prepare = prepare_wrong_digest},
    {"image_bigger_than_slot", NULL, ON_IMAGE, .event = OTA_EVT_DOWNLOAD_FAILED,
     .source = OTA_SRC_STORE, .status = {OTA_STORE_ERR_TOO_LARGE},
     .prepare = prepare_bigger_than_slot},
    {"manifest_size_differs_from_server", NULL, ON_IMAGE, .event = OTA_EVT_DOWNLOAD_FAILED,
     .source = OTA_SRC_AGENT, .status = {OTA_AGENT_ERR_SIZE}, .prepare = prepare_size_differs},
    {"manifest_size_bigger_than_slot", NULL, ON_IMAGE, .event = OTA_EVT_DOWNLOAD_FAILED,
     .source = OTA_SRC_STORE, .status = {OTA_STORE_ERR_TOO_LARGE},
     .prepare = prepare_size_over_slot},
    {"manifest_10000_entries", NULL, ON_MANIFEST, .event = OTA_EVT_CHECK_FAILED,
     .source = OTA_SRC_AGENT, .status = {OTA_AGENT_ERR_MANIFEST_TOO_LARGE},
     .prepare = prepare_10000_entries},
    {"manifest_entries_to_size_limit", NULL, ON_MANIFEST, .event = OTA_EVT_CHECK_FAILED,
     .source = OTA_SRC_MANIFEST,
     .status = {OTA_MANIFEST_ERR_TOO_MANY_ERASE},
     .prepare = prepare_entries_to_the_limit},
    {"manifest_url_64k", NULL, ON_MANIFEST, .event = OTA_EVT_CHECK_FAILED,
     .source = OTA_SRC_AGENT, .status = {OTA_AGENT_ERR_MANIFEST_TOO_LARGE},
     .prepare = prepare_url_64k},
    {"manifest_url_over_limit", NULL, ON_MANIFEST, .event = OTA_EVT_CHECK_FAILED,
     .source = OTA_SRC_MANIFEST, .status = {OTA_MANIFEST_ERR_URL_TOO_LONG},
     .prepare = prepare_url_over_limit},
    {"manifest_nesting_1000", NULL, ON_MANIFEST, .event = OTA_EVT_CHECK_FAILED,
     .source = OTA_SRC_MANIFEST,
     .status = {OTA_MANIFEST_ERR_TOO_DEEP},
     .prepare = prepare_nesting_1000},
    {"manifest_version_past_2_63", NULL, ON_MANIFEST, .event = OTA_EVT_CHECK_FAILED,
     .source = OTA_SRC_MANIFEST, .status = {OTA_MANIFEST_ERR_VERSION},
     .prepare = prepare_version_past_2_63},
    {"manifest_size_past_2_64", NULL, ON_MANIFEST, .event = OTA_EVT_CHECK_FAILED,
     .source = OTA_SRC_MANIFEST, .status = {OTA_MANIFEST_ERR_SIZE},
     .prepare = prepare_size_past_2_64},
    {"manifest_changed_before_download", "swap", ON_MANIFEST, .event = OTA_EVT_VERIFY_FAILED,
     .source = OTA_SRC_STORE, .status = {OTA_STORE_ERR_DIGEST}, .prepare = prepare_swap,
     .heals_itself = true, .stored_version = NEW_VERSION + 1u},
    {"image_replaced_during_download", "swap-mid-body", ON_IMAGE, DL(OTA_HTTP_ERR_BODY_SHORT),
     .prepare = prepare_rebuild_with_manifest, .heals_itself = true, .starts_over = true},
    {"image_replaced_before_resume", "swap-mid-body", ON_IMAGE, .event = OTA_EVT_VERIFY_FAILED,
     .source = OTA_SRC_STORE, .status = {OTA_STORE_ERR_DIGEST}, .failures = 2,
     .prepare = prepare_rebuild_image_only, .starts_over = true},

    /* The manifest fetch misbehaves. */
    {"manifest_reset_mid_header", "reset-header", ON_MANIFEST,
     CHK(OTA_HTTP_ERR_RESET, OTA_HTTP_ERR_CLOSED)},
    {"manifest_body_short", "short-body", ON_MANIFEST, CHK(OTA_HTTP_ERR_BODY_SHORT)},
    {"manifest_no_length_truncated", "no-length-truncated", ON_MANIFEST,
     .event = OTA_EVT_CHECK_FAILED, .source = OTA_SRC_MANIFEST,
     .status = {OTA_MANIFEST_ERR_JSON}},
    {"manifest_content_length_5gb", "length-5gb", ON_MANIFEST, .event = OTA_EVT_CHECK_FAILED,
     .source = OTA_SRC_AGENT, .status = {OTA_AGENT_ERR_MANIFEST_TOO_LARGE}},
    {"manifest_headers_64k", "headers-64k", ON_MANIFEST, CHK(OTA_HTTP_ERR_HEADERS_TOO_LARGE)},
    {"manifest_status_line_binary", "status-binary", ON_MANIFEST, CHK(OTA_HTTP_ERR_MALFORMED)},
    {"manifest_stall_after_headers", "stall-headers", ON_MANIFEST,
     CHK(OTA_HTTP_ERR_TIMEOUT_IDLE)},
    {"manifest_redirect_loop", "redirect-loop", ON_MANIFEST,
     CHK(OTA_HTTP_ERR_TOO_MANY_REDIRECTS)},
    {"manifest_status_503", "status-503", ON_MANIFEST, CHK(OTA_HTTP_ERR_STATUS),
     .http_status = 503},
};

#define N_CASES (sizeof cases / sizeof cases[0])

/* ---- group fixture ------------------------------------------------------------------------ */

static int start_server(void **state)
{
    if (harness_setup_dir(state) != 0) {
        return -1;
    }
    char script[512], errlog[400];
    snprintf(script, sizeof script, "%s/tests/faults/hostile_server.py", test_source_dir());
    snprintf(errlog, sizeof errlog, "%s/server-stderr.log", harness_tmpdir);
    char *argv[] = {test_python(), "-u", script, "--dir", harness_www, NULL};
    return test_server_start(&server, argv, NULL, errlog, "127.0.0.1", 10000) ? 0 : -1;
}

static int stop_server(void **state)
{
    test_server_stop(&server);
    return harness_teardown_dir(state);
}

/* Run every workers-th case starting at `worker`, with a server of its own (cases share
 * behaviours, heal flags and www/next/, so workers must not share a server). */
static int run_share(unsigned worker, unsigned workers)
{
    struct CMUnitTest tests[N_CASES];
    memset(tests, 0, sizeof tests);
    size_t n = 0;
    for (size_t i = worker; i < N_CASES; i += workers) {
        tests[n].name = cases[i].name;
        tests[n].test_func = run_case;
        tests[n].teardown_func = free_device;
        tests[n].initial_state = (void *)&cases[i];
        n++;
    }
    if (getenv("FAULTS_ONLY") != NULL) {
        cmocka_set_test_filter(getenv("FAULTS_ONLY")); /* e.g. FAULTS_ONLY='manifest_*' */
    }
    char group[64];
    snprintf(group, sizeof group, "faults_hostile_network %u/%u", worker + 1u, workers);
    return _cmocka_run_group_tests(group, tests, n, start_server, stop_server);
}

/* Most of a case's time is waiting (for the next period, for a timeout), so the cases run in
 * WORKERS processes at once; each writes to its own log, printed when all are done. */
int main(void)
{
    unsigned workers = WORKERS;
    const char *env = getenv("FAULTS_WORKERS");
    if (env != NULL && atoi(env) > 0) {
        workers = (unsigned)atoi(env);
    }
    if (workers <= 1u) {
        return run_share(0, 1);
    }
    pid_t pids[WORKERS_MAX];
    char logs[WORKERS_MAX][64];
    workers = workers < WORKERS_MAX ? workers : WORKERS_MAX;
    fflush(NULL);
    for (unsigned k = 0; k < workers; k++) {
        snprintf(logs[k], sizeof logs[k], "/tmp/otaflow-faults-log-XXXXXX");
        int fd = mkstemp(logs[k]);
        assert_true(fd >= 0);
        pids[k] = fork();
        assert_true(pids[k] >= 0);
        if (pids[k] == 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
            exit(run_share(k, workers));
        }
        close(fd);
    }
    int failed = 0;
    for (unsigned k = 0; k < workers; k++) {
        int status = 0;
        waitpid(pids[k], &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            failed = 1;
        }
        size_t len;
        uint8_t *out = test_read_file(logs[k], &len);
        if (out != NULL) {
            fwrite(out, 1, len, stdout);
            free(out);
        }
        unlink(logs[k]);
    }
    printf("faults_hostile_network: %zu cases in %u processes: %s\n", N_CASES, workers,
           failed ? "FAILED" : "all passed");
    return failed;
}
