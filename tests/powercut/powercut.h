/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Power-cut sweep (issue 5): one simulated board (internal PIC32MZ W1 program flash + external
 * NOR store on one power domain), driven through whole device lives (bootloader at every
 * power-on, then the application: agent downloads over a scripted transport, confirms,
 * EraseVer, factory reset), with a power cut at any modifying flash operation of either
 * device, before / after / torn, and a second cut during the recovery.
 *
 * A case is fully named by (scenario, geometry, image size, cut index, mode, seed) and, for a
 * double fault, (second cut index, second mode): `powercut_sweep --case ...` replays one.
 */
#ifndef OTAFLOW_POWERCUT_H
#define OTAFLOW_POWERCUT_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "boot_fixture.h"
#include "mock_transport.h"
#include "otaflow/agent.h"
#include "otaflow/agent_patch.h"
#include "otaflow/guard.h"
#include "system_posix.h"

/* ---- configurations ------------------------------------------------------------------- */

/** A board's flash geometries under test: the store's external flash and the internal one. */
typedef struct pc_geometry {
    const char *name;
    const ota_flash_geometry_t *override; /* NULL: the sst26vf032b preset */
    const char *internal;                 /* internal flash preset, NULL: pic32mzw1-pfm ... */
    uint32_t app_offset, app_size;        /* ... and its application region (else default) */
    /* Scenarios (bit i: pc_scenarios[i]) the reduced sweep runs on it; 0: all. */
    uint32_t reduced_scenarios;
} pc_geometry_t;

typedef struct pc_world pc_world_t;

/** What the application does after one successful boot. */
typedef enum pc_app {
    PC_APP_DONE = 0,  /* the scenario reached its end */
    PC_APP_RESET,     /* the application resets the board (a boot follows) */
    PC_APP_CUT,       /* the power went during the application's work */
    PC_APP_FAIL,      /* an invariant broke (w->why says which) */
} pc_app_t;

/** Security features a scenario turns on (pc_scenario_t.features). */
enum {
    /* Images signed (store and bootloader trust the key), hw id checked by agent, store and
     * bootloader, the manifest signed with a Sequence that rises (one journal record), and
     * v3 raising the security counter to 2. */
    PC_SECURE = 1u << 0,
    /* The anti-rollback guard (include/otaflow/guard.h) in the two internal flash pages below
     * the application region, through the host system port: the bootloader raises it at the
     * boot after a confirm, so its writes are cut too. */
    PC_GUARD = 1u << 1,
    /* One download slot (docs/store.md, "One download slot"): the download of v3 takes the
     * slot of the confirmed v2's copy, so from then on v2 lives in internal flash only and a
     * roll back goes to the factory image. */
    PC_ONE_SLOT = 1u << 2,
    /* Delta update (docs/delta.md): v2 differs from v1 in one payload byte and its header;
     * the manifest offers a patch from v1 (the factory slot) in otaflow's format with 4 KB
     * blocks, which the agent fetches and applies instead of the image. */
    PC_PATCH = 1u << 3,
    /* With PC_PATCH: the patch in the original's jojodiff format instead (its checkpoints
     * fall inside operations: every 4 KB sector of output within the long EQLs). */
    PC_PATCH_JOJO = 1u << 4,
    /* Encrypted images (include/otaflow/image_enc.h): v2 and v3 served and stored encrypted
     * for the board's device key, which the bootloader holds; internal flash must hold their
     * plaintext (w->installed). */
    PC_ENCRYPTED = 1u << 5,
};

/** One scenario: a start state and the application's behaviour until its end state. */
typedef struct pc_scenario {
    const char *name;
    /** Bring a fresh board (v1 and v2 images in w) to the start state. */
    void (*setup)(pc_world_t *w);
    /** The life starts with a power-on (bootloader) rather than with the application. */
    bool starts_with_boot;
    /** Versions allowed to boot (0-terminated): anything else is a failure. */
    uint32_t allowed[3];
    /** Versions that must stay available at every check: valid in internal flash or in a
     *  slot whose bytes verify (0-terminated). */
    uint32_t keep[3];
    /** The application after a boot that started the running version. */
    pc_app_t (*app)(pc_world_t *w);
    /** 0 if the board is in the scenario's end state (else sets w->why). */
    int (*done)(pc_world_t *w);
    /** PC_SECURE, PC_GUARD, PC_ONE_SLOT, PC_PATCH, PC_PATCH_JOJO (or 0). */
    unsigned features;
} pc_scenario_t;

extern const pc_scenario_t pc_scenarios[];
extern const unsigned pc_scenario_count;
extern const pc_geometry_t pc_geometries[];
extern const unsigned pc_geometry_count;

/** Versions the sweep knows: v1 (factory), v2 and v3 (updates). */
#define PC_VERSIONS 3u
/** Sequence of the signed manifest a PC_SECURE life accepts (the store starts below it). */
#define PC_MANIFEST_SEQUENCE 5
#define PC_STR_(x) #x
#define PC_STR(x) PC_STR_(x)
/** Hardware id of a PC_SECURE board (the fixture's images say this one). */
#define PC_HW_ID 0x57310001u

/* ---- the device under test ------------------------------------------------------------ */

/** What the store had acknowledged in RAM when the power went. */
typedef struct pc_acked {
    bool valid;
    uint32_t seq;
    ota_store_state_t state;
    /** The snapshot the store was about to append (== state when no append was under way):
     *  the only other state the journal may read back after the cut, with a sequence number
     *  above seq (seq + 1, more when the append passed over positions it could not use). */
    ota_store_state_t in_flight;
    /** PC_GUARD: the guard's durable security counter (it may only rise from there). */
    uint32_t guard_counter;
} pc_acked_t;

struct pc_world {
    boot_fixture_t *fx;
    const pc_scenario_t *scenario;
    const pc_geometry_t *geometry;
    uint32_t image_size;
    uint8_t *img[PC_VERSIONS + 1];  /* img[1..3]: the v1, v2 and v3 images */
    uint32_t len[PC_VERSIONS + 1];  /* their sizes (signed ones are a little shorter) */
    uint8_t *installed[PC_VERSIONS + 1]; /* PC_ENCRYPTED: what internal flash holds once
                                            img[v] is installed (NULL: img[v] itself) */
    uint8_t digest[PC_VERSIONS + 1][32]; /* their SHA-256 */
    char digest_hex[PC_VERSIONS + 1][65];
    uint8_t *response;        /* image response (headers + body) being served */
    char manifest[1024];
    char manifest_response[1280];
    uint8_t *patch;           /* PC_PATCH: the v1 -> v2 patch, its length and SHA-256 */
    uint32_t patch_len;
    char patch_hex[65];
    uint8_t *patch_response;  /* its response (headers + body) */
    ota_agent_patch_t patch_ram; /* PC_PATCH: the agent's patch RAM */
    uint8_t sig_response[320]; /* the manifest's .sig response (PC_SECURE) */
    mock_transport_t mock;
    ota_agent_t agent;
    bool reset_requested;     /* the agent's reset port was called */
    bool download_started;
    uint32_t started_at;      /* bytes of the DOWNLOAD_STARTED event */
    ota_event_t last_failure; /* last *_FAILED event */
    bool checked_resume;      /* a resume from a durable offset > 0 was asserted */
    pc_acked_t at_cut;        /* the store's RAM at the instant the power went */
    ota_posix_system_t sys;   /* PC_GUARD: the host system port (guard window) */
    ota_guard_t guard;        /* PC_GUARD: mounted at every power-on */
    bool cut_seen;            /* at_cut holds the last cut */
    unsigned boots;
    uint8_t setup_sector;     /* journal-compaction: active journal sector after setup */
    uint32_t setup_seq;       /* and its newest sequence number */
    char why[256];            /* the broken invariant */
};

/** A world for one configuration: board (not set up), images. */
pc_world_t *pc_world_new(const pc_scenario_t *sc, const pc_geometry_t *geo, uint32_t image_size);

/** A fresh board (boot fixture) with the geometry's external and internal flash. */
boot_fixture_t *pc_board_open(const pc_geometry_t *geo);
void pc_world_free(pc_world_t *w);

/** Record why a check failed (first reason wins); returns -1. */
int pc_fail(pc_world_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Application building blocks used by the scenarios. */

/** PC_SECURE: sign w's images with the sweep's image key (they shrink to stay within
 *  image_size), give v3 security counter 2, make the board check signatures and hw id. */
void pc_secure_world(pc_world_t *w);
/** The keyring the agent checks manifest signatures with. */
const ota_sig_keyring_t *pc_manifest_keys(void);
/** Sign text as `otaflow-image manifest sign` does into sig; its length. */
size_t pc_sign_manifest(const char *text, uint8_t *sig, size_t cap);

/** PC_PATCH: make the v1 -> v2 patch (w->patch, patch_len, patch_hex) and its response
 *  buffer (tests/powercut/pc_patch.c). */
void pc_patch_world(pc_world_t *w);

/** PC_ENCRYPTED: v2 and v3 rebuilt encrypted for the process's device key (made once), the
 *  key given to the bootloader, the plaintext forms in w->installed. */
void pc_encrypted_world(pc_world_t *w);

/** PC_GUARD: give w's board the guard (store config), mount it. */
void pc_guard_world(pc_world_t *w);
/** Power-on part of the guard (PC_GUARD; nothing otherwise): the reset clears the write-protect
 *  latch, the guard is mounted. 0 or -1 (w->why). The board must have power. */
int pc_guard_power_on(pc_world_t *w);
/** The guard's durable security counter (0 without PC_GUARD). */
uint32_t pc_guard_counter(const pc_world_t *w);

/** The application's view: mount the store as after a reset; -1 on failure. */
int pc_app_mount(pc_world_t *w);
/** Run the agent against a manifest (serving version `version`'s image, or an EraseVer entry)
 *  until it asks for a reset. Checks that a download resumes from its durable offset. */
pc_app_t pc_app_agent(pc_world_t *w, uint32_t version, bool erase_ver);
/** ota_confirm() of the running image. */
pc_app_t pc_app_confirm(pc_world_t *w);
/** Version of the valid image in internal flash, checked independently (0: none). */
uint32_t pc_internal_version(pc_world_t *w);
/** The store's boot fields / slot of version (STORED or INSTALLED), or NONE. */
const ota_store_boot_t *pc_boot_fields(pc_world_t *w);

/* ---- lives and checks ----------------------------------------------------------------- */

/** How a life (boot, application, boot, ...) ended. */
typedef enum pc_life {
    PC_LIFE_DONE = 0,
    PC_LIFE_CUT,
    PC_LIFE_FAIL,
} pc_life_t;

/** Run the device from its current state until the scenario's end, a cut or a failure.
 *  with_boot: start with a power-on (always after a cut). */
pc_life_t pc_life(pc_world_t *w, bool with_boot);



/** Capture the acknowledged journal state and the snapshot in flight. */
void pc_capture_acked(pc_world_t *w, pc_acked_t *out);

/** Make the board capture w->at_cut at the instant an armed cut fires (call after every
 *  boot_fixture_clone into w->fx: the clone copies the power domain). */
void pc_watch_cuts(pc_world_t *w);

/** The journal window of the store flash: programs there are journal records. */
uint32_t pc_journal_end(pc_world_t *w);

/** After a silent bad write on a journal (guard) record and the life's end: the store (guard)
 *  noticed: what it acknowledged is what every later mount reads, however the bad bit reads
 *  (mounts 3 times). 0 or -1. */
int pc_check_remounts(pc_world_t *w);

/** After a cut: power on, remount and check invariants 2, 3 and 5 (journal reads back, no
 *  acknowledged record lost). 0 or -1 (w->why). */
int pc_check_after_cut(pc_world_t *w, const pc_acked_t *acked);

/** At the end of a life: the scenario's end state, invariants 2 and 3, journal remounts to
 *  the same state. 0 or -1. */
int pc_check_end(pc_world_t *w);

/** Plant each kind of damage the checks look for; returns how many were caught, *planted
 *  how many were planted. */
unsigned pc_self_test(unsigned *planted);

#endif /* OTAFLOW_POWERCUT_H */
