/* Cortex-M vector table for QEMU's mps2-an386 board (used only to verify the export
 * under emulation): initial stack pointer, reset -> newlib's _start. */
#include <stdint.h>

extern void _start(void);
extern char __stack[];
/* addresses as integers: ISO C has no function-to-object pointer conversion */
__attribute__((section(".vectors"), used)) static const uintptr_t vectors[2] = {(uintptr_t)__stack,
                                                                                 (uintptr_t)_start};
