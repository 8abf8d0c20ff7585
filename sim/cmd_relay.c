/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow-board relay PORT: one TCP connection from the emulated board to the host's
 * 127.0.0.1:PORT. QEMU's user-mode network runs it for each connection the guest opens to
 * 10.0.2.100:PORT (guestfwd ... cmd:), with that connection on stdin, stdout and stderr; it
 * copies both ways until both sides are done, passing each side's end of stream on, as HTTP
 * needs. Two consequences of stderr being the guest's connection: nothing may be printed
 * there (it would reach the firmware as response bytes), and closing stdout does not end the
 * guest's stream (stderr still holds it): the socket is shut down instead. Only loopback is
 * ever reached.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char HELP[] =
    "usage: otaflow-board relay PORT\n"
    "\n"
    "Copy stdin/stdout to and from a TCP connection to 127.0.0.1:PORT (the QEMU engine runs\n"
    "it for each connection of the emulated board to its server, 10.0.2.100:PORT).\n";

/* Copy what is readable from `from` to `to`. Returns false at the end of from's stream or on
 * an error (then nothing more goes that way). */
static bool copy_some(int from, int to)
{
    char buf[4096];
    ssize_t n = read(from, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return true;
    }
    if (n <= 0) {
        return false;
    }
    for (ssize_t off = 0; off < n;) {
        ssize_t w = write(to, buf + off, (size_t)(n - off));
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return false;
        }
        off += w;
    }
    return true;
}

/* Run by QEMU, stderr is the guest's connection (a socket): it goes to /dev/null, so that
 * nothing (not even a sanitizer's report) is written into the guest's stream. Returns true
 * then: the caller prints nothing. */
static bool silence_stderr(void)
{
    struct stat st;
    if (fstat(2, &st) != 0 || !S_ISSOCK(st.st_mode)) {
        return false;
    }
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, 2);
        close(null);
    }
    return true;
}

int cmd_relay(int argc, char **argv)
{
    const char *port_text = NULL;
    const cli_opt_t opts[] = {{NULL, NULL, NULL}};
    int p = cli_parse(argc, argv, opts, &port_text, 1, HELP);
    if (p != 0) {
        return p > 0 ? BOARD_EXIT_OK : BOARD_EXIT_USAGE;
    }
    uint32_t port;
    if (!cli_u32(port_text, 1, 65535, &port)) {
        return board_usage_error(argv[0], "PORT must be 1..65535, not '%s'", port_text);
    }
    signal(SIGPIPE, SIG_IGN);
    bool quiet = silence_stderr();
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || connect(s, (const struct sockaddr *)&addr, sizeof addr) != 0) {
        return quiet ? BOARD_EXIT_FAIL
                                  : board_fail(argv[0], "127.0.0.1:%u: %s", (unsigned)port,
                                               strerror(errno));
    }
    bool up = true, down = true; /* guest -> server, server -> guest */
    while (up || down) {
        struct pollfd pf[2] = {{up ? 0 : -1, POLLIN, 0}, {down ? s : -1, POLLIN, 0}};
        if (poll(pf, 2, -1) < 0 && errno != EINTR) {
            break;
        }
        if (up && (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) && !copy_some(0, s)) {
            up = false;
            shutdown(s, SHUT_WR);
        }
        if (down && (pf[1].revents & (POLLIN | POLLHUP | POLLERR)) && !copy_some(s, 1)) {
            down = false;
            if (shutdown(1, SHUT_WR) != 0) {
                close(1); /* a pipe (run by hand) */
            }
        }
    }
    close(s);
    return BOARD_EXIT_OK;
}
