/* SPDX-License-Identifier: Apache-2.0 */
/* ECDSA P-256 keys on mbedTLS pk/ecp: generate, load, write, sign (host tool). */
#include "sign_key.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/error.h>

#include "tool.h"

static const char *mbedtls_why(int err, char *buf, size_t len)
{
    mbedtls_strerror(err, buf, len);
    return buf;
}

/* Fill pubkey and key_id from the loaded pk; refuse anything but a P-256 EC key. */
static int finish_load(tool_key_t *key, const char *path, char *why, size_t why_len)
{
    if (mbedtls_pk_get_type(&key->pk) != MBEDTLS_PK_ECKEY) {
        return tool_why(why, why_len, "%s: not an EC key (ECDSA P-256 needed)", path);
    }
    const mbedtls_ecp_keypair *ec = mbedtls_pk_ec(key->pk);
    if (ec->grp.id != MBEDTLS_ECP_DP_SECP256R1) {
        return tool_why(why, why_len, "%s: EC key on another curve (P-256 needed)", path);
    }
    size_t olen = 0;
    int err = mbedtls_ecp_point_write_binary(&ec->grp, &ec->Q, MBEDTLS_ECP_PF_UNCOMPRESSED,
                                             &olen, key->pubkey, sizeof key->pubkey);
    if (err != 0 || olen != sizeof key->pubkey) {
        return tool_why(why, why_len, "%s: cannot encode the public key", path);
    }
    tool_sha256(key->pubkey, sizeof key->pubkey, key->key_id);
    return 0;
}

/* /dev/urandom as the DRBG's entropy source. */
static int urandom(void *ctx, unsigned char *out, size_t len)
{
    return fread(out, 1, len, (FILE *)ctx) == len ? 0 : MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
}

/* A CTR_DRBG seeded from /dev/urandom, for key generation and for signature blinding. */
typedef struct tool_rng {
    FILE *file;
    mbedtls_ctr_drbg_context drbg;
} tool_rng_t;

static int rng_open(tool_rng_t *rng, char *why, size_t why_len)
{
    mbedtls_ctr_drbg_init(&rng->drbg);
    rng->file = fopen("/dev/urandom", "rb");
    if (rng->file == NULL) {
        return tool_why(why, why_len, "cannot open /dev/urandom: %s", strerror(errno));
    }
    static const unsigned char pers[] = "otaflow-image";
    if (mbedtls_ctr_drbg_seed(&rng->drbg, urandom, rng->file, pers, sizeof pers - 1) != 0) {
        fclose(rng->file);
        rng->file = NULL;
        return tool_why(why, why_len, "cannot seed the random generator from /dev/urandom");
    }
    return 0;
}

static void rng_close(tool_rng_t *rng)
{
    mbedtls_ctr_drbg_free(&rng->drbg);
    if (rng->file != NULL) {
        fclose(rng->file);
    }
}

int tool_key_generate(tool_key_t *key, char *why, size_t why_len)
{
    memset(key, 0, sizeof *key);
    mbedtls_pk_init(&key->pk);
    tool_rng_t rng;
    if (rng_open(&rng, why, why_len) != 0) {
        rng_close(&rng);
        return -1;
    }
    int err = mbedtls_pk_setup(&key->pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
    if (err == 0) {
        err = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(key->pk),
                                  mbedtls_ctr_drbg_random, &rng.drbg);
    }
    rng_close(&rng);
    char buf[128];
    if (err != 0) {
        return tool_why(why, why_len, "key generation failed: %s", mbedtls_why(err, buf, sizeof buf));
    }
    key->has_private = true;
    return finish_load(key, "new key", why, why_len);
}

int tool_key_load_private(tool_key_t *key, const char *path, char *why, size_t why_len)
{
    memset(key, 0, sizeof *key);
    mbedtls_pk_init(&key->pk);
    int err = mbedtls_pk_parse_keyfile(&key->pk, path, NULL);
    char buf[128];
    if (err != 0) {
        return tool_why(why, why_len, "%s: not a private key: %s", path,
                   mbedtls_why(err, buf, sizeof buf));
    }
    key->has_private = true;
    return finish_load(key, path, why, why_len);
}

int tool_key_load_public(tool_key_t *key, const char *path, char *why, size_t why_len)
{
    memset(key, 0, sizeof *key);
    mbedtls_pk_init(&key->pk);
    int err = mbedtls_pk_parse_public_keyfile(&key->pk, path);
    if (err != 0) {
        /* A private key file holds the public key too. */
        mbedtls_pk_free(&key->pk);
        mbedtls_pk_init(&key->pk);
        if (mbedtls_pk_parse_keyfile(&key->pk, path, NULL) != 0) {
            char buf[128];
            return tool_why(why, why_len, "%s: not a public key: %s", path,
                       mbedtls_why(err, buf, sizeof buf));
        }
    }
    return finish_load(key, path, why, why_len);
}

static int write_pem(const char *path, const unsigned char *pem, unsigned mode, char *why,
                     size_t why_len)
{
    if (tool_write_file_mode(path, pem, strlen((const char *)pem), mode) != 0) {
        return tool_why(why, why_len, "cannot write %s: %s", path, strerror(errno));
    }
    return 0;
}

int tool_key_write_private_pem(tool_key_t *key, const char *path, char *why, size_t why_len)
{
    unsigned char pem[1024];
    int err = mbedtls_pk_write_key_pem(&key->pk, pem, sizeof pem);
    int rc = err == 0 ? write_pem(path, pem, 0600, why, why_len)
                      : tool_why(why, why_len, "cannot encode the private key");
    mbedtls_platform_zeroize(pem, sizeof pem);
    return rc;
}

int tool_key_write_public_pem(tool_key_t *key, const char *path, char *why, size_t why_len)
{
    unsigned char pem[512];
    if (mbedtls_pk_write_pubkey_pem(&key->pk, pem, sizeof pem) != 0) {
        return tool_why(why, why_len, "cannot encode the public key");
    }
    return write_pem(path, pem, 0666, why, why_len);
}

int tool_key_sign_hash(tool_key_t *key, const uint8_t hash[OTA_SHA256_SIZE],
                       uint8_t sig[OTA_ECDSA_P256_SIG_MAX], size_t *sig_len, char *why,
                       size_t why_len)
{
    if (!key->has_private) {
        return tool_why(why, why_len, "no private key to sign with");
    }
    /* Deterministic ECDSA needs no random numbers: the same image and key give the same
     * signature, so a signed image is reproducible.
     * The random generator only blinds the computation against side channels. */
    tool_rng_t rng;
    if (rng_open(&rng, why, why_len) != 0) {
        rng_close(&rng);
        return -1;
    }
    unsigned char der[MBEDTLS_ECDSA_MAX_LEN];
    size_t len = 0;
    int err = mbedtls_ecdsa_write_signature(mbedtls_pk_ec(key->pk), MBEDTLS_MD_SHA256, hash,
                                            OTA_SHA256_SIZE, der, &len, mbedtls_ctr_drbg_random,
                                            &rng.drbg);
    rng_close(&rng);
    if (err != 0 || len == 0 || len > OTA_ECDSA_P256_SIG_MAX) {
        char buf[128];
        return tool_why(why, why_len, "signing failed: %s", mbedtls_why(err, buf, sizeof buf));
    }
    memcpy(sig, der, len);
    *sig_len = len;
    return 0;
}

int tool_key_add_tlvs(tool_key_t *key, ota_image_tlv_writer_t *w,
                      const uint8_t digest[OTA_SHA256_SIZE], char *why, size_t why_len)
{
    uint8_t sig[OTA_ECDSA_P256_SIG_MAX];
    size_t sig_len = 0;
    if (tool_key_sign_hash(key, digest, sig, &sig_len, why, why_len) != 0) {
        return -1;
    }
    ota_image_tlv_add(w, OTA_IMAGE_TLV_KEY_HASH, key->key_id, sizeof key->key_id);
    ota_image_tlv_add(w, OTA_IMAGE_TLV_ECDSA_P256, sig, sig_len);
    return 0;
}

int tool_key_image_tlvs(tool_key_t *key, const uint8_t digest[OTA_SHA256_SIZE], uint8_t *tlv,
                        size_t cap, uint32_t *tlv_len, char *why, size_t why_len)
{
    ota_image_tlv_writer_t w;
    ota_image_tlv_begin(&w, tlv, cap);
    ota_image_tlv_add(&w, OTA_IMAGE_TLV_SHA256, digest, OTA_SHA256_SIZE);
    if (key != NULL && tool_key_add_tlvs(key, &w, digest, why, why_len) != 0) {
        return -1;
    }
    ota_image_status_t st = ota_image_tlv_finish(&w, tlv_len);
    if (st != OTA_IMAGE_OK) {
        return tool_why(why, why_len, "cannot build the TLV area: %s", ota_image_status_str(st));
    }
    return 0;
}

int tool_key_sign_manifest(tool_key_t *key, const void *text, size_t len,
                           uint8_t sig[OTA_MANIFEST_SIG_MAX], size_t *sig_len, char *why,
                           size_t why_len)
{
    uint8_t hash[OTA_SHA256_SIZE];
    size_t der_len = 0;
    tool_sha256(text, len, hash);
    memcpy(sig, OTA_MANIFEST_SIG_MAGIC, OTA_MANIFEST_SIG_MAGIC_SIZE);
    memcpy(sig + OTA_MANIFEST_SIG_MAGIC_SIZE, key->key_id, OTA_SHA256_SIZE);
    if (tool_key_sign_hash(key, hash, sig + OTA_MANIFEST_SIG_DER_OFFSET, &der_len, why,
                           why_len) != 0) {
        return -1;
    }
    *sig_len = OTA_MANIFEST_SIG_DER_OFFSET + der_len;
    return 0;
}

void tool_key_free(tool_key_t *key)
{
    mbedtls_pk_free(&key->pk);
    memset(key, 0, sizeof *key);
}

void tool_key_trust(const tool_key_t *key, ota_sig_key_t *out)
{
    out->alg = OTA_SIG_ALG_ECDSA_P256;
    memcpy(out->key_id, key->key_id, sizeof out->key_id);
    out->key = key->pubkey;
    out->key_len = sizeof key->pubkey;
}

int tool_key_load_trusted(tool_key_t *key, ota_sig_key_t *out, const char *path, char *why,
                          size_t why_len)
{
    int rc = tool_key_load_public(key, path, why, why_len);
    if (rc == 0) {
        tool_key_trust(key, out);
    }
    return rc;
}
