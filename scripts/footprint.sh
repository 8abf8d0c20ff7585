#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Measures the footprint and writes docs/footprint.md. First the linked firmware images of the
# Cortex-M4 port (make firmware, both crypto backends: build/firmware, build/firmware-bearssl),
# part by part from their link maps (scripts/footprint_link.py; tests/tools/test_footprint.sh
# re-derives these tables from the build and fails when the committed ones are stale), and the
# bootloader's stack and crypto-heap high-water marks read from its console on QEMU
# (scripts/firmware_measure.sh). Then the portable core's objects before linking
# (arm-none-eabi-gcc -Os): code size per file and the RAM of each caller-owned struct, the
# largest stack frames and the deepest call chain from each entry point, the
# signature verification path (code, stack, mbedTLS heap measured on the host), then every
# docs/footprint-*.md appended as it is (sections written by hand survive regeneration).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
BUILD=${BUILD:-$here/build}
FW=$BUILD/firmware FW_B=$BUILD/firmware-bearssl
for f in "$FW"/bootloader.map "$FW_B"/bootloader.map "$BUILD"/bin/otaflow-board; do
  [ -e "$f" ] || { echo "footprint: no $f (make build firmware; make firmware FW_CRYPTO=bearssl)" >&2; exit 1; }
done
CC=arm-none-eabi-gcc
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
ln -s /usr/include/mbedtls "$work/mbedtls"
FLAGS=(-mcpu=cortex-m4 -mthumb -Os -ffreestanding -std=c11 -ffunction-sections -fdata-sections
       -Iinclude -isystem "$work" -DNDEBUG)

for f in src/*.c; do
  [[ $f == *_bearssl.c ]] && continue # the mbedTLS backend's figures (cross-check.sh has both)
  "$CC" "${FLAGS[@]}" -fstack-usage -fcallgraph-info=su -c "$f" -o "$work/$(basename "$f" .c).o"
done

# sizeof() of each struct, read back as the size of a symbol of that size.
cat > "$work/sizes.c" <<'C'
#include "otaflow/agent.h"
#include "otaflow/agent_patch.h"
#include "otaflow/boot.h"
#include "otaflow/guard.h"
#include "otaflow/image_sig.h"
#define SZ(name, type) const char name[sizeof(type)] = {0};
SZ(sz_ota_agent_t, ota_agent_t)
SZ(sz_ota_agent_patch_t, ota_agent_patch_t)
SZ(sz_ota_http_client_t, ota_http_client_t)
SZ(sz_ota_store_t, ota_store_t)
SZ(sz_ota_manifest_plan_t, ota_manifest_plan_t)
SZ(sz_ota_manifest_parser_t, ota_manifest_parser_t)
SZ(sz_ota_boot_t, ota_boot_t)
SZ(sz_ota_image_info_t, ota_image_info_t)
SZ(sz_ota_sha256_t, ota_sha256_t)
SZ(sz_ota_guard_t, ota_guard_t)
SZ(sz_ota_sig_key_t, ota_sig_key_t)
C
"$CC" "${FLAGS[@]}" -c "$work/sizes.c" -o "$work/sizes.obj"
# The same sizes with the options of the measured agent part, read from the build of the
# core it links (firmware/CMakeLists.txt, ota_core_fw_nonames): its RAM row is then of the
# configuration its text row is, with no second list to keep in step.
mapfile -t AGENT_PART_DEFS < <(sed -n 's/^C_DEFINES = //p' \
  "$FW/CMakeFiles/ota_core_fw_nonames.dir/flags.make" | grep -o -- '-DOTA_[A-Z0-9_]*=[0-9]*')
[ "${#AGENT_PART_DEFS[@]}" -gt 0 ] || { echo "footprint: no OTA_ options of the agent part" >&2; exit 1; }
"$CC" "${FLAGS[@]}" "${AGENT_PART_DEFS[@]}" -c "$work/sizes.c" -o "$work/sizes_agent_part.obj"

commit=$(bash scripts/tree_revision.sh)
# sizeof() of one struct, in bytes, as measured above.
struct_size() {
  local hex; hex=$(arm-none-eabi-nm -S "${2:-$work/sizes.obj}" | awk -v s="sz_$1" '$4 == s {print $2}')
  echo $((16#$hex))
}
# sizeof() of one struct in the measured agent part's configuration.
agent_part_size() { struct_size "$1" "$work/sizes_agent_part.obj"; }

# The bootloader's high-water marks on QEMU (scripts/firmware_measure.sh: signed and unsigned
# boards, first boot, install of a 900,000-byte image, plain boot), for one firmware directory:
# prints "stack_signed heap_signed stack_unsigned heap_unsigned stack_size heap_size
# stack_encrypted heap_encrypted", the largest of each over the boots of that kind.
boot_high_water() {
  # otaflow-board takes the bootloader beside its own binary (bin/../firmware): copies, not links.
  rm -rf "$work/qemu"; mkdir -p "$work/qemu/bin"; ln -s "$1" "$work/qemu/firmware"
  cp "$BUILD/bin/otaflow-board" "$BUILD/bin/otaflow-image" "$work/qemu/bin/"
  BUILD=$work/qemu bash scripts/firmware_measure.sh > "$work/measure.txt"
  awk '/^== signed/ {k = "s"} /^== unsigned/ {k = "u"} /^== encrypted/ {k = "e"}
       /measured: stack high-water mark/ {
         if ($6 > st[k]) st[k] = $6; if ($14 > hp[k]) hp[k] = $14; ss = $8; hs = $16 }
       END { if (!(st["s"] && st["u"] && st["e"])) exit 1
             print st["s"], hp["s"] + 0, st["u"], hp["u"] + 0, ss, hs + 0, st["e"], hp["e"] + 0 }' \
    "$work/measure.txt" || { cat "$work/measure.txt" >&2; echo "footprint: no measured: lines" >&2; exit 1; }
}
read -r hw_ms hw_mh hw_mus hw_muh hw_ss hw_mhs hw_mes hw_meh < <(boot_high_water "$FW")
read -r hw_bs hw_bh hw_bus hw_buh _ hw_bhs hw_bes hw_beh < <(boot_high_water "$FW_B")
read -r app_ms _ < <(bash scripts/footprint_app_stack.sh "$BUILD" "$FW")
read -r app_bs _ < <(bash scripts/footprint_app_stack.sh "$BUILD" "$FW_B")
[[ -n ${app_ms:-} && -n ${app_bs:-} ]] || { echo "footprint: no stack mark of the example app" >&2; exit 1; }
qemu_version=$(qemu-system-arm --version | head -1)
read -r ln_sb ln_ab ln_sm ln_am ln_ss ln_asize ln_sl ln_so ln_sn < <(bash scripts/footprint_lean_stack.sh "$BUILD" "$FW")
[[ -n ${ln_sn:-} ]] || { echo "footprint: no stack mark of the lean bootloader" >&2; exit 1; }
CROSS_SIZES_DIR=$work/cross OTA_BUILD_DIR=$BUILD bash scripts/cross-check.sh >"$work/cross.txt" ||
  { cat "$work/cross.txt" >&2; echo "footprint: cross-check failed" >&2; exit 1; }
IFS=$'\t' read -r cg_m cg_m_chain < <(bash scripts/footprint_callgraph.sh "$FW" mbedcrypto_fw)
IFS=$'\t' read -r cg_b cg_b_chain < <(bash scripts/footprint_callgraph.sh "$FW_B" bearssl_fw)
[[ -n ${cg_m:-} && -n ${cg_b:-} ]] || { echo "footprint: no static chain from ota_boot_start" >&2; exit 1; }
num() { printf '%s' "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }  # 16384 -> 16,384

out=docs/footprint.md
{
  echo "# Footprint"
  echo
  echo "Generated by \`scripts/footprint.sh\` (\`make footprint\`) at commit $commit,"
  echo "with $($CC --version | head -1) and newlib-nano."
  echo
  echo "## Linked firmware images (Cortex-M4)"
  echo
  echo "What ships: the ELF files \`make firmware\` links for the emulated Cortex-M4 board (QEMU"
  echo "mps2-an386, docs/firmware.md), \`-mcpu=cortex-m4 -mthumb\` soft-float, \`-Os\`,"
  echo "\`-ffunction-sections -fdata-sections\`, \`--gc-sections\`, newlib-nano, no LTO (its figures are"
  echo "further down); the emulated board's bootloader"
  echo "and the example application (update agent, lwIP), each with the core's mbedTLS"
  echo "backend (\`build/firmware\`) and its BearSSL backend (\`make firmware FW_CRYPTO=bearssl\`,"
  echo "\`build/firmware-bearssl\`). Every input section of the link map is charged to the part it"
  echo "comes from (\`scripts/footprint_link.py\`), and the parts add up to the output sections:"
  echo "**text** is code and constants in flash (\`.text\`, \`.ARM.exidx\`), **data** initialised RAM"
  echo "(its initial values take as much flash again), **bss** zeroed RAM. Not in bss: the 16 KB"
  echo "main stack each program reserves (measured below) and the emulated flash's storage"
  echo "(\`.flashmodel\`, 9.4 MB of the emulator's PSRAM, which a real part does not have). The"
  echo "emulated board's drivers (its flash model, semihosting write-through and settings) are what"
  echo "a real part replaces with its flash controller's driver: the lean bootloader below is that"
  echo "program, measured. \`tests/tools/test_footprint.sh\` (in \`make test\`) re-derives the tables"
  echo "of parts, modules and objects, and the -flto totals, from the build and fails when a figure"
  echo "here is stale: run \`make footprint\` and commit."
  echo
  echo "### Per part (text / data / bss, bytes)"
  echo
  python3 scripts/footprint_link.py render "$FW" "$FW_B" > "$work/link.md"
  sed -n '1,/^$/p' "$work/link.md"
  echo "The program's bss holds the core's caller-owned structs (below), and in the"
  echo "mbedTLS builds its 8 KB arena; lwIP's bss is its 8 KB heap and its pools."
  echo
  echo "### The bootloader without decryption (text / data / bss, bytes)"
  echo
  echo "Both bootloaders above are built with decryption (\`OTA_BOOT_DECRYPT\`, docs/security.md:"
  echo "AES-128 and ECDH P-256 from the crypto library, the key unwrap and CTR in src/); the lean"
  echo "bootloaders below are not. \`bootloader-nodecrypt\` is the same program on a core built with"
  echo "\`OTA_BOOT_DECRYPT=0\` (firmware/CMakeLists.txt), linked in the same builds:"
  echo
  awk 'BEGIN {RS = ""} {last = $0} END {print last; print ""}' "$work/link.md"
  # text of the **total** row of link.md's table NR (or "last"), image column COL (1-based)
  link_total_text() {
    awk -v t="$1" 'BEGIN {RS = ""} {r[NR] = $0} END {print r[t == "last" ? NR : t]}' "$work/link.md" |
      awk -F'|' -v c="$(($2 + 2))" '$2 ~ /\*\*total\*\*/ {x = $c; gsub(/[ ,]/, "", x); split(x, a, "/"); print a[1]}'
  }
  dec_m=$(( $(link_total_text 1 1) - $(link_total_text last 1) ))
  dec_b=$(( $(link_total_text 1 2) - $(link_total_text last 2) ))
  echo "Decryption costs the bootloader $(num "$dec_m") B of text with mbedTLS and $(num "$dec_b") B with"
  echo "BearSSL (its AES is \`aes_small\`, and its ECDH reuses the point multiplication the ECDSA"
  echo "verifier links)."
  echo
  echo "### otaflow by module (src/; text / data / bss, bytes)"
  echo
  awk 'BEGIN {RS = ""} NR == 2 {print; print ""}' "$work/link.md"
  echo "### The program's own RAM objects (bytes)"
  echo
  awk 'BEGIN {RS = ""} NR == 3 {print; print ""}' "$work/link.md"
  echo "\`g_boot\` is \`ota_boot_t\`, \`g_store\` \`ota_store_t\`, \`g_guard\` \`ota_guard_t\`, \`g_heap\` /"
  echo "\`g_crypto_heap\` mbedTLS's arena (\`OTA_ECDSA_P256_HEAP_SIZE\`), \`g_app\` the application's"
  echo "state (agent, store, network interface); \`g_flashes\`, \`g_args\`, \`g_sys\` belong to the"
  echo "emulated board."
  echo
  echo "### Stack and heap"
  echo
  echo "Measured on the emulated target by \`scripts/firmware_measure.sh\` ($qemu_version): the"
  echo "bootloader paints its stack at reset and mbedTLS's arena after the allocator's set-up, and"
  echo "prints the high-water marks before the jump (\`boot: measured:\`); the largest over a first"
  echo "boot (factory save of the example app), the install of a 900,000-byte image and a plain boot"
  echo "of it, on a board that checks ECDSA P-256 signatures, on one that does not, and on a signed"
  echo "one whose 900,000-byte image is encrypted for its device key (the install decrypts). The static"
  echo "figure is the call-graph sum of src/'s own frames below (deepest chain from \`ota_boot_start\`),"
  echo "without the crypto library, the port's flash hooks, \`main\` and the start-up code."
  echo
  echo "| bootloader | stack, signed | stack, unsigned | stack, signed and encrypted | static sum (src/ only) | static sum with the crypto library | crypto heap high-water, signed | crypto heap high-water, signed and encrypted | arena reserved |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  boot_static=$(cat "$work"/*.ci | awk -f scripts/footprint_stack.awk | awk -F'\t' '$2 == "ota_boot_start" {print $1}')
  echo "| mbedTLS | $(num "$hw_ms") B | $(num "$hw_mus") B | $(num "$hw_mes") B | $boot_static B | $(num "$cg_m") B | $(num "$hw_mh") B | $(num "$hw_meh") B | $(num "$hw_mhs") B |"
  echo "| BearSSL | $(num "$hw_bs") B | $(num "$hw_bus") B | $(num "$hw_bes") B | $boot_static B | $(num "$cg_b") B | $(num "$hw_bh") B | $(num "$hw_beh") B | $(num "$hw_bhs") B |"
  echo
  echo "The static sum with the crypto library (\`scripts/footprint_callgraph.sh\`: the core and the"
  echo "library compiled again with the firmware's own flags and \`-fcallgraph-info=su\`) follows"
  echo "direct calls only. With mbedTLS its deepest chain is"
  echo "$cg_m_chain. With BearSSL it is"
  echo "$cg_b_chain: the point multiplication is reached through"
  echo "\`br_ec_impl\`'s function pointers, not followed, which is why it is far below the measured"
  echo "mark. Resolving indirect calls (BearSSL's, and the port's flash hooks) is not done yet."
  echo "The crypto heap's mark varies by a few hundred bytes from run to run (each run signs"
  echo "with a new key)."
  echo
  echo "Of $(num "$hw_ss") B reserved. The example application prints no high-water mark:"
  echo "\`scripts/footprint_app_stack.sh\` reads its painted stack through QEMU's monitor every 50 ms"
  echo "while a signed v1 checks a signed manifest from a server on loopback, downloads a signed v2"
  echo "(the same program) into its store and verifies it, until QEMU is stopped 8 s after power-on:"
  echo "$(num "$app_ms") B with mbedTLS, $(num "$app_bs") B with BearSSL (the paint is never restored, so the last"
  echo "read sees the deepest use of the whole run, the bootloader's part excluded). Not"
  echo "measured: the application's crypto-heap high-water mark (its arena is not painted), and"
  echo "the stack of the agent's other paths (manifest errors, erase, factory reset)."
  echo
  echo "## The lean bootloader (Cortex-M4)"
  echo
  echo "\`firmware/bootloader_lean.c\` (docs/firmware.md, \"The lean bootloader\"): the same"
  echo "\`ota_boot_start\` as the emulated board's bootloader on the drivers a product has: both"
  echo "flashes as memory-mapped NOR (\`port/cortex-m/nor_mmio.c\`: a program ANDs, an erase sets a"
  echo "sector to 0xFF), its configuration and trusted key compiled in, no settings parser, no"
  echo "semihosting, no console (its \`-console\` variants print the marks below). Linked in"
  echo "\`build/firmware\` with the same flags as above; \`tests/integration/test_qemu_lean.sh\` (in"
  echo "\`make test\`) boots it on QEMU from flash files made by the host tools: it installs a staged"
  echo "v2 and starts it, and refuses a corrupt one or one of an untrusted key. Its core is built"
  echo "without log lines (\`OTA_BOOT_LOG=0\`, include/otaflow/config.h) and hashes with otaflow's"
  echo "compact SHA-256 (\`OTA_SHA256_SMALL=1\`, src/crypto_sha256_small.c: the crypto library does"
  echo "the signatures only; decisions.md). Variants: BearSSL (the"
  echo "default: it measures smaller, and needs no arena), mbedTLS (\`-DOTA_LEAN_CRYPTO=mbedtls\`),"
  echo "without signatures (\`OTA_SIGNATURES=0\`: SHA-256 only, no crypto library linked), and"
  echo "with HSS/LMS as its only algorithm (\`OTA_SIG_ECDSA_P256=0\`: no crypto library, the"
  echo "verifier of src/lms.c; it trusts firmware/lean_keys_lms.c, the test key"
  echo "tests/firmware/lean_test_key.lms: 2 levels of H5/W8, which verify as H10/W8 less 10 hashes)."
  echo "The minimal variants (\"Issue 13's targets\" below) leave product features out; among them"
  echo "the overwrite-only ones (\`OTA_BOOT_JOURNAL=0\`: \`-sha-overwrite\`, \`-lms-overwrite\`) never"
  echo "write the journal (docs/configuration.md, \"An overwrite-only bootloader\")."
  echo
  echo "### Per part (text / data / bss, bytes)"
  echo
  awk 'BEGIN {RS = ""} NR == 4 {print; print ""}' "$work/link.md"
  echo "### otaflow by module (src/; text / data / bss, bytes)"
  echo
  awk 'BEGIN {RS = ""} NR == 5 {print; print ""}' "$work/link.md"
  echo "### The program's own RAM objects (bytes)"
  echo
  awk 'BEGIN {RS = ""} NR == 6 {print; print ""}' "$work/link.md"
  echo "### Linked with -flto"
  echo
  echo "Every firmware object also carries GCC's LTO form (\`-ffat-lto-objects\`): the images above"
  echo "link the ordinary code, and each lean variant is linked once more with \`-flto\` from the same"
  echo "libraries (\`bootloader-lean*-lto.elf\`). LTO merges the objects before code generation, so"
  echo "its link map cannot charge code to a part or a module: the tables above stay those of the"
  echo "ordinary link, and this table gives the totals of the LTO link."
  echo
  awk 'BEGIN {RS = ""} NR == 7 {print; print ""}' "$work/link.md"
  echo "### Stack and arena (measured)"
  echo
  echo "Each \`-console\` variant on QEMU (\`scripts/footprint_lean_stack.sh\`), in its heaviest boot:"
  echo "the first boot of a board whose v1 is saved as the factory image while a v2 staged in a"
  echo "download slot is checked and installed, then started. The stack is the high-water mark of"
  echo "the painted stack at the jump; the arena is mbedTLS's (BearSSL allocates nothing). The"
  echo "overwrite-only and minimal builds keep no factory image: their heaviest boot is the check and install of v2."
  echo
  echo "| lean bootloader | stack high-water | crypto arena high-water | arena reserved |"
  echo "|---|---:|---:|---:|"
  echo "| BearSSL | $(num "$ln_sb") B | – | – |"
  echo "| mbedTLS | $(num "$ln_sm") B | $(num "$ln_am") B | $(num "$ln_asize") B |"
  echo "| SHA-256 only | $(num "$ln_ss") B | – | – |"
  echo "| HSS/LMS only | $(num "$ln_sl") B | – | – |"
  echo "| HSS/LMS only, overwrite-only | $(num "$ln_so") B | – | – |"
  echo "| HSS/LMS only, minimal without the guard (writes the journal) | $(num "$ln_sn") B | – | – |"
  echo
  echo "### One HSS/LMS verification (Cortex-M4)"
  echo
  lms_line=$(grep '^cross-check: verifier lms' "$work/cross.txt")
  lms_stack=$(sed -n 's/.* stack=\([0-9]*\).*/\1/p' <<<"$lms_line")
  lms_kinsn=$(sed -n 's/.* \([0-9]*\)k instructions.*/\1/p' <<<"$lms_line")
  lms_text=$(sed -n 's/.*lms_common.c text \([0-9]*\) B.*/\1/p' <<<"$lms_line")
  echo "\`scripts/cross-check.sh\` links the verifier alone (\`src/lms.c\`, \`src/lms_common.c\`,"
  echo "BearSSL's SHA-256; \`scripts/cross_verifier.c\`) and runs it on QEMU with \`-icount shift=0\`"
  echo "(one instruction per nanosecond; SysTick at 25 MHz counts 40 instructions a tick): one"
  echo "verification of RFC 8554 Test Case 1 (two levels of \`LMS_SHA256_M32_H5\` /"
  echo "\`LMOTS_SHA256_N32_W8\`: 2 × 34 Winternitz chains; H10 adds 10 hashes) takes"
  echo "$(num "$lms_kinsn")k instructions (an instruction count, not Cortex-M4 cycles) and"
  echo "$(num "$lms_stack") B of stack, whatever the parameter set (the signature is read in place);"
  echo "the two files are $(num "$lms_text") B of text before linking (-Os). The lean HSS/LMS"
  echo "bootloader hashes with the compact SHA-256 instead: about 1.36 times these instructions"
  echo "(decisions.md, \"A compact SHA-256 for the lean bootloaders\")."
  echo
  echo "## The agent part (Cortex-M4)"
  echo
  echo "Issue 13's agent part is what src/ links into the example application (agent, store, HTTP"
  echo "client and response parser, URLs, manifest reader, the crypto backend's glue; not the crypto"
  echo "library, the network port, lwIP or the application's own files). The example application of"
  echo "the tables above keeps every status name (its console prints them); here it is linked on a"
  echo "core built with \`OTA_STATUS_STRINGS=0\` (include/otaflow/config.h: no \`*_str()\` name is"
  echo "compiled in, the agent's log line gives numbers) and without the optional features (the"
  echo "target is \"agent, store, HTTP, manifest\"): issue 14's \`OTA_RAW_IMAGES=0 OTA_FILE_SLOTS=0\`,"
  echo "issue 18's HSS/LMS verification \`OTA_SIG_HSS_LMS=0\`, issue 16's"
  echo "\`OTA_CONDITIONAL_GET=0 OTA_VERIFY_OVER_POLLS=0\`, issue 17's \`OTA_FLEET=0\` and issue 15's"
  echo "\`OTA_DELTA_PATCHES=0\` (firmware/CMakeLists.txt, \`ota_core_fw_nonames\`;"
  echo "\`example-app-nonames.elf\`), with the same flags as above; with those features at their"
  echo "default (\`example-app-nonames-features.elf\`, last column); and once more without them with"
  echo "\`-flto -Os\` over the core alone"
  echo "(\`example-app-nonames-lto.elf\`): every other library is linked from a copy without its LTO"
  echo "form and the application's files are compiled without it, so LTO optimises the core's"
  echo "modules together and nothing across its boundary; its LTRANS objects are the core's alone"
  echo "(charged to otaflow, as one module). None of these programs is run by the tests (the example app"
  echo "of the tables above is); \`tests/lean/test_status_strings_off.c\` checks the option on the host."
  echo
  echo "### Per part (text / data / bss, bytes)"
  echo
  awk 'BEGIN {RS = ""} NR == 8 {print; print ""}' "$work/link.md"
  echo "### otaflow by module (src/; text / data / bss, bytes)"
  echo
  awk 'BEGIN {RS = ""} NR == 9 {print; print ""}' "$work/link.md"
  echo "### The program's own RAM objects (bytes)"
  echo
  awk 'BEGIN {RS = ""} NR == 10 {print; print ""}' "$work/link.md"
  echo "### Issue 13's targets"
  echo
  echo "Anchors as issue 13 quotes them (measured elsewhere, with the same flags: \`-Os\`,"
  echo "\`--gc-sections\`, newlib-nano; not re-measured here): MCUboot's overwrite-only bootloader"
  echo "9,372 B text / 3,432 B bss; wolfBoot with LMS signatures 8,164 B for the whole bootloader."
  echo "RAM is data + bss (without the reserved stack) + the measured stack high-water mark."
  echo "\"Largest parts\" lists the biggest parts of the ordinary link (the -flto total has none)."
  echo
  # cells of the lean tables: text/data/bss of a part (row label) in a column (1-based)
  lean_cell() {
    awk -F'|' -v r="$1" -v c="$2" 'BEGIN {RS = ""} NR == 4' "$work/link.md" |
      awk -F'|' -v r="$1" -v c="$2" '{l = $2; gsub(/^ +| +$/, "", l)} l == r {x = $(c + 2); gsub(/[ ,]/, "", x); print x; exit}'
  }
  # field K (1 text, 2 data, 3 bss) of a lean variant's -flto link (the table of LTO totals)
  lto_field() { awk -F'|' -v r="$1" -v k="$2" '{l = $2; gsub(/^ +| +$/, "", l)} l == r {x = $3; gsub(/[ ,]/, "", x); split(x, a, "/"); print a[k]; exit}' "$work/link.md"; }
  lto_text() { lto_field "$1" 1; }
  # the largest parts of a lean column, "name N B" joined by ", "
  largest() {
    awk 'BEGIN {RS = ""} NR == 4' "$work/link.md" | awk -F'|' -v c="$1" '
      NR > 2 && $2 !~ /total|stack|padding/ {x = $(c + 2); gsub(/[ ,]/, "", x); split(x, a, "/")
        if (a[1] + 0 > 0) {l = $2; gsub(/^ +| +$/, "", l); sub(/ \(.*/, "", l); print a[1] "\t" l}}' |
      sort -nr | head -4 | awk -F'\t' '{printf "%s%s %d B", (NR > 1 ? ", " : ""), $2, $1}' |
      sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'
  }
  # the largest src/ modules of a lean column
  largest_mods() {
    awk 'BEGIN {RS = ""} NR == 5' "$work/link.md" | awk -F'|' -v c="$1" '
      NR > 2 {x = $(c + 2); gsub(/[ ,]/, "", x); split(x, a, "/"); if (a[1] + 0 > 0) {l = $2; gsub(/ /, "", l); print a[1] "\t" l}}' |
      sort -nr | head -5 | awk -F'\t' '{printf "%s%s %d B", (NR > 1 ? ", " : ""), $2, $1}' |
      sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'
  }
  tdb() { echo "$1" | awk -F/ -v k="$2" '{print $k}'; }
  # a RAM object of the lean BearSSL bootloader (its table above): the core's structs as the
  # lean build sizes them (firmware/lean_core.cmake), not the defaults of the struct table
  lean_obj() {
    awk 'BEGIN {RS = ""} NR == 6' "$work/link.md" |
      awk -F'|' -v r="\`$1\`" '{l = $2; gsub(/^ +| +$/, "", l)} l == r {x = $3; gsub(/[ ,]/, "", x); print x; exit}'
  }
  lb=$(lean_cell "**total**" 1) ls=$(lean_cell "**total**" 3) ll=$(lean_cell "**total**" 7)
  lb_ram=$(( $(tdb "$lb" 2) + $(tdb "$lb" 3) + ln_sb ))
  ls_ram=$(( $(tdb "$ls" 2) + $(tdb "$ls" 3) + ln_ss ))
  ll_ram=$(( $(tdb "$ll" 2) + $(tdb "$ll" 3) + ln_sl ))
  status() { if (( $1 <= $2 )); then echo "met"; else echo "$(num $(( $1 - $2 ))) B over"; fi; }
  # The agent part: what src/ (its HTTP response parser included) links into the example app
  # (mbedTLS build), without the crypto library and the network port; its RAM the core's structs.
  app_part() { awk -F'|' -v r="$1" '{l = $2; gsub(/^ +| +$/, "", l)} l == r {x = $5; gsub(/[ ,]/, "", x); split(x, a, "/"); print a[1] + 0; exit}' "$work/link.md"; }
  agent_text=$(( $(app_part "otaflow (src/, by module below)") ))
  # The same part without status names (column 1) and with -flto over the core (column 3).
  agent_cell() {
    awk 'BEGIN {RS = ""} NR == 8' "$work/link.md" | awk -F'|' -v c="$1" \
      '{l = $2; gsub(/^ +| +$/, "", l)} l == "otaflow (src/, by module below)" {x = $(c + 2); gsub(/[ ,]/, "", x); split(x, a, "/"); print a[1] + 0; exit}'
  }
  agent_nonames=$(agent_cell 1) agent_lto=$(agent_cell 3) agent_features=$(agent_cell 5)
  # its largest src/ modules (ordinary link without names)
  agent_mods=$(awk 'BEGIN {RS = ""} NR == 9' "$work/link.md" | awk -F'|' '
      NR > 2 {x = $3; gsub(/[ ,]/, "", x); split(x, a, "/"); if (a[1] + 0 > 0) {l = $2; gsub(/ /, "", l); print a[1] "\t" l}}' |
      sort -nr | head -6 | awk -F'\t' '{printf "%s%s %d B", (NR > 1 ? ", " : ""), $2, $1}' |
      sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')
  agent_ram=$(( $(agent_part_size ota_agent_t) + $(agent_part_size ota_store_t) ))
  echo "| target | limit | measured | status | largest parts (what is left) |"
  echo "|---|---:|---:|---|---|"
  echo "| bootloader, ECDSA P-256 (lean, BearSSL), text | 16,384 B | $(num "$(tdb "$lb" 1)") B; -flto $(num "$(lto_text "lean, BearSSL")") B | $(status "$(lto_text "lean, BearSSL")" 16384) | $(largest 1); in src/: $(largest_mods 1) |"
  echo "| bootloader, ECDSA P-256 (lean, BearSSL), RAM | 6,144 B | $(num "$lb_ram") B | $(status "$lb_ram" 6144) | stack $(num "$ln_sb") B (BearSSL's big numbers live there), bss $(num "$(tdb "$lb" 3)") B: \`ota_boot_t\` $(num "$(lean_obj g_boot)") B, \`ota_store_t\` $(num "$(lean_obj g_store)") B, \`ota_guard_t\` $(num "$(lean_obj g_guard)") B |"
  echo "| bootloader, SHA-256 only (lean), text | 8,192 B | $(num "$(tdb "$ls" 1)") B; -flto $(num "$(lto_text "lean, SHA-256 only")") B | $(status "$(lto_text "lean, SHA-256 only")" 8192) | $(largest 3); in src/: $(largest_mods 3) |"
  echo "| bootloader, SHA-256 only (lean), RAM (no target) | – | $(num "$ls_ram") B | – | stack $(num "$ln_ss") B, bss $(num "$(tdb "$ls" 3)") B |"
  # The minimal variants (columns 4-6 of the lean tables): text only; their deepest path, the
  # signature check (or the SHA-256 pass), is the full build's, whose stack is measured above.
  minimal_row() { # LABEL COLUMN LIMIT WHAT
    local t; t=$(lean_cell "**total**" "$2")
    echo "| $1, text | $(num "$3") B | $(num "$(tdb "$t" 1)") B; -flto $(num "$(lto_text "$4")") B | $(status "$(lto_text "$4")" "$3") | $(largest "$2"); in src/: $(largest_mods "$2"); bss $(num "$(tdb "$t" 3)") B |"
  }
  minimal_row "bootloader minimal, ECDSA P-256 and the guard (lean, BearSSL)" 4 16384 "minimal, BearSSL"
  minimal_row "bootloader minimal, ECDSA P-256 without the guard (lean, BearSSL)" 5 16384 "minimal, no guard, BearSSL"
  minimal_row "bootloader minimal, SHA-256 only, without the guard (lean)" 6 8192 "minimal, no guard, SHA-256 only"
  echo "| bootloader, HSS/LMS only (lean; issue 18), text | 8,192 B | $(num "$(tdb "$ll" 1)") B; -flto $(num "$(lto_text "lean, HSS/LMS only")") B | $(status "$(lto_text "lean, HSS/LMS only")" 8192) | $(largest 7); in src/: $(largest_mods 7) |"
  echo "| bootloader, HSS/LMS only (lean; issue 18), RAM incl. stack | 4,096 B | $(num "$ll_ram") B | $(status "$ll_ram" 4096) | stack $(num "$ln_sl") B, bss $(num "$(tdb "$ll" 3)") B |"
  # The 8 KB candidates (columns 8-10): minimal HSS/LMS only, and the overwrite-only installs
  # (OTA_BOOT_JOURNAL=0). The RAM of the HSS/LMS ones: the data and bss of each one's -flto
  # link (the one its text row judges) and its own console twin's stack.
  minimal_row "bootloader minimal, HSS/LMS only, without the guard (lean; issue 18)" 8 8192 "minimal, no guard, HSS/LMS only"
  ln_lto="minimal, no guard, HSS/LMS only"
  ln_ram=$(( $(lto_field "$ln_lto" 2) + $(lto_field "$ln_lto" 3) + ln_sn ))
  echo "| bootloader minimal, HSS/LMS only, without the guard (lean; issue 18), RAM incl. stack | 4,096 B | $(num "$ln_ram") B | $(status "$ln_ram" 4096) | stack $(num "$ln_sn") B (its own console twin, ordinary link, measured), data $(num "$(lto_field "$ln_lto" 2)") B and bss $(num "$(lto_field "$ln_lto" 3)") B of the -flto link |"
  minimal_row "bootloader overwrite-only (no journal writes), SHA-256 only (lean)" 9 8192 "overwrite-only, SHA-256 only"
  minimal_row "bootloader overwrite-only (no journal writes), HSS/LMS only (lean; issue 18)" 10 8192 "overwrite-only, HSS/LMS only"
  lo_lto="overwrite-only, HSS/LMS only"
  lo_ram=$(( $(lto_field "$lo_lto" 2) + $(lto_field "$lo_lto" 3) + ln_so ))
  echo "| bootloader overwrite-only, HSS/LMS only (lean; issue 18), RAM incl. stack | 4,096 B | $(num "$lo_ram") B | $(status "$lo_ram" 4096) | stack $(num "$ln_so") B (its own console twin, ordinary link, measured), data $(num "$(lto_field "$lo_lto" 2)") B and bss $(num "$(lto_field "$lo_lto" 3)") B of the -flto link |"
  echo "| agent part (src/ in the example app, mbedTLS glue), text: \`OTA_STATUS_STRINGS=0\`, -Os, --gc-sections, core -flto | 24,576 B | $(num "$agent_lto") B; without -flto $(num "$agent_nonames") B; with the status names (the example app above) $(num "$agent_text") B; without -flto but with those optional features at their default (the last column of the agent part's tables) $(num "$agent_features") B | $(status "$agent_lto" 24576) | in src/ (without -flto): $agent_mods |"
  echo "| agent part, RAM: \`ota_agent_t\` + \`ota_store_t\`, built with the agent part's options (the text row above) | 8,192 B | $(num "$agent_ram") B | $(status "$agent_ram" 8192) | \`ota_agent_t\` $(num "$(agent_part_size ota_agent_t)") B (HTTP client and its buffer, manifest reader, plan, URLs), \`ota_store_t\` $(num "$(agent_part_size ota_store_t)") B; with every option at its default (the example app): $(num $(( $(struct_size ota_agent_t) + $(struct_size ota_store_t) ))) B |"
  # Issue 15's delta updates: built out of the agent part above (OTA_DELTA_PATCHES=0), so their
  # own row: the objects (-Os, before gc, default options) and the RAM an application gives.
  obj_text() { arm-none-eabi-size "$@" | awk 'NR > 1 {t += $1 + $2} END {print t}'; }
  patch_agent=$(obj_text "$work"/{agent_patch,manifest_patch,store_patch}.o)
  patch_common=$(obj_text "$work/delta.o")
  patch_ofd=$(obj_text "$work/delta_ofd.o") patch_jojo=$(obj_text "$work/delta_jojo.o")
  patch_ram=$(struct_size ota_agent_patch_t)
  echo "| delta updates (issue 15; \`OTA_DELTA_PATCHES\`, off in the agent part above), code: objects before gc | 3,072 B per format's applier | agent, manifest and store side $(num "$patch_agent") B; applier: common $(num "$patch_common") B + otaflow's $(num "$patch_ofd") B = $(num $(( patch_common + patch_ofd ))) B, + jojodiff's $(num "$patch_jojo") B = $(num $(( patch_common + patch_jojo ))) B | $(status $(( patch_common + (patch_ofd > patch_jojo ? patch_ofd : patch_jojo) )) 3072) | \`agent_patch.o\` $(num "$(obj_text "$work/agent_patch.o")") B, \`manifest_patch.o\` $(num "$(obj_text "$work/manifest_patch.o")") B, \`store_patch.o\` $(num "$(obj_text "$work/store_patch.o")") B (docs/delta.md) |"
  echo "| delta updates, RAM beside the agent: \`ota_agent_patch_t\` (the firmware app gives none yet) | 4,096 B | $(num "$patch_ram") B | $(status "$patch_ram" 4096) | the applier's probabilities 3,840 B, its patch ring 64 B and output buffer 32 B, checkpoint, PatchDigest |"
  echo
  echo "The status of a text target is judged on the -flto total. What is left is the core itself:"
  echo "the lean bootloader's drivers (memory-mapped NOR, start-up, jump, watchdog) are a few hundred"
  echo "bytes of the \"port\" and \"program\" rows, and libc is only \`memcpy\`/\`memset\`/\`memcmp\`"
  echo "(its row above); the rest is src/ (boot, store, journal, guard, image: the module table) and"
  echo "the crypto library. The emulated board's bootloader (first tables) is the lean one plus"
  echo "its flash model, settings parser and semihosting write-through. The lean rows use the"
  echo "core's options \`OTA_BOOT_LOG=0\` (and \`OTA_SIGNATURES=0\` for SHA-256 only) and the sizes of"
  echo "firmware/lean_core.cmake; every feature of the bootloader is in. The \"minimal\" rows are"
  echo "the same bootloader built with \`OTA_BOOT_FACTORY_IMAGE=0 OTA_BOOT_TRIAL_BOOTS=0"
  echo "OTA_BOOT_REPAIR=0\` and for uniform flashes only (\`OTA_FLASH_SECTOR_TABLES=0\`;"
  echo "include/otaflow/config.h, firmware/lean_core.cmake): signature check (or SHA-256) and the"
  echo "power-safe, resumable install from the journal, no factory image, trial boots, roll back or"
  echo "repair; \"no guard\" adds \`OTA_BOOT_GUARD=0\` (the floor is the journal's counter). The"
  echo "\"overwrite-only\" rows add \`OTA_BOOT_JOURNAL=0\`: the bootloader never writes the journal, it"
  echo "installs the pending image again at every reset until the copy verifies and the application"
  echo "records the outcome (docs/configuration.md); of the rows under 8 KB, the smallest that still"
  echo "installs power-safe is the one a target judges (every variant here does: a cut anywhere is"
  echo "finished by the next reset, tests/lean). Their"
  echo "stack is not measured apart: their deepest path is the full build's. What each feature costs of"
  echo "what is left over a text target, what MCUboot's overwrite-only build does not do, and what"
  echo "further shrinking would cost: \"The lean bootloader: what each part buys\" at the end"
  echo "(docs/footprint-lean.md)."
  echo
  echo "The agent part's target is judged on the core linked with -flto (\"The agent part\" above:"
  echo "\`OTA_STATUS_STRINGS=0\`, \`-mcpu=cortex-m4 -mthumb -Os -ffunction-sections -fdata-sections\`,"
  echo "\`--gc-sections\`, newlib-nano, \`-flto -Os\` over src/ alone, mbedTLS backend's glue). The"
  # Like against like: the example app keeps the optional features, so its names are priced
  # against the no-names build that keeps them too (the last column), not the target's.
  echo "status names cost $(num $(( agent_text - agent_features ))) B of text (the example app against"
  echo "the same core without them, the optional features in both), what a console that"
  echo "prints them buys; LTO $(num $(( agent_nonames - agent_lto ))) B more (calls across modules"
  echo "inlined, functions called once folded in). Without either the part stays over (the row's"
  echo "other figures): what shrinking further would take is in docs/footprint-agent.md."
  echo
  echo "# Objects before linking"
  echo
  echo "The portable core alone, each file of src/ compiled with \`-mcpu=cortex-m4 -mthumb -Os"
  echo "-ffunction-sections -fdata-sections\` (mbedTLS backend), before linking (no garbage"
  echo "collection): an upper bound of what a firmware links of each file. Third-party code is not"
  echo "included here; the linked figures above are the ones that ship."
  echo
  echo "## Code (text) per file of src/"
  echo
  echo "| file | text | data | bss |"
  echo "|---|---:|---:|---:|"
  total=0
  for o in "$work"/*.o; do
    read -r t d b _ < <(arm-none-eabi-size "$o" | tail -1)
    echo "| $(basename "$o" .o).c | $t | $d | $b |"
    total=$((total + t))
  done
  echo "| **total** | **$total** | | |"
  echo
  echo "## microMIPS (the PIC32MZ's CPU): text per file of src/"
  echo
  echo "\`make cross-check\` compiles every file of src/ for the PIC32MZ W1's CPU with Debian's"
  echo "\`mipsel-linux-gnu-gcc\` (\`-march=m14kc -mmicromips -EL -Os -ffreestanding\`, function and data"
  echo "sections) and for the Cortex-M4 (\`-mcpu=cortex-m4 -mthumb -Os -ffreestanding\`), both"
  echo "backends; these are its objects' sizes (\`scripts/cross-check.sh\` with \`CROSS_SIZES_DIR\`),"
  echo "before linking: an upper bound of what a firmware links of each file. crypto_sha256_small.c"
  echo "is compiled with \`OTA_SHA256_SMALL=1\` (the lean bootloaders' SHA-256) and left out of the"
  echo "totals, which count each backend's own SHA-256."
  echo
  echo "| src/ file | Cortex-M4 text | microMIPS text | microMIPS data | microMIPS bss |"
  echo "|---|---:|---:|---:|---:|"
  awk 'FNR == 1 {next} FILENAME ~ /cortex-m4/ {n = $6; sub(/.*\//, "", n); m4[n] = $1; next}
       {n = $6; sub(/.*\//, "", n); sub(/\.o$/, ".c", n); k = n; sub(/\.c$/, ".o", k)
        printf "| %s | %d | %d | %d | %d |\n", n, m4[k], $1, $2, $3
        if (n ~ /_bearssl\.c$/) {bt += $1; bm += m4[k]} else if (n ~ /^(crypto_mbedtls|sig_ecdsa_p256)\.c$/) {mt += $1; mm += m4[k]} else if (n != "crypto_sha256_small.c") {t += $1; tm += m4[k]}}
       END {printf "| **total with the mbedTLS backend** | **%d** | **%d** | | |\n", tm + mm, t + mt
            printf "| **total with the BearSSL backend** | **%d** | **%d** | | |\n", tm + bm, t + bt}' \
    "$work/cross/cortex-m4.txt" "$work/cross/micromips.txt"
  echo
  echo "## RAM: caller-owned structs (sizeof on Cortex-M4)"
  echo
  echo "Everything the core needs lives in these; nothing is allocated."
  echo
  echo "| struct | bytes | holds |"
  echo "|---|---:|---|"
  arm-none-eabi-nm -S "$work/sizes.obj" | while read -r _ hex _ sym; do echo "$sym $((16#$hex))"; done | sort | \
  while read -r sym size; do
    name=${sym#sz_}
    case $name in
      ota_agent_t) what="the whole agent: HTTP client + its 2 KB buffer, manifest reader, plan, URLs";;
      ota_http_client_t) what="HTTP client state (without its I/O buffer)";;
      ota_store_t) what="image store: two snapshots, record buffer (OTA_STORE_RECORD_BUF, 512 B), 512 B work buffer";;
      ota_manifest_plan_t) what="selection result (erase list + update with its URL)";;
      ota_manifest_parser_t) what="streaming manifest reader (the entry being read, with its URL)";;
      ota_boot_t) what="bootloader work memory (copy + compare buffers)";;
      ota_image_info_t) what="parsed image header and TLVs";;
      ota_sha256_t) what="SHA-256 context storage";;
      ota_guard_t) what="bootloader-owned anti-rollback storage (two record buffers)";;
      ota_sig_key_t) what="one trusted key entry (program flash; its key bytes come on top: 65 for P-256)";;
      *) what="";;
    esac
    echo "| \`$name\` | $size | $what |"
  done
  echo
  agent_ram=$(( $(struct_size ota_agent_t) + $(struct_size ota_store_t) ))
  boot_ram=$(( $(struct_size ota_boot_t) + $(struct_size ota_store_t) + $(struct_size ota_guard_t) ))
  echo "An application running the agent needs \`ota_agent_t\` plus \`ota_store_t\` (the store is"
  echo "shared with the application for \`ota_confirm\`): $agent_ram B. The bootloader needs"
  echo "\`ota_boot_t\`, \`ota_store_t\` and \`ota_guard_t\`: $boot_ram B."
  echo
  echo "## Stack: the largest frames (\`-fstack-usage\`)"
  echo
  echo "| function | bytes | kind |"
  echo "|---|---:|---|"
  cat "$work"/*.su | sort -t$'\t' -k2 -n -r | sed -n 1,8p | \
    while IFS=$'\t' read -r fn bytes kind; do echo "| \`${fn##*:}\` | $bytes | $kind |"; done
  echo
  echo "## Stack: the deepest call chains (\`-fcallgraph-info=su\`)"
  echo
  echo "The sum of our own frames along the deepest call chain from each entry point (a public"
  echo "function nothing in src/ calls; the six deepest), read from the call graphs gcc writes"
  echo "(\`scripts/footprint_stack.awk\`, which also fails on recursion: nothing in src/ recurses)."
  echo "Not included: what runs below a call out of src/ (mbedTLS: the SHA-256 block function's"
  echo "64-word message schedule alone is 256 B, ECDSA more), and what runs below an indirect call"
  echo "(the port's flash, transport and log hooks, the HTTP response parser's callbacks)."
  echo
  echo "| entry point | bytes | deepest chain |"
  echo "|---|---:|---|"
  cat "$work"/*.ci | awk -f scripts/footprint_stack.awk > "$work/chains"
  sort -t$'\t' -k1,1nr "$work/chains" | sed -n 1,6p | \
    while IFS=$'\t' read -r bytes fn chain; do echo "| \`$fn\` | $bytes | $chain |"; done

  # The verify path of signed images (it goes into the bootloader): our code, its stack, and
  # the heap mbedTLS takes for one verification, measured on the host.
  sig_text=0
  for f in crypto_common crypto_mbedtls sig_verify sig_ecdsa_p256 image_sig store_policy; do
    read -r t _ < <(arm-none-eabi-size "$work/$f.o" | tail -1)
    sig_text=$((sig_text + t))
  done
  sig_stack=$(cat "$work"/*.su | awk -F'\t' '$1 ~ /:ota_sig_ecdsa_p256_verify$/ {print $2}')
  gcc -O2 -std=c11 -D_DEFAULT_SOURCE -DOTA_SIG_HSS_LMS=0 -Iinclude scripts/footprint_ecdsa_heap.c src/crypto_mbedtls.c \
    src/sig_verify.c src/sig_ecdsa_p256.c \
    -Wl,--wrap=calloc -Wl,--wrap=free /usr/lib/x86_64-linux-gnu/libmbedcrypto.a -o "$work/ecdsa_heap"
  read -r h_status h_peak h_blocks h_calls h_left h_ms < <("$work/ecdsa_heap")
  for _ in 1 2 3 4; do  # the time is the best of five runs (the machine may be busy)
    read -r _ _ _ _ _ t < <("$work/ecdsa_heap")
    h_ms=$(awk -v a="$h_ms" -v b="$t" 'BEGIN {print (b < a ? b : a)}')
  done
  [ "$h_status" = 0 ] && [ "$h_left" = 0 ] || { echo "footprint: ecdsa heap measurement failed" >&2; exit 1; }
  echo
  echo "## Signature verification (measured)"
  echo
  echo "| what | value |"
  echo "|---|---:|"
  echo "| code of crypto_common.c + crypto_mbedtls.c + sig_verify.c + sig_ecdsa_p256.c + image_sig.c + store_policy.c (Cortex-M4, above) | $sig_text B |"
  echo "| stack frame of \`ota_sig_ecdsa_p256_verify\` (Cortex-M4) | ${sig_stack:-?} B |"
  echo "| mbedTLS heap, peak of one P-256 verify (host, Debian libmbedcrypto, bytes requested) | $h_peak B |"
  echo "| blocks live at that peak | $h_blocks |"
  echo "| allocations during one verify | $h_calls |"
  echo "| time of one verify (host x86-64, best of 5) | $h_ms ms |"
  echo
  echo "mbedTLS itself (bignum, ecp, ecdsa, asn1) is not in these numbers: it is in the linked tables above."

  # Sections written by hand (or by other measurements), kept across regenerations.
  for extra in docs/footprint-*.md; do
    [ -e "$extra" ] || continue
    echo
    cat "$extra"
  done
} > "$out"
echo "footprint: wrote $out"
