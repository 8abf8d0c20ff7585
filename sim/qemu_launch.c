/* SPDX-License-Identifier: Apache-2.0 */
/* The QEMU command line of a board and the QEMU process (see qemu_launch.h). */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "qemu_launch.h"

/* Append text to an option string; QEMU's option syntax escapes a comma by doubling it, so
 * a value (a path, a URL) goes in with escape set. */
static bool append(char *buf, size_t cap, size_t *len, bool escape, const char *text)
{
    for (const char *s = text; *s != '\0'; s++) {
        size_t need = (escape && *s == ',') ? 2u : 1u;
        if (*len + need >= cap) {
            return false;
        }
        buf[(*len)++] = *s;
        if (need == 2u) {
            buf[(*len)++] = ',';
        }
    }
    buf[*len] = '\0';
    return true;
}

/* append() of formatted text. */
static bool put(char *buf, size_t cap, size_t *len, bool escape, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static bool put(char *buf, size_t cap, size_t *len, bool escape, const char *fmt, ...)
{
    char text[QEMU_OPT_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return n >= 0 && (size_t)n < sizeof text && append(buf, cap, len, escape, text);
}

static bool has_space(const char *s)
{
    return strpbrk(s, " \t\n\r") != NULL;
}

uint16_t qemu_forwarded_port(const char *url)
{
    unsigned long port = 80;
    const char *rest;
    if (strncmp(url, "http://", 7) == 0) {
        rest = url + 7;
    } else if (strncmp(url, "https://", 8) == 0) {
        rest = url + 8;
        port = 443;
    } else {
        return 0;
    }
    size_t host_len = strlen(QEMU_GUEST_HOST);
    if (strncmp(rest, QEMU_GUEST_HOST, host_len) != 0) {
        return 0;
    }
    rest += host_len;
    if (*rest == ':') {
        char *end;
        port = strtoul(rest + 1, &end, 10);
        if (end == rest + 1 || (*end != '/' && *end != '\0') || port == 0 || port > 65535) {
            return 0;
        }
    } else if (*rest != '/' && *rest != '\0') {
        return 0;
    }
    return (uint16_t)port;
}

/* The board's settings, named as in board.conf, as semihosting command line words. */
static bool put_settings(char *b, size_t cap, size_t *n, const char *dir,
                         const board_config_t *c, uint64_t utc)
{
    char image_key[BOARD_PUBKEY_HEX] = "", manifest_key[BOARD_PUBKEY_HEX] = "";
    char decrypt_key[BOARD_DEVKEY_HEX] = "";
    if (c->has_decrypt_key) {
        board_devkey_to_hex(&c->decrypt_key, decrypt_key);
    }
    if (c->has_image_key) {
        board_pubkey_to_hex(c->image_pubkey, image_key);
    }
    if (c->has_manifest_key) {
        board_pubkey_to_hex(c->manifest_pubkey, manifest_key);
    }
    return append(b, cap, n, false, ",arg=dir=") && append(b, cap, n, true, dir) &&
           append(b, cap, n, false, ",arg=manifest_url=") &&
           append(b, cap, n, true, c->manifest_url) &&
           put(b, cap, n, false,
               ",arg=period_s=%u,arg=auto_reset=%s,arg=attempts=%u,arg=watchdog_s=%u"
               ",arg=confirm_on_start=%s,arg=hw_id=%u,arg=slots=%u,arg=ext_flash=%s"
               ",arg=utc=%llu,arg=image_pubkey=%s,arg=manifest_pubkey=%s"
               ",arg=accept_raw_images=%s,arg=file_slots=%u,arg=decrypt_key=%s",
               (unsigned)c->period_s, c->auto_reset ? "on" : "off", (unsigned)c->attempts,
               (unsigned)c->watchdog_s, c->confirm_on_start ? "on" : "off",
               (unsigned)c->hw_id, (unsigned)c->slots, c->ext_flash, (unsigned long long)utc,
               image_key, manifest_key, c->accept_raw_images ? "on" : "off",
               (unsigned)c->file_slots, decrypt_key);
}

int qemu_cmdline_build(qemu_cmdline_t *q, const char *abs_dir, const board_config_t *cfg,
                       uint64_t utc, const char *self, char *err, size_t err_len)
{
    memset(q, 0, sizeof(*q));
    if (abs_dir[0] != '/' || has_space(abs_dir) || has_space(cfg->manifest_url)) {
        snprintf(err, err_len, "the board's path and manifest_url must be absolute and without "
                 "white space for the QEMU engine (the firmware reads them as words)");
        return -1;
    }
    if (strchr(self, '\'') != NULL) {
        snprintf(err, err_len, "the path of otaflow-board contains a quote: %s", self);
        return -1;
    }
    size_t n = 0;
    bool ok = append(q->semihosting, sizeof q->semihosting, &n, false,
                     "enable=on,target=native,arg=otaflow") &&
              put_settings(q->semihosting, sizeof q->semihosting, &n, abs_dir, cfg, utc);
    n = 0;
    ok = ok && append(q->loader, sizeof q->loader, &n, false, "loader,file=") &&
         put(q->loader, sizeof q->loader, &n, true, "%s/%s", abs_dir, BOARD_INTERNAL) &&
         append(q->loader, sizeof q->loader, &n, false, ",addr=0x0,force-raw=on");
    n = 0;
    q->forwarded_port = qemu_forwarded_port(cfg->manifest_url);
    ok = ok && append(q->nic, sizeof q->nic, &n, false, "user,model=lan9118,restrict=on");
    if (q->forwarded_port != 0) {
        /* slirp runs the command (split like a shell would) for each connection the guest
         * opens to 10.0.2.100:PORT, its stdin/stdout being that connection */
        ok = ok &&
             put(q->nic, sizeof q->nic, &n, false, ",guestfwd=tcp:%s:%u-cmd:", QEMU_GUEST_HOST,
                 (unsigned)q->forwarded_port) &&
             put(q->nic, sizeof q->nic, &n, true, "'%s' relay %u", self,
                 (unsigned)q->forwarded_port);
    }
    if (!ok) {
        snprintf(err, err_len, "the QEMU command line is longer than %u characters",
                 QEMU_OPT_MAX);
        return -1;
    }
    char *const args[] = {QEMU_BINARY, "-M", "mps2-an386", "-nographic", "-no-reboot",
                          "-monitor", "none", "-serial", "stdio", "-semihosting-config",
                          q->semihosting, "-device", q->loader, "-nic", q->nic};
    for (size_t i = 0; i < sizeof args / sizeof args[0]; i++) {
        q->argv[q->argc++] = args[i];
    }
    q->argv[q->argc] = NULL;
    return 0;
}

/* Child side, between fork and exec: async-signal-safe calls only. */
static void exec_qemu(char *const argv[], int in_r, int out_w, int log_fd, pid_t parent)
{
    /* never outlive otaflow-board, whatever kills it; and not in its process group, so a
     * terminal's Ctrl-C reaches only otaflow-board, which stops QEMU itself */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent || setpgid(0, 0) != 0 ||
        dup2(in_r, 0) < 0 || dup2(out_w, 1) < 0 || dup2(log_fd, 2) < 0) {
        _exit(126);
    }
    execvp(argv[0], argv);
    app_exec_failed("cannot execute " QEMU_BINARY " (make deps installs it): ");
}

int qemu_start(app_process_t *p, const qemu_cmdline_t *q, const char *log_path, char *err,
               size_t err_len)
{
    p->pid = -1;
    p->console_fd = p->heartbeat_fd = p->input_fd = -1;
    int log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int out[2] = {-1, -1}, in_r = -1;
    if (log_fd < 0 || pipe2(out, O_CLOEXEC) != 0 || app_input_open(p, &in_r) != 0) {
        snprintf(err, err_len, "cannot start QEMU: %s: %s", log_path, strerror(errno));
        if (log_fd >= 0) {
            close(log_fd);
        }
        if (out[0] >= 0) {
            close(out[0]), close(out[1]);
        }
        return -1;
    }
    pid_t parent = getpid();
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        exec_qemu(q->argv, in_r, out[1], log_fd, parent);
    }
    int saved = errno;
    close(out[1]);
    close(log_fd);
    close(in_r);
    if (pid < 0) {
        close(out[0]);
        close(p->input_fd);
        p->input_fd = -1;
        snprintf(err, err_len, "cannot start QEMU: %s", strerror(saved));
        return -1;
    }
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    p->pid = pid;
    p->console_fd = out[0];
    return 0;
}
