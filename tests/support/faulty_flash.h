/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Flash faults other than power cuts, for tests: a device in front of another one (usually a
 * device of the strict model) whose operations fail or do not take when told to. Several
 * devices can share one domain, so that one counter numbers the operations of all of them.
 */
#ifndef OTAFLOW_TEST_FAULTY_FLASH_H
#define OTAFLOW_TEST_FAULTY_FLASH_H

#include <stdint.h>

#include "otaflow/port.h"

typedef struct faulty_domain {
    uint64_t ops;           /**< reads, programs and erases so far, every device of the domain */
    uint64_t fail_at;       /**< that operation (1-based) fails with OTA_FLASH_ERR_IO; 0: none */
    unsigned weak_programs; /**< the next programs leave one bit that should be 0 at 1 (a cell
                                 that did not take) and report success */
    unsigned weakened;      /**< programs weakened so far */
} faulty_domain_t;

typedef struct faulty_flash {
    ota_flash_t port; /**< what the code under test uses */
    const ota_flash_t *inner;
    faulty_domain_t *domain;
} faulty_flash_t;

/** Put dev (same geometry as inner) in front of inner, counting in domain. */
void faulty_flash_wrap(faulty_flash_t *dev, faulty_domain_t *domain, const ota_flash_t *inner);

#endif
