/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The security features of a PC_SECURE scenario: images signed with a key the store and the
 * bootloader trust, v3 one security epoch up, the board's hardware id checked everywhere, and
 * the manifest signed by another key the agent trusts; PC_GUARD adds the anti-rollback guard
 * in internal flash. The keys are made once per process
 * (the sweep's workers are forked after it, so every case sees the same signatures).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "powercut.h"
#include "signed_image.h"
#include "test_keys.h"

/* Room the signature TLVs take beyond the SHA-256 one (key id + DER signature + headers). */
#define SIG_ROOM 128u

static bool made;
static tool_key_t image_key, manifest_key;
static ota_sig_key_t image_trusted[1], manifest_trusted[1];
static const ota_sig_keyring_t image_ring = {.keys = image_trusted, .count = 1};
static const ota_sig_keyring_t manifest_ring = {.keys = manifest_trusted, .count = 1};

static void make_keys(void)
{
    if (made) {
        return;
    }
    if (test_keys_make(&image_key, &manifest_key, &image_trusted[0]) != 0) {
        abort();
    }
    tool_key_trust(&manifest_key, &manifest_trusted[0]);
    made = true;
}

void pc_secure_world(pc_world_t *w)
{
    make_keys();
    for (uint32_t v = 1; v <= PC_VERSIONS; v++) {
        /* Rebuilt shorter so that the signed image still fits in image_size (for the full
         * size: the whole application region). */
        uint32_t unsigned_len = w->image_size - SIG_ROOM;
        boot_fixture_image_seeded(w->img[v], unsigned_len, v, 0, (uint8_t)(v - 1u));
        /* v1 and v2 in the first epoch; v3 raises the counter, which its confirm records. */
        w->len[v] = signed_image_make(w->img[v], w->image_size, unsigned_len, v == 3 ? 2u : 1u,
                                      0, &image_key);
    }
    w->fx->store_config.trusted_keys = &image_ring;
    w->fx->store_config.hw_id = PC_HW_ID;
    w->fx->config.hw_id = PC_HW_ID;
}

const ota_sig_keyring_t *pc_manifest_keys(void)
{
    return &manifest_ring;
}

size_t pc_sign_manifest(const char *text, uint8_t *sig, size_t cap)
{
    if (cap < OTA_MANIFEST_SIG_MAX) {
        abort();
    }
    size_t n = test_keys_sign_manifest(&manifest_key, text, strlen(text), sig);
    if (n == 0) {
        abort();
    }
    return n;
}

void pc_guard_world(pc_world_t *w)
{
    if (ota_posix_system_init(&w->sys, ota_sim_flash_port(&w->fx->internal),
                              w->fx->config.app_offset) != 0) {
        abort();
    }
    w->fx->store_config.guard = &w->guard;
    if (pc_guard_power_on(w) != 0) {
        abort();
    }
}

int pc_guard_power_on(pc_world_t *w)
{
    if (!(w->scenario->features & PC_GUARD)) {
        return 0;
    }
    ota_posix_system_set_locked(&w->sys, false);
    ota_guard_status_t gs = ota_guard_mount(&w->guard, w->sys.system.guard_flash);
    return gs == OTA_GUARD_OK ? 0 : pc_fail(w, "guard mount: %s", ota_guard_status_str(gs));
}

uint32_t pc_guard_counter(const pc_world_t *w)
{
    return (w->scenario->features & PC_GUARD) ? ota_guard_values(&w->guard)->security_counter
                                              : 0u;
}
