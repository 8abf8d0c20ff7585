/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image store, boot side: the boot fields of the snapshot (install, trial, confirm,
 * rollback, factory reset) and EraseVer. Each function is one record append, so each
 * transition is atomic; the bootloader (issue 4) drives them in docs/store.md's order.
 */
#include <string.h>

#include "otaflow/store.h"
#include "ota_assert.h"
#include "store_internal.h"

static ota_store_status_t store_ready(const ota_store_t *store)
{
    if (!store) {
        return OTA_STORE_ERR_ARG;
    }
    return store->mounted ? OTA_STORE_OK : OTA_STORE_ERR_NOT_MOUNTED;
}

static bool store_install_underway(const ota_store_boot_t *b)
{
    return b->state == OTA_BOOT_INSTALL_PENDING || b->state == OTA_BOOT_INSTALLING;
}

/* A slot that holds a bootable image other than the running copy. */
static bool store_bootable(const ota_store_state_t *st, uint8_t slot)
{
    return slot != OTA_STORE_SLOT_NONE && slot != st->boot.running_slot &&
           st->slots[slot].state == OTA_SLOT_STORED;
}

/* Where a rollback goes: the image the running one replaced while it is not confirmed, else
 * the highest STORED version below the running one, else the factory image. */
static uint8_t store_rollback_target(const ota_store_t *store, const ota_store_state_t *st)
{
    const ota_store_boot_t *b = &st->boot;
    if (store_bootable(st, b->previous_slot)) {
        return b->previous_slot;
    }
    uint8_t best = OTA_STORE_SLOT_NONE;
    for (uint8_t i = 1; i <= store->layout.download_slots; i++) {
        const ota_store_slot_t *s = &st->slots[i];
        if (!store_bootable(st, i) ||
            (b->running_version != 0 && s->version >= b->running_version)) {
            continue;
        }
        if (best == OTA_STORE_SLOT_NONE || s->version > st->slots[best].version) {
            best = i;
        }
    }
    if (best != OTA_STORE_SLOT_NONE) {
        return best;
    }
    return store_bootable(st, OTA_STORE_FACTORY_SLOT) ? OTA_STORE_FACTORY_SLOT
                                                      : OTA_STORE_SLOT_NONE;
}

uint32_t ota_store_security_floor(const ota_store_t *store)
{
    if (!store) {
        return 0u;
    }
    /* With a guard, the journal's counter is only a hint (docs/security.md, guarded floor). */
    const ota_guard_t *guard = ota_store_guard(store);
    return guard ? ota_guard_values(guard)->security_counter : store->state.boot.security_counter;
}

/* The security counter in the header of the image a slot holds (its header was verified when
 * it was stored, and again by the bootloader that installed it). */
static ota_store_status_t store_slot_counter(ota_store_t *store, uint8_t slot, uint32_t *counter)
{
    uint8_t raw[OTA_IMAGE_HEADER_SIZE];
    ota_store_status_t st = ota_store_slot_read(store, slot, 0, raw, sizeof raw);
    if (st != OTA_STORE_OK) {
        return st;
    }
    ota_image_header_t h;
    if (ota_image_header_decode(raw, sizeof raw, store->layout.slot_size, &h) != OTA_IMAGE_OK) {
        return OTA_STORE_ERR_IMAGE;
    }
    *counter = h.security_counter;
    return OTA_STORE_OK;
}

/* Would the bootloader refuse to install slot because of the anti-rollback floor? Its header
 * says; a STORED slot's header was verified when it was stored. */
static ota_store_status_t store_check_floor(ota_store_t *store, uint8_t slot)
{
    uint32_t counter = 0;
    ota_store_status_t st = store_slot_counter(store, slot, &counter);
    if (st != OTA_STORE_OK) {
        return st;
    }
    return counter < ota_store_security_floor(store) ? OTA_STORE_ERR_BELOW_FLOOR : OTA_STORE_OK;
}

static void store_request(ota_store_state_t *st, uint8_t slot, ota_install_reason_t reason)
{
    st->boot.state = OTA_BOOT_INSTALL_PENDING;
    st->boot.install_slot = slot;
    st->boot.install_reason = (uint8_t)reason;
    st->boot.install_progress = 0;
}

static void store_add_rejected(ota_store_boot_t *b, uint32_t version)
{
    OTA_ASSERT(b->rejected_count <= OTA_STORE_REJECTED_MAX);
    for (uint8_t i = 0; i < b->rejected_count; i++) {
        if (b->rejected[i] == version) {
            return;
        }
    }
    if (b->rejected_count == OTA_STORE_REJECTED_MAX) {
        memmove(&b->rejected[0], &b->rejected[1],
                (OTA_STORE_REJECTED_MAX - 1u) * sizeof b->rejected[0]);
        b->rejected_count--;
    }
    b->rejected[b->rejected_count++] = version;
}

ota_store_status_t ota_store_set_running(ota_store_t *store, uint32_t version, uint8_t slot)
{
    ota_store_status_t st = store_ready(store);
    if (st != OTA_STORE_OK) {
        return st;
    }
    if (version == 0 || (slot != OTA_STORE_SLOT_NONE && !ota_store_slot_valid(store, slot))) {
        return OTA_STORE_ERR_ARG;
    }
    const ota_store_boot_t *b = &store->state.boot;
    if (store_install_underway(b) || b->state == OTA_BOOT_TRIAL) {
        return OTA_STORE_ERR_STATE;
    }
    ota_store_stage(store);
    ota_store_state_t *n = &store->staged;
    if (slot != OTA_STORE_SLOT_NONE) {
        ota_store_slot_t *s = &n->slots[slot];
        if (s->version != version || (s->state != OTA_SLOT_STORED && s->state != OTA_SLOT_INSTALLED)) {
            return OTA_STORE_ERR_STATE;
        }
    }
    uint8_t old = n->boot.running_slot;
    if (old != OTA_STORE_SLOT_NONE && old != slot && n->slots[old].state == OTA_SLOT_INSTALLED) {
        n->slots[old].state = OTA_SLOT_STORED;
    }
    if (slot != OTA_STORE_SLOT_NONE && slot != OTA_STORE_FACTORY_SLOT) {
        n->slots[slot].state = OTA_SLOT_INSTALLED;
    }
    n->boot.running_version = version;
    n->boot.running_slot = slot;
    n->boot.previous_slot = OTA_STORE_SLOT_NONE;
    n->boot.state = OTA_BOOT_CONFIRMED;
    n->boot.attempts = 0;
    return ota_store_commit(store);
}

ota_store_status_t ota_store_request_install(ota_store_t *store, uint8_t slot)
{
    ota_store_status_t st = store_ready(store);
    if (st != OTA_STORE_OK) {
        return st;
    }
    if (!ota_store_slot_valid(store, slot)) {
        return OTA_STORE_ERR_ARG;
    }
    const ota_store_state_t *cur = &store->state;
    if (slot == cur->boot.running_slot) {
        return OTA_STORE_ERR_PROTECTED;
    }
    if (cur->slots[slot].state != OTA_SLOT_STORED || cur->boot.state == OTA_BOOT_INSTALLING) {
        return OTA_STORE_ERR_STATE;
    }
    if (ota_store_is_rejected(store, cur->slots[slot].version)) {
        return OTA_STORE_ERR_REJECTED;
    }
    ota_store_stage(store);
    store_request(&store->staged, slot,
                  slot == OTA_STORE_FACTORY_SLOT ? OTA_INSTALL_FACTORY : OTA_INSTALL_UPDATE);
    return ota_store_commit(store);
}

/* The pending install dropped in staged: its slot emptied, the boot state back to what runs. */
static void store_drop_install(ota_store_state_t *n)
{
    ota_store_boot_t *b = &n->boot;
    uint8_t slot = b->install_slot;
    if (slot != OTA_STORE_SLOT_NONE && slot < OTA_STORE_MAX_SLOTS) {
        ota_store_slot_clear(&n->slots[slot]);
        if (b->previous_slot == slot) {
            b->previous_slot = OTA_STORE_SLOT_NONE;
        }
        if (b->running_slot == slot) {
            b->running_slot = OTA_STORE_SLOT_NONE;
        }
    }
    b->install_slot = OTA_STORE_SLOT_NONE;
    b->install_progress = 0;
    b->attempts = 0;
    if (b->running_version == 0) {
        b->state = OTA_BOOT_NONE;
    } else {
        b->state = b->previous_slot != OTA_STORE_SLOT_NONE ? OTA_BOOT_TRIAL : OTA_BOOT_CONFIRMED;
    }
}

ota_store_status_t ota_store_install_cancel(ota_store_t *store)
{
    ota_store_status_t st = store_ready(store);
    if (st != OTA_STORE_OK) {
        return st;
    }
    if (!store_install_underway(&store->state.boot)) {
        return OTA_STORE_ERR_STATE;
    }
    ota_store_stage(store);
    store_drop_install(&store->staged);
    return ota_store_commit(store);
}

ota_store_status_t ota_store_install_begin(ota_store_t *store)
{
    ota_store_status_t st = store_ready(store);
    if (st != OTA_STORE_OK) {
        return st;
    }
    if (store->state.boot.state == OTA_BOOT_INSTALLING) {
        return OTA_STORE_OK;
    }
    if (store->state.boot.state != OTA_BOOT_INSTALL_PENDING) {
        return OTA_STORE_ERR_STATE;
    }
    ota_store_stage(store);
    store->staged.boot.state = OTA_BOOT_INSTALLING;
    store->staged.boot.install_progress = 0;
    return ota_store_commit(store);
}

ota_store_status_t ota_store_install_progress(ota_store_t *store, uint32_t bytes_done)
{
    ota_store_status_t st = store_ready(store);
    if (st != OTA_STORE_OK) {
        return st;
    }
    if (store->state.boot.state != OTA_BOOT_INSTALLING) {
        return OTA_STORE_ERR_STATE;
    }
    ota_store_stage(store);
    store->staged.boot.install_progress = bytes_done;
    return ota_store_commit(store);
}

/* The install of staged's install slot completed: that image runs now, the one it replaced
 * stays as the previous one (or goes, if EraseVer asked), the version change is to be
 * reported. */
static void store_mark_installed(ota_store_state_t *n)
{
    uint8_t slot = n->boot.install_slot;
    uint8_t old = n->boot.running_slot;
    uint8_t previous = OTA_STORE_SLOT_NONE;
    if (old != OTA_STORE_SLOT_NONE && old != slot) {
        ota_store_slot_t *o = &n->slots[old];
        if (o->state == OTA_SLOT_INSTALLED) {
            if (o->flags & OTA_SLOT_FLAG_DISCARD) {
                ota_store_slot_clear(o); /* EraseVer of the running version completes */
            } else {
                o->state = OTA_SLOT_STORED;
            }
        }
        if (o->state == OTA_SLOT_STORED) {
            previous = old;
        }
    }
    if (slot != OTA_STORE_FACTORY_SLOT) {
        n->slots[slot].state = OTA_SLOT_INSTALLED;
        n->slots[slot].flags = 0;
    }
    n->boot.previous_version = n->boot.running_version;
    n->boot.previous_slot = previous;
    n->boot.running_version = n->slots[slot].version;
    n->boot.running_slot = slot;
    n->boot.install_slot = OTA_STORE_SLOT_NONE;
    n->boot.install_progress = 0;
    n->boot.state = OTA_BOOT_TRIAL;
    n->boot.attempts = 0;
    n->boot.report_pending = 1u; /* the version changed: the fleet is told (agent reports) */
}

/* The running image is confirmed in staged: no roll back target kept for a trial, the floor
 * raised to its counter (never lowered). */
static void store_mark_confirmed(ota_store_boot_t *n, uint32_t security_counter)
{
    n->state = OTA_BOOT_CONFIRMED;
    n->attempts = 0;
    n->previous_slot = OTA_STORE_SLOT_NONE;
    if (security_counter > n->security_counter) {
        n->security_counter = security_counter;
    }
}

ota_store_status_t ota_store_install_done(ota_store_t *store)
{
    ota_store_status_t st = store_ready(store);
    if (st != OTA_STORE_OK) {
        return st;
    }
    if (store->state.boot.state != OTA_BOOT_INSTALLING) {
        return OTA_STORE_ERR_STATE;
    }
    ota_store_stage(store);
    store_mark_installed(&store->staged);
    return ota_store_commit(store);
}

/* The outcome of the pending install in staged, confirmed at once (no trial boots): done
 * (that image runs, the floor raised to counter) or refused (cancelled). */
static void store_install_outcome(ota_store_state_t *n, bool done, uint32_t counter)
{
    if (done) {
        store_mark_installed(n);
        store_mark_confirmed(&n->boot, counter);
    } else {
        store_drop_install(n);
    }
}

/* record_start compares the boot fields byte for byte: they must have no padding. */
_Static_assert(sizeof(ota_store_boot_t) ==
                   5u * sizeof(uint32_t) + 8u + OTA_STORE_REJECTED_MAX * sizeof(uint32_t),
               "ota_store_boot_t without padding");

ota_store_status_t ota_store_record_start(ota_store_t *store, bool installed, uint32_t version,
                                          uint32_t security_counter)
{
    ota_store_stage(store);
    ota_store_state_t *n = &store->staged;
    if (store_install_underway(&n->boot)) {
        store_install_outcome(n, installed, security_counter);
    }
    if (n->boot.running_version == 0u) {
        /* The first boot (or a journal that never knew what runs): no copy in the store. */
        n->boot.running_version = version;
        n->boot.running_slot = OTA_STORE_SLOT_NONE;
    }
    store_mark_confirmed(&n->boot, security_counter);
    /* Only the boot fields change without an install, so equal fields mean no change. */
    if (memcmp(&n->boot, &store->state.boot, sizeof n->boot) == 0) {
        return OTA_STORE_OK;
    }
    return ota_store_commit(store);
}

ota_store_status_t ota_store_settle_install(ota_store_t *store, uint32_t running_version)
{
    ota_store_status_t st = store_ready(store);
    if (st != OTA_STORE_OK) {
        return st;
    }
    if (running_version == 0u) {
        return OTA_STORE_ERR_ARG;
    }
    const ota_store_boot_t *b = &store->state.boot;
    if (!store_install_underway(b)) {
        return OTA_STORE_OK; /* a bootloader that writes the journal left nothing to settle */
    }
    uint8_t slot = b->install_slot;
    bool done = store->state.slots[slot].version == running_version;
    uint32_t counter = 0;
    if (done) {
        st = store_slot_counter(store, slot, &counter);
        if (st != OTA_STORE_OK) {
            return st;
        }
    }
    ota_store_stage(store);
    if (!done) {
        /* An overwrite-only bootloader installs a pending image before it starts anything:
         * another version running means it refused this one. Rejected, so that no manifest
         * brings it back to be refused at every reset. */
        store_add_rejected(&store->staged.boot, store->staged.slots[slot].version);
    }
    /* Installed, it is confirmed at once: such a bootloader counts no trial boots. */
    store_install_outcome(&store->staged, done, counter);
    return ota_store_commit(store);
}

ota_store_status_t ota_store_trial_attempt(ota_store_t *store, uint8_t *attempts)
{
    ota_store_status_t st = store_ready(store);
    if (st != OTA_STORE_OK) {
        return st;
    }
    if (store->state.boot.state != OTA_BOOT_TRIAL) {
        return OTA_STORE_ERR_STATE;
    }
    ota_store_stage(store);
    if (store->staged.boot.attempts < UINT8_MAX) {
        store->staged.boot.attempts++;
    }
    st = ota_store_commit(store);
    if (st == OTA_STORE_OK && attempts) {
        *attempts = store->state.boot.attempts;
    }
    return st;
}

ota_store_status_t ota_store_confirm(ota_store_t *store, uint32_t security_counter)
{
    ota_store_status_t st = store_ready(store);
    if (st != OTA_STORE_OK) {
        return st;
    }
    const ota_store_boot_t *b = &store->state.boot;
    if (store_install_underway(b)) {
        return OTA_STORE_ERR_STATE;
    }
    if (b->state == OTA_BOOT_CONFIRMED && security_counter <= b->security_counter &&
        b->previous_slot == OTA_STORE_SLOT_NONE) {
        return OTA_STORE_OK; /* nothing would change: no record */
    }
    ota_store_stage(store);
    store_mark_confirmed(&store->staged.boot, security_counter);
    return ota_store_commit(store);
}

ota_store_status_t ota_store_raise_manifest_sequence(ota_store_t *store, uint32_t sequence)
{
    ota_store_status_t st = store_ready(store);
    if (st != OTA_STORE_OK) {
        return st;
    }
    if (sequence == 0u) {
        return OTA_STORE_ERR_ARG;
    }
    if (sequence <= store->state.boot.manifest_sequence) {
        return OTA_STORE_OK; /* the same manifest fetched again: no record, no wear */
    }
    ota_store_stage(store);
    store->staged.boot.manifest_sequence = sequence;
    return ota_store_commit(store);
}

ota_store_status_t ota_store_report_done(ota_store_t *store)
{
    ota_store_status_t st = store_ready(store);
    if (st != OTA_STORE_OK || store->state.boot.report_pending == 0u) {
        return st;
    }
    ota_store_stage(store);
    store->staged.boot.report_pending = 0u;
    return ota_store_commit(store);
}

ota_store_status_t ota_store_rollback(ota_store_t *store, bool reject)
{
    ota_store_status_t st = store_ready(store);
    if (st != OTA_STORE_OK) {
        return st;
    }
    if (store_install_underway(&store->state.boot)) {
        return OTA_STORE_ERR_STATE;
    }
    uint8_t target = store_rollback_target(store, &store->state);
    if (target == OTA_STORE_SLOT_NONE) {
        return OTA_STORE_ERR_NO_ROLLBACK;
    }
    ota_store_stage(store);
    ota_store_state_t *n = &store->staged;
    uint8_t running = n->boot.running_slot;
    if (reject) {
        if (n->boot.running_version != 0) {
            store_add_rejected(&n->boot, n->boot.running_version);
        }
        if (running != OTA_STORE_SLOT_NONE && running != OTA_STORE_FACTORY_SLOT) {
            n->slots[running].state = OTA_SLOT_REJECTED;
        }
    }
    store_request(n, target, OTA_INSTALL_ROLLBACK);
    return ota_store_commit(store);
}

ota_store_status_t ota_store_factory_reset(ota_store_t *store)
{
    ota_store_status_t st = store_ready(store);
    if (st != OTA_STORE_OK) {
        return st;
    }
    if (store->state.boot.state == OTA_BOOT_INSTALLING) {
        return OTA_STORE_ERR_STATE;
    }
    if (store->state.slots[OTA_STORE_FACTORY_SLOT].state != OTA_SLOT_STORED) {
        return OTA_STORE_ERR_NO_ROLLBACK;
    }
    ota_store_stage(store);
    store_request(&store->staged, OTA_STORE_FACTORY_SLOT, OTA_INSTALL_FACTORY);
    return ota_store_commit(store);
}

/* EraseVer -------------------------------------------------------------------------------- */

/* Mark every non-running download slot holding version EMPTY in staged; bit i of *erase is
 * set for each. ERR_PROTECTED if one of them must be kept. */
static ota_store_status_t store_empty_copies(ota_store_t *store, uint32_t version, uint32_t *erase)
{
    ota_store_state_t *n = &store->staged;
    const ota_store_boot_t *b = &n->boot;
    for (uint8_t i = 1; i <= store->layout.download_slots; i++) {
        ota_store_slot_t *s = &n->slots[i];
        if (s->state == OTA_SLOT_EMPTY || s->version != version || i == b->running_slot) {
            continue;
        }
        if (i == b->install_slot || i == b->previous_slot) {
            return OTA_STORE_ERR_PROTECTED;
        }
        ota_store_slot_clear(s);
        *erase |= 1u << i;
    }
    return OTA_STORE_OK;
}

/* EraseVer of the running version: keep its bytes (it may still be needed until another
 * image is installed), flag its slot DISCARD and make sure an install of something else is
 * pending. A target below the security floor is refused here, with nothing written: the
 * bootloader would refuse it and record its slot EMPTY, which for the factory slot is for
 * good, so a manifest must never be able to send the device down that path. */
static ota_store_status_t store_discard_running(ota_store_t *store)
{
    ota_store_state_t *n = &store->staged;
    ota_store_boot_t *b = &n->boot;
    if (b->state == OTA_BOOT_INSTALLING) {
        return OTA_STORE_ERR_STATE;
    }
    if (b->state != OTA_BOOT_INSTALL_PENDING) {
        uint8_t target = store_rollback_target(store, n);
        if (target == OTA_STORE_SLOT_NONE) {
            return OTA_STORE_ERR_NO_ROLLBACK;
        }
        ota_store_status_t st = store_check_floor(store, target);
        if (st != OTA_STORE_OK) {
            return st;
        }
        store_request(n, target, OTA_INSTALL_ROLLBACK);
    }
    if (b->running_slot != OTA_STORE_SLOT_NONE && b->running_slot != OTA_STORE_FACTORY_SLOT) {
        n->slots[b->running_slot].flags |= OTA_SLOT_FLAG_DISCARD;
    }
    return OTA_STORE_OK;
}

ota_store_status_t ota_store_erase_version(ota_store_t *store, uint32_t version)
{
    ota_store_status_t st = store_ready(store);
    if (st != OTA_STORE_OK) {
        return st;
    }
    if (version == 0) {
        return OTA_STORE_ERR_ARG;
    }
    if ((store->dl.active || store->dl.checking) &&
        store->state.slots[store->dl.slot].version == version) {
        return OTA_STORE_ERR_BUSY;
    }
    ota_store_stage(store);
    uint32_t erase = 0;
    st = store_empty_copies(store, version, &erase);
    if (st != OTA_STORE_OK) {
        return st;
    }
    bool running = store->staged.boot.running_version == version;
    if (running) {
        st = store_discard_running(store);
        if (st != OTA_STORE_OK) {
            return st;
        }
    } else if (erase == 0) {
        return OTA_STORE_ERR_NOT_FOUND;
    }
    /* The record first: from here on nobody trusts those bytes, so erasing them (or a power
     * cut halfway through erasing) cannot make a slot claim bytes it does not hold. */
    st = ota_store_commit(store);
    for (uint8_t i = 1; st == OTA_STORE_OK && i <= store->layout.download_slots; i++) {
        if (erase & (1u << i)) {
            st = ota_store_erase_slot_range(store, i, 0, store->layout.slot_size);
        }
    }
    return st;
}
