/* SPDX-License-Identifier: Apache-2.0 */
/* Polled LAN9118 driver (see lan9118.h). Register offsets and bits: the LAN9118 datasheet. */
#include "lan9118.h"

/* Direct registers (byte offsets). */
#define RX_DATA_FIFO 0x00u
#define TX_DATA_FIFO 0x20u
#define RX_STATUS_FIFO 0x40u
#define TX_STATUS_FIFO 0x48u
#define ID_REV 0x50u
#define IRQ_CFG 0x54u
#define INT_STS 0x58u
#define INT_EN 0x5cu
#define BYTE_TEST 0x64u
#define RX_CFG 0x6cu
#define TX_CFG 0x70u
#define HW_CFG 0x74u
#define RX_FIFO_INF 0x7cu
#define TX_FIFO_INF 0x80u
#define PMT_CTRL 0x84u
#define MAC_CSR_CMD 0xa4u
#define MAC_CSR_DATA 0xa8u

#define BYTE_TEST_VALUE 0x87654321u
#define HW_CFG_SRST 0x1u
#define PMT_CTRL_READY 0x1u
#define TX_CFG_TX_ON 0x2u
#define CSR_BUSY 0x80000000u
#define CSR_READ 0x40000000u

/* MAC registers (through MAC_CSR_CMD/DATA). */
#define MAC_CR 1u
#define MAC_ADDRH 2u
#define MAC_ADDRL 3u
#define MAC_MII_ACC 6u
#define MAC_MII_DATA 7u
#define MAC_CR_FDPX 0x00100000u
#define MAC_CR_TXEN 0x8u
#define MAC_CR_RXEN 0x4u
#define MII_BUSY 0x1u
#define MII_WRITE 0x2u
#define PHY_ADDR 1u

/* PHY registers. */
#define PHY_BMCR 0u
#define PHY_BMSR 1u
#define BMCR_RESET 0x8000u
#define BMCR_ANENABLE 0x1000u
#define BMCR_ANRESTART 0x0200u
#define BMSR_LINK 0x0004u

/* Transmit command words. */
#define TXA_FIRST_SEG 0x2000u
#define TXA_LAST_SEG 0x1000u
/* Receive status word. */
#define RXS_ERROR 0x00008000u
#define RXS_FILTER_FAIL 0x40000000u
#define RXS_LENGTH(s) (((s) >> 16) & 0x3fffu)
#define CRC_SIZE 4u
#define FRAME_MIN 14u

/* A busy bit on QEMU clears at once; on silicon within microseconds. */
#define SPIN_LIMIT 100000u

static inline uint32_t rd(const ota_lan9118_t *d, uint32_t off)
{
    return *(volatile const uint32_t *)(d->base + off);
}

static inline void wr(const ota_lan9118_t *d, uint32_t off, uint32_t v)
{
    *(volatile uint32_t *)(d->base + off) = v;
}

static bool wait_clear(const ota_lan9118_t *d, uint32_t off, uint32_t mask)
{
    for (uint32_t i = 0; i < SPIN_LIMIT; i++) {
        if ((rd(d, off) & mask) == 0) {
            return true;
        }
    }
    return false;
}

static bool wait_set(const ota_lan9118_t *d, uint32_t off, uint32_t mask)
{
    for (uint32_t i = 0; i < SPIN_LIMIT; i++) {
        if ((rd(d, off) & mask) != 0) {
            return true;
        }
    }
    return false;
}

static bool mac_write(const ota_lan9118_t *d, uint32_t reg, uint32_t v)
{
    if (!wait_clear(d, MAC_CSR_CMD, CSR_BUSY)) {
        return false;
    }
    wr(d, MAC_CSR_DATA, v);
    wr(d, MAC_CSR_CMD, CSR_BUSY | reg);
    return wait_clear(d, MAC_CSR_CMD, CSR_BUSY);
}

static bool mac_read(const ota_lan9118_t *d, uint32_t reg, uint32_t *v)
{
    if (!wait_clear(d, MAC_CSR_CMD, CSR_BUSY)) {
        return false;
    }
    wr(d, MAC_CSR_CMD, CSR_BUSY | CSR_READ | reg);
    if (!wait_clear(d, MAC_CSR_CMD, CSR_BUSY)) {
        return false;
    }
    *v = rd(d, MAC_CSR_DATA);
    return true;
}

static bool mii_wait(const ota_lan9118_t *d)
{
    for (uint32_t i = 0; i < SPIN_LIMIT; i++) {
        uint32_t acc;
        if (!mac_read(d, MAC_MII_ACC, &acc)) {
            return false;
        }
        if ((acc & MII_BUSY) == 0) {
            return true;
        }
    }
    return false;
}

static uint32_t mii_command(uint32_t reg, bool write)
{
    return (PHY_ADDR << 11) | (reg << 6) | (write ? MII_WRITE : 0u) | MII_BUSY;
}

static bool phy_read(const ota_lan9118_t *d, uint32_t reg, uint32_t *v)
{
    return mii_wait(d) && mac_write(d, MAC_MII_ACC, mii_command(reg, false)) && mii_wait(d) &&
           mac_read(d, MAC_MII_DATA, v);
}

static bool phy_write(const ota_lan9118_t *d, uint32_t reg, uint32_t v)
{
    return mii_wait(d) && mac_write(d, MAC_MII_DATA, v) &&
           mac_write(d, MAC_MII_ACC, mii_command(reg, true)) && mii_wait(d);
}

static bool read_station_address(ota_lan9118_t *d)
{
    uint32_t hi, lo;
    if (!mac_read(d, MAC_ADDRH, &hi) || !mac_read(d, MAC_ADDRL, &lo)) {
        return false;
    }
    for (unsigned i = 0; i < 4; i++) {
        d->mac[i] = (uint8_t)(lo >> (8 * i));
    }
    d->mac[4] = (uint8_t)hi;
    d->mac[5] = (uint8_t)(hi >> 8);
    bool blank = (lo == 0 && (hi & 0xffffu) == 0) || (lo == 0xffffffffu && (hi & 0xffffu) == 0xffffu);
    if (!blank) {
        return true;
    }
    /* No EEPROM: a fixed locally administered address (one device per network here). */
    static const uint8_t fallback[6] = {0x02, 0x00, 0x6f, 0x74, 0x61, 0x01};
    for (unsigned i = 0; i < 6; i++) {
        d->mac[i] = fallback[i];
    }
    lo = (uint32_t)fallback[0] | (uint32_t)fallback[1] << 8 | (uint32_t)fallback[2] << 16 |
         (uint32_t)fallback[3] << 24;
    hi = (uint32_t)fallback[4] | (uint32_t)fallback[5] << 8;
    return mac_write(d, MAC_ADDRL, lo) && mac_write(d, MAC_ADDRH, hi);
}

ota_lan9118_status_t ota_lan9118_init(ota_lan9118_t *d, uintptr_t base)
{
    *d = (ota_lan9118_t){.base = base};
    if (rd(d, BYTE_TEST) != BYTE_TEST_VALUE) {
        return OTA_LAN9118_ERR_ABSENT;
    }
    wr(d, HW_CFG, HW_CFG_SRST);
    if (!wait_clear(d, HW_CFG, HW_CFG_SRST) || !wait_set(d, PMT_CTRL, PMT_CTRL_READY)) {
        return OTA_LAN9118_ERR_TIMEOUT;
    }
    wr(d, INT_EN, 0);
    wr(d, IRQ_CFG, 0);
    wr(d, INT_STS, 0xffffffffu);
    if (!read_station_address(d) || !phy_write(d, PHY_BMCR, BMCR_RESET) ||
        !phy_write(d, PHY_BMCR, BMCR_ANENABLE | BMCR_ANRESTART)) {
        return OTA_LAN9118_ERR_TIMEOUT;
    }
    wr(d, RX_CFG, 0); /* no offset, no end padding: frames start at the first word */
    wr(d, TX_CFG, TX_CFG_TX_ON);
    if (!mac_write(d, MAC_CR, MAC_CR_FDPX | MAC_CR_TXEN | MAC_CR_RXEN)) {
        return OTA_LAN9118_ERR_TIMEOUT;
    }
    return OTA_LAN9118_OK;
}

bool ota_lan9118_link_up(ota_lan9118_t *d)
{
    uint32_t bmsr;
    return phy_read(d, PHY_BMSR, &bmsr) && (bmsr & BMSR_LINK) != 0;
}

bool ota_lan9118_rx_waiting(const ota_lan9118_t *d)
{
    return ((rd(d, RX_FIFO_INF) >> 16) & 0xffu) != 0;
}

int32_t ota_lan9118_receive(ota_lan9118_t *d, uint32_t *buf, size_t cap)
{
    if (!ota_lan9118_rx_waiting(d)) {
        return 0;
    }
    uint32_t status = rd(d, RX_STATUS_FIFO);
    uint32_t len = RXS_LENGTH(status);
    uint32_t words = (len + 3u) / 4u;
    /* A frame is always read out whole: the FIFO holds the next one right behind it. */
    bool keep = (status & (RXS_ERROR | RXS_FILTER_FAIL)) == 0 && len >= FRAME_MIN + CRC_SIZE &&
                (size_t)words * 4u <= cap;
    for (uint32_t i = 0; i < words; i++) {
        uint32_t w = rd(d, RX_DATA_FIFO);
        if (keep) {
            buf[i] = w;
        }
    }
    if (!keep) {
        d->rx_errors++;
        return OTA_LAN9118_ERR_FRAME;
    }
    d->rx_frames++;
    return (int32_t)(len - CRC_SIZE);
}

ota_lan9118_status_t ota_lan9118_send(ota_lan9118_t *d, const uint32_t *frame, size_t len)
{
    if (len == 0 || len > OTA_LAN9118_FRAME_MAX - CRC_SIZE) {
        return OTA_LAN9118_ERR_ARG;
    }
    /* Transmit statuses are not needed (no retries to account for): keep that FIFO empty. */
    while (((rd(d, TX_FIFO_INF) >> 16) & 0xffu) != 0) {
        (void)rd(d, TX_STATUS_FIFO);
    }
    uint32_t words = ((uint32_t)len + 3u) / 4u;
    if ((rd(d, TX_FIFO_INF) & 0xffffu) < words * 4u + 8u) {
        d->tx_full++;
        return OTA_LAN9118_ERR_FULL;
    }
    wr(d, TX_DATA_FIFO, TXA_FIRST_SEG | TXA_LAST_SEG | (uint32_t)len);
    wr(d, TX_DATA_FIFO, ((d->tx_frames & 0xffffu) << 16) | (uint32_t)len);
    for (uint32_t i = 0; i < words; i++) {
        wr(d, TX_DATA_FIFO, frame[i]);
    }
    d->tx_frames++;
    return OTA_LAN9118_OK;
}

const char *ota_lan9118_status_str(ota_lan9118_status_t status)
{
    switch (status) {
    case OTA_LAN9118_OK:
        return "ok";
    case OTA_LAN9118_ERR_ABSENT:
        return "no LAN9118 at this address";
    case OTA_LAN9118_ERR_TIMEOUT:
        return "controller did not answer in time";
    case OTA_LAN9118_ERR_FRAME:
        return "bad received frame dropped";
    case OTA_LAN9118_ERR_FULL:
        return "transmit FIFO full";
    case OTA_LAN9118_ERR_ARG:
        return "bad frame length";
    }
    return "unknown LAN9118 status";
}
