/* SPDX-License-Identifier: Apache-2.0 */
/* Seeds for target manifest: every manifest test_manifest.c parses (see capture.h). */
#include "capture.h"
#include "otaflow/manifest.h"

ota_manifest_status_t __real_ota_manifest_select(ota_manifest_parser_t *parser, const char *json,
                                                 size_t len, const ota_manifest_device_t *device,
                                                 ota_manifest_plan_t *plan);
ota_manifest_status_t __wrap_ota_manifest_select(ota_manifest_parser_t *parser, const char *json,
                                                 size_t len, const ota_manifest_device_t *device,
                                                 ota_manifest_plan_t *plan);

ota_manifest_status_t __wrap_ota_manifest_select(ota_manifest_parser_t *parser, const char *json,
                                                 size_t len, const ota_manifest_device_t *device,
                                                 ota_manifest_plan_t *plan)
{
    fuzz_capture("manifest", NULL, 0, json, len);
    return __real_ota_manifest_select(parser, json, len, device, plan);
}
