/* The plugins' system-mode test program (run.sh), a bare-metal kernel for vm boot: a store and
 * a load at m1 and m2 to `data`, a loop of 1000 iterations at `loop`, and the HTIF exit. */
#include "htif.h"

    .section .text.init
    .globl _start
_start:
    lla  t0, data
    li   t1, 42
m1: sd   t1, 0(t0)
m2: lw   t2, 0(t0)
    li   t4, 1000
loop:
    addi t4, t4, -1
    bnez t4, loop
    HTIF_EXIT(0)

HTIF_DEFINE

    .data
    .balign 8
data: .dword 0
