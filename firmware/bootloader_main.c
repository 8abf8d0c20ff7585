/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bootloader of the emulated board (mps2-an386): what the host engine's board process
 * does in boot_once (sim/cmd_run.c), on the target.
 */
#include "an386.h"
#include "console.h"
#include "cortex_m.h"
#include "semihost.h"

#define EXIT_NO_IMAGE 5

int main(void)
{
    console_init();
    cm_clock_start(AN386_CPU_HZ);
    console_printf("boot: ", "otaflow bootloader on mps2-an386 (Cortex-M4)");
    console_printf("boot: ", "stack: %lu of %lu bytes used",
                   (unsigned long)(cm_stack_size() - cm_stack_unused()),
                   (unsigned long)cm_stack_size());
    console_printf("boot: ", "halted: no valid image to start");
    sh_exit(EXIT_NO_IMAGE);
}
