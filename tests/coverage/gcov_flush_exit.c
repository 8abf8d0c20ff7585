/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Coverage builds only (OTA_COVERAGE, linked with -Wl,--wrap=_exit): a process that ends with
 * _exit() (the power-cut sweep's forked workers) skips the exit handlers, gcov's among them,
 * and its counts would be lost. This writes them first.
 */
void __gcov_dump(void);
void __real__exit(int status) __attribute__((noreturn));
void __wrap__exit(int status) __attribute__((noreturn));

void __wrap__exit(int status)
{
    __gcov_dump();
    __real__exit(status);
}
