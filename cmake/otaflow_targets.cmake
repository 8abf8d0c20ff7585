# SPDX-License-Identifier: Apache-2.0
# The libraries a firmware or a host program links, the same whether otaflow is built on its
# own, pulled in with add_subdirectory() (host or cross: the consumer brings its toolchain
# file, its crypto library and its port) or installed (cmake/otaflow_install.cmake).
# docs/integration.md lists the options.
#
#   otaflow::core        src/ with one crypto backend: the update agent and everything else
#   otaflow::boot        the part of src/ a bootloader needs (no agent, HTTP, manifest, delta)
#   otaflow::port_posix  the host port (flash model, sockets + mbedTLS TLS, clock); not when
#                        cross-compiling
set(OTA_ROOT ${CMAKE_CURRENT_LIST_DIR}/..)
get_filename_component(OTA_ROOT ${OTA_ROOT} ABSOLUTE)

# --- options of the core (include/otaflow/config.h has every size) --------------------------
set(OTA_CRYPTO mbedtls CACHE STRING "crypto backend of the core: mbedtls or bearssl")
set_property(CACHE OTA_CRYPTO PROPERTY STRINGS mbedtls bearssl)
set(OTA_CRYPTO_LIBRARY "" CACHE STRING
  "what the core links for OTA_CRYPTO: a CMake target (with its include directories) or a library file; empty: the system's (host)")
set(OTA_CRYPTO_INCLUDE_DIR "" CACHE PATH
  "headers of OTA_CRYPTO_LIBRARY when it is a file (mbedtls/ or bearssl.h inside)")
option(OTA_STATUS_STRINGS "status names in log lines (OFF: numbers only, smaller)" ON)
option(OTA_BOOT_LOG "the bootloader's console lines (OFF: its report only, smaller)" ON)
set(OTA_CORE_DEFINITIONS "" CACHE STRING
  "more compile definitions of the core and of its users (config.h: OTA_FILE_SLOTS=0, OTA_CONFIG_FILE=...)")

set(OTA_CRYPTO_FILES_mbedtls ${OTA_ROOT}/src/crypto_mbedtls.c ${OTA_ROOT}/src/sig_ecdsa_p256.c
  ${OTA_ROOT}/src/crypto_enc_mbedtls.c)
set(OTA_CRYPTO_FILES_bearssl ${OTA_ROOT}/src/crypto_bearssl.c
  ${OTA_ROOT}/src/sig_ecdsa_p256_bearssl.c ${OTA_ROOT}/src/crypto_enc_bearssl.c)
if(OTA_CRYPTO STREQUAL "mbedtls")
  set(OTA_CRYPTO_OTHER bearssl)
elseif(OTA_CRYPTO STREQUAL "bearssl")
  set(OTA_CRYPTO_OTHER mbedtls)
else()
  message(FATAL_ERROR "OTA_CRYPTO must be mbedtls or bearssl, not '${OTA_CRYPTO}'")
endif()

# The backend's library: the consumer's (a target it built, or a file), else the host's own.
# An installed package names system libraries by name (-lmbedcrypto), not by this machine's path.
set(OTA_CRYPTO_LIBNAME_mbedtls mbedcrypto)
set(OTA_CRYPTO_LIBNAME_bearssl bearssl)
if(OTA_CRYPTO_LIBRARY)
  set(OTA_CRYPTO_LIBS_${OTA_CRYPTO} ${OTA_CRYPTO_LIBRARY})
else()
  find_library(OTA_SYSTEM_LIB_${OTA_CRYPTO} ${OTA_CRYPTO_LIBNAME_${OTA_CRYPTO}})
  if(NOT OTA_SYSTEM_LIB_${OTA_CRYPTO})
    message(FATAL_ERROR "no ${OTA_CRYPTO_LIBNAME_${OTA_CRYPTO}} library for OTA_CRYPTO=${OTA_CRYPTO}: "
      "set OTA_CRYPTO_LIBRARY to the target or file of your build's (docs/integration.md)")
  endif()
  set(OTA_CRYPTO_LIBS_${OTA_CRYPTO} $<BUILD_INTERFACE:${OTA_SYSTEM_LIB_${OTA_CRYPTO}}>
    $<INSTALL_INTERFACE:${OTA_CRYPTO_LIBNAME_${OTA_CRYPTO}}>)
endif()

set(OTA_SRC_WARNINGS -Wconversion -Wshadow -Wstrict-prototypes -Wmissing-prototypes)

# ota_core_target(NAME SOURCES...): one library of the core's files with the options above.
function(ota_core_target name)
  add_library(${name} STATIC ${ARGN})
  target_include_directories(${name} PUBLIC $<BUILD_INTERFACE:${OTA_ROOT}/include>
    $<INSTALL_INTERFACE:include>)
  if(OTA_CRYPTO_INCLUDE_DIR)
    target_include_directories(${name} PRIVATE ${OTA_CRYPTO_INCLUDE_DIR})
  endif()
  target_compile_options(${name} PRIVATE ${OTA_SRC_WARNINGS})
  target_link_libraries(${name} PUBLIC ${OTA_CRYPTO_LIBS_${OTA_CRYPTO}})
  # Only what differs from config.h's defaults: a program of our own tests may define the
  # same macro to the other value for its private copy of the core (tests/lean).
  if(NOT OTA_STATUS_STRINGS)
    target_compile_definitions(${name} PUBLIC OTA_STATUS_STRINGS=0)
  endif()
  if(NOT OTA_BOOT_LOG)
    target_compile_definitions(${name} PUBLIC OTA_BOOT_LOG=0)
  endif()
  if(OTA_CORE_DEFINITIONS)
    target_compile_definitions(${name} PUBLIC ${OTA_CORE_DEFINITIONS})
  endif()
endfunction()

# --- portable core: every .c in src/, with the files of one crypto backend -----------------
file(GLOB OTA_CORE_SOURCES CONFIGURE_DEPENDS ${OTA_ROOT}/src/*.c)
list(REMOVE_ITEM OTA_CORE_SOURCES ${OTA_CRYPTO_FILES_mbedtls} ${OTA_CRYPTO_FILES_bearssl})
list(APPEND OTA_CORE_SOURCES ${OTA_CRYPTO_FILES_${OTA_CRYPTO}})
ota_core_target(otaflow_core ${OTA_CORE_SOURCES})
add_library(otaflow::core ALIAS otaflow_core)
set_target_properties(otaflow_core PROPERTIES EXPORT_NAME core)

# The bootloader's part: what boot.c reaches, i.e. the core without the modules only the
# agent uses (tests/consumer/cross links a bootloader with nothing else, so a module missing
# here is a link error there).
set(OTA_BOOT_SOURCES ${OTA_CORE_SOURCES})
list(FILTER OTA_BOOT_SOURCES EXCLUDE REGEX
  "/(agent[a-z_]*|http[a-z_]*|manifest[a-z_]*|url|base64|delta[a-z_]*|num_text|image_buffer|image_tlv_writer|store_files|store_raw)\\.c$")
ota_core_target(otaflow_boot ${OTA_BOOT_SOURCES})
add_library(otaflow::boot ALIAS otaflow_boot)
set_target_properties(otaflow_boot PROPERTIES EXPORT_NAME boot)

if(CMAKE_CROSSCOMPILING)
  return() # the consumer's firmware brings its own port (docs/porting.md)
endif()

# The host's OTA_ASSERT hook (print, abort): a library of its own, linked after the core that
# calls it, so that every program of the core has it whatever its link order.
set(OTA_ASSERT_HOOK ${OTA_ROOT}/port/posix/assert_posix.c)
add_library(otaflow_assert_posix STATIC ${OTA_ASSERT_HOOK})
target_include_directories(otaflow_assert_posix PUBLIC $<BUILD_INTERFACE:${OTA_ROOT}/include>
  $<INSTALL_INTERFACE:include>)
set_target_properties(otaflow_assert_posix PROPERTIES EXPORT_NAME assert_posix)
target_link_libraries(otaflow_core PUBLIC otaflow_assert_posix)
target_link_libraries(otaflow_boot PUBLIC otaflow_assert_posix)

# --- host port: flash model, sockets, clock ----------------------------------------------
# TLS is mbedTLS whatever the core's backend.
foreach(lib MBEDTLS:mbedtls MBEDX509:mbedx509 MBEDCRYPTO:mbedcrypto)
  string(REPLACE ":" ";" lib ${lib})
  list(GET lib 0 var)
  list(GET lib 1 name)
  find_library(${var} ${name} REQUIRED)
  set(OTA_TLS_LIBS ${OTA_TLS_LIBS} $<BUILD_INTERFACE:${${var}}> $<INSTALL_INTERFACE:${name}>)
endforeach()
file(GLOB OTA_POSIX_SOURCES CONFIGURE_DEPENDS ${OTA_ROOT}/port/posix/*.c)
list(REMOVE_ITEM OTA_POSIX_SOURCES ${OTA_ASSERT_HOOK})
add_library(otaflow_posix STATIC ${OTA_POSIX_SOURCES} ${OTA_ROOT}/port/posix/flash_sim.h)
set_target_properties(otaflow_posix PROPERTIES LINKER_LANGUAGE C EXPORT_NAME port_posix)
add_library(otaflow::port_posix ALIAS otaflow_posix)
target_compile_definitions(otaflow_posix PUBLIC _POSIX_C_SOURCE=200809L _DEFAULT_SOURCE)
target_include_directories(otaflow_posix PUBLIC $<BUILD_INTERFACE:${OTA_ROOT}/port/posix>
  $<INSTALL_INTERFACE:include/otaflow/posix>)
target_link_libraries(otaflow_posix PUBLIC otaflow_core ${OTA_TLS_LIBS})
