/* SPDX-License-Identifier: Apache-2.0 */
/* otaflow-image: the host tool. Dispatches to one subcommand per file (cmd_*.c). */
#include <stdio.h>
#include <string.h>

#include "tool.h"
#include "otaflow/version.h"

static const char HELP[] =
    "usage: otaflow-image <subcommand> [options]   (otaflow-image <subcommand> --help)\n"
    "       otaflow-image --version                      print the release number\n"
    "\n"
    "  hex2bin IN.hex -o OUT.bin [--base ADDR] [--size N] [--clip]\n"
    "                                                         Intel HEX to a flat binary\n"
    "  pack IN -o OUT.ota --version N [--security-counter N] [--load-addr ADDR] [--hw ID]\n"
    "       [--key KEY.pem] [--encrypt-to DEVICE_PUB.pem]     build (sign, encrypt) an image\n"
    "  info FILE.ota [--json]                                 show header fields and TLVs\n"
    "  verify FILE.ota [--pubkey PUB.pem]                     exit 0 only if the image is intact\n"
    "                                                         (and signed by that key)\n"
    "  keygen -o KEY.pem [--pub PUB.pem]                      new ECDSA P-256 signing key\n"
    "  pubkey-c PUB.pem [-o FILE.c] [--name NAME]             C table of trusted keys\n"
    "  privkey-c DEVICE.pem [-o FILE.c] [--name NAME]         a device's decryption key (C)\n"
    "  manifest add MANIFEST.json --version N --url URL --file FILE.ota [--erase] [--hw ID]\n"
    "                                                         create or update a manifest\n"
    "  manifest sign MANIFEST.json --key KEY.pem [--expires DATE|+SECONDS] [--sequence N]\n"
    "                                                         sign it (MANIFEST.json.sig)\n"
    "  manifest verify MANIFEST.json --pubkey PUB.pem         check signature and freshness\n"
    "  merge A B -o UNIFIED.hex [--region ADDR]               one Intel HEX of both (.hex or\n"
    "                                                         .ota: a factory image)\n"
    "  diff OLD NEW -o PATCH [--format otaflow|jojodiff]      patch that turns OLD into NEW\n"
    "  patch OLD PATCH -o NEW                                 apply it (the device's applier)\n";

typedef struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
} subcommand_t;

static const subcommand_t SUBCOMMANDS[] = {
    {"hex2bin", cmd_hex2bin}, {"pack", cmd_pack},         {"info", cmd_info},
    {"verify", cmd_verify},   {"manifest", cmd_manifest}, {"merge", cmd_merge},
    {"keygen", cmd_keygen},   {"pubkey-c", cmd_pubkey_c}, {"privkey-c", cmd_privkey_c},
    {"diff", cmd_diff},       {"patch", cmd_patch},
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        return tool_usage_error(NULL, "missing subcommand (try otaflow-image --help)");
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(HELP, stdout);
        return TOOL_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("otaflow-image %s\n", OTA_VERSION_STRING);
        return TOOL_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof SUBCOMMANDS / sizeof SUBCOMMANDS[0]; i++) {
        if (strcmp(argv[1], SUBCOMMANDS[i].name) == 0) {
            int rc = SUBCOMMANDS[i].run(argc - 1, argv + 1);
            if (fflush(stdout) != 0 && rc == TOOL_EXIT_OK) {
                return tool_fail(SUBCOMMANDS[i].name, "cannot write to standard output");
            }
            return rc;
        }
    }
    return tool_usage_error(NULL, "unknown subcommand '%s' (try otaflow-image --help)", argv[1]);
}
