/* SPDX-License-Identifier: Apache-2.0 */
/* The board's buttons, as the example applications carry them out (see app_request.h). */
#include <string.h>

#include "app_request.h"

app_request_t app_request_apply(ota_agent_t *agent, const char *action,
                                ota_agent_status_t *status)
{
    *status = OTA_AGENT_OK;
    if (strcmp(action, "factory-reset") == 0) {
        *status = ota_agent_factory_reset(agent);
    } else if (strcmp(action, "rollback") == 0) {
        *status = ota_agent_rollback(agent);
    } else if (strcmp(action, "check") == 0) {
        *status = ota_agent_check_now(agent);
    } else if (strcmp(action, "reset") == 0) {
        return APP_REQUEST_RESET;
    } else if (strcmp(action, "hang") == 0) {
        return APP_REQUEST_HANG;
    } else {
        return APP_REQUEST_UNKNOWN;
    }
    return APP_REQUEST_DONE;
}
