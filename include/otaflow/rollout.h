/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Staged rollout without a server (docs/manifest.md, "Rollout"): every device decides alone,
 * from the same static manifest, whether it is among the first N % of devices for a version.
 *
 * A device's place for a version is its bucket, 0..9999: the first four bytes of
 * SHA-256("<device id>:<version in decimal>"), big-endian, modulo 10000. The device is a member
 * of a Rollout of N % when its bucket is below N * 100. The bucket does not depend on N, so
 * raising N only ever adds devices; it depends on the version, so each release samples a
 * different first 1 %. A publisher can compute any device's bucket the same way:
 *   printf 'dev-0042:7' | sha256sum   (first 8 hex digits, as a number, modulo 10000)
 */
#ifndef OTAFLOW_ROLLOUT_H
#define OTAFLOW_ROLLOUT_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Buckets a version's devices are spread over (a bucket is 0.01 %). */
#define OTA_ROLLOUT_BUCKETS 10000u

/** Longest device id, in characters (the NUL not counted). */
#define OTA_ROLLOUT_ID_MAX 63u

/**
 * The bucket (0..OTA_ROLLOUT_BUCKETS-1) of device_id for version, or OTA_ROLLOUT_BUCKETS when
 * it has none: device_id NULL, "" or longer than OTA_ROLLOUT_ID_MAX, or the hash failed.
 */
uint32_t ota_rollout_bucket(const char *device_id, uint32_t version);

/**
 * Whether device_id takes version under a Rollout of `percent`: always at 100 (or more),
 * never at 0; in between, when its bucket is below percent * 100. A device without a bucket
 * (see ota_rollout_bucket) takes only 100 %.
 */
bool ota_rollout_member(const char *device_id, uint32_t version, uint32_t percent);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_ROLLOUT_H */
