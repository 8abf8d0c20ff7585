# SPDX-License-Identifier: Apache-2.0
# The firmware's network (docs/firmware.md, "Network"), include()d by firmware/CMakeLists.txt:
#   otaflow_lwip  lwIP 2.1.3's IPv4 core and Ethernet layer, built for the target from Debian's
#                 source package (unpacked by make firmware with scripts/debian_source.sh)
#                 with this directory's lwipopts.h and arch/cc.h
#   otaflow_net   the LAN9118 driver, its lwIP netif, the super-loop's network step and the
#                 ota_transport_t over lwIP's raw TCP API
# Needs OTA_ROOT (the repository). OTA_DEBIAN_SRC may point elsewhere than build/debian-src.

set(OTA_NET_DIR ${CMAKE_CURRENT_LIST_DIR})
if(NOT DEFINED OTA_DEBIAN_SRC)
  set(OTA_DEBIAN_SRC ${OTA_ROOT}/build/debian-src)
endif()

# The unpacked Debian source package pkg (make firmware unpacks it) into var, or stop.
function(ota_debian_source pkg probe var)
  if(NOT EXISTS ${OTA_DEBIAN_SRC}/${pkg}/${probe})
    message(FATAL_ERROR "no ${pkg} source in ${OTA_DEBIAN_SRC}/${pkg}: run scripts/debian_source.sh ${pkg} ${OTA_DEBIAN_SRC} (make firmware does)")
  endif()
  set(${var} ${OTA_DEBIAN_SRC}/${pkg} PARENT_SCOPE)
endfunction()

ota_debian_source(lwip src/core/tcp.c OTA_LWIP_DIR)
set(LWIP_SRC ${OTA_LWIP_DIR}/src)
add_library(otaflow_lwip STATIC
  ${LWIP_SRC}/core/init.c ${LWIP_SRC}/core/def.c ${LWIP_SRC}/core/inet_chksum.c
  ${LWIP_SRC}/core/ip.c ${LWIP_SRC}/core/mem.c ${LWIP_SRC}/core/memp.c
  ${LWIP_SRC}/core/netif.c ${LWIP_SRC}/core/pbuf.c ${LWIP_SRC}/core/tcp.c
  ${LWIP_SRC}/core/tcp_in.c ${LWIP_SRC}/core/tcp_out.c ${LWIP_SRC}/core/timeouts.c
  ${LWIP_SRC}/core/udp.c
  ${LWIP_SRC}/core/ipv4/dhcp.c ${LWIP_SRC}/core/ipv4/etharp.c ${LWIP_SRC}/core/ipv4/icmp.c
  ${LWIP_SRC}/core/ipv4/ip4.c ${LWIP_SRC}/core/ipv4/ip4_addr.c
  ${LWIP_SRC}/netif/ethernet.c)
# lwIP's headers are included as system headers (our warnings are not its to fix); its own
# sources build without -Werror for the same reason.
target_include_directories(otaflow_lwip PUBLIC ${OTA_NET_DIR} ${OTA_ROOT}/include)
target_include_directories(otaflow_lwip SYSTEM PUBLIC ${LWIP_SRC}/include)
target_compile_options(otaflow_lwip PRIVATE -Wno-error -Wno-unused-parameter
  -Wno-address)

add_library(otaflow_net STATIC
  ${OTA_NET_DIR}/lan9118.c ${OTA_NET_DIR}/netif_lan9118.c ${OTA_NET_DIR}/net_stack.c
  ${OTA_NET_DIR}/transport_lwip.c)
target_compile_options(otaflow_net PRIVATE -Wconversion -Wshadow -Wmissing-prototypes)
target_link_libraries(otaflow_net PUBLIC otaflow_lwip)
