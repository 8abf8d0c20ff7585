/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The compact SHA-256 (src/crypto_sha256_small.c), as the lean bootloaders link it: the core
 * here is built with the lean options (CMakeLists.txt, firmware/lean_core.cmake), which take
 * OTA_SHA256_SMALL=1, so every ota_sha256_* call below is that file's. Checked against NIST's
 * published SHA-256 examples (empty, "abc", the 448-bit message, a million 'a'), against
 * OpenSSL's SHA-256 for every length 0..200 and a megabyte of varied bytes, for splits of a
 * message into updates at every point, and through save/restore and copy mid-stream.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/sha.h>

#include "otaflow/crypto.h"

_Static_assert(OTA_SHA256_SMALL == 1, "built with the lean options: the compact SHA-256");
/* The core leaves out its handling of a failed hash with it (crypto.h): every call below with
 * arguments that are not NULL must return OK, as each one asserts. */
_Static_assert(OTA_SHA256_CAN_FAIL == 0, "the compact SHA-256 cannot fail");

#define MSG_MAX 200u

/* FIPS 180-4's examples (csrc.nist.gov, "Examples with Intermediate Values": SHA256.pdf,
 * SHA2_Additional.pdf), as hexadecimal, not computed here. */
static const char *const fips_abc =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char *const fips_empty =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static const char *const fips_448 =
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
static const char *const fips_million_a =
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

static void hex_of(const uint8_t d[OTA_SHA256_SIZE], char out[2 * OTA_SHA256_SIZE + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < OTA_SHA256_SIZE; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15u];
    }
    out[2 * OTA_SHA256_SIZE] = '\0';
}

static void assert_digest_hex(const uint8_t d[OTA_SHA256_SIZE], const char *want)
{
    char got[2 * OTA_SHA256_SIZE + 1];
    hex_of(d, got);
    assert_string_equal(got, want);
}

/* A message whose bytes depend on their position and on a seed. */
static void fill(uint8_t *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)(i * 131u + seed * 17u + (i >> 7));
    }
}

static void fips_examples(void **state)
{
    (void)state;
    uint8_t d[OTA_SHA256_SIZE];
    assert_int_equal(ota_sha256("", 0, d), OTA_CRYPTO_OK);
    assert_digest_hex(d, fips_empty);
    assert_int_equal(ota_sha256(NULL, 0, d), OTA_CRYPTO_OK);
    assert_digest_hex(d, fips_empty);
    assert_int_equal(ota_sha256("abc", 3, d), OTA_CRYPTO_OK);
    assert_digest_hex(d, fips_abc);
    static const char two_blocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    assert_int_equal(sizeof two_blocks - 1u, 56u); /* 448 bits: the padding takes a block */
    assert_int_equal(ota_sha256(two_blocks, 56, d), OTA_CRYPTO_OK);
    assert_digest_hex(d, fips_448);

    /* one million 'a', in pieces that straddle the block boundaries */
    uint8_t a[999];
    memset(a, 'a', sizeof a);
    ota_sha256_t ctx;
    assert_int_equal(ota_sha256_start(&ctx), OTA_CRYPTO_OK);
    size_t left = 1000000u;
    while (left > 0) {
        size_t n = left < sizeof a ? left : sizeof a;
        assert_int_equal(ota_sha256_update(&ctx, a, n), OTA_CRYPTO_OK);
        left -= n;
    }
    assert_int_equal(ota_sha256_finish(&ctx, d), OTA_CRYPTO_OK);
    assert_digest_hex(d, fips_million_a);
}

/* Every length from 0 to 200 (every position of the padding's 1 bit and length field,
 * one and two padding blocks) against OpenSSL. */
static void every_length_matches_openssl(void **state)
{
    (void)state;
    uint8_t msg[MSG_MAX], d[OTA_SHA256_SIZE], want[SHA256_DIGEST_LENGTH];
    for (unsigned len = 0; len <= MSG_MAX; len++) {
        fill(msg, len, len);
        SHA256(msg, len, want);
        assert_int_equal(ota_sha256(msg, len, d), OTA_CRYPTO_OK);
        assert_memory_equal(d, want, sizeof want);
    }
}

/* A megabyte of varied bytes, in updates of every size from 1 to 4,100 bytes in turn. */
static void megabyte_matches_openssl(void **state)
{
    (void)state;
    enum { BIG = 1u << 20 };
    static uint8_t big[BIG];
    fill(big, BIG, 99u);
    uint8_t d[OTA_SHA256_SIZE], want[SHA256_DIGEST_LENGTH];
    SHA256(big, BIG, want);
    ota_sha256_t ctx;
    assert_int_equal(ota_sha256_start(&ctx), OTA_CRYPTO_OK);
    size_t at = 0, piece = 1;
    while (at < BIG) {
        size_t n = BIG - at < piece ? BIG - at : piece;
        assert_int_equal(ota_sha256_update(&ctx, big + at, n), OTA_CRYPTO_OK);
        at += n;
        piece = piece % 4100u + 1u;
    }
    assert_int_equal(ota_sha256_finish(&ctx, d), OTA_CRYPTO_OK);
    assert_memory_equal(d, want, sizeof want);
}

/* A message cut into two updates at every point, and into three around every block edge,
 * hashes as a whole; so do empty updates between them and one byte at a time. */
static void split_updates_at_every_boundary(void **state)
{
    (void)state;
    uint8_t msg[MSG_MAX], d[OTA_SHA256_SIZE], want[SHA256_DIGEST_LENGTH];
    fill(msg, sizeof msg, 7u);
    SHA256(msg, sizeof msg, want);
    ota_sha256_t ctx;
    for (size_t cut = 0; cut <= sizeof msg; cut++) {
        assert_int_equal(ota_sha256_start(&ctx), OTA_CRYPTO_OK);
        assert_int_equal(ota_sha256_update(&ctx, msg, cut), OTA_CRYPTO_OK);
        assert_int_equal(ota_sha256_update(&ctx, msg + cut, 0), OTA_CRYPTO_OK);
        assert_int_equal(ota_sha256_update(&ctx, msg + cut, sizeof msg - cut), OTA_CRYPTO_OK);
        assert_int_equal(ota_sha256_finish(&ctx, d), OTA_CRYPTO_OK);
        assert_memory_equal(d, want, sizeof want);
    }
    for (size_t first = 0; first <= 70u; first++) {
        for (size_t second = 0; second <= 130u; second += 1u) {
            assert_int_equal(ota_sha256_start(&ctx), OTA_CRYPTO_OK);
            assert_int_equal(ota_sha256_update(&ctx, msg, first), OTA_CRYPTO_OK);
            assert_int_equal(ota_sha256_update(&ctx, msg + first, second), OTA_CRYPTO_OK);
            assert_int_equal(
                ota_sha256_update(&ctx, msg + first + second, sizeof msg - first - second),
                OTA_CRYPTO_OK);
            assert_int_equal(ota_sha256_finish(&ctx, d), OTA_CRYPTO_OK);
            assert_memory_equal(d, want, sizeof want);
        }
    }
    assert_int_equal(ota_sha256_start(&ctx), OTA_CRYPTO_OK);
    for (size_t i = 0; i < sizeof msg; i++) {
        assert_int_equal(ota_sha256_update(&ctx, msg + i, 1), OTA_CRYPTO_OK);
    }
    assert_int_equal(ota_sha256_finish(&ctx, d), OTA_CRYPTO_OK);
    assert_memory_equal(d, want, sizeof want);
}

/* Saved after whole blocks and restored in a fresh (garbage-filled) context, the hash goes
 * on to the whole message's digest. The saved chaining value is the big-endian state that a
 * journal keeps: FIPS 180-4's H(0) at 0 bytes, and after one block the H(1) that FIPS
 * publishes (the block "abc" padded by hand, whose H(1) is its digest). A count inside a
 * block is refused. */
static void save_restore_mid_stream(void **state)
{
    (void)state;
    uint8_t msg[MSG_MAX + 56u], d[OTA_SHA256_SIZE], want[SHA256_DIGEST_LENGTH];
    fill(msg, sizeof msg, 3u);
    SHA256(msg, sizeof msg, want);
    for (uint32_t at = 0; at <= 192u; at += 64u) {
        ota_sha256_t first, second;
        ota_sha256_midstate_t mid;
        memset(&mid, 0xEE, sizeof mid);
        assert_int_equal(ota_sha256_start(&first), OTA_CRYPTO_OK);
        assert_int_equal(ota_sha256_update(&first, msg, at), OTA_CRYPTO_OK);
        assert_int_equal(ota_sha256_save(&first, &mid), OTA_CRYPTO_OK);
        assert_int_equal(mid.bytes, at);
        memset(&second, 0x5A, sizeof second);
        assert_int_equal(ota_sha256_restore(&second, &mid), OTA_CRYPTO_OK);
        assert_int_equal(ota_sha256_update(&second, msg + at, sizeof msg - at), OTA_CRYPTO_OK);
        assert_int_equal(ota_sha256_finish(&second, d), OTA_CRYPTO_OK);
        assert_memory_equal(d, want, sizeof want);
        /* the one saved is untouched by the save: it finishes to the prefix's digest */
        uint8_t prefix[SHA256_DIGEST_LENGTH];
        SHA256(msg, at, prefix);
        assert_int_equal(ota_sha256_finish(&first, d), OTA_CRYPTO_OK);
        assert_memory_equal(d, prefix, sizeof prefix);
    }
    /* At 0 bytes the chaining value is FIPS 180-4's H(0), big-endian. */
    static const uint8_t h0[OTA_SHA256_SIZE] = {
        0x6a, 0x09, 0xe6, 0x67, 0xbb, 0x67, 0xae, 0x85, 0x3c, 0x6e, 0xf3, 0x72, 0xa5, 0x4f,
        0xf5, 0x3a, 0x51, 0x0e, 0x52, 0x7f, 0x9b, 0x05, 0x68, 0x8c, 0x1f, 0x83, 0xd9, 0xab,
        0x5b, 0xe0, 0xcd, 0x19,
    };
    ota_sha256_t ctx;
    ota_sha256_midstate_t mid;
    assert_int_equal(ota_sha256_start(&ctx), OTA_CRYPTO_OK);
    assert_int_equal(ota_sha256_save(&ctx, &mid), OTA_CRYPTO_OK);
    assert_memory_equal(mid.chaining, h0, sizeof h0);
    uint8_t abc_block[64] = {'a', 'b', 'c', 0x80u};
    abc_block[63] = 24u; /* the message's length in bits */
    assert_int_equal(ota_sha256_update(&ctx, abc_block, sizeof abc_block), OTA_CRYPTO_OK);
    assert_int_equal(ota_sha256_save(&ctx, &mid), OTA_CRYPTO_OK);
    assert_int_equal(mid.bytes, 64u);
    assert_digest_hex(mid.chaining, fips_abc);
    assert_int_equal(ota_sha256_start(&ctx), OTA_CRYPTO_OK);
    assert_int_equal(ota_sha256_update(&ctx, msg, 65), OTA_CRYPTO_OK);
    assert_int_equal(ota_sha256_save(&ctx, &mid), OTA_CRYPTO_ERR_ARG);
    assert_int_equal(ota_sha256_finish(&ctx, d), OTA_CRYPTO_OK);
    mid.bytes = 96;
    assert_int_equal(ota_sha256_restore(&ctx, &mid), OTA_CRYPTO_ERR_ARG);
}

/* A copy taken mid-stream finishes to the prefix's digest while the original goes on to the
 * whole message's (what src/image.c does at the end of an image's signed part). */
static void copy_forks_the_stream(void **state)
{
    (void)state;
    uint8_t msg[MSG_MAX], d[OTA_SHA256_SIZE], want[SHA256_DIGEST_LENGTH];
    fill(msg, sizeof msg, 11u);
    SHA256(msg, sizeof msg, want);
    for (size_t at = 0; at <= sizeof msg; at += 13u) {
        ota_sha256_t ctx, fork;
        uint8_t prefix[SHA256_DIGEST_LENGTH];
        SHA256(msg, at, prefix);
        assert_int_equal(ota_sha256_start(&ctx), OTA_CRYPTO_OK);
        assert_int_equal(ota_sha256_start(&fork), OTA_CRYPTO_OK);
        assert_int_equal(ota_sha256_update(&fork, "dropped", 7), OTA_CRYPTO_OK);
        assert_int_equal(ota_sha256_update(&ctx, msg, at), OTA_CRYPTO_OK);
        assert_int_equal(ota_sha256_copy(&fork, &ctx), OTA_CRYPTO_OK);
        assert_int_equal(ota_sha256_update(&ctx, msg + at, sizeof msg - at), OTA_CRYPTO_OK);
        assert_int_equal(ota_sha256_finish(&fork, d), OTA_CRYPTO_OK);
        assert_memory_equal(d, prefix, sizeof prefix);
        assert_int_equal(ota_sha256_finish(&ctx, d), OTA_CRYPTO_OK);
        assert_memory_equal(d, want, sizeof want);
    }
}

static void null_arguments_are_refused(void **state)
{
    (void)state;
    ota_sha256_t ctx;
    ota_sha256_midstate_t mid = {.bytes = 0};
    uint8_t d[OTA_SHA256_SIZE];
    assert_int_equal(ota_sha256_start(NULL), OTA_CRYPTO_ERR_ARG);
    assert_int_equal(ota_sha256_start(&ctx), OTA_CRYPTO_OK);
    assert_int_equal(ota_sha256_update(NULL, "x", 1), OTA_CRYPTO_ERR_ARG);
    assert_int_equal(ota_sha256_update(&ctx, NULL, 1), OTA_CRYPTO_ERR_ARG);
    assert_int_equal(ota_sha256_update(&ctx, NULL, 0), OTA_CRYPTO_OK);
    assert_int_equal(ota_sha256_finish(NULL, d), OTA_CRYPTO_ERR_ARG);
    assert_int_equal(ota_sha256_finish(&ctx, NULL), OTA_CRYPTO_ERR_ARG);
    assert_int_equal(ota_sha256_save(NULL, &mid), OTA_CRYPTO_ERR_ARG);
    assert_int_equal(ota_sha256_save(&ctx, NULL), OTA_CRYPTO_ERR_ARG);
    assert_int_equal(ota_sha256_restore(NULL, &mid), OTA_CRYPTO_ERR_ARG);
    assert_int_equal(ota_sha256_restore(&ctx, NULL), OTA_CRYPTO_ERR_ARG);
    assert_int_equal(ota_sha256_copy(NULL, &ctx), OTA_CRYPTO_ERR_ARG);
    assert_int_equal(ota_sha256_copy(&ctx, NULL), OTA_CRYPTO_ERR_ARG);
    assert_int_equal(ota_sha256(NULL, 1, d), OTA_CRYPTO_ERR_ARG);
    assert_int_equal(ota_sha256("x", 1, NULL), OTA_CRYPTO_ERR_ARG);
    /* the refusals left the context as it was: still the empty message */
    assert_int_equal(ota_sha256_finish(&ctx, d), OTA_CRYPTO_OK);
    assert_digest_hex(d, fips_empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fips_examples),
        cmocka_unit_test(every_length_matches_openssl),
        cmocka_unit_test(megabyte_matches_openssl),
        cmocka_unit_test(split_updates_at_every_boundary),
        cmocka_unit_test(save_restore_mid_stream),
        cmocka_unit_test(copy_forks_the_stream),
        cmocka_unit_test(null_arguments_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
