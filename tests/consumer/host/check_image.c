/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A consumer of the installed otaflow: programs an update image into a simulated SPI flash
 * (the host port) and checks it there with the core, as a device checks a downloaded slot.
 * Usage: check_image FILE.ota. Prints one line and exits 0 only if the image verifies.
 */
#include <stdio.h>
#include <stdlib.h>

#include "flash_sim.h"
#include "otaflow/image.h"
#include "otaflow/version.h"

static int flash_source_read(void *ctx, uint32_t offset, void *buf, uint32_t len)
{
    return ota_flash_read(ctx, offset, buf, len) == OTA_FLASH_OK ? 0 : -1;
}

/* Erase what the image needs, then program it page by page. */
static int program_image(const ota_flash_t *flash, const uint8_t *image, uint32_t len)
{
    const ota_flash_geometry_t *g = &flash->geometry;
    for (uint32_t at = 0; at < len; at += g->erase_unit) {
        if (ota_flash_erase(flash, at, g->erase_unit) != OTA_FLASH_OK) {
            return -1;
        }
    }
    for (uint32_t at = 0; at < len; at += g->page_size) {
        uint32_t n = len - at < g->page_size ? len - at : g->page_size;
        n = (n + g->program_unit - 1u) / g->program_unit * g->program_unit;
        uint8_t page[4096];
        if (n > sizeof page) {
            return -1;
        }
        for (uint32_t i = 0; i < n; i++) {
            page[i] = at + i < len ? image[at + i] : g->erased_value;
        }
        if (ota_flash_program(flash, at, page, n) != OTA_FLASH_OK) {
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: check_image FILE.ota\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    static uint8_t image[1u << 20];
    size_t len = f != NULL ? fread(image, 1, sizeof image, f) : 0;
    if (f == NULL || ferror(f) || !feof(f)) {
        fprintf(stderr, "check_image: cannot read %s (or larger than 1 MiB)\n", argv[1]);
        return 1;
    }
    fclose(f);

    static ota_sim_flash_t dev;
    const char *part = "sst26vf032b";
    if (ota_sim_flash_open_ram(&dev, ota_sim_preset(part), NULL, NULL) != OTA_FLASH_OK ||
        program_image(ota_sim_flash_port(&dev), image, (uint32_t)len) != 0) {
        fprintf(stderr, "check_image: cannot program the simulated %s\n", part);
        ota_sim_flash_close(&dev);
        return 1;
    }
    const ota_flash_t *flash = ota_sim_flash_port(&dev);
    ota_image_source_t src = {flash_source_read, (void *)flash, flash->geometry.size};
    ota_image_info_t info;
    uint8_t work[256];
    ota_image_status_t st = ota_image_parse(&src, &info);
    if (st == OTA_IMAGE_OK) {
        st = ota_image_verify(&src, &info, work, sizeof work);
    }
    ota_sim_flash_close(&dev);
    if (st != OTA_IMAGE_OK) {
        printf("otaflow %s: %s: refused (%s)\n", OTA_VERSION_STRING, argv[1],
               ota_image_status_str(st));
        return 1;
    }
    printf("otaflow %s: %s: version %u, %u-byte payload, hash ok in a simulated %s\n",
           OTA_VERSION_STRING, argv[1], (unsigned)info.header.version,
           (unsigned)info.header.payload_size, part);
    return 0;
}
