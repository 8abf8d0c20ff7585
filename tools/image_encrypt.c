/* SPDX-License-Identifier: Apache-2.0 */
/* pack --encrypt-to and privkey-c: image_encrypt.h. The layout and the derivation are
 * image_enc.h's; this is an independent implementation of them on OpenSSL, which the device
 * side (src/image_enc.c on the crypto port) must agree with byte for byte. */
#include "image_encrypt.h"

#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "sign_key.h"
#include "tool.h"

#define ENC_LABEL_LEN (sizeof OTA_IMAGE_ENC_HKDF_LABEL - 1u)

/* The device's P-256 public key as OpenSSL's, from the uncompressed point
 * tool_key_load_public read (the key reader of every otaflow-image command). */
static EVP_PKEY *enc_p256_public(const uint8_t point[OTA_ECDSA_P256_PUBKEY_SIZE])
{
    char group[] = "prime256v1";
    uint8_t pub[OTA_ECDSA_P256_PUBKEY_SIZE];
    memcpy(pub, point, sizeof pub);
    OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
        OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub),
        OSSL_PARAM_END,
    };
    EVP_PKEY *k = NULL;
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (c == NULL || EVP_PKEY_fromdata_init(c) != 1 ||
        EVP_PKEY_fromdata(c, &k, EVP_PKEY_PUBLIC_KEY, params) != 1) {
        k = NULL;
    }
    EVP_PKEY_CTX_free(c);
    return k;
}

/* The uncompressed point of the ephemeral key k. */
static int enc_public_point(EVP_PKEY *k, uint8_t point[OTA_ECDSA_P256_PUBKEY_SIZE])
{
    size_t len = 0;
    return EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point,
                                           OTA_ECDSA_P256_PUBKEY_SIZE, &len) == 1 &&
                   len == OTA_ECDSA_P256_PUBKEY_SIZE && point[0] == 0x04u
               ? 0
               : -1;
}

/* KEK || MAC key = HKDF-SHA256(salt empty, ECDH(ephemeral, device), label || eph || id). */
static int enc_derive(EVP_PKEY *eph, EVP_PKEY *device, const uint8_t *tlv, uint8_t okm[48])
{
    uint8_t z[32];
    size_t zlen = sizeof z;
    EVP_PKEY_CTX *dh = EVP_PKEY_CTX_new(eph, NULL);
    int ok = dh != NULL && EVP_PKEY_derive_init(dh) == 1 &&
             EVP_PKEY_derive_set_peer(dh, device) == 1 && EVP_PKEY_derive(dh, z, &zlen) == 1 &&
             zlen == sizeof z;
    EVP_PKEY_CTX_free(dh);
    uint8_t info[ENC_LABEL_LEN + OTA_ECDSA_P256_PUBKEY_SIZE + OTA_SHA256_SIZE];
    memcpy(info, OTA_IMAGE_ENC_HKDF_LABEL, ENC_LABEL_LEN);
    memcpy(info + ENC_LABEL_LEN, tlv + OTA_IMAGE_ENC_OFF_EPHEMERAL, OTA_ECDSA_P256_PUBKEY_SIZE);
    memcpy(info + ENC_LABEL_LEN + OTA_ECDSA_P256_PUBKEY_SIZE, tlv + OTA_IMAGE_ENC_OFF_KEY_ID,
           OTA_SHA256_SIZE);
    EVP_PKEY_CTX *kdf = ok ? EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL) : NULL;
    size_t out_len = 48;
    ok = kdf != NULL && EVP_PKEY_derive_init(kdf) == 1 &&
         EVP_PKEY_CTX_set_hkdf_md(kdf, EVP_sha256()) == 1 &&
         EVP_PKEY_CTX_set1_hkdf_key(kdf, z, (int)zlen) == 1 &&
         EVP_PKEY_CTX_add1_hkdf_info(kdf, info, (int)sizeof info) == 1 &&
         EVP_PKEY_derive(kdf, okm, &out_len) == 1 && out_len == 48;
    EVP_PKEY_CTX_free(kdf);
    OPENSSL_cleanse(z, sizeof z);
    return ok ? 0 : -1;
}

/* AES-128-CTR of len bytes in place from stream offset 0: iv = nonce || 0. */
static EVP_CIPHER_CTX *enc_ctr_start(const uint8_t key[16], const uint8_t nonce[12])
{
    uint8_t iv[16] = {0};
    memcpy(iv, nonce, OTA_AES_CTR_NONCE_SIZE);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (c != NULL && EVP_EncryptInit_ex(c, EVP_aes_128_ctr(), NULL, key, iv) != 1) {
        EVP_CIPHER_CTX_free(c);
        c = NULL;
    }
    return c;
}

static int enc_ctr_run(EVP_CIPHER_CTX *c, uint8_t *data, size_t len)
{
    for (size_t done = 0; done < len;) {
        int n = len - done > (1u << 30) ? 1 << 30 : (int)(len - done);
        int out = 0;
        if (EVP_EncryptUpdate(c, data + done, &out, data + done, n) != 1 || out != n) {
            return -1;
        }
        done += (size_t)n;
    }
    return 0;
}

/* The TLV value (key id already in place): ephemeral key, nonce, wrapped key, tag. */
static int enc_wrap(tool_encrypt_t *e, EVP_PKEY *device, const uint8_t content[16],
                    const uint8_t nonce[12])
{
    uint8_t *tlv = e->tlv;
    EVP_PKEY *eph = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    uint8_t okm[48];
    int rc = eph != NULL && enc_public_point(eph, tlv + OTA_IMAGE_ENC_OFF_EPHEMERAL) == 0
                 ? enc_derive(eph, device, tlv, okm)
                 : -1;
    EVP_PKEY_free(eph); /* one image, one ephemeral key: never kept */
    memcpy(tlv + OTA_IMAGE_ENC_OFF_NONCE, nonce, OTA_AES_CTR_NONCE_SIZE);
    memcpy(tlv + OTA_IMAGE_ENC_OFF_WRAPPED, content, OTA_AES128_KEY_SIZE);
    static const uint8_t zero_nonce[OTA_AES_CTR_NONCE_SIZE] = {0};
    EVP_CIPHER_CTX *kw = rc == 0 ? enc_ctr_start(okm, zero_nonce) : NULL;
    rc = kw != NULL && enc_ctr_run(kw, tlv + OTA_IMAGE_ENC_OFF_WRAPPED, OTA_AES128_KEY_SIZE) == 0
             ? 0
             : -1;
    EVP_CIPHER_CTX_free(kw);
    unsigned int tag_len = 0;
    if (rc == 0 && (HMAC(EVP_sha256(), okm + 16, 32, tlv, OTA_IMAGE_ENC_OFF_TAG,
                         tlv + OTA_IMAGE_ENC_OFF_TAG, &tag_len) == NULL ||
                    tag_len != OTA_SHA256_SIZE)) {
        rc = -1;
    }
    OPENSSL_cleanse(okm, sizeof okm);
    return rc;
}

int tool_encrypt_start(tool_encrypt_t *e, const char *device_pub, char *why, size_t why_len)
{
    memset(e, 0, sizeof *e);
    tool_key_t dev;
    int rc = tool_key_load_public(&dev, device_pub, why, why_len);
    EVP_PKEY *device = rc == 0 ? enc_p256_public(dev.pubkey) : NULL;
    if (rc == 0) {
        memcpy(e->tlv + OTA_IMAGE_ENC_OFF_KEY_ID, dev.key_id, OTA_SHA256_SIZE);
    }
    tool_key_free(&dev);
    if (rc != 0) {
        return -1; /* the loader's own reason (unreadable, not a key) is in why */
    }
    if (device == NULL) {
        return tool_why(why, why_len, "%s: not a P-256 public key", device_pub);
    }
    uint8_t content[OTA_AES128_KEY_SIZE], nonce[OTA_AES_CTR_NONCE_SIZE];
    rc = RAND_priv_bytes(content, sizeof content) == 1 && RAND_bytes(nonce, sizeof nonce) == 1
             ? enc_wrap(e, device, content, nonce)
             : -1;
    EVP_PKEY_free(device);
    if (rc == 0) {
        e->ctr = enc_ctr_start(content, nonce);
        rc = e->ctr != NULL ? 0 : -1;
    }
    OPENSSL_cleanse(content, sizeof content);
    if (rc != 0) {
        tool_encrypt_free(e);
        return tool_why(why, why_len, "cannot encrypt for %s (OpenSSL failed)", device_pub);
    }
    return 0;
}

int tool_encrypt_update(tool_encrypt_t *e, uint8_t *data, size_t len)
{
    return enc_ctr_run(e->ctr, data, len);
}

void tool_encrypt_free(tool_encrypt_t *e)
{
    EVP_CIPHER_CTX_free(e->ctr); /* frees and cleanses the key schedule */
    e->ctr = NULL;
}

int tool_device_key_load(const char *path, ota_enc_key_t *out, char *why, size_t why_len)
{
    memset(out, 0, sizeof *out);
    tool_key_t k;
    int rc = tool_key_load_private(&k, path, why, why_len);
    bool loaded = rc == 0;
    if (rc == 0) {
        memcpy(out->key_id, k.key_id, sizeof out->key_id);
        rc = mbedtls_mpi_write_binary(&mbedtls_pk_ec(k.pk)->d, out->priv, sizeof out->priv);
    }
    tool_key_free(&k); /* mbedTLS wipes the scalar as it frees it */
    if (rc != 0) {
        OPENSSL_cleanse(out, sizeof *out);
        /* Keep the loader's own reason (unreadable, not a private key, another curve); ours
         * only when the key loaded but its scalar did not fit 32 bytes. */
        return loaded ? tool_why(why, why_len, "%s: not a P-256 private key", path) : -1;
    }
    return 0;
}

int tool_image_decrypt(tool_image_t *img, const char *device_key, char *why, size_t why_len)
{
    if (!img->info.has_encryption) {
        return tool_why(why, why_len, "not encrypted: no key needed");
    }
    ota_enc_key_t key;
    if (tool_device_key_load(device_key, &key, why, why_len) != 0) {
        return -1;
    }
    ota_image_enc_t enc;
    ota_enc_status_t st = ota_image_enc_open(&img->src, &img->info, &key, &enc);
    OPENSSL_cleanse(&key, sizeof key);
    if (st != OTA_ENC_OK) {
        return tool_why(why, why_len, "%s (%s)", ota_enc_status_str(st), device_key);
    }
    int rc = ota_image_enc_crypt(&enc, 0, img->bytes, img->info.tlv_offset) == OTA_CRYPTO_OK
                 ? 0
                 : tool_why(why, why_len, "decryption failed");
    ota_image_enc_close(&enc);
    tool_digests_of(img->bytes, img->info.tlv_offset, img->len, &img->digests);
    return rc;
}
