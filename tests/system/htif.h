/* HTIF for the bare-metal test programs (assembly): the tohost/fromhost words, a console
 * putchar, a write through the syscall proxy and the exit, as Spike defines them (the
 * symbols' sizes let qemu-system-riscv64 -machine spike find them too). */
#ifndef TESTS_SYSTEM_HTIF_H
#define TESTS_SYSTEM_HTIF_H

/* Ends the run with status (tohost = status << 1 | 1). */
#define HTIF_EXIT(status)                  \
    li t0, ((status) << 1) | 1;            \
    la t1, tohost;                         \
    sd t0, 0(t1);                          \
99: j 99b

/* The HTIF words and the helpers: htif_putc (a0 = byte), htif_write (a0 = buffer,
 * a1 = length, to fd 1) and htif_print (the same through htif_putc, which is all
 * qemu-system-riscv64's HTIF has). Clobber t0-t4, a0 and a1. */
#define HTIF_DEFINE                        \
    .section .tohost, "aw", @progbits;     \
    .balign 64;                            \
    .globl tohost;                         \
tohost: .dword 0;                          \
    .size tohost, 8;                       \
    .balign 64;                            \
    .globl fromhost;                       \
fromhost: .dword 0;                        \
    .size fromhost, 8;                     \
    .data;                                 \
    .balign 64;                            \
htif_magic: .dword 0, 0, 0, 0, 0, 0, 0, 0; \
    .text;                                 \
htif_putc:                                 \
    la t1, tohost;                         \
1:  ld t2, 0(t1);                          \
    bnez t2, 1b;                           \
    li t0, 0x0101;                         \
    slli t0, t0, 48;                       \
    or t0, t0, a0;                         \
    sd t0, 0(t1);                          \
    ret;                                   \
htif_write:                                \
    la t0, htif_magic;                     \
    li t1, 64;                             \
    sd t1, 0(t0);                          \
    li t1, 1;                              \
    sd t1, 8(t0);                          \
    sd a0, 16(t0);                         \
    sd a1, 24(t0);                         \
    la t1, tohost;                         \
    sd t0, 0(t1);                          \
    la t2, fromhost;                       \
2:  ld t3, 0(t2);                          \
    beqz t3, 2b;                           \
    sd zero, 0(t2);                        \
    ret;                                   \
htif_print:                                \
    mv t3, ra;                             \
    mv t4, a0;                             \
    add a1, a0, a1;                        \
3:  beq t4, a1, 4f;                        \
    lbu a0, 0(t4);                         \
    call htif_putc;                        \
    addi t4, t4, 1;                        \
    j 3b;                                  \
4:  mv ra, t3;                             \
    ret

#endif
