/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lwIP's compiler/platform header for the otaflow Cortex-M firmware (arm-none-eabi-gcc,
 * little-endian, newlib's headers for the types only).
 */
#ifndef OTAFLOW_LWIP_ARCH_CC_H
#define OTAFLOW_LWIP_ARCH_CC_H

#include <stdint.h>

/* No diagnostics and no internal assertions (LWIP_NOASSERT), as a release build of lwIP is
 * shipped: both would pull printf, which allocates (the firmware has no heap). */
#define LWIP_NOASSERT 1
#define LWIP_PLATFORM_DIAG(x) \
    do {                      \
    } while (0)
#define LWIP_PLATFORM_ASSERT(x) \
    do {                        \
    } while (0)

/* Initial sequence numbers, DHCP transaction ids and local ports (net_stack.c). */
uint32_t ota_cm_net_rand(void);
#define LWIP_RAND() ota_cm_net_rand()

#define LWIP_NO_UNISTD_H 1

#endif /* OTAFLOW_LWIP_ARCH_CC_H */
