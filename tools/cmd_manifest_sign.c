/* SPDX-License-Identifier: Apache-2.0 */
/* otaflow-image manifest sign / verify: the detached manifest signature (MANIFEST.json.sig)
 * and the freshness fields it covers (include/otaflow/manifest_sig.h, docs/security.md). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "manifest_doc.h"
#include "otaflow/manifest_sig.h"
#include "sign_key.h"
#include "tool.h"

/* A signed manifest is good for a week unless told otherwise: long enough to survive a
 * publisher's holiday, short enough that a frozen device notices. */
#define DEFAULT_VALIDITY_S (7u * 24u * 3600u)

static const char SIGN_HELP[] =
    "usage: otaflow-image manifest sign MANIFEST.json --key KEY.pem [--expires DATE|+SECONDS]\n"
    "                                   [--sequence N]\n"
    "\n"
    "Set the manifest's freshness fields and sign it. MANIFEST.json gets the top-level members\n"
    "  \"Sequence\": N   (default: the file's Sequence + 1, or 1; devices refuse a lower one)\n"
    "  \"Expires\": T    (UTC seconds; devices that know the time refuse it from then on)\n"
    "and MANIFEST.json.sig is written next to it: \"OTMS\", the key id (SHA-256 of the 65-byte\n"
    "public key) and the DER ECDSA P-256 signature over SHA-256 of MANIFEST.json as written.\n"
    "Serve both files; devices fetch the manifest URL + \".sig\". Re-sign after every change.\n"
    "\n"
    "  --key KEY.pem        the manifest signing key (otaflow-image keygen)\n"
    "  --expires WHEN       +SECONDS from now (default +604800, a week), UTC seconds since\n"
    "                       1970, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)\n"
    "  --sequence N         1..4294967295; refused if lower than the file's Sequence\n";

static const char VERIFY_HELP[] =
    "usage: otaflow-image manifest verify MANIFEST.json --pubkey PUB.pem\n"
    "\n"
    "Exit 0 only if MANIFEST.json.sig is a signature by PUB.pem over MANIFEST.json, the\n"
    "manifest is one a device accepts, it has Sequence and Expires, and it has not expired.\n"
    "Prints the key id, the Sequence and the expiry.\n";

/* --expires: "+SECONDS", plain UTC seconds, "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ". */
static bool parse_expires(const char *text, uint64_t now, uint64_t *out)
{
    char *end = NULL;
    if (text[0] == '+' || (text[0] >= '0' && text[0] <= '9' && strchr(text, '-') == NULL)) {
        errno = 0;
        unsigned long long v = strtoull(text + (text[0] == '+'), &end, 10);
        if (errno != 0 || end == text || *end != '\0' || v == 0) {
            return false;
        }
        *out = text[0] == '+' ? now + v : (uint64_t)v;
        return true;
    }
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int n = 0;
    if (sscanf(text, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) != 3 ||
        (text[n] != '\0' &&
         (sscanf(text + n, "T%2d:%2d:%2dZ%n", &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 3 ||
          text[strlen(text) - 1] != 'Z' || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)) ||
        tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31) {
        return false;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    if (t <= 0) {
        return false;
    }
    *out = (uint64_t)t;
    return true;
}

static void utc_text(uint64_t t, char *out, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        snprintf(out, len, "%" PRIu64, t);
    }
}

/* Would a device take this manifest? Parsed exactly as the agent parses it. */
static ota_manifest_status_t device_parse(const char *text, size_t len, ota_manifest_plan_t *plan,
                                          ota_manifest_parser_t *parser)
{
    ota_manifest_parser_init(parser);
    parser->max_size = UINT32_MAX;
    ota_manifest_device_t dev = {.running_version = 0};
    return ota_manifest_select(parser, text, len, &dev, plan);
}

static int sig_path(const char *cmd, const char *manifest, char *out, size_t len)
{
    int n = snprintf(out, len, "%s%s", manifest, OTA_MANIFEST_SIG_SUFFIX);
    return (n < 0 || (size_t)n >= len) ? tool_fail(cmd, "path too long: %s", manifest) : 0;
}

/* The new freshness fields into doc: Sequence from --sequence or the file's + 1. */
static int set_freshness(const char *cmd, manifest_doc_t *doc, const char *seq_text,
                         const char *exp_text, uint32_t *seq, uint64_t *expires)
{
    uint32_t previous = 0;
    const char *old = manifest_doc_top(doc, "Sequence");
    if (old != NULL && !tool_parse_u32(old, &previous)) {
        return tool_fail(cmd, "the manifest's Sequence '%s' is not a number", old);
    }
    if (seq_text != NULL) {
        if (!tool_parse_u32(seq_text, seq) || *seq == 0u) {
            return tool_usage_error(cmd, "--sequence '%s' is not 1..4294967295", seq_text);
        }
        if (*seq < previous) {
            return tool_fail(cmd, "--sequence %u is below the manifest's Sequence %u: devices "
                             "that saw it would refuse this one as a replay", *seq, previous);
        }
    } else {
        if (previous == UINT32_MAX) {
            return tool_fail(cmd, "Sequence is at its maximum");
        }
        *seq = previous + 1u;
    }
    uint64_t now = (uint64_t)time(NULL);
    if (exp_text == NULL) {
        *expires = now + DEFAULT_VALIDITY_S;
    } else if (!parse_expires(exp_text, now, expires)) {
        return tool_usage_error(cmd, "--expires '%s': use +SECONDS, UTC seconds, YYYY-MM-DD or "
                                "YYYY-MM-DDTHH:MM:SSZ", exp_text);
    }
    if (*expires <= now) {
        return tool_fail(cmd, "--expires %s is in the past", exp_text);
    }
    char text[32];
    snprintf(text, sizeof text, "%u", (unsigned)*seq);
    manifest_doc_status_t st = manifest_doc_set_top(doc, "Sequence", text);
    snprintf(text, sizeof text, "%" PRIu64, *expires);
    if (st == MANIFEST_DOC_OK) {
        st = manifest_doc_set_top(doc, "Expires", text);
    }
    return st == MANIFEST_DOC_OK ? 0 : tool_fail(cmd, "out of memory");
}

static int load_doc(const char *cmd, const char *path, manifest_doc_t *doc)
{
    uint8_t *old = NULL;
    size_t old_len = 0;
    if (tool_read_file(path, &old, &old_len) != 0) {
        return tool_fail(cmd, "cannot read %s: %s", path, strerror(errno));
    }
    char why[200];
    manifest_doc_status_t st = manifest_doc_parse((const char *)old, old_len, doc, why, sizeof why);
    free(old);
    return st == MANIFEST_DOC_OK ? 0 : tool_fail(cmd, "%s: %s (not changed)", path, why);
}

/* Write text to path and its signature to path.sig. */
static int write_signed(const char *cmd, const char *path, const char *text, size_t len,
                        tool_key_t *key)
{
    char sig_file[4096];
    if (sig_path(cmd, path, sig_file, sizeof sig_file) != 0) {
        return TOOL_EXIT_FAIL;
    }
    uint8_t sig[OTA_MANIFEST_SIG_MAX];
    size_t sig_len = 0;
    char why[256];
    if (tool_key_sign_manifest(key, text, len, sig, &sig_len, why, sizeof why) != 0) {
        return tool_fail(cmd, "%s", why);
    }
    if (tool_write_file(path, text, len) != 0) {
        return tool_fail(cmd, "cannot write %s: %s", path, strerror(errno));
    }
    if (tool_write_file(sig_file, sig, sig_len) != 0) {
        return tool_fail(cmd, "cannot write %s: %s", sig_file, strerror(errno));
    }
    return 0;
}

int cmd_manifest_sign(int argc, char **argv)
{
    const char *cmd = "manifest sign";
    const char *key_path = NULL, *exp_text = NULL, *seq_text = NULL, *path = NULL;
    const tool_option_t opts[] = {
        {.name = "key", .takes_value = true, .value = &key_path},
        {.name = "expires", .takes_value = true, .value = &exp_text},
        {.name = "sequence", .takes_value = true, .value = &seq_text},
        {.name = NULL},
    };
    argv[0] = (char *)cmd;
    int status;
    if (!tool_args(argc, argv, opts, &path, 1, SIGN_HELP, &status)) {
        return status;
    }
    if (key_path == NULL) {
        return tool_usage_error(cmd, "--key KEY.pem is required");
    }
    tool_key_t key;
    char why[256];
    if (tool_key_load_private(&key, key_path, why, sizeof why) != 0) {
        tool_key_free(&key);
        return tool_fail(cmd, "%s", why);
    }
    manifest_doc_t doc;
    manifest_doc_init(&doc);
    uint32_t seq = 0;
    uint64_t expires = 0;
    int rc = load_doc(cmd, path, &doc);
    if (rc == 0) {
        rc = set_freshness(cmd, &doc, seq_text, exp_text, &seq, &expires);
    }
    char *text = NULL;
    size_t len = 0;
    FILE *mem = rc == 0 ? open_memstream(&text, &len) : NULL;
    if (rc == 0 && mem == NULL) {
        rc = tool_fail(cmd, "out of memory");
    }
    if (mem != NULL) {
        manifest_doc_write(&doc, mem);
        if (fclose(mem) != 0) {
            rc = tool_fail(cmd, "out of memory");
        }
    }
    manifest_doc_free(&doc);
    ota_manifest_plan_t plan;
    ota_manifest_parser_t parser;
    ota_manifest_status_t ms = rc == 0 ? device_parse(text, len, &plan, &parser) : OTA_MANIFEST_OK;
    if (rc == 0 && ms != OTA_MANIFEST_OK) {
        rc = tool_fail(cmd, "%s: devices would refuse it: %s (byte %u)", path,
                       ota_manifest_status_str(ms), (unsigned)parser.error_offset);
    }
    if (rc == 0) {
        rc = write_signed(cmd, path, text, len, &key);
    }
    if (rc == 0) {
        char when[40];
        utc_text(expires, when, sizeof when);
        printf("%s: Sequence %u, Expires %" PRIu64 " (%s), signed: %s%s\n", path, (unsigned)seq,
               expires, when, path, OTA_MANIFEST_SIG_SUFFIX);
    }
    free(text);
    tool_key_free(&key);
    return rc == 0 ? TOOL_EXIT_OK : rc;
}

int cmd_manifest_verify(int argc, char **argv)
{
    const char *cmd = "manifest verify";
    const char *pub_path = NULL, *path = NULL;
    const tool_option_t opts[] = {
        {.name = "pubkey", .takes_value = true, .value = &pub_path},
        {.name = NULL},
    };
    argv[0] = (char *)cmd;
    int status;
    if (!tool_args(argc, argv, opts, &path, 1, VERIFY_HELP, &status)) {
        return status;
    }
    if (pub_path == NULL) {
        return tool_usage_error(cmd, "--pubkey PUB.pem is required");
    }
    char why[256], sig_file[4096];
    ota_sig_key_t trusted;
    tool_key_t pub; /* holds the key bytes trusted points to */
    if (tool_key_load_trusted(&pub, &trusted, pub_path, why, sizeof why) != 0) {
        tool_key_free(&pub);
        return tool_fail(cmd, "%s", why);
    }
    const ota_sig_keyring_t ring = {.keys = &trusted, .count = 1};

    uint8_t *text = NULL, *sig = NULL;
    size_t len = 0, sig_len = 0;
    int rc = sig_path(cmd, path, sig_file, sizeof sig_file);
    if (rc == 0 && tool_read_file(path, &text, &len) != 0) {
        rc = tool_fail(cmd, "cannot read %s: %s", path, strerror(errno));
    }
    if (rc == 0 && tool_read_file(sig_file, &sig, &sig_len) != 0) {
        rc = errno == ENOENT ? tool_fail(cmd, "%s: %s", path,
                                         ota_manifest_sig_status_str(OTA_MANIFEST_SIG_ERR_UNSIGNED))
                             : tool_fail(cmd, "cannot read %s: %s", sig_file, strerror(errno));
    }
    ota_manifest_sig_status_t st = OTA_MANIFEST_SIG_OK;
    if (rc == 0) {
        st = ota_manifest_sig_verify(text, len, sig, sig_len, &ring);
        if (st != OTA_MANIFEST_SIG_OK) {
            rc = tool_fail(cmd, "%s: %s", path, ota_manifest_sig_status_str(st));
        }
    }
    ota_manifest_plan_t plan;
    ota_manifest_parser_t parser;
    if (rc == 0) {
        ota_manifest_status_t ms = device_parse((const char *)text, len, &plan, &parser);
        if (ms != OTA_MANIFEST_OK) {
            rc = tool_fail(cmd, "%s: devices would refuse it: %s", path, ota_manifest_status_str(ms));
        }
    }
    if (rc == 0) {
        st = ota_manifest_freshness(&plan, 0, (uint64_t)time(NULL));
        char when[40];
        utc_text(plan.expires, when, sizeof when);
        if (st == OTA_MANIFEST_SIG_ERR_EXPIRED) {
            rc = tool_fail(cmd, "%s: %s at %s", path, ota_manifest_sig_status_str(st), when);
        } else if (st != OTA_MANIFEST_SIG_OK) {
            rc = tool_fail(cmd, "%s: %s", path, ota_manifest_sig_status_str(st));
        } else {
            char id[65];
            tool_hex(trusted.key_id, sizeof trusted.key_id, id);
            printf("%s: signature ok (key id %s), Sequence %u, Expires %" PRIu64 " (%s)\n", path,
                   id, (unsigned)plan.sequence, plan.expires, when);
        }
    }
    free(text);
    free(sig);
    tool_key_free(&pub);
    return rc == 0 ? TOOL_EXIT_OK : rc;
}
