/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scripted transport for unit tests: a sequence of connections, each accepting requests and
 * answering each complete request ("\r\n\r\n") with the next scripted response, delivered in
 * chunks of a chosen size, optionally with WOULD_BLOCK between every call, then ending with a
 * chosen status (closed, reset, or silence).
 */
#ifndef OTAFLOW_MOCK_TRANSPORT_H
#define OTAFLOW_MOCK_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "otaflow/port.h"

#define MOCK_MAX_CONNS 8
#define MOCK_MAX_RESPONSES 4
#define MOCK_NEVER UINT32_MAX /* connect_blocks: the connection never completes */

/** One scripted connection. */
typedef struct mock_conn {
    ota_net_status_t connect_result;  /**< after connect_blocks WOULD_BLOCKs (OK or error) */
    uint32_t connect_blocks;
    const char *responses[MOCK_MAX_RESPONSES]; /**< NUL-terminated; answered in order */
    size_t response_lens[MOCK_MAX_RESPONSES];  /**< 0 = strlen */
    ota_net_status_t end;             /**< after the last response byte: ERR_CLOSED, ERR_RESET,
                                           or WOULD_BLOCK (stays open and silent) */
    ota_net_status_t send_result;     /**< OK normally; an error fails every send */
} mock_conn_t;

typedef struct mock_transport {
    /* Script. */
    mock_conn_t conns[MOCK_MAX_CONNS];
    size_t n_conns;
    size_t recv_chunk;        /**< bytes per recv (0 = as many as asked) */
    size_t send_chunk;        /**< bytes accepted per send (0 = all) */
    bool block_between;       /**< every other call returns WOULD_BLOCK */
    bool link_up;

    /* State and record. */
    size_t cur;               /**< connection in use: conns[cur - 1]; 0 = none yet */
    bool open;                /**< a connection is open or connecting */
    bool connected;
    uint32_t blocks_left;
    size_t requests;          /**< complete requests received on the current connection */
    size_t resp_index;        /**< response being delivered */
    size_t resp_pos;
    bool toggle;
    unsigned connects;        /**< connections started */
    unsigned closes;
    unsigned calls;           /**< transport calls (connect, send, recv) */
    char host[256];           /**< host of the last connect */
    uint16_t port;
    bool tls;
    char sent[16384];         /**< every request byte, all connections */
    size_t sent_len;
} mock_transport_t;

/** Empty script, link up. */
void mock_init(mock_transport_t *m);

/** Append a connection that connects at once and answers with one response, then `end`. */
mock_conn_t *mock_add(mock_transport_t *m, const char *response, ota_net_status_t end);

/** The transport for the client. */
ota_transport_t mock_transport(mock_transport_t *m);

/** Number of times `needle` occurs in everything sent. */
unsigned mock_sent_count(const mock_transport_t *m, const char *needle);

#endif /* OTAFLOW_MOCK_TRANSPORT_H */
