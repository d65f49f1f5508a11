/* Run with --memory=1M: the last doubleword of RAM is usable, the next one is a hole whose
 * load is an access fault (mcause 5) with that address in mtval. */
#include "htif.h"

    .section .text.init
    .globl _start
_start:
    la t0, handler
    csrw mtvec, t0
    li s0, 0x80100000
    li t0, 0x1234
    sd t0, -8(s0)
    ld t1, -8(s0)
    bne t0, t1, 1f
    la a0, ok
    li a1, 3
    call htif_write
    ld t1, 0(s0)
1:  HTIF_EXIT(1)

    .balign 4
handler:
    csrr t0, mcause
    li t1, 5
    bne t0, t1, 1f
    csrr t0, mtval
    bne t0, s0, 1f
    HTIF_EXIT(3)
1:  HTIF_EXIT(2)

HTIF_DEFINE

    .section .rodata
ok: .ascii "ok\n"
