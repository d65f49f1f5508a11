/* Exits with status 42 through tohost, after a loop that runs many blocks. */
#include "htif.h"

    .section .text.init
    .globl _start
_start:
    li t0, 100000
1:  addi t0, t0, -1
    bnez t0, 1b
    HTIF_EXIT(42)

HTIF_DEFINE
