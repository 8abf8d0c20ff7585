/* SPDX-License-Identifier: Apache-2.0 */
/* Blocking GET on the host (see http_blocking.h). */
#include "http_blocking.h"

#include "clock_posix.h"

ota_http_status_t ota_http_get_blocking(ota_http_client_t *client,
                                        ota_posix_transport_t *sock,
                                        const ota_http_request_t *request)
{
    ota_http_status_t st = ota_http_get(client, request);
    while (st == OTA_HTTP_IN_PROGRESS || st == OTA_HTTP_WOULD_BLOCK) {
        st = ota_http_poll(client, ota_posix_now_ms());
        if (st == OTA_HTTP_WOULD_BLOCK) {
            ota_posix_transport_wait(sock, 10);
        }
    }
    return st;
}
