/* Cortex-M vector table for QEMU's mps2-an386 board (used only to verify the export
 * under emulation): initial stack pointer, reset -> newlib's _start. */
extern void _start(void);
extern char __stack[];
__attribute__((section(".vectors"), used)) static void *const vectors[2] = {__stack, (void *)_start};
