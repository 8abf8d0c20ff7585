/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Starting the application image as a real program: its payload (the bytes after the image
 * header in internal flash) is copied into an anonymous memory file (memfd) and executed with
 * fexecve in a child process, so what runs is exactly what the bootloader installed.
 *
 * The child gets: stdout and stderr on one pipe (the console), a heartbeat pipe on fd 3 for
 * the watchdog, stdin from a pipe (the console's input: what the board types), and in its environment OTAFLOW_BOARD_DIR (absolute
 * path of the board) and OTAFLOW_BOARD_HEARTBEAT_FD=3.
 */
#ifndef OTAFLOW_SIM_APP_PROCESS_H
#define OTAFLOW_SIM_APP_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define APP_HEARTBEAT_FD 3

typedef struct app_process {
    pid_t pid;         /**< child, or -1 */
    int console_fd;    /**< read end of the console pipe (non-blocking), or -1 */
    int heartbeat_fd;  /**< read end of the heartbeat pipe (non-blocking), or -1 */
    int input_fd;      /**< write end of the child's stdin (non-blocking), or -1 */
} app_process_t;

/** Open the console input pipe of p (p->input_fd, non-blocking, close-on-exec); its read
 *  end, for the child's stdin, in *child_end (close-on-exec: dup2 it). 0, or -1 (errno). */
int app_input_open(app_process_t *p, int *child_end);

/** Start payload[0, len) as a program. Returns 0, or -1 with the reason in err. */
int app_start(app_process_t *app, const char *board_dir, const uint8_t *payload, size_t len,
              char *err, size_t err_len);

/** Has the child ended? Returns true (and its wait status) once it has; false while it runs. */
bool app_reaped(app_process_t *app, int *wait_status);

/** Ask the child to stop (SIGTERM: it ends its loop and closes its flashes); SIGKILL after
 *  grace_ms. Reaps it; closes the pipes. */
void app_stop(app_process_t *app, unsigned grace_ms);

/** Kill at once (power cut, watchdog) and reap. */
void app_kill(app_process_t *app);

/** In a child after a failed exec: "<what><strerror(errno)>" on stderr, then _exit(127).
 *  Async-signal-safe. */
void app_exec_failed(const char *what) __attribute__((noreturn));

/** Close the pipes (after the child was reaped); the input pipe too. */
void app_release(app_process_t *app);

#endif /* OTAFLOW_SIM_APP_PROCESS_H */
