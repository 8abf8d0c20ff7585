/* SPDX-License-Identifier: Apache-2.0 */
/* Scripted transport for unit tests (see mock_transport.h). */
#include "mock_transport.h"

#include <stdio.h>
#include <string.h>

void mock_init(mock_transport_t *m)
{
    memset(m, 0, sizeof *m);
    m->link_up = true;
}

mock_conn_t *mock_add(mock_transport_t *m, const char *response, ota_net_status_t end)
{
    if (m->n_conns == MOCK_MAX_CONNS) {
        return NULL;
    }
    mock_conn_t *c = &m->conns[m->n_conns++];
    memset(c, 0, sizeof *c);
    c->connect_result = OTA_NET_OK;
    c->responses[0] = response;
    c->end = end;
    c->send_result = OTA_NET_OK;
    return c;
}

static mock_conn_t *current(mock_transport_t *m)
{
    return (m->cur == 0 || m->cur > m->n_conns) ? NULL : &m->conns[m->cur - 1];
}

/* Every other call blocks when asked to, so the client must survive WOULD_BLOCK anywhere. */
static bool blocked(mock_transport_t *m)
{
    m->calls++;
    if (!m->block_between) {
        return false;
    }
    m->toggle = !m->toggle;
    return m->toggle;
}

/* Common start of send and recv: maybe block, then the connection must be up. */
static ota_net_status_t io_ready(mock_transport_t *m, mock_conn_t **conn)
{
    if (blocked(m)) {
        return OTA_NET_WOULD_BLOCK;
    }
    *conn = current(m);
    return (m->connected && *conn != NULL) ? OTA_NET_OK : OTA_NET_ERR_IO;
}

static bool mock_up(void *ctx)
{
    return ((mock_transport_t *)ctx)->link_up;
}

static ota_net_status_t mock_connect(void *ctx, const char *host, uint16_t port, bool tls)
{
    mock_transport_t *m = ctx;
    if (blocked(m)) {
        return OTA_NET_WOULD_BLOCK;
    }
    if (!m->open) {
        m->cur++;
        m->connects++;
        m->open = true;
        m->connected = false;
        m->requests = 0;
        m->resp_index = 0;
        m->resp_pos = 0;
        snprintf(m->host, sizeof m->host, "%s", host);
        m->port = port;
        m->tls = tls;
        mock_conn_t *c = current(m);
        m->blocks_left = c != NULL ? c->connect_blocks : 0;
    }
    mock_conn_t *c = current(m);
    if (c == NULL) {
        m->open = false;
        return OTA_NET_ERR_REFUSED; /* no more scripted servers */
    }
    if (m->blocks_left > 0) {
        if (m->blocks_left != MOCK_NEVER) {
            m->blocks_left--;
        }
        return OTA_NET_WOULD_BLOCK;
    }
    if (c->connect_result != OTA_NET_OK) {
        m->open = false;
        return c->connect_result;
    }
    m->connected = true;
    return OTA_NET_OK;
}

/* Count complete requests in what was sent on this connection. */
static void count_requests(mock_transport_t *m, size_t from)
{
    size_t start = from >= 3 ? from - 3 : 0;
    for (size_t i = start; i + 4 <= m->sent_len; i++) {
        if (i + 4 > from && memcmp(m->sent + i, "\r\n\r\n", 4) == 0) {
            m->requests++;
        }
    }
}

static ota_net_status_t mock_send(void *ctx, const void *buf, size_t len, size_t *sent)
{
    mock_transport_t *m = ctx;
    *sent = 0;
    mock_conn_t *c = NULL;
    ota_net_status_t ready = io_ready(m, &c);
    if (ready != OTA_NET_OK) {
        return ready;
    }
    if (c->send_result != OTA_NET_OK) {
        return c->send_result;
    }
    size_t n = len;
    if (m->send_chunk != 0 && n > m->send_chunk) {
        n = m->send_chunk;
    }
    if (n > sizeof m->sent - m->sent_len) {
        n = sizeof m->sent - m->sent_len;
    }
    size_t from = m->sent_len;
    memcpy(m->sent + m->sent_len, buf, n);
    m->sent_len += n;
    count_requests(m, from);
    *sent = n;
    return OTA_NET_OK;
}

static size_t response_len(const mock_conn_t *c, size_t i)
{
    return c->response_lens[i] != 0 ? c->response_lens[i] : strlen(c->responses[i]);
}

static ota_net_status_t mock_recv(void *ctx, void *buf, size_t len, size_t *received)
{
    mock_transport_t *m = ctx;
    *received = 0;
    mock_conn_t *c = NULL;
    ota_net_status_t ready = io_ready(m, &c);
    if (ready != OTA_NET_OK) {
        return ready;
    }
    /* Skip finished responses. */
    while (m->resp_index < MOCK_MAX_RESPONSES && c->responses[m->resp_index] != NULL &&
           m->resp_pos == response_len(c, m->resp_index)) {
        m->resp_index++;
        m->resp_pos = 0;
    }
    bool more = m->resp_index < MOCK_MAX_RESPONSES && c->responses[m->resp_index] != NULL;
    if (!more) {
        return c->end;
    }
    if (m->requests <= m->resp_index) {
        return OTA_NET_WOULD_BLOCK; /* the server answers only what was asked */
    }
    size_t left = response_len(c, m->resp_index) - m->resp_pos;
    size_t n = len < left ? len : left;
    if (m->recv_chunk != 0 && n > m->recv_chunk) {
        n = m->recv_chunk;
    }
    memcpy(buf, c->responses[m->resp_index] + m->resp_pos, n);
    m->resp_pos += n;
    *received = n;
    return OTA_NET_OK;
}

static void mock_close(void *ctx)
{
    mock_transport_t *m = ctx;
    if (m->open) {
        m->closes++;
    }
    m->open = false;
    m->connected = false;
}

static const ota_transport_ops_t mock_ops = {
    .network_up = mock_up,
    .connect = mock_connect,
    .send = mock_send,
    .recv = mock_recv,
    .close = mock_close,
};

ota_transport_t mock_transport(mock_transport_t *m)
{
    ota_transport_t t = { &mock_ops, m };
    return t;
}

unsigned mock_sent_count(const mock_transport_t *m, const char *needle)
{
    size_t n = strlen(needle);
    unsigned count = 0;
    for (size_t i = 0; n > 0 && i + n <= m->sent_len; i++) {
        if (memcmp(m->sent + i, needle, n) == 0) {
            count++;
        }
    }
    return count;
}
