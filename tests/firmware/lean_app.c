/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The application the lean bootloader's test starts (tests/integration/test_qemu_lean.sh):
 * it reads its version from its own image header in internal flash (one build, packed as any
 * version), prints `app: running version N` on UART0 and ends QEMU with status 0 through
 * semihosting. Linked for the application region like the example app (firmware/app.ld).
 */
#include "console.h"
#include "lean_config.h"
#include "nor_mmio.h"
#include "otaflow/boot.h"
#include "semihost.h"

int main(void)
{
    static const ota_flash_geometry_t geometry = LEAN_INTERNAL_GEOMETRY;
    static nor_mmio_t internal;
    console_init();
    nor_mmio_init(&internal, LEAN_INTERNAL_BASE, &geometry);
    ota_boot_config_t bc;
    ota_boot_config_default(&bc);
    ota_image_header_t hdr;
    ota_image_status_t st = ota_boot_running_header(nor_mmio_port(&internal), &bc, &hdr);
    if (st != OTA_IMAGE_OK) {
        console_printf("app: ", "cannot read my own image header: %s", ota_image_status_str(st));
        sh_exit(1);
    }
    console_printf("app: ", "running version %lu", (unsigned long)hdr.version);
    sh_exit(0);
}
