/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OTA_STATUS_STRINGS (include/otaflow/config.h): with 0, every *_str() of the core returns
 * OTA_STATUS_TEXT_NONE instead of its name, so none of the names reaches the image; the
 * numbers stay in every status and event (the agent's log line prints them instead).
 * OTA_STATUS_TEXT_OFF(value) is the first statement of each of those functions.
 */
#ifndef OTAFLOW_STATUS_TEXT_H
#define OTAFLOW_STATUS_TEXT_H

#include "otaflow/config.h"

#if OTA_STATUS_STRINGS
#define OTA_STATUS_TEXT_OFF(value) ((void)0)
#else
#define OTA_STATUS_TEXT_OFF(value) return ((void)(value), OTA_STATUS_TEXT_NONE)
#endif

#endif /* OTAFLOW_STATUS_TEXT_H */
