/* SPDX-License-Identifier: Apache-2.0 */
/* ARM semihosting calls (semihost.h). Every call passes a block of words in r1. */
#include "semihost.h"

#include <string.h>

enum {
    SYS_OPEN = 0x01,
    SYS_CLOSE = 0x02,
    SYS_WRITE = 0x05,
    SYS_READ = 0x06,
    SYS_SEEK = 0x0A,
    SYS_REMOVE = 0x0E,
    SYS_FLEN = 0x0C,
    SYS_TIME = 0x11,
    SYS_GET_CMDLINE = 0x15,
    SYS_EXIT_EXTENDED = 0x20,
};

#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

static int32_t sh_call(uint32_t op, const void *args)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = args;
    __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return (int32_t)r0;
}

int sh_open(const char *path, uint32_t mode)
{
    uint32_t args[3] = {(uint32_t)(uintptr_t)path, mode, (uint32_t)strlen(path)};
    int32_t fh = sh_call(SYS_OPEN, args);
    return fh < 0 ? -1 : (int)fh;
}

void sh_close(int fh)
{
    uint32_t args[1] = {(uint32_t)fh};
    (void)sh_call(SYS_CLOSE, args);
}

int sh_read(int fh, void *buf, size_t len)
{
    uint32_t args[3] = {(uint32_t)fh, (uint32_t)(uintptr_t)buf, (uint32_t)len};
    return sh_call(SYS_READ, args) == 0 ? 0 : -1; /* returns the bytes NOT read */
}

int sh_write(int fh, const void *buf, size_t len)
{
    uint32_t args[3] = {(uint32_t)fh, (uint32_t)(uintptr_t)buf, (uint32_t)len};
    return sh_call(SYS_WRITE, args) == 0 ? 0 : -1; /* returns the bytes NOT written */
}

int sh_seek(int fh, uint32_t pos)
{
    uint32_t args[2] = {(uint32_t)fh, pos};
    return sh_call(SYS_SEEK, args) == 0 ? 0 : -1;
}

int sh_remove(const char *path)
{
    const uint32_t args[2] = {(uint32_t)path, (uint32_t)strlen(path)};
    return sh_call(SYS_REMOVE, args) == 0 ? 0 : -1;
}

int32_t sh_flen(int fh)
{
    uint32_t args[1] = {(uint32_t)fh};
    return sh_call(SYS_FLEN, args);
}

int sh_write_at(int fh, uint32_t pos, const void *buf, size_t len)
{
    return sh_seek(fh, pos) == 0 ? sh_write(fh, buf, len) : -1;
}

int sh_cmdline(char *buf, size_t len)
{
    uint32_t args[2] = {(uint32_t)(uintptr_t)buf, (uint32_t)len};
    if (len == 0 || sh_call(SYS_GET_CMDLINE, args) != 0) {
        return -1;
    }
    buf[args[1] < len ? args[1] : len - 1u] = '\0';
    return 0;
}

uint32_t sh_time(void)
{
    return (uint32_t)sh_call(SYS_TIME, NULL);
}

_Noreturn void sh_exit(int status)
{
    uint32_t args[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};
    for (;;) {
        (void)sh_call(SYS_EXIT_EXTENDED, args);
    }
}
