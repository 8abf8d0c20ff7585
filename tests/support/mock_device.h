/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A device for unit tests of what the application asks its agent: version 2 runs (confirmed,
 * from slot 1), optionally with version 1 as its factory image; the agent talks to a scripted
 * mock transport, records its events and counts the resets it asks for.
 */
#ifndef OTAFLOW_TEST_MOCK_DEVICE_H
#define OTAFLOW_TEST_MOCK_DEVICE_H

#include <stdbool.h>

#include "event_log.h"
#include "mock_transport.h"
#include "otaflow/agent.h"
#include "store_fixture.h"

typedef struct mock_device {
    store_fixture_t *fx;
    mock_transport_t net;   /**< empty script: add connections with mock_add */
    event_log_t events;
    unsigned resets;        /**< calls of the reset port */
    ota_agent_t agent;
} mock_device_t;

/** Defaults with the manifest URL http://ota.example/ota.json. */
void mock_device_config(ota_agent_config_t *cfg);

/** A new device (calloc; cmocka-asserts) whose agent was started with cfg, running_version 2
 *  and the device's event log and reset counter. */
mock_device_t *mock_device_open(const ota_agent_config_t *cfg, bool factory_v1);

/** mock_device_open() with ports.random32 and random_ctx (the agent's jitter). */
mock_device_t *mock_device_open_random(const ota_agent_config_t *cfg, bool factory_v1,
                                       uint32_t (*random32)(void *ctx), void *random_ctx);

/** The fake clock's step between two polls of mock_device_poll_until / _poll_to. */
#define MOCK_DEVICE_STEP_MS 10u

/** Poll every MOCK_DEVICE_STEP_MS from *t until the agent reported `n` events of type `type`
 *  in all (true) or `limit` ms passed (false); *t is left at the poll that saw the n-th. */
bool mock_device_poll_until(mock_device_t *d, uint32_t *t, ota_event_type_t type, size_t n,
                            uint32_t limit);

/** Poll every MOCK_DEVICE_STEP_MS from *t up to (not including) `end`. */
void mock_device_poll_to(mock_device_t *d, uint32_t *t, uint32_t end);

/** Release its flash and free it. */
void mock_device_free(mock_device_t *d);

#endif /* OTAFLOW_TEST_MOCK_DEVICE_H */
