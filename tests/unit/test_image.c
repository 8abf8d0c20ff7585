/* SPDX-License-Identifier: Apache-2.0 */
/* Update image: header codec, parser (one test per error), verification, TLV writer, SHA-256. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "image_builder.h"
#include "otaflow/crypto.h"
#include "otaflow/image.h"

static test_image_t img; /* 64 KB: static, not on the stack */

/* A source that fails the test on any read outside [0, size) and remembers the highest end. */
typedef struct guarded {
    ota_image_source_t inner;
    uint32_t max_end;
    unsigned reads;
    unsigned fail_at_read; /* 1-based read number that fails; 0 = never */
} guarded_t;

static int guarded_read(void *ctx, uint32_t offset, void *buf, uint32_t len)
{
    guarded_t *g = ctx;
    assert_true(len > 0u);
    assert_true(offset <= g->inner.size && len <= g->inner.size - offset);
    g->reads++;
    if (g->fail_at_read != 0u && g->reads == g->fail_at_read) {
        return -5;
    }
    if (offset + len > g->max_end) {
        g->max_end = offset + len;
    }
    return g->inner.read(g->inner.ctx, offset, buf, len);
}

static ota_image_source_t guard(guarded_t *g, ota_image_source_t inner)
{
    memset(g, 0, sizeof *g);
    g->inner = inner;
    ota_image_source_t s = {guarded_read, g, inner.size};
    return s;
}

/* Parse the image as built (slot = its exact size), reads checked against the slot. */
static ota_image_status_t parse_img(ota_image_info_t *info)
{
    guarded_t g;
    ota_image_source_t src = guard(&g, test_image_source(&img));
    return ota_image_parse(&src, info);
}

static ota_image_status_t parse_and_verify(size_t work_len)
{
    static uint8_t work[4096];
    ota_image_info_t info;
    guarded_t g;
    ota_image_source_t src = guard(&g, test_image_source(&img));
    ota_image_status_t st = ota_image_parse(&src, &info);
    if (st == OTA_IMAGE_OK) {
        st = ota_image_verify(&src, &info, work, work_len);
    }
    return st;
}

/* Build a crafted image: default header, 16-byte payload, SHA-256 TLV, then the caller's
 * extra entry; the caller may corrupt bytes before parsing. */
static void craft_with_entry(uint16_t type, const void *value, uint16_t len)
{
    ota_image_header_t h = test_image_header(16);
    test_image_start(&img, &h, NULL);
    test_image_tlv_sha256(&img);
    test_image_tlv(&img, type, value, len);
    test_image_end(&img);
}

static void expect_parse(ota_image_status_t want)
{
    ota_image_info_t info;
    assert_int_equal(parse_img(&info), want);
}

/* --- SHA-256 backend -------------------------------------------------------------------- */

static void sha256_known_vectors(void **state)
{
    (void)state;
    static const uint8_t abc[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
        0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    static const uint8_t empty[32] = {
        0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
        0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};
    uint8_t out[32];
    assert_int_equal(ota_sha256("abc", 3, out), OTA_CRYPTO_OK);
    assert_memory_equal(out, abc, 32);
    assert_int_equal(ota_sha256("", 0, out), OTA_CRYPTO_OK);
    assert_memory_equal(out, empty, 32);
    /* Streaming in pieces gives the one-shot answer. */
    ota_sha256_t ctx;
    assert_int_equal(ota_sha256_start(&ctx), OTA_CRYPTO_OK);
    assert_int_equal(ota_sha256_update(&ctx, "a", 1), OTA_CRYPTO_OK);
    assert_int_equal(ota_sha256_update(&ctx, "bc", 2), OTA_CRYPTO_OK);
    assert_int_equal(ota_sha256_finish(&ctx, out), OTA_CRYPTO_OK);
    assert_memory_equal(out, abc, 32);
    /* Arguments a caller could get wrong are refused, not dereferenced. */
    assert_int_equal(ota_sha256_start(NULL), OTA_CRYPTO_ERR_ARG);
    assert_int_equal(ota_sha256_start(&ctx), OTA_CRYPTO_OK);
    assert_int_equal(ota_sha256_update(&ctx, NULL, 1), OTA_CRYPTO_ERR_ARG);
    assert_int_equal(ota_sha256_finish(&ctx, NULL), OTA_CRYPTO_ERR_ARG);
    assert_int_equal(ota_sha256_finish(&ctx, out), OTA_CRYPTO_OK);
    /* The one-shot refuses them too, rather than hashing nothing and reporting success. */
    assert_int_equal(ota_sha256(NULL, 3, out), OTA_CRYPTO_ERR_ARG);
    assert_int_equal(ota_sha256("abc", 3, NULL), OTA_CRYPTO_ERR_ARG);
    assert_string_equal(ota_crypto_status_str(OTA_CRYPTO_ERR_HASH), "hash engine failed");
}

/* A hash paused after whole blocks and saved (as a resumed patch's PatchDigest is) goes on in
 * another context to the digest of the whole input; a pause inside a block cannot be saved. */
static void sha256_saved_midstate(void **state)
{
    (void)state;
    uint8_t data[1000], whole[32], out[32];
    for (size_t i = 0; i < sizeof data; i++) {
        data[i] = (uint8_t)(i * 7u + 3u);
    }
    assert_int_equal(ota_sha256(data, sizeof data, whole), OTA_CRYPTO_OK);
    for (uint32_t at = 0; at <= 960u; at += 64u) {
        ota_sha256_t first, second;
        ota_sha256_midstate_t mid;
        memset(&mid, 0xEE, sizeof mid);
        assert_int_equal(ota_sha256_start(&first), OTA_CRYPTO_OK);
        assert_int_equal(ota_sha256_update(&first, data, at), OTA_CRYPTO_OK);
        assert_int_equal(ota_sha256_save(&first, &mid), OTA_CRYPTO_OK);
        assert_int_equal(mid.bytes, at);
        assert_int_equal(ota_sha256_finish(&first, out), OTA_CRYPTO_OK);
        memset(&second, 0x5A, sizeof second);
        assert_int_equal(ota_sha256_restore(&second, &mid), OTA_CRYPTO_OK);
        assert_int_equal(ota_sha256_update(&second, data + at, sizeof data - at), OTA_CRYPTO_OK);
        assert_int_equal(ota_sha256_finish(&second, out), OTA_CRYPTO_OK);
        assert_memory_equal(out, whole, 32);
    }
    ota_sha256_t ctx;
    ota_sha256_midstate_t mid = {.bytes = 100};
    assert_int_equal(ota_sha256_start(&ctx), OTA_CRYPTO_OK);
    assert_int_equal(ota_sha256_update(&ctx, data, 100), OTA_CRYPTO_OK);
    assert_int_equal(ota_sha256_save(&ctx, &mid), OTA_CRYPTO_ERR_ARG);
    assert_int_equal(ota_sha256_finish(&ctx, out), OTA_CRYPTO_OK);
    assert_int_equal(ota_sha256_restore(&ctx, &mid), OTA_CRYPTO_ERR_ARG);
    assert_int_equal(ota_sha256_save(NULL, &mid), OTA_CRYPTO_ERR_ARG);
    assert_int_equal(ota_sha256_restore(NULL, &mid), OTA_CRYPTO_ERR_ARG);
}

/* --- header codec ------------------------------------------------------------------------ */

/* A header written out by hand, byte by byte, independently of the encoder. */
static const uint8_t golden_header[64] = {
    'O', 'T', 'A', 'F',     /* magic */
    0x01, 0x00,             /* header version 1 */
    0x40, 0x00,             /* header size 64 */
    0x04, 0x03, 0x02, 0x01, /* version 0x01020304 */
    0x07, 0x00, 0x00, 0x00, /* security counter 7 */
    0x00, 0x00, 0x02, 0x10, /* load address 0x10020000 */
    0x10, 0x00, 0x00, 0x00, /* payload 16 bytes */
    0x00, 0x00, 0x00, 0x00, /* flags */
    0x01, 0x00, 0x31, 0x57, /* hardware id 0x57310001 */
    /* 32 reserved bytes: zero */
};

static void header_golden_bytes(void **state)
{
    (void)state;
    ota_image_header_t h;
    assert_int_equal(ota_image_header_decode(golden_header, 64, 1000, &h), OTA_IMAGE_OK);
    assert_int_equal(h.header_version, 1);
    assert_int_equal(h.header_size, 64);
    assert_int_equal(h.version, 0x01020304u);
    assert_int_equal(h.security_counter, 7);
    assert_int_equal(h.load_addr, 0x10020000u);
    assert_int_equal(h.payload_size, 16);
    assert_int_equal(h.flags, 0);
    assert_int_equal(h.hw_id, 0x57310001u);

    uint8_t raw[64];
    memset(raw, 0xAA, sizeof raw);
    ota_image_header_t want = test_image_header(16);
    ota_image_header_encode(&want, raw);
    assert_memory_equal(raw, golden_header, 64);
}

static void header_round_trip(void **state)
{
    (void)state;
    static const uint32_t values[] = {0u, 1u, 0x80u, 0x12345678u, 0x7FFFFFFFu, 0xFFFFFFFFu};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        uint32_t v = values[i];
        ota_image_header_t in = {
            .header_version = 1, .header_size = 64, .version = v, .security_counter = ~v,
            .load_addr = v ^ 0x5A5A5A5Au, .payload_size = v % 1000u, .flags = 0, .hw_id = v + 1u};
        uint8_t raw[64];
        ota_image_header_encode(&in, raw);
        ota_image_header_t out;
        assert_int_equal(ota_image_header_decode(raw, sizeof raw, 2000, &out), OTA_IMAGE_OK);
        assert_memory_equal(&in, &out, sizeof in);
    }
    /* The encoder writes this version's constants whatever the struct holds. */
    ota_image_header_t odd = test_image_header(0);
    odd.header_version = 9;
    odd.header_size = 3;
    uint8_t raw[64];
    ota_image_header_encode(&odd, raw);
    assert_int_equal(raw[4], 1);
    assert_int_equal(raw[6], 64);
}

static void header_decode_args(void **state)
{
    (void)state;
    ota_image_header_t h;
    assert_int_equal(ota_image_header_decode(NULL, 64, 100, &h), OTA_IMAGE_ERR_ARG);
    assert_int_equal(ota_image_header_decode(golden_header, 64, 100, NULL), OTA_IMAGE_ERR_ARG);
}

/* --- a valid image ----------------------------------------------------------------------- */

static void valid_image_parses_and_verifies(void **state)
{
    (void)state;
    uint8_t key_hash[32];
    uint8_t sig[70];
    memset(key_hash, 0x4B, sizeof key_hash);
    memset(sig, 0x30, sizeof sig);
    ota_image_header_t h = test_image_header(1000);
    test_image_start(&img, &h, NULL);
    test_image_tlv(&img, OTA_IMAGE_TLV_KEY_HASH, key_hash, sizeof key_hash);
    test_image_tlv_sha256(&img);
    test_image_tlv(&img, OTA_IMAGE_TLV_ECDSA_P256, sig, sizeof sig);
    uint32_t total = test_image_end(&img);

    ota_image_info_t info;
    guarded_t g;
    ota_image_source_t src = guard(&g, test_image_source(&img));
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_OK);
    assert_memory_equal(&info.header, &h, sizeof h);
    assert_int_equal(info.tlv_offset, 64 + 1000);
    assert_int_equal(info.tlv_size, 8 + 36 + 36 + 4 + 70);
    assert_int_equal(info.total_size, total);
    uint8_t digest[32];
    ota_sha256(img.bytes, 64 + 1000, digest);
    assert_memory_equal(info.sha256, digest, 32);
    assert_true(info.has_key_hash);
    assert_memory_equal(info.key_hash, key_hash, 32);
    assert_true(info.has_signature);
    assert_int_equal(info.signature_type, OTA_IMAGE_TLV_ECDSA_P256);
    assert_int_equal(info.signature_len, 70);
    /* Located, not copied: the signature is read from the image where info says. */
    assert_int_equal(info.signature_offset, total - 70);
    assert_memory_equal(img.bytes + info.signature_offset, sig, 70);
    /* Parse read everything up to the signature, and not the signature itself. */
    assert_int_equal(g.max_end, total - 70);

    uint8_t work[100];
    assert_int_equal(ota_image_verify(&src, &info, work, sizeof work), OTA_IMAGE_OK);
    /* Verify reads header + payload only, never the TLV area. */
    g.max_end = 0;
    assert_int_equal(ota_image_verify(&src, &info, work, sizeof work), OTA_IMAGE_OK);
    assert_int_equal(g.max_end, 64 + 1000);
}

static void minimal_image_has_no_optional_tlvs(void **state)
{
    (void)state;
    test_image_valid(&img, 16);
    ota_image_info_t info;
    assert_int_equal(parse_img(&info), OTA_IMAGE_OK);
    assert_false(info.has_key_hash);
    assert_false(info.has_signature);
    assert_int_equal(info.signature_len, 0);
}

static void empty_payload(void **state)
{
    (void)state;
    uint32_t total = test_image_valid(&img, 0);
    assert_int_equal(total, 64 + 8 + 36);
    ota_image_info_t info;
    assert_int_equal(parse_img(&info), OTA_IMAGE_OK);
    assert_int_equal(info.header.payload_size, 0);
    assert_int_equal(info.tlv_offset, 64);
    assert_int_equal(parse_and_verify(1), OTA_IMAGE_OK);
}

static void work_buffer_size_does_not_change_the_answer(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 3, 64, 65, 4096};
    test_image_valid(&img, 5000);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(parse_and_verify(sizes[i]), OTA_IMAGE_OK);
    }
    img.bytes[64 + 4999] ^= 0x01u; /* last payload byte */
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(parse_and_verify(sizes[i]), OTA_IMAGE_ERR_HASH);
    }
}

static void any_flipped_bit_is_refused(void **state)
{
    (void)state;
    uint32_t total = test_image_valid(&img, 100);
    for (uint32_t byte = 0; byte < total; byte++) {
        for (unsigned bit = 0; bit < 8; bit++) {
            img.bytes[byte] ^= (uint8_t)(1u << bit);
            ota_image_status_t st = parse_and_verify(byte % 2u ? 1u : 4096u);
            if (st == OTA_IMAGE_OK) {
                fail_msg("flipping bit %u of byte %u was not noticed", bit, (unsigned)byte);
            }
            if (byte >= 64 && byte < 164) {
                assert_int_equal(st, OTA_IMAGE_ERR_HASH); /* payload: only the hash can tell */
            }
            img.bytes[byte] ^= (uint8_t)(1u << bit);
        }
    }
    assert_int_equal(parse_and_verify(7), OTA_IMAGE_OK);
}

/* --- slot bounds ------------------------------------------------------------------------- */

static void slot_of_exact_size_passes_one_byte_less_does_not(void **state)
{
    (void)state;
    uint32_t total = test_image_valid(&img, 300);
    ota_image_info_t info;
    ota_image_source_t src = test_image_source(&img);
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_OK);
    src.size = total - 1u;
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_ERR_TOO_LARGE);
    /* A slot larger than the image is fine: the image says where it ends. */
    src.size = total + 1000u;
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_OK);
    assert_int_equal(info.total_size, total);
}

/* --- one test per error ------------------------------------------------------------------ */

static void err_truncated(void **state)
{
    (void)state;
    ota_image_header_t h;
    test_image_valid(&img, 16);
    assert_int_equal(ota_image_header_decode(img.bytes, 63, 1000, &h), OTA_IMAGE_ERR_TRUNCATED);
    assert_int_equal(ota_image_header_decode(img.bytes, 0, 1000, &h), OTA_IMAGE_ERR_TRUNCATED);
    ota_image_info_t info;
    ota_image_source_t src = test_image_source(&img);
    src.size = 63;
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_ERR_TRUNCATED);
    src.size = 0;
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_ERR_TRUNCATED);
}

static void err_magic(void **state)
{
    (void)state;
    test_image_valid(&img, 16);
    img.bytes[3] = 'G';
    expect_parse(OTA_IMAGE_ERR_MAGIC);
    memset(img.bytes, 0xFF, 4); /* erased flash */
    expect_parse(OTA_IMAGE_ERR_MAGIC);
}

/* A valid image with the u16 at off set to v parses to want. */
static void expect_with_u16(uint32_t off, uint16_t v, ota_image_status_t want)
{
    test_image_valid(&img, 16);
    test_image_put16(&img, off, v);
    expect_parse(want);
}

static void err_header_version(void **state)
{
    (void)state;
    expect_with_u16(OTA_IMAGE_OFF_HEADER_VERSION, 2, OTA_IMAGE_ERR_HEADER_VERSION);
    expect_with_u16(OTA_IMAGE_OFF_HEADER_VERSION, 0, OTA_IMAGE_ERR_HEADER_VERSION);
}

static void err_header_size(void **state)
{
    (void)state;
    expect_with_u16(OTA_IMAGE_OFF_HEADER_SIZE, 65, OTA_IMAGE_ERR_HEADER_SIZE);
    expect_with_u16(OTA_IMAGE_OFF_HEADER_SIZE, 0, OTA_IMAGE_ERR_HEADER_SIZE);
}

static void err_reserved(void **state)
{
    (void)state;
    test_image_valid(&img, 16);
    test_image_put32(&img, OTA_IMAGE_OFF_FLAGS, 0x80000000u);
    expect_parse(OTA_IMAGE_ERR_RESERVED);
    test_image_put32(&img, OTA_IMAGE_OFF_FLAGS, 0);
    for (uint32_t off = OTA_IMAGE_OFF_RESERVED; off < 64; off++) {
        for (unsigned bit = 0; bit < 8; bit++) {
            img.bytes[off] = (uint8_t)(1u << bit);
            expect_parse(OTA_IMAGE_ERR_RESERVED);
        }
        img.bytes[off] = 0;
    }
    /* The TLV info's reserved half-word too. */
    test_image_put16(&img, 64 + 16 + 2, 1);
    expect_parse(OTA_IMAGE_ERR_RESERVED);
    test_image_put16(&img, 64 + 16 + 2, 0);
    expect_parse(OTA_IMAGE_OK);
}

static void err_too_large_payload(void **state)
{
    (void)state;
    uint32_t total = test_image_valid(&img, 16);
    test_image_put32(&img, OTA_IMAGE_OFF_PAYLOAD_SIZE, total); /* 64 + total > slot */
    expect_parse(OTA_IMAGE_ERR_TOO_LARGE);
    ota_image_header_t h;
    assert_int_equal(ota_image_header_decode(img.bytes, 64, 64 + 99, &h), OTA_IMAGE_ERR_TOO_LARGE);
    assert_int_equal(ota_image_header_decode(img.bytes, 64, 10, &h), OTA_IMAGE_ERR_TOO_LARGE);
}

static void err_too_large_tlv_info_past_slot(void **state)
{
    (void)state;
    test_image_valid(&img, 16);
    ota_image_info_t info;
    ota_image_source_t src = test_image_source(&img);
    src.size = 64 + 16 + 7; /* payload fits, TLV info does not */
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_ERR_TOO_LARGE);
    src.size = 64 + 16; /* payload fits exactly, no TLV at all */
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_ERR_TOO_LARGE);
}

static void err_too_large_tlv_total(void **state)
{
    (void)state;
    uint32_t total = test_image_valid(&img, 16);
    uint32_t tlv_total_off = 64 + 16 + 4;
    test_image_put32(&img, tlv_total_off, total - 64 - 16 + 1); /* one byte past the slot */
    expect_parse(OTA_IMAGE_ERR_TOO_LARGE);
    test_image_put32(&img, tlv_total_off, OTA_IMAGE_TLV_MAX + 1u);
    ota_image_info_t info;
    ota_image_source_t src = test_image_source(&img);
    src.size = TEST_IMAGE_CAP; /* room in the slot, but above the TLV limit */
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_ERR_TOO_LARGE);
    test_image_put32(&img, tlv_total_off, UINT32_MAX);
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_ERR_TOO_LARGE);
}

static void err_tlv_magic(void **state)
{
    (void)state;
    expect_with_u16(64 + 16, 0xFFFF, OTA_IMAGE_ERR_TLV_MAGIC);
    /* A payload size one byte off puts the TLV info where it is not. */
    test_image_valid(&img, 16);
    test_image_put32(&img, OTA_IMAGE_OFF_PAYLOAD_SIZE, 17);
    expect_parse(OTA_IMAGE_ERR_TLV_MAGIC);
}

static void err_tlv_overrun_total_below_info(void **state)
{
    (void)state;
    test_image_valid(&img, 16);
    for (uint32_t t = 0; t < OTA_IMAGE_TLV_INFO_SIZE; t++) {
        test_image_put32(&img, 64 + 16 + 4, t);
        expect_parse(OTA_IMAGE_ERR_TLV_OVERRUN);
    }
}

static void err_tlv_overrun_entry_header(void **state)
{
    (void)state;
    /* Two stray bytes after the last entry: an entry header cut by the area's end. */
    test_image_valid(&img, 16);
    img.len += 2;
    test_image_end(&img);
    expect_parse(OTA_IMAGE_ERR_TLV_OVERRUN);
}

static void err_tlv_overrun_value(void **state)
{
    (void)state;
    uint8_t v[8] = {0};
    craft_with_entry(0x0042, v, sizeof v);
    /* Claim one byte more than the area holds, and the largest length possible. */
    test_image_put16(&img, img.len - 8u - 2u, 9);
    expect_parse(OTA_IMAGE_ERR_TLV_OVERRUN);
    test_image_put16(&img, img.len - 8u - 2u, 0xFFFF);
    expect_parse(OTA_IMAGE_ERR_TLV_OVERRUN);
    /* The SHA-256 entry itself. */
    test_image_valid(&img, 16);
    test_image_put32(&img, 64 + 16 + 4, 8 + 4 + 31);
    expect_parse(OTA_IMAGE_ERR_TLV_OVERRUN);
}

static void err_tlv_critical(void **state)
{
    (void)state;
    uint8_t v[3] = {1, 2, 3};
    craft_with_entry(0x8123, v, sizeof v);
    expect_parse(OTA_IMAGE_ERR_TLV_CRITICAL);
    craft_with_entry(0xFFFF, NULL, 0);
    expect_parse(OTA_IMAGE_ERR_TLV_CRITICAL);
}

static void unknown_non_critical_tlv_is_skipped(void **state)
{
    (void)state;
    uint8_t v[200];
    memset(v, 0xEE, sizeof v);
    craft_with_entry(0x7FFF, v, sizeof v);
    ota_image_info_t info;
    assert_int_equal(parse_img(&info), OTA_IMAGE_OK);
    assert_int_equal(info.tlv_size, 8 + 36 + 4 + 200);
    assert_int_equal(parse_and_verify(64), OTA_IMAGE_OK);
    craft_with_entry(0x0000, NULL, 0);
    assert_int_equal(parse_and_verify(64), OTA_IMAGE_OK);
}

static void err_tlv_duplicate(void **state)
{
    (void)state;
    uint8_t v[32] = {0};
    craft_with_entry(OTA_IMAGE_TLV_SHA256, v, 32);
    expect_parse(OTA_IMAGE_ERR_TLV_DUPLICATE);

    ota_image_header_t h = test_image_header(16);
    test_image_start(&img, &h, NULL);
    test_image_tlv_sha256(&img);
    test_image_tlv(&img, OTA_IMAGE_TLV_KEY_HASH, v, 32);
    test_image_tlv(&img, OTA_IMAGE_TLV_KEY_HASH, v, 32);
    test_image_end(&img);
    expect_parse(OTA_IMAGE_ERR_TLV_DUPLICATE);

    test_image_start(&img, &h, NULL);
    test_image_tlv(&img, OTA_IMAGE_TLV_ECDSA_P256, v, 8);
    test_image_tlv_sha256(&img);
    test_image_tlv(&img, OTA_IMAGE_TLV_ECDSA_P256, v, 8);
    test_image_end(&img);
    expect_parse(OTA_IMAGE_ERR_TLV_DUPLICATE);
}

static void err_tlv_length(void **state)
{
    (void)state;
    uint8_t v[80] = {0};
    static const struct {
        uint16_t type;
        uint16_t len;
        ota_image_status_t want;
    } cases[] = {
        {OTA_IMAGE_TLV_KEY_HASH, 31, OTA_IMAGE_ERR_TLV_LENGTH},
        {OTA_IMAGE_TLV_KEY_HASH, 33, OTA_IMAGE_ERR_TLV_LENGTH},
        {OTA_IMAGE_TLV_KEY_HASH, 32, OTA_IMAGE_OK},
        {OTA_IMAGE_TLV_ECDSA_P256, 0, OTA_IMAGE_ERR_TLV_LENGTH},
        {OTA_IMAGE_TLV_ECDSA_P256, 73, OTA_IMAGE_ERR_TLV_LENGTH},
        {OTA_IMAGE_TLV_ECDSA_P256, 1, OTA_IMAGE_OK},
        {OTA_IMAGE_TLV_ECDSA_P256, 72, OTA_IMAGE_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        craft_with_entry(cases[i].type, v, cases[i].len);
        expect_parse(cases[i].want);
    }
    /* A SHA-256 entry of 31 or 33 bytes. */
    ota_image_header_t h = test_image_header(16);
    for (uint16_t len = 31; len <= 33; len += 2) {
        test_image_start(&img, &h, NULL);
        test_image_tlv(&img, OTA_IMAGE_TLV_SHA256, v, len);
        test_image_end(&img);
        expect_parse(OTA_IMAGE_ERR_TLV_LENGTH);
    }
}

static void err_no_hash(void **state)
{
    (void)state;
    ota_image_header_t h = test_image_header(16);
    test_image_start(&img, &h, NULL);
    test_image_end(&img); /* TLV area with its info only */
    expect_parse(OTA_IMAGE_ERR_NO_HASH);
    uint8_t v[32] = {0};
    test_image_start(&img, &h, NULL);
    test_image_tlv(&img, OTA_IMAGE_TLV_KEY_HASH, v, 32);
    test_image_tlv(&img, 0x0001, v, 32);
    test_image_end(&img);
    expect_parse(OTA_IMAGE_ERR_NO_HASH);
}

static void err_hash(void **state)
{
    (void)state;
    test_image_valid(&img, 16);
    img.bytes[64] ^= 0x80u;
    assert_int_equal(parse_and_verify(16), OTA_IMAGE_ERR_HASH);
    img.bytes[64] ^= 0x80u;
    img.bytes[64 + 16 + 8 + 4 + 31] ^= 0x01u; /* last byte of the stored digest */
    assert_int_equal(parse_and_verify(16), OTA_IMAGE_ERR_HASH);
}

static void verify_refuses_a_header_changed_after_parse(void **state)
{
    (void)state;
    test_image_valid(&img, 16);
    ota_image_source_t src = test_image_source(&img);
    ota_image_info_t info;
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_OK);
    uint8_t work[32];
    /* The caller's info says another version than the bytes do, but the digest matches. */
    info.header.version++;
    assert_int_equal(ota_image_verify(&src, &info, work, sizeof work), OTA_IMAGE_ERR_HASH);
}

static void err_read(void **state)
{
    (void)state;
    test_image_valid(&img, 1000);
    ota_image_info_t info;
    uint8_t work[256];
    /* Fail each read of parse in turn: header, TLV info, entry header, SHA-256 value. */
    for (unsigned n = 1; n <= 4; n++) {
        guarded_t g;
        ota_image_source_t src = guard(&g, test_image_source(&img));
        g.fail_at_read = n;
        assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_ERR_READ);
    }
    /* And a read in the middle of verify. */
    guarded_t g;
    ota_image_source_t src = guard(&g, test_image_source(&img));
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_OK);
    g.reads = 0;
    g.fail_at_read = 3;
    assert_int_equal(ota_image_verify(&src, &info, work, sizeof work), OTA_IMAGE_ERR_READ);
}

static void err_arg(void **state)
{
    (void)state;
    test_image_valid(&img, 16);
    ota_image_source_t src = test_image_source(&img);
    ota_image_info_t info;
    uint8_t work[8];
    assert_int_equal(ota_image_parse(NULL, &info), OTA_IMAGE_ERR_ARG);
    assert_int_equal(ota_image_parse(&src, NULL), OTA_IMAGE_ERR_ARG);
    ota_image_source_t no_read = {NULL, NULL, 100};
    assert_int_equal(ota_image_parse(&no_read, &info), OTA_IMAGE_ERR_ARG);
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_OK);
    assert_int_equal(ota_image_verify(&src, &info, NULL, 8), OTA_IMAGE_ERR_ARG);
    assert_int_equal(ota_image_verify(&src, &info, work, 0), OTA_IMAGE_ERR_ARG);
    assert_int_equal(ota_image_verify(NULL, &info, work, 8), OTA_IMAGE_ERR_ARG);
    assert_int_equal(ota_image_verify(&src, NULL, work, 8), OTA_IMAGE_ERR_ARG);
    ota_image_info_t blank;
    memset(&blank, 0, sizeof blank); /* never parsed */
    assert_int_equal(ota_image_verify(&src, &blank, work, 8), OTA_IMAGE_ERR_ARG);
}

/* --- sizes near UINT32_MAX ----------------------------------------------------------------- */

/* A 4 GB source: the header at 0 and a TLV area at tail_off; zeros everywhere else. */
typedef struct sparse {
    uint8_t head[64];
    uint8_t tail[64];
    uint32_t tail_off;
    uint32_t tail_len;
} sparse_t;

static void copy_part(uint8_t *dst, uint32_t off, uint32_t len, const uint8_t *part,
                      uint32_t part_off, uint32_t part_len)
{
    uint64_t lo = off > part_off ? off : part_off;
    uint64_t hi_a = (uint64_t)off + len, hi_b = (uint64_t)part_off + part_len;
    uint64_t hi = hi_a < hi_b ? hi_a : hi_b;
    if (lo < hi) {
        memcpy(dst + (lo - off), part + (lo - part_off), (size_t)(hi - lo));
    }
}

static int sparse_read(void *ctx, uint32_t offset, void *buf, uint32_t len)
{
    sparse_t *s = ctx;
    memset(buf, 0, len);
    copy_part(buf, offset, len, s->head, 0, 64);
    copy_part(buf, offset, len, s->tail, s->tail_off, s->tail_len);
    return 0;
}

static void huge_sizes_do_not_wrap(void **state)
{
    (void)state;
    static sparse_t s;
    ota_image_source_t src = {sparse_read, &s, UINT32_MAX};
    ota_image_info_t info;
    ota_image_header_t h = test_image_header(UINT32_MAX);
    ota_image_header_encode(&h, s.head);
    /* 64 + 0xFFFFFFFF wraps to 63 in 32 bits: must still be too large. */
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_ERR_TOO_LARGE);
    h.payload_size = UINT32_MAX - 63u; /* 64 + payload wraps to 0 */
    ota_image_header_encode(&h, s.head);
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_ERR_TOO_LARGE);
    h.payload_size = UINT32_MAX - 64u; /* header + payload fill the 4 GB slot exactly */
    ota_image_header_encode(&h, s.head);
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_ERR_TOO_LARGE);

    /* A valid TLV area in the last 44 bytes of the 32-bit range parses. */
    uint32_t tlv_size = 8 + 4 + 32;
    h.payload_size = UINT32_MAX - 64u - tlv_size;
    ota_image_header_encode(&h, s.head);
    s.tail_off = 64u + h.payload_size;
    s.tail_len = tlv_size;
    uint8_t tlv[8 + 4 + 32] = {0x7A, 0x0F, 0, 0, (uint8_t)tlv_size, 0, 0, 0, 0x01, 0x80, 32, 0};
    memset(tlv + 12, 0xD1, 32);
    memcpy(s.tail, tlv, sizeof tlv);
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_OK);
    assert_int_equal(info.total_size, UINT32_MAX);
    assert_int_equal(info.sha256[0], 0xD1);

    /* The same area claiming one more byte, or 0xFFFFFFFF bytes, runs past the slot. */
    s.tail[4] = (uint8_t)(tlv_size + 1u);
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_ERR_TOO_LARGE);
    s.tail[4] = s.tail[5] = s.tail[6] = s.tail[7] = 0xFF;
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_ERR_TOO_LARGE);
    s.tail[4] = (uint8_t)tlv_size;
    s.tail[5] = s.tail[6] = s.tail[7] = 0;
    /* An entry length of 0xFFFF at the very top of the range. */
    s.tail[10] = s.tail[11] = 0xFF;
    assert_int_equal(ota_image_parse(&src, &info), OTA_IMAGE_ERR_TLV_OVERRUN);

    /* Verify refuses an info whose payload does not fit the source it is given. */
    ota_image_info_t forged;
    memset(&forged, 0, sizeof forged);
    forged.header = test_image_header(UINT32_MAX);
    uint8_t work[16];
    src.size = 1000;
    assert_int_equal(ota_image_verify(&src, &forged, work, sizeof work), OTA_IMAGE_ERR_TOO_LARGE);
}

/* --- TLV writer and buffer source ----------------------------------------------------------- */

static void writer_builds_what_the_parser_reads(void **state)
{
    (void)state;
    ota_image_header_t h = test_image_header(40);
    test_image_start(&img, &h, NULL);
    uint8_t digest[32], key_hash[32], sig[72];
    ota_sha256(img.bytes, img.tlv_offset, digest);
    memset(key_hash, 0x11, sizeof key_hash);
    memset(sig, 0x22, sizeof sig);

    ota_image_tlv_writer_t w;
    uint8_t *area = img.bytes + img.tlv_offset;
    assert_int_equal(ota_image_tlv_begin(&w, area, OTA_IMAGE_TLV_MAX), OTA_IMAGE_OK);
    assert_int_equal(ota_image_tlv_add(&w, OTA_IMAGE_TLV_SHA256, digest, 32), OTA_IMAGE_OK);
    assert_int_equal(ota_image_tlv_add(&w, OTA_IMAGE_TLV_KEY_HASH, key_hash, 32), OTA_IMAGE_OK);
    assert_int_equal(ota_image_tlv_add(&w, OTA_IMAGE_TLV_ECDSA_P256, sig, 72), OTA_IMAGE_OK);
    assert_int_equal(ota_image_tlv_add(&w, 0x0123, NULL, 0), OTA_IMAGE_OK);
    uint32_t size;
    assert_int_equal(ota_image_tlv_finish(&w, &size), OTA_IMAGE_OK);
    assert_int_equal(size, 8 + 36 + 36 + 76 + 4);
    img.len = img.tlv_offset + size;

    assert_int_equal(parse_and_verify(4096), OTA_IMAGE_OK);
    ota_image_info_t info;
    assert_int_equal(parse_img(&info), OTA_IMAGE_OK);
    assert_memory_equal(info.key_hash, key_hash, 32);
    assert_int_equal(info.signature_len, 72);
}

static void writer_refuses_what_the_parser_would(void **state)
{
    (void)state;
    uint8_t buf[64], v[80] = {0};
    ota_image_tlv_writer_t w;
    uint32_t size = 99;
    ota_image_tlv_begin(&w, buf, sizeof buf);
    assert_int_equal(ota_image_tlv_add(&w, OTA_IMAGE_TLV_SHA256, v, 31), OTA_IMAGE_ERR_TLV_LENGTH);
    /* The first error sticks, through finish. */
    assert_int_equal(ota_image_tlv_add(&w, OTA_IMAGE_TLV_SHA256, v, 32), OTA_IMAGE_ERR_TLV_LENGTH);
    assert_int_equal(ota_image_tlv_finish(&w, &size), OTA_IMAGE_ERR_TLV_LENGTH);
    assert_int_equal(size, 0);

    ota_image_tlv_begin(&w, buf, sizeof buf);
    assert_int_equal(ota_image_tlv_add(&w, OTA_IMAGE_TLV_ECDSA_P256, v, 0), OTA_IMAGE_ERR_TLV_LENGTH);
    ota_image_tlv_begin(&w, buf, sizeof buf);
    assert_int_equal(ota_image_tlv_add(&w, OTA_IMAGE_TLV_ECDSA_P256, v, 73), OTA_IMAGE_ERR_TLV_LENGTH);
    ota_image_tlv_begin(&w, buf, sizeof buf);
    assert_int_equal(ota_image_tlv_add(&w, 0x0001, v, 70000), OTA_IMAGE_ERR_TLV_LENGTH);
    ota_image_tlv_begin(&w, buf, sizeof buf);
    assert_int_equal(ota_image_tlv_add(&w, 0x0001, NULL, 4), OTA_IMAGE_ERR_ARG);

    /* 64 bytes: info (8) + SHA entry (36) + 20 left: a 16-byte value fits, 17 does not. */
    ota_image_tlv_begin(&w, buf, sizeof buf);
    assert_int_equal(ota_image_tlv_add(&w, OTA_IMAGE_TLV_SHA256, v, 32), OTA_IMAGE_OK);
    assert_int_equal(ota_image_tlv_add(&w, 0x0001, v, 17), OTA_IMAGE_ERR_TOO_LARGE);
    ota_image_tlv_begin(&w, buf, sizeof buf);
    assert_int_equal(ota_image_tlv_add(&w, OTA_IMAGE_TLV_SHA256, v, 32), OTA_IMAGE_OK);
    assert_int_equal(ota_image_tlv_add(&w, 0x0001, v, 16), OTA_IMAGE_OK);
    assert_int_equal(ota_image_tlv_finish(&w, &size), OTA_IMAGE_OK);
    assert_int_equal(size, 64);

    assert_int_equal(ota_image_tlv_begin(&w, buf, 7), OTA_IMAGE_ERR_TOO_LARGE);
    assert_int_equal(ota_image_tlv_begin(&w, NULL, 64), OTA_IMAGE_ERR_ARG);
    assert_int_equal(ota_image_tlv_begin(NULL, buf, 64), OTA_IMAGE_ERR_ARG);
}

/* Room for a hash-based signature: an image whose TLV area carries an unknown, non-critical
 * 5 KB entry (the size of an HSS/LMS signature) next to the SHA-256 parses and verifies; the
 * entry is skipped. One byte more than OTA_IMAGE_TLV_MAX in the area is refused. */
static void five_kb_tlv_fits_and_the_limit_holds(void **state)
{
    (void)state;
    static uint8_t big[5120];
    memset(big, 0x5A, sizeof big);
    ota_image_header_t h = test_image_header(3000);
    test_image_start(&img, &h, NULL);
    test_image_tlv_sha256(&img);
    test_image_tlv(&img, 0x0042, big, (uint16_t)sizeof big);
    uint32_t total = test_image_end(&img);
    ota_image_info_t info;
    assert_int_equal(parse_img(&info), OTA_IMAGE_OK);
    assert_int_equal(info.tlv_size, 8 + 36 + 4 + 5120);
    assert_int_equal(info.total_size, total);
    assert_false(info.has_signature);
    assert_int_equal(parse_and_verify(512), OTA_IMAGE_OK);

    /* A TLV area of exactly the limit parses; one byte more is refused as too large. */
    const uint32_t fill = OTA_IMAGE_TLV_MAX - (8 + 36 + 4);
    static uint8_t filler[OTA_IMAGE_TLV_MAX];
    for (uint32_t extra = 0; extra <= 1; extra++) {
        test_image_start(&img, &h, NULL);
        test_image_tlv_sha256(&img);
        test_image_tlv(&img, 0x0042, filler, (uint16_t)(fill + extra));
        test_image_end(&img);
        assert_int_equal(parse_and_verify(512), extra ? OTA_IMAGE_ERR_TOO_LARGE : OTA_IMAGE_OK);
    }
}

static void writer_never_exceeds_the_tlv_limit(void **state)
{
    (void)state;
    static uint8_t big[2 * OTA_IMAGE_TLV_MAX];
    static uint8_t v[OTA_IMAGE_TLV_MAX];
    ota_image_tlv_writer_t w;
    ota_image_tlv_begin(&w, big, sizeof big);
    assert_int_equal(ota_image_tlv_add(&w, 0x0001, v, OTA_IMAGE_TLV_MAX - 8 - 4), OTA_IMAGE_OK);
    assert_int_equal(ota_image_tlv_add(&w, 0x0002, NULL, 0), OTA_IMAGE_ERR_TOO_LARGE);
}

static void buffer_source_refuses_reads_outside(void **state)
{
    (void)state;
    const uint8_t data[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    ota_image_buffer_t b;
    ota_image_source_t src;
    ota_image_source_buffer(&src, &b, data, sizeof data);
    assert_int_equal(src.size, 10);
    uint8_t out[4];
    assert_int_equal(src.read(src.ctx, 6, out, 4), 0);
    assert_int_equal(out[3], 9);
    assert_int_not_equal(src.read(src.ctx, 7, out, 4), 0);
    assert_int_not_equal(src.read(src.ctx, UINT32_MAX, out, 2), 0);
}

static void status_names(void **state)
{
    (void)state;
    assert_string_equal(ota_image_status_str(OTA_IMAGE_OK), "ok");
    assert_string_equal(ota_image_status_str(OTA_IMAGE_ERR_HASH), "hash mismatch");
    /* Every status has its own name; an unknown value still gets a string. */
    for (int a = OTA_IMAGE_ERR_ARG; a <= 0; a++) {
        const char *na = ota_image_status_str((ota_image_status_t)a);
        assert_non_null(na);
        assert_null(strstr(na, "unknown image status"));
        for (int b = OTA_IMAGE_ERR_ARG; b < a; b++) {
            assert_string_not_equal(na, ota_image_status_str((ota_image_status_t)b));
        }
    }
    assert_string_equal(ota_image_status_str((ota_image_status_t)-99), "unknown image status");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sha256_known_vectors),
        cmocka_unit_test(sha256_saved_midstate),
        cmocka_unit_test(header_golden_bytes),
        cmocka_unit_test(header_round_trip),
        cmocka_unit_test(header_decode_args),
        cmocka_unit_test(valid_image_parses_and_verifies),
        cmocka_unit_test(minimal_image_has_no_optional_tlvs),
        cmocka_unit_test(empty_payload),
        cmocka_unit_test(work_buffer_size_does_not_change_the_answer),
        cmocka_unit_test(any_flipped_bit_is_refused),
        cmocka_unit_test(slot_of_exact_size_passes_one_byte_less_does_not),
        cmocka_unit_test(err_truncated),
        cmocka_unit_test(err_magic),
        cmocka_unit_test(err_header_version),
        cmocka_unit_test(err_header_size),
        cmocka_unit_test(err_reserved),
        cmocka_unit_test(err_too_large_payload),
        cmocka_unit_test(err_too_large_tlv_info_past_slot),
        cmocka_unit_test(err_too_large_tlv_total),
        cmocka_unit_test(err_tlv_magic),
        cmocka_unit_test(err_tlv_overrun_total_below_info),
        cmocka_unit_test(err_tlv_overrun_entry_header),
        cmocka_unit_test(err_tlv_overrun_value),
        cmocka_unit_test(err_tlv_critical),
        cmocka_unit_test(unknown_non_critical_tlv_is_skipped),
        cmocka_unit_test(err_tlv_duplicate),
        cmocka_unit_test(err_tlv_length),
        cmocka_unit_test(err_no_hash),
        cmocka_unit_test(err_hash),
        cmocka_unit_test(verify_refuses_a_header_changed_after_parse),
        cmocka_unit_test(err_read),
        cmocka_unit_test(err_arg),
        cmocka_unit_test(huge_sizes_do_not_wrap),
        cmocka_unit_test(writer_builds_what_the_parser_reads),
        cmocka_unit_test(writer_refuses_what_the_parser_would),
        cmocka_unit_test(five_kb_tlv_fits_and_the_limit_holds),
        cmocka_unit_test(writer_never_exceeds_the_tlv_limit),
        cmocka_unit_test(buffer_source_refuses_reads_outside),
        cmocka_unit_test(status_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
