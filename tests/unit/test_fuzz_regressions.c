/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Regression tests for what fuzzing found (tests/fuzz, docs/reliability.md "Fuzzing"). Each
 * test rebuilds the state of one crash input with the public API and checks the fixed
 * behaviour; the input itself stays in tests/fuzz/corpus/<target>/ so the fuzz tests replay it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "boot_fixture.h"
#include "journal.h"

/*
 * fuzz_journal, input crash-3b07a032ba99 (kept as corpus/journal/regress-boot-unknown-version):
 * a journal record with a good CRC says the running image is confirmed, its version 0
 * ("unknown") and its copy in the factory slot, which is empty. The bootloader verified the
 * image in internal flash (v1) and started it, but reported version 0, the journal's word,
 * instead of the version of the image it started.
 */
static void test_boot_reports_version_of_image_it_starts(void **unused)
{
    (void)unused;
    boot_fixture_t *fx = boot_fixture_open();
    static uint8_t img[4096];
    uint32_t len = boot_fixture_image(img, sizeof img, 7u, 0);
    boot_fixture_program(fx, img, len);
    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK); /* first boot records v7 */
    assert_int_equal(fx->report.version, 7u);

    ota_store_state_t *s = &fx->store.staged;
    *s = *ota_store_state(&fx->store);
    s->boot.state = OTA_BOOT_CONFIRMED;
    s->boot.running_version = 0u;
    s->boot.running_slot = OTA_STORE_FACTORY_SLOT;
    memset(&s->slots[OTA_STORE_FACTORY_SLOT], 0, sizeof s->slots[0]);
    assert_int_equal(ota_journal_append(&fx->store), OTA_STORE_OK);

    assert_int_equal(boot_fixture_boot(fx), OTA_BOOT_OK);
    assert_int_equal(boot_fixture_internal_version(fx), 7u);
    assert_int_equal(fx->report.version, 7u);
    boot_fixture_close(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boot_reports_version_of_image_it_starts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
