/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The manifest URL's checks and use (ota_agent_init and ota_agent_set_settings share them),
 * and the agent's settings at run time (ota_agent_get_settings / ota_agent_set_settings in
 * include/otaflow/agent.h): what the original's `sysota set` changes on a running device.
 */
#include <string.h>

#include "agent_internal.h"
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

ota_agent_status_t ota_agent_manifest_url_refusal(const ota_agent_config_t *config,
                                                  const char *url, bool *tls)
{
    ota_url_t parsed; /* ota_url_parse refuses OTA_URL_MAX characters or more */
    if (ota_url_parse(url, &parsed) != OTA_URL_OK ||
        (config->manifest_keys != NULL &&
         strlen(url) + sizeof OTA_MANIFEST_SIG_SUFFIX > OTA_URL_MAX)) {
        return OTA_AGENT_ERR_URL;
    }
    *tls = parsed.tls;
    return config->require_tls && !parsed.tls ? OTA_AGENT_ERR_INSECURE_URL : OTA_AGENT_OK;
}

void ota_agent_use_manifest_url(ota_agent_t *a, const char *url, bool tls)
{
    size_t n = strlen(url);
    memmove(a->manifest_url, url, n + 1u);
    /* A manifest fetched over https must not send the image (or a redirect) over http: whoever
     * is on the path could then serve it. */
    a->tls_only = a->config.require_tls || (n > 0u && !a->config.allow_http_images && tls);
    a->http.config.require_tls = a->tls_only;
    a->check_failures = 0u;
    a->next_check_ms = a->now_ms;
    ota_agent_forget_validator(a); /* another server's validator means nothing here */
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
    bool tls = false;
    if (url[0] != '\0') {
        ota_agent_status_t st = ota_agent_manifest_url_refusal(&agent->config, url, &tls);
        if (st != OTA_AGENT_OK) {
            return st;
        }
    }
    bool new_url = strcmp(url, agent->manifest_url) != 0;
    if (new_url && ota_agent_busy(agent)) {
        return OTA_AGENT_ERR_BUSY;
    }
    if (settings->period_s != agent->config.period_s) {
        agent->config.period_s = settings->period_s;
        agent->next_check_ms = agent->now_ms + settings->period_s * 1000u;
    }
    if (new_url) {
        ota_agent_use_manifest_url(agent, url, tls);
    }
    agent->config.auto_update = settings->auto_update;
    agent->config.auto_reset = settings->auto_reset;
    return OTA_AGENT_OK;
}
