/* SPDX-License-Identifier: Apache-2.0 */
/* A configuration file for OTA_CONFIG_FILE (tests/config/test_sizes_and_guard.sh): every size below its
 * default, as a RAM-starved board would choose. */
#define OTA_STORE_MAX_DOWNLOAD_SLOTS 3u
#define OTA_STORE_WORK_SIZE 256u
#define OTA_AGENT_HTTP_BUF_SIZE 1024u
#define OTA_BOOT_BUF_SIZE 512u
#define OTA_URL_MAX 128u
#define OTA_MANIFEST_URL_MAX 64u
#define OTA_MANIFEST_ERASE_MAX 4u
#define OTA_HTTP_ETAG_MAX 32u
#define OTA_FILE_SLOTS 0
