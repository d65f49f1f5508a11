/* A CPU-bound bare-metal workload for system mode (bench/system.sh): passes over a 64 KiB
 * buffer (16 pages, so the TLB and its page walk matter) of 64-bit loads, arithmetic and
 * stores, then a checksum printed through HTIF. PASSES (from the assembler's -D) sets the
 * work. */
#include "htif.h"

#define WORDS 8192

    .section .text.init
    .globl _start
_start:
    li s0, PASSES
    li s3, 0x9e3779b97f4a7c15      /* the running value */
1:  la s1, buffer
    li s2, WORDS
2:  ld t0, 0(s1)
    add t0, t0, s3
    xor s3, s3, t0
    slli t1, s3, 7
    srli t2, s3, 9
    xor s3, t1, t2
    add s3, s3, t0
    sd s3, 0(s1)
    lw t3, 4(s1)
    addw t3, t3, s2
    sw t3, 4(s1)
    addi s1, s1, 8
    addi s2, s2, -1
    bnez s2, 2b
    addi s0, s0, -1
    bnez s0, 1b
    /* Print s3 as 16 hex digits and a newline, then exit 0. */
    li s4, 60
3:  srl a0, s3, s4
    andi a0, a0, 15
    li t0, 10
    blt a0, t0, 4f
    addi a0, a0, 'a' - 10 - '0'
4:  addi a0, a0, '0'
    call htif_putc
    addi s4, s4, -4
    bgez s4, 3b
    li a0, '\n'
    call htif_putc
    HTIF_EXIT(0)

HTIF_DEFINE

    .data
    .balign 4096
buffer:
    .space WORDS * 8
