/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Built twice by tests/config/test_sizes_and_guard.sh, with the default configuration and with
 * OTA_CONFIG_FILE=small_config.h, each time against a library compiled the same way. Prints
 * key=value lines: the struct sizes this build sees, and what the library does with inputs
 * whose fate depends on the configuration. The script compares the two builds.
 */
#include <stdio.h>
#include <string.h>

#include "flash_sim.h"
#include "otaflow/agent.h"
#include "otaflow/boot.h"
#include "otaflow/manifest.h"
#include "otaflow/store.h"

static bool never_up(void *ctx)
{
    (void)ctx;
    return false;
}

static const ota_transport_ops_t idle_ops = {.network_up = never_up};

/* A manifest with one entry whose URL is url_len characters long. */
static size_t manifest_with_url(char *out, size_t cap, size_t url_len)
{
    char url[512];
    size_t prefix = strlen("http://h/");
    memcpy(url, "http://h/", prefix);
    memset(url + prefix, 'a', url_len - prefix);
    url[url_len] = '\0';
    int n = snprintf(out, cap,
                     "{\"ota\":[{\"Version\":2,\"URL\":\"%s\",\"Digest\":\"%064d\","
                     "\"EraseVer\":false}]}", url, 0);
    return n > 0 ? (size_t)n : 0u;
}

int main(void)
{
    printf("sizeof_agent=%zu\n", sizeof(ota_agent_t));
    printf("sizeof_store=%zu\n", sizeof(ota_store_t));
    printf("sizeof_boot=%zu\n", sizeof(ota_boot_t));
    printf("sizeof_http_client=%zu\n", sizeof(ota_http_client_t));
    printf("sizeof_plan=%zu\n", sizeof(ota_manifest_plan_t));
    printf("agent_http_buf=%zu\n", sizeof(((ota_agent_t *)0)->http_buf));
    printf("store_work=%zu\n", sizeof(((ota_store_t *)0)->work));

    /* The store: four download slots are within the default maximum (5), not within 3. */
    static ota_sim_flash_t dev;
    if (ota_sim_flash_open_ram(&dev, ota_sim_preset("sst26vf032b"), NULL, NULL) != OTA_FLASH_OK) {
        fprintf(stderr, "config_probe: no simulated flash\n");
        return 1;
    }
    static ota_store_t store;
    ota_store_config_t sc = {.slot_size = 0x10000u, .download_slots = 4u};
    printf("mount_4_slots=%s\n", ota_store_status_str(ota_store_mount(&store, &dev.port, &sc)));
    sc.download_slots = 2u;
    ota_store_status_t st = ota_store_mount(&store, &dev.port, &sc);
    printf("mount_2_slots=%s\n", ota_store_status_str(st));

    /* The agent: a 200-character manifest URL fits the default OTA_URL_MAX (256), not 128. */
    static ota_agent_t agent;
    ota_agent_config_t ac;
    ota_agent_config_default(&ac);
    static char manifest_url[201];
    memset(manifest_url, 'a', 200u);
    memcpy(manifest_url, "http://h/", 9u);
    ac.manifest_url = manifest_url;
    ota_agent_ports_t ports = {.transport = {.ops = &idle_ops}, .store = &store};
    printf("agent_manifest_url_200=%s\n", ota_agent_status_str(ota_agent_init(&agent, &ac, &ports)));

    /* The manifest parser: a 100-character URL is within the default limit (256), not 64. */
    static char json[1024];
    size_t len = manifest_with_url(json, sizeof json, 100u);
    ota_manifest_parser_t parser;
    ota_manifest_parser_init(&parser);
    ota_manifest_device_t device = {.running_version = 1u};
    static ota_manifest_plan_t plan;
    ota_manifest_status_t ms = ota_manifest_select(&parser, json, len, &device, &plan);
    printf("manifest_url_100=%s\n", ota_manifest_status_str(ms));

    /* File slots: built in by default (a store with two mounts), left out by OTA_FILE_SLOTS 0
     * (refused), and a manifest with the original's files entry still gives its image. */
    sc.file_slots = 2u;
    printf("mount_file_slots=%s\n", ota_store_status_str(ota_store_mount(&store, &dev.port, &sc)));
    static const char files_json[] =
        "{\"ota\":[{\"files\":[{\"slot_number\":0,\"length\":3,\"URL\":\"http://h/f\","
        "\"digest\":\"" "0000000000000000000000000000000000000000000000000000000000000000" "\"}]},"
        "{\"Version\":2,\"URL\":\"http://h/a\",\"Digest\":"
        "\"0000000000000000000000000000000000000000000000000000000000000000\"}]}";
    ms = ota_manifest_select(&parser, files_json, sizeof files_json - 1u, &device, &plan);
    printf("files_manifest=%s v%u\n", ota_manifest_status_str(ms), (unsigned)plan.update.version);

    ota_sim_flash_close(&dev);
    return 0;
}
