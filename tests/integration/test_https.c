/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent over https against nginx with TLS on 127.0.0.1, with a CA and certificates the
 * test makes with openssl (tests/support/make_test_pki.sh, EC P-256): a valid chain downloads
 * and stores; a wrong host name, an expired certificate, an unknown CA, a self-signed server,
 * a pin mismatch and a server that does not speak TLS each fail with their own name and store
 * nothing; require_tls refuses plain http; an IP-address URL (IPv4 and IPv6) works against a
 * certificate that names that address, and only then. Last, the heap mbedTLS uses for one
 * update.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent_harness.h"

enum { GOOD, WRONGNAME, EXPIRED, UNKNOWNCA, SELFSIGNED, IPCERT, PLAIN, N_SERVERS };
static const char *const cert_of[N_SERVERS] = {"good", "wrongname", "expired", "unknownca",
                                               "selfsigned", "ip", NULL};
static uint16_t ports[N_SERVERS];
static test_server_t nginx;
static char pki[320];

/* ---- fixture: PKI, one nginx with a server per certificate, images ----------------------- */

static int setup(void **state)
{
    if (harness_setup_dir(state) != 0) {
        return -1;
    }
    snprintf(pki, sizeof pki, "%s/pki", harness_tmpdir);
    harness_sh("mkdir -p %s && bash %s/tests/support/make_test_pki.sh %s", pki, test_source_dir(),
               pki);
    static char servers[6000];
    size_t n = 0;
    for (int i = 0; i < N_SERVERS; i++) {
        do {
            ports[i] = test_server_closed_port();
            for (int j = 0; j < i; j++) {
                ports[i] = ports[i] == ports[j] ? 0 : ports[i];
            }
        } while (ports[i] == 0);
    }
    for (int i = 0; i < N_SERVERS; i++) {
        n += (size_t)snprintf(servers + n, sizeof servers - n,
                              "  server {\n    listen 127.0.0.1:%u%s;\n    root %s;\n",
                              (unsigned)ports[i], cert_of[i] != NULL ? " ssl" : "", harness_www);
        if (i == IPCERT) {
            n += (size_t)snprintf(servers + n, sizeof servers - n, "    listen [::1]:%u ssl;\n",
                                  (unsigned)ports[i]);
        }
        if (cert_of[i] != NULL) {
            n += (size_t)snprintf(servers + n, sizeof servers - n,
                                  "    ssl_certificate %s/%s.pem;\n"
                                  "    ssl_certificate_key %s/%s.key;\n",
                                  pki, cert_of[i], pki, cert_of[i]);
        }
        /* From https down to plain http: what require_tls must not follow. */
        n += (size_t)snprintf(servers + n, sizeof servers - n,
                              "    location = /down/app_v2.ota { return 302 "
                              "http://localhost:%u/app_v2.ota; }\n  }\n",
                              (unsigned)ports[PLAIN]);
    }
    harness_nginx_start(&nginx, ports[GOOD], servers);
    harness_pack(2, 120000);
    return 0;
}

static int teardown(void **state)
{
    test_server_stop(&nginx);
    return harness_teardown_dir(state);
}

/* ---- helpers ----------------------------------------------------------------------------- */

static void base_of(char *out, size_t cap, int server)
{
    snprintf(out, cap, "%s://localhost:%u", server == PLAIN ? "http" : "https",
             (unsigned)ports[server]);
}

/* ota.json on the good server, announcing v2 at path on `server`; murl receives its URL. */
static void announce(char *murl, size_t cap, int server, const char *path)
{
    char base[64], good[64];
    base_of(base, sizeof base, server);
    base_of(good, sizeof good, GOOD);
    harness_manifest_reset();
    harness_manifest_add(2, base, path, "app_v2.ota", false);
    snprintf(murl, cap, "%s/ota.json", good);
}

static void read_pin(const char *name, uint8_t pin[OTA_TLS_PIN_SIZE])
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", pki, name);
    size_t len;
    uint8_t *hex = harness_read_file(path, &len);
    assert_true(len >= 2u * OTA_TLS_PIN_SIZE);
    for (size_t i = 0; i < OTA_TLS_PIN_SIZE; i++) {
        unsigned byte;
        assert_int_equal(sscanf((const char *)hex + 2 * i, "%2x", &byte), 1);
        pin[i] = (uint8_t)byte;
    }
    free(hex);
}

/* The CA bundle as the device holds it: a PEM buffer with its final NUL. */
static void tls_config(ota_tls_config_t *c, uint8_t **ca_pem)
{
    char path[400];
    snprintf(path, sizeof path, "%s/ca.pem", pki);
    size_t len;
    *ca_pem = harness_read_file(path, &len);
    ota_tls_config_default(c);
    c->ca = *ca_pem;
    c->ca_len = len + 1u;
}

/* A device trusting ca.pem (pinned to pin_file when given), started on murl. */
static agent_device_t *tls_device(const char *murl, const char *pin_file, bool require_tls)
{
    agent_device_t *d = agent_device_new();
    ota_tls_config_t c;
    uint8_t *ca_pem;
    tls_config(&c, &ca_pem);
    if (pin_file != NULL) {
        read_pin(pin_file, c.pins[0]);
        c.pin_count = 1;
    }
    assert_int_equal(ota_posix_transport_set_tls(&d->sock, &c), OTA_TLS_OK);
    free(ca_pem); /* parsed: the transport keeps its own copy */
    ota_agent_config_t cfg;
    agent_device_config(d, &cfg, murl, 1, 60);
    cfg.require_tls = require_tls;
    assert_int_equal(agent_device_start(d, &cfg), OTA_AGENT_OK);
    return d;
}

/* The last failure of type t came from the TLS layer, for the reason want. */
static void assert_tls_failure(agent_device_t *d, ota_event_type_t t, ota_tls_status_t want)
{
    const ota_event_t *e = event_log_last(&d->log, t);
    assert_non_null(e);
    assert_int_equal(e->source, OTA_SRC_HTTP);
    assert_int_equal(e->status, OTA_HTTP_ERR_TLS);
    if (d->sock.last_tls_error != want) {
        print_error("TLS error: got '%s', want '%s'\n", ota_tls_status_str(d->sock.last_tls_error),
                    ota_tls_status_str(want));
    }
    assert_int_equal(d->sock.last_tls_error, want);
    assert_int_equal(event_log_count(&d->log, OTA_EVT_IMAGE_STORED), 0);
    harness_assert_nothing_stored(d);
}

/* The manifest comes from the good server; the image from `server`, which must be refused. */
static void image_refused(int server, ota_tls_status_t want)
{
    char murl[128];
    announce(murl, sizeof murl, server, "app_v2.ota");
    agent_device_t *d = tls_device(murl, NULL, false);
    assert_true(agent_device_run_until(d, OTA_EVT_DOWNLOAD_FAILED, 1, 10000));
    /* the manifest did pass */
    assert_int_equal(event_log_count(&d->log, OTA_EVT_UPDATE_AVAILABLE), 1);
    assert_tls_failure(d, OTA_EVT_DOWNLOAD_FAILED, want);
    agent_device_free(d);
}

/* ---- cases ------------------------------------------------------------------------------- */

static void test_valid_chain_stores_image(void **state)
{
    (void)state;
    char murl[128];
    announce(murl, sizeof murl, GOOD, "app_v2.ota");
    agent_device_t *d = tls_device(murl, NULL, true);
    assert_true(agent_device_run_until(d, OTA_EVT_RESET_PENDING, 1, 20000));
    assert_int_equal(event_log_count(&d->log, OTA_EVT_DOWNLOAD_FAILED), 0);
    assert_int_equal(d->sock.last_tls_error, OTA_TLS_OK);
    assert_true(d->sock.tls_wanted);
    harness_assert_slot_is_file(d, 2);
    agent_device_free(d);
}

/* CA from a file and the server key pinned: still fine. */
static void test_matching_pin_and_ca_file(void **state)
{
    (void)state;
    char murl[128], path[400];
    announce(murl, sizeof murl, GOOD, "app_v2.ota");
    agent_device_t *d = agent_device_new();
    ota_tls_config_t c;
    ota_tls_config_default(&c);
    snprintf(path, sizeof path, "%s/ca.pem", pki);
    c.ca_file = path;
    read_pin("other.pin", c.pins[0]); /* a second pin (e.g. the next key) does no harm */
    read_pin("good.pin", c.pins[1]);
    c.pin_count = 2;
    assert_int_equal(ota_posix_transport_set_tls(&d->sock, &c), OTA_TLS_OK);
    harness_device_start(d, murl, 1, 60);
    assert_true(agent_device_run_until(d, OTA_EVT_RESET_PENDING, 1, 20000));
    harness_assert_slot_is_file(d, 2);

    /* The pin the tool chain computes (openssl) is the one the device computes. */
    uint8_t *pem, from_cert[OTA_TLS_PIN_SIZE];
    size_t len;
    snprintf(path, sizeof path, "%s/good.pem", pki);
    pem = harness_read_file(path, &len);
    assert_int_equal(ota_tls_pin_of_cert(pem, len + 1u, from_cert), OTA_TLS_OK);
    assert_memory_equal(from_cert, c.pins[1], OTA_TLS_PIN_SIZE);
    free(pem);
    agent_device_free(d);
}

static void test_wrong_host_name(void **state)
{
    (void)state;
    image_refused(WRONGNAME, OTA_TLS_ERR_HOSTNAME);
}

static void test_expired_certificate(void **state)
{
    (void)state;
    image_refused(EXPIRED, OTA_TLS_ERR_EXPIRED);
}

static void test_unknown_ca(void **state)
{
    (void)state;
    image_refused(UNKNOWNCA, OTA_TLS_ERR_UNKNOWN_CA);
}

static void test_self_signed_server(void **state)
{
    (void)state;
    image_refused(SELFSIGNED, OTA_TLS_ERR_SELF_SIGNED);
}

/* The manifest at https://host:port of `server` is refused in the handshake for want. */
static void manifest_refused(const char *host, int server, ota_tls_status_t want)
{
    char murl[128];
    snprintf(murl, sizeof murl, "https://%s:%u/ota.json", host, (unsigned)ports[server]);
    agent_device_t *d = tls_device(murl, NULL, false);
    assert_true(agent_device_run_until(d, OTA_EVT_CHECK_FAILED, 1, 10000));
    assert_tls_failure(d, OTA_EVT_CHECK_FAILED, want);
    agent_device_free(d);
}

/* https to a server that speaks plain HTTP on that port. */
static void test_server_without_tls(void **state)
{
    (void)state;
    manifest_refused("localhost", PLAIN, OTA_TLS_ERR_HANDSHAKE);
}

/* A valid chain whose key is not the pinned one: refused before any request is sent. */
static void test_pin_mismatch(void **state)
{
    (void)state;
    char murl[128];
    announce(murl, sizeof murl, GOOD, "app_v2.ota");
    agent_device_t *d = tls_device(murl, "other.pin", false);
    assert_true(agent_device_run_until(d, OTA_EVT_CHECK_FAILED, 1, 10000));
    assert_tls_failure(d, OTA_EVT_CHECK_FAILED, OTA_TLS_ERR_PIN);
    assert_int_equal(event_log_count(&d->log, OTA_EVT_UPDATE_AVAILABLE), 0);
    agent_device_free(d);
}

/* No CA bundle given to the transport: https fails, by name, instead of trusting anyone. */
static void test_no_ca_configured(void **state)
{
    (void)state;
    char murl[128];
    announce(murl, sizeof murl, GOOD, "app_v2.ota");
    agent_device_t *d = agent_device_new();
    assert_null(d->sock.tls); /* a transport without TLS configured holds no TLS state */
    harness_device_start(d, murl, 1, 60);
    assert_true(agent_device_run_until(d, OTA_EVT_CHECK_FAILED, 1, 10000));
    assert_tls_failure(d, OTA_EVT_CHECK_FAILED, OTA_TLS_ERR_CONFIG);
    ota_tls_config_t c;
    ota_tls_config_default(&c);
    assert_int_equal(ota_posix_transport_set_tls(&d->sock, &c), OTA_TLS_ERR_CONFIG);
    assert_null(d->sock.tls); /* a refused configuration keeps nothing */
    static const unsigned char junk[] = "-----BEGIN CERTIFICATE-----\nnot base64\n";
    c.ca = junk;
    c.ca_len = sizeof junk;
    assert_int_equal(ota_posix_transport_set_tls(&d->sock, &c), OTA_TLS_ERR_CONFIG);
    assert_null(d->sock.tls);
    agent_device_free(d);
}

/* require_tls: an http manifest URL is refused at init; an http image in an https manifest
 * and an https image redirected to http are refused by name; nothing is stored. */
static void test_require_tls_refuses_plain_http(void **state)
{
    (void)state;
    agent_device_t *d = agent_device_new();
    ota_agent_config_t cfg;
    char murl[128];
    snprintf(murl, sizeof murl, "http://localhost:%u/ota.json", (unsigned)ports[PLAIN]);
    agent_device_config(d, &cfg, murl, 1, 60);
    cfg.require_tls = true;
    assert_int_equal(agent_device_start(d, &cfg), OTA_AGENT_ERR_CONFIG);
    agent_device_free(d);

    announce(murl, sizeof murl, PLAIN, "app_v2.ota");
    d = tls_device(murl, NULL, true);
    assert_true(agent_device_run_until(d, OTA_EVT_DOWNLOAD_FAILED, 1, 10000));
    const ota_event_t *e = event_log_last(&d->log, OTA_EVT_DOWNLOAD_FAILED);
    assert_int_equal(e->source, OTA_SRC_AGENT);
    assert_int_equal(e->status, OTA_AGENT_ERR_INSECURE_URL);
    harness_assert_nothing_stored(d);
    agent_device_free(d);

    announce(murl, sizeof murl, GOOD, "down/app_v2.ota");
    d = tls_device(murl, NULL, true);
    assert_true(agent_device_run_until(d, OTA_EVT_DOWNLOAD_FAILED, 1, 10000));
    e = event_log_last(&d->log, OTA_EVT_DOWNLOAD_FAILED);
    assert_int_equal(e->source, OTA_SRC_HTTP);
    assert_int_equal(e->status, OTA_HTTP_ERR_INSECURE);
    harness_assert_nothing_stored(d);
    agent_device_free(d);
}

/* ---- RAM: what mbedTLS allocates for one update ----------------------------------------- */

/* AddressSanitizer's allocator hooks see every calloc/free of libmbedtls (weak: a build
 * without ASan skips the measurement). */
typedef void (*malloc_hook_fn)(const volatile void *, size_t);
typedef void (*free_hook_fn)(const volatile void *);
extern int __sanitizer_install_malloc_and_free_hooks(malloc_hook_fn, free_hook_fn)
    __attribute__((weak));
extern size_t __sanitizer_get_allocated_size(const volatile void *) __attribute__((weak));

static struct heap_meter {
    bool on;
    long long cur, peak, transfer_max;
    unsigned long allocs;
    size_t fragment; /* largest record payload the session may send, once negotiated */
} heap;
static agent_device_t *metered;

static void on_malloc(const volatile void *p, size_t n)
{
    (void)p;
    if (heap.on) {
        heap.cur += (long long)n;
        heap.allocs++;
        heap.peak = heap.cur > heap.peak ? heap.cur : heap.peak;
    }
}

static void on_free(const volatile void *p)
{
    if (heap.on && p != NULL) {
        heap.cur -= (long long)__sanitizer_get_allocated_size(p);
    }
}

/* Events as usual, plus the heap held while the image streams (handshake done). */
static void on_event_metered(void *user, const ota_event_t *e)
{
    if (e->type == OTA_EVT_DOWNLOAD_PROGRESS && heap.cur > heap.transfer_max) {
        heap.transfer_max = heap.cur;
    }
    if (e->type == OTA_EVT_DOWNLOAD_PROGRESS && metered != NULL && metered->sock.tls != NULL &&
        metered->sock.tls->ready) {
        heap.fragment = mbedtls_ssl_get_output_max_frag_len(&metered->sock.tls->ssl);
    }
    event_log_record(user, e);
}

typedef struct ram_result {
    long long config, peak, transfer, after;
    unsigned long allocs;
    size_t fragment;
} ram_result_t;

/* One whole update (manifest + image) from `server`; tls: configure TLS with mfl. */
static ram_result_t measure(int server, bool tls, uint8_t mfl)
{
    char murl[128], base[64];
    base_of(base, sizeof base, server);
    harness_manifest_reset();
    harness_manifest_add(2, base, "app_v2.ota", "app_v2.ota", false);
    snprintf(murl, sizeof murl, "%s/ota.json", base);
    agent_device_t *d = agent_device_new();
    memset(&heap, 0, sizeof heap);
    ram_result_t r = {0};
    if (tls) {
        ota_tls_config_t c;
        uint8_t *ca_pem; /* the test's file buffer: read and freed outside the metering */
        tls_config(&c, &ca_pem);
        c.max_fragment = mfl;
        heap.on = true;
        assert_int_equal(ota_posix_transport_set_tls(&d->sock, &c), OTA_TLS_OK);
        r.config = heap.cur;
        heap.on = false;
        free(ca_pem);
    }
    heap.on = true;
    ota_agent_config_t cfg;
    agent_device_config(d, &cfg, murl, 1, 60);
    cfg.on_event = on_event_metered;
    assert_int_equal(agent_device_start(d, &cfg), OTA_AGENT_OK);
    metered = d;
    assert_true(agent_device_run_until(d, OTA_EVT_RESET_PENDING, 1, 20000));
    /* The transport's own ota_tls_t (allocated by set_tls) is reported as its sizeof: the
     * figures are what mbedTLS allocates. */
    long long tls_state = tls ? (long long)sizeof(ota_tls_t) : 0;
    r.config -= tls_state;
    r.peak = heap.peak - tls_state;
    r.transfer = heap.transfer_max - tls_state;
    r.allocs = heap.allocs;
    r.fragment = heap.fragment;
    ota_posix_transport_free(&d->sock);
    r.after = heap.cur;
    heap.on = false;
    metered = NULL;
    harness_assert_slot_is_file(d, 2);
    agent_device_free(d);
    return r;
}

static void test_tls_ram(void **state)
{
    (void)state;
    if (__sanitizer_install_malloc_and_free_hooks == NULL) {
        skip(); /* no allocator hooks without ASan */
    }
    static bool installed;
    if (!installed) {
        assert_int_not_equal(__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free), 0);
        installed = true;
    }
    ram_result_t plain = measure(PLAIN, false, 0);
    ram_result_t tls = measure(GOOD, true, MBEDTLS_SSL_MAX_FRAG_LEN_NONE);
    ram_result_t mfl = measure(GOOD, true, MBEDTLS_SSL_MAX_FRAG_LEN_4096);
    fprintf(stderr,
            "TLS RAM (bytes, heap of the whole process during one update, 120 KB image):\n"
            "  plain http:   peak %lld, allocations %lu\n"
            "  https:        config %lld, peak %lld, held during transfer %lld, "
            "allocations %lu, left after free %lld, max fragment %zu\n"
            "  https mfl 4K: config %lld, peak %lld, held during transfer %lld, allocations %lu, "
            "max fragment %zu\n"
            "  sizeof: ota_tls_t %zu, mbedtls_ssl_context %zu, mbedtls_ssl_config %zu,\n"
            "          mbedtls_x509_crt %zu, mbedtls_entropy_context %zu, "
            "mbedtls_ctr_drbg_context %zu, ota_posix_transport_t %zu\n"
            "  MBEDTLS_SSL_IN_CONTENT_LEN %d, MBEDTLS_SSL_OUT_CONTENT_LEN %d\n",
            plain.peak, plain.allocs, tls.config, tls.peak, tls.transfer, tls.allocs, tls.after,
            tls.fragment, mfl.config, mfl.peak, mfl.transfer, mfl.allocs, mfl.fragment,
            sizeof(ota_tls_t),
            sizeof(mbedtls_ssl_context), sizeof(mbedtls_ssl_config), sizeof(mbedtls_x509_crt),
            sizeof(mbedtls_entropy_context), sizeof(mbedtls_ctr_drbg_context),
            sizeof(ota_posix_transport_t), MBEDTLS_SSL_IN_CONTENT_LEN,
            MBEDTLS_SSL_OUT_CONTENT_LEN);
    /* What docs/https.md promises: TLS costs its two record buffers and the handshake, under
     * 64 KB of heap at the peak with the default 16 KB records, and gives all of it back. */
    assert_true(tls.peak > plain.peak + 2 * 16384);
    assert_true(tls.peak < 64 * 1024);
    assert_true(tls.transfer < tls.peak);
    assert_true(tls.after <= 0);
}

/* https://<IP literal>: the certificate must name that address (iPAddress), which mbedTLS
 * 2.28 alone never matches. Manifest and image over IPv4, then over IPv6. */
static void ip_host_stores_image(const char *host)
{
    char base[96], murl[128];
    snprintf(base, sizeof base, "https://%s:%u", host, (unsigned)ports[IPCERT]);
    harness_manifest_reset();
    harness_manifest_add(2, base, "app_v2.ota", "app_v2.ota", false);
    snprintf(murl, sizeof murl, "%s/ota.json", base);
    agent_device_t *d = tls_device(murl, NULL, true);
    assert_true(agent_device_run_until(d, OTA_EVT_RESET_PENDING, 1, 20000));
    assert_int_equal(event_log_count(&d->log, OTA_EVT_CHECK_FAILED), 0);
    assert_int_equal(d->sock.last_tls_error, OTA_TLS_OK);
    harness_assert_slot_is_file(d, 2);
    agent_device_free(d);
}

/* The address of an IP literal host, as the TLS port reads it: 4 or 16 bytes, 0 for a name. */
static size_t ip_of(const char *host, uint8_t ip[OTA_URL_IP_MAX])
{
    return ota_url_ip_parse(host, strlen(host), ip);
}

static void test_ip_address_matches_ip_san(void **state)
{
    (void)state;
    ip_host_stores_image("127.0.0.1");
    ip_host_stores_image("[::1]");
}

/* The same address on a certificate that names only "localhost", and a certificate for
 * 127.0.0.1 reached as another address: both are the wrong server name. */
static void test_ip_address_without_matching_ip_san_refused(void **state)
{
    (void)state;
    manifest_refused("127.0.0.1", GOOD, OTA_TLS_ERR_HOSTNAME);

    char path[400];
    snprintf(path, sizeof path, "%s/ip.pem", pki);
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    assert_int_equal(mbedtls_x509_crt_parse_file(&crt, path), 0);
    uint8_t ip[OTA_URL_IP_MAX];
    assert_int_equal(ip_of("127.0.0.1", ip), 4);
    assert_true(ota_tls_cert_has_ip(&crt, ip, 4));
    assert_int_equal(ip_of("0:0:0::1", ip), 16);
    assert_true(ota_tls_cert_has_ip(&crt, ip, 16));
    assert_int_equal(ip_of("127.0.0.2", ip), 4);
    assert_false(ota_tls_cert_has_ip(&crt, ip, 4));
    assert_int_equal(ip_of("::2", ip), 16);
    assert_false(ota_tls_cert_has_ip(&crt, ip, 16));
    assert_int_equal(ip_of("::ffff:127.0.0.1", ip), 16); /* not the IPv4 entry */
    assert_false(ota_tls_cert_has_ip(&crt, ip, 16));
    mbedtls_x509_crt_free(&crt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_chain_stores_image),
        cmocka_unit_test(test_matching_pin_and_ca_file),
        cmocka_unit_test(test_wrong_host_name),
        cmocka_unit_test(test_expired_certificate),
        cmocka_unit_test(test_unknown_ca),
        cmocka_unit_test(test_self_signed_server),
        cmocka_unit_test(test_server_without_tls),
        cmocka_unit_test(test_pin_mismatch),
        cmocka_unit_test(test_no_ca_configured),
        cmocka_unit_test(test_require_tls_refuses_plain_http),
        cmocka_unit_test(test_ip_address_matches_ip_san),
        cmocka_unit_test(test_ip_address_without_matching_ip_san_refused),
        cmocka_unit_test(test_tls_ram),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
