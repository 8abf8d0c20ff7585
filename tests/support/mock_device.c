/* SPDX-License-Identifier: Apache-2.0 */
/* The agent on a mock transport over a store running v2 (see mock_device.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "mock_device.h"

static void count_reset(void *ctx)
{
    ((mock_device_t *)ctx)->resets++;
}

void mock_device_config(ota_agent_config_t *cfg)
{
    ota_agent_config_default(cfg);
    cfg->manifest_url = "http://ota.example/ota.json";
}

mock_device_t *mock_device_open(const ota_agent_config_t *cfg_in, bool factory_v1)
{
    return mock_device_open_random(cfg_in, factory_v1, NULL, NULL);
}

mock_device_t *mock_device_open_random(const ota_agent_config_t *cfg_in, bool factory_v1,
                                       uint32_t (*random32)(void *ctx), void *random_ctx)
{
    mock_device_t *d = calloc(1, sizeof *d);
    assert_non_null(d);
    d->fx = store_fixture_open(NULL, NULL);
    ota_store_t *s = &d->fx->store;
    if (factory_v1) {
        static uint8_t img[6000];
        store_fixture_image(img, sizeof img, 1);
        uint8_t digest[OTA_SHA256_SIZE];
        uint32_t done = 0;
        ota_sha256(img, sizeof img, digest);
        assert_int_equal(ota_store_factory_begin(s, 1, sizeof img, digest, &done),
                         OTA_STORE_OK);
        assert_int_equal(ota_store_download_write(s, done, img + done, sizeof img - done),
                         OTA_STORE_OK);
        assert_int_equal(ota_store_download_finish(s), OTA_STORE_OK);
    }
    uint8_t slot = store_fixture_store_version(d->fx, 2, 6000);
    assert_int_equal(slot, 1);
    assert_int_equal(ota_store_set_running(s, 2, slot), OTA_STORE_OK);

    mock_init(&d->net);
    ota_agent_config_t cfg = *cfg_in;
    cfg.running_version = 2;
    cfg.on_event = event_log_record;
    cfg.event_user = &d->events;
    ota_agent_ports_t ports = {.transport = mock_transport(&d->net), .store = s,
                               .reset = count_reset, .reset_ctx = d,
                               .random32 = random32, .random_ctx = random_ctx};
    assert_int_equal(ota_agent_init(&d->agent, &cfg, &ports), OTA_AGENT_OK);
    return d;
}

bool mock_device_poll_until(mock_device_t *d, uint32_t *t, ota_event_type_t type, size_t n,
                            uint32_t limit)
{
    for (uint32_t end = *t + limit; *t <= end; *t += MOCK_DEVICE_STEP_MS) {
        (void)ota_agent_poll(&d->agent, *t);
        if (event_log_count(&d->events, type) >= n) {
            return true;
        }
    }
    return false;
}

void mock_device_poll_to(mock_device_t *d, uint32_t *t, uint32_t end)
{
    for (; *t < end; *t += MOCK_DEVICE_STEP_MS) {
        (void)ota_agent_poll(&d->agent, *t);
    }
}

void mock_device_free(mock_device_t *d)
{
    store_fixture_close(d->fx);
    free(d);
}
