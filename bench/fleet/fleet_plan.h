/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fleet simulation's scenario and outcome, shared by its loop (fleet_main.c) and its
 * report (fleet_report.c). Times are seconds of fake time from the start.
 */
#ifndef OTAFLOW_FLEET_PLAN_H
#define OTAFLOW_FLEET_PLAN_H

#include <stdint.h>

#include "fleet_device.h"
#include "fleet_server.h"
#include "fleet_stats.h"

#define FLEET_STAGES 3u

/** What is simulated. */
typedef struct fleet_plan {
    uint32_t devices;
    uint32_t period_s;          /**< the devices' check period */
    uint32_t image_size;        /**< bytes of the update file */
    uint32_t stage_at_s[FLEET_STAGES];      /**< when each rollout stage is published */
    uint32_t stage_percent[FLEET_STAGES];   /**< its "Rollout" */
    uint32_t outage_at_s, outage_s;         /**< the server answers 503 meanwhile */
    uint32_t limit_s;           /**< give up converging here */
    uint32_t tail_s;            /**< keep running this long after convergence */
    double sigmas;              /**< binomial margin of the stage shares */
    bool no_jitter;             /**< the agents without ports.random32 (the comparison) */
} fleet_plan_t;

/** What happened. */
typedef struct fleet_outcome {
    uint32_t taken_by_stage_end[FLEET_STAGES]; /**< devices that took the update by the time
                                                    the next stage was published (the last:
                                                    by convergence or the limit) */
    uint32_t converged_s;       /**< first second all devices ran the update (UINT32_MAX: never) */
    uint32_t end_s;             /**< seconds simulated */
    uint32_t stalled_s;         /**< seconds whose network phase hit the wall-clock guard */
    fleet_device_ram_t ram;     /**< host RAM per device */
    double wall_s;              /**< wall-clock seconds of the simulation loop */
    double setup_wall_s;        /**< ... of powering the devices on */
    fleet_server_log_t log;     /**< the server's totals */
} fleet_outcome_t;

/** Print the figures and the checks on stdout; write timeline.csv and figures.md into dir
 *  (NULL: nowhere). Returns the number of failed checks. */
int fleet_report(const fleet_plan_t *plan, const fleet_outcome_t *out, const fleet_stats_t *st,
                 const char *dir);

#endif /* OTAFLOW_FLEET_PLAN_H */
