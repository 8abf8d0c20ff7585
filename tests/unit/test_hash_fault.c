/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A failing hash engine (a hardware SHA block can fail) is no verdict on an image: the store
 * keeps a downloaded image resumable instead of discarding it, and the bootloader neither
 * installs nor refuses a staged update, nor touches the running image; once the engine works
 * again, the same image is stored and installed. Nor is it a verdict on a manifest: the agent's
 * check fails by name and acts on nothing in it.
 *
 * This program is linked with -Wl,--wrap for ota_sha256_start/update/finish/copy (CMakeLists.txt):
 * every call from the core goes through the wrappers below, which fail exactly one call, the
 * armed one, and pass the others to the real backend. Every call of a whole operation is
 * failed in turn, so each place the core hashes is shown to handle its status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot_fixture.h"
#include "event_log.h"
#include "mock_transport.h"
#include "otaflow/agent.h"
#include "otaflow/crypto.h"
#include "store_fixture.h"

/* ---- the fault: fail call number fail_at (0-based) of the SHA-256 entry points ----------- */

static long calls;           /* calls since arm() */
static long fail_at = -1;    /* the call to fail; -1: none */
static long failed;          /* calls failed since arm() */
static long open_contexts;   /* starts minus finishes: contexts not released */
static long hashed;          /* bytes given to update since arm() */
static bool copy_unsupported; /* copy answers as an engine that cannot copy its state */

ota_crypto_status_t __real_ota_sha256_start(ota_sha256_t *ctx);
ota_crypto_status_t __real_ota_sha256_update(ota_sha256_t *ctx, const void *data, size_t len);
ota_crypto_status_t __real_ota_sha256_finish(ota_sha256_t *ctx, uint8_t out[OTA_SHA256_SIZE]);
ota_crypto_status_t __wrap_ota_sha256_start(ota_sha256_t *ctx);
ota_crypto_status_t __wrap_ota_sha256_update(ota_sha256_t *ctx, const void *data, size_t len);
ota_crypto_status_t __wrap_ota_sha256_finish(ota_sha256_t *ctx, uint8_t out[OTA_SHA256_SIZE]);
ota_crypto_status_t __real_ota_sha256_copy(ota_sha256_t *dst, const ota_sha256_t *src);
ota_crypto_status_t __wrap_ota_sha256_copy(ota_sha256_t *dst, const ota_sha256_t *src);

static void arm(long at)
{
    calls = 0;
    failed = 0;
    hashed = 0;
    fail_at = at;
}

static bool this_call_fails(void)
{
    bool fail = calls++ == fail_at;
    failed += fail;
    return fail;
}

/* start and finish run the real function either way, so the context is set up and released
 * as after a real failure; update's failure leaves the data out, as a real one would. */
ota_crypto_status_t __wrap_ota_sha256_start(ota_sha256_t *ctx)
{
    ota_crypto_status_t st = __real_ota_sha256_start(ctx);
    open_contexts++;
    return this_call_fails() ? OTA_CRYPTO_ERR_HASH : st;
}

ota_crypto_status_t __wrap_ota_sha256_update(ota_sha256_t *ctx, const void *data, size_t len)
{
    if (this_call_fails()) {
        return OTA_CRYPTO_ERR_HASH;
    }
    hashed += (long)len;
    return __real_ota_sha256_update(ctx, data, len);
}

ota_crypto_status_t __wrap_ota_sha256_finish(ota_sha256_t *ctx, uint8_t out[OTA_SHA256_SIZE])
{
    ota_crypto_status_t st = __real_ota_sha256_finish(ctx, out);
    open_contexts--;
    if (this_call_fails()) {
        memset(out, 0, OTA_SHA256_SIZE);
        return OTA_CRYPTO_ERR_HASH;
    }
    return st;
}

/* A failed copy leaves dst as it was (still a started context, finished by its owner). */
ota_crypto_status_t __wrap_ota_sha256_copy(ota_sha256_t *dst, const ota_sha256_t *src)
{
    if (copy_unsupported) {
        return OTA_CRYPTO_ERR_UNSUPPORTED;
    }
    return this_call_fails() ? OTA_CRYPTO_ERR_HASH : __real_ota_sha256_copy(dst, src);
}

/* ---- the store ---------------------------------------------------------------------------- */

#define STORE_IMG 3000u

static uint8_t store_img[STORE_IMG];

/* A fresh store and a download of store_img (as version 7) with the engine working: the slot
 * in *slot, the number of hash calls the download's finish made in *hash_calls. */
static store_fixture_t *store_with_download(uint8_t *slot, long *hash_calls)
{
    store_fixture_image(store_img, sizeof store_img, 7);
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    arm(-1);
    assert_int_equal(store_fixture_download(&fx->store, 7, store_img, sizeof store_img, 500, slot),
                     OTA_STORE_OK);
    *hash_calls = calls;
    return fx;
}

/* A check over calls that the store ends behind its caller's back (download_abort empties the
 * slot) releases its two hash contexts at the caller's next step, once; a cancelled one at
 * once. A hardware engine's contexts are not left taken. */
static void test_store_check_ended_early_releases_its_contexts(void **unused)
{
    (void)unused;
    store_fixture_image(store_img, sizeof store_img, 7);
    uint8_t digest[OTA_SHA256_SIZE];
    ota_sha256(store_img, sizeof store_img, digest);
    static ota_store_check_t check;
    for (int cancel = 0; cancel < 2; cancel++) {
        store_fixture_t *fx = store_fixture_open(NULL, NULL);
        arm(-1);
        uint8_t slot = OTA_STORE_SLOT_NONE;
        uint32_t resume = 0;
        assert_int_equal(ota_store_download_begin(&fx->store, 7, sizeof store_img, digest, &slot,
                                                  &resume),
                         OTA_STORE_OK);
        assert_int_equal(ota_store_download_write(&fx->store, 0, store_img, sizeof store_img),
                         OTA_STORE_OK);
        open_contexts = 0;
        assert_int_equal(ota_store_check_begin(&fx->store, &check), OTA_STORE_OK);
        assert_int_equal(open_contexts, 2);
        bool done = true;
        assert_int_equal(ota_store_check_step(&fx->store, &check, 1000, &done), OTA_STORE_OK);
        assert_false(done);
        if (cancel) {
            ota_store_check_cancel(&fx->store, &check);
            assert_int_equal(open_contexts, 0);
        } else {
            assert_int_equal(ota_store_download_abort(&fx->store), OTA_STORE_OK);
        }
        for (int again = 0; again < 2; again++) {
            assert_int_equal(ota_store_check_step(&fx->store, &check, 1000, &done),
                             OTA_STORE_ERR_STATE);
            assert_int_equal(open_contexts, 0);
        }
        ota_store_check_cancel(&fx->store, &check);
        assert_int_equal(open_contexts, 0);
        assert_int_equal(store_fixture_check_invariants(fx), 0);
        store_fixture_close(fx);
    }
}

/* A download whose finish meets the failed hash call: ERR_CRYPTO, and the slot stays
 * DOWNLOADING (resumable), across a remount too; with the engine back, the same download
 * resumes and the image is STORED. Every hash call of finish is failed in turn. */
static void test_store_keeps_download_on_hash_failure(void **unused)
{
    (void)unused;
    uint8_t slot = OTA_STORE_SLOT_NONE;
    long total = 0;
    store_fixture_close(store_with_download(&slot, &total));
    assert_true(total >= 6); /* two hashes (slot digest, image SHA-256): start, update, finish */

    for (long k = 0; k < total; k++) {
        store_fixture_t *fx = store_fixture_open(NULL, NULL);
        arm(k);
        assert_int_equal(store_fixture_download(&fx->store, 7, store_img, sizeof store_img, 500,
                                                &slot),
                         OTA_STORE_ERR_CRYPTO);
        assert_int_equal(failed, 1);
        assert_int_equal(ota_store_slot(&fx->store, slot)->state, OTA_SLOT_DOWNLOADING);
        arm(-1);
        assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
        assert_int_equal(ota_store_slot(&fx->store, slot)->state, OTA_SLOT_DOWNLOADING);
        assert_int_equal(store_fixture_download(&fx->store, 7, store_img, sizeof store_img, 500,
                                                &slot),
                         OTA_STORE_OK);
        assert_int_equal(ota_store_slot(&fx->store, slot)->state, OTA_SLOT_STORED);
        store_fixture_close(fx);
    }
}

/* The header + payload of store_img (its TLV area's offset). */
static long store_img_image_bytes(void)
{
    ota_image_header_t h;
    assert_int_equal(ota_image_header_decode(store_img, sizeof store_img, STORE_IMG, &h),
                     OTA_IMAGE_OK);
    return (long)h.header_size + (long)h.payload_size;
}

/* The store's read-back of a download gives the manifest's digest and the image's own hash
 * from one SHA-256 of each byte (the state copied where the image's bytes end); an engine that
 * cannot copy its state costs a second hash of header + payload, and the image is STORED all
 * the same. */
static void test_store_finish_hashes_each_byte_once(void **unused)
{
    (void)unused;
    for (int no_copy = 0; no_copy < 2; no_copy++) {
        copy_unsupported = no_copy != 0;
        uint8_t slot = OTA_STORE_SLOT_NONE;
        long unused_calls = 0;
        store_fixture_t *fx = store_with_download(&slot, &unused_calls);
        long expected = (long)sizeof store_img + (no_copy ? store_img_image_bytes() : 0);
        assert_int_equal(hashed, expected);
        assert_int_equal(ota_store_slot(&fx->store, slot)->state, OTA_SLOT_STORED);
        store_fixture_close(fx);
    }
    copy_unsupported = false;
}

/* Verifying a stored slot with a failing engine: ERR_CRYPTO, never ERR_DIGEST, and the slot
 * stays STORED. */
static void test_store_slot_verify_hash_failure(void **unused)
{
    (void)unused;
    uint8_t slot = OTA_STORE_SLOT_NONE;
    long total = 0;
    store_fixture_t *fx = store_with_download(&slot, &total);
    arm(-1);
    assert_int_equal(ota_store_slot_verify(&fx->store, slot), OTA_STORE_OK);
    total = calls;
    for (long k = 0; k < total; k++) {
        arm(k);
        assert_int_equal(ota_store_slot_verify(&fx->store, slot), OTA_STORE_ERR_CRYPTO);
        assert_int_equal(ota_store_slot(&fx->store, slot)->state, OTA_SLOT_STORED);
    }
    arm(-1);
    assert_int_equal(ota_store_slot_verify(&fx->store, slot), OTA_STORE_OK);
    store_fixture_close(fx);
}

/* ---- the bootloader ----------------------------------------------------------------------- */

#define BOOT_IMG 6000u

static uint8_t v1[BOOT_IMG], v2[BOOT_IMG];

/* A board running v1 with v2 staged for install. */
static boot_fixture_t *staged_board(void)
{
    arm(-1);
    boot_fixture_t *fx = boot_fixture_open();
    boot_fixture_program(fx, v1, boot_fixture_image(v1, sizeof v1, 1, 0));
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    uint32_t n = boot_fixture_image(v2, sizeof v2, 2, 0);
    assert_int_not_equal(boot_fixture_stage_update(fx, v2, n, 2), OTA_STORE_SLOT_NONE);
    return fx;
}

/* A boot meeting a failed hash call at any point of its checks stops without a verdict: no
 * install, no slot refused, the internal flash not erased, the update still staged. The next
 * boot, with the engine back, installs v2. */
static void test_boot_hash_failure_is_no_verdict(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = staged_board();
    arm(-1);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_true(fx->report.installed);
    const long total = calls;
    boot_fixture_close(fx);
    assert_true(total >= 6);

    for (long k = 0; k < total; k++) {
        fx = staged_board();
        const uint8_t slot = ota_store_boot(&fx->store)->install_slot;
        const uint64_t erases = ota_sim_flash_stats(&fx->internal).erases;
        arm(k);
        ota_boot_status_t st = boot_fixture_boot(fx);
        assert_int_equal(failed, 1);
        arm(-1);
        /* Every call, up to the new image's own check before it is started, stops the boot. */
        assert_true(st == OTA_BOOT_ERR_FLASH || st == OTA_BOOT_ERR_STORE);
        assert_false(fx->report.slot_refused);
        assert_false(fx->report.installed);
        /* Failed before programming: the running image untouched. Failed while checking the
         * programmed copy: the install is unfinished, as after a power cut, and the next boot
         * resumes it from the slot. Either way the image is kept, staged. */
        if (ota_sim_flash_stats(&fx->internal).erases == erases) {
            assert_int_equal(boot_fixture_internal_version(fx), 1);
        }
        assert_int_equal(ota_store_slot(&fx->store, slot)->state, OTA_SLOT_STORED);
        assert_int_equal(ota_store_boot(&fx->store)->install_slot, slot);
        assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
        assert_int_equal(boot_fixture_internal_version(fx), 2);
        boot_fixture_close(fx);
    }
}

/* ---- the agent ---------------------------------------------------------------------------- */

/* One check of a manifest offering version 2, with hash call `at` failed (-1: none); the
 * number of hash calls the check made in *hash_calls. */
static const ota_event_t *agent_check_with_fault(long at, long *hash_calls, event_log_t *log)
{
    static const char body[] =
        "{\"ota\":[{\"Version\":2,\"URL\":\"http://ota.example/2.ota\",\"Digest\":"
        "\"745189cbb24b752a0175de1f9d5d61433ba47d89aff5b5a3686f54ca2d5dfb22\"}]}";
    static char answer[512];
    snprintf(answer, sizeof answer, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(body), body);
    store_fixture_t *fx = store_fixture_open(NULL, NULL);
    static mock_transport_t net;
    mock_init(&net);
    (void)mock_add(&net, answer, OTA_NET_WOULD_BLOCK);
    static ota_agent_t agent;
    ota_agent_config_t cfg;
    ota_agent_config_default(&cfg);
    cfg.manifest_url = "http://ota.example/ota.json";
    cfg.running_version = 1;
    cfg.auto_update = false;
    cfg.on_event = event_log_record;
    cfg.event_user = log;
    ota_agent_ports_t ports = {.transport = mock_transport(&net), .store = &fx->store};
    assert_int_equal(ota_agent_init(&agent, &cfg, &ports), OTA_AGENT_OK);
    arm(at);
    assert_int_equal(ota_agent_check_now(&agent), OTA_AGENT_OK);
    for (uint32_t now = 1000; now < 3000 && event_log_count(log, OTA_EVT_CHECK_FAILED) +
                                                   event_log_count(log, OTA_EVT_UPDATE_AVAILABLE) ==
                                               0u;
         now++) {
        ota_agent_poll(&agent, now); /* until the check's verdict */
    }
    *hash_calls = calls;
    assert_int_equal(ota_agent_state(&agent), OTA_AGENT_IDLE);
    store_fixture_close(fx);
    return event_log_last(log, OTA_EVT_CHECK_FAILED);
}

/* The agent hashes the manifest as it reads it (for its .sig, and to compare a second read):
 * a hash that fails is no verdict either. The check fails by name and nothing in the manifest
 * is acted on, where the same check with the engine working finds the update. Every hash call
 * of the check is failed in turn. */
static void test_agent_manifest_hash_failure(void **unused)
{
    (void)unused;
    long total = 0;
    event_log_t *log = calloc(1, sizeof *log);
    assert_non_null(log);
    assert_null(agent_check_with_fault(-1, &total, log));
    assert_int_equal(event_log_count(log, OTA_EVT_UPDATE_AVAILABLE), 1);
    assert_true(total >= 3); /* start, update (once per piece of the body), finish */
    for (long k = 0; k < total; k++) {
        memset(log, 0, sizeof *log);
        long n = 0;
        const ota_event_t *e = agent_check_with_fault(k, &n, log);
        assert_int_equal(failed, 1);
        assert_non_null(e);
        assert_int_equal(e->source, OTA_SRC_MANIFEST_SIG);
        assert_int_equal(e->status, OTA_MANIFEST_SIG_ERR_CRYPTO);
        assert_int_equal(event_log_count(log, OTA_EVT_UPDATE_AVAILABLE), 0);
    }
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_keeps_download_on_hash_failure),
        cmocka_unit_test(test_store_check_ended_early_releases_its_contexts),
        cmocka_unit_test(test_store_slot_verify_hash_failure),
        cmocka_unit_test(test_store_finish_hashes_each_byte_once),
        cmocka_unit_test(test_boot_hash_failure_is_no_verdict),
        cmocka_unit_test(test_agent_manifest_hash_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
