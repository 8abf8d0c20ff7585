/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A device for tests that run the update agent against real servers on 127.0.0.1: the agent on
 * the POSIX socket transport and the real monotonic clock, the image store on the strict RAM
 * flash model of an SST26VF032B (store_fixture), and a record of every event it reported
 * (event_log).
 * Functions return what they found; the test asserts.
 */
#ifndef OTAFLOW_TEST_AGENT_DEVICE_H
#define OTAFLOW_TEST_AGENT_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event_log.h"
#include "otaflow/agent.h"
#include "store_fixture.h"
#include "transport_posix.h"

typedef struct agent_device {
    store_fixture_t *fx;
    ota_posix_transport_t sock;
    ota_agent_t agent;
    event_log_t log;
    uint32_t longest_poll_ms; /**< wall time of the slowest ota_agent_poll() so far */
} agent_device_t;

/** A new device with an empty, mounted store (calloc; aborts on failure). */
agent_device_t *agent_device_new(void);

/** Close its socket, release its TLS configuration and its flash, and free it. */
void agent_device_free(agent_device_t *d);

/** A configuration for this device: defaults, manifest_url, running version, period, events
 *  into d->log, auto reset off (the test looks at RESET_PENDING), connect 2 s, idle 3 s. */
void agent_device_config(agent_device_t *d, ota_agent_config_t *cfg, const char *manifest_url,
                         uint32_t running_version, uint32_t period_s);

/** ota_agent_init() on this device's transport (with any TLS set on it) and store. */
ota_agent_status_t agent_device_start(agent_device_t *d, const ota_agent_config_t *cfg);

/**
 * Poll the agent with the real clock until events of type t have been seen n times in all, or
 * timeout_ms passed (then prints what it waited for). Between polls it waits on the socket, or
 * sleeps 1 ms when there is none. Returns true if the events came.
 */
bool agent_device_run_until(agent_device_t *d, ota_event_type_t t, size_t n,
                            unsigned timeout_ms);

/** Like agent_device_run_until(), until failure events have been seen n times in all. */
bool agent_device_run_until_failures(agent_device_t *d, size_t n, unsigned timeout_ms);

/** 0 if the store holds `version` in a slot whose bytes are exactly the file at path and
 *  verify against the slot's digest; else prints why and returns -1. */
int agent_device_slot_is_file(agent_device_t *d, uint32_t version, const char *path);

/** 0 if no slot is STORED or INSTALLED, no install is pending and the store's invariants
 *  hold; else prints why and returns -1. */
int agent_device_nothing_stored(agent_device_t *d);

/** The whole file (malloc'd and NUL-terminated, caller frees), its length without the NUL in
 *  *len; NULL if unreadable. */
uint8_t *test_read_file(const char *path, size_t *len);

#endif /* OTAFLOW_TEST_AGENT_DEVICE_H */
