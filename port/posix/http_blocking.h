/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Blocking GET for host programs and tests: drives the non-blocking client with the real
 * monotonic clock, sleeping on the socket between polls. Not for firmware (it blocks).
 */
#ifndef OTAFLOW_HTTP_BLOCKING_H
#define OTAFLOW_HTTP_BLOCKING_H

#include "otaflow/http.h"
#include "transport_posix.h"

#ifdef __cplusplus
extern "C" {
#endif


/**
 * Run one GET to completion. client must have been initialised on ota_posix_transport(sock).
 * Returns when the request finished: OTA_HTTP_OK or the error; the client's timeouts bound the
 * time this takes (with every timeout 0 and a silent server, it waits forever).
 */
ota_http_status_t ota_http_get_blocking(ota_http_client_t *client,
                                        ota_posix_transport_t *sock,
                                        const ota_http_request_t *request);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_HTTP_BLOCKING_H */
