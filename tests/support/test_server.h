/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Servers started by a test: fork + exec a command whose stdout announces the port it listens
 * on ("... port <n> ..."), wait until it accepts, and stop it at the end. The child dies with
 * the test process (PR_SET_PDEATHSIG), so a crashing test never leaves a server behind.
 */
#ifndef OTAFLOW_TEST_SERVER_H
#define OTAFLOW_TEST_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct test_server {
    pid_t pid;        /**< 0 when not running */
    int out_fd;       /**< read end of the child's stdout */
    uint16_t port;
} test_server_t;

/**
 * Start argv (argv[0] looked up in PATH) in directory cwd (NULL = current), stderr to
 * stderr_path (NULL = /dev/null). Waits up to timeout_ms for the port announcement and for
 * the port to accept on host. Returns false (and leaves nothing running) on failure.
 */
bool test_server_start(test_server_t *s, char *const argv[], const char *cwd,
                       const char *stderr_path, const char *host, int timeout_ms);

/** Stop the server (SIGTERM, then SIGKILL after 2 s) and reap it. Safe to call twice. */
void test_server_stop(test_server_t *s);

/** A TCP port on 127.0.0.1 with nothing listening (bound, then released). 0 on failure. */
uint16_t test_server_closed_port(void);

/** The Python to run test servers with: $OTA_PYTHON, else /usr/bin/python3 when present (a
 *  version-manager shim found first in PATH can take over a second to start), else "python3". */
char *test_python(void);

/** Directory of the test sources ($OTA_SOURCE_DIR, else the compiled-in guess). */
const char *test_source_dir(void);

#endif /* OTAFLOW_TEST_SERVER_H */
