/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A record of the events the update agent reported, for tests: event_log_record() is the
 * ota_event_fn (user = the event_log_t), and the queries below answer what a test asserts on.
 * Set AGENT_TEST_VERBOSE to print every event as it is recorded.
 */
#ifndef OTAFLOW_TEST_EVENT_LOG_H
#define OTAFLOW_TEST_EVENT_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "otaflow/agent.h"

#define EVENT_LOG_MAX 512

/** Every event the agent reported, in order (the first EVENT_LOG_MAX). */
typedef struct event_log {
    ota_event_t ev[EVENT_LOG_MAX];
    size_t n;
} event_log_t;

/** The ota_event_fn that records into the event_log_t passed as user (prints each event when
 *  AGENT_TEST_VERBOSE is set). */
void event_log_record(void *user, const ota_event_t *e);

/** Number of events of type t. */
size_t event_log_count(const event_log_t *log, ota_event_type_t t);

/** The last event of type t, or NULL. */
const ota_event_t *event_log_last(const event_log_t *log, ota_event_type_t t);

/** Index of the first event of type t at or after from, or -1. */
int event_log_find_from(const event_log_t *log, size_t from, ota_event_type_t t);

/** True for the events that report a failure (check, download, verify, erase, store full). */
bool event_is_failure(ota_event_type_t t);

/** Number of failure events. */
size_t event_log_failures(const event_log_t *log);

/** The n-th failure event (0 = first), or NULL. */
const ota_event_t *event_log_failure(const event_log_t *log, size_t n);

#endif /* OTAFLOW_TEST_EVENT_LOG_H */
