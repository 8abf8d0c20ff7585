/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers of the bootloader shared by src/boot.c (the state machine) and src/boot_copy.c
 * (checking images, programming internal flash, console lines). Not part of the contract.
 */
#ifndef OTAFLOW_BOOT_INTERNAL_H
#define OTAFLOW_BOOT_INTERNAL_H

#include "otaflow/boot.h"

#include "ota_noinline.h"

/** Outcome of checking an image somewhere. */
typedef enum boot_check {
    BOOT_CHECK_OK = 0, /**< valid; boot->info and boot->digest describe it */
    BOOT_CHECK_BAD,    /**< the bytes are not a usable image (why says which way) */
    BOOT_CHECK_IO,     /**< reading failed (e.g. power lost): nothing is known */
} boot_check_t;


/** How much of an image to check. */
typedef enum boot_depth {
    BOOT_PARSE = 0,       /**< header and TLVs only */
    BOOT_HASH = 1,        /**< + SHA-256 of header + payload against the image's TLV */
    BOOT_HASH_DIGEST = 2, /**< + SHA-256 of the whole image into boot->digest (same pass) */
} boot_depth_t;

/**
 * Parse src and, deep enough, hash it: SHA-256 of header + payload against the image's TLV,
 * SHA-256 of the whole image (into boot->digest) against want_digest if not NULL. Also refuses
 * an image that does not fit the region (ota_boot_image_fits: report->refused_because), of
 * another hw_id (config.hw_id != 0), or (want_size != 0) of another size than recorded.
 * *why receives a short reason for BAD.
 */
boot_check_t boot_check_image(ota_boot_t *boot, const ota_image_source_t *src, boot_depth_t depth,
                              const uint8_t *want_digest, uint32_t want_size, const char **why);

/**
 * boot_check_image of the image installed in internal flash, src set up to read it (payload
 * at the region's start, header and TLV area in the descriptor area after it: the layout
 * needs the payload size, read first from the header into boot->placed_payload).
 */
boot_check_t boot_check_internal_image(ota_boot_t *boot, ota_image_source_t *src,
                                       boot_depth_t depth, const uint8_t *want_digest,
                                       uint32_t want_size, const char **why);

/**
 * boot->buf = the n bytes (n <= OTA_BOOT_BUF_SIZE) that internal flash must hold at offset
 * off from the region's start (the descriptor area at app_size) once the image of slot that
 * boot->info describes is installed: its bytes there, the erased value elsewhere.
 * @return OK; ERR_STORE (reading the slot failed: report->store_status).
 */
ota_boot_status_t boot_target_bytes(ota_boot_t *boot, uint8_t slot, uint32_t off, uint32_t n);

/**
 * Install the image of slot that boot->info describes (checked): each erase sector of the
 * region and the descriptor area that holds image bytes and already equals its target is
 * skipped; the others are erased and programmed. The descriptor's first sector is erased
 * before anything else is written and its first program unit (the magic) programmed last,
 * so an interrupted copy never parses.
 * @return OK; ERR_FLASH (internal, boot->flash_status); ERR_STORE (reading the slot).
 */
ota_boot_status_t boot_copy_slot(ota_boot_t *boot, uint8_t slot);

/**
 * Open the encrypted image boot->info describes (read from src) into boot->enc with the
 * config's decrypt_key (src/boot_decrypt.c). BAD (why says which: no key, built without
 * decryption, another device's key, key check failed) refuses the image before anything is
 * written; IO (a read, the crypto backend) says nothing about it.
 */
boot_check_t boot_decrypt_open(ota_boot_t *boot, const ota_image_source_t *src, const char **why);

/** The content key's place in boot, or NULL in a build without decryption (ota_boot_t then
 *  has none; boot_decrypt_open has refused every encrypted image before it is used). */
#if OTA_BOOT_DECRYPT
#define BOOT_ENC(boot) (&(boot)->enc)
#else
#define BOOT_ENC(boot) ((void *)0)
#endif

/** image_pass_t's crypt for boot->enc (ctx): the payload keystream over image bytes
 *  [offset, offset + len) in buf. 0, or -1 when the backend failed. */
int boot_decrypt_crypt(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len);

#if OTA_BOOT_LOG
/** Format a console line ("%u" unsigned, "%s" string, nothing else; at most
 *  OTA_BOOT_LINE_MAX - 1 characters) and send it to the log. */
void boot_say(ota_boot_t *boot, const char *fmt, ...);
/** The text of a reason (a why): kept for the console. */
#define BOOT_WHY(text) (text)
#else
/* OTA_BOOT_LOG 0: no line, no format string, no reason's text reaches the image. The
 * arguments stay inside sizeof, never evaluated, so that they still count as used. */
int boot_say_unused(const ota_boot_t *boot, const char *fmt, ...);
#define boot_say(...) ((void)sizeof(boot_say_unused(__VA_ARGS__)))
#define BOOT_WHY(text) ((void)sizeof(text), "")
#endif

#endif
