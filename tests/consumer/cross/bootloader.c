/* SPDX-License-Identifier: Apache-2.0 */
/* The team's bootloader: otaflow::boot's decisions on the team's port. */
#include "otaflow/boot.h"
#include "otaflow/store.h"
#include "port.h"

static ota_store_t store;
static ota_boot_t boot;

int main(void)
{
    ota_store_config_t sc = {0};
    ota_boot_report_t report;
    if (ota_store_mount(&store, &team_store_flash, &sc) != OTA_STORE_OK) {
        return 1;
    }
    return ota_boot_start(&boot, &team_boot_config, &team_system, 8000u, &team_internal_flash,
                          &store, NULL, NULL, &report) == OTA_BOOT_OK ? 0 : 1;
}
