/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Power-cut sweep runner (issue 5).
 *
 *   powercut_sweep --reduced [--jobs N] [--seed S]    the sweep of `make test`
 *   powercut_sweep --full [--jobs N] [--seed S]       the sweep of `make powercut`
 *   powercut_sweep --case SCENARIO GEOMETRY SIZE CUT MODE SEED [CUT2 MODE2 SEED2]
 *                                                     replay one case, verbosely
 * Filters for a sweep: --scenario NAME, --geometry NAME, --size small|full.
 *
 * For each configuration (scenario x geometry x image size): the scenario runs clean once on
 * a prepared board, counting its modifying flash operations N (both devices). Then for every
 * cut index 1..N and mode (before, after, torn) it runs again from a copy of the prepared
 * board with the cut armed, checks the invariants after the cut, lets the device recover
 * (power-on, boot, application, ...) to the scenario's end and checks again. Double faults:
 * a second cut at an operation of that recovery (every one, or a seeded random sample).
 * Silent bad writes: for every program of a journal record (and of a guard record) in the
 * clean run, that program
 * reports success but reads back wrong (a bit stuck set, or a weak bit), alone and followed
 * by a cut at the next operation; the store must not acknowledge what it cannot read back.
 * Cases are spread over --jobs forked workers. Last line: "N passed, N failed".
 *
 *   powercut_sweep --bad KIND N --case ...             replay a bad-write case (the Nth
 *        journal program goes bad (KIND flip, weak), or guard program (guard-flip, guard-weak);
 *        CUT 0: none)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "powercut.h"

#define SMALL_IMAGE (12u * 1024u)
#define FULL_IMAGE OTA_BOOT_APP_SIZE_DEFAULT /* 0xDF000: the whole application region */

static const char *const mode_names[3] = {"before", "after", "torn"};
/* Bad-write kinds of a case: 1, 2 on journal records (store flash), 3, 4 on guard records
 * (internal flash). */
static const char *const bad_names[5] = {"none", "flip", "weak", "guard-flip", "guard-weak"};
#define BAD_KINDS 4u

typedef struct plan {
    bool sizes[2];            /* [0] small, [1] full */
    /* Double faults per first cut: all (exhaustive), or a sample: with probability
     * 1/sample_every, one second cut at a random operation of the recovery. */
    bool double_all[2];       /* per size */
    unsigned sample_every[2]; /* per size; 0 = no double faults */
    /* Silent bad writes on journal records: each followed by a cut in every mode (else in
     * one mode drawn from the case), per size. */
    bool bad_cut_all[2];
    /* Signature checks make PC_SECURE lives about 7 times slower: the reduced sweep runs
     * them on the first geometry only, without double faults. */
    bool secure_light;
    /* Geometries with reduced_scenarios run only those scenarios (the reduced sweep). */
    bool sample_geometries;
    int only_scenario, only_geometry;
    unsigned jobs;
    uint64_t seed;
} plan_t;

typedef struct tally {
    uint64_t single, doubles, bad, failures, resumes;
} tally_t;

static void tally_add(tally_t *into, const tally_t *t)
{
    into->single += t->single;
    into->doubles += t->doubles;
    into->bad += t->bad;
    into->failures += t->failures;
    into->resumes += t->resumes;
}

static uint64_t mix(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Torn contents and sampling are derived from the master seed and the case's coordinates. */
static uint64_t case_seed(uint64_t master, unsigned sc, unsigned geo, unsigned size, uint64_t cut,
                          unsigned mode, unsigned which)
{
    return mix(master ^ mix(((uint64_t)sc << 56) ^ ((uint64_t)geo << 52) ^ ((uint64_t)size << 50) ^
                            ((uint64_t)which << 48) ^ (cut << 2) ^ mode));
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- one case --------------------------------------------------------------------------- */

typedef struct case_id {
    unsigned sc, geo, size;
    uint64_t cut;
    unsigned mode;
    uint64_t seed;
    uint64_t cut2; /* 0: single fault */
    unsigned mode2;
    uint64_t seed2;
    unsigned bad;     /* index in bad_names (cut 0: no cut) */
    uint64_t bad_nth; /* which journal (guard) program goes bad */
} case_id_t;

static void reset_case(pc_world_t *w, const boot_fixture_t *from, const case_id_t *c)
{
    boot_fixture_clone(w->fx, from);
    pc_watch_cuts(w);
    if (!w->fx->power.dead && pc_guard_power_on(w) != 0) {
        abort(); /* the prepared board's guard mounted before: a broken test */
    }
    if (c->bad > OTA_SIM_BAD_WEAK) {
        ota_sim_flash_arm_bad_write(&w->fx->internal, (ota_sim_bad_write_t)(c->bad - 2u),
                                    w->sys.guard_offset, w->sys.guard_offset + w->sys.guard_size,
                                    c->bad_nth, c->seed ^ 0xBADull);
        ota_sim_flash_arm_bad_write(&w->fx->external, OTA_SIM_BAD_NONE, 0, 0, 0, 0);
    } else {
        ota_sim_flash_arm_bad_write(&w->fx->external, (ota_sim_bad_write_t)c->bad, 0,
                                    pc_journal_end(w), c->bad_nth, c->seed ^ 0xBADull);
        ota_sim_flash_arm_bad_write(&w->fx->internal, OTA_SIM_BAD_NONE, 0, 0, 0, 0);
    }
    w->why[0] = '\0';
    w->boots = 0;
}

static void report_failure(const pc_world_t *w, const case_id_t *c, const char *stage)
{
    char bad[64] = "";
    if (c->bad) {
        snprintf(bad, sizeof bad, "--bad %s %" PRIu64 " ", bad_names[c->bad], c->bad_nth);
    }
    printf("FAIL %s/%s/%s", pc_scenarios[c->sc].name, pc_geometries[c->geo].name,
           c->size ? "full" : "small");
    if (c->bad) {
        printf(" bad write %s on %s program %" PRIu64 " +", bad_names[c->bad],
               c->bad > OTA_SIM_BAD_WEAK ? "guard" : "journal", c->bad_nth);
    }
    printf(" cut %" PRIu64 " %s", c->cut, mode_names[c->mode]);
    if (c->cut2) {
        printf(" + cut %" PRIu64 " %s", c->cut2, mode_names[c->mode2]);
    }
    printf(" (%s): %s\n  reproduce: powercut_sweep %s--case %s %s %s %" PRIu64 " %s %" PRIu64,
           stage, w->why, bad, pc_scenarios[c->sc].name, pc_geometries[c->geo].name,
           c->size ? "full" : "small", c->cut, mode_names[c->mode], c->seed);
    if (c->cut2) {
        printf(" %" PRIu64 " %s %" PRIu64, c->cut2, mode_names[c->mode2], c->seed2);
    }
    printf("\n");
    fflush(stdout);
}

/* After a cut: check, recover to the end, check. Returns 0 or -1 (reported). */
static int recover_and_check(pc_world_t *w, const case_id_t *c, const char *stage)
{
    pc_acked_t acked;
    if (w->cut_seen) {
        acked = w->at_cut; /* the RAM of the instant of the cut, not after the unwinding */
    } else {
        pc_capture_acked(w, &acked);
    }
    if (pc_check_after_cut(w, &acked) != 0) {
        report_failure(w, c, stage);
        return -1;
    }
    pc_life_t r = pc_life(w, true);
    if (r != PC_LIFE_DONE || pc_check_end(w) != 0) {
        if (r == PC_LIFE_CUT) {
            pc_fail(w, "power cut during a recovery that should not be cut");
        }
        report_failure(w, c, "recovery");
        return -1;
    }
    return 0;
}

/* The first cut of a case; on success, *post holds the board right after the cut and
 * *recovery_ops the number of operations of its clean recovery. */
static int run_first_cut(pc_world_t *w, const boot_fixture_t *start, const case_id_t *c,
                         uint64_t base, boot_fixture_t *post, uint64_t *recovery_ops)
{
    reset_case(w, start, c);
    ota_sim_power_arm(&w->fx->power, base + c->cut, (ota_sim_cut_mode_t)c->mode, c->seed);
    pc_life_t r = pc_life(w, w->scenario->starts_with_boot);
    if (r != PC_LIFE_CUT) {
        if (r == PC_LIFE_DONE) {
            pc_fail(w, "the cut never happened");
        }
        report_failure(w, c, "before the cut");
        return -1;
    }
    if (post) {
        boot_fixture_clone(post, w->fx);
    }
    uint64_t before = w->fx->power.ops;
    int rc = recover_and_check(w, c, "after the cut");
    *recovery_ops = w->fx->power.ops - before;
    return rc;
}

static int run_second_cut(pc_world_t *w, const boot_fixture_t *post, const case_id_t *c)
{
    reset_case(w, post, c);
    ota_sim_power_on(&w->fx->power);
    ota_sim_power_arm(&w->fx->power, w->fx->power.ops + c->cut2, (ota_sim_cut_mode_t)c->mode2,
                      c->seed2);
    pc_life_t r = pc_life(w, true);
    if (r != PC_LIFE_CUT) {
        if (r == PC_LIFE_DONE) {
            pc_fail(w, "the second cut never happened");
        }
        report_failure(w, c, "recovery before the second cut");
        return -1;
    }
    return recover_and_check(w, c, "after the second cut");
}

/* A silent bad write on the nth journal program, then (cut != 0) a cut at base + cut; the
 * device recovers to the end. *fired_cut: the cut index of the operation right after the
 * bad write. Returns 0 or -1 (reported). */
static int run_bad_write(pc_world_t *w, const boot_fixture_t *start, const case_id_t *c,
                         uint64_t base, uint64_t *fired_cut)
{
    reset_case(w, start, c);
    if (c->cut) {
        ota_sim_power_arm(&w->fx->power, base + c->cut, (ota_sim_cut_mode_t)c->mode, c->seed);
    }
    pc_life_t r = pc_life(w, w->scenario->starts_with_boot);
    const ota_sim_fault_t *f = ota_sim_flash_fault(
        c->bad > OTA_SIM_BAD_WEAK ? &w->fx->internal : &w->fx->external);
    if (!f->fired) {
        pc_fail(w, "the bad write never happened");
        report_failure(w, c, "bad write");
        return -1;
    }
    if (fired_cut) {
        *fired_cut = f->fired_op - base + 1u;
    }
    if (c->cut == 0) {
        if (r != PC_LIFE_DONE || pc_check_end(w) != 0 || pc_check_remounts(w) != 0) {
            report_failure(w, c, "after the bad write");
            return -1;
        }
        return 0;
    }
    if (r != PC_LIFE_CUT) {
        if (r == PC_LIFE_DONE) {
            pc_fail(w, "the cut never happened");
        }
        report_failure(w, c, "after the bad write, before the cut");
        return -1;
    }
    if (recover_and_check(w, c, "after the bad write and the cut") != 0) {
        return -1;
    }
    if (pc_check_remounts(w) != 0) {
        report_failure(w, c, "remounts after the bad write and the cut");
        return -1;
    }
    return 0;
}

/* ---- one configuration ------------------------------------------------------------------ */

typedef struct config_run {
    unsigned sc, geo, size;
    pc_world_t *w;
    boot_fixture_t *start;
    uint64_t base;  /* power.ops of the prepared board */
    uint64_t ops;   /* N */
    uint64_t journal_programs; /* programs of journal records in the clean run */
    uint64_t guard_programs;   /* programs of guard records (PC_GUARD) */
} config_run_t;

static pc_world_t *prepare(unsigned sc, unsigned geo, unsigned size, boot_fixture_t **start)
{
    /* A full image fills the region (a smaller one on a board whose region is smaller) */
    uint32_t full = pc_geometries[geo].app_size ? pc_geometries[geo].app_size : FULL_IMAGE;
    const uint32_t sizes[2] = {SMALL_IMAGE, full};
    pc_world_t *w = pc_world_new(&pc_scenarios[sc], &pc_geometries[geo], sizes[size]);
    /* Small images get a checkpoint every 4 KB so their downloads can resume mid-way. */
    w->fx->store_config.checkpoint_interval = size == 0 ? 4096u : 0u;
    w->scenario->setup(w);
    *start = pc_board_open(&pc_geometries[geo]);
    boot_fixture_clone(*start, w->fx);
    return w;
}

/* The worker's share of one configuration's cases. */
static void run_share(config_run_t *cr, const plan_t *p, unsigned worker, tally_t *t)
{
    boot_fixture_t *post = pc_board_open(&pc_geometries[cr->geo]);
    uint64_t k = 0;
    for (uint64_t cut = 1; cut <= cr->ops; cut++) {
        for (unsigned mode = 0; mode < 3; mode++, k++) {
            if (k % p->jobs != worker) {
                continue;
            }
            case_id_t c = {cr->sc, cr->geo, cr->size, cut, mode,
                           case_seed(p->seed, cr->sc, cr->geo, cr->size, cut, mode, 0),
                           0, 0, 0, 0, 0};
            bool light = p->secure_light && (cr->w->scenario->features & PC_SECURE);
            bool all = p->double_all[cr->size] && !light;
            uint64_t pick = case_seed(p->seed, cr->sc, cr->geo, cr->size, cut, mode, 1);
            bool sample = !all && !light && p->sample_every[cr->size] != 0 &&
                          pick % p->sample_every[cr->size] == 0;
            uint64_t m = 0;
            cr->w->checked_resume = false;
            int rc = run_first_cut(cr->w, cr->start, &c, cr->base, (all || sample) ? post : NULL,
                                   &m);
            t->single++;
            t->failures += rc != 0;
            t->resumes += cr->w->checked_resume;
            if (rc != 0 || m == 0) {
                continue;
            }
            /* The sampled second cut: an operation and a mode drawn from `pick`. */
            uint64_t sampled_cut = 1 + (pick >> 8) % m;
            unsigned sampled_mode = (unsigned)((pick >> 4) % 3);
            for (uint64_t cut2 = 1; cut2 <= m; cut2++) {
                for (unsigned mode2 = 0; mode2 < 3; mode2++) {
                    if (!all && !(sample && cut2 == sampled_cut && mode2 == sampled_mode)) {
                        continue;
                    }
                    case_id_t d = c;
                    d.cut2 = cut2;
                    d.mode2 = mode2;
                    d.seed2 = case_seed(p->seed, cr->sc, cr->geo, cr->size, cut, mode,
                                        2u + (unsigned)((cut2 * 3u + mode2) & 0x7FFF));
                    cr->w->checked_resume = false;
                    int rc2 = run_second_cut(cr->w, post, &d);
                    t->doubles++;
                    t->failures += rc2 != 0;
                    t->resumes += cr->w->checked_resume;
                }
            }
        }
    }
    /* Silent bad writes: each journal program of the life, both kinds, alone and followed
     * by a cut at the next operation. */
    uint64_t most = cr->journal_programs > cr->guard_programs ? cr->journal_programs
                                                              : cr->guard_programs;
    for (uint64_t nth = 1; nth <= most; nth++) {
        for (unsigned bad = 1; bad <= BAD_KINDS; bad++, k++) {
            uint64_t programs = bad > OTA_SIM_BAD_WEAK ? cr->guard_programs
                                                       : cr->journal_programs;
            if (k % p->jobs != worker || nth > programs) {
                continue;
            }
            case_id_t c = {cr->sc, cr->geo, cr->size, 0, 0,
                           case_seed(p->seed, cr->sc, cr->geo, cr->size, nth, bad, 0x7FFF),
                           0, 0, 0, bad, nth};
            uint64_t next = 0;
            int rc = run_bad_write(cr->w, cr->start, &c, cr->base, &next);
            t->bad++;
            t->failures += rc != 0;
            if (rc != 0) {
                continue;
            }
            for (unsigned mode = 0; mode < 3; mode++) {
                if (!p->bad_cut_all[cr->size] && mode != (unsigned)((c.seed >> 8) % 3u)) {
                    continue;
                }
                case_id_t d = c;
                d.cut = next;
                d.mode = mode;
                t->bad++;
                t->failures += run_bad_write(cr->w, cr->start, &d, cr->base, NULL) != 0;
            }
        }
    }
    boot_fixture_close(post);
}

/* Run a configuration over p->jobs forked workers; returns its tally. */
static int run_config(unsigned sc, unsigned geo, unsigned size, const plan_t *p, tally_t *total,
                      uint64_t *ops_out)
{
    config_run_t cr = {sc, geo, size, NULL, NULL, 0, 0, 0, 0};
    cr.w = prepare(sc, geo, size, &cr.start);
    cr.base = cr.w->fx->power.ops;
    ota_sim_flash_arm_bad_write(&cr.w->fx->external, OTA_SIM_BAD_NONE, 0, pc_journal_end(cr.w), 0,
                                0);
    if (cr.w->scenario->features & PC_GUARD) {
        ota_sim_flash_arm_bad_write(&cr.w->fx->internal, OTA_SIM_BAD_NONE, cr.w->sys.guard_offset,
                                    cr.w->sys.guard_offset + cr.w->sys.guard_size, 0, 0);
    }
    pc_life_t r = pc_life(cr.w, cr.w->scenario->starts_with_boot);
    if (r != PC_LIFE_DONE || pc_check_end(cr.w) != 0) {
        printf("FAIL %s/%s/%s clean run: %s\n", pc_scenarios[sc].name, pc_geometries[geo].name,
               size ? "full" : "small", cr.w->why);
        total->failures++;
        pc_world_free(cr.w);
        boot_fixture_close(cr.start);
        return -1;
    }
    cr.ops = cr.w->fx->power.ops - cr.base;
    cr.journal_programs = ota_sim_flash_fault(&cr.w->fx->external)->seen;
    cr.guard_programs = ota_sim_flash_fault(&cr.w->fx->internal)->seen;
    *ops_out = cr.ops;
    fflush(stdout);

    int fds[16][2];
    pid_t pids[16];
    unsigned jobs = p->jobs;
    for (unsigned j = 0; j < jobs; j++) {
        if (pipe(fds[j]) != 0) {
            perror("pipe");
            exit(2);
        }
        pids[j] = fork();
        if (pids[j] < 0) {
            perror("fork");
            exit(2);
        }
        if (pids[j] == 0) {
            close(fds[j][0]);
            tally_t t = {0, 0, 0, 0, 0};
            run_share(&cr, p, j, &t);
            ssize_t n = write(fds[j][1], &t, sizeof t);
            _exit(n == (ssize_t)sizeof t ? 0 : 3);
        }
        close(fds[j][1]);
    }
    for (unsigned j = 0; j < jobs; j++) {
        tally_t t;
        ssize_t n;
        do {
            n = read(fds[j][0], &t, sizeof t);
        } while (n < 0 && errno == EINTR);
        int status = 0;
        waitpid(pids[j], &status, 0);
        close(fds[j][0]);
        if (n != (ssize_t)sizeof t || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            printf("FAIL %s/%s/%s: worker %u died (status 0x%x)\n", pc_scenarios[sc].name,
                   pc_geometries[geo].name, size ? "full" : "small", j, (unsigned)status);
            total->failures++;
            continue;
        }
        tally_add(total, &t);
    }
    pc_world_free(cr.w);
    boot_fixture_close(cr.start);
    return 0;
}

/* ---- sweeps ------------------------------------------------------------------------------- */

static int sweep(const plan_t *p)
{
    printf("power-cut sweep: seed 0x%" PRIx64 ", %u jobs\n", p->seed, p->jobs);
    printf("self-test: planting faults the checks must catch (stderr shows what they say)\n");
    unsigned planted = 0, caught = pc_self_test(&planted);
    printf("self-test: %u of %u planted faults caught by the checks\n", caught, planted);
    if (caught != planted) {
        printf("0 passed, %u failed\n", planted - caught);
        return 1;
    }
    printf("| scenario | geometry | image | cut points | cut modes | single cuts | double cuts "
           "| bad writes | resumes checked | failures | seconds |\n");
    printf("|---|---|---|---:|---|---:|---:|---:|---:|---:|---:|\n");
    fflush(stdout);
    tally_t all = {0, 0, 0, 0, 0};
    double t0 = now_s();
    for (unsigned size = 0; size < 2; size++) {
        if (!p->sizes[size]) {
            continue;
        }
        for (unsigned sc = 0; sc < pc_scenario_count; sc++) {
            if (p->only_scenario >= 0 && (unsigned)p->only_scenario != sc) {
                continue;
            }
            for (unsigned geo = 0; geo < pc_geometry_count; geo++) {
                if (p->only_geometry >= 0 && (unsigned)p->only_geometry != geo) {
                    continue;
                }
                if (p->secure_light && (pc_scenarios[sc].features & PC_SECURE) && geo != 0) {
                    continue;
                }
                uint32_t sample = pc_geometries[geo].reduced_scenarios;
                if (p->sample_geometries && sample != 0 && !(sample & (1u << sc))) {
                    continue;
                }
                tally_t t = {0, 0, 0, 0, 0};
                uint64_t ops = 0;
                double t1 = now_s();
                run_config(sc, geo, size, p, &t, &ops);
                printf("| %s | %s | %s (%u B) | %" PRIu64 " | before, after, torn | %" PRIu64
                       " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %.1f |\n",
                       pc_scenarios[sc].name, pc_geometries[geo].name, size ? "full" : "small",
                       size ? FULL_IMAGE : SMALL_IMAGE, ops, t.single, t.doubles, t.bad,
                       t.resumes, t.failures, now_s() - t1);
                fflush(stdout);
                tally_add(&all, &t);
            }
        }
    }
    uint64_t cases = all.single + all.doubles + all.bad;
    printf("total: %" PRIu64 " cases (%" PRIu64 " single, %" PRIu64 " double, %" PRIu64
           " bad writes), %" PRIu64 " resumes checked, %.1f s\n",
           cases, all.single, all.doubles, all.bad, all.resumes, now_s() - t0);
    /* A failed clean run is a failure without cases. */
    printf("%" PRIu64 " passed, %" PRIu64 " failed\n",
           cases > all.failures ? cases - all.failures : 0, all.failures);
    return all.failures == 0 ? 0 : 1;
}

static int find_name(const char *name, bool scenario)
{
    unsigned n = scenario ? pc_scenario_count : pc_geometry_count;
    for (unsigned i = 0; i < n; i++) {
        if (strcmp(name, scenario ? pc_scenarios[i].name : pc_geometries[i].name) == 0) {
            return (int)i;
        }
    }
    fprintf(stderr, "unknown %s '%s'\n", scenario ? "scenario" : "geometry", name);
    exit(2);
}

static unsigned find_mode(const char *name)
{
    for (unsigned i = 0; i < 3; i++) {
        if (strcmp(name, mode_names[i]) == 0) {
            return i;
        }
    }
    fprintf(stderr, "unknown mode '%s' (before, after, torn)\n", name);
    exit(2);
}

static unsigned find_size(const char *name)
{
    if (strcmp(name, "small") == 0) {
        return 0;
    }
    if (strcmp(name, "full") == 0) {
        return 1;
    }
    fprintf(stderr, "unknown size '%s' (small, full)\n", name);
    exit(2);
}

/* Replay one case with the console of every boot on stdout; bad/bad_nth: a silent bad write
 * (0: none). */
static int replay(int argc, char **argv, unsigned bad, uint64_t bad_nth)
{
    if (argc != 6 && argc != 9) {
        fprintf(stderr, "--case SCENARIO GEOMETRY SIZE CUT MODE SEED [CUT2 MODE2 SEED2]\n");
        return 2;
    }
    case_id_t c = {(unsigned)find_name(argv[0], true), (unsigned)find_name(argv[1], false),
                   find_size(argv[2]), strtoull(argv[3], NULL, 0), find_mode(argv[4]),
                   strtoull(argv[5], NULL, 0), 0, 0, 0, bad, bad_nth};
    if (argc == 9) {
        c.cut2 = strtoull(argv[6], NULL, 0);
        c.mode2 = find_mode(argv[7]);
        c.seed2 = strtoull(argv[8], NULL, 0);
    }
    boot_fixture_t *start;
    pc_world_t *w = prepare(c.sc, c.geo, c.size, &start);
    boot_fixture_t *post = pc_board_open(&pc_geometries[c.geo]);
    w->fx->echo = true;
    uint64_t base = start->power.ops, m = 0;
    if (bad != 0) {
        int brc = run_bad_write(w, start, &c, base, &m);
        printf("bad write %s, program %" PRIu64 ": %s; the next operation is cut %" PRIu64 "\n",
               bad_names[bad], bad_nth, brc == 0 ? "ok" : "FAILED", m);
        boot_fixture_close(post);
        boot_fixture_close(start);
        pc_world_free(w);
        printf("%d passed, %d failed\n", brc == 0, brc != 0);
        return brc == 0 ? 0 : 1;
    }
    int rc = run_first_cut(w, start, &c, base, post, &m);
    printf("first cut: %s; its recovery made %" PRIu64 " flash operations\n",
           rc == 0 ? "ok" : "FAILED", m);
    if (rc == 0 && c.cut2) {
        rc = run_second_cut(w, post, &c);
        printf("second cut: %s\n", rc == 0 ? "ok" : "FAILED");
    }
    boot_fixture_close(post);
    boot_fixture_close(start);
    pc_world_free(w);
    printf("%d passed, %d failed\n", rc == 0, rc != 0);
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    plan_t p = {
        .sizes = {true, false},
        .double_all = {false, false},
        .sample_every = {2, 0},
        .only_scenario = -1,
        .only_geometry = -1,
        .bad_cut_all = {false, false},
        .secure_light = true,
        .sample_geometries = true,
        .jobs = 2,
        .seed = 0x0DA7A5EEDull,
    };
    unsigned bad = 0;
    uint64_t bad_nth = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool more = i + 1 < argc;
        if (strcmp(a, "--case") == 0) {
            return replay(argc - i - 1, argv + i + 1, bad, bad_nth);
        } else if (strcmp(a, "--bad") == 0 && i + 2 < argc) {
            bad = 0;
            for (unsigned b = 1; b <= BAD_KINDS; b++) {
                bad = strcmp(argv[i + 1], bad_names[b]) == 0 ? b : bad;
            }
            bad_nth = strtoull(argv[i + 2], NULL, 0);
            i += 2;
            if (bad == 0 || bad_nth == 0) {
                fprintf(stderr, "--bad flip|weak|guard-flip|guard-weak N (N >= 1)\n");
                return 2;
            }
        } else if (strcmp(a, "--reduced") == 0) {
            p.sizes[0] = true;
            p.sizes[1] = false;
            p.double_all[0] = false;
            p.sample_every[0] = 2;
            p.secure_light = true;
            p.sample_geometries = true;
        } else if (strcmp(a, "--full") == 0) {
            p.sizes[0] = p.sizes[1] = true;
            p.double_all[0] = true;
            p.sample_every[1] = 8;
            p.bad_cut_all[0] = p.bad_cut_all[1] = true;
            p.secure_light = false;
            p.sample_geometries = false;
        } else if (strcmp(a, "--jobs") == 0 && more) {
            p.jobs = (unsigned)strtoul(argv[++i], NULL, 0);
            if (p.jobs < 1 || p.jobs > 16) {
                fprintf(stderr, "--jobs 1..16\n");
                return 2;
            }
        } else if (strcmp(a, "--seed") == 0 && more) {
            p.seed = strtoull(argv[++i], NULL, 0);
        } else if (strcmp(a, "--scenario") == 0 && more) {
            p.only_scenario = find_name(argv[++i], true);
        } else if (strcmp(a, "--geometry") == 0 && more) {
            p.only_geometry = find_name(argv[++i], false);
        } else if (strcmp(a, "--size") == 0 && more) {
            unsigned s = find_size(argv[++i]);
            p.sizes[s] = true;
            p.sizes[1 - s] = false;
        } else {
            fprintf(stderr, "usage: powercut_sweep [--reduced|--full] [--jobs N] [--seed S] "
                            "[--scenario NAME] [--geometry NAME] [--size small|full]\n"
                            "       powercut_sweep --case SCENARIO GEOMETRY SIZE CUT MODE SEED "
                            "[CUT2 MODE2 SEED2]\n");
            return 2;
        }
    }
    return sweep(&p);
}
