# SPDX-License-Identifier: Apache-2.0
# cmake --install: the headers, the static libraries, the host tools, the CMake package
# (find_package(otaflow 0.1 REQUIRED): otaflow::core, otaflow::boot, otaflow::port_posix) and
# otaflow.pc (pkg-config --cflags --libs otaflow). docs/integration.md shows the three ways in.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(OTA_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/otaflow)
set(OTA_INSTALL_PORTDIR ${CMAKE_INSTALL_INCLUDEDIR}/otaflow/posix)

install(DIRECTORY ${OTA_ROOT}/include/otaflow DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")
set(OTA_INSTALL_TARGETS otaflow_core otaflow_boot)
if(TARGET otaflow_posix)
  # The host port's headers, without its internals (flash_sim_internal.h).
  file(GLOB OTA_POSIX_HEADERS ${OTA_ROOT}/port/posix/*.h)
  list(FILTER OTA_POSIX_HEADERS EXCLUDE REGEX "_internal\\.h$")
  install(FILES ${OTA_POSIX_HEADERS} DESTINATION ${OTA_INSTALL_PORTDIR})
  list(APPEND OTA_INSTALL_TARGETS otaflow_posix otaflow_assert_posix)
endif()
install(TARGETS ${OTA_INSTALL_TARGETS} EXPORT otaflowTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
foreach(tool otaflow-image otaflow-board)
  if(TARGET ${tool})
    install(TARGETS ${tool} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endforeach()

install(EXPORT otaflowTargets NAMESPACE otaflow:: DESTINATION ${OTA_INSTALL_CMAKEDIR})
configure_package_config_file(${OTA_ROOT}/cmake/otaflowConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/otaflowConfig.cmake INSTALL_DESTINATION ${OTA_INSTALL_CMAKEDIR})
# Below 1.0 a minor release may change the API (semver): 0.1 accepts 0.1.x only.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/otaflowConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/otaflowConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/otaflowConfigVersion.cmake DESTINATION ${OTA_INSTALL_CMAKEDIR})

# otaflow.pc: the same libraries in link order, the system libraries they need by name.
set(OTA_PC_CFLAGS "")
foreach(def ${OTA_CORE_DEFINITIONS})
  string(APPEND OTA_PC_CFLAGS " -D${def}")
endforeach()
if(NOT OTA_STATUS_STRINGS)
  string(APPEND OTA_PC_CFLAGS " -DOTA_STATUS_STRINGS=0")
endif()
if(NOT OTA_BOOT_LOG)
  string(APPEND OTA_PC_CFLAGS " -DOTA_BOOT_LOG=0")
endif()
set(OTA_PC_LIBS "-lotaflow_core")
if(TARGET otaflow_posix)
  set(OTA_PC_CFLAGS "-I\${includedir}/otaflow/posix${OTA_PC_CFLAGS}")
  set(OTA_PC_LIBS "-lotaflow_posix -lotaflow_core -lotaflow_assert_posix -lmbedtls -lmbedx509")
endif()
string(APPEND OTA_PC_LIBS " -l${OTA_CRYPTO_LIBNAME_${OTA_CRYPTO}}")
if(OTA_CRYPTO STREQUAL "bearssl" AND TARGET otaflow_posix)
  string(APPEND OTA_PC_LIBS " -lmbedcrypto") # TLS
endif()
# Relocatable: the prefix is found from where the file is (cmake --install --prefix DIR).
file(RELATIVE_PATH OTA_PC_TO_PREFIX /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
string(REGEX REPLACE "/$" "" OTA_PC_TO_PREFIX "${OTA_PC_TO_PREFIX}")
configure_file(${OTA_ROOT}/cmake/otaflow.pc.in ${CMAKE_CURRENT_BINARY_DIR}/otaflow.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/otaflow.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
