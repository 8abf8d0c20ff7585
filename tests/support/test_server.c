/* SPDX-License-Identifier: Apache-2.0 */
/* Servers started by tests (see test_server.h). */
#include "test_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void child(int out_w, char *const argv[], const char *cwd, const char *stderr_path)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(out_w, STDOUT_FILENO);
    int err = open(stderr_path != NULL ? stderr_path : "/dev/null",
                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (err >= 0) {
        dup2(err, STDERR_FILENO);
    }
    if (cwd != NULL && chdir(cwd) != 0) {
        _exit(126);
    }
    execvp(argv[0], argv);
    _exit(127);
}

/* Read the child's stdout until a line says "port <n>". */
static uint16_t read_port(int fd, long deadline)
{
    char line[512];
    size_t len = 0;
    while (now_ms() < deadline && len < sizeof line - 1) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, (int)(deadline - now_ms())) <= 0) {
            continue;
        }
        ssize_t n = read(fd, line + len, sizeof line - 1 - len);
        if (n <= 0) {
            return 0; /* the child exited */
        }
        len += (size_t)n;
        line[len] = '\0';
        const char *p = strstr(line, " port ");
        if (p != NULL && strchr(p, '\n') != NULL) {
            long port = strtol(p + 6, NULL, 10);
            return port > 0 && port < 65536 ? (uint16_t)port : 0;
        }
    }
    return 0;
}

static bool accepts(const char *host, uint16_t port)
{
    char service[8];
    snprintf(service, sizeof service, "%u", (unsigned)port);
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST };
    struct addrinfo *ai = NULL;
    if (getaddrinfo(host, service, &hints, &ai) != 0) {
        return false;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM, 0);
    bool ok = fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0;
    if (fd >= 0) {
        close(fd);
    }
    freeaddrinfo(ai);
    return ok;
}

bool test_server_start(test_server_t *s, char *const argv[], const char *cwd,
                       const char *stderr_path, const char *host, int timeout_ms)
{
    memset(s, 0, sizeof *s);
    s->out_fd = -1;
    int pipe_fd[2];
    if (pipe(pipe_fd) != 0) {
        return false;
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(pipe_fd[0]);
        close(pipe_fd[1]);
        return false;
    }
    if (pid == 0) {
        close(pipe_fd[0]);
        child(pipe_fd[1], argv, cwd, stderr_path);
    }
    close(pipe_fd[1]);
    s->pid = pid;
    s->out_fd = pipe_fd[0];
    long deadline = now_ms() + timeout_ms;
    s->port = read_port(s->out_fd, deadline);
    while (s->port != 0 && !accepts(host, s->port)) {
        if (now_ms() >= deadline) {
            s->port = 0;
            break;
        }
        usleep(10000);
    }
    if (s->port == 0) {
        test_server_stop(s);
        return false;
    }
    return true;
}

void test_server_stop(test_server_t *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        long deadline = now_ms() + 2000;
        int status;
        while (waitpid(s->pid, &status, WNOHANG) == 0) {
            if (now_ms() >= deadline) {
                kill(s->pid, SIGKILL);
                waitpid(s->pid, &status, 0);
                break;
            }
            usleep(5000);
        }
    }
    if (s->out_fd >= 0) {
        close(s->out_fd);
    }
    s->pid = 0;
    s->out_fd = -1;
}

uint16_t test_server_closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return 0;
    }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    uint16_t port = 0;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0) {
        port = ntohs(a.sin_port);
    }
    close(fd);
    return port;
}

const char *test_source_dir(void)
{
    const char *dir = getenv("OTA_SOURCE_DIR");
    return dir != NULL ? dir : ".";
}

char *test_python(void)
{
    char *env = getenv("OTA_PYTHON");
    if (env != NULL && env[0] != '\0') {
        return env;
    }
    static char system_python[] = "/usr/bin/python3";
    static char path_python[] = "python3";
    return access(system_python, X_OK) == 0 ? system_python : path_python;
}
