/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Launching the board's firmware on QEMU's mps2-an386 (Cortex-M4), as docs/firmware.md's
 * contract says: internal.flash loaded at address 0 (the bootloader's vector table first),
 * the board's settings as KEY=VALUE words of the semihosting command line, the CMSDK UART on
 * QEMU's stdout, -no-reboot so that every reset ends QEMU (the engine relaunches it: RAM is
 * lost, flash is the files), and user-mode networking restricted to one forwarded address:
 * the guest's 10.0.2.100:PORT reaches the host's 127.0.0.1:PORT (PORT from manifest_url)
 * through `otaflow-board relay`, run by QEMU for each connection.
 */
#ifndef OTAFLOW_SIM_QEMU_LAUNCH_H
#define OTAFLOW_SIM_QEMU_LAUNCH_H

#include <stddef.h>
#include <stdint.h>

#include "app_process.h"
#include "board.h"

#define QEMU_BINARY "qemu-system-arm"
#define QEMU_GUEST_HOST "10.0.2.100" /* the host's server as the guest addresses it */
#define QEMU_ARGV_MAX 24u
#define QEMU_OPT_MAX 2048u

/** A QEMU command line; argv points into the struct. */
typedef struct qemu_cmdline {
    char *argv[QEMU_ARGV_MAX];
    unsigned argc;
    uint16_t forwarded_port; /**< the port of manifest_url forwarded to 127.0.0.1, 0: none */
    char semihosting[QEMU_OPT_MAX];
    char loader[QEMU_OPT_MAX];
    char nic[QEMU_OPT_MAX];
} qemu_cmdline_t;

/** The command line for the board in abs_dir (absolute, no white space) with cfg; utc is
 *  the host's UTC seconds at launch (the firmware's clock), self the absolute path of
 *  otaflow-board (the relay). Returns 0, or -1 with the reason in err. */
int qemu_cmdline_build(qemu_cmdline_t *q, const char *abs_dir, const board_config_t *cfg,
                       uint64_t utc, const char *self, char *err, size_t err_len);

/** The port of manifest_url if its host is QEMU_GUEST_HOST (80/443 by default), else 0. */
uint16_t qemu_forwarded_port(const char *manifest_url);

/** Start QEMU with q's command line in its own process group (a Ctrl-C reaches only
 *  otaflow-board, which stops it), killed by the kernel if otaflow-board dies, stdin from
 *  the console input pipe (p->input_fd: the UART's receiver), stdout (the UART) on p->console_fd, stderr into log_path. Reap and stop it with
 *  app_reaped / app_stop / app_kill. Returns 0, or -1 with the reason in err. */
int qemu_start(app_process_t *p, const qemu_cmdline_t *q, const char *log_path, char *err,
               size_t err_len);

#endif /* OTAFLOW_SIM_QEMU_LAUNCH_H */
