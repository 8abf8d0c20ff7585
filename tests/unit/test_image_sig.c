/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signed images and anti-rollback: ECDSA P-256 verification (crypto backend), the signature
 * check against trusted keys (image_sig), and the store refusing to record STORED an image
 * that is unsigned, signed by an unknown key, badly signed, or below the security counter.
 * Keys are fresh P-256 keys made by the host tool's key code (tools/sign_key.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image_builder.h"
#include "otaflow/image_sig.h"
#include "otaflow/manifest_sig.h"
#include "sign_key.h"
#include "test_keys.h"
#include "store_fixture.h"

#define PAYLOAD 5000u
#define BIG_TLV 5120u /* an unknown TLV the size of a hash-based signature */
#define IMG_CAP (PAYLOAD + 512u + BIG_TLV)

/* Two signing keys (A trusted, B not), made once for the whole program. */
static tool_key_t key_a, key_b;
static ota_sig_key_t trusted[1];
static const ota_sig_keyring_t ring = {.keys = trusted, .count = 1};

static uint8_t img[IMG_CAP];
/* When set, build() adds an unknown non-critical TLV of BIG_TLV bytes before the signature. */
static bool with_big_tlv;

typedef enum sign_mode {
    SIGN_NONE,          /* SHA-256 TLV only */
    SIGN_A,             /* key id A, signature by A */
    SIGN_B,             /* key id B, signature by B */
    SIGN_A_NO_KEY_ID,   /* signature by A, no KEY_HASH TLV */
    SIGN_A_OTHER_HASH,  /* key id A, A's signature over another hash */
} sign_mode_t;

/* An image of version and security counter, signed as mode says; returns its length. */
static uint32_t build(uint32_t version, uint32_t counter, sign_mode_t mode)
{
    ota_image_header_t h = test_image_header(PAYLOAD);
    h.version = version;
    h.security_counter = counter;
    ota_image_header_encode(&h, img);
    for (uint32_t i = 0; i < PAYLOAD; i++) {
        img[OTA_IMAGE_HEADER_SIZE + i] = (uint8_t)(i * 7u + version);
    }
    uint8_t digest[OTA_SHA256_SIZE];
    ota_sha256(img, OTA_IMAGE_HEADER_SIZE + PAYLOAD, digest);

    ota_image_tlv_writer_t w;
    ota_image_tlv_begin(&w, img + OTA_IMAGE_HEADER_SIZE + PAYLOAD,
                        IMG_CAP - OTA_IMAGE_HEADER_SIZE - PAYLOAD);
    ota_image_tlv_add(&w, OTA_IMAGE_TLV_SHA256, digest, sizeof digest);
    if (with_big_tlv) {
        static uint8_t big[BIG_TLV];
        memset(big, 0xA5, sizeof big);
        ota_image_tlv_add(&w, 0x0077, big, sizeof big);
    }
    if (mode != SIGN_NONE) {
        tool_key_t *key = mode == SIGN_B ? &key_b : &key_a;
        uint8_t signed_hash[OTA_SHA256_SIZE];
        memcpy(signed_hash, digest, sizeof digest);
        if (mode == SIGN_A_OTHER_HASH) {
            signed_hash[0] ^= 1u;
        }
        uint8_t sig[OTA_ECDSA_P256_SIG_MAX];
        size_t sig_len = 0;
        char why[128];
        assert_int_equal(tool_key_sign_hash(key, signed_hash, sig, &sig_len, why, sizeof why), 0);
        if (mode != SIGN_A_NO_KEY_ID) {
            ota_image_tlv_add(&w, OTA_IMAGE_TLV_KEY_HASH, key->key_id, sizeof key->key_id);
        }
        ota_image_tlv_add(&w, OTA_IMAGE_TLV_ECDSA_P256, sig, sig_len);
    }
    uint32_t tlv_size = 0;
    assert_int_equal(ota_image_tlv_finish(&w, &tlv_size), OTA_IMAGE_OK);
    return OTA_IMAGE_HEADER_SIZE + PAYLOAD + tlv_size;
}

static int make_keys(void **unused)
{
    (void)unused;
    return test_keys_make(&key_a, &key_b, &trusted[0]);
}

static int free_keys(void **unused)
{
    (void)unused;
    test_keys_free(&key_a, &key_b);
    return 0;
}

/* ---- crypto: ota_sig_verify and its ECDSA P-256 file ------------------------------------ */

static ota_crypto_status_t p256(const uint8_t *key, const uint8_t *hash, const uint8_t *sig,
                                size_t len)
{
    return ota_sig_verify(OTA_SIG_ALG_ECDSA_P256, key, OTA_ECDSA_P256_PUBKEY_SIZE, hash, sig, len);
}

static void test_ecdsa_verify(void **unused)
{
    (void)unused;
    uint8_t hash[OTA_SHA256_SIZE];
    assert_int_equal(ota_sha256("otaflow", 7, hash), OTA_CRYPTO_OK);
    uint8_t sig[OTA_ECDSA_P256_SIG_MAX];
    size_t len = 0;
    char why[128];
    assert_int_equal(tool_key_sign_hash(&key_a, hash, sig, &len, why, sizeof why), 0);

    assert_int_equal(p256(key_a.pubkey, hash, sig, len), OTA_CRYPTO_OK);
    /* Another key, another hash, a changed signature byte: each is a bad signature. */
    assert_int_equal(p256(key_b.pubkey, hash, sig, len), OTA_CRYPTO_ERR_BAD_SIGNATURE);
    uint8_t other[OTA_SHA256_SIZE];
    memcpy(other, hash, sizeof other);
    other[31] ^= 0x80u;
    assert_int_equal(p256(key_a.pubkey, other, sig, len), OTA_CRYPTO_ERR_BAD_SIGNATURE);
    sig[len - 1] ^= 0x01u;
    assert_int_equal(p256(key_a.pubkey, hash, sig, len), OTA_CRYPTO_ERR_BAD_SIGNATURE);
    sig[len - 1] ^= 0x01u;

    /* Not DER: truncated, a byte after the end, a wrong outer tag. */
    assert_int_equal(p256(key_a.pubkey, hash, sig, len - 1), OTA_CRYPTO_ERR_SIG_FORMAT);
    uint8_t longer[OTA_ECDSA_P256_SIG_MAX + 1];
    memcpy(longer, sig, len);
    longer[len] = 0;
    assert_int_equal(p256(key_a.pubkey, hash, longer, len + 1), OTA_CRYPTO_ERR_SIG_FORMAT);
    sig[0] = 0x31;
    assert_int_equal(p256(key_a.pubkey, hash, sig, len), OTA_CRYPTO_ERR_SIG_FORMAT);
    sig[0] = 0x30;

    /* Keys: a point not on the curve, a compressed encoding. */
    uint8_t bad_key[OTA_ECDSA_P256_PUBKEY_SIZE];
    memcpy(bad_key, key_a.pubkey, sizeof bad_key);
    bad_key[64] ^= 0x01u;
    assert_int_equal(p256(bad_key, hash, sig, len), OTA_CRYPTO_ERR_KEY);
    bad_key[0] = 0x02;
    assert_int_equal(p256(bad_key, hash, sig, len), OTA_CRYPTO_ERR_KEY);

    assert_int_equal(p256(NULL, hash, sig, len), OTA_CRYPTO_ERR_ARG);
    assert_int_equal(p256(key_a.pubkey, NULL, sig, len), OTA_CRYPTO_ERR_ARG);
    assert_int_equal(p256(key_a.pubkey, hash, NULL, len), OTA_CRYPTO_ERR_ARG);
    assert_string_equal(ota_crypto_status_str(OTA_CRYPTO_ERR_BAD_SIGNATURE), "bad signature");
}

/* The dispatcher refuses, by name, what no algorithm file should see: an algorithm this build
 * lacks, a key of the wrong length, a signature outside the algorithm's length range. The
 * valid call first, so each refusal below differs from it in one argument. */
static void test_sig_dispatch(void **unused)
{
    (void)unused;
    uint8_t hash[OTA_SHA256_SIZE];
    assert_int_equal(ota_sha256("dispatch", 8, hash), OTA_CRYPTO_OK);
    uint8_t sig[OTA_ECDSA_P256_SIG_MAX + 1] = {0};
    size_t len = 0;
    char why[128];
    assert_int_equal(tool_key_sign_hash(&key_a, hash, sig, &len, why, sizeof why), 0);
    const ota_sig_alg_t p = OTA_SIG_ALG_ECDSA_P256;
    const size_t klen = OTA_ECDSA_P256_PUBKEY_SIZE;
    assert_int_equal(ota_sig_verify(p, key_a.pubkey, klen, hash, sig, len), OTA_CRYPTO_OK);

    const ota_sig_alg_t unknown = (ota_sig_alg_t)7;
    assert_int_equal(ota_sig_verify(unknown, key_a.pubkey, klen, hash, sig, len),
                     OTA_CRYPTO_ERR_ALG);
    assert_false(ota_sig_alg_supported(unknown));
    assert_true(ota_sig_alg_supported(p));
    assert_string_equal(ota_sig_alg_str(unknown), "unknown");
    assert_string_equal(ota_sig_alg_str(p), "ECDSA P-256");
    assert_string_equal(ota_crypto_status_str(OTA_CRYPTO_ERR_ALG), "unknown signature algorithm");

    /* A key one byte short (64: a raw X || Y) or long is not a P-256 key. */
    assert_int_equal(ota_sig_verify(p, key_a.pubkey, klen - 1, hash, sig, len),
                     OTA_CRYPTO_ERR_KEY);
    assert_int_equal(ota_sig_verify(p, key_a.pubkey, klen + 1, hash, sig, len),
                     OTA_CRYPTO_ERR_KEY);
    assert_int_equal(ota_sig_verify(p, key_a.pubkey, 0, hash, sig, len), OTA_CRYPTO_ERR_KEY);

    /* Signature lengths outside 8..72 never reach the algorithm. */
    assert_int_equal(ota_sig_verify(p, key_a.pubkey, klen, hash, sig, 0),
                     OTA_CRYPTO_ERR_SIG_FORMAT);
    assert_int_equal(ota_sig_verify(p, key_a.pubkey, klen, hash, sig, OTA_ECDSA_P256_SIG_MIN - 1),
                     OTA_CRYPTO_ERR_SIG_FORMAT);
    assert_int_equal(ota_sig_verify(p, key_a.pubkey, klen, hash, sig, OTA_ECDSA_P256_SIG_MAX + 1),
                     OTA_CRYPTO_ERR_SIG_FORMAT);
}

static void test_heap_init_needs_buffer_allocator(void **unused)
{
    (void)unused;
    static uint8_t arena[4096];
    assert_int_equal(ota_crypto_heap_init(NULL, sizeof arena), OTA_CRYPTO_ERR_ARG);
#if defined(OTA_TEST_CRYPTO_BEARSSL)
    /* BearSSL allocates nothing: the arena is accepted and stays unused. */
    assert_int_equal(ota_crypto_heap_init(arena, sizeof arena), OTA_CRYPTO_OK);
#else
    /* Debian's libmbedcrypto has no MBEDTLS_MEMORY_BUFFER_ALLOC_C: the host keeps calloc. */
    assert_int_equal(ota_crypto_heap_init(arena, sizeof arena), OTA_CRYPTO_ERR_UNSUPPORTED);
#endif
}

/* ---- image_sig: the check against trusted keys ------------------------------------------ */

static ota_sig_status_t sig_of(uint32_t len, ota_image_status_t *image_status)
{
    ota_image_buffer_t buf;
    ota_image_source_t src;
    ota_image_source_buffer(&src, &buf, img, len);
    ota_image_info_t info;
    uint8_t work[256];
    return ota_image_sig_verify(&src, &ring, &info, work, sizeof work, image_status);
}

static void test_sig_verdicts(void **unused)
{
    (void)unused;
    ota_image_status_t ist;
    assert_int_equal(sig_of(build(2, 0, SIGN_A), &ist), OTA_SIG_OK);
    assert_int_equal(ist, OTA_IMAGE_OK);
    assert_int_equal(sig_of(build(2, 0, SIGN_NONE), NULL), OTA_SIG_ERR_UNSIGNED);
    assert_int_equal(sig_of(build(2, 0, SIGN_B), NULL), OTA_SIG_ERR_UNKNOWN_KEY);
    assert_int_equal(sig_of(build(2, 0, SIGN_A_NO_KEY_ID), NULL), OTA_SIG_ERR_UNKNOWN_KEY);
    assert_int_equal(sig_of(build(2, 0, SIGN_A_OTHER_HASH), NULL), OTA_SIG_ERR_BAD_SIGNATURE);

    /* A payload byte changed: the hash check fails first, and says so. */
    uint32_t len = build(2, 0, SIGN_A);
    img[OTA_IMAGE_HEADER_SIZE + 10] ^= 0x40u;
    assert_int_equal(sig_of(len, &ist), OTA_SIG_ERR_IMAGE);
    assert_int_equal(ist, OTA_IMAGE_ERR_HASH);

    /* Payload changed and the SHA-256 TLV recomputed: only the signature catches it. */
    uint8_t digest[OTA_SHA256_SIZE];
    ota_sha256(img, OTA_IMAGE_HEADER_SIZE + PAYLOAD, digest);
    memcpy(img + OTA_IMAGE_HEADER_SIZE + PAYLOAD + OTA_IMAGE_TLV_INFO_SIZE +
               OTA_IMAGE_TLV_ENTRY_HDR,
           digest, sizeof digest);
    assert_int_equal(sig_of(len, &ist), OTA_SIG_ERR_BAD_SIGNATURE);
    assert_int_equal(ist, OTA_IMAGE_OK);

    /* An empty keyring is a configuration mistake, not a verdict. */
    ota_image_info_t info;
    memset(&info, 0, sizeof info);
    const ota_sig_keyring_t empty = {.keys = trusted, .count = 0};
    ota_image_buffer_t buf;
    ota_image_source_t src;
    ota_image_source_buffer(&src, &buf, img, len);
    uint8_t work[OTA_SIG_MAX_SIZE];
    assert_int_equal(ota_image_sig_check(&src, &info, &empty, work, sizeof work), OTA_SIG_ERR_ARG);
    assert_string_equal(ota_sig_status_str(OTA_SIG_ERR_UNKNOWN_KEY), "unknown key id");
}

/* Key rotation: a device whose keyring holds the old key A and the new key B takes images of
 * either; once the next build drops A, A's images are refused by their key id. */
static void test_keyring_rotation(void **unused)
{
    (void)unused;
    ota_sig_key_t both[2];
    memcpy(both, trusted, sizeof trusted[0]);
    tool_key_trust(&key_b, &both[1]);
    const ota_sig_keyring_t rotating = {.keys = both, .count = 2};
    const ota_sig_keyring_t new_only = {.keys = &both[1], .count = 1};
    ota_image_buffer_t buf;
    ota_image_source_t src;
    ota_image_info_t info;
    uint8_t work[256];
    sign_mode_t modes[] = {SIGN_A, SIGN_B};
    for (int i = 0; i < 2; i++) {
        ota_image_source_buffer(&src, &buf, img, build(2, 0, modes[i]));
        assert_int_equal(ota_image_sig_verify(&src, &rotating, &info, work, sizeof work, NULL),
                         OTA_SIG_OK);
        assert_int_equal(ota_image_sig_verify(&src, &new_only, &info, work, sizeof work, NULL),
                         modes[i] == SIGN_A ? OTA_SIG_ERR_UNKNOWN_KEY : OTA_SIG_OK);
    }
}

/* The signature is read from the image at the place parse recorded, into the caller's work
 * buffer: a 5 KB TLV before it changes nothing; a buffer too small or a failed read is no
 * verdict, named as such. */
/* img[0, len) as a source, parsed, hash-checked and signature-checked with keys. */
typedef struct checked {
    ota_image_buffer_t buf;
    ota_image_source_t src;
    ota_image_info_t info;
    uint8_t work[OTA_SIG_MAX_SIZE];
} checked_t;

static ota_sig_status_t check_img(checked_t *c, uint32_t len, const ota_sig_keyring_t *keys)
{
    ota_image_source_buffer(&c->src, &c->buf, img, len);
    return ota_image_sig_verify(&c->src, keys, &c->info, c->work, sizeof c->work, NULL);
}

static void test_sig_read_from_the_image(void **unused)
{
    (void)unused;
    with_big_tlv = true;
    uint32_t len = build(2, 0, SIGN_A);
    with_big_tlv = false;
    checked_t c;
    assert_int_equal(check_img(&c, len, &ring), OTA_SIG_OK);
    const ota_image_source_t src = c.src;
    const ota_image_info_t info = c.info;
    uint8_t *work = c.work;
    assert_true(info.tlv_size > BIG_TLV);
    assert_int_equal(info.signature_offset + info.signature_len, len);

    assert_int_equal(ota_image_sig_check(&src, &info, &ring, work, info.signature_len - 1u),
                     OTA_SIG_ERR_WORK_SIZE);
    assert_int_equal(ota_image_sig_check(&src, &info, &ring, work, info.signature_len),
                     OTA_SIG_OK);
    /* A source that lost the signature's bytes since parse: a read failure, not a verdict. */
    ota_image_source_t shorter = src;
    shorter.size = len - 1u;
    assert_int_equal(ota_image_sig_check(&shorter, &info, &ring, work, sizeof c.work),
                     OTA_SIG_ERR_READ);
    assert_string_equal(ota_sig_status_str(OTA_SIG_ERR_WORK_SIZE),
                        "signature longer than the work buffer");
}

/* The keyring side of the dispatch: the key's algorithm and length decide, never the image.
 * A key of an algorithm this build lacks, or of a wrong length, cannot judge: no verdict
 * (CRYPTO). A signature TLV of a length its algorithm never has is a bad signature. */
static void test_keyring_dispatch(void **unused)
{
    (void)unused;
    ota_sig_key_t key = trusted[0];
    const ota_sig_keyring_t one = {.keys = &key, .count = 1};
    checked_t c;
    assert_int_equal(check_img(&c, build(2, 0, SIGN_A), &one), OTA_SIG_OK);
    const ota_image_source_t src = c.src;
    const ota_image_info_t info = c.info;
    uint8_t work[OTA_SIG_MAX_SIZE] = {0};

    key.alg = (ota_sig_alg_t)7;
    assert_int_equal(ota_image_sig_check(&src, &info, &one, work, sizeof work), OTA_SIG_ERR_CRYPTO);
    key.alg = OTA_SIG_ALG_ECDSA_P256;
    key.key_len = OTA_ECDSA_P256_PUBKEY_SIZE - 1u;
    assert_int_equal(ota_image_sig_check(&src, &info, &one, work, sizeof work), OTA_SIG_ERR_CRYPTO);
    key.key_len = OTA_ECDSA_P256_PUBKEY_SIZE;
    assert_int_equal(ota_image_sig_check(&src, &info, &one, work, sizeof work), OTA_SIG_OK);

    /* A 7-byte ECDSA_P256 TLV (the image format allows 1..72, P-256 DER needs 8) by key A. */
    ota_image_tlv_writer_t w;
    uint8_t digest[OTA_SHA256_SIZE];
    memcpy(digest, info.sha256, sizeof digest);
    ota_image_tlv_begin(&w, img + info.tlv_offset, IMG_CAP - info.tlv_offset);
    ota_image_tlv_add(&w, OTA_IMAGE_TLV_SHA256, digest, sizeof digest);
    ota_image_tlv_add(&w, OTA_IMAGE_TLV_KEY_HASH, key_a.key_id, sizeof key_a.key_id);
    ota_image_tlv_add(&w, OTA_IMAGE_TLV_ECDSA_P256, work, OTA_ECDSA_P256_SIG_MIN - 1u);
    uint32_t tlv_size = 0;
    assert_int_equal(ota_image_tlv_finish(&w, &tlv_size), OTA_IMAGE_OK);
    assert_int_equal(check_img(&c, info.tlv_offset + tlv_size, &one), OTA_SIG_ERR_BAD_SIGNATURE);
}

/* Manifest signatures go through the same dispatch: the .sig names ECDSA P-256 (its magic),
 * the trusted key decides the rest. A key the build cannot use is no verdict (CRYPTO); a
 * DER shorter than P-256 allows is a bad signature. */
static void test_manifest_sig_dispatch(void **unused)
{
    (void)unused;
    static const char text[] = "{\"Sequence\": 3, \"Expires\": 4070995200}";
    uint8_t sig[OTA_MANIFEST_SIG_MAX];
    const size_t len = test_keys_sign_manifest(&key_a, text, sizeof text - 1, sig);
    assert_true(len > OTA_MANIFEST_SIG_DER_OFFSET);
    ota_sig_key_t key = trusted[0];
    const ota_sig_keyring_t one = {.keys = &key, .count = 1};
    assert_int_equal(ota_manifest_sig_verify(text, sizeof text - 1, sig, len, &one),
                     OTA_MANIFEST_SIG_OK);
    key.alg = (ota_sig_alg_t)7;
    assert_int_equal(ota_manifest_sig_verify(text, sizeof text - 1, sig, len, &one),
                     OTA_MANIFEST_SIG_ERR_CRYPTO);
    key.alg = OTA_SIG_ALG_ECDSA_P256;
    key.key_len = OTA_ECDSA_P256_PUBKEY_SIZE + 1u;
    assert_int_equal(ota_manifest_sig_verify(text, sizeof text - 1, sig, len, &one),
                     OTA_MANIFEST_SIG_ERR_CRYPTO);
    key.key_len = OTA_ECDSA_P256_PUBKEY_SIZE;
    assert_int_equal(ota_manifest_sig_verify(text, sizeof text - 1, sig,
                                             OTA_MANIFEST_SIG_DER_OFFSET + OTA_ECDSA_P256_SIG_MIN - 1u,
                                             &one),
                     OTA_MANIFEST_SIG_ERR_BAD_SIGNATURE);
    assert_int_equal(ota_manifest_sig_verify(text, sizeof text - 1, sig, len, &one),
                     OTA_MANIFEST_SIG_OK);
}

/* ---- the store: signatures and security counter before STORED --------------------------- */

static store_fixture_t *open_store(const ota_sig_keyring_t *keys)
{
    ota_store_config_t cfg = {.trusted_keys = keys};
    return store_fixture_open(NULL, &cfg);
}

/* Download img[0, len) as version; the status of finish, with the slot in *slot. */
static ota_store_status_t download(store_fixture_t *fx, uint32_t version, uint32_t len,
                                   uint8_t *slot)
{
    return store_fixture_download(&fx->store, version, img, len, 700, slot);
}

static bool nothing_stored(store_fixture_t *fx)
{
    for (uint8_t i = 0; i < ota_store_slot_count(&fx->store); i++) {
        uint8_t st = ota_store_slot(&fx->store, i)->state;
        if (st == OTA_SLOT_STORED || st == OTA_SLOT_INSTALLED || st == OTA_SLOT_DOWNLOADING) {
            return false;
        }
    }
    return true;
}

static void test_store_keeps_signed_image(void **unused)
{
    (void)unused;
    store_fixture_t *fx = open_store(&ring);
    assert_ptr_equal(ota_store_trusted_keys(&fx->store), &ring);
    uint8_t slot = 0;
    assert_int_equal(download(fx, 3, build(3, 0, SIGN_A), &slot), OTA_STORE_OK);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(ota_store_slot(&fx->store, slot)->state, OTA_SLOT_STORED);

    /* The bootloader's check on the slot in flash: same verdict. */
    ota_store_slot_source_t src;
    assert_int_equal(ota_store_image_source(&fx->store, slot, &src), OTA_STORE_OK);
    ota_image_info_t info;
    uint8_t work[128];
    assert_int_equal(ota_image_sig_verify(&src.src, &ring, &info, work, sizeof work, NULL),
                     OTA_SIG_OK);
    assert_int_equal(ota_store_image_policy(&fx->store, &src.src, &info, work, sizeof work),
                     OTA_STORE_OK);
    store_fixture_close(fx);
}

static void refused(sign_mode_t mode, ota_store_status_t expected)
{
    store_fixture_t *fx = open_store(&ring);
    uint8_t slot = OTA_STORE_SLOT_NONE;
    assert_int_equal(download(fx, 4, build(4, 0, mode), &slot), expected);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_true(nothing_stored(fx));
    assert_int_equal(ota_store_slot(&fx->store, slot)->state, OTA_SLOT_EMPTY);
    assert_int_equal(ota_store_find_version(&fx->store, 4), OTA_STORE_SLOT_NONE);
    store_fixture_close(fx);
}

static void test_store_refuses_unsigned(void **unused)
{
    (void)unused;
    refused(SIGN_NONE, OTA_STORE_ERR_UNSIGNED);
}

static void test_store_refuses_unknown_key(void **unused)
{
    (void)unused;
    refused(SIGN_B, OTA_STORE_ERR_UNKNOWN_KEY);
    refused(SIGN_A_NO_KEY_ID, OTA_STORE_ERR_UNKNOWN_KEY);
}

static void test_store_refuses_bad_signature(void **unused)
{
    (void)unused;
    refused(SIGN_A_OTHER_HASH, OTA_STORE_ERR_SIGNATURE);
    assert_string_equal(ota_store_status_str(OTA_STORE_ERR_SIGNATURE), "bad signature");
}

static void test_store_without_keys_takes_unsigned(void **unused)
{
    (void)unused;
    store_fixture_t *fx = open_store(NULL);
    uint8_t slot = 0;
    assert_int_equal(download(fx, 5, build(5, 0, SIGN_NONE), &slot), OTA_STORE_OK);
    assert_int_equal(ota_store_slot(&fx->store, slot)->state, OTA_SLOT_STORED);
    store_fixture_close(fx);
}

/* A trusted table whose key is not a curve point: the backend cannot judge the signature.
 * That is no verdict on the image, so the slot stays DOWNLOADING (resumable), not EMPTY. */
static void test_store_crypto_failure_is_no_verdict(void **unused)
{
    (void)unused;
    uint8_t broken_bytes[OTA_ECDSA_P256_PUBKEY_SIZE];
    memcpy(broken_bytes, trusted[0].key, sizeof broken_bytes);
    broken_bytes[64] ^= 0x01u;
    ota_sig_key_t broken = trusted[0];
    broken.key = broken_bytes;
    const ota_sig_keyring_t broken_ring = {.keys = &broken, .count = 1};
    store_fixture_t *fx = open_store(&broken_ring);
    uint8_t slot = OTA_STORE_SLOT_NONE;
    assert_int_equal(download(fx, 6, build(6, 0, SIGN_A), &slot), OTA_STORE_ERR_CRYPTO);
    assert_int_equal(ota_store_slot(&fx->store, slot)->state, OTA_SLOT_DOWNLOADING);
    store_fixture_close(fx);
}

/* ---- anti-rollback in the store ---------------------------------------------------------- */

static void test_store_refuses_image_below_security_counter(void **unused)
{
    (void)unused;
    store_fixture_t *fx = open_store(NULL);
    /* The running image (counter 5) is confirmed: the device's counter becomes 5. */
    assert_int_equal(ota_store_confirm(&fx->store, 5), OTA_STORE_OK);
    assert_int_equal(ota_store_boot(&fx->store)->security_counter, 5);

    uint8_t slot = OTA_STORE_SLOT_NONE;
    assert_int_equal(download(fx, 7, build(7, 4, SIGN_NONE), &slot),
                     OTA_STORE_ERR_SECURITY_COUNTER);
    assert_int_equal(store_fixture_remount(fx), OTA_STORE_OK);
    assert_int_equal(ota_store_slot(&fx->store, slot)->state, OTA_SLOT_EMPTY);
    assert_true(nothing_stored(fx));

    /* Equal to the counter is allowed (a new version in the same security epoch), above too. */
    assert_int_equal(download(fx, 8, build(8, 5, SIGN_NONE), &slot), OTA_STORE_OK);
    assert_int_equal(download(fx, 9, build(9, 6, SIGN_NONE), &slot), OTA_STORE_OK);
    store_fixture_close(fx);
}

/* Signed and below the counter: the counter is checked too, a valid signature is not enough. */
static void test_store_refuses_signed_image_below_counter(void **unused)
{
    (void)unused;
    store_fixture_t *fx = open_store(&ring);
    assert_int_equal(ota_store_confirm(&fx->store, 3), OTA_STORE_OK);
    uint8_t slot = OTA_STORE_SLOT_NONE;
    assert_int_equal(download(fx, 10, build(10, 2, SIGN_A), &slot),
                     OTA_STORE_ERR_SECURITY_COUNTER);
    assert_true(nothing_stored(fx));
    store_fixture_close(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ecdsa_verify),
        cmocka_unit_test(test_sig_dispatch),
        cmocka_unit_test(test_heap_init_needs_buffer_allocator),
        cmocka_unit_test(test_sig_verdicts),
        cmocka_unit_test(test_keyring_rotation),
        cmocka_unit_test(test_sig_read_from_the_image),
        cmocka_unit_test(test_keyring_dispatch),
        cmocka_unit_test(test_manifest_sig_dispatch),
        cmocka_unit_test(test_store_keeps_signed_image),
        cmocka_unit_test(test_store_refuses_unsigned),
        cmocka_unit_test(test_store_refuses_unknown_key),
        cmocka_unit_test(test_store_refuses_bad_signature),
        cmocka_unit_test(test_store_without_keys_takes_unsigned),
        cmocka_unit_test(test_store_crypto_failure_is_no_verdict),
        cmocka_unit_test(test_store_refuses_image_below_security_counter),
        cmocka_unit_test(test_store_refuses_signed_image_below_counter),
    };
    return cmocka_run_group_tests(tests, make_keys, free_keys);
}
