/* SPDX-License-Identifier: Apache-2.0 */
/* Flash faults other than power cuts (see faulty_flash.h). */
#include "faulty_flash.h"

#include <string.h>

static int fail_now(faulty_domain_t *d)
{
    return ++d->ops == d->fail_at;
}

static ota_flash_status_t faulty_read(void *ctx, uint32_t addr, void *buf, uint32_t len)
{
    faulty_flash_t *f = ctx;
    return fail_now(f->domain) ? OTA_FLASH_ERR_IO : ota_flash_read(f->inner, addr, buf, len);
}

static ota_flash_status_t faulty_program(void *ctx, uint32_t addr, const void *buf, uint32_t len)
{
    faulty_flash_t *f = ctx;
    faulty_domain_t *d = f->domain;
    uint8_t copy[4096];
    if (fail_now(d)) {
        return OTA_FLASH_ERR_IO;
    }
    if (d->weak_programs == 0 || len > sizeof copy) {
        return ota_flash_program(f->inner, addr, buf, len);
    }
    memcpy(copy, buf, len);
    for (uint32_t i = 0; i < len; i++) {
        if (copy[i] != 0xFF) {
            uint8_t bit = 1;
            while (copy[i] & bit) {
                bit = (uint8_t)(bit << 1);
            }
            copy[i] |= bit; /* its lowest 0 bit stays 1 */
            d->weak_programs--;
            d->weakened++;
            break;
        }
    }
    return ota_flash_program(f->inner, addr, copy, len);
}

static ota_flash_status_t faulty_erase(void *ctx, uint32_t addr, uint32_t len)
{
    faulty_flash_t *f = ctx;
    return fail_now(f->domain) ? OTA_FLASH_ERR_IO : ota_flash_erase(f->inner, addr, len);
}

static const ota_flash_ops_t faulty_ops = {faulty_read, faulty_program, faulty_erase};

void faulty_flash_wrap(faulty_flash_t *dev, faulty_domain_t *domain, const ota_flash_t *inner)
{
    memset(dev, 0, sizeof *dev);
    dev->port.ops = &faulty_ops;
    dev->port.ctx = dev;
    dev->port.geometry = inner->geometry;
    dev->inner = inner;
    dev->domain = domain;
}
