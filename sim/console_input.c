/* SPDX-License-Identifier: Apache-2.0 */
/* What the board types on the console (see console_input.h). */
#include "console_input.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static bool send_line_ok(const char *cmd, const char *line)
{
    if (strlen(line) > CONSOLE_INPUT_LINE_MAX) {
        board_usage_error(cmd, "a --send line is at most %u characters",
                          CONSOLE_INPUT_LINE_MAX);
        return false;
    }
    if (strpbrk(line, "\r\n") != NULL) {
        board_usage_error(cmd, "a --send line is one line (give each line its own --send)");
        return false;
    }
    return true;
}

int console_input_take(console_input_t *in, int argc, char **argv)
{
    memset(in, 0, sizeof *in);
    int out = 1;
    for (int i = 1; i < argc; i++) {
        const char *line;
        if (strcmp(argv[i], "--send") == 0) {
            if (i + 1 >= argc) {
                board_usage_error(argv[0], "option --send needs a value");
                return -1;
            }
            line = argv[++i];
        } else if (strncmp(argv[i], "--send=", 7) == 0) {
            line = argv[i] + 7;
        } else {
            argv[out++] = argv[i];
            continue;
        }
        if (in->n_send == CONSOLE_INPUT_SEND_MAX) {
            board_usage_error(argv[0], "at most %u --send lines", CONSOLE_INPUT_SEND_MAX);
            return -1;
        }
        if (!send_line_ok(argv[0], line)) {
            return -1;
        }
        in->send[in->n_send++] = line;
    }
    /* In the background a read would stop the board (SIGTTIN): only the foreground types. */
    in->terminal = isatty(STDIN_FILENO) == 1 && tcgetpgrp(STDIN_FILENO) == getpgrp();
    if (in->terminal) {
        signal(SIGTTIN, SIG_IGN); /* moved to the background later: reads fail, not stop */
    }
    return out;
}

/* All of len bytes or none: a pipe takes up to PIPE_BUF bytes at once. */
static bool type_bytes(int fd, const char *s, size_t len)
{
    ssize_t n;
    do {
        n = write(fd, s, len);
    } while (n < 0 && errno == EINTR);
    return n == (ssize_t)len;
}

void console_input_started(console_input_t *in, console_t *con, int fd)
{
    if (in->sent || fd < 0) {
        return;
    }
    in->sent = true;
    for (size_t i = 0; i < in->n_send; i++) {
        char line[CONSOLE_INPUT_LINE_MAX + 2u];
        size_t len = strlen(in->send[i]);
        memcpy(line, in->send[i], len);
        line[len] = '\n';
        console_board(con, "console input: %s", in->send[i]);
        if (!type_bytes(fd, line, len + 1u)) {
            console_board(con, "console input lost: %s", strerror(errno));
        }
    }
}

int console_input_terminal_fd(const console_input_t *in)
{
    return in->terminal ? STDIN_FILENO : -1;
}

void console_input_forward(console_input_t *in, console_t *con, int fd)
{
    char chunk[CONSOLE_INPUT_LINE_MAX];
    ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
        in->terminal = false; /* end of input (Ctrl-D), or we went to the background */
        return;
    }
    if (n > 0 && (fd < 0 || !type_bytes(fd, chunk, (size_t)n))) {
        console_board(con, "console input lost: nothing reads it now");
    }
}
