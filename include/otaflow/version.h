/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow's release number, semantic versioning (major.minor.patch, https://semver.org): the
 * one place it is written. CMake reads it for project(VERSION), otaflowConfigVersion.cmake and
 * otaflow.pc; the HTTP User-Agent and the tools' --version print it; CHANGELOG.md has an
 * entry for it. While the major is 0, a minor release may change the API.
 */
#ifndef OTAFLOW_VERSION_H
#define OTAFLOW_VERSION_H

#define OTA_VERSION_MAJOR 0
#define OTA_VERSION_MINOR 1
#define OTA_VERSION_PATCH 0

/** The same number as text, "major.minor.patch". */
#define OTA_VERSION_STRING "0.1.0"

/** One number that grows with every release, for #if: (major << 16) | (minor << 8) | patch. */
#define OTA_VERSION_NUMBER ((OTA_VERSION_MAJOR << 16) | (OTA_VERSION_MINOR << 8) | OTA_VERSION_PATCH)

#endif /* OTAFLOW_VERSION_H */
