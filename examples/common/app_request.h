/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The board's buttons (`otaflow-board request DIR ACTION`, docs/board.md), as both example
 * applications (host and firmware) carry them out: the agent's calls for factory-reset,
 * rollback and check; reset and hang are the application's own business.
 */
#ifndef OTAFLOW_APP_REQUEST_H
#define OTAFLOW_APP_REQUEST_H

#include "otaflow/agent.h"

/** What the application still has to do after app_request_apply. */
typedef enum app_request {
    APP_REQUEST_DONE = 0,    /**< carried out by the agent (or refused: see *status) */
    APP_REQUEST_RESET = 1,   /**< reset the board now */
    APP_REQUEST_HANG = 2,    /**< hang without kicking the watchdog (a test of the watchdog) */
    APP_REQUEST_UNKNOWN = 3, /**< not an action: ignored */
} app_request_t;

/** Carry out action (a line of DIR/request, without its newline) through agent; *status is
 *  the agent's answer (OTA_AGENT_OK unless it refused). */
app_request_t app_request_apply(ota_agent_t *agent, const char *action,
                                ota_agent_status_t *status);

#endif /* OTAFLOW_APP_REQUEST_H */
