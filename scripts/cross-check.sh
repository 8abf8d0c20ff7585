#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The portable core on its targets (docs/decisions.md, "Crypto backend"):
#  1. no OS header, no heap, no stdio in src/;
#  2. every file of src/ compiles for a Cortex-M4 (arm-none-eabi-gcc -Os, freestanding), with
#     each crypto backend (mbedTLS, BearSSL), and OTA_ASSERT costs nothing there;
#  3. nothing in src/ calls the compiler's 64-bit division (__aeabi_uldivmod, __udivdi3, ...);
#  4. the verifier alone (SHA-256 + ECDSA P-256 verify, scripts/cross_verifier.c) is linked for
#     the Cortex-M4 with each backend (BearSSL i15 and i31, mbedTLS), the backend built for the
#     target from Debian's source package, and run under QEMU (mps2-an386): a real signature
#     must verify and a changed hash must not; its size, stack and arena are printed;
#     (and the patch appliers stay within 3 KB of code per format);
#  5. every file of src/ compiles for the PIC32MZ's CPU (microMIPS, mipsel-linux-gnu-gcc
#     -march=m14kc -mmicromips, freestanding, no OS headers) with the BearSSL backend.
# src/crypto_sha256_small.c is compiled with OTA_SHA256_SMALL=1 (else it is empty); the
# "src/ with <backend>" totals leave it out, as a build has one SHA-256.
# Exits non-zero on the first problem. Sizes go to stdout (docs/decisions.md quotes them).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
CC=${CROSS_CC:-arm-none-eabi-gcc}
MIPS_CC=${MIPS_CC:-mipsel-linux-gnu-gcc}
BUILD=${OTA_BUILD_DIR:-$here/build}
for tool in "$CC" "$MIPS_CC"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "cross-check: $tool not found (run make deps)" >&2; exit 1
  fi
done

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fail=0

# --- 1. no OS headers, no heap in the portable core ----------------------------------------
if grep -nE '#\s*include\s*<(unistd|pthread|fcntl|signal|dirent|netdb|poll|termios|sys/|arpa/|netinet/)' src/*.c src/*.h include/otaflow/*.h; then
  echo "cross-check: OS header in the portable core" >&2; fail=1
fi
if grep -nE '\b(malloc|calloc|realloc|free|printf|fprintf|fopen|exit)\s*\(' src/*.c | grep -vE '^\S+:\s*(//|/?\*)'; then
  echo "cross-check: heap, stdio or exit used in the portable core" >&2; fail=1
fi

# The target builds of the crypto libraries come from Debian's source packages.
src_dir() { bash scripts/debian_source.sh "$1" "$BUILD/debian-src" 2>"$work/$1.log" \
  || { cat "$work/$1.log" >&2; echo "cross-check: no $1 source package" >&2; exit 1; }; }
BEARSSL=$(src_dir bearssl)
MBEDTLS=$(src_dir mbedtls)

# Third-party headers the core includes, exposed alone so that the cross compiler never sees
# the host's /usr/include (which would hide a host-only dependency).
inc=$work/inc; mkdir -p "$inc"
ln -s "$MBEDTLS/include/mbedtls" "$inc/mbedtls"
for h in "$BEARSSL"/inc/*.h; do ln -s "$h" "$inc/"; done

# The files of each crypto backend; every other file of src/ is in every build.
declare -A BACKEND=([mbedtls]="src/crypto_mbedtls.c src/sig_ecdsa_p256.c src/crypto_enc_mbedtls.c"
                    [bearssl]="src/crypto_bearssl.c src/sig_ecdsa_p256_bearssl.c src/crypto_enc_bearssl.c")
# shellcheck disable=SC2086  # the lists are meant to split
core=$(ls src/*.c | grep -vxF -f <(printf '%s\n' ${BACKEND[mbedtls]} ${BACKEND[bearssl]}))

# mbedTLS configured as a firmware has it: SHA-256 (the smaller loop), ECDSA P-256 verify,
# a static arena, no C library functions (MBEDTLS_CONFIG_FILE).
cat > "$work/mbedtls_verify_config.h" <<'H'
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
void cross_exit(int status);
#define MBEDTLS_PLATFORM_EXIT_MACRO cross_exit
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECP_WINDOW_SIZE 4
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0
#define MBEDTLS_ECP_NO_INTERNAL_RNG
#define MBEDTLS_MPI_MAX_SIZE 32
#include "mbedtls/check_config.h"
H
MBEDTLS_FILES="sha256.c bignum.c ecp.c ecp_curves.c ecdsa.c asn1parse.c asn1write.c platform.c
  platform_util.c memory_buffer_alloc.c constant_time.c"
MBEDTLS_CFG=-DMBEDTLS_CONFIG_FILE=\"$work/mbedtls_verify_config.h\"

# --- 2. the core for a Cortex-M4 ------------------------------------------------------------
WARN=(-std=c11 -Wall -Wextra -Werror -Wconversion -Wshadow -Wstrict-prototypes -Wmissing-prototypes)
M4=(-mcpu=cortex-m4 -mthumb -Os -ffreestanding -ffunction-sections -fdata-sections)
compile_all() { # out-dir cc flags... ; compiles $core and both backends
  local out=$1 cc=$2; shift 2
  mkdir -p "$out"
  # shellcheck disable=SC2086
  for f in $core ${BACKEND[mbedtls]} ${BACKEND[bearssl]}; do
    # The compact SHA-256 as the lean bootloaders build it (by default the file is empty)
    local on=()
    [[ $f == src/crypto_sha256_small.c ]] && on=(-DOTA_SHA256_SMALL=1)
    if ! "$cc" "$@" ${on[@]+"${on[@]}"} -c "$f" -o "$out/$(basename "$f" .c).o"; then
      echo "cross-check: $f does not compile with $cc $* ${on[*]}" >&2; fail=1
    fi
  done
}
compile_all "$work/m4" "$CC" "${M4[@]}" "${WARN[@]}" -Iinclude -isystem "$inc" "$MBEDTLS_CFG" -DNDEBUG
[ $fail -eq 0 ] || exit 1
objs_of() { # dir backend -> the objects of the core with that backend
  local f
  # shellcheck disable=SC2086
  for f in $core ${BACKEND[$2]}; do
    [[ $f == src/crypto_sha256_small.c ]] || echo "$1/$(basename "$f" .c).o"
  done
}
# Firmware builds leave OTA_ENABLE_ASSERT at 0: the internal checks must cost nothing there.
if arm-none-eabi-nm -u "$work"/m4/*.o | grep -q ota_port_assert_failed; then
  echo "cross-check: OTA_ASSERT is not compiled out with OTA_ENABLE_ASSERT=0" >&2; exit 1
fi
n=$(echo "$core" | wc -l)
echo "cross-check: $n files of src/ + each crypto backend compile for cortex-m4 (-Os -ffreestanding), no OS header, no heap"
for b in mbedtls bearssl; do
  # shellcheck disable=SC2046
  arm-none-eabi-size -t $(objs_of "$work/m4" $b) | tail -1 |
    awk -v b=$b '{print "cross-check: cortex-m4 src/ with "b": text "$1" B, data "$2" B, bss "$3" B (objects, before gc)"}'
done

# The patch appliers (issue 15, docs/delta.md): at most 3 KB of code per format, counting the
# common part (entry points, output buffer, checkpoints) with each format's decoder.
delta_text() { arm-none-eabi-size "$@" | awk 'NR > 1 {t += $1 + $2} END {print t}'; }
d_common=$(delta_text "$work/m4/delta.o")
for fmt in ofd:otaflow jojo:jojodiff; do
  t=$(( d_common + $(delta_text "$work/m4/delta_${fmt%%:*}.o") ))
  echo "cross-check: cortex-m4 patch applier, ${fmt#*:} format: $t B of code (delta.o $d_common B + delta_${fmt%%:*}.o)"
  if [ "$t" -gt 3072 ]; then
    echo "cross-check: the ${fmt#*:} patch applier is over 3 KB on a Cortex-M4" >&2; exit 1
  fi
done

# --- 3. no 64-bit division ------------------------------------------------------------------
# A uint64_t / or % makes gcc call libgcc (__aeabi_uldivmod on ARM, __udivdi3/__umoddi3 on
# MIPS): slow, and 784 B of code on a Cortex-M4 that a small bootloader does not otherwise need.
# Every symbol, not only undefined ones (-u): in a linked ELF the routine is defined.
check_div() { # nm objects-or-elf...
  local nm=$1; shift
  if "$nm" -A "$@" | grep -E '__aeabi_(u?ldivmod)|__(u?div|u?mod)di3|__udivmoddi4'; then
    echo "cross-check: 64-bit division in src/ (above): use 32-bit arithmetic" >&2; exit 1
  fi
}
check_div arm-none-eabi-nm "$work"/m4/*.o

# --- 4. the verifier alone, linked and run --------------------------------------------------
# The BearSSL files the verifier needs (generic prime-curve code): the firmware's list for i31;
# for i15 the same with 15-bit integers, which need no 32-bit division helper.
bearssl_files() { # i15|i31
  if [ "$1" = i31 ]; then grep -v '^#' scripts/bearssl_verifier_files.txt
  else grep -v -e '^#' -e i32_div32 scripts/bearssl_verifier_files.txt | sed 's/i31/i15/g; s/ninv31/ninv15/'
  fi
}

lib_build() { # name srcdir include-flags files...: a static library for the Cortex-M4
  local name=$1 dir=$2 incs=$3; shift 3
  mkdir -p "$work/lib-$name"
  for f in "$@"; do
    # shellcheck disable=SC2086
    "$CC" "${M4[@]}" $incs -w -c "$dir/$f" -o "$work/lib-$name/$(basename "$f" .c).o" \
      || { echo "cross-check: $name: $f does not compile" >&2; exit 1; }
  done
  arm-none-eabi-ar rcs "$work/lib$name.a" "$work/lib-$name"/*.o
}
# shellcheck disable=SC2046
lib_build bearssl-i15 "$BEARSSL/src" "-I$BEARSSL/inc -I$BEARSSL/src" $(bearssl_files i15)
# shellcheck disable=SC2046
lib_build bearssl-i31 "$BEARSSL/src" "-I$BEARSSL/inc -I$BEARSSL/src" $(bearssl_files i31)
# shellcheck disable=SC2086
lib_build mbedtls "$MBEDTLS/library" "-I$MBEDTLS/include $MBEDTLS_CFG" $MBEDTLS_FILES

# A key, a message and its signature, made by openssl for this run.
openssl ecparam -name prime256v1 -genkey -noout -out "$work/key.pem" 2>/dev/null
head -c 1000 /dev/urandom > "$work/msg"
openssl dgst -sha256 -sign "$work/key.pem" -out "$work/sig" "$work/msg"
openssl ec -in "$work/key.pem" -pubout -outform DER 2>/dev/null | tail -c 65 > "$work/pub"
c_array() { printf 'static const uint8_t %s[] = {' "$1"; od -An -v -tx1 "$2" | tr -s ' \n' ' ' |
  sed 's/^ //; s/ $//; s/\([0-9a-f][0-9a-f]\)/0x\1,/g'; printf '};\n'; }
{ c_array cross_key "$work/pub"; c_array cross_sig "$work/sig"; c_array cross_msg "$work/msg"; } \
  > "$work/cross_vector.h"
# HSS/LMS: RFC 8554 Test Case 1 (2 levels of H5/W8), from the unit tests' vectors.
python3 -I - tests/unit/lms_rfc8554_vectors.h "$work" <<'PY'
import re, sys
text, out = open(sys.argv[1]).read(), sys.argv[2]
def field(name):
    body = re.search(r"\b" + name + r"\b[^=]*=(.*?);", text, re.S).group(1)
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', body))
for name, var in (("RFC8554_TC1_PUBKEY", "key"), ("RFC8554_TC1_SIGNATURE", "sig")):
    open(f"{out}/lms_{var}", "wb").write(bytes.fromhex(field(name)))
open(f"{out}/lms_msg", "wb").write(field("RFC8554_TC1_MESSAGE").replace("\\n", "\n").encode())
PY
{ c_array cross_lms_key "$work/lms_key"; c_array cross_lms_sig "$work/lms_sig"
  c_array cross_lms_msg "$work/lms_msg"; } > "$work/cross_vector_lms.h"

cp scripts/qemu_m4.ld "$work/verifier.ld" # shared with scripts/delta_apply_bench.sh
LINK=(-nostartfiles --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections -T "$work/verifier.ld")
verifier() { # name backend-objects-dir define lib...
  local name=$1 dir=$2 def=$3; shift 3
  local objs=("$dir/crypto_common.o" "$dir/sig_verify.o")
  if [ "$def" = -DCROSS_VERIFIER_EMPTY ]; then
    objs=()
  elif [ "$def" = -DCROSS_VERIFIER_LMS ]; then
    objs=("$dir/crypto_common.o" "$dir/crypto_bearssl.o" "$dir/lms.o" "$dir/lms_common.o"
          "$dir/image_buffer.o")
  elif [ "$def" = -DCROSS_VERIFIER_MBEDTLS ]; then
    objs+=("$dir/crypto_mbedtls.o" "$dir/sig_ecdsa_p256.o")
  else
    objs+=("$dir/crypto_bearssl.o" "$dir/sig_ecdsa_p256_bearssl.o")
  fi
  "$CC" "${M4[@]}" -std=c11 -Wall -Wextra -Werror -Iinclude -I"$work" "$def" \
    -c scripts/cross_verifier.c -o "$work/$name-main.o"
  "$CC" "${M4[@]}" "${LINK[@]}" "$work/$name-main.o" ${objs[@]+"${objs[@]}"} "$@" -o "$work/$name.elf" \
    || { echo "cross-check: the $name verifier does not link" >&2; exit 1; }
}
# The backends' objects as the firmware compiles them: mbedTLS's with the target config. The
# ECDSA verifiers' dispatcher without HSS/LMS (measured on its own below).
mkdir -p "$work/v-mbedtls" "$work/v-i15" "$work/v-i31"
for f in crypto_common sig_verify crypto_mbedtls sig_ecdsa_p256; do
  "$CC" "${M4[@]}" "${WARN[@]}" -Iinclude -isystem "$inc" "$MBEDTLS_CFG" -DOTA_SIG_HSS_LMS=0 \
    -c "src/$f.c" -o "$work/v-mbedtls/$f.o"
done
for i in i15 i31; do
  def=; [ $i = i15 ] && def=-DOTA_BEARSSL_I15
  for f in crypto_common sig_verify crypto_bearssl sig_ecdsa_p256_bearssl lms lms_common image_buffer; do
    "$CC" "${M4[@]}" "${WARN[@]}" -Iinclude -isystem "$inc" $def -DOTA_SIG_HSS_LMS=0 \
      -c "src/$f.c" -o "$work/v-$i/$f.o"
  done
done
verifier empty "$work/v-i15" -DCROSS_VERIFIER_EMPTY
verifier mbedtls "$work/v-mbedtls" -DCROSS_VERIFIER_MBEDTLS "$work/libmbedtls.a"
verifier bearssl-i15 "$work/v-i15" -DCROSS_VERIFIER_BEARSSL "$work/libbearssl-i15.a"
verifier bearssl-i31 "$work/v-i31" -DCROSS_VERIFIER_BEARSSL "$work/libbearssl-i31.a"
verifier lms "$work/v-i15" -DCROSS_VERIFIER_LMS "$work/libbearssl-i15.a"
read -r base_text base_data base_bss _ < <(arm-none-eabi-size "$work/empty.elf" | tail -1)
command -v qemu-system-arm >/dev/null || { echo "cross-check: qemu-system-arm not found (run make deps)" >&2; exit 1; }
for v in mbedtls bearssl-i15 bearssl-i31; do
  # mbedTLS's bignum divides a double word (t_udbl) unless MBEDTLS_NO_UDBL_DIVISION: its
  # verifier links libgcc's routine, outside src/ (docs/decisions.md); BearSSL's must not.
  [[ $v == mbedtls ]] || check_div arm-none-eabi-nm "$work/$v.elf"
  read -r t d b _ < <(arm-none-eabi-size "$work/$v.elf" | tail -1)
  out=$(timeout 120 qemu-system-arm -M mps2-an386 -icount shift=0 -nographic -monitor none -serial none \
          -semihosting-config enable=on,target=native -kernel "$work/$v.elf" 2>&1) \
    || { echo "cross-check: the $v verifier failed on QEMU: $out" >&2; exit 1; }
  case $out in *result=0*) ;; *) echo "cross-check: the $v verifier: $out" >&2; exit 1 ;; esac
  ticks=$(echo "$out" | sed -n 's/.* ticks=\([0-9]*\).*/\1/p')
  echo "cross-check: verifier $v (SHA-256 + ECDSA P-256, cortex-m4 -Os, linked): text $((t - base_text)) B, data $((d - base_data)) B, bss $((b - base_bss)) B over the empty stub; on QEMU: $(echo "$out" | sed 's/ ticks=.*//'), $(( ticks * 40 / 1000 ))k instructions for SHA-256 of 1000 B and two verifies"
done
# HSS/LMS (BearSSL's SHA-256): its text is src/lms.c and src/lms_common.c (the stub's figure
# would count the test vector's 2.6 KB); a changed message must not verify.
out=$(timeout 120 qemu-system-arm -M mps2-an386 -icount shift=0 -nographic -monitor none -serial none \
        -semihosting-config enable=on,target=native -kernel "$work/lms.elf" 2>&1) \
  || { echo "cross-check: the lms verifier failed on QEMU: $out" >&2; exit 1; }
case $out in *result=0*) ;; *) echo "cross-check: the lms verifier: $out" >&2; exit 1 ;; esac
check_div arm-none-eabi-nm "$work/lms.elf"
ticks=$(echo "$out" | sed -n 's/.* ticks=\([0-9]*\).*/\1/p')
lms_text=$(arm-none-eabi-size "$work/v-i15/lms.o" "$work/v-i15/lms_common.o" | awk 'NR > 1 {t += $1} END {print t}')
echo "cross-check: verifier lms (SHA-256 + HSS/LMS, cortex-m4 -Os): src/lms.c + lms_common.c text $lms_text B (unlinked); on QEMU: $(echo "$out" | sed 's/ ticks=.*//'), $(( ticks * 40 / 1000 ))k instructions for one verify of RFC 8554 test case 1 (2 levels of H5/W8)"

# --- 5. the core for the PIC32MZ's CPU (microMIPS) -----------------------------------------
# Freestanding and without any C library: the few <string.h> functions the core uses are
# declared here, as a bare-metal C library declares them; gcc's own <limits.h> has every
# limit and looks for a C library's one after it: an empty one.
mkdir -p "$work/mips-inc"
: > "$work/mips-inc/limits.h"
cat > "$work/mips-inc/string.h" <<'H'
#include <stddef.h>
void *memcpy(void *, const void *, size_t);
void *memmove(void *, const void *, size_t);
void *memset(void *, int, size_t);
int memcmp(const void *, const void *, size_t);
void *memchr(const void *, int, size_t);
size_t strlen(const char *);
int strcmp(const char *, const char *);
int strncmp(const char *, const char *, size_t);
char *strchr(const char *, int);
H
compile_all "$work/mips" "$MIPS_CC" -march=m14kc -mmicromips -EL -Os -ffreestanding -nostdinc \
  -isystem "$(dirname "$("$MIPS_CC" -print-libgcc-file-name)")/include" -isystem "$work/mips-inc" \
  -ffunction-sections -fdata-sections "${WARN[@]}" -Iinclude -isystem "$inc" "$MBEDTLS_CFG" -DNDEBUG
[ $fail -eq 0 ] || exit 1
check_div mipsel-linux-gnu-nm "$work"/mips/*.o
for b in mbedtls bearssl; do
  # shellcheck disable=SC2046
  mipsel-linux-gnu-size -t $(objs_of "$work/mips" $b) | tail -1 |
    awk -v b=$b '{print "cross-check: micromips (m14kc) src/ with "b": text "$1" B, data "$2" B, bss "$3" B (objects, before gc)"}'
done
if [[ -n ${CROSS_SIZES_DIR:-} ]]; then # each object's sizes, for scripts/footprint.sh's table
  mkdir -p "$CROSS_SIZES_DIR"
  arm-none-eabi-size "$work"/m4/*.o >"$CROSS_SIZES_DIR/cortex-m4.txt"
  mipsel-linux-gnu-size "$work"/mips/*.o >"$CROSS_SIZES_DIR/micromips.txt"
fi
echo "cross-check: ok"
