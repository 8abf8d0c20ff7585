/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OTA_ASSERT(cond): a check of an internal invariant of the core (a record size, a buffer
 * bound, a state, a loop bound), never of input: bad input returns a named error. With
 * OTA_ENABLE_ASSERT=1 (config.h; the host build sets it) a false cond calls the port's
 * ota_port_assert_failed(); with 0 (firmware builds) it costs nothing: cond is only
 * type-checked, never evaluated. Private to src/.
 */
#ifndef OTAFLOW_OTA_ASSERT_H
#define OTAFLOW_OTA_ASSERT_H

#include "otaflow/config.h"
#include "otaflow/port.h"

#if OTA_ENABLE_ASSERT
#define OTA_ASSERT(cond) ((cond) ? (void)0 : ota_port_assert_failed(__FILE__, __LINE__, #cond))
#else
#define OTA_ASSERT(cond) ((void)sizeof((cond) ? 1 : 0))
#endif

#endif /* OTAFLOW_OTA_ASSERT_H */
