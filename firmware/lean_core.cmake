# SPDX-License-Identifier: Apache-2.0
# The lean bootloader's core sizes (include/otaflow/config.h), included by firmware/CMakeLists.txt
# for the lean firmware and by the top CMakeLists.txt for the host's *_lean tests, so that both
# build the same core. Sized to the lean board (lean_config.h: 2 download slots, internal flash
# program unit 16 B) rather than to the largest board: the copy/compare buffers of ota_boot_t
# and the store's work buffer of 128 B (both must hold a DER signature, 72 B), and a slot table
# of 2 download slots (which also halves the store's record buffer). Measured in
# docs/footprint.md: 2,720 B less bss than the defaults; the copy takes more, smaller reads.
set(OTA_LEAN_CORE_SIZES OTA_BOOT_BUF_SIZE=128u OTA_STORE_WORK_SIZE=128u
  OTA_STORE_MAX_DOWNLOAD_SLOTS=2u)
# And SHA-256 from src/crypto_sha256_small.c (OTA_SHA256_SMALL) rather than the crypto
# library's, which then does only the signatures: smaller in every lean variant, slower per
# byte (docs/decisions.md, "A compact SHA-256 for the lean bootloaders").
list(APPEND OTA_LEAN_CORE_SIZES OTA_SHA256_SMALL=1)
# And the bootloader's image parse (OTA_IMAGE_BOOT_PARSE, src/image_boot_parse.c): only the
# TLVs the build acts on are read, the others skipped by their length (docs/footprint-lean.md,
# "Issue 18, session 9 (branch h9b)").
list(APPEND OTA_LEAN_CORE_SIZES OTA_IMAGE_BOOT_PARSE=1)
# And the compact journal (OTA_JOURNAL_COMPACT=1): records copied as they lie, the CRC a bit at
# a time, the append encoding once in one loop; the same records, writes and mounted state as
# the default (tests/unit/test_journal_compact.c), less code (docs/footprint-lean.md, sessions
# 9 and 10).
list(APPEND OTA_LEAN_CORE_SIZES OTA_JOURNAL_COMPACT=1)
# The product features a minimal lean bootloader leaves out (include/otaflow/config.h; the
# guard, OTA_BOOT_GUARD, and the journal writes, OTA_BOOT_JOURNAL, are left out by the
# variants that say so), and the sector tables of
# mixed-sector flashes (OTA_FLASH_SECTOR_TABLES: the lean board's flashes are uniform), and
# the boot check without hashing (OTA_BOOT_CHEAP_CHECK: bootloader_lean.c hashes at every
# boot): the same list for the firmware's bootloader-lean-*min* and the host's tests/lean/test_boot_minimal.
set(OTA_LEAN_MINIMAL_OFF OTA_BOOT_FACTORY_IMAGE=0 OTA_BOOT_TRIAL_BOOTS=0 OTA_BOOT_REPAIR=0
  OTA_RAW_IMAGES=0 OTA_FILE_SLOTS=0 OTA_FLASH_SECTOR_TABLES=0 OTA_BOOT_CHEAP_CHECK=0)
# HSS/LMS with LM-OTS W8 only, its constants built in (OTA_LMS_LEAN_PARAMS, config.h): the lean
# LMS keys (lean_keys_lms.c, or a product's from `otaflow-image keygen --lms`) are W8. Costs
# nothing where no HSS/LMS code is linked.
list(APPEND OTA_LEAN_CORE_SIZES OTA_LMS_LEAN_PARAMS=1)
