/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every status, state and event of every module has a name of its own: the console, the
 * board's log and the agent's events show these names, so a code that prints as "unknown",
 * or as another code's name, would mislead whoever reads the log. A value outside the enum
 * prints as that module's "unknown" name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "otaflow/agent.h"
#include "otaflow/boot.h"
#include "otaflow/crypto.h"
#include "otaflow/events.h"
#include "otaflow/guard.h"
#include "otaflow/http.h"
#include "otaflow/http_response.h"
#include "otaflow/image.h"
#include "otaflow/image_sig.h"
#include "otaflow/manifest.h"
#include "otaflow/manifest_sig.h"
#include "otaflow/store.h"
#include "otaflow/url.h"

typedef const char *(*name_fn)(int value);

/* Walking from `first` away from 0 (or up, for states and events), every value has a
 * non-empty name of its own until the enum ends, where the module's `unknown` name starts; the
 * enum reaches at least `known_last` (new values extend it without changing this test), and
 * the value before `first` is unknown too. */
static void check_names(const char *what, name_fn name, int first, int known_last,
                        const char *unknown)
{
    const char *seen[64];
    int step = known_last >= first ? 1 : -1;
    int n = 0;
    for (int v = first; n < 64; v += step, n++) {
        const char *nm = name(v);
        if (nm == NULL || nm[0] == '\0') {
            fail_msg("%s %d has an empty name", what, v);
        }
        if (strcmp(nm, unknown) == 0) {
            break;
        }
        for (int u = 0; u < n; u++) {
            if (strcmp(seen[u], nm) == 0) {
                fail_msg("%s %d and %d are both called \"%s\"", what, first + step * u, v, nm);
            }
        }
        seen[n] = nm;
    }
    if (n < 64 && (known_last - first) * step >= n) {
        fail_msg("%s %d has no name", what, first + step * n);
    }
    assert_true(n < 64);
    assert_string_equal(name(first - step), unknown);
}

#define NAMER(fn, type)                                                                       \
    static const char *fn##_int(int v)                                                        \
    {                                                                                         \
        return fn((type)v);                                                                   \
    }

NAMER(ota_agent_status_str, ota_agent_status_t)
NAMER(ota_agent_state_str, ota_agent_state_t)
NAMER(ota_event_type_str, ota_event_type_t)
NAMER(ota_boot_status_str, ota_boot_status_t)
NAMER(ota_crypto_status_str, ota_crypto_status_t)
NAMER(ota_guard_status_str, ota_guard_status_t)
NAMER(ota_http_status_str, ota_http_status_t)
NAMER(ota_http_resp_status_str, ota_http_resp_status_t)
NAMER(ota_image_status_str, ota_image_status_t)
NAMER(ota_sig_status_str, ota_sig_status_t)
NAMER(ota_manifest_status_str, ota_manifest_status_t)
NAMER(ota_manifest_sig_status_str, ota_manifest_sig_status_t)
NAMER(ota_url_status_str, ota_url_status_t)
NAMER(ota_store_status_str, ota_store_status_t)
NAMER(ota_file_status_str, ota_file_status_t)
NAMER(ota_slot_state_str, uint8_t)
NAMER(ota_boot_state_str, uint8_t)

static void test_every_status_has_its_own_name(void **unused)
{
    (void)unused;
    check_names("agent status", ota_agent_status_str_int, OTA_AGENT_OK, OTA_AGENT_ERR_PATCH_BASE,
                "unknown agent status");
    check_names("boot status", ota_boot_status_str_int, OTA_BOOT_OK, OTA_BOOT_ERR_REGION,
                "unknown boot status");
    check_names("crypto status", ota_crypto_status_str_int, OTA_CRYPTO_OK,
                OTA_CRYPTO_ERR_INTERNAL, "unknown crypto status");
    check_names("guard status", ota_guard_status_str_int, OTA_GUARD_OK,
                OTA_GUARD_ERR_NOT_MOUNTED, "unknown guard status");
    check_names("HTTP status", ota_http_status_str_int, OTA_HTTP_WOULD_BLOCK,
                OTA_HTTP_ERR_INSECURE, "unknown HTTP status");
    check_names("HTTP response parser status", ota_http_resp_status_str_int, OTA_HTTP_RESP_OK,
                OTA_HTTP_RESP_ERR_EOF_BODY, "unknown response parser status");
    check_names("image status", ota_image_status_str_int, OTA_IMAGE_OK, OTA_IMAGE_ERR_ARG,
                "unknown image status");
    check_names("signature status", ota_sig_status_str_int, OTA_SIG_OK, OTA_SIG_ERR_ARG,
                "unknown signature status");
    check_names("manifest status", ota_manifest_status_str_int, OTA_MANIFEST_AGAIN,
                OTA_MANIFEST_ERR_PATCH, "unknown manifest status");
    check_names("manifest signature status", ota_manifest_sig_status_str_int,
                OTA_MANIFEST_SIG_OK, OTA_MANIFEST_SIG_ERR_CRYPTO,
                "unknown manifest signature status");
    check_names("URL status", ota_url_status_str_int, OTA_URL_OK, OTA_URL_ERR_TOO_LONG,
                "unknown URL status");
    check_names("store status", ota_store_status_str_int, OTA_STORE_OK, OTA_STORE_ERR_NO_SIGNATURES,
                "unknown store status");
    check_names("file status", ota_file_status_str_int, OTA_FILE_OK,
                OTA_FILE_ERR_REFUSED_BEFORE, "unknown file status");
}

static void test_every_state_and_event_has_its_own_name(void **unused)
{
    (void)unused;
    check_names("agent state", ota_agent_state_str_int, OTA_AGENT_IDLE,
                OTA_AGENT_FETCHING_FILES, "unknown agent state");
    check_names("event", ota_event_type_str_int, OTA_EVT_WAITING_NETWORK, OTA_EVT_REPORT_FAILED,
                "unknown event");
    check_names("slot state", ota_slot_state_str_int, OTA_SLOT_EMPTY, OTA_SLOT_REJECTED,
                "unknown");
    check_names("boot state", ota_boot_state_str_int, OTA_BOOT_NONE, OTA_BOOT_CONFIRMED,
                "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_status_has_its_own_name),
        cmocka_unit_test(test_every_state_and_event_has_its_own_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
