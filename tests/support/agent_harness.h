/*
 * The update agent against real servers on 127.0.0.1, shared by the integration tests: a
 * temporary directory with www/ (served files) made by setup_dir(), images and manifests
 * made with the otaflow-image tool, a device (RAM flash store + socket transport + agent)
 * recording the agent's events, and nginx started with a private configuration.
 * Failures are cmocka assertions.
 */
#ifndef OTAFLOW_AGENT_HARNESS_H
#define OTAFLOW_AGENT_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "otaflow/agent.h"
#include "store_fixture.h"
#include "test_server.h"
#include "transport_posix.h"

#define MAX_EVENTS 512

typedef struct recorder {
    ota_event_t ev[MAX_EVENTS];
    size_t n;
} recorder_t;

/** The test's temporary directory and its www/ (set by setup_dir()). */
extern char tmpdir[256];
extern char www[300];

/** cmocka group setup / teardown: create and remove tmpdir with www/ and nginx-tmp/. */
int setup_dir(void **state);
int teardown_dir(void **state);

/** Record an event (ota_event_fn; user is a recorder_t). AGENT_TEST_VERBOSE prints them. */
void on_event(void *user, const ota_event_t *e);
size_t count(const recorder_t *r, ota_event_type_t t);
const ota_event_t *last(const recorder_t *r, ota_event_type_t t);

/** Run a shell command (printf format); asserts it exits 0. */
void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Path of otaflow-image in $OTA_BIN. */
const char *tool(void);

/** www/app_vN.ota: a random payload of `size` bytes packed as version N. */
void pack(uint32_t version, unsigned size);

/** Remove www/ota.json. */
void manifest_reset(void);

/** Add an entry to www/ota.json with the URL base/name, digest from www/file. */
void manifest_add(uint32_t version, const char *base, const char *name, const char *file,
                  bool erase);

/** Read a whole file into a malloc'ed buffer (NUL-terminated, *len without the NUL). */
void read_file(const char *path, uint8_t **data, size_t *len);

/** The slot holding version holds exactly the bytes of www/app_vN.ota, and verifies. */
void assert_slot_is_file(ota_store_t *store, uint32_t version);

/** Nothing of version is stored: no slot, no install pending for it. */
void assert_nothing_stored(ota_store_t *store, uint32_t version);

typedef struct device {
    store_fixture_t *fx;
    ota_posix_transport_t sock;
    ota_agent_t agent;
    recorder_t rec;
} device_t;

device_t *device_new(void);
void device_free(device_t *d);

/** Settings every test uses: manifest URL, running version, period, no auto reset, events
 *  recorded in d->rec, short timeouts. The caller may change cfg before device_init(). */
void device_config(device_t *d, ota_agent_config_t *cfg, const char *manifest_url,
                   uint32_t running, uint32_t period_s);

/** Init the agent on d's store and transport (the transport keeps any TLS set on it). */
void device_init(device_t *d, const ota_agent_config_t *cfg);

/** Fresh transport, then device_config() + device_init(). */
void device_start(device_t *d, const char *manifest_url, uint32_t running, uint32_t period_s);

/** Run the agent with the real clock until event t has been seen n times (or timeout). */
void run_until_event(device_t *d, ota_event_type_t t, size_t n, unsigned timeout_ms);

/**
 * nginx with a private config in tmpdir (no root paths; logs and temp files there): `servers`
 * is the text of the server blocks. Waits until 127.0.0.1:port (one of theirs) accepts.
 */
void nginx_start(test_server_t *s, uint16_t port, const char *servers);

#endif /* OTAFLOW_AGENT_HARNESS_H */
