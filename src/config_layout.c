/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The library's side of the link-time layout guard (config.h): one byte whose name spells the
 * struct sizes the library was compiled with. Programs compiled with other sizes reference a
 * name that does not exist here, and do not link.
 */
#include "otaflow/config.h"

const volatile unsigned char OTA_LAYOUT_SYMBOL = 1u;
