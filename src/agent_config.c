/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent's settings at run time (ota_agent_get_settings / ota_agent_set_settings in
 * include/otaflow/agent.h): what the original's `sysota set` changes on a running device.
 */
#include <string.h>

#include "otaflow/agent.h"
#include "otaflow/url.h"

ota_agent_status_t ota_agent_get_settings(const ota_agent_t *agent,
                                          ota_agent_settings_t *settings)
{
    if (agent == NULL || settings == NULL) {
        return OTA_AGENT_ERR_ARG;
    }
    settings->manifest_url = agent->manifest_url[0] != '\0' ? agent->manifest_url : NULL;
    settings->period_s = agent->config.period_s;
    settings->auto_update = agent->config.auto_update;
    settings->auto_reset = agent->config.auto_reset;
    return OTA_AGENT_OK;
}

/* Why url (NUL-terminated, "" = none) may not be the manifest URL; OK if it may. *tls says
 * whether it is https. */
static ota_agent_status_t agent_settings_url_refusal(const ota_agent_t *a, const char *url,
                                                     bool *tls)
{
    *tls = false;
    if (url[0] == '\0') {
        return OTA_AGENT_OK;
    }
    ota_url_t parsed;
    size_t len = 0;
    while (len < OTA_URL_MAX && url[len] != '\0') {
        len++;
    }
    if (len >= OTA_URL_MAX || ota_url_parse(url, &parsed) != OTA_URL_OK ||
        (a->config.manifest_keys != NULL &&
         len + sizeof OTA_MANIFEST_SIG_SUFFIX > OTA_URL_MAX)) {
        return OTA_AGENT_ERR_URL;
    }
    *tls = parsed.tls;
    return a->config.require_tls && !parsed.tls ? OTA_AGENT_ERR_INSECURE_URL : OTA_AGENT_OK;
}

static bool agent_settings_busy(const ota_agent_t *a)
{
    return a->state == OTA_AGENT_CHECKING || a->state == OTA_AGENT_DOWNLOADING ||
           a->state == OTA_AGENT_VERIFYING;
}

/* The new manifest URL, its .sig URL and what it means for plain-http image URLs (as
 * ota_agent_init sets them). */
static void agent_use_url(ota_agent_t *a, const char *url, bool tls)
{
    size_t n = strlen(url);
    memmove(a->manifest_url, url, n + 1u);
    a->manifest_sig_url[0] = '\0';
    if (n > 0u && a->config.manifest_keys != NULL) {
        memcpy(a->manifest_sig_url, a->manifest_url, n);
        memcpy(a->manifest_sig_url + n, OTA_MANIFEST_SIG_SUFFIX, sizeof OTA_MANIFEST_SIG_SUFFIX);
    }
    a->tls_only = a->config.require_tls || (n > 0u && !a->config.allow_http_images && tls);
    a->http.config.require_tls = a->tls_only;
    a->check_failures = 0u;
    a->next_check_ms = a->now_ms;
}

ota_agent_status_t ota_agent_set_settings(ota_agent_t *agent,
                                          const ota_agent_settings_t *settings)
{
    if (agent == NULL || settings == NULL) {
        return OTA_AGENT_ERR_ARG;
    }
    if (settings->period_s > OTA_AGENT_PERIOD_MAX_S) {
        return OTA_AGENT_ERR_CONFIG;
    }
    const char *url = settings->manifest_url != NULL ? settings->manifest_url : "";
    bool tls;
    ota_agent_status_t st = agent_settings_url_refusal(agent, url, &tls);
    if (st != OTA_AGENT_OK) {
        return st;
    }
    bool new_url = strcmp(url, agent->manifest_url) != 0;
    if (new_url && agent_settings_busy(agent)) {
        return OTA_AGENT_ERR_BUSY;
    }
    if (settings->period_s != agent->config.period_s) {
        agent->config.period_s = settings->period_s;
        agent->next_check_ms = agent->now_ms + settings->period_s * 1000u;
    }
    if (new_url) {
        agent_use_url(agent, url, tls);
    }
    agent->config.auto_update = settings->auto_update;
    agent->config.auto_reset = settings->auto_reset;
    return OTA_AGENT_OK;
}
