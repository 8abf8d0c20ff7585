/* SPDX-License-Identifier: Apache-2.0 */
/* PC_ENCRYPTED worlds: v2 and v3 served encrypted, decrypted by the bootloader as it installs
 * them (src/boot_decrypt.c), so cuts land in a decrypting install and in its resumption. */
#include <stdlib.h>
#include <unistd.h>

#include "enc_image.h"
#include "powercut.h"

static enc_test_key_t pc_enc_key;
static pid_t pc_enc_owner; /* the process that made the key files removes them */

static void pc_enc_cleanup(void)
{
    if (getpid() == pc_enc_owner) {
        enc_test_keys_free(&pc_enc_key, 1);
    }
}

void pc_encrypted_world(pc_world_t *w)
{
    if (pc_enc_owner == 0) {
        if (enc_test_keys_make(&pc_enc_key, 1) != 0) {
            abort();
        }
        pc_enc_owner = getpid();
        atexit(pc_enc_cleanup);
    }
    w->fx->config.decrypt_key = &pc_enc_key.key;
    const uint32_t grow = OTA_IMAGE_TLV_ENTRY_HDR + OTA_IMAGE_ENC_TLV_SIZE;
    uint8_t *plain = malloc(w->image_size);
    if (plain == NULL) {
        abort();
    }
    for (uint32_t v = 2; v <= PC_VERSIONS; v++) {
        /* Rebuilt shorter, so that the encrypted file still fits in image_size (the full
         * sweep's images fill a slot). */
        uint32_t n = boot_fixture_image_seeded(plain, w->image_size - grow, v, 0,
                                               (uint8_t)(v - 1u));
        boot_fixture_set_security_counter(plain, n, 1);
        w->installed[v] = malloc(w->image_size);
        if (w->installed[v] == NULL) {
            abort();
        }
        w->len[v] = enc_test_encrypt(&pc_enc_key, plain, n, w->img[v], w->installed[v],
                                     w->image_size);
        if (w->len[v] == 0) {
            abort();
        }
    }
    free(plain);
}
