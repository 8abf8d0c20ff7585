/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SMSC LAN9118 Ethernet controller (the MPS2 boards' LAN9220 as QEMU 7.2 models it): a
 * polled register-level driver, no interrupts, no DMA. It moves whole frames between the
 * chip's FIFOs and caller-owned, 4-byte-aligned buffers; the lwIP glue is netif_lan9118.c.
 *
 * Registers are 32-bit, little-endian, at base + offset (mps2-an386: base 0x40200000).
 */
#ifndef OTAFLOW_CM_LAN9118_H
#define OTAFLOW_CM_LAN9118_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Base address of the LAN9118 on QEMU's mps2-an385/an386 machines. */
#define OTA_LAN9118_MPS2_BASE 0x40200000u

/** Largest frame moved, in bytes, with room for the 4-byte CRC the chip appends on receive
 *  (1514 B of frame + 4 B CRC, rounded up to words). Size frame buffers with it. */
#define OTA_LAN9118_FRAME_MAX 1536u

/** Result of a driver call. */
typedef enum ota_lan9118_status {
    OTA_LAN9118_OK = 0,
    OTA_LAN9118_ERR_ABSENT = -1,  /**< no LAN9118 answers at base (BYTE_TEST mismatch) */
    OTA_LAN9118_ERR_TIMEOUT = -2, /**< the soft reset or the MAC/PHY bus did not finish */
    OTA_LAN9118_ERR_FRAME = -3,   /**< a received frame had errors or did not fit: dropped */
    OTA_LAN9118_ERR_FULL = -4,    /**< the transmit FIFO has no room now: try again later */
    OTA_LAN9118_ERR_ARG = -5,     /**< frame length 0 or over OTA_LAN9118_FRAME_MAX */
} ota_lan9118_status_t;

/** One controller. Fields are read-only for the caller. */
typedef struct ota_lan9118 {
    uintptr_t base;       /**< register block */
    uint8_t mac[6];       /**< station address (from the chip's EEPROM, or a fixed one) */
    uint32_t rx_frames;   /**< frames received */
    uint32_t rx_errors;   /**< frames dropped for errors or size */
    uint32_t tx_frames;   /**< frames sent */
    uint32_t tx_full;     /**< sends refused because the FIFO was full */
} ota_lan9118_t;

/**
 * Reset and start the controller at base: soft reset, station address from its EEPROM
 * (a locally administered fixed one if the EEPROM holds none), PHY auto-negotiation, MAC
 * transmit and receive on (own address and broadcast), interrupts off (the driver polls).
 * @return OK; ERR_ABSENT; ERR_TIMEOUT.
 */
ota_lan9118_status_t ota_lan9118_init(ota_lan9118_t *d, uintptr_t base);

/** True when the PHY reports the link up (basic status register). */
bool ota_lan9118_link_up(ota_lan9118_t *d);

/** True when a received frame waits in the FIFO. */
bool ota_lan9118_rx_waiting(const ota_lan9118_t *d);

/**
 * Take the next received frame, if any, into buf (cap bytes, 4-byte aligned, at least
 * OTA_LAN9118_FRAME_MAX for any frame to fit), without its CRC.
 * @return the frame's length (> 0); 0 when no frame is waiting; ERR_FRAME when the frame
 *         was bad or larger than cap (it is drained from the FIFO and dropped).
 */
int32_t ota_lan9118_receive(ota_lan9118_t *d, uint32_t *buf, size_t cap);

/**
 * Queue one frame (destination address first, no CRC: the chip adds it) for transmission.
 * frame is 4-byte aligned and readable up to len rounded up to a word.
 * @return OK; ERR_FULL (no room in the transmit FIFO now); ERR_ARG.
 */
ota_lan9118_status_t ota_lan9118_send(ota_lan9118_t *d, const uint32_t *frame, size_t len);

/** Short constant English name of a status, never NULL. */
const char *ota_lan9118_status_str(ota_lan9118_status_t status);

#ifdef __cplusplus
}
#endif

#endif /* OTAFLOW_CM_LAN9118_H */
