/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow update image: header, payload, TLV area. The byte layout is documented field by
 * field in docs/image-format.md; this header is its C contract.
 *
 *   offset 0                      header (OTA_IMAGE_HEADER_SIZE bytes, little-endian)
 *   offset header_size            payload (payload_size bytes: what goes into program flash)
 *   offset header_size+payload    TLV area: info (8 bytes) then entries (type, len, value)
 *
 * The SHA-256 TLV covers header + payload exactly. The manifest Digest is a different thing:
 * the SHA-256 of the whole .ota file as served (so `sha256sum` on the server agrees).
 *
 * Parsing never trusts a size it reads: every size is checked against the space the caller
 * says exists (the slot) before it is used.
 */
#ifndef OTAFLOW_IMAGE_H
#define OTAFLOW_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "otaflow/config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Header ---------------------------------------------------------------------------------- */
#define OTA_IMAGE_MAGIC 0x4641544FUL      /**< bytes "OTAF" read as little-endian u32 */
#define OTA_IMAGE_HEADER_VERSION 1u       /**< the only header version this code reads */
#define OTA_IMAGE_HEADER_SIZE 64u         /**< header size in version 1 */

/* Header field offsets (bytes, little-endian). */
#define OTA_IMAGE_OFF_MAGIC 0u            /**< u32 OTA_IMAGE_MAGIC */
#define OTA_IMAGE_OFF_HEADER_VERSION 4u   /**< u16 */
#define OTA_IMAGE_OFF_HEADER_SIZE 6u      /**< u16, 64 */
#define OTA_IMAGE_OFF_VERSION 8u          /**< u32 image version (manifest Version) */
#define OTA_IMAGE_OFF_SECURITY_COUNTER 12u /**< u32 anti-rollback counter */
#define OTA_IMAGE_OFF_LOAD_ADDR 16u       /**< u32 where the payload goes in program flash */
#define OTA_IMAGE_OFF_PAYLOAD_SIZE 20u    /**< u32 payload bytes */
#define OTA_IMAGE_OFF_FLAGS 24u           /**< u32, no flag defined in version 1: must be 0 */
#define OTA_IMAGE_OFF_HW_ID 28u           /**< u32 hardware id the image is built for */
#define OTA_IMAGE_OFF_REVOKE_KEYS 32u     /**< u32 keyring entries this image revokes (bit i =
                                               entry i); was reserved: old readers refuse a
                                               non-zero mask (docs/image-format.md) */
#define OTA_IMAGE_OFF_RESERVED 36u        /**< 28 bytes, must be 0 in version 1 */

/* TLV area -------------------------------------------------------------------------------- */
#define OTA_IMAGE_TLV_MAGIC 0x0F7Au       /**< u16 at the start of the TLV area */
#define OTA_IMAGE_TLV_INFO_SIZE 8u        /**< u16 magic, u16 reserved (0), u32 total size */
#define OTA_IMAGE_TLV_ENTRY_HDR 4u        /**< u16 type, u16 length, then length bytes */
/* OTA_IMAGE_TLV_MAX (config.h): largest TLV area accepted (info included). */

/** A type with this bit set is critical: a reader that does not know it must refuse. */
#define OTA_IMAGE_TLV_CRITICAL 0x8000u

/* Known TLV types. */
#define OTA_IMAGE_TLV_SHA256 0x8001u      /**< 32 bytes: SHA-256 of header + payload (required) */
#define OTA_IMAGE_TLV_KEY_HASH 0x0010u    /**< 32 bytes: SHA-256 of the signing public key */
#define OTA_IMAGE_TLV_ECDSA_P256 0x0011u  /**< ECDSA P-256 signature of the SHA-256 (DER, 1..72
                                               bytes; the algorithm takes 8..72) */
/** 64 bytes: the original's signature of a raw image, r||s of ECDSA P-256 over the SHA-256 of
 *  the payload alone (not the header): written by the store for a raw image it was given with
 *  a Signature (docs/image-format.md). Known only to a core built with OTA_RAW_IMAGES; not
 *  critical: a reader without it finds the image unsigned. One signature TLV per image. */
#define OTA_IMAGE_TLV_ECDSA_P256_PAYLOAD 0x0012u
/** 32 bytes: SHA-256 of the HSS/LMS public key (60 bytes) that made the HSS_LMS TLV. */
#define OTA_IMAGE_TLV_LMS_KEY_HASH 0x0013u
/** HSS/LMS signature (RFC 8554, include/otaflow/lms.h) of the SHA-256 TLV's 32 bytes, 1..65535
 *  bytes (the verifier names a length its parameters do not have). Not critical: a reader
 *  without LMS finds no signature of its own in it. An image may carry it alone or with an
 *  ECDSA signature (hybrid): the device's keyring says which it requires (image_sig.h). */
#define OTA_IMAGE_TLV_HSS_LMS 0x0014u
/** The payload is encrypted (AES-128-CTR) and this is its content key wrapped for one device
 *  key (ECIES on P-256): OTA_IMAGE_ENC_TLV_SIZE bytes, laid out in include/otaflow/image_enc.h
 *  and docs/image-format.md. Critical: a reader that cannot decrypt must not install the
 *  ciphertext. The SHA-256 TLV and the signatures stay over the plaintext. */
#define OTA_IMAGE_TLV_ENC_P256_AES128 0x8002u
/** Length of the ENC_P256_AES128 value: key id 32, ephemeral key 65, nonce 12, wrapped key 16,
 *  tag 32. */
#define OTA_IMAGE_ENC_TLV_SIZE 157u

/** Result of image parsing and verification. */
typedef enum ota_image_status {
    OTA_IMAGE_OK = 0,
    OTA_IMAGE_ERR_TRUNCATED = -1,      /**< fewer bytes than a header (or than it announces) */
    OTA_IMAGE_ERR_MAGIC = -2,          /**< not an otaflow image */
    OTA_IMAGE_ERR_HEADER_VERSION = -3, /**< header version this code does not read */
    OTA_IMAGE_ERR_HEADER_SIZE = -4,    /**< header_size field is not OTA_IMAGE_HEADER_SIZE */
    OTA_IMAGE_ERR_RESERVED = -5,       /**< flags or reserved bytes (header, TLV info) not 0 */
    OTA_IMAGE_ERR_TOO_LARGE = -6,      /**< header + payload + TLVs claim more than the slot,
                                            or the TLV total exceeds OTA_IMAGE_TLV_MAX */
    OTA_IMAGE_ERR_TLV_MAGIC = -7,      /**< no TLV area where the header says it is */
    OTA_IMAGE_ERR_TLV_OVERRUN = -8,    /**< TLV total < info size, or an entry header or
                                            value runs past the TLV area's end */
    OTA_IMAGE_ERR_TLV_CRITICAL = -9,   /**< unknown critical TLV type */
    OTA_IMAGE_ERR_TLV_DUPLICATE = -10, /**< a known TLV type appears twice */
    OTA_IMAGE_ERR_TLV_LENGTH = -11,    /**< known TLV with a length its type does not allow */
    OTA_IMAGE_ERR_NO_HASH = -12,       /**< the SHA-256 TLV is missing */
    OTA_IMAGE_ERR_HASH = -13,          /**< SHA-256 of header + payload does not match (or
                                            the header read differs from the parsed one) */
    OTA_IMAGE_ERR_READ = -14,          /**< the source failed to read */
    OTA_IMAGE_ERR_ARG = -15,           /**< invalid argument (NULL, zero-size work buffer) */
    OTA_IMAGE_ERR_CRYPTO = -16,        /**< the hash engine failed: like ERR_READ, no verdict
                                            on the image */
    OTA_IMAGE_ERR_LOAD_ADDR = -17,     /**< (bootloader) load_addr is not the start of the
                                            application region (ota_boot_image_fits) */
    OTA_IMAGE_ERR_REGION = -18,        /**< (bootloader) payload larger than the application
                                            region, or header + TLVs larger than its
                                            descriptor area (ota_boot_image_fits) */
} ota_image_status_t;

/** Decoded header fields. */
typedef struct ota_image_header {
    uint16_t header_version;
    uint16_t header_size;
    uint32_t version;
    uint32_t security_counter;
    uint32_t load_addr;
    uint32_t payload_size;
    uint32_t flags;
    uint32_t hw_id;
    uint32_t revoke_keys; /**< keyring entries revoked once this image is confirmed */
} ota_image_header_t;

/** Where an image is read from: a slot in flash, a file, a buffer. */
typedef struct ota_image_source {
    /** Read len bytes at offset (relative to the image start); return 0 on success. */
    int (*read)(void *ctx, uint32_t offset, void *buf, uint32_t len);
    void *ctx;
    uint32_t size; /**< bytes available to the image (slot size): nothing is read past it */
} ota_image_source_t;

/** What parsing found: header, layout and TLVs. */
typedef struct ota_image_info {
    ota_image_header_t header;
    uint32_t tlv_offset;   /**< = header_size + payload_size */
    uint32_t tlv_size;     /**< TLV area size, info included */
    uint32_t total_size;   /**< whole image: tlv_offset + tlv_size */
    uint8_t sha256[32];    /**< value of the SHA-256 TLV */
    bool has_key_hash;
    uint8_t key_hash[32];
    bool has_signature;        /**< an ECDSA signature TLV */
    uint16_t signature_type;   /**< its TLV type (OTA_IMAGE_TLV_ECDSA_P256, _PAYLOAD) */
    uint16_t signature_len;    /**< its length in bytes */
    uint32_t signature_offset; /**< where its value starts, from the image start: read it
                                    from the image source (ota_image_sig_check does) */
    bool has_lms_key_hash;
    uint8_t lms_key_hash[32];      /**< value of the LMS_KEY_HASH TLV */
    bool has_lms_signature;        /**< an HSS_LMS TLV, beside or instead of the one above */
    uint16_t lms_signature_len;
    uint32_t lms_signature_offset; /**< where its value starts, from the image start */
    bool has_encryption;           /**< an ENC_P256_AES128 TLV: the payload in a slot is
                                        ciphertext, the SHA-256 TLV is of the plaintext */
    uint32_t encryption_offset;    /**< where its value starts, from the image start */
} ota_image_info_t;

/**
 * Decode and check a header from its OTA_IMAGE_HEADER_SIZE raw bytes.
 * @param raw        len bytes from the start of the image
 * @param slot_size  space the image may occupy; header + payload beyond it is TOO_LARGE
 * @return OTA_IMAGE_OK and *out filled, or the first problem found.
 */
ota_image_status_t ota_image_header_decode(const uint8_t *raw, size_t len, uint32_t slot_size,
                                           ota_image_header_t *out);

/**
 * Encode a header (version 1) into raw; reserved bytes are written as zero.
 * Magic, header version (OTA_IMAGE_HEADER_VERSION) and header size (OTA_IMAGE_HEADER_SIZE) are
 * always written as this version's constants, whatever hdr->header_version and
 * hdr->header_size hold; every other field is written as given (flags too, so a caller can
 * build a header that decode refuses). decode(encode(h)) == h for any h decode accepts.
 */
void ota_image_header_encode(const ota_image_header_t *hdr, uint8_t raw[OTA_IMAGE_HEADER_SIZE]);

/**
 * Parse an image from src: header and the whole TLV area. Reads only inside src->size.
 * Does not hash the payload (see ota_image_verify). info is zeroed first; on success every
 * field is set; the signature is located (offset, length), not copied. A bootloader's core
 * built with OTA_IMAGE_BOOT_PARSE (config.h) reads only the TLVs it acts on: the fields of the
 * others stay zero, and their duplicates and lengths are not checked. Stack: 128 bytes on
 * Cortex-M4; at most 2046 TLV entries walked, no recursion.
 * @return OTA_IMAGE_OK, or the first problem found (order and meaning: docs/image-format.md).
 */
ota_image_status_t ota_image_parse(const ota_image_source_t *src, ota_image_info_t *info);

/**
 * Hash header + payload from src and compare with the SHA-256 TLV found by ota_image_parse.
 * Reads exactly [0, header_size + payload_size) in chunks of work_len; compares in constant
 * time; also requires the header read now to equal info->header (a source that changed since
 * parse is refused).
 * @param work, work_len  caller's scratch buffer for reading (any size >= 1; larger is faster)
 * An encrypted payload (info->has_encryption) is hashed as it lies, so it never matches:
 * its hash is of the plaintext, which only the bootloader's decrypting check sees
 * (include/otaflow/image_enc.h).
 * @return OTA_IMAGE_OK only when the bytes in src match; ERR_HASH on a mismatch; ERR_READ;
 *         ERR_CRYPTO when the hash engine failed (no verdict, as ERR_READ); ERR_TOO_LARGE when info's payload does not fit src->size; ERR_ARG for NULL, a zero
 *         work_len, or an info that no successful parse produced.
 */
ota_image_status_t ota_image_verify(const ota_image_source_t *src, const ota_image_info_t *info,
                                    uint8_t *work, size_t work_len);

/** A short constant English name for a status ("hash mismatch"), never NULL. */
const char *ota_image_status_str(ota_image_status_t status);

/* Buffer-backed source ----------------------------------------------------------------------- */

/** An image held in memory (a whole .ota file read by a host tool, a RAM copy in a test). */
typedef struct ota_image_buffer {
    const uint8_t *data;
    uint32_t len;
} ota_image_buffer_t;

/**
 * Make src read from len bytes at data. buf is caller storage that must outlive src; src->size
 * is len. The read function refuses (returns non-zero) any range outside [0, len).
 */
void ota_image_source_buffer(ota_image_source_t *src, ota_image_buffer_t *buf,
                             const uint8_t *data, uint32_t len);

/* TLV area writer ---------------------------------------------------------------------------- */

/**
 * Builds a TLV area (info + entries) in a caller buffer, no allocation:
 *
 *     ota_image_tlv_writer_t w;
 *     ota_image_tlv_begin(&w, buf, sizeof buf);
 *     ota_image_tlv_add(&w, OTA_IMAGE_TLV_SHA256, digest, 32);
 *     ota_image_tlv_finish(&w, &tlv_size);   // buf[0, tlv_size) goes after the payload
 *
 * The first error sticks: later calls return it again, so a caller may check only finish.
 */
typedef struct ota_image_tlv_writer {
    uint8_t *buf;
    size_t cap;                 /**< usable bytes of buf, at most OTA_IMAGE_TLV_MAX count */
    size_t len;                 /**< bytes written so far, info included */
    ota_image_status_t status;  /**< first error, or OTA_IMAGE_OK */
} ota_image_tlv_writer_t;

/**
 * Start a TLV area in buf (cap bytes): writes the info with a provisional total.
 * @return OTA_IMAGE_OK; ERR_ARG for NULL; ERR_TOO_LARGE when cap < OTA_IMAGE_TLV_INFO_SIZE.
 */
ota_image_status_t ota_image_tlv_begin(ota_image_tlv_writer_t *w, uint8_t *buf, size_t cap);

/**
 * Append one entry. A known type must have the length the parser accepts (SHA256 and KEY_HASH
 * 32, ECDSA_P256 1..72), else ERR_TLV_LENGTH; unknown types are written as given (any
 * length that fits: an entry's length field is 16 bits, and the area is at most
 * OTA_IMAGE_TLV_MAX).
 * @return OTA_IMAGE_OK; ERR_TOO_LARGE when the entry does not fit in cap or in
 *         OTA_IMAGE_TLV_MAX; ERR_ARG for NULL value with len > 0; or an earlier error.
 */
ota_image_status_t ota_image_tlv_add(ota_image_tlv_writer_t *w, uint16_t type,
                                     const void *value, size_t len);

/**
 * Write the final total into the info and give the area's size in *size.
 * @return OTA_IMAGE_OK, or the first error of begin/add (then *size is 0).
 */
ota_image_status_t ota_image_tlv_finish(ota_image_tlv_writer_t *w, uint32_t *size);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_IMAGE_H */
