/* SPDX-License-Identifier: Apache-2.0 */
/* otaflow-board status: what a board holds and what its flashes went through. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "board_view.h"
#include "cli.h"
#include "otaflow/files.h"
#include "qemu_power.h"

static const char HELP[] =
    "usage: otaflow-board status DIR [--json]\n"
    "\n"
    "Running version (header of the image in internal flash), boot state and trial attempts,\n"
    "stored images (slot, version, state), rejected versions, the file slots (length and\n"
    "SHA-256 of each file; otaflow-board file copies one out), the guard (the anti-rollback\n"
    "floor and revoked keys the bootloader keeps in internal flash), and per flash: operations,\n"
    "bytes, highest erase count of a sector (wear) and modeled hardware time.\n"
    "Safe while the board runs (reads only). With --json: one JSON object with at least\n"
    "running_version, boot_state, guard_counter, guard_revoked_keys, images\n"
    "[{slot, version, state}] and files [{slot, length, sha256}] (length 0: empty).\n";

typedef struct status_data {
    board_view_t view;
    ota_sim_stats_t flash[2];
    bool flash_ok[2];
    uint64_t power_ops;
    bool power_dead;
} status_data_t;

static const char *const FLASH_NAMES[2] = {"internal", "external"};

static uint32_t running_version(const status_data_t *d)
{
    return d->view.running_status == OTA_IMAGE_OK ? d->view.running.version : 0;
}

/* What the guard storage holds: a record, nothing yet, or not readable. */
static const char *guard_state(const status_data_t *d)
{
    if (d->view.guard_status != OTA_GUARD_OK) {
        return ota_guard_status_str(d->view.guard_status);
    }
    switch (ota_guard_kind(&d->view.guard)) {
    case OTA_GUARD_RECORD: return "record";
    case OTA_GUARD_ERASED: return "erased";
    default: return "no valid record";
    }
}

/* File slot i of a mounted store: OK with *info, or why not (empty). */
static ota_file_status_t file_slot(const status_data_t *d, uint8_t i, ota_file_info_t *info)
{
    memset(info, 0, sizeof *info);
    return ota_file_info((ota_store_t *)&d->view.store, i, info);
}

static void print_sha256_hex(const uint8_t *digest)
{
    for (unsigned k = 0; k < OTA_SHA256_SIZE; k++) {
        printf("%02x", digest[k]);
    }
}

static void print_json(const status_data_t *d)
{
    const ota_store_t *s = &d->view.store;
    bool mounted = d->view.store_status == OTA_STORE_OK;
    const ota_store_boot_t *b = mounted ? ota_store_boot(s) : NULL;
    printf("{\"engine\":\"%s\",\"running_version\":%u,", board_engine_str(d->view.cfg.engine),
           (unsigned)running_version(d));
    printf("\"boot_state\":\"%s\",", b != NULL ? ota_boot_state_str(b->state) : "unknown");
    printf("\"store\":\"%s\",", ota_store_status_str(d->view.store_status));
    printf("\"attempts\":%u,\"max_attempts\":%u,", b != NULL ? b->attempts : 0u,
           (unsigned)d->view.cfg.attempts);
    printf("\"store_running_version\":%u,\"previous_version\":%u,\"security_counter\":%u,",
           b != NULL ? (unsigned)b->running_version : 0u,
           b != NULL ? (unsigned)b->previous_version : 0u,
           b != NULL ? (unsigned)b->security_counter : 0u);
    printf("\"report_pending\":%u,", b != NULL ? (unsigned)b->report_pending : 0u);
    printf("\"guard\":\"%s\",\"guard_counter\":%u,\"guard_revoked_keys\":%u,",
           guard_state(d), (unsigned)ota_guard_values(&d->view.guard)->security_counter,
           (unsigned)ota_guard_values(&d->view.guard)->revoked_keys);
    printf("\"rejected\":[");
    for (unsigned i = 0; b != NULL && i < b->rejected_count; i++) {
        printf("%s%u", i ? "," : "", (unsigned)b->rejected[i]);
    }
    printf("],\"images\":[");
    for (uint8_t i = 0; mounted && i < ota_store_slot_count(s); i++) {
        const ota_store_slot_t *sl = ota_store_slot(s, i);
        printf("%s{\"slot\":%u,\"factory\":%s,\"version\":%u,\"state\":\"%s\",\"size\":%u}",
               i ? "," : "", i, i == OTA_STORE_FACTORY_SLOT ? "true" : "false",
               (unsigned)sl->version, ota_slot_state_str(sl->state), (unsigned)sl->size);
    }
    printf("],\"files\":[");
    for (uint8_t i = 0; mounted && i < ota_file_slot_count(s); i++) {
        ota_file_info_t info;
        (void)file_slot(d, i, &info);
        printf("%s{\"slot\":%u,\"length\":%u,\"sha256\":\"", i ? "," : "", i,
               (unsigned)info.length);
        if (info.length != 0u) {
            print_sha256_hex(info.digest);
        }
        printf("\"}");
    }
    printf("],\"flash\":{");
    for (int i = 0; i < 2; i++) {
        const ota_sim_stats_t *f = &d->flash[i];
        printf("%s\"%s\":{\"reads\":%" PRIu64 ",\"programs\":%" PRIu64 ",\"erases\":%" PRIu64
               ",\"bytes_read\":%" PRIu64 ",\"bytes_programmed\":%" PRIu64
               ",\"bytes_erased\":%" PRIu64 ",\"max_wear\":%u,\"modeled_ms\":%.3f}",
               i ? "," : "", FLASH_NAMES[i], f->reads, f->programs, f->erases, f->bytes_read,
               f->bytes_programmed, f->bytes_erased, (unsigned)f->max_wear,
               (double)f->modeled_ns / 1e6);
    }
    printf("},\"power_ops\":%" PRIu64 ",\"power\":\"%s\"}\n", d->power_ops,
           d->power_dead ? "dead" : "on");
}

static void print_text(const status_data_t *d)
{
    const ota_store_t *s = &d->view.store;
    bool mounted = d->view.store_status == OTA_STORE_OK;
    const ota_store_boot_t *b = mounted ? ota_store_boot(s) : NULL;
    printf("board %s: PIC32MZ W1 + %s%s\n", d->view.dir, d->view.cfg.ext_flash,
           d->view.cfg.engine == BOARD_ENGINE_QEMU ? ", on QEMU mps2-an386 (Cortex-M4)" : "");
    if (d->view.running_status == OTA_IMAGE_OK) {
        printf("  running version   %u (internal flash, payload %u bytes)\n",
               (unsigned)d->view.running.version, (unsigned)d->view.running.payload_size);
    } else {
        printf("  running version   none (internal flash: %s)\n",
               ota_image_status_str(d->view.running_status));
    }
    printf("  guard             security counter %u, revoked keys mask 0x%08X (%s)\n",
           (unsigned)ota_guard_values(&d->view.guard)->security_counter,
           (unsigned)ota_guard_values(&d->view.guard)->revoked_keys, guard_state(d));
    if (b == NULL) {
        printf("  image store       not readable: %s\n",
               ota_store_status_str(d->view.store_status));
    } else {
        printf("  boot state        %s", ota_boot_state_str(b->state));
        if (b->state == OTA_BOOT_TRIAL) {
            printf(" (attempt %u of %u)", b->attempts, (unsigned)d->view.cfg.attempts);
        }
        printf("\n  previous version  %u%s\n  rejected versions", (unsigned)b->previous_version,
               b->report_pending ? " (the version change not yet reported)" : "");
        for (unsigned i = 0; i < b->rejected_count; i++) {
            printf(" %u", (unsigned)b->rejected[i]);
        }
        printf("%s\n  images\n", b->rejected_count ? "" : " none");
        for (uint8_t i = 0; i < ota_store_slot_count(s); i++) {
            const ota_store_slot_t *sl = ota_store_slot(s, i);
            printf("    slot %u%-10s %s", i, i == OTA_STORE_FACTORY_SLOT ? " (factory)" : "",
                   ota_slot_state_str(sl->state));
            if (sl->state != OTA_SLOT_EMPTY) {
                printf("%*s version %u, %u bytes", (int)(12 - strlen(ota_slot_state_str(sl->state))),
                       "", (unsigned)sl->version, (unsigned)sl->size);
            }
            printf("\n");
        }
        if (ota_file_slot_count(s) != 0u) {
            printf("  file slots\n");
        }
        for (uint8_t i = 0; i < ota_file_slot_count(s); i++) {
            ota_file_info_t info;
            ota_file_status_t st = file_slot(d, i, &info);
            printf("    file %u           ", i);
            if (st == OTA_FILE_OK) {
                printf("%u bytes, sha256 ", (unsigned)info.length);
                print_sha256_hex(info.digest);
                printf("\n");
            } else {
                printf("%s\n", st == OTA_FILE_ERR_EMPTY ? "empty" : ota_file_status_str(st));
            }
        }
    }
    printf("  flash        reads   programs     erases   bytes read  programmed      erased"
           "  max wear  modeled time\n");
    for (int i = 0; i < 2; i++) {
        const ota_sim_stats_t *f = &d->flash[i];
        if (!d->flash_ok[i]) {
            printf("    %-8s (counters not readable)\n", FLASH_NAMES[i]);
            continue;
        }
        printf("    %-8s %8" PRIu64 " %10" PRIu64 " %10" PRIu64 " %12" PRIu64 " %11" PRIu64
               " %11" PRIu64 " %9u %11.1f ms\n",
               FLASH_NAMES[i], f->reads, f->programs, f->erases, f->bytes_read,
               f->bytes_programmed, f->bytes_erased, (unsigned)f->max_wear,
               (double)f->modeled_ns / 1e6);
    }
    printf("  power             %s, %" PRIu64 " flash program/erase operations so far\n",
           d->power_dead ? "dead (cut; the next run powers on)" : "on", d->power_ops);
}

int cmd_status(int argc, char **argv)
{
    const char *dir = NULL;
    bool json = false;
    const cli_opt_t opts[] = {{"json", NULL, &json}, {NULL, NULL, NULL}};
    int p = cli_parse(argc, argv, opts, &dir, 1, HELP);
    if (p != 0) {
        return p > 0 ? BOARD_EXIT_OK : BOARD_EXIT_USAGE;
    }
    static status_data_t d;
    board_config_t cfg;
    char err[BOARD_ERR_MAX];
    if (board_config_load(dir, &cfg, err, sizeof err) != 0 ||
        board_view_open(&d.view, dir, &cfg, err, sizeof err) != 0) {
        return board_fail(argv[0], "%s", err);
    }
    d.flash_ok[0] = board_flash_stats(dir, BOARD_INTERNAL, &d.flash[0]) == 0;
    d.flash_ok[1] = board_flash_stats(dir, BOARD_EXTERNAL, &d.flash[1]) == 0;
    ota_sim_power_t *power, qemu_power;
    uint32_t seed;
    if (cfg.engine == BOARD_ENGINE_QEMU) {
        if (qemu_power_read(dir, &qemu_power, &seed, err, sizeof err) == 0) {
            d.power_ops = qemu_power.ops;
            d.power_dead = qemu_power.dead;
        }
    } else if (board_power_map(dir, false, &power, err, sizeof err) == 0) {
        d.power_ops = power->ops;
        d.power_dead = power->dead;
        board_power_unmap(power);
    }
    if (json) {
        print_json(&d);
    } else {
        print_text(&d);
    }
    board_view_close(&d.view);
    return BOARD_EXIT_OK;
}
