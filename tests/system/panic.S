/* The pvpanic device as a guest kernel uses it: its register offers both events (a read
 * gives 3, else exit 1), then a panic (1), a crash kernel loaded (2) and a write of no event
 * (0, ignored), then exit 0. run.sh checks the --events file holds one guest-panic event
 * for each of the first two. */
#include "htif.h"

    .section .text.init
    .globl _start
_start:
    li t2, 0x102000
    lbu t3, 0(t2)
    li t4, 3
    bne t3, t4, bad
    li t3, 1
    sb t3, 0(t2)
    li t3, 2
    sb t3, 0(t2)
    sb zero, 0(t2)
    HTIF_EXIT(0)
bad:
    HTIF_EXIT(1)

HTIF_DEFINE
