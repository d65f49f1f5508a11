/* The test device: the first boot counts itself in RAM outside the image (which a reset
 * does not reload) and asks for a reset (0x7777); the second prints "rebooted" and powers
 * off with failure code 42, which becomes vm's status. */
#include "virt.h"

    .section .text.init
    .globl _start
_start:
    li s0, 0x80080000
    ld t0, 0(s0)
    addi t0, t0, 1
    sd t0, 0(s0)
    li t1, 1
    bne t0, t1, 1f
    li t0, TEST_DEV
    li t1, 0x7777
    sw t1, 0(t0)
    POWEROFF_FAIL(1)
1:  la a0, rebooted
    call uart_puts
    POWEROFF_FAIL(42)

VIRT_DEFINE

    .section .rodata
rebooted: .asciz "rebooted\n"
