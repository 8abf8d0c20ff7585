/* SPDX-License-Identifier: Apache-2.0 */
/* The example applications' `sysota` console (see app_console.h). */
#include "app_console.h"

#include <string.h>

#include "app_text.h"

#define WORDS_MAX 8u
#define PREFIX "sysota: "

typedef struct words {
    const char *w[WORDS_MAX];
    size_t n;
} words_t;

/* An answer: PREFIX and up to three pieces (NULL: none). */
static void say(app_console_t *c, const char *a, const char *b, const char *d)
{
    app_text_t t;
    app_text_init(&t, c->answer, sizeof c->answer);
    app_text_str(&t, PREFIX);
    app_text_str(&t, a);
    app_text_str(&t, b != NULL ? b : "");
    app_text_str(&t, d != NULL ? d : "");
    c->out(c->out_ctx, c->answer);
}

/* "<what>: <n><unit>" */
static void say_u32(app_console_t *c, const char *what, uint32_t n, const char *unit)
{
    app_text_t t;
    app_text_init(&t, c->answer, sizeof c->answer);
    app_text_str(&t, PREFIX);
    app_text_str(&t, what);
    app_text_u32(&t, n);
    app_text_str(&t, unit);
    c->out(c->out_ctx, c->answer);
}

static void say_refused(app_console_t *c, const char *what, ota_agent_status_t st)
{
    say(c, what, " refused: ", ota_agent_status_str(st));
}

static const char *const HELP[] = {
    "commands:",
    "  sysota set url URL|none        the manifest URL (none: no checks)",
    "  sysota set period N            seconds between checks, 0..7200 (0: on demand)",
    "  sysota set auto update on|off  download an available update at once",
    "  sysota set auto reset on|off   reset once an image is ready",
    "  sysota set C R U [N [URL]]     periodic check, auto reset, auto update (0|1), "
    "interval, URL",
    "  sysota get info                status and settings",
    "  sysota getfs info              the image store's slots",
    "  sysota check | update          check now | download the announced update",
    "  sysota rollback | factory-reset  that image at the next reset",
    "  sysota reset                   reset the board now",
};

static void help(app_console_t *c)
{
    for (size_t i = 0; i < sizeof HELP / sizeof HELP[0]; i++) {
        say(c, HELP[i], NULL, NULL);
    }
}

/* Decimal 0..max, digits only; false otherwise (no overflow: checked digit by digit). */
static bool parse_u32(const char *s, uint32_t max, uint32_t *out)
{
    uint32_t v = 0;
    if (*s == '\0') {
        return false;
    }
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9') {
            return false;
        }
        uint32_t digit = (uint32_t)(*s - '0');
        if (v > (max - digit) / 10u) {
            return false;
        }
        v = v * 10u + digit;
    }
    *out = v;
    return true;
}

static bool parse_on_off(const char *s, bool *out)
{
    if (strcmp(s, "on") == 0 || strcmp(s, "1") == 0) {
        *out = true;
    } else if (strcmp(s, "off") == 0 || strcmp(s, "0") == 0) {
        *out = false;
    } else {
        return false;
    }
    return true;
}

static const char *on_off(bool v)
{
    return v ? "on" : "off";
}

/* The settings as they are now, on one line. */
static void say_settings(app_console_t *c, const ota_agent_settings_t *s)
{
    app_text_t t;
    app_text_init(&t, c->answer, sizeof c->answer);
    app_text_str(&t, PREFIX "settings: period ");
    app_text_u32(&t, s->period_s);
    app_text_str(&t, " s, auto update ");
    app_text_str(&t, on_off(s->auto_update));
    app_text_str(&t, ", auto reset ");
    app_text_str(&t, on_off(s->auto_reset));
    app_text_str(&t, ", url ");
    app_text_str(&t, s->manifest_url != NULL ? s->manifest_url : "none");
    c->out(c->out_ctx, c->answer);
}

/* The original's `sysota set C R U [N [URL]]`; false (after saying why) when malformed. */
static bool set_original(app_console_t *c, const words_t *w, ota_agent_settings_t *s)
{
    bool periodic, reset, update;
    if (!parse_on_off(w->w[2], &periodic) || w->n < 5u || !parse_on_off(w->w[3], &reset) ||
        !parse_on_off(w->w[4], &update) || w->n > 7u) {
        say(c, "refused: sysota set C R U [N [URL]] takes 0 or 1 for C, R and U", NULL, NULL);
        return false;
    }
    uint32_t period = s->period_s != 0u ? s->period_s : OTA_AGENT_PERIOD_DEFAULT_S;
    if (w->n >= 6u && !parse_u32(w->w[5], OTA_AGENT_PERIOD_MAX_S, &period)) {
        say(c, "refused: the interval must be a number from 0 to 7200, not '", w->w[5], "'");
        return false;
    }
    s->period_s = periodic ? period : 0u;
    s->auto_reset = reset;
    s->auto_update = update;
    if (w->n == 7u) {
        s->manifest_url = strcmp(w->w[6], "none") == 0 ? NULL : w->w[6];
    }
    return true;
}

/* `sysota set url|period|auto ...`; false (after saying why) when malformed. */
static bool set_named(app_console_t *c, const words_t *w, ota_agent_settings_t *s)
{
    const char *what = w->w[2];
    if (strcmp(what, "url") == 0 && w->n == 4u) {
        s->manifest_url = strcmp(w->w[3], "none") == 0 ? NULL : w->w[3];
    } else if (strcmp(what, "period") == 0 && w->n == 4u) {
        if (!parse_u32(w->w[3], OTA_AGENT_PERIOD_MAX_S, &s->period_s)) {
            say(c, "refused: the period must be a number from 0 to 7200, not '", w->w[3],
                "'");
            return false;
        }
    } else if (strcmp(what, "auto") == 0 && w->n == 5u &&
               (strcmp(w->w[3], "update") == 0 || strcmp(w->w[3], "reset") == 0)) {
        bool *field = w->w[3][0] == 'u' ? &s->auto_update : &s->auto_reset;
        if (!parse_on_off(w->w[4], field)) {
            say(c, "refused: auto ", w->w[3], " takes on or off");
            return false;
        }
    } else {
        say(c, "refused: sysota set url URL | period N | auto update|reset on|off", NULL, NULL);
        return false;
    }
    return true;
}

static void cmd_set(app_console_t *c, const words_t *w)
{
    ota_agent_settings_t s;
    if (w->n < 3u) {
        help(c);
        return;
    }
    (void)ota_agent_get_settings(c->agent, &s);
    bool original = w->w[2][0] >= '0' && w->w[2][0] <= '9';
    if (!(original ? set_original(c, w, &s) : set_named(c, w, &s))) {
        return;
    }
    ota_agent_status_t st = ota_agent_set_settings(c->agent, &s);
    if (st != OTA_AGENT_OK) {
        say_refused(c, "set", st);
        return;
    }
    (void)ota_agent_get_settings(c->agent, &s);
    say_settings(c, &s);
}

static void cmd_get_info(app_console_t *c)
{
    ota_agent_settings_t s;
    (void)ota_agent_get_settings(c->agent, &s);
    say(c, "status: ", ota_agent_state_str(ota_agent_state(c->agent)), NULL);
    say_u32(c, "running version: ", c->running_version, "");
    say(c, "url: ", s.manifest_url != NULL ? s.manifest_url : "none", NULL);
    say_u32(c, "period: ", s.period_s, s.period_s != 0u ? " s (periodic check on)"
                                                         : " s (periodic check off)");
    say(c, "auto update: ", on_off(s.auto_update), NULL);
    say(c, "auto reset: ", on_off(s.auto_reset), NULL);
    uint32_t bytes = 0, total = 0;
    if (ota_agent_progress(c->agent, &bytes, &total)) {
        app_text_t t;
        app_text_init(&t, c->answer, sizeof c->answer);
        app_text_str(&t, PREFIX "downloading: ");
        app_text_u32(&t, bytes);
        app_text_str(&t, " of ");
        app_text_u32(&t, total);
        app_text_str(&t, " bytes");
        c->out(c->out_ctx, c->answer);
    }
}

static void cmd_getfs_info(app_console_t *c)
{
    const ota_store_boot_t *b = ota_store_boot(c->store);
    app_text_t t;
    for (uint8_t i = 0; i < ota_store_slot_count(c->store); i++) {
        const ota_store_slot_t *slot = ota_store_slot(c->store, i);
        app_text_init(&t, c->answer, sizeof c->answer);
        app_text_str(&t, PREFIX "slot ");
        app_text_u32(&t, i);
        app_text_str(&t, i == OTA_STORE_FACTORY_SLOT ? " (factory): " : ": ");
        app_text_str(&t, ota_slot_state_str(slot->state));
        if (slot->state != OTA_SLOT_EMPTY) {
            app_text_str(&t, ", version ");
            app_text_u32(&t, slot->version);
            app_text_str(&t, ", ");
            app_text_u32(&t, slot->state == OTA_SLOT_DOWNLOADING ? slot->offset : slot->size);
            app_text_str(&t, " bytes");
        }
        app_text_str(&t, i == b->running_slot ? " (running)" : "");
        c->out(c->out_ctx, c->answer);
    }
    app_text_init(&t, c->answer, sizeof c->answer);
    app_text_str(&t, PREFIX "boot: ");
    app_text_str(&t, ota_boot_state_str(b->state));
    app_text_str(&t, ", running version ");
    app_text_u32(&t, b->running_version);
    c->out(c->out_ctx, c->answer);
}

/* check, update, rollback, factory-reset: the agent's calls. false: not one of them. */
static bool cmd_action(app_console_t *c, const char *verb)
{
    ota_agent_status_t st;
    if (strcmp(verb, "check") == 0) {
        st = ota_agent_check_now(c->agent);
    } else if (strcmp(verb, "update") == 0) {
        st = ota_agent_download(c->agent);
    } else if (strcmp(verb, "rollback") == 0) {
        st = ota_agent_rollback(c->agent);
    } else if (strcmp(verb, "factory-reset") == 0) {
        st = ota_agent_factory_reset(c->agent);
    } else {
        return false;
    }
    if (st == OTA_AGENT_OK) {
        say(c, verb, ": ok", NULL);
    } else {
        say_refused(c, verb, st);
    }
    return true;
}

static bool is(const words_t *w, size_t i, const char *word)
{
    return w->n > i && strcmp(w->w[i], word) == 0;
}

static app_request_t run_words(app_console_t *c, const words_t *w)
{
    if (is(w, 0, "sysotahelp") || (w->n == 1u && is(w, 0, "sysota")) ||
        (w->n == 2u && is(w, 1, "help"))) {
        help(c);
        return APP_REQUEST_DONE;
    }
    if (!is(w, 0, "sysota")) {
        say(c, "unknown command '", w->w[0], "' (sysotahelp lists the commands)");
        return APP_REQUEST_DONE;
    }
    if (w->n == 2u && is(w, 1, "reset")) {
        say(c, "reset", NULL, NULL);
        return APP_REQUEST_RESET;
    }
    if (c->agent == NULL) {
        say(c, "refused: no update agent runs", NULL, NULL);
        return APP_REQUEST_DONE;
    }
    if (is(w, 1, "set")) {
        cmd_set(c, w);
    } else if (w->n == 3u && is(w, 1, "get") && is(w, 2, "info")) {
        cmd_get_info(c);
    } else if (w->n == 3u && is(w, 1, "getfs") && is(w, 2, "info")) {
        cmd_getfs_info(c);
    } else if (w->n != 2u || !cmd_action(c, w->w[1])) {
        say(c, "unknown command '", w->w[1], "' (sysotahelp lists the commands)");
    }
    return APP_REQUEST_DONE;
}

/* The line in c->line: split at blanks (in place) and run. */
static app_request_t run_line(app_console_t *c)
{
    words_t w = {.n = 0};
    char *p = c->line;
    for (;;) {
        while (*p == ' ' || *p == '\t') {
            *p++ = '\0';
        }
        if (*p == '\0') {
            break;
        }
        if (w.n == WORDS_MAX) {
            say(c, "refused: too many words (at most 8)", NULL, NULL);
            return APP_REQUEST_DONE;
        }
        w.w[w.n++] = p;
        while (*p != '\0' && *p != ' ' && *p != '\t') {
            p++;
        }
    }
    return w.n == 0u ? APP_REQUEST_DONE : run_words(c, &w);
}

void app_console_init(app_console_t *c, ota_agent_t *agent, const ota_store_t *store,
                      uint32_t running_version, app_console_out_fn out, void *out_ctx)
{
    memset(c, 0, sizeof *c);
    c->agent = agent;
    c->store = store;
    c->running_version = running_version;
    c->out = out;
    c->out_ctx = out_ctx;
}

app_request_t app_console_putc(app_console_t *c, char ch)
{
    if (ch != '\r' && ch != '\n') {
        if (c->len + 1u >= sizeof c->line) {
            c->too_long = true;
        } else {
            c->line[c->len++] = ch;
        }
        c->bad_char = c->bad_char || ((ch < ' ' || ch > '~') && ch != '\t');
        return APP_REQUEST_DONE;
    }
    c->line[c->len] = '\0';
    app_request_t r = APP_REQUEST_DONE;
    if (c->too_long) {
        say_u32(c, "refused: line longer than ", (uint32_t)(sizeof c->line - 1u),
                " characters");
    } else if (c->bad_char) {
        say(c, "refused: the line holds a byte that is not printable ASCII", NULL, NULL);
    } else {
        r = run_line(c);
    }
    c->len = 0;
    c->too_long = false;
    c->bad_char = false;
    return r;
}
