/* SPDX-License-Identifier: Apache-2.0 */
/* Public keys for `otaflow-board create` (host code, mbedTLS pk). */
#ifndef OTAFLOW_SIM_BOARD_KEY_H
#define OTAFLOW_SIM_BOARD_KEY_H

#include <stddef.h>

#include "board.h"

/** Read a P-256 public key PEM file into hex (04 || X || Y). 0, or -1 with a one-line err. */
int board_pubkey_hex(const char *path, char hex[BOARD_PUBKEY_HEX], char *err, size_t err_len);

/** Read a P-256 private key PEM file (the device key images are encrypted for) into the hex of
 *  board.conf's decrypt_key: scalar, then the key id. 0, or -1 with a one-line err. */
int board_devkey_hex(const char *path, char hex[BOARD_DEVKEY_HEX], char *err, size_t err_len);

#endif
