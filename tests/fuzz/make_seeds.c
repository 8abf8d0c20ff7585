/*
 * Writes the generated part of the seed corpora (issue 7) into <corpus root>/<target>/,
 * reproducibly: the same program always writes the same bytes. Seeds that come from real
 * captures (HTTP answers, objcopy HEX files) are made by scripts/fuzz-captures.sh instead.
 *
 * usage: fuzz_make_seeds <corpus root>      (normally tests/fuzz/corpus)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image_builder.h"
#include "otaflow/image.h"

static const char *g_root;

static void write_seed(const char *target, const char *name, const void *a, size_t alen,
                       const void *b, size_t blen)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", g_root, target);
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
    snprintf(path, sizeof path, "%s/%s/%s", g_root, target, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(a, 1, alen, f) != alen || (blen > 0 && fwrite(b, 1, blen, f) != blen) ||
        fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

/* Target image: one shape byte (see fuzz_image.c), then the slot content. */
static void image_seed(const char *name, uint8_t shape, const test_image_t *img)
{
    write_seed("image", name, &shape, 1, img->bytes, img->len);
}

static test_image_t g_img;

static void image_seeds(void)
{
    static const uint32_t sizes[] = {0u, 1u, 100u, 1000u};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char name[64];
        test_image_valid(&g_img, sizes[i]);
        snprintf(name, sizeof name, "valid-%u", (unsigned)sizes[i]);
        /* exact slot, work buffer 505 bytes; the 100-byte one also in a larger slot, 1-byte work */
        image_seed(name, 0x3F, &g_img);
        if (sizes[i] == 100u) {
            image_seed("valid-100-big-slot", 0x80, &g_img);
            image_seed("valid-100-short-slot", 0xC4, &g_img);
        }
    }

    /* Every known TLV, plus an unknown non-critical one, in a non-canonical order. */
    ota_image_header_t h = test_image_header(64u);
    test_image_start(&g_img, &h, NULL);
    uint8_t key_hash[32], sig[72];
    for (size_t i = 0; i < sizeof sig; i++) {
        sig[i] = (uint8_t)(0x30u + i);
        if (i < sizeof key_hash) {
            key_hash[i] = (uint8_t)(0xA0u ^ i);
        }
    }
    test_image_tlv(&g_img, 0x0042u, "note", 4);
    test_image_tlv(&g_img, OTA_IMAGE_TLV_ECDSA_P256, sig, 70);
    test_image_tlv_sha256(&g_img);
    test_image_tlv(&g_img, OTA_IMAGE_TLV_KEY_HASH, key_hash, sizeof key_hash);
    test_image_end(&g_img);
    image_seed("all-tlvs", 0x09, &g_img);

    /* A valid layout whose hash does not match (one payload byte flipped after hashing). */
    test_image_valid(&g_img, 32u);
    g_img.bytes[OTA_IMAGE_HEADER_SIZE + 5u] ^= 0x01u;
    image_seed("hash-mismatch", 0x40, &g_img);

    /* An unknown critical TLV (refused), and a header alone. */
    h = test_image_header(16u);
    test_image_start(&g_img, &h, NULL);
    test_image_tlv_sha256(&g_img);
    test_image_tlv(&g_img, 0x8077u, "x", 1);
    test_image_end(&g_img);
    image_seed("critical-unknown", 0x01, &g_img);
    g_img.len = OTA_IMAGE_HEADER_SIZE;
    image_seed("header-only", 0x00, &g_img);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s <corpus root>\n", argv[0]);
        return 2;
    }
    g_root = argv[1];
    if (mkdir(g_root, 0777) != 0 && errno != EEXIST) {
        perror(g_root);
        return 1;
    }
    image_seeds();
    return 0;
}
