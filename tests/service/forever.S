/* A bare-metal kernel that runs until vm is told to stop it (the control socket's quit, a
 * signal): it prints "up\n", then counts in memory for ever, so the hart keeps running blocks
 * and loads and stores keep going through the TLB. */
#include "htif.h"

    .section .text.init
    .globl _start
_start:
    la a0, up
    li a1, 3
    call htif_write
    la t4, counter
count:
    ld t5, 0(t4)
    addi t5, t5, 1
    sd t5, 0(t4)
    j count

    .data
up: .ascii "up\n"
    .balign 8
counter: .dword 0

HTIF_DEFINE
