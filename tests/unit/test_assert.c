/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OTA_ASSERT in the host build (docs/configuration.md): an internal invariant of the core that
 * breaks reaches the port's hook, which says where on stderr and aborts; the same call with
 * the invariant intact runs through. Each case runs in a child process.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "journal.h"

/* Room for any record the tests ask for, so that a call that goes on writes inside it. */
static uint8_t out[2u * OTA_STORE_RECORD_BUF];

typedef struct child_result {
    int status;      /* waitpid status */
    char err[512];   /* what the child wrote to stderr */
} child_result_t;

/* Encode an empty state with a layout whose record positions are record_size bytes. */
static void encode_with_record_size(uint32_t record_size)
{
    ota_store_layout_t layout = {.journal_sector_size = 4096u, .record_size = record_size,
                                 .records_per_sector = 4096u / record_size,
                                 .slot_size = 0x10000u, .download_slots = 2u};
    static ota_store_state_t state;
    ota_journal_encode(&layout, &state, 1u, out);
}

static void run_in_child(uint32_t record_size, child_result_t *r)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        dup2(fds[1], STDERR_FILENO);
        encode_with_record_size(record_size);
        _exit(0);
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t got;
    while ((got = read(fds[0], r->err + n, sizeof r->err - 1u - n)) > 0) {
        n += (size_t)got;
    }
    r->err[n] = '\0';
    close(fds[0]);
    assert_int_equal(waitpid(pid, &r->status, 0), pid);
}

static void test_broken_invariant_aborts_with_its_place(void **unused)
{
    (void)unused;
    if (!OTA_ENABLE_ASSERT) {
        skip(); /* configured with -DOTA_ASSERT=OFF: nothing to check */
    }
    child_result_t r;
    /* A record position larger than the store's record buffer: no layout the store computes
     * is like that, so only a bug could get here. */
    run_in_child(2u * OTA_STORE_RECORD_BUF, &r);
    assert_true(WIFSIGNALED(r.status));
    assert_int_equal(WTERMSIG(r.status), SIGABRT);
    assert_non_null(strstr(r.err, "otaflow: internal assertion failed: "));
    assert_non_null(strstr(r.err, "layout->record_size <= OTA_STORE_RECORD_BUF"));
    assert_non_null(strstr(r.err, "journal.c:"));
}

static void test_intact_invariant_runs_through(void **unused)
{
    (void)unused;
    child_result_t r;
    run_in_child(256u, &r);
    assert_true(WIFEXITED(r.status));
    assert_int_equal(WEXITSTATUS(r.status), 0);
    assert_string_equal(r.err, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_broken_invariant_aborts_with_its_place),
        cmocka_unit_test(test_intact_invariant_runs_through),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
