/* SPDX-License-Identifier: Apache-2.0 */
/* ota_transport_t over non-blocking BSD sockets (see transport_posix.h). */
#include "transport_posix.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void drop_socket(ota_posix_transport_t *t)
{
    if (t->tls != NULL) {
        ota_tls_close(t->tls);
    }
    if (t->fd >= 0) {
        close(t->fd);
    }
    t->fd = -1;
    t->connected = false;
}

static void drop_addresses(ota_posix_transport_t *t)
{
    if (t->addrs != NULL) {
        freeaddrinfo(t->addrs);
    }
    t->addrs = NULL;
    t->next_addr = NULL;
}

void ota_posix_transport_close(ota_posix_transport_t *t)
{
    drop_socket(t);
    drop_addresses(t);
}

void ota_posix_transport_init(ota_posix_transport_t *t)
{
    memset(t, 0, sizeof *t);
    t->fd = -1;
    t->link_up = true;
}

static void drop_tls(ota_posix_transport_t *t)
{
    if (t->tls != NULL) {
        ota_tls_free(t->tls);
        free(t->tls);
        t->tls = NULL;
    }
}

ota_tls_status_t ota_posix_transport_set_tls(ota_posix_transport_t *t,
                                             const ota_tls_config_t *config)
{
    ota_posix_transport_close(t);
    drop_tls(t);
    t->tls = calloc(1, sizeof *t->tls);
    if (t->tls == NULL) {
        return OTA_TLS_ERR_MEMORY;
    }
    ota_tls_status_t st = ota_tls_init(t->tls, config);
    if (st != OTA_TLS_OK) {
        drop_tls(t);
    }
    return st;
}

void ota_posix_transport_free(ota_posix_transport_t *t)
{
    ota_posix_transport_close(t);
    drop_tls(t);
}

static ota_net_status_t from_errno(int err)
{
    switch (err) {
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case EINTR:
    case EINPROGRESS:
        return OTA_NET_WOULD_BLOCK;
    case ECONNREFUSED:
    case ENETUNREACH:
    case EHOSTUNREACH:
    case EADDRNOTAVAIL:
        return OTA_NET_ERR_REFUSED;
    case ECONNRESET:
    case EPIPE:
    case ECONNABORTED:
    case ETIMEDOUT:
        return OTA_NET_ERR_RESET;
    case ENETDOWN:
        return OTA_NET_ERR_DOWN;
    default:
        return OTA_NET_ERR_IO;
    }
}

static bool net_up(void *ctx)
{
    return ((ota_posix_transport_t *)ctx)->link_up;
}

static ota_net_status_t established(ota_posix_transport_t *t)
{
    drop_addresses(t);
    t->connected = true;
    t->connects++;
    return OTA_NET_OK;
}

/* Start a non-blocking connect on the next resolved address that accepts one. */
static ota_net_status_t next_attempt(ota_posix_transport_t *t)
{
    while (t->next_addr != NULL) {
        struct addrinfo *ai = t->next_addr;
        t->next_addr = ai->ai_next;
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                        ai->ai_protocol);
        if (fd < 0) {
            t->last_error = errno;
            continue;
        }
        t->fd = fd;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            return established(t);
        }
        t->last_error = errno;
        if (errno == EINPROGRESS || errno == EINTR) {
            return OTA_NET_WOULD_BLOCK;
        }
        drop_socket(t);
    }
    /* Every address failed: report the last reason (refused unless it was local). */
    ota_net_status_t st = from_errno(t->last_error);
    ota_posix_transport_close(t);
    return st == OTA_NET_ERR_IO || st == OTA_NET_ERR_DOWN ? st : OTA_NET_ERR_REFUSED;
}

static ota_net_status_t tcp_connect(ota_posix_transport_t *t, const char *host, uint16_t port)
{
    if (t->connected) {
        return OTA_NET_OK;
    }
    if (t->fd < 0) {
        /* First call: resolve (blocking, see the header), then try the addresses in order. */
        char service[8];
        snprintf(service, sizeof service, "%u", (unsigned)port);
        struct addrinfo hints;
        memset(&hints, 0, sizeof hints);
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_NUMERICSERV;
        drop_addresses(t);
        t->last_error = 0;
        if (getaddrinfo(host, service, &hints, &t->addrs) != 0) {
            t->addrs = NULL;
            return OTA_NET_ERR_DNS;
        }
        t->next_addr = t->addrs;
        return next_attempt(t);
    }
    /* An attempt is in progress: has it finished? */
    struct pollfd pfd = { .fd = t->fd, .events = POLLOUT };
    int ready = poll(&pfd, 1, 0);
    if (ready == 0 || (ready < 0 && errno == EINTR)) {
        return OTA_NET_WOULD_BLOCK;
    }
    int err = 0;
    socklen_t len = sizeof err;
    if (ready < 0 || getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
        err = errno;
    }
    if (err == 0) {
        return established(t);
    }
    t->last_error = err;
    drop_socket(t);
    return next_attempt(t);
}

/* The socket itself: what TLS runs over, and what plain connections use directly. */
static ota_net_status_t raw_send(void *ctx, const void *buf, size_t len, size_t *sent)
{
    ota_posix_transport_t *t = ctx;
    *sent = 0;
    if (!t->connected) {
        return OTA_NET_ERR_IO;
    }
    ssize_t n = send(t->fd, buf, len, MSG_NOSIGNAL);
    if (n < 0) {
        return from_errno(errno);
    }
    *sent = (size_t)n;
    return OTA_NET_OK;
}

static ota_net_status_t raw_recv(void *ctx, void *buf, size_t len, size_t *received)
{
    ota_posix_transport_t *t = ctx;
    *received = 0;
    if (!t->connected) {
        return OTA_NET_ERR_IO;
    }
    ssize_t n = recv(t->fd, buf, len, 0);
    if (n == 0 && len > 0) {
        return OTA_NET_ERR_CLOSED;
    }
    if (n < 0) {
        return from_errno(errno);
    }
    *received = (size_t)n;
    return OTA_NET_OK;
}

/* TLS over the connected socket: start the session once, then advance the handshake. */
static ota_net_status_t tls_connect(ota_posix_transport_t *t, const char *host)
{
    ota_net_status_t st = OTA_NET_OK;
    if (!t->tls->open) {
        const ota_tls_io_t io = {raw_send, raw_recv, t};
        st = ota_tls_start(t->tls, host, &io);
    }
    if (st == OTA_NET_OK) {
        st = ota_tls_handshake(t->tls);
    }
    if (st == OTA_NET_ERR_TLS) {
        t->last_tls_error = ota_tls_last_error(t->tls);
    }
    if (st != OTA_NET_OK && st != OTA_NET_WOULD_BLOCK) {
        ota_posix_transport_close(t); /* a failed handshake leaves nothing to reuse */
    }
    return st;
}

static ota_net_status_t net_connect(void *ctx, const char *host, uint16_t port, bool tls)
{
    ota_posix_transport_t *t = ctx;
    if (!t->link_up) {
        return OTA_NET_ERR_DOWN;
    }
    if (t->fd < 0) {
        t->tls_wanted = tls; /* a new connection */
        t->last_tls_error = OTA_TLS_OK;
    }
    if (tls && (t->tls == NULL || !t->tls->configured)) {
        t->last_tls_error = OTA_TLS_ERR_CONFIG;
        return OTA_NET_ERR_TLS;
    }
    ota_net_status_t st = tcp_connect(t, host, port);
    if (st != OTA_NET_OK || !t->tls_wanted) {
        return st;
    }
    return tls_connect(t, host);
}

static ota_net_status_t net_send(void *ctx, const void *buf, size_t len, size_t *sent)
{
    ota_posix_transport_t *t = ctx;
    if (t->tls_wanted) {
        return ota_tls_send(t->tls, buf, len, sent);
    }
    return raw_send(ctx, buf, len, sent);
}

static ota_net_status_t net_recv(void *ctx, void *buf, size_t len, size_t *received)
{
    ota_posix_transport_t *t = ctx;
    if (t->tls_wanted) {
        return ota_tls_recv(t->tls, buf, len, received);
    }
    return raw_recv(ctx, buf, len, received);
}

static void net_close(void *ctx)
{
    ota_posix_transport_close(ctx);
}

static const ota_transport_ops_t posix_ops = {
    .network_up = net_up,
    .connect = net_connect,
    .send = net_send,
    .recv = net_recv,
    .close = net_close,
};

ota_transport_t ota_posix_transport(ota_posix_transport_t *t)
{
    ota_transport_t tr = { &posix_ops, t };
    return tr;
}

void ota_posix_transport_wait(ota_posix_transport_t *t, int timeout_ms)
{
    const ota_tls_t *tls = t->tls;
    if (t->fd < 0 || (tls != NULL && ota_tls_pending(tls) > 0)) {
        return; /* TLS already holds decrypted bytes: nothing to wait for */
    }
    short events = t->connected ? POLLIN : POLLOUT;
    if (tls != NULL && tls->open && !tls->ready && !ota_tls_wants_read(tls)) {
        events = POLLOUT;
    }
    struct pollfd pfd = { .fd = t->fd, .events = events };
    (void)poll(&pfd, 1, timeout_ms);
}
