/* SPDX-License-Identifier: Apache-2.0 */
/* The lean bootloader tests' signed board (see signed_board.h). */
#include "signed_board.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

signed_board_keys_t signed_board;

int signed_board_keys_make(void **unused)
{
    (void)unused;
    signed_board.ring.keys = signed_board.trusted;
    signed_board.ring.count = 1;
    return test_keys_make(&signed_board.key, &signed_board.other, &signed_board.trusted[0]);
}

int signed_board_keys_free(void **unused)
{
    (void)unused;
    test_keys_free(&signed_board.key, &signed_board.other);
    return 0;
}

uint32_t signed_board_image(uint8_t *buf, uint32_t version, uint32_t counter, tool_key_t *by)
{
    uint32_t size = boot_fixture_image(buf, SIGNED_BOARD_IMG, version, version * 100u);
    if (counter != 0u) {
        boot_fixture_set_security_counter(buf, size, counter);
    }
    size = test_keys_sign_image(by, buf, size, SIGNED_BOARD_IMG_CAP);
    assert_true(size > 0);
    return size;
}

boot_fixture_t *signed_board_open(void)
{
    boot_fixture_t *fx = boot_fixture_open();
    fx->store_config.trusted_keys = &signed_board.ring;
    boot_fixture_program(fx, signed_board.v1,
                         signed_board_image(signed_board.v1, 1, 0, &signed_board.key));
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 1);
    return fx;
}

uint8_t signed_board_stage(boot_fixture_t *fx, uint8_t *buf, uint32_t *size, uint32_t version,
                           uint32_t counter, tool_key_t *by)
{
    fx->store_config.trusted_keys = NULL;
    assert_int_equal(boot_fixture_mount(fx), OTA_STORE_OK);
    *size = signed_board_image(buf, version, counter, by);
    uint8_t slot = boot_fixture_stage_update(fx, buf, *size, version);
    assert_int_not_equal(slot, OTA_STORE_SLOT_NONE);
    fx->store_config.trusted_keys = &signed_board.ring;
    return slot;
}

uint8_t signed_board_stage_v2(boot_fixture_t *fx, uint32_t counter, tool_key_t *by)
{
    return signed_board_stage(fx, signed_board.v2, &signed_board.v2_size, 2, counter, by);
}

boot_fixture_t *signed_board_open_v2(void)
{
    boot_fixture_t *fx = signed_board_open();
    signed_board_stage_v2(fx, 0, &signed_board.key);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(fx->report.version, 2);
    return fx;
}

void signed_board_break_payload(boot_fixture_t *fx)
{
    ota_sim_flash_raw(&fx->internal)[fx->config.app_offset + 4096u] ^= 0x10;
}
