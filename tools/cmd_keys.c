/* SPDX-License-Identifier: Apache-2.0 */
/* otaflow-image keygen and pubkey-c: signing keys, and the trusted-key table a device is
 * built with. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms_key.h"
#include "sign_key.h"
#include "tool.h"
#include "trusted_key.h"

static const char KEYGEN_HELP[] =
    "usage: otaflow-image keygen -o KEY.pem [--pub PUB.pem]\n"
    "       otaflow-image keygen --lms -o KEY.lms [--pub KEY.pub] [--levels L] [--height H]\n"
    "                            [--w W]\n"
    "\n"
    "Generate an ECDSA P-256 signing key (random from /dev/urandom through mbedTLS's CTR_DRBG).\n"
    "KEY.pem is the private key (SEC1 PEM, mode 0600): keep it off the build server's shared\n"
    "disks. PUB.pem is its public key (PEM), for verify --pubkey and pubkey-c. Both are read\n"
    "by openssl. The last line printed is the key id: SHA-256 of the 65-byte public key.\n"
    "\n"
    "With --lms, an HSS/LMS key (RFC 8554: hash-based, which a quantum computer does not\n"
    "forge): L levels of trees of 2^H leaves, LMOTS_SHA256_N32_W<W>; it makes 2^(L*H)\n"
    "signatures, each leaf once. KEY.lms is the secret seed and the state (the next leaf):\n"
    "pack --lms-key advances it on disk before it writes a signature, so never restore an\n"
    "older copy of it (a leaf signed twice lets others forge). KEY.pub is the 60-byte HSS\n"
    "public key. The key id is SHA-256 of those 60 bytes. Generating builds the top tree:\n"
    "seconds for H 10, minutes for H 15.\n"
    "\n"
    "  -o, --output KEY       private key to write (refused if it exists)\n"
    "  --pub PUB              also write the public key\n"
    "  --lms                  an HSS/LMS key instead of ECDSA P-256\n"
    "  --levels L             HSS levels, 1..8 (default 2: 2^20 signatures with H 10)\n"
    "  --height H             tree height: 5, 10 or 15 (default 10: LMS_SHA256_M32_H10)\n"
    "  --w W                  Winternitz parameter: 1, 2, 4 or 8 (default 8: the shortest\n"
    "                         signatures, 2,964 bytes with L 2, H 10)\n";

static const char PUBKEY_C_HELP[] =
    "usage: otaflow-image pubkey-c PUB [--also PUB2] [--require ALGS] [-o FILE.c]\n"
    "                              [--name NAME]\n"
    "\n"
    "Write the C source of the trusted-key table a device is built with: the key bytes\n"
    "(NAME_key0, NAME_key1), an ota_sig_key_t array NAME_keys (algorithm, key id, pointer to\n"
    "the bytes) and an ota_sig_keyring_t NAME for it (include/otaflow/image_sig.h). PUB is an\n"
    "ECDSA P-256 public key, PEM or DER (SubjectPublicKeyInfo, the original's key2header.py\n"
    "input), or an HSS/LMS public key (keygen --lms --pub), or a private key file of either.\n"
    "\n"
    "  -o, --output FILE.c    where to write (default: standard output)\n"
    "  --name NAME            C identifier of the keyring (default ota_trusted_keys)\n"
    "  --also PUB2            a second trusted key (an ECDSA and an HSS/LMS key: hybrid)\n"
    "  --require ALGS         the signatures every image must carry: ecdsa, lms or\n"
    "                         ecdsa,lms (default: any one by a trusted key); see\n"
    "                         docs/security.md, hybrid signatures\n";

/* keygen --lms. */
static int keygen_lms(const char *out, const char *pub, const char *levels, const char *height,
                      const char *w)
{
    const char *cmd = "keygen";
    uint32_t l = 2, h = 10, win = 8;
    if ((levels != NULL && !tool_parse_u32(levels, &l)) ||
        (height != NULL && !tool_parse_u32(height, &h)) || (w != NULL && !tool_parse_u32(w, &win))) {
        return tool_usage_error(cmd, "--levels, --height and --w take numbers");
    }
    uint32_t lms_type = 0, ots_type = 0;
    char why[256];
    if (tool_lms_types(l, h, win, &lms_type, &ots_type, why, sizeof why) != 0) {
        return tool_usage_error(cmd, "%s", why);
    }
    tool_lms_key_t key;
    int rc = TOOL_EXIT_OK;
    if (tool_lms_generate(&key, l, lms_type, ots_type, why, sizeof why) != 0 ||
        tool_lms_save_private(&key, out, why, sizeof why) != 0 ||
        (pub != NULL && tool_lms_save_public(&key, pub, why, sizeof why) != 0)) {
        rc = tool_fail(cmd, "%s", why);
    } else {
        char id[2 * OTA_SHA256_SIZE + 1], params[64];
        tool_hex(key.key_id, sizeof key.key_id, id);
        tool_lms_params_name(&key.params[0], params, sizeof params);
        printf("%s: HSS/LMS private key, %u level%s of %s, %llu signatures of %zu bytes%s%s\n",
               out, (unsigned)l, l == 1u ? "" : "s", params,
               (unsigned long long)tool_lms_total(&key), tool_lms_sig_size(&key),
               pub ? ", public key in " : "", pub ? pub : "");
        printf("key id %s\n", id);
    }
    memset(&key, 0, sizeof key);
    return rc;
}

int cmd_keygen(int argc, char **argv)
{
    const char *cmd = "keygen";
    const char *out = NULL;
    const char *pub = NULL;
    const char *levels = NULL, *height = NULL, *w = NULL;
    bool lms = false;
    const tool_option_t opts[] = {
        {.name = "output", .takes_value = true, .value = &out},
        {.name = "pub", .takes_value = true, .value = &pub},
        {.name = "lms", .takes_value = false, .flag = &lms},
        {.name = "levels", .takes_value = true, .value = &levels},
        {.name = "height", .takes_value = true, .value = &height},
        {.name = "w", .takes_value = true, .value = &w},
        {.name = NULL},
    };
    int status;
    if (!tool_args(argc, argv, opts, NULL, 0, KEYGEN_HELP, &status)) {
        return status;
    }
    if (out == NULL) {
        return tool_usage_error(cmd, "missing -o KEY");
    }
    if (!lms && (levels != NULL || height != NULL || w != NULL)) {
        return tool_usage_error(cmd, "--levels, --height and --w are for --lms keys");
    }
    /* Overwriting a signing key by mistake loses every device that trusts it (and an LMS
     * key's state with it). */
    FILE *exists = fopen(out, "rb");
    if (exists != NULL) {
        fclose(exists);
        return tool_fail(cmd, "%s exists: refusing to overwrite a key", out);
    }
    if (lms) {
        return keygen_lms(out, pub, levels, height, w);
    }
    char why[256];
    tool_key_t key;
    int rc = TOOL_EXIT_OK;
    if (tool_key_generate(&key, why, sizeof why) != 0 ||
        tool_key_write_private_pem(&key, out, why, sizeof why) != 0 ||
        (pub != NULL && tool_key_write_public_pem(&key, pub, why, sizeof why) != 0)) {
        rc = tool_fail(cmd, "%s", why);
    } else {
        char id[2 * OTA_SHA256_SIZE + 1];
        tool_hex(key.key_id, sizeof key.key_id, id);
        printf("%s: ECDSA P-256 private key%s%s\n", out, pub ? ", public key in " : "",
               pub ? pub : "");
        printf("key id %s\n", id);
    }
    tool_key_free(&key);
    return rc;
}

/* The generated file, in memory first so that a failure leaves no half-written source. */
static char *render(const tool_trusted_t *keys, const char *const *paths, size_t n,
                    uint32_t required, const char *name, size_t *len)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    if (f == NULL) {
        return NULL;
    }
    fprintf(f, "/* Generated by otaflow-image pubkey-c from %s%s%s: do not edit.\n", paths[0],
            n > 1 ? " and " : "", n > 1 ? paths[1] : "");
    fprintf(f, " * The public keys this device accepts image signatures from. Key id = SHA-256\n"
               " * of the key bytes, matched with the image's KEY_HASH (ECDSA) or LMS_KEY_HASH\n"
               " * (HSS/LMS) TLV. */\n");
    fprintf(f, "#include \"otaflow/image_sig.h\"\n\n");
    for (size_t k = 0; k < n; k++) {
        bool lms = keys[k].entry.alg == OTA_SIG_ALG_HSS_LMS;
        fprintf(f, "%s", lms ? "/* HSS/LMS public key (RFC 8554): u32 levels, u32 LMS type, "
                               "u32 LM-OTS type, I, T[1] */\n"
                             : "/* ECDSA P-256 public key, uncompressed: 04 || X || Y */\n");
        fprintf(f, "static const uint8_t %s_key%zu[] = {", name, k);
        tool_c_bytes(f, keys[k].entry.key, keys[k].entry.key_len);
        fprintf(f, "\n};\n\n");
    }
    fprintf(f, "const ota_sig_key_t %s_keys[] = {\n", name);
    for (size_t k = 0; k < n; k++) {
        char id[2 * OTA_SHA256_SIZE + 1];
        tool_hex(keys[k].entry.key_id, sizeof keys[k].entry.key_id, id);
        fprintf(f, "    {\n        .alg = %s,\n", keys[k].entry.alg == OTA_SIG_ALG_HSS_LMS
                                                      ? "OTA_SIG_ALG_HSS_LMS"
                                                      : "OTA_SIG_ALG_ECDSA_P256");
        fprintf(f, "        /* key id %s */\n        .key_id = {", id);
        tool_c_bytes(f, keys[k].entry.key_id, sizeof keys[k].entry.key_id);
        fprintf(f, "\n        },\n        .key = %s_key%zu,\n", name, k);
        fprintf(f, "        .key_len = sizeof %s_key%zu,\n    },\n", name, k);
    }
    fprintf(f, "};\n\n");
    fprintf(f, "const ota_sig_keyring_t %s = {\n", name);
    fprintf(f, "    .keys = %s_keys,\n    .count = sizeof %s_keys / sizeof %s_keys[0],\n",
            name, name, name);
    if (required != 0u) {
        fprintf(f, "    /* every image must carry a signature of each by a key above */\n");
        fprintf(f, "    .required = %s%s%s,\n",
                (required & OTA_SIG_REQUIRE(OTA_SIG_ALG_ECDSA_P256)) != 0u
                    ? "OTA_SIG_REQUIRE(OTA_SIG_ALG_ECDSA_P256)" : "",
                required == (OTA_SIG_REQUIRE(OTA_SIG_ALG_ECDSA_P256) |
                             OTA_SIG_REQUIRE(OTA_SIG_ALG_HSS_LMS)) ? " |\n                " : "",
                (required & OTA_SIG_REQUIRE(OTA_SIG_ALG_HSS_LMS)) != 0u
                    ? "OTA_SIG_REQUIRE(OTA_SIG_ALG_HSS_LMS)" : "");
    }
    fprintf(f, "};\n");
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* --require: "ecdsa", "lms" or both, comma-separated; false for anything else. */
static bool parse_required(const char *text, uint32_t *out)
{
    *out = 0;
    const char *p = text;
    while (*p != '\0') {
        size_t n = strcspn(p, ",");
        if (n == 5 && strncmp(p, "ecdsa", 5) == 0) {
            *out |= OTA_SIG_REQUIRE(OTA_SIG_ALG_ECDSA_P256);
        } else if (n == 3 && strncmp(p, "lms", 3) == 0) {
            *out |= OTA_SIG_REQUIRE(OTA_SIG_ALG_HSS_LMS);
        } else {
            return false;
        }
        p += n + (p[n] == ',' ? 1 : 0);
    }
    return *out != 0u;
}

int cmd_pubkey_c(int argc, char **argv)
{
    const char *cmd = "pubkey-c";
    const char *out = NULL;
    const char *name = NULL;
    const char *paths[2] = {NULL, NULL};
    const char *require = NULL;
    const tool_option_t opts[] = {
        {.name = "output", .takes_value = true, .value = &out},
        {.name = "name", .takes_value = true, .value = &name},
        {.name = "also", .takes_value = true, .value = &paths[1]},
        {.name = "require", .takes_value = true, .value = &require},
        {.name = NULL},
    };
    int status;
    if (!tool_args(argc, argv, opts, &paths[0], 1, PUBKEY_C_HELP, &status)) {
        return status;
    }
    if (name == NULL) {
        name = "ota_trusted_keys";
    }
    if (!tool_c_identifier(name)) {
        return tool_usage_error(cmd, "--name '%s' is not a C identifier", name);
    }
    uint32_t required = 0;
    if (require != NULL && !parse_required(require, &required)) {
        return tool_usage_error(cmd, "--require '%s': ecdsa, lms or ecdsa,lms", require);
    }
    size_t n = paths[1] != NULL ? 2u : 1u;
    char why[256];
    tool_trusted_t keys[2];
    int rc = TOOL_EXIT_OK;
    uint32_t have = 0;
    size_t loaded = 0;
    for (; loaded < n && rc == TOOL_EXIT_OK; loaded++) {
        if (tool_trusted_load(&keys[loaded], paths[loaded], why, sizeof why) != 0) {
            rc = tool_fail(cmd, "%s", why);
        } else {
            have |= OTA_SIG_REQUIRE(keys[loaded].entry.alg);
        }
    }
    if (rc == TOOL_EXIT_OK && (required & ~have) != 0u) {
        rc = tool_fail(cmd, "--require %s: no key of each of those algorithms given", require);
    }
    char *text = NULL;
    size_t len = 0;
    if (rc == TOOL_EXIT_OK) {
        text = render(keys, paths, n, required, name, &len);
        if (text == NULL) {
            rc = tool_fail(cmd, "out of memory");
        }
    }
    for (size_t k = 0; k < loaded; k++) {
        tool_trusted_free(&keys[k]);
    }
    if (rc != TOOL_EXIT_OK) {
        return rc;
    }
    if (out == NULL) {
        fwrite(text, 1, len, stdout);
    } else if (tool_write_file(out, text, len) != 0) {
        rc = tool_fail(cmd, "cannot write %s: %s", out, strerror(errno));
    }
    free(text);
    return rc;
}
