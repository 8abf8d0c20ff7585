/* SPDX-License-Identifier: Apache-2.0 */
/* The application as a child process started from a memfd (see app_process.h). */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app_process.h"
#include "board.h"

extern char **environ;

static int write_all(int fd, const uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The child's environment: ours without the board variables, plus them. */
static char **child_env(const char *dir, char *dir_var, size_t dir_var_len, char *fd_var,
                        size_t fd_var_len)
{
    size_t n = 0;
    while (environ[n] != NULL) {
        n++;
    }
    char **env = calloc(n + 3, sizeof(char *));
    if (env == NULL) {
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(environ[i], BOARD_ENV_DIR "=", strlen(BOARD_ENV_DIR) + 1) != 0 &&
            strncmp(environ[i], BOARD_ENV_HEARTBEAT_FD "=", strlen(BOARD_ENV_HEARTBEAT_FD) + 1)) {
            env[k++] = environ[i];
        }
    }
    snprintf(dir_var, dir_var_len, "%s=%s", BOARD_ENV_DIR, dir);
    snprintf(fd_var, fd_var_len, "%s=%d", BOARD_ENV_HEARTBEAT_FD, APP_HEARTBEAT_FD);
    env[k++] = dir_var;
    env[k++] = fd_var;
    env[k] = NULL;
    return env;
}

int app_input_open(app_process_t *p, int *child_end)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        return -1;
    }
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    p->input_fd = fds[1];
    *child_end = fds[0];
    return 0;
}

/* Child side, between fork and exec: async-signal-safe calls only. */
static void exec_child(int exe_fd, int console_w, int heartbeat_w, int input_r, char **env)
{
    /* every fd we keep is first moved above the ones we set (0..3), so none is overwritten */
    int in = fcntl(input_r, F_DUPFD_CLOEXEC, 10);
    int hb = fcntl(heartbeat_w, F_DUPFD_CLOEXEC, 10);
    int con = fcntl(console_w, F_DUPFD_CLOEXEC, 10);
    int exe = fcntl(exe_fd, F_DUPFD_CLOEXEC, 10);
    if (in < 0 || hb < 0 || con < 0 || exe < 0 || dup2(in, 0) < 0 || dup2(con, 1) < 0 ||
        dup2(con, 2) < 0 || dup2(hb, APP_HEARTBEAT_FD) < 0) {
        _exit(126);
    }
    char *argv[] = {"otaflow-app", NULL};
    fexecve(exe, argv, env);
    app_exec_failed("board: cannot execute the application image: ");
}

void app_exec_failed(const char *what)
{
    /* no stdio after fork: the line is assembled by hand */
    const char *why = strerror(errno);
    ssize_t ignored = write(2, what, strlen(what));
    ignored = write(2, why, strlen(why));
    ignored = write(2, "\n", 1);
    (void)ignored;
    _exit(127);
}

int app_start(app_process_t *app, const char *board_dir, const uint8_t *payload, size_t len,
              char *err, size_t err_len)
{
    app->pid = -1;
    app->console_fd = app->heartbeat_fd = app->input_fd = -1;
    int exe = memfd_create("otaflow-app", MFD_CLOEXEC);
    if (exe < 0 || write_all(exe, payload, len) != 0) {
        snprintf(err, err_len, "cannot copy the application into memory: %s", strerror(errno));
        if (exe >= 0) {
            close(exe);
        }
        return -1;
    }
    int con[2], hb[2], in_r;
    if (pipe2(con, O_CLOEXEC) != 0) {
        close(exe);
        snprintf(err, err_len, "pipe: %s", strerror(errno));
        return -1;
    }
    if (pipe2(hb, O_CLOEXEC) != 0) {
        close(exe), close(con[0]), close(con[1]);
        snprintf(err, err_len, "pipe: %s", strerror(errno));
        return -1;
    }
    if (app_input_open(app, &in_r) != 0) {
        close(exe), close(con[0]), close(con[1]), close(hb[0]), close(hb[1]);
        snprintf(err, err_len, "pipe: %s", strerror(errno));
        return -1;
    }
    char dir_var[BOARD_PATH_MAX + 32], fd_var[64];
    char **env = child_env(board_dir, dir_var, sizeof dir_var, fd_var, sizeof fd_var);
    fflush(stdout);
    pid_t pid = env != NULL ? fork() : -1;
    if (pid == 0) {
        exec_child(exe, con[1], hb[1], in_r, env);
    }
    int saved = errno;
    free(env);
    close(exe), close(con[1]), close(hb[1]), close(in_r);
    if (pid < 0) {
        close(con[0]), close(hb[0]), close(app->input_fd);
        app->input_fd = -1;
        snprintf(err, err_len, "cannot start the application: %s", strerror(saved));
        return -1;
    }
    fcntl(con[0], F_SETFL, O_NONBLOCK);
    fcntl(hb[0], F_SETFL, O_NONBLOCK);
    app->pid = pid;
    app->console_fd = con[0];
    app->heartbeat_fd = hb[0];
    return 0;
}

bool app_reaped(app_process_t *app, int *wait_status)
{
    if (app->pid < 0) {
        return true;
    }
    pid_t r = waitpid(app->pid, wait_status, WNOHANG);
    if (r == app->pid || (r < 0 && errno == ECHILD)) {
        app->pid = -1;
        return true;
    }
    return false;
}

void app_release(app_process_t *app)
{
    if (app->console_fd >= 0) {
        close(app->console_fd);
    }
    if (app->heartbeat_fd >= 0) {
        close(app->heartbeat_fd);
    }
    if (app->input_fd >= 0) {
        close(app->input_fd);
    }
    app->console_fd = app->heartbeat_fd = app->input_fd = -1;
}

void app_kill(app_process_t *app)
{
    int ws;
    if (app->pid >= 0) {
        kill(app->pid, SIGKILL);
        while (waitpid(app->pid, &ws, 0) < 0 && errno == EINTR) {
        }
        app->pid = -1;
    }
    app_release(app);
}

void app_stop(app_process_t *app, unsigned grace_ms)
{
    int ws;
    if (app->pid >= 0) {
        kill(app->pid, SIGTERM);
        for (unsigned waited = 0; waited < grace_ms; waited += 10) {
            if (app_reaped(app, &ws)) {
                break;
            }
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    app_kill(app);
}
