/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OTA_NOINLINE: a helper kept out of its caller, so that its locals are not on the caller's
 * stack below it. The bootloader's deepest path is the signature check (docs/footprint.md):
 * buffers only some paths need go into frames of their own, off that path. Private to src/.
 */
#ifndef OTAFLOW_OTA_NOINLINE_H
#define OTAFLOW_OTA_NOINLINE_H

#if defined(__GNUC__)
#define OTA_NOINLINE __attribute__((noinline))
#else
#define OTA_NOINLINE
#endif

#endif
