/* Run with --memory=1M: the last doubleword of RAM is usable, the next one is a hole whose
 * load is an access fault at that address. */
#include "htif.h"

    .section .text.init
    .globl _start
_start:
    li s0, 0x80100000
    li t0, 0x1234
    sd t0, -8(s0)
    ld t1, -8(s0)
    bne t0, t1, 1f
    la a0, ok
    li a1, 3
    call htif_write
    ld t1, 0(s0)
1:  HTIF_EXIT(3)

HTIF_DEFINE

    .section .rodata
ok: .ascii "ok\n"
