/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the application asks the agent directly, besides checking for updates: roll back to
 * the previous image, factory reset, erase a stored version. Each either records the request
 * for the bootloader and asks for a reset (ROLLBACK_OK / FACTORY_RESET_OK naming the image to
 * be installed, then RESET_PENDING), or refuses by name (status; ROLLBACK_FAILED,
 * FACTORY_RESET_FAILED or ERASE_FAILED with the store's reason; TRIGGER_FAILED for a check or
 * download the agent cannot start) and changes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "journal.h"
#include "mock_device.h"

typedef mock_device_t device_t;

/* A device running v2 (confirmed, slot 1) with v1 as its factory image. Its reset port
 * is counted, never acted on: these tests look at the store the bootloader will find. */
static device_t *device_running_v2(void)
{
    ota_agent_config_t cfg;
    mock_device_config(&cfg);
    return mock_device_open(&cfg, true);
}

static void device_free(device_t *d)
{
    mock_device_free(d);
}

/* The store as the bootloader will find it after the reset. */
static const ota_store_boot_t *after_reset(device_t *d)
{
    assert_int_equal(store_fixture_remount(d->fx), OTA_STORE_OK);
    return ota_store_boot(&d->fx->store);
}

static void test_rollback_request(void **unused)
{
    (void)unused;
    device_t *d = device_running_v2();
    assert_int_equal(ota_agent_rollback(&d->agent), OTA_AGENT_OK);
    assert_int_equal(ota_agent_state(&d->agent), OTA_AGENT_RESET_PENDING);
    assert_int_equal(event_log_count(&d->events, OTA_EVT_RESET_PENDING), 1);
    /* Recorded, named with the image the bootloader will install, before RESET_PENDING. */
    int ok = event_log_find_from(&d->events, 0, OTA_EVT_ROLLBACK_OK);
    assert_true(ok >= 0);
    assert_int_equal(d->events.ev[ok].version, 1);
    assert_true(event_log_find_from(&d->events, (size_t)ok, OTA_EVT_RESET_PENDING) > ok);
    assert_int_equal(event_log_failures(&d->events), 0);
    const ota_store_boot_t *b = after_reset(d);
    assert_int_equal(b->state, OTA_BOOT_INSTALL_PENDING);
    assert_int_equal(b->install_slot, OTA_STORE_FACTORY_SLOT);
    assert_int_equal(b->install_reason, OTA_INSTALL_ROLLBACK);
    assert_false(ota_store_is_rejected(&d->fx->store, 2)); /* asked for, not failed */
    device_free(d);
}

static void test_factory_reset_request(void **unused)
{
    (void)unused;
    device_t *d = device_running_v2();
    assert_int_equal(ota_agent_factory_reset(&d->agent), OTA_AGENT_OK);
    assert_int_equal(ota_agent_state(&d->agent), OTA_AGENT_RESET_PENDING);
    int ok = event_log_find_from(&d->events, 0, OTA_EVT_FACTORY_RESET_OK);
    assert_true(ok >= 0);
    assert_int_equal(d->events.ev[ok].version, 1);
    assert_true(event_log_find_from(&d->events, (size_t)ok, OTA_EVT_RESET_PENDING) > ok);
    assert_int_equal(event_log_count(&d->events, OTA_EVT_ROLLBACK_OK), 0);
    const ota_store_boot_t *b = after_reset(d);
    assert_int_equal(b->state, OTA_BOOT_INSTALL_PENDING);
    assert_int_equal(b->install_slot, OTA_STORE_FACTORY_SLOT);
    assert_int_equal(b->install_reason, OTA_INSTALL_FACTORY);
    device_free(d);
}

static void test_requests_refused_when_nothing_to_go_back_to(void **unused)
{
    (void)unused;
    device_t *d = device_running_v2();
    /* Nothing but v2 at all: rollback and factory reset refused, named. */
    /* (A journal whose factory slot is empty: a device programmed without one.) */
    ota_store_t *s = &d->fx->store;
    s->staged = *ota_store_state(s);
    memset(&s->staged.slots[OTA_STORE_FACTORY_SLOT], 0, sizeof s->staged.slots[0]);
    assert_int_equal(ota_journal_append(s), OTA_STORE_OK);
    assert_int_equal(ota_agent_rollback(&d->agent), OTA_AGENT_ERR_STORE);
    const ota_event_t *e = event_log_last(&d->events, OTA_EVT_ROLLBACK_FAILED);
    assert_non_null(e);
    assert_int_equal(e->source, OTA_SRC_STORE);
    assert_int_equal(e->status, OTA_STORE_ERR_NO_ROLLBACK);
    assert_string_equal(e->reason, ota_store_status_str(OTA_STORE_ERR_NO_ROLLBACK));
    assert_int_equal(ota_agent_factory_reset(&d->agent), OTA_AGENT_ERR_STORE);
    e = event_log_last(&d->events, OTA_EVT_FACTORY_RESET_FAILED);
    assert_non_null(e);
    assert_int_equal(e->source, OTA_SRC_STORE);
    assert_int_equal(e->status, OTA_STORE_ERR_NO_ROLLBACK);
    assert_int_equal(event_log_failures(&d->events), 2);
    assert_int_equal(event_log_count(&d->events, OTA_EVT_ROLLBACK_OK), 0);
    assert_int_equal(event_log_count(&d->events, OTA_EVT_FACTORY_RESET_OK), 0);
    assert_int_equal(ota_agent_state(&d->agent), OTA_AGENT_IDLE);
    assert_int_equal(event_log_count(&d->events, OTA_EVT_RESET_PENDING), 0);
    assert_int_equal(after_reset(d)->state, OTA_BOOT_CONFIRMED);
    device_free(d);
}

static void test_erase_version_request(void **unused)
{
    (void)unused;
    device_t *d = device_running_v2();
    /* A stored version that does not run: erased at once, no reset. */
    uint8_t slot = store_fixture_store_version(d->fx, 3, 6000);
    assert_int_not_equal(slot, OTA_STORE_SLOT_NONE);
    assert_int_equal(ota_agent_erase_version(&d->agent, 3), OTA_AGENT_OK);
    assert_int_equal(event_log_last(&d->events, OTA_EVT_IMAGE_ERASED)->version, 3);
    assert_int_equal(ota_agent_state(&d->agent), OTA_AGENT_IDLE);
    assert_int_equal(ota_store_find_version(&d->fx->store, 3), OTA_STORE_SLOT_NONE);
    /* A version the store does not hold: refused by name. */
    assert_int_equal(ota_agent_erase_version(&d->agent, 9), OTA_AGENT_ERR_STORE);
    assert_int_equal(event_log_last(&d->events, OTA_EVT_ERASE_FAILED)->status,
                     OTA_STORE_ERR_NOT_FOUND);
    /* The running version: a roll back at the next reset. */
    assert_int_equal(ota_agent_erase_version(&d->agent, 2), OTA_AGENT_OK);
    assert_int_equal(ota_agent_state(&d->agent), OTA_AGENT_RESET_PENDING);
    assert_int_equal(after_reset(d)->install_slot, OTA_STORE_FACTORY_SLOT);
    device_free(d);
}

static void test_bad_requests(void **unused)
{
    (void)unused;
    device_t *d = device_running_v2();
    assert_int_equal(ota_agent_erase_version(NULL, 2), OTA_AGENT_ERR_ARG);
    assert_int_equal(ota_agent_erase_version(&d->agent, 0), OTA_AGENT_ERR_ARG);
    assert_int_equal(ota_agent_rollback(NULL), OTA_AGENT_ERR_ARG);
    assert_int_equal(ota_agent_factory_reset(NULL), OTA_AGENT_ERR_ARG);
    assert_int_equal(ota_agent_check_now(NULL), OTA_AGENT_ERR_ARG);
    assert_int_equal(ota_agent_download(NULL), OTA_AGENT_ERR_ARG);
    assert_int_equal(ota_agent_abort(NULL), OTA_AGENT_ERR_ARG);
    /* A manual update the agent cannot fetch: refused, and told as a failed trigger. */
    const uint8_t digest[OTA_SHA256_SIZE] = {0};
    assert_int_equal(ota_agent_start_update(&d->agent, "ftp://h/a.ota", 3, digest),
                     OTA_AGENT_ERR_URL);
    const ota_event_t *e = event_log_last(&d->events, OTA_EVT_TRIGGER_FAILED);
    assert_non_null(e);
    assert_int_equal(e->status, OTA_AGENT_ERR_URL);
    assert_string_equal(e->reason, "unusable URL");
    assert_int_equal(ota_agent_start_update(&d->agent, "http://h/a.ota", 0, digest),
                     OTA_AGENT_ERR_ARG);
    assert_int_equal(event_log_last(&d->events, OTA_EVT_TRIGGER_FAILED)->status,
                     OTA_AGENT_ERR_ARG);
    assert_int_equal(ota_agent_state(&d->agent), OTA_AGENT_IDLE);
    /* A check without a manifest URL (the console's "sysota set url none"): the same. */
    ota_agent_settings_t settings;
    assert_int_equal(ota_agent_get_settings(&d->agent, &settings), OTA_AGENT_OK);
    settings.manifest_url = NULL;
    assert_int_equal(ota_agent_set_settings(&d->agent, &settings), OTA_AGENT_OK);
    size_t refused = event_log_count(&d->events, OTA_EVT_TRIGGER_FAILED);
    assert_int_equal(ota_agent_check_now(&d->agent), OTA_AGENT_ERR_CONFIG);
    assert_int_equal(event_log_count(&d->events, OTA_EVT_TRIGGER_FAILED), refused + 1u);
    e = event_log_last(&d->events, OTA_EVT_TRIGGER_FAILED);
    assert_int_equal(e->source, OTA_SRC_AGENT);
    assert_int_equal(e->status, OTA_AGENT_ERR_CONFIG);
    assert_int_equal(ota_agent_state(&d->agent), OTA_AGENT_IDLE);
    /* Nothing was asked of the store. */
    assert_int_equal(after_reset(d)->state, OTA_BOOT_CONFIRMED);
    assert_int_equal(after_reset(d)->running_version, 2);
    device_free(d);
}

static void test_requests_while_a_check_runs(void **unused)
{
    (void)unused;
    device_t *d = device_running_v2();
    assert_int_equal(ota_agent_download(&d->agent), OTA_AGENT_ERR_NO_UPDATE); /* none known */
    const ota_event_t *e = event_log_last(&d->events, OTA_EVT_TRIGGER_FAILED);
    assert_non_null(e);
    assert_int_equal(e->source, OTA_SRC_AGENT);
    assert_int_equal(e->status, OTA_AGENT_ERR_NO_UPDATE);
    assert_int_equal(e->retry_s, 0); /* a refused request is no failed attempt: no backoff */
    /* A server that never answers the connection: the check stays under way. */
    mock_conn_t *c = mock_add(&d->net, "", OTA_NET_WOULD_BLOCK);
    c->connect_blocks = MOCK_NEVER;
    assert_int_equal(ota_agent_check_now(&d->agent), OTA_AGENT_OK);
    assert_int_equal(ota_agent_poll(&d->agent, 1000), OTA_AGENT_CHECKING);
    const uint8_t digest[OTA_SHA256_SIZE] = {0};
    assert_int_equal(ota_agent_check_now(&d->agent), OTA_AGENT_ERR_BUSY);
    assert_int_equal(ota_agent_download(&d->agent), OTA_AGENT_ERR_BUSY);
    assert_int_equal(ota_agent_start_update(&d->agent, "http://h/a.ota", 3, digest),
                     OTA_AGENT_ERR_BUSY);
    assert_int_equal(ota_agent_erase_version(&d->agent, 2), OTA_AGENT_ERR_BUSY);
    assert_int_equal(ota_agent_rollback(&d->agent), OTA_AGENT_ERR_BUSY);
    assert_int_equal(ota_agent_factory_reset(&d->agent), OTA_AGENT_ERR_BUSY);
    /* Each refusal is told to the application: the download without an update, then three
     * triggers refused as busy, the erase, the rollback, the reset. */
    static const ota_agent_status_t triggers[] = {OTA_AGENT_ERR_NO_UPDATE, OTA_AGENT_ERR_BUSY,
                                                  OTA_AGENT_ERR_BUSY, OTA_AGENT_ERR_BUSY};
    size_t t = 0;
    for (size_t i = 0; i < d->events.n; i++) {
        if (d->events.ev[i].type == OTA_EVT_TRIGGER_FAILED) {
            assert_true(t < sizeof triggers / sizeof triggers[0]);
            assert_int_equal(d->events.ev[i].status, triggers[t++]); /* in the order asked */
        }
    }
    assert_int_equal(t, sizeof triggers / sizeof triggers[0]);
    const ota_event_t *erase = event_log_last(&d->events, OTA_EVT_ERASE_FAILED);
    assert_non_null(erase); /* agent.h: erase_version reports IMAGE_ERASED or ERASE_FAILED */
    assert_int_equal(erase->version, 2);
    assert_int_equal(erase->source, OTA_SRC_AGENT);
    assert_int_equal(erase->status, OTA_AGENT_ERR_BUSY);
    assert_int_equal(erase->retry_s, 0);
    assert_int_equal(event_log_last(&d->events, OTA_EVT_ROLLBACK_FAILED)->status,
                     OTA_AGENT_ERR_BUSY);
    assert_int_equal(event_log_last(&d->events, OTA_EVT_FACTORY_RESET_FAILED)->status,
                     OTA_AGENT_ERR_BUSY);
    size_t refused = event_log_failures(&d->events);
    assert_int_equal(refused, 7);
    uint32_t bytes = 1, total = 1;
    assert_false(ota_agent_progress(&d->agent, &bytes, &total)); /* no download under way */
    assert_false(ota_agent_progress(&d->agent, NULL, NULL));
    /* The application gives up on it: back to idle, nothing reported as failed. */
    assert_int_equal(ota_agent_abort(&d->agent), OTA_AGENT_OK);
    assert_int_equal(ota_agent_state(&d->agent), OTA_AGENT_IDLE);
    assert_int_equal(event_log_failures(&d->events), refused);
    assert_int_equal(after_reset(d)->state, OTA_BOOT_CONFIRMED);
    device_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rollback_request),
        cmocka_unit_test(test_factory_reset_request),
        cmocka_unit_test(test_requests_refused_when_nothing_to_go_back_to),
        cmocka_unit_test(test_erase_version_request),
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_requests_while_a_check_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
