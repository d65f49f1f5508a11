/* The hart's registers at reset, as firmware and kernels expect on the virt board: a0 = the
 * hart's id (0), a1 = the device tree (its magic 0xd00dfeed, big-endian), a2 = OpenSBI's
 * fw_dynamic info when vm loaded this as firmware (magic "OSBI", version 2, the next stage
 * at 0x80200000 in S-mode, boot hart 0), else 0. Prints "regs ok, no info" or
 * "regs ok, fw_dynamic info"; a mismatch powers off with the check's number. */
#include "virt.h"

    .section .text.init
    .globl _start
_start:
    EXPECT(1, a0, zero)
    lwu t0, 0(a1)
    li t1, 0xedfe0dd0
    EXPECT(2, t0, t1)
    la a0, none
    beqz a2, 1f
    ld t0, 0(a2)
    li t1, 0x4942534f
    EXPECT(3, t0, t1)
    ld t0, 8(a2)
    li t1, 2
    EXPECT(4, t0, t1)
    ld t0, 16(a2)
    li t1, 0x80200000
    EXPECT(5, t0, t1)
    ld t0, 24(a2)
    li t1, 1
    EXPECT(6, t0, t1)
    ld t0, 32(a2)
    EXPECT(7, t0, zero)
    ld t0, 40(a2)
    EXPECT(8, t0, zero)
    la a0, info
1:  call uart_puts
    POWEROFF

VIRT_DEFINE

    .section .rodata
none: .asciz "regs ok, no info\n"
info: .asciz "regs ok, fw_dynamic info\n"
