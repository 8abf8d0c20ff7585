/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The example applications' console (examples/common/app_console.c): each `sysota` command
 * does what it says to the agent and answers a line a user can read; malformed and hostile
 * lines (too long, control bytes, non-ASCII, too many words, numbers out of range, random
 * bytes) are refused with a line and change nothing, never crash (ASan/UBSan).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app_console.h"
#include "mock_device.h"

#define ANSWERS_MAX 64u

typedef struct device {
    mock_device_t *m;          /* v2 running, its agent on http://ota.example/ota.json */
    app_console_t console;
    size_t answers;            /* answer lines since the last type() */
    size_t total_answers;
    char answer[ANSWERS_MAX][APP_CONSOLE_OUT_MAX];
} device_t;

static void record(void *ctx, const char *line)
{
    device_t *d = ctx;
    size_t len = strlen(line);
    assert_true(len < APP_CONSOLE_OUT_MAX);
    assert_memory_equal(line, "sysota: ", 8);
    if (d->answers < ANSWERS_MAX) {
        memcpy(d->answer[d->answers], line, len + 1u);
    }
    d->answers++;
    d->total_answers++;
}

static device_t *device_open(void)
{
    device_t *d = calloc(1, sizeof *d);
    assert_non_null(d);
    ota_agent_config_t cfg;
    mock_device_config(&cfg);
    d->m = mock_device_open(&cfg, false);
    app_console_init(&d->console, &d->m->agent, &d->m->fx->store, 2, record, d);
    return d;
}

static void device_free(device_t *d)
{
    mock_device_free(d->m);
    free(d);
}

/* Type text (lines end in \n); returns the last non-DONE request, else DONE. */
static app_request_t type_bytes(device_t *d, const char *text, size_t len)
{
    app_request_t r = APP_REQUEST_DONE;
    d->answers = 0;
    for (size_t i = 0; i < len; i++) {
        app_request_t one = app_console_putc(&d->console, text[i]);
        r = one != APP_REQUEST_DONE ? one : r;
    }
    return r;
}

static app_request_t type(device_t *d, const char *text)
{
    return type_bytes(d, text, strlen(text));
}

/* Some answer line since the last type() contains needle. */
static void assert_answered(const device_t *d, const char *needle)
{
    for (size_t i = 0; i < d->answers && i < ANSWERS_MAX; i++) {
        if (strstr(d->answer[i], needle) != NULL) {
            return;
        }
    }
    for (size_t i = 0; i < d->answers && i < ANSWERS_MAX; i++) {
        print_message("answer: %s\n", d->answer[i]);
    }
    fail_msg("no answer contains \"%s\"", needle);
}

static ota_agent_settings_t settings(const device_t *d)
{
    ota_agent_settings_t s;
    assert_int_equal(ota_agent_get_settings(&d->m->agent, &s), OTA_AGENT_OK);
    return s;
}

static void test_set_then_get_info(void **unused)
{
    (void)unused;
    device_t *d = device_open();
    type(d, "sysota set period 5\n");
    assert_answered(d, "sysota: settings: period 5 s, auto update on, auto reset on, url "
                       "http://ota.example/ota.json");
    assert_int_equal(settings(d).period_s, 5);
    type(d, "sysota get info\r\n"); /* a terminal's CR LF */
    assert_answered(d, "sysota: period: 5 s (periodic check on)");
    assert_answered(d, "sysota: status: idle");
    assert_answered(d, "sysota: running version: 2");
    assert_answered(d, "sysota: url: http://ota.example/ota.json");

    type(d, "sysota set url https://ota.example/v2/ota.json\n");
    assert_string_equal(settings(d).manifest_url, "https://ota.example/v2/ota.json");
    type(d, "  sysota\tset auto   update off \n"); /* blanks anywhere */
    assert_false(settings(d).auto_update);
    type(d, "sysota set auto reset 0\n");
    assert_false(settings(d).auto_reset);
    type(d, "sysota get info\n");
    assert_answered(d, "sysota: auto update: off");
    assert_answered(d, "sysota: auto reset: off");
    type(d, "sysota set url none\n");
    assert_null(settings(d).manifest_url);
    type(d, "sysota check\n");
    assert_answered(d, "sysota: check refused: invalid configuration");
    device_free(d);
}

/* The original's one-line form: periodic check, auto reset, auto update, interval, URL. */
static void test_original_set_form(void **unused)
{
    (void)unused;
    device_t *d = device_open();
    type(d, "sysota set 1 0 0 30 http://10.0.0.2:8000/ota.json\n");
    ota_agent_settings_t s = settings(d);
    assert_int_equal(s.period_s, 30);
    assert_false(s.auto_reset);
    assert_false(s.auto_update);
    assert_string_equal(s.manifest_url, "http://10.0.0.2:8000/ota.json");
    type(d, "sysota set 0 1 1\n"); /* periodic check off: on demand only */
    s = settings(d);
    assert_int_equal(s.period_s, 0);
    assert_true(s.auto_reset && s.auto_update);
    assert_answered(d, "period 0 s");
    type(d, "sysota set 1 1 1\n"); /* on again without an interval: the default */
    assert_int_equal(settings(d).period_s, OTA_AGENT_PERIOD_DEFAULT_S);
    type(d, "sysota set 2 1 1\n");
    assert_answered(d, "refused");
    type(d, "sysota set 1 1\n");
    assert_answered(d, "refused");
    assert_int_equal(settings(d).period_s, OTA_AGENT_PERIOD_DEFAULT_S);
    device_free(d);
}

static void test_getfs_info_lists_the_slots(void **unused)
{
    (void)unused;
    device_t *d = device_open();
    type(d, "sysota getfs info\n");
    assert_int_equal(d->answers, ota_store_slot_count(&d->m->fx->store) + 1u);
    assert_answered(d, "sysota: slot 0 (factory): empty");
    assert_answered(d, "sysota: slot 1: installed, version 2, 6000 bytes (running)");
    assert_answered(d, "sysota: slot 2: empty");
    assert_answered(d, "sysota: boot: confirmed, running version 2");
    device_free(d);
}

static void test_actions_reach_the_agent(void **unused)
{
    (void)unused;
    device_t *d = device_open();
    mock_add(&d->m->net, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", OTA_NET_ERR_CLOSED);
    type(d, "sysota set period 0\n");
    type(d, "sysota check\n");
    assert_answered(d, "sysota: check: ok");
    for (uint32_t t = 0; t < 1000; t += 10) {
        (void)ota_agent_poll(&d->m->agent, t);
    }
    assert_int_equal(event_log_count(&d->m->events, OTA_EVT_CHECK_STARTED), 1);
    assert_int_equal(mock_sent_count(&d->m->net, "GET /ota.json "), 1);
    type(d, "sysota update\n");
    assert_answered(d, "sysota: update refused: ");
    type(d, "sysota factory-reset\n"); /* no factory image in this store */
    assert_answered(d, "sysota: factory-reset refused: image store refused");
    assert_int_equal(ota_agent_state(&d->m->agent), OTA_AGENT_IDLE);
    assert_int_equal(type(d, "sysota reset\n"), APP_REQUEST_RESET);
    assert_int_equal(type(d, "sysota get info\n"), APP_REQUEST_DONE);
    device_free(d);
}

/* Each malformed line: one refusal, and the settings are as they were. */
static void test_malformed_lines_are_refused(void **unused)
{
    (void)unused;
    device_t *d = device_open();
    const ota_agent_settings_t before = settings(d);
    static const struct {
        const char *line;
        const char *answer;
    } cases[] = {
        {"sysota set period 7201\n", "period must be a number from 0 to 7200, not '7201'"},
        {"sysota set period 99999999999999999999\n", "period must be a number"},
        {"sysota set period -1\n", "period must be a number"},
        {"sysota set period\n", "refused: sysota set url URL"},
        {"sysota set period 5 6\n", "refused: sysota set url URL"},
        {"sysota set auto update maybe\n", "auto update takes on or off"},
        {"sysota set auto sideways on\n", "refused: sysota set url URL"},
        {"sysota set url ftp://ota.example/x\n", "set refused: unusable URL"},
        {"sysota set url http://\n", "set refused: unusable URL"},
        {"sysota set 1 1 1 9000\n", "interval must be a number from 0 to 7200"},
        {"sysota set 1 1 1 5 http://a/ extra\n", "refused: sysota set C R U"},
        {"sysota get\n", "unknown command 'get'"},
        {"sysota getfs everything\n", "unknown command 'getfs'"},
        {"sysota launch\n", "unknown command 'launch'"},
        {"format c:\n", "unknown command 'format'"},
        {"sysota set url http://a/\x01\n", "not printable ASCII"},
        {"sysota get info\x1b[A\n", "not printable ASCII"},
        {"sysota \xff\xfe\n", "not printable ASCII"},
        {"a b c d e f g h i\n", "too many words"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        type(d, cases[i].line);
        assert_int_equal(d->answers, 1);
        assert_answered(d, cases[i].answer);
        const ota_agent_settings_t now = settings(d);
        assert_string_equal(now.manifest_url, before.manifest_url);
        assert_int_equal(now.period_s, before.period_s);
        assert_int_equal(now.auto_update, before.auto_update);
        assert_int_equal(now.auto_reset, before.auto_reset);
    }
    /* blank lines are no command: no answer */
    type(d, "\n\r\n   \t \n");
    assert_int_equal(d->answers, 0);
    /* a NUL byte is refused too (not a hidden end of line) */
    type_bytes(d, "sysota set period 5\0 0\n", 23);
    assert_answered(d, "not printable ASCII");
    assert_int_equal(settings(d).period_s, before.period_s);
    device_free(d);
}

/* A line over the buffer: refused whole at its end, and the next line works. */
static void test_long_line_is_refused_whole(void **unused)
{
    (void)unused;
    device_t *d = device_open();
    static char longline[100000];
    strcpy(longline, "sysota set url http://ota.example/");
    memset(longline + strlen(longline), 'a', sizeof longline - strlen(longline) - 2u);
    longline[sizeof longline - 2u] = '\n';
    type(d, longline);
    assert_int_equal(d->answers, 1);
    char want[64];
    snprintf(want, sizeof want, "refused: line longer than %u characters",
             (unsigned)APP_CONSOLE_LINE_MAX - 1u);
    assert_answered(d, want);
    assert_string_equal(settings(d).manifest_url, "http://ota.example/ota.json");
    /* a URL as long as the agent takes fits the line */
    static char url_line[APP_CONSOLE_LINE_MAX];
    int n = snprintf(url_line, sizeof url_line, "sysota set url http://ota.example/");
    memset(url_line + n, 'b', OTA_URL_MAX - 1u - strlen("http://ota.example/"));
    strcat(url_line, "\n");
    type(d, url_line);
    assert_answered(d, "sysota: settings:");
    assert_int_equal(strlen(settings(d).manifest_url), OTA_URL_MAX - 1u);
    type(d, "sysota set period 7\n");
    assert_int_equal(settings(d).period_s, 7);
    device_free(d);
}

/* Random bytes and pieces of commands, a million of them: every non-blank line gets an
 * answer, every answer is a bounded "sysota: " line, the settings stay valid. */
static void test_random_lines_never_crash(void **unused)
{
    (void)unused;
    device_t *d = device_open();
    static const char *const pieces[] = {
        "sysota ", "set ", "get ", "info ", "getfs ", "url ", "period ", "auto ", "update ",
        "reset ", "on ", "off ", "0 ", "1 ", "7200 ", "7201 ", "http://h/x ", "none ",
        "check ", "rollback ", "sysotahelp ", "\t", " ", "\n", "\r",
    };
    uint32_t seed = 12345u;
    size_t lines = 0;
    bool blank = true;
    for (unsigned i = 0; i < 1000000u; i++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t r = seed >> 8;
        char buf[16];
        const char *text;
        size_t len;
        if (r % 4u == 0u) {
            buf[0] = (char)(r >> 4);
            text = buf;
            len = 1;
        } else {
            text = pieces[(r >> 4) % (sizeof pieces / sizeof pieces[0])];
            len = strlen(text);
        }
        if (strstr(text, "reset") != NULL) {
            continue; /* `sysota reset` would only return RESET: kept out of the count */
        }
        for (size_t k = 0; k < len; k++) {
            char ch = text[k];
            if (ch == '\n' || ch == '\r') {
                lines += blank ? 0u : 1u;
                blank = true;
            } else if (ch != ' ' && ch != '\t') {
                blank = false;
            }
            (void)app_console_putc(&d->console, ch);
        }
        const ota_agent_settings_t s = settings(d);
        assert_true(s.period_s <= OTA_AGENT_PERIOD_MAX_S);
    }
    assert_true(d->total_answers >= lines);
    assert_true(lines > 1000u);
    device_free(d);
}

/* Without an agent (it failed to start) the agent's commands are refused, reset works. */
static void test_without_agent(void **unused)
{
    (void)unused;
    device_t *d = device_open();
    app_console_init(&d->console, NULL, &d->m->fx->store, 2, record, d);
    type(d, "sysota get info\n");
    assert_answered(d, "refused: no update agent runs");
    assert_int_equal(type(d, "sysota reset\n"), APP_REQUEST_RESET);
    type(d, "sysotahelp\n");
    assert_answered(d, "sysota set period N");
    device_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_then_get_info),
        cmocka_unit_test(test_original_set_form),
        cmocka_unit_test(test_getfs_info_lists_the_slots),
        cmocka_unit_test(test_actions_reach_the_agent),
        cmocka_unit_test(test_malformed_lines_are_refused),
        cmocka_unit_test(test_long_line_is_refused_whole),
        cmocka_unit_test(test_random_lines_never_crash),
        cmocka_unit_test(test_without_agent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
