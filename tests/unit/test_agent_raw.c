/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The original's raw .bin images (OTA_RAW_IMAGES): the agent tells one from an .ota by its
 * first bytes, the store wraps it in the header and TLV area the .ota would have had, and
 * what ends up in the slot is an image the bootloader's checks accept; refused cases (option
 * off, wrong Digest, wrong or missing Signature) store nothing and keep no erase. Also the
 * base64 decoder and the manifest's Signature field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "event_log.h"
#include "mock_transport.h"
#include "otaflow/agent.h"
#include "otaflow/base64.h"
#include "otaflow/manifest.h"
#include "sign_key.h"
#include "store_fixture.h"
#include "test_keys.h"
#include "tool.h"

#define RAW_LEN 20000u

typedef struct world {
    store_fixture_t *fx;
    ota_store_config_t scfg;
    mock_transport_t mock;
    event_log_t log;
    ota_agent_t agent;
    ota_agent_config_t cfg;
    uint8_t raw[RAW_LEN];
    char digest_hex[65];
    uint8_t digest[32];
    char sig_b64[96];
    char manifest[1024];
    char responses[8][32 * 1024];
    size_t n_responses;
    uint32_t now;
} world_t;

static tool_key_t trusted_key, other_key;
static ota_sig_key_t trusted[1];
static const ota_sig_keyring_t ring = {.keys = trusted, .count = 1};

static int setup_keys(void **state)
{
    (void)state;
    return test_keys_make(&trusted_key, &other_key, &trusted[0]);
}

static int teardown_keys(void **state)
{
    (void)state;
    test_keys_free(&trusted_key, &other_key);
    return 0;
}

static const char *response(world_t *w, const char *status, const void *body, size_t len,
                            size_t *out_len)
{
    char *r = w->responses[w->n_responses++];
    int n = snprintf(r, 1024, "HTTP/1.1 %s\r\nContent-Length: %zu\r\n\r\n", status, len);
    memcpy(r + n, body, len);
    *out_len = (size_t)n + len;
    return r;
}

/* The manifest, then the raw file, on one connection. */
static void serve(world_t *w, const void *image, size_t len)
{
    size_t rl;
    const char *r = response(w, "200 OK", w->manifest, strlen(w->manifest), &rl);
    mock_conn_t *c = mock_add(&w->mock, r, OTA_NET_WOULD_BLOCK);
    c->response_lens[0] = rl;
    c->responses[1] = response(w, "200 OK", image, len, &rl);
    c->response_lens[1] = rl;
}

/* The original's manifest entry (no Size: its servers never wrote one). */
static void set_manifest(world_t *w, uint32_t version, const char *sig_b64)
{
    char sig[160] = "";
    if (sig_b64 != NULL) {
        snprintf(sig, sizeof sig, ",\"Signature\":\"%s\"", sig_b64);
    }
    snprintf(w->manifest, sizeof w->manifest,
             "{\"ota\":[{\"Version\":%u,\"URL\":\"http://ota.example:8000/app.bin\","
             "\"Digest\":\"%s\",\"EraseVer\":false%s}]}",
             version, w->digest_hex, sig);
}

static world_t *world_new(bool keys)
{
    world_t *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->scfg.checkpoint_interval = 4096;
    w->scfg.trusted_keys = keys ? &ring : NULL;
    w->fx = store_fixture_open(NULL, &w->scfg);
    assert_non_null(w->fx);
    mock_init(&w->mock);
    ota_agent_config_default(&w->cfg);
    w->cfg.manifest_url = "http://ota.example:8000/ota.json";
    w->cfg.running_version = 1;
    w->cfg.on_event = event_log_record;
    w->cfg.event_user = &w->log;
    w->cfg.auto_reset = false;
    w->cfg.accept_raw_images = true;
    w->cfg.retry_first_s = 1;
    w->cfg.retry_max_s = 1;
    for (uint32_t i = 0; i < RAW_LEN; i++) {
        w->raw[i] = (uint8_t)(i * 13u + (i >> 8));
    }
    w->raw[0] = 0x7F; /* an ELF's first bytes: anything but "OTAF" */
    ota_sha256(w->raw, RAW_LEN, w->digest);
    tool_hex(w->digest, 32, w->digest_hex);
    assert_int_equal(test_keys_original_signature(&trusted_key, w->digest, w->sig_b64), 0);
    w->now = 1000;
    return w;
}

static void world_start(world_t *w)
{
    ota_agent_ports_t ports = {.transport = mock_transport(&w->mock), .store = &w->fx->store};
    assert_int_equal(ota_agent_init(&w->agent, &w->cfg, &ports), OTA_AGENT_OK);
}

static void world_free(world_t *w)
{
    store_fixture_close(w->fx);
    free(w);
}

static ota_agent_state_t run(world_t *w, unsigned steps)
{
    for (unsigned i = 0; i < steps; i++) {
        ota_agent_state_t s = ota_agent_poll(&w->agent, w->now++);
        if (s == OTA_AGENT_RESET_PENDING || event_log_count(&w->log, OTA_EVT_DOWNLOAD_FAILED) +
                                                    event_log_count(&w->log, OTA_EVT_VERIFY_FAILED) >
                                                0) {
            return s;
        }
    }
    return ota_agent_state(&w->agent);
}

static uint32_t erases(world_t *w)
{
    return (uint32_t)ota_sim_flash_stats(&w->fx->dev).erases;
}

/* What the slot holds is the image `pack` would have made of the raw file: the header with
 * the manifest's version, the raw bytes as payload, a SHA-256 TLV that matches, the digest of
 * the whole stored image recorded; and (keys) the image policy, the bootloader's check, passes. */
static void assert_stored_as_image(world_t *w, uint32_t version, bool signed_)
{
    ota_store_t *st = &w->fx->store;
    uint8_t slot = ota_store_find_version(st, version);
    assert_int_not_equal(slot, OTA_STORE_SLOT_NONE);
    const ota_store_slot_t *s = ota_store_slot(st, slot);
    assert_int_equal(s->state, OTA_SLOT_STORED);
    assert_int_equal(s->flags, 0);
    ota_store_slot_source_t src;
    assert_int_equal(ota_store_image_source(st, slot, &src), OTA_STORE_OK);
    ota_image_info_t info;
    assert_int_equal(ota_image_parse(&src.src, &info), OTA_IMAGE_OK);
    assert_int_equal(info.header.version, version);
    assert_int_equal(info.header.payload_size, RAW_LEN);
    assert_int_equal(info.header.load_addr, OTA_AGENT_RAW_LOAD_ADDR_DEFAULT);
    assert_int_equal(info.header.security_counter, 0);
    assert_int_equal(info.total_size, s->size);
    uint8_t work[512];
    assert_int_equal(ota_image_verify(&src.src, &info, work, sizeof work), OTA_IMAGE_OK);
    static uint8_t payload[RAW_LEN];
    assert_int_equal(ota_store_slot_read(st, slot, 64, payload, RAW_LEN), OTA_STORE_OK);
    assert_memory_equal(payload, w->raw, RAW_LEN);
    assert_int_equal(ota_store_slot_verify(st, slot), OTA_STORE_OK);
    assert_int_equal(info.has_signature, signed_);
    if (signed_) {
        assert_int_equal(info.signature_type, OTA_IMAGE_TLV_ECDSA_P256_PAYLOAD);
        assert_memory_equal(info.key_hash, trusted[0].key_id, 32);
    }
    assert_int_equal(ota_store_image_policy(st, &src.src, &info, work, sizeof work), OTA_STORE_OK);
    assert_int_equal(ota_store_boot(st)->state, OTA_BOOT_INSTALL_PENDING);
}

static void test_raw_image_stored_as_an_image(void **state)
{
    (void)state;
    world_t *w = world_new(false);
    set_manifest(w, 3, NULL);
    serve(w, w->raw, RAW_LEN);
    world_start(w);
    assert_int_equal(run(w, 20000), OTA_AGENT_RESET_PENDING);
    assert_stored_as_image(w, 3, false);
    const ota_event_t *p = event_log_last(&w->log, OTA_EVT_DOWNLOAD_PROGRESS);
    assert_int_equal(p->bytes, RAW_LEN); /* progress counts the file, not the header */
    world_free(w);
}

/* The image policy of a copy of a stored image (info: its parse) with copy[at] set to value
 * and its SHA-256 TLV made to match, so that only the signature can tell; *changed: the parse
 * of the changed copy. copy[at] is put back. */
static ota_store_status_t policy_with_byte(ota_store_t *st, uint8_t *copy,
                                           const ota_image_info_t *info, uint32_t at,
                                           uint8_t value, ota_image_info_t *changed)
{
    uint8_t was = copy[at];
    copy[at] = value;
    ota_sha256(copy, 64 + RAW_LEN, copy + info->tlv_offset + 8 + 4); /* SHA256 TLV is first */
    ota_image_source_t mem;
    ota_image_buffer_t mbuf;
    ota_image_source_buffer(&mem, &mbuf, copy, info->total_size);
    uint8_t work[512];
    assert_int_equal(ota_image_parse(&mem, changed), OTA_IMAGE_OK);
    assert_int_equal(ota_image_verify(&mem, changed, work, sizeof work), OTA_IMAGE_OK);
    ota_store_status_t policy = ota_store_image_policy(st, &mem, changed, work, sizeof work);
    copy[at] = was;
    return policy;
}

static void test_signed_raw_image_checked_and_kept_signed(void **state)
{
    (void)state;
    world_t *w = world_new(true);
    set_manifest(w, 3, w->sig_b64);
    serve(w, w->raw, RAW_LEN);
    world_start(w);
    assert_int_equal(run(w, 20000), OTA_AGENT_RESET_PENDING);
    assert_stored_as_image(w, 3, true);

    /* The signature in the slot is what the bootloader checks: a changed payload byte in
     * external flash (with a SHA-256 TLV made to match) fails it. */
    ota_store_t *st = &w->fx->store;
    uint8_t slot = ota_store_find_version(st, 3);
    ota_store_slot_source_t src;
    ota_store_image_source(st, slot, &src);
    ota_image_info_t info, changed;
    assert_int_equal(ota_image_parse(&src.src, &info), OTA_IMAGE_OK);
    static uint8_t copy[RAW_LEN + 512];
    assert_int_equal(ota_store_slot_read(st, slot, 0, copy, info.total_size), OTA_STORE_OK);
    assert_int_equal(policy_with_byte(st, copy, &info, 64 + 100, copy[64 + 100] ^ 1u, &changed),
                     OTA_STORE_ERR_SIGNATURE);

    /* Nor may the (unsigned) header carry a security counter: it would raise the floor. */
    assert_int_equal(policy_with_byte(st, copy, &info, OTA_IMAGE_OFF_SECURITY_COUNTER, 5, &changed),
                     OTA_STORE_ERR_SIGNATURE);
    assert_int_equal(changed.header.security_counter, 5);

    /* Nor a key revocation mask: it would revoke keys on the word of an unsigned header. */
    assert_int_equal(policy_with_byte(st, copy, &info, OTA_IMAGE_OFF_REVOKE_KEYS, 1, &changed),
                     OTA_STORE_ERR_SIGNATURE);
    assert_int_equal(changed.header.revoke_keys, 1);

    /* The copy as stored passes. */
    assert_int_equal(policy_with_byte(st, copy, &info, OTA_IMAGE_OFF_REVOKE_KEYS, 0, &changed),
                     OTA_STORE_OK);
    world_free(w);
}

/* A refusal stores nothing, erases nothing (refused at the first bytes) or empties the slot. */
static void assert_refused(world_t *w, ota_event_type_t type, ota_event_source_t src,
                           int32_t status)
{
    const ota_event_t *e = event_log_last(&w->log, type);
    assert_non_null(e);
    assert_int_equal(e->source, src);
    assert_int_equal(e->status, status);
    for (uint8_t s = 1; s < ota_store_slot_count(&w->fx->store); s++) {
        assert_int_equal(ota_store_slot(&w->fx->store, s)->state, OTA_SLOT_EMPTY);
    }
    assert_int_equal(ota_store_boot(&w->fx->store)->state, OTA_BOOT_NONE);
}

static void test_raw_image_refused_when_option_off(void **state)
{
    (void)state;
    world_t *w = world_new(false);
    w->cfg.accept_raw_images = false;
    w->cfg.period_s = 1;
    set_manifest(w, 3, NULL);
    serve(w, w->raw, RAW_LEN);
    /* The same manifest at the next period: the refused file is not fetched again. */
    size_t rl;
    const char *r = response(w, "200 OK", w->manifest, strlen(w->manifest), &rl);
    mock_add(&w->mock, r, OTA_NET_WOULD_BLOCK)->response_lens[0] = rl;
    world_start(w);
    uint32_t before = erases(w);
    run(w, 20000);
    assert_refused(w, OTA_EVT_DOWNLOAD_FAILED, OTA_SRC_AGENT, OTA_AGENT_ERR_RAW_IMAGE);
    assert_int_equal(erases(w), before); /* told at its first bytes: nothing written */
    w->now += 2000;
    for (unsigned i = 0; i < 5000 && event_log_count(&w->log, OTA_EVT_DOWNLOAD_FAILED) < 2; i++) {
        ota_agent_poll(&w->agent, w->now++);
    }
    assert_int_equal(event_log_last(&w->log, OTA_EVT_DOWNLOAD_FAILED)->status,
                     OTA_AGENT_ERR_REFUSED_BEFORE);
    assert_int_equal(mock_sent_count(&w->mock, "GET /app.bin"), 1);
    world_free(w);
}

/* A file shorter than the magic (3 bytes) is decided at its end, not left to the store: with
 * the option off it is refused as a raw image, nothing written. */
static void test_file_shorter_than_the_magic_refused_as_raw(void **state)
{
    (void)state;
    world_t *w = world_new(false);
    w->cfg.accept_raw_images = false;
    set_manifest(w, 3, NULL);
    serve(w, w->raw, 3);
    world_start(w);
    uint32_t before = erases(w);
    run(w, 20000);
    assert_refused(w, OTA_EVT_DOWNLOAD_FAILED, OTA_SRC_AGENT, OTA_AGENT_ERR_RAW_IMAGE);
    assert_int_equal(erases(w), before);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_VERIFY_STARTED), 0);
    world_free(w);
}

static void test_raw_image_with_wrong_digest_refused(void **state)
{
    (void)state;
    world_t *w = world_new(false);
    set_manifest(w, 3, NULL);
    w->raw[5000] ^= 0x40u; /* the server's file is not the one the Digest names */
    serve(w, w->raw, RAW_LEN);
    world_start(w);
    run(w, 20000);
    assert_refused(w, OTA_EVT_VERIFY_FAILED, OTA_SRC_STORE, OTA_STORE_ERR_DIGEST);
    world_free(w);
}

static void test_raw_image_with_wrong_or_no_signature_refused(void **state)
{
    (void)state;
    world_t *w = world_new(true);
    char other[96];
    assert_int_equal(test_keys_original_signature(&other_key, w->digest, other), 0);
    set_manifest(w, 3, other);
    serve(w, w->raw, RAW_LEN);
    world_start(w);
    run(w, 20000);
    assert_refused(w, OTA_EVT_VERIFY_FAILED, OTA_SRC_STORE, OTA_STORE_ERR_SIGNATURE);
    world_free(w);

    w = world_new(true);
    set_manifest(w, 3, NULL);
    serve(w, w->raw, RAW_LEN);
    world_start(w);
    uint32_t before = erases(w);
    run(w, 20000);
    assert_refused(w, OTA_EVT_DOWNLOAD_FAILED, OTA_SRC_AGENT, OTA_AGENT_ERR_RAW_UNSIGNED);
    assert_int_equal(erases(w), before);
    world_free(w);
}

/* One byte per read: the magic is decided on bytes gathered over several reads. */
static void test_raw_image_one_byte_at_a_time(void **state)
{
    (void)state;
    world_t *w = world_new(false);
    w->mock.recv_chunk = 1;
    set_manifest(w, 3, NULL);
    serve(w, w->raw, RAW_LEN);
    world_start(w);
    assert_int_equal(run(w, 400000), OTA_AGENT_RESET_PENDING);
    assert_stored_as_image(w, 3, false);
    world_free(w);
}

/* Cut mid-file, power cycle (remount, new agent): the Range asks for the file's offset, the
 * store writes at the slot's (header before it), and the image comes out whole. */
static void test_raw_download_resumes_after_a_reset(void **state)
{
    (void)state;
    world_t *w = world_new(true);
    set_manifest(w, 3, w->sig_b64);
    size_t rl;
    const char *r = response(w, "200 OK", w->manifest, strlen(w->manifest), &rl);
    mock_conn_t *c = mock_add(&w->mock, r, OTA_NET_ERR_RESET);
    c->response_lens[0] = rl;
    c->responses[1] = response(w, "200 OK", w->raw, RAW_LEN, &rl);
    c->response_lens[1] = rl - (RAW_LEN - 13000); /* 13,000 bytes of the file, then a reset */
    world_start(w);
    run(w, 20000);
    assert_int_equal(event_log_last(&w->log, OTA_EVT_DOWNLOAD_FAILED)->source, OTA_SRC_HTTP);

    assert_int_equal(store_fixture_remount(w->fx), OTA_STORE_OK);
    uint8_t slot = OTA_STORE_SLOT_NONE;
    for (uint8_t s = 1; s < ota_store_slot_count(&w->fx->store); s++) {
        if (ota_store_slot(&w->fx->store, s)->state == OTA_SLOT_DOWNLOADING) {
            slot = s;
        }
    }
    assert_int_not_equal(slot, OTA_STORE_SLOT_NONE);
    const ota_store_slot_t *s = ota_store_slot(&w->fx->store, slot);
    assert_int_equal(s->flags, OTA_SLOT_FLAG_RAW);
    assert_int_equal(s->offset, 12288); /* durable: the last 4 KB boundary below 64 + 13,000 */
    uint32_t from = s->offset - 64;

    r = response(w, "200 OK", w->manifest, strlen(w->manifest), &rl);
    c = mock_add(&w->mock, r, OTA_NET_WOULD_BLOCK);
    c->response_lens[0] = rl;
    char *p = w->responses[w->n_responses++];
    int n = snprintf(p, 1024,
                     "HTTP/1.1 206 Partial Content\r\nContent-Length: %u\r\n"
                     "Content-Range: bytes %u-%u/%u\r\n\r\n",
                     RAW_LEN - from, from, RAW_LEN - 1, RAW_LEN);
    memcpy(p + n, w->raw + from, RAW_LEN - from);
    c->responses[1] = p;
    c->response_lens[1] = (size_t)n + RAW_LEN - from;
    memset(&w->log, 0, sizeof w->log);
    world_start(w);
    assert_int_equal(run(w, 20000), OTA_AGENT_RESET_PENDING);
    char range[64];
    snprintf(range, sizeof range, "Range: bytes=%u-", from);
    assert_int_equal(mock_sent_count(&w->mock, range), 1);
    assert_stored_as_image(w, 3, true);
    world_free(w);
}

/* A raw image is checked over polls like an .ota (the application runs between them): the
 * raw file read back and hashed, then the image the store made of it, no poll reading more
 * than a verify step (and the header and TLV area the check parses). (Signed, the last poll
 * also runs the image policy, which hashes the payload again for the original's signature,
 * as the bootloader does: docs/performance.md.) */
static void test_raw_image_verified_over_polls(void **state)
{
    (void)state;
    world_t *w = world_new(false);
    w->cfg.progress_step = OTA_AGENT_VERIFY_STEP;
    set_manifest(w, 3, NULL);
    serve(w, w->raw, RAW_LEN);
    world_start(w);
    for (unsigned i = 0; i < 20000 && ota_agent_state(&w->agent) != OTA_AGENT_VERIFYING; i++) {
        ota_agent_poll(&w->agent, w->now++);
    }
    assert_int_equal(ota_agent_state(&w->agent), OTA_AGENT_VERIFYING);
    unsigned polls = 0;
    uint64_t most = 0;
    while (ota_agent_state(&w->agent) == OTA_AGENT_VERIFYING && polls < 100) {
        uint64_t before = ota_sim_flash_stats(&w->fx->dev).bytes_read;
        ota_agent_poll(&w->agent, w->now++);
        uint64_t read = ota_sim_flash_stats(&w->fx->dev).bytes_read - before;
        most = read > most ? read : most;
        polls++;
    }
    /* Two passes of 20,064 and 20,104 bytes: two steps each. */
    assert_int_equal(polls, 4);
    assert_true(most <= OTA_AGENT_VERIFY_STEP + 512u);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_VERIFY_PROGRESS), 2);
    assert_int_equal(event_log_count(&w->log, OTA_EVT_VERIFY_OK), 1);
    assert_stored_as_image(w, 3, false);
    world_free(w);
}

/* base64 as the manifest reads it: the original's 88 characters, and what is refused. */
static void test_base64_strict(void **state)
{
    (void)state;
    uint8_t in[64], out[64];
    for (int i = 0; i < 64; i++) {
        in[i] = (uint8_t)(i * 37 + 11);
    }
    char text[96];
    test_keys_base64(in, sizeof in, text);
    assert_int_equal(strlen(text), 88);
    ota_base64_t d;
    ota_base64_begin(&d);
    for (size_t i = 0; text[i]; i++) {
        assert_true(ota_base64_feed(&d, (unsigned char)text[i], out, sizeof out));
    }
    size_t len = 0;
    assert_true(ota_base64_end(&d, &len));
    assert_int_equal(len, 64);
    assert_memory_equal(out, in, 64);

    static const struct {
        const char *text;
        bool ok;
        size_t len;
    } cases[] = {
        {"", true, 0},      {"TWFu", true, 3},   {"TWE=", true, 2},   {"TQ==", true, 1},
        {"TQ=", false, 0},  {"TWE", false, 0},   {"T===", false, 0},  {"TR==", false, 0},
        {"TWE=TWFu", false, 0}, {"TW u", false, 0}, {"TW\nu", false, 0}, {"TWF-", false, 0},
        {"=TWF", false, 0}, {"TQ==\n", false, 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        ota_base64_begin(&d);
        bool ok = true;
        for (size_t i = 0; cases[k].text[i]; i++) {
            ok = ota_base64_feed(&d, (unsigned char)cases[k].text[i], out, sizeof out) && ok;
        }
        ok = ota_base64_end(&d, &len) && ok;
        if (ok != cases[k].ok || (ok && len != cases[k].len)) {
            fail_msg("base64 \"%s\": %s", cases[k].text, ok ? "accepted" : "refused");
        }
    }
    /* More bytes than the output holds is refused, not truncated. */
    ota_base64_begin(&d);
    bool ok = true;
    for (size_t i = 0; text[i]; i++) {
        ok = ota_base64_feed(&d, (unsigned char)text[i], out, 63) && ok;
    }
    assert_false(ok);
}

static ota_manifest_status_t select_one(const char *entry_tail, ota_manifest_plan_t *plan)
{
    char m[512];
    snprintf(m, sizeof m,
             "{\"ota\":[{\"Version\":3,\"URL\":\"http://h/a.bin\",\"Digest\":\"%064d\"%s}]}", 0,
             entry_tail);
    ota_manifest_parser_t p;
    ota_manifest_parser_init(&p);
    ota_manifest_device_t dev = {.running_version = 1};
    return ota_manifest_select(&p, m, strlen(m), &dev, plan);
}

static void test_manifest_signature_field(void **state)
{
    (void)state;
    uint8_t rs[64];
    for (int i = 0; i < 64; i++) {
        rs[i] = (uint8_t)(255 - i);
    }
    char text[96], tail[260];
    test_keys_base64(rs, sizeof rs, text);
    ota_manifest_plan_t plan;

    snprintf(tail, sizeof tail, ",\"Signature\":\"%s\"", text);
    assert_int_equal(select_one(tail, &plan), OTA_MANIFEST_OK);
    assert_true(plan.update.has_signature);
    assert_memory_equal(plan.update.signature, rs, 64);

    assert_int_equal(select_one("", &plan), OTA_MANIFEST_OK);
    assert_false(plan.update.has_signature);

    /* "\/" is '/' (JSON writers may escape it). */
    char esc[200];
    size_t o = 0;
    for (size_t i = 0; text[i]; i++) {
        if (text[i] == '/') {
            esc[o++] = '\\';
        }
        esc[o++] = text[i];
    }
    esc[o] = '\0';
    snprintf(tail, sizeof tail, ",\"Signature\":\"%s\"", esc);
    assert_int_equal(select_one(tail, &plan), OTA_MANIFEST_OK);
    assert_memory_equal(plan.update.signature, rs, 64);

    assert_int_equal(select_one(",\"Signature\":\"TWFu\"", &plan), OTA_MANIFEST_ERR_SIGNATURE);
    assert_int_equal(select_one(",\"Signature\":12", &plan), OTA_MANIFEST_ERR_SIGNATURE);
    snprintf(tail, sizeof tail, ",\"Signature\":\"%.86s!=\"", text);
    assert_int_equal(select_one(tail, &plan), OTA_MANIFEST_ERR_SIGNATURE);
    assert_false(plan.has_update);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64_strict),
        cmocka_unit_test(test_manifest_signature_field),
        cmocka_unit_test(test_raw_image_stored_as_an_image),
        cmocka_unit_test(test_signed_raw_image_checked_and_kept_signed),
        cmocka_unit_test(test_raw_image_refused_when_option_off),
        cmocka_unit_test(test_file_shorter_than_the_magic_refused_as_raw),
        cmocka_unit_test(test_raw_image_with_wrong_digest_refused),
        cmocka_unit_test(test_raw_image_with_wrong_or_no_signature_refused),
        cmocka_unit_test(test_raw_image_one_byte_at_a_time),
        cmocka_unit_test(test_raw_download_resumes_after_a_reset),
        cmocka_unit_test(test_raw_image_verified_over_polls),
    };
    return cmocka_run_group_tests(tests, setup_keys, teardown_keys);
}
