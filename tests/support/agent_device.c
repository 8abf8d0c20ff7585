/* SPDX-License-Identifier: Apache-2.0 */
/* A device running the agent against real servers (see agent_device.h). */
#include "agent_device.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock_posix.h"

agent_device_t *agent_device_new(void)
{
    agent_device_t *d = calloc(1, sizeof *d);
    if (d == NULL) {
        abort();
    }
    d->fx = store_fixture_open(NULL, NULL);
    ota_posix_transport_init(&d->sock);
    return d;
}

void agent_device_free(agent_device_t *d)
{
    ota_posix_transport_free(&d->sock);
    store_fixture_close(d->fx);
    free(d);
}

void agent_device_config(agent_device_t *d, ota_agent_config_t *cfg, const char *manifest_url,
                         uint32_t running_version, uint32_t period_s)
{
    ota_agent_config_default(cfg);
    cfg->manifest_url = manifest_url;
    cfg->running_version = running_version;
    cfg->period_s = period_s;
    if (period_s != 0u) {
        /* These devices retry at every period: tests of the backoff set their own. */
        cfg->retry_first_s = period_s;
        cfg->retry_max_s = period_s;
    }
    cfg->auto_reset = false;
    cfg->on_event = event_log_record;
    cfg->event_user = &d->log;
    cfg->connect_timeout_ms = 2000;
    cfg->idle_timeout_ms = 3000;
}

ota_agent_status_t agent_device_start(agent_device_t *d, const ota_agent_config_t *cfg)
{
    ota_agent_ports_t ports = {
        .transport = ota_posix_transport(&d->sock),
        .store = &d->fx->store,
    };
    return ota_agent_init(&d->agent, cfg, &ports);
}

static void poll_once(agent_device_t *d)
{
    uint32_t before = ota_posix_now_ms();
    ota_agent_poll(&d->agent, before);
    uint32_t took = ota_posix_now_ms() - before;
    if (took > d->longest_poll_ms) {
        d->longest_poll_ms = took;
    }
    if (d->sock.fd >= 0) {
        ota_posix_transport_wait(&d->sock, 5);
    } else {
        usleep(1000); /* idle between periods: no socket to wait on */
    }
}

bool agent_device_run_until(agent_device_t *d, ota_event_type_t t, size_t n,
                            unsigned timeout_ms)
{
    uint32_t start = ota_posix_now_ms();
    while (event_log_count(&d->log, t) < n && ota_posix_now_ms() - start < timeout_ms) {
        poll_once(d);
    }
    if (event_log_count(&d->log, t) < n) {
        fprintf(stderr, "timeout waiting for '%s' x%zu (agent %s)\n", ota_event_type_str(t), n,
                ota_agent_state_str(ota_agent_state(&d->agent)));
        return false;
    }
    return true;
}

bool agent_device_run_until_failures(agent_device_t *d, size_t n, unsigned timeout_ms)
{
    uint32_t start = ota_posix_now_ms();
    while (event_log_failures(&d->log) < n && ota_posix_now_ms() - start < timeout_ms) {
        poll_once(d);
    }
    if (event_log_failures(&d->log) < n) {
        fprintf(stderr, "timeout waiting for failure x%zu (agent %s)\n", n,
                ota_agent_state_str(ota_agent_state(&d->agent)));
        return false;
    }
    return true;
}

uint8_t *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *data = n >= 0 ? malloc((size_t)n + 1u) : NULL;
    if (data != NULL && fread(data, 1, (size_t)n, f) != (size_t)n) {
        free(data);
        data = NULL;
    }
    if (data != NULL) {
        data[n] = 0;
    }
    fclose(f);
    *len = data != NULL ? (size_t)n : 0u;
    return data;
}

static int complain(const char *what, uint32_t value)
{
    fprintf(stderr, "agent_device: %s (%u)\n", what, value);
    return -1;
}

int agent_device_slot_is_file(agent_device_t *d, uint32_t version, const char *path)
{
    ota_store_t *store = &d->fx->store;
    size_t len;
    uint8_t *want = test_read_file(path, &len);
    if (want == NULL) {
        return complain("cannot read the expected file", 0);
    }
    int rc = 0;
    uint8_t slot = ota_store_find_version(store, version);
    uint8_t *got = malloc(len + 1u);
    if (slot == OTA_STORE_SLOT_NONE) {
        rc = complain("no slot holds version", version);
    } else if (ota_store_slot(store, slot)->size != len) {
        rc = complain("slot size differs from the file's", ota_store_slot(store, slot)->size);
    } else if (got == NULL ||
               ota_store_slot_read(store, slot, 0, got, (uint32_t)len) != OTA_STORE_OK ||
               memcmp(got, want, len) != 0) {
        rc = complain("slot bytes differ from the file's", slot);
    } else if (ota_store_slot_verify(store, slot) != OTA_STORE_OK) {
        rc = complain("slot does not verify", slot);
    }
    free(got);
    free(want);
    return rc;
}

int agent_device_nothing_stored(agent_device_t *d)
{
    ota_store_t *store = &d->fx->store;
    for (uint8_t i = 0; i < ota_store_slot_count(store); i++) {
        uint8_t state = ota_store_slot(store, i)->state;
        if (state == OTA_SLOT_STORED || state == OTA_SLOT_INSTALLED) {
            return complain("a slot holds an image", i);
        }
    }
    if (ota_store_boot(store)->state == OTA_BOOT_INSTALL_PENDING) {
        return complain("an install is pending", ota_store_boot(store)->install_slot);
    }
    return store_fixture_check_invariants(d->fx);
}
