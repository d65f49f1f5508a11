/* The machine-mode start shared by the bare-metal test programs (assembly): the trap vector,
 * and PMP entry 0 opening all of memory, RWX, to S and U modes (on a hart with PMP, an S or
 * U access that no entry matches fails; vm and qemu-system-riscv64 both check it). */
#ifndef TESTS_SYSTEM_MSTART_H
#define TESTS_SYSTEM_MSTART_H

/* Sets mtvec to handler and opens memory to the lower modes. Clobbers t0. */
#define M_START(handler)                   \
    la t0, handler;                        \
    csrw mtvec, t0;                        \
    li t0, -1;                             \
    csrw pmpaddr0, t0;                     \
    li t0, 0x1f;                           \
    csrw pmpcfg0, t0

#endif
