/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Delta updates on the agent's side (docs/delta.md, "On the device"): the RAM an application
 * gives the agent so that it applies the manifest's patches (ota_agent_ports_t.patch).
 *
 * With it, a check reads each update entry's "Patch" array; when the chosen update has a patch
 * whose base (BaseVersion, BaseVerDigest) is an image in the store, the agent fetches the patch
 * instead of the image: it hashes the patch as it arrives (PatchDigest), rebuilds the image by
 * reading the base from its slot and writes it into a free store slot (never over the base),
 * and the store checks the result as any download: TargetDigest, then the image's own hash and
 * signature, before anything is installed. When the base is gone, the patch does not apply,
 * its digest differs or the result is refused, the agent fetches the full image instead
 * (PATCH_FAILED, then the ordinary download). A lost connection or a power cut resumes from
 * the last checkpoint: at each erase sector of output (a block start, in otaflow's format) the
 * agent makes the rebuilt bytes durable in the store's journal and appends a note to the
 * slot's last sector: the applier's checkpoint and the PatchDigest's hash state; the next
 * attempt fetches the patch with a Range request from there (docs/delta.md).
 *
 * Why beside the agent and not in it: the applier's 4 KB of probabilities are needed only
 * while a patch is applied, and the manifest's patch entries only while a manifest is read;
 * both share this one block, which a device without patches does not pay for.
 */
#ifndef OTAFLOW_AGENT_PATCH_H
#define OTAFLOW_AGENT_PATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "otaflow/crypto.h"
#include "otaflow/delta.h"
#include "otaflow/manifest.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The agent's patch state; caller-owned, given to ota_agent_init in ports.patch and used
 *  only by the agent (no field is for the application). Needs no initialisation. 4,096 B on
 *  a Cortex-M4 (issue 15's budget for applying beside the agent: 4 KB). */
typedef struct ota_agent_patch {
    bool active;              /**< the update being fetched is this patch */
    uint8_t base_slot;        /**< the store slot of its base */
    int8_t delta_status;      /**< ota_delta_status_t that stopped the applier */
    uint32_t base_version;    /**< the base's version (checked again before applying) */
    uint32_t failed_version;  /**< a patch for this version and target failed (0: none): */
    uint8_t failed_target[8]; /**< the full image is fetched instead while it is offered */
    uint8_t patch_digest[OTA_SHA256_SIZE]; /**< PatchDigest */
    uint32_t hashed;          /**< patch bytes in the PatchDigest hash so far */
    union {
        ota_manifest_patches_t reading; /**< while a manifest is read */
        ota_delta_t applier;            /**< while a patch is applied */
    } u;
} ota_agent_patch_t;

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_AGENT_PATCH_H */
