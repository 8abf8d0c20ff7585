/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the integration tests add to agent_device for running the agent against real servers
 * on 127.0.0.1: a temporary directory with www/ (the served files), images and manifests made
 * with the otaflow-image tool, nginx started with a private configuration, and cmocka-asserting
 * shortcuts over agent_device. Failures are cmocka assertions.
 */
#ifndef OTAFLOW_TEST_AGENT_HARNESS_H
#define OTAFLOW_TEST_AGENT_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent_device.h"
#include "test_server.h"

/** The test's temporary directory and its www/ (set by harness_setup_dir()). */
extern char harness_tmpdir[256];
extern char harness_www[300];

/** cmocka group setup / teardown: create and remove harness_tmpdir with www/ and nginx-tmp/. */
int harness_setup_dir(void **state);
int harness_teardown_dir(void **state);

/** Run a shell command (printf format); asserts it exits 0. */
void harness_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** www/app_vN.ota: a random payload of `size` bytes packed as version N. */
void harness_pack(uint32_t version, unsigned size);

/** Remove www/ota.json. */
void harness_manifest_reset(void);

/** Add an entry to www/ota.json with the URL base/name, digest from www/file. */
void harness_manifest_add(uint32_t version, const char *base, const char *name,
                          const char *file, bool erase);

/** test_read_file(), asserting the file could be read. */
uint8_t *harness_read_file(const char *path, size_t *len);

/** Start d's agent on manifest_url with agent_device_config()'s settings; asserts it accepted
 *  them. */
void harness_device_start(agent_device_t *d, const char *manifest_url, uint32_t running,
                          uint32_t period_s);

/** The slot holding version holds exactly the bytes of www/app_vN.ota, and verifies. */
void harness_assert_slot_is_file(agent_device_t *d, uint32_t version);

/** No slot holds an image, no install is pending, the store's invariants hold
 *  (agent_device_nothing_stored()). */
void harness_assert_nothing_stored(agent_device_t *d);

/**
 * nginx with a private config in harness_tmpdir (no root paths; logs and temp files there):
 * `servers` is the text of the server blocks. Waits until 127.0.0.1:port (one of theirs)
 * accepts.
 */
void harness_nginx_start(test_server_t *s, uint16_t port, const char *servers);

#endif /* OTAFLOW_TEST_AGENT_HARNESS_H */
