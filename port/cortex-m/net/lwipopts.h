/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lwIP 2.1.3 options for the otaflow firmware (mps2-an386, LAN9118): a bare-metal super-loop
 * (NO_SYS, raw API, no threads), IPv4 only, DHCP, one TCP connection at a time (the agent's),
 * all memory static (lwIP's own heap and pools are arrays in .bss; no malloc anywhere).
 *
 * Sizes follow the LAN9118's receive FIFO: QEMU's model (like the chip) drops a frame that
 * does not fit in its 10 KB data FIFO, so the TCP window stays below what the FIFO holds
 * between two polls (4 segments of 1460 B); a larger window only buys dropped frames and
 * retransmissions. RAM cost: docs/firmware.md, "Network".
 */
#ifndef OTAFLOW_LWIPOPTS_H
#define OTAFLOW_LWIPOPTS_H

/* Platform: a single super-loop, no OS, no locking. */
#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define LWIP_TIMERS 1

/* Memory: lwIP's own static heap (for tcp_write copies) and pools. */
#define MEM_LIBC_MALLOC 0
#define MEMP_MEM_MALLOC 0
#define MEM_ALIGNMENT 4
#define MEM_SIZE (8 * 1024)
#define PBUF_POOL_SIZE 12
/* A whole received frame with its CRC in one pool buffer: the driver reads its FIFO into it. */
#define PBUF_POOL_BUFSIZE 1536 /* OTA_LAN9118_FRAME_MAX */
#define MEMP_NUM_PBUF 8
#define MEMP_NUM_TCP_PCB 4        /* the agent's connection and TIME_WAIT ones */
#define MEMP_NUM_TCP_PCB_LISTEN 1
#define MEMP_NUM_TCP_SEG 16
#define MEMP_NUM_UDP_PCB 2        /* DHCP */
#define MEMP_NUM_ARP_QUEUE 4

/* Protocols. */
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 1
#define DHCP_DOES_ARP_CHECK 0     /* QEMU's user network has no address conflicts to probe */
#define LWIP_DNS 0                /* a host name gives OTA_NET_ERR_DNS (IPv4 literals only) */
#define LWIP_IGMP 0
#define LWIP_AUTOIP 0
#define IP_REASSEMBLY 0
#define IP_FRAG 0
#define LWIP_SINGLE_NETIF 1
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_NETIF_STATUS_CALLBACK 0

/* TCP: full-size segments, window sized to the LAN9118 receive FIFO (see above). */
#define TCP_MSS 1460
#define TCP_WND (4 * TCP_MSS)
#define TCP_SND_BUF (2 * TCP_MSS)
#define TCP_SND_QUEUELEN ((4 * (TCP_SND_BUF) + (TCP_MSS - 1)) / (TCP_MSS))
#define TCP_QUEUE_OOSEQ 1
#define LWIP_TCP_KEEPALIVE 0
#define LWIP_RANDOMIZE_INITIAL_LOCAL_PORTS 1 /* a reset device must not reuse its last port */

/* Checksums in software: QEMU's LAN9118 has no offload. */
#define CHECKSUM_GEN_IP 1
#define CHECKSUM_GEN_TCP 1
#define CHECKSUM_GEN_UDP 1
#define CHECKSUM_CHECK_IP 1
#define CHECKSUM_CHECK_TCP 1
#define CHECKSUM_CHECK_UDP 1

/* No statistics, no debug output. */
#define LWIP_STATS 0
#define LWIP_DEBUG 0

#endif /* OTAFLOW_LWIPOPTS_H */
