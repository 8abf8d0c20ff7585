/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device under test of the power-cut sweep: a board, the application's building blocks
 * (agent over a scripted transport, confirm), the life loop (boot, application, boot, ...) and
 * the invariant checks of docs/design.md section 6.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otaflow/crypto.h"
#include "powercut.h"
#include "store_fixture.h"

/* A life that needs more power-ons than this is stuck (3 trial boots + roll back is 5). */
#define PC_MAX_ROUNDS 12u
/* Agent polls per application run; a full-size image takes about 500. */
#define PC_MAX_POLLS 100000u

static bool image_valid(const uint8_t *bytes, uint32_t size)
{
    ota_image_source_t src;
    ota_image_buffer_t b;
    ota_image_info_t info;
    uint8_t work[512];
    ota_image_source_buffer(&src, &b, bytes, size);
    return ota_image_parse(&src, &info) == OTA_IMAGE_OK &&
           ota_image_verify(&src, &info, work, sizeof work) == OTA_IMAGE_OK;
}

/* SHA-256 of w's image of version v, in binary and hex. */
static void take_digest(pc_world_t *w, uint32_t v)
{
    uint8_t *d = w->digest[v];
    ota_sha256(w->img[v], w->len[v], d);
    for (unsigned i = 0; i < OTA_SHA256_SIZE; i++) {
        snprintf(w->digest_hex[v] + 2 * i, 3, "%02x", d[i]);
    }
}

boot_fixture_t *pc_board_open(const pc_geometry_t *geo)
{
    boot_fixture_select_internal(geo->internal, geo->app_offset, geo->app_size);
    return boot_fixture_open_external(geo->override);
}

pc_world_t *pc_world_new(const pc_scenario_t *sc, const pc_geometry_t *geo, uint32_t image_size)
{
    pc_world_t *w = calloc(1, sizeof *w);
    if (!w) {
        abort();
    }
    w->scenario = sc;
    w->geometry = geo;
    w->image_size = image_size;
    w->fx = pc_board_open(geo);
    for (uint32_t v = 1; v <= PC_VERSIONS; v++) {
        w->img[v] = malloc(image_size);
        if (!w->img[v]) {
            abort();
        }
        /* Different payloads, so an install really rewrites internal flash. */
        w->len[v] = boot_fixture_image_seeded(w->img[v], image_size, v, 0, (uint8_t)(v - 1u));
        if ((sc->features & PC_PATCH) && v == 2u) {
            /* v1's payload with one byte changed: what a patch is for. */
            w->len[v] = boot_fixture_image_seeded(w->img[v], image_size, v, image_size / 3u, 0);
        }
        /* One security epoch: the scenarios go back from v2 to v1 (rollback, EraseVer of the
         * running version, factory reset), which anti-rollback allows only within it. */
        boot_fixture_set_security_counter(w->img[v], image_size, 1);
    }
    if (sc->features & PC_ONE_SLOT) {
        w->fx->store_config.download_slots = 1;
    }
    if (sc->features & PC_SECURE) {
        pc_secure_world(w);
    }
    if (sc->features & PC_GUARD) {
        pc_guard_world(w);
    }
    if (sc->features & PC_ENCRYPTED) {
        pc_encrypted_world(w);
    }
    for (uint32_t v = 1; v <= PC_VERSIONS; v++) {
        take_digest(w, v);
        if (!image_valid(w->installed[v] ? w->installed[v] : w->img[v], w->len[v])) {
            abort(); /* the checks below compare with these images: they must be valid */
        }
    }
    w->response = malloc(image_size + 512u); /* an encrypted image is no larger */
    if (!w->response) {
        abort();
    }
    if (sc->features & PC_PATCH) {
        pc_patch_world(w);
    }
    return w;
}

void pc_world_free(pc_world_t *w)
{
    if (!w) {
        return;
    }
    boot_fixture_close(w->fx);
    for (uint32_t v = 1; v <= PC_VERSIONS; v++) {
        free(w->img[v]);
        free(w->installed[v]);
    }
    free(w->response);
    free(w->patch);
    free(w->patch_response);
    free(w);
}

int pc_fail(pc_world_t *w, const char *fmt, ...)
{
    if (w->why[0] == '\0') {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(w->why, sizeof w->why, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* The checks never take the word of the code under test: internal flash and every stored
 * slot must hold, byte for byte, one of the images the test itself built and served. (This is
 * also what keeps a sweep of about 10^5 cases on images of up to 913,408 bytes fast: no
 * hashing.) Any other bytes, even a valid image, are a failure. */
uint32_t pc_internal_version(pc_world_t *w)
{
    for (uint32_t v = 1; v <= PC_VERSIONS; v++) {
        const uint8_t *as_installed = w->installed[v] ? w->installed[v] : w->img[v];
        if (boot_fixture_internal_holds(w->fx, as_installed, w->len[v])) {
            return v;
        }
    }
    return 0;
}

/* A STORED/INSTALLED slot: its descriptor names one of the test's images (version, size,
 * digest) and its raw bytes are that image. */
static ota_store_status_t slot_matches(ota_store_t *s, uint8_t slot, void *ctx)
{
    pc_world_t *w = ctx;
    const ota_store_slot_t *d = ota_store_slot(s, slot);
    uint32_t v = d->version;
    if (v < 1 || v > PC_VERSIONS || d->size != w->len[v] ||
        memcmp(d->digest, w->digest[v], OTA_SHA256_SIZE) != 0) {
        fprintf(stderr, "powercut: slot %u claims v%u (%u B), not an image the test served\n",
                (unsigned)slot, (unsigned)v, (unsigned)d->size);
        return OTA_STORE_ERR_DIGEST;
    }
    const uint8_t *raw = ota_sim_flash_raw(&w->fx->external) + ota_store_slot_addr(s, slot);
    return memcmp(raw, w->img[v], w->len[v]) == 0 ? OTA_STORE_OK : OTA_STORE_ERR_DIGEST;
}

const ota_store_boot_t *pc_boot_fields(pc_world_t *w)
{
    return ota_store_boot(&w->fx->store);
}

int pc_app_mount(pc_world_t *w)
{
    ota_store_status_t st = boot_fixture_mount(w->fx);
    if (st != OTA_STORE_OK) {
        return pc_fail(w, "application mount: %s", ota_store_status_str(st));
    }
    return 0;
}

/* ---- the application's agent ---------------------------------------------------------- */

static void on_event(void *user, const ota_event_t *e)
{
    pc_world_t *w = user;
    if (w->fx->echo) {
        printf("    agent: %s v%u %u/%u status %d %s\n", ota_event_type_str(e->type),
               (unsigned)e->version, (unsigned)e->bytes, (unsigned)e->total, (int)e->status,
               e->reason ? e->reason : "");
    }
    if ((e->type == OTA_EVT_DOWNLOAD_STARTED || e->type == OTA_EVT_PATCH_STARTED) &&
        !w->download_started) {
        w->download_started = true;
        w->started_at = e->bytes;
    }
    if (e->type == OTA_EVT_DOWNLOAD_FAILED || e->type == OTA_EVT_VERIFY_FAILED ||
        e->type == OTA_EVT_PATCH_FAILED ||
        e->type == OTA_EVT_CHECK_FAILED || e->type == OTA_EVT_ERASE_FAILED ||
        e->type == OTA_EVT_STORE_FULL) {
        w->last_failure = *e;
    }
}

/* The board's trusted clock (PC_SECURE): before the manifest's expiry. */
static uint64_t board_clock(void *ctx)
{
    (void)ctx;
    return 1800000000u;
}

static void on_reset(void *ctx)
{
    ((pc_world_t *)ctx)->reset_requested = true;
}

/* Durable offset of an interrupted download of version (same digest), or 0. */
static uint32_t durable_offset(pc_world_t *w, uint32_t version)
{
    const uint8_t *d = w->digest[version];
    ota_store_t *s = &w->fx->store;
    for (uint8_t i = 1; i < ota_store_slot_count(s); i++) {
        const ota_store_slot_t *slot = ota_store_slot(s, i);
        if (slot->state == OTA_SLOT_DOWNLOADING && slot->version == version &&
            memcmp(slot->digest, d, OTA_SHA256_SIZE) == 0) {
            return slot->offset;
        }
    }
    return 0;
}

/* PC_PATCH: the manifest's Patch member (v1 -> v2) for a manifest of version. */
static const char *patch_member(pc_world_t *w, uint32_t version, char *buf, size_t cap)
{
    if (!(w->scenario->features & PC_PATCH) || version != 2u) {
        return "";
    }
    snprintf(buf, cap,
             ",\"Patch\":[{\"BaseVersion\":1,\"BaseVerDigest\":\"%s\",\"PatchURL\":"
             "\"http://ota.test:8000/1to2.patch\",\"PatchDigest\":\"%s\",\"TargetDigest\":\"%s\"}]",
             w->digest_hex[1], w->patch_hex, w->digest_hex[2]);
    return buf;
}

/* Script the server: the manifest, then the image from `from` (a 206 when resuming), both
 * on one kept-alive connection; with PC_PATCH the patch instead, always whole: a 200 to a
 * resumed patch's Range request, whose bytes before its last note the agent skips. */
static void script_server(pc_world_t *w, uint32_t version, bool erase_ver, uint32_t from)
{
    bool secure = (w->scenario->features & PC_SECURE) != 0;
    if (erase_ver) {
        snprintf(w->manifest, sizeof w->manifest, "{\"ota\":[{\"Version\":%u,\"EraseVer\":true}]}",
                 (unsigned)version);
    } else {
        /* Signed: a Sequence above the store's (the agent records it: one journal record)
         * and an expiry after the board's clock. */
        char patch[512];
        snprintf(w->manifest, sizeof w->manifest,
                 "{\"ota\":[{\"Version\":%u,\"URL\":\"http://ota.test:8000/app_v%u.ota\","
                 "\"Digest\":\"%s\",\"EraseVer\":false%s}]%s}",
                 (unsigned)version, (unsigned)version, w->digest_hex[version],
                 patch_member(w, version, patch, sizeof patch),
                 secure ? ",\"Sequence\":" PC_STR(PC_MANIFEST_SEQUENCE) ",\"Expires\":4000000000"
                        : "");
    }
    int n = snprintf(w->manifest_response, sizeof w->manifest_response,
                     "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s", strlen(w->manifest),
                     w->manifest);
    mock_init(&w->mock);
    mock_conn_t *c = mock_add(&w->mock, w->manifest_response, OTA_NET_WOULD_BLOCK);
    c->response_lens[0] = (size_t)n;
    unsigned next = 1;
    if (secure) {
        uint8_t sig[256];
        size_t len = pc_sign_manifest(w->manifest, sig, sizeof sig);
        int sh = snprintf((char *)w->sig_response, sizeof w->sig_response,
                          "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", len);
        memcpy(w->sig_response + sh, sig, len);
        c->responses[next] = (const char *)w->sig_response;
        c->response_lens[next++] = (size_t)sh + len;
    }
    if (erase_ver) {
        return;
    }
    if (w->patch != NULL && version == 2u) {
        int ph = snprintf((char *)w->patch_response, 512,
                          "HTTP/1.1 200 OK\r\nContent-Length: %u\r\n\r\n", (unsigned)w->patch_len);
        memcpy(w->patch_response + ph, w->patch, w->patch_len);
        c->responses[next] = (const char *)w->patch_response;
        c->response_lens[next] = (size_t)ph + w->patch_len;
        return;
    }
    uint32_t total = w->len[version];
    int h;
    if (from == total) {
        /* What a real server (nginx) answers when nothing is left from the Range. */
        h = snprintf((char *)w->response, 512,
                     "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */%u\r\n"
                     "Content-Length: 0\r\n\r\n",
                     (unsigned)total);
    } else if (from == 0) {
        h = snprintf((char *)w->response, 512, "HTTP/1.1 200 OK\r\nContent-Length: %u\r\n\r\n",
                     (unsigned)total);
    } else {
        h = snprintf((char *)w->response, 512,
                     "HTTP/1.1 206 Partial Content\r\nContent-Length: %u\r\n"
                     "Content-Range: bytes %u-%u/%u\r\n\r\n",
                     (unsigned)(total - from), (unsigned)from, (unsigned)(total - 1u),
                     (unsigned)total);
    }
    memcpy(w->response + h, w->img[version] + from, total - from);
    c->responses[next] = (const char *)w->response;
    c->response_lens[next] = (size_t)h + total - from;
}

pc_app_t pc_app_agent(pc_world_t *w, uint32_t version, bool erase_ver)
{
    if (pc_app_mount(w) != 0) {
        return PC_APP_FAIL;
    }
    uint32_t from = erase_ver ? 0 : durable_offset(w, version);
    script_server(w, version, erase_ver, from);

    ota_agent_config_t cfg;
    ota_agent_config_default(&cfg);
    cfg.manifest_url = "http://ota.test:8000/ota.json";
    cfg.running_version = pc_internal_version(w); /* the application's own header */
    cfg.on_event = on_event;
    cfg.event_user = w;
    ota_agent_ports_t ports = {
        .transport = mock_transport(&w->mock),
        .store = &w->fx->store,
        .reset = on_reset,
        .reset_ctx = w,
        .patch = (w->scenario->features & PC_PATCH) ? &w->patch_ram : NULL,
    };
    if (w->scenario->features & PC_SECURE) {
        cfg.manifest_keys = pc_manifest_keys();
        cfg.require_signed_manifest = true;
        cfg.hw_id = PC_HW_ID;
        ports.utc_now = board_clock;
    }
    w->reset_requested = false;
    w->download_started = false;
    memset(&w->last_failure, 0, sizeof w->last_failure);
    ota_agent_status_t ast = ota_agent_init(&w->agent, &cfg, &ports);
    if (ast != OTA_AGENT_OK) {
        pc_fail(w, "agent init: %s", ota_agent_status_str(ast));
        return PC_APP_FAIL;
    }
    uint32_t now = 1000;
    for (unsigned i = 0; i < PC_MAX_POLLS && !w->reset_requested; i++) {
        ota_agent_poll(&w->agent, now++);
        if (w->fx->power.dead) {
            return PC_APP_CUT;
        }
    }
    if (w->download_started && w->started_at != from) {
        /* Invariant 4: never from 0 when a checkpoint said more was durable. */
        pc_fail(w, "download started at %u, durable offset was %u", (unsigned)w->started_at,
                (unsigned)from);
        return PC_APP_FAIL;
    }
    if (!w->reset_requested) {
        pc_fail(w, "agent did not ask for a reset (state %s, last failure: %s %s)",
                ota_agent_state_str(ota_agent_state(&w->agent)),
                w->last_failure.type ? ota_event_type_str(w->last_failure.type) : "none",
                w->last_failure.reason ? w->last_failure.reason : "");
        return PC_APP_FAIL;
    }
    if (from > 0 && w->download_started) {
        w->checked_resume = true;
    }
    return PC_APP_RESET;
}

pc_app_t pc_app_confirm(pc_world_t *w)
{
    if (pc_app_mount(w) != 0) {
        return PC_APP_FAIL;
    }
    ota_boot_status_t st =
        ota_confirm(&w->fx->store, ota_sim_flash_port(&w->fx->internal), &w->fx->config);
    if (w->fx->power.dead) {
        return PC_APP_CUT;
    }
    if (st != OTA_BOOT_OK) {
        pc_fail(w, "confirm: %s", ota_boot_status_str(st));
        return PC_APP_FAIL;
    }
    return PC_APP_DONE;
}

/* ---- checks --------------------------------------------------------------------------- */

static bool listed(const uint32_t *list, uint32_t v)
{
    for (unsigned i = 0; i < 3 && list[i] != 0; i++) {
        if (list[i] == v) {
            return true;
        }
    }
    return false;
}

/* Invariant 1 after a boot that said OK: internal flash holds, byte for byte, the image of
 * the version the bootloader says it started (not its word alone), an allowed version. */
static int check_booted(pc_world_t *w)
{
    uint32_t said = w->fx->report.version;
    uint32_t real = pc_internal_version(w);
    if (real != said) {
        return pc_fail(w, "boot %u started v%u but internal flash holds %s v%u", w->boots,
                       (unsigned)said, real ? "valid" : "no valid image,", (unsigned)real);
    }
    if (!listed(w->scenario->allowed, said)) {
        return pc_fail(w, "boot %u started v%u, not an allowed version", w->boots,
                       (unsigned)said);
    }
    return 0;
}

/* A slot holding version as STORED/INSTALLED (their bytes are verified by the store
 * invariants), or internal flash holding it valid. */
static bool available(pc_world_t *w, uint32_t version, uint32_t internal)
{
    if (internal == version) {
        return true;
    }
    ota_store_t *s = &w->fx->store;
    for (uint8_t i = 0; i < ota_store_slot_count(s); i++) {
        const ota_store_slot_t *slot = ota_store_slot(s, i);
        if ((slot->state == OTA_SLOT_STORED || slot->state == OTA_SLOT_INSTALLED) &&
            slot->version == version) {
            return true;
        }
    }
    return false;
}

/* With one download slot, the install of an update may replace an image whose copy the
 * download took: the factory image is then what a failed trial goes back to. */
static bool factory_is_the_fallback(pc_world_t *w)
{
    ota_store_t *s = &w->fx->store;
    return ota_store_layout(s)->download_slots == 1u &&
           ota_store_slot(s, OTA_STORE_FACTORY_SLOT)->state == OTA_SLOT_STORED;
}

/* Invariants 2 and 3 on the mounted store. */
static int check_store(pc_world_t *w)
{
    ota_store_t *s = &w->fx->store;
    uint32_t unit = ota_sim_flash_port(&w->fx->external)->geometry.erase_unit;
    if (store_check_invariants_with(s, unit, slot_matches, w) != 0) {
        return pc_fail(w, "store invariant broken (see stderr)");
    }
    uint32_t internal = pc_internal_version(w);
    for (unsigned i = 0; i < 3 && w->scenario->keep[i] != 0; i++) {
        if (!available(w, w->scenario->keep[i], internal)) {
            return pc_fail(w, "v%u lost: not in internal flash nor in a verified slot",
                           (unsigned)w->scenario->keep[i]);
        }
    }
    const ota_store_boot_t *b = ota_store_boot(s);
    switch (b->state) {
    case OTA_BOOT_TRIAL:
    case OTA_BOOT_CONFIRMED:
        if (!available(w, b->running_version, internal)) {
            return pc_fail(w, "running v%u is neither in internal flash nor in a slot",
                           (unsigned)b->running_version);
        }
        break;
    case OTA_BOOT_INSTALL_PENDING:
    case OTA_BOOT_INSTALLING:
        if (b->install_reason == OTA_INSTALL_UPDATE && b->running_version != 0 &&
            !available(w, b->running_version, internal) && !factory_is_the_fallback(w)) {
            return pc_fail(w, "v%u being replaced has no copy left to roll back to",
                           (unsigned)b->running_version);
        }
        break;
    default:
        if (b->running_version == 0 && internal == 0) {
            return pc_fail(w, "fresh store and no valid image in internal flash");
        }
        break;
    }
    return 0;
}

void pc_capture_acked(pc_world_t *w, pc_acked_t *out)
{
    out->valid = w->fx->store.mounted;
    out->seq = w->fx->store.journal.seq;
    out->state = w->fx->store.state;
    out->in_flight = w->fx->store.staged;
    out->guard_counter = pc_guard_counter(w);
}

static void capture_at_cut(void *ctx)
{
    pc_world_t *w = ctx;
    pc_capture_acked(w, &w->at_cut);
    w->cut_seen = true;
}

void pc_watch_cuts(pc_world_t *w)
{
    w->cut_seen = false;
    w->fx->power.on_cut = capture_at_cut;
    w->fx->power.on_cut_ctx = w;
}

uint32_t pc_journal_end(pc_world_t *w)
{
    /* Two journal sectors of one erase unit each from address 0 (docs/store.md). */
    return 2u * ota_sim_flash_port(&w->fx->external)->geometry.erase_unit;
}

/* The mounted journal against what the store acknowledged (ram): NULL when it reads the same
 * sequence number and state, else what differs first ("seq" or the state's field). */
static const char *journal_differs(pc_world_t *w, const pc_acked_t *ram)
{
    if (w->fx->store.journal.seq != ram->seq) {
        return "seq";
    }
    return store_fixture_state_diff(ota_store_state(&w->fx->store), &ram->state,
                                    ota_store_slot_count(&w->fx->store));
}

int pc_check_remounts(pc_world_t *w)
{
    pc_acked_t ram;
    pc_capture_acked(w, &ram);
    for (unsigned i = 0; i < 3; i++) {
        ota_store_status_t st = boot_fixture_mount(w->fx);
        if (st != OTA_STORE_OK) {
            return pc_fail(w, "mount %u after the bad write: %s", i + 1u,
                           ota_store_status_str(st));
        }
        const char *field = journal_differs(w, &ram);
        if (field != NULL) {
            return pc_fail(w, "mount %u after the bad write reads seq %u (%s), acknowledged "
                              "seq %u", i + 1u, (unsigned)w->fx->store.journal.seq, field,
                           (unsigned)ram.seq);
        }
        if (pc_guard_power_on(w) != 0) {
            return -1;
        }
        if (pc_guard_counter(w) != ram.guard_counter) {
            return pc_fail(w, "guard mount %u after the bad write reads counter %u, was %u",
                           i + 1u, (unsigned)pc_guard_counter(w), (unsigned)ram.guard_counter);
        }
    }
    return 0;
}

/* The guard never goes back, and never above what an image the test built says (2). */
static int check_guard(pc_world_t *w, uint32_t floor)
{
    if (pc_guard_power_on(w) != 0) {
        return -1;
    }
    uint32_t c = pc_guard_counter(w);
    if (c < floor || c > 2u) {
        return pc_fail(w, "guard counter %u, was %u durable (images say at most 2)", (unsigned)c,
                       (unsigned)floor);
    }
    return 0;
}

int pc_check_after_cut(pc_world_t *w, const pc_acked_t *acked)
{
    ota_sim_power_on(&w->fx->power);
    if (check_guard(w, acked->guard_counter) != 0) {
        return -1;
    }
    ota_store_status_t st = boot_fixture_mount(w->fx);
    if (st != OTA_STORE_OK) {
        return pc_fail(w, "mount after the cut: %s", ota_store_status_str(st));
    }
    /* Invariant 5: every record the store acknowledged is there; at most the one being
     * written when the power went (not acknowledged) may be there too, and then exactly as
     * it was being written: field by field, never a mix of the two. */
    uint32_t seq = w->fx->store.journal.seq;
    uint8_t count = ota_store_slot_count(&w->fx->store);
    if (acked->valid) {
        /* The record in flight carries acked seq + 1, or more when the append passed over
         * positions it could not use (src/journal.c). */
        const ota_store_state_t *want = seq == acked->seq  ? &acked->state
                                        : seq > acked->seq ? &acked->in_flight
                                                           : NULL;
        if (want == NULL) {
            return pc_fail(w, "journal reads back seq %u, acknowledged seq %u", (unsigned)seq,
                           (unsigned)acked->seq);
        }
        const char *field = store_fixture_state_diff(ota_store_state(&w->fx->store), want, count);
        if (field != NULL) {
            return pc_fail(w, "journal reads back seq %u (%s) with %s not as %s", (unsigned)seq,
                           seq == acked->seq ? "acknowledged" : "in flight", field,
                           seq == acked->seq ? "acknowledged" : "being written");
        }
    }
    return check_store(w);
}

int pc_check_end(pc_world_t *w)
{
    pc_acked_t now;
    pc_capture_acked(w, &now);
    if (w->fx->power.dead) {
        return pc_fail(w, "power is off at the end");
    }
    if (check_guard(w, now.guard_counter) != 0) {
        return -1;
    }
    ota_store_status_t st = boot_fixture_mount(w->fx);
    if (st != OTA_STORE_OK) {
        return pc_fail(w, "mount at the end: %s", ota_store_status_str(st));
    }
    const char *field = now.valid ? journal_differs(w, &now) : NULL;
    if (field != NULL) {
        return pc_fail(w, "journal at the end differs from the state in RAM (%s)", field);
    }
    if (check_store(w) != 0) {
        return -1;
    }
    uint32_t internal = pc_internal_version(w);
    if (internal != pc_boot_fields(w)->running_version) {
        return pc_fail(w, "at the end internal flash holds v%u, the journal says v%u runs",
                       (unsigned)internal, (unsigned)pc_boot_fields(w)->running_version);
    }
    return w->scenario->done(w);
}

/* ---- the life loop -------------------------------------------------------------------- */

pc_life_t pc_life(pc_world_t *w, bool with_boot)
{
    for (unsigned round = 0; round < PC_MAX_ROUNDS; round++) {
        if (with_boot || round > 0) {
            w->boots++;
            if (w->fx->power.dead) {
                ota_sim_power_on(&w->fx->power); /* (disarms the cut: only after one) */
            }
            if (pc_guard_power_on(w) != 0) {
                return PC_LIFE_FAIL;
            }
            ota_boot_status_t st = boot_fixture_boot(w->fx);
            if (w->fx->power.dead) {
                return PC_LIFE_CUT;
            }
            if (st != OTA_BOOT_OK) {
                pc_fail(w, "boot %u: %s (store: %s)", w->boots, ota_boot_status_str(st),
                        ota_store_status_str(w->fx->report.store_status));
                return PC_LIFE_FAIL;
            }
            if (check_booted(w) != 0) {
                return PC_LIFE_FAIL;
            }
        }
        switch (w->scenario->app(w)) {
        case PC_APP_DONE:
            return PC_LIFE_DONE;
        case PC_APP_CUT:
            return PC_LIFE_CUT;
        case PC_APP_FAIL:
            return PC_LIFE_FAIL;
        case PC_APP_RESET:
            break;
        }
    }
    pc_fail(w, "not finished after %u power-ons", PC_MAX_ROUNDS);
    return PC_LIFE_FAIL;
}
