/* Accesses at page boundaries: RAM stores and loads of every size across a page (each
 * byte where it belongs), a device page (HTIF's, which keeps what is written outside
 * tohost/fromhost) at its end and across into the RAM page after it and from the RAM page
 * before it. Exit status: 0, or the number of the failed check. */
#include "htif.h"

#define CHECK(n, reg, value) li s11, n; li t6, value; bne reg, t6, fail

    .section .text.init
    .globl _start
_start:
    /* RAM: an 8-byte store 4 bytes before the end of a page. */
    la s0, second_page
    li t0, 0x1122334455667788
    sd t0, -4(s0)
    lbu t1, -4(s0)
    CHECK(1, t1, 0x88)
    lbu t1, -1(s0)
    CHECK(2, t1, 0x55)
    lbu t1, 0(s0)
    CHECK(3, t1, 0x44)
    lbu t1, 3(s0)
    CHECK(4, t1, 0x11)
    ld t1, -4(s0)
    CHECK(5, t1, 0x1122334455667788)
    lwu t1, -2(s0)
    CHECK(6, t1, 0x33445566)
    lh t1, -1(s0)
    CHECK(7, t1, 0x4455)
    lw t1, -3(s0)
    CHECK(8, t1, 0x44556677)
    sh t0, -1(s0)
    lhu t1, -1(s0)
    CHECK(9, t1, 0x7788)
    sw t0, -3(s0)
    lwu t1, -3(s0)
    CHECK(10, t1, 0x55667788)
    ld t1, -8(s0)
    CHECK(11, t1, 0x6677888800000000)

    /* The device page: sizes 1 to 8 at its last bytes, then across into the next (RAM). */
    la s1, tohost
    li t2, 4096
    add s2, s1, t2                 /* the RAM page after it */
    sb t0, -1(s2)
    lbu t1, -1(s2)
    CHECK(12, t1, 0x88)
    sh t0, -2(s2)
    lhu t1, -2(s2)
    CHECK(13, t1, 0x7788)
    sw t0, -4(s2)
    lw t1, -4(s2)
    CHECK(14, t1, 0x55667788)
    sd t0, -8(s2)
    ld t1, -8(s2)
    CHECK(15, t1, 0x1122334455667788)
    li t3, 0x0102030405060708
    sd t3, -4(s2)                  /* device -> RAM */
    lwu t1, -4(s2)
    CHECK(16, t1, 0x05060708)
    lwu t1, 0(s2)
    CHECK(17, t1, 0x01020304)
    ld t1, -4(s2)
    CHECK(18, t1, 0x0102030405060708)
    sd t3, -4(s1)                  /* RAM (the code page before it) -> device */
    ld t1, -4(s1)
    CHECK(19, t1, 0x0102030405060708)
    lwu t1, 0(s1)
    CHECK(20, t1, 0x01020304)      /* tohost's low half: no command until its high half */
    sw zero, 0(s1)
    HTIF_EXIT(0)

fail:
    la t1, tohost
    slli t0, s11, 1
    ori t0, t0, 1
    sd t0, 0(t1)
2:  j 2b

HTIF_DEFINE

    .data
    .balign 4096
first_page:
    .space 4096
second_page:
    .space 4096
