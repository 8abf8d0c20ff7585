/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ARM semihosting (the "Semihosting for AArch32 and AArch64" specification, BKPT 0xAB on
 * M-profile): the calls the port uses to reach the host under QEMU
 * (-semihosting-config enable=on,target=native): files of the board directory, the command
 * line that carries the board's settings, the host's time, and the exit status.
 * On a real part without a debugger attached these calls fault: the port uses them only
 * where the emulated board needs the host.
 */
#ifndef OTAFLOW_SEMIHOST_H
#define OTAFLOW_SEMIHOST_H

#include <stddef.h>
#include <stdint.h>

/** Open modes (SYS_OPEN's ISO C fopen mode numbers). */
#define SH_MODE_RB 1u  /**< "rb": read an existing file */
#define SH_MODE_RPB 3u /**< "r+b": read and write an existing file */
#define SH_MODE_WB 5u  /**< "wb": create or truncate, write */

/** Open path; returns a handle >= 0, or -1. */
int sh_open(const char *path, uint32_t mode);

/** Close a handle. */
void sh_close(int fh);

/** Read len bytes at the current position; returns 0 if all were read, else -1. */
int sh_read(int fh, void *buf, size_t len);

/** Write len bytes at the current position; returns 0 if all were written, else -1. */
int sh_write(int fh, const void *buf, size_t len);

/** Move to absolute position pos; returns 0 or -1. */
int sh_seek(int fh, uint32_t pos);

/** Delete the file at path (SYS_REMOVE); returns 0 or -1. */
int sh_remove(const char *path);

/** Length of the file in bytes, or -1. */
int32_t sh_flen(int fh);

/** pwrite: seek to pos, then write; returns 0 or -1. */
int sh_write_at(int fh, uint32_t pos, const void *buf, size_t len);

/** The command line QEMU was given with -semihosting-config arg=... (words joined by single
 *  spaces), NUL-terminated into buf. Returns 0, or -1 (no semihosting, buf too small). */
int sh_cmdline(char *buf, size_t len);

/** Seconds since 1970 on the host (SYS_TIME). */
uint32_t sh_time(void);

/** End the emulation with an exit status (SYS_EXIT_EXTENDED, ADP_Stopped_ApplicationExit). */
_Noreturn void sh_exit(int status);

#endif /* OTAFLOW_SEMIHOST_H */
