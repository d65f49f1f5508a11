/* HTIF for the bare-metal test programs (assembly): the tohost/fromhost words, a console
 * putchar, a write through the syscall proxy and the exit, as Spike defines them. */
#ifndef TESTS_SYSTEM_HTIF_H
#define TESTS_SYSTEM_HTIF_H

/* Ends the run with status (tohost = status << 1 | 1). */
#define HTIF_EXIT(status)                  \
    li t0, ((status) << 1) | 1;            \
    la t1, tohost;                         \
    sd t0, 0(t1);                          \
99: j 99b

/* The HTIF words and the helpers: htif_putc (a0 = byte) and htif_write (a0 = buffer,
 * a1 = length, to fd 1). Clobber t0-t3. */
#define HTIF_DEFINE                        \
    .section .tohost, "aw", @progbits;     \
    .balign 64;                            \
    .globl tohost;                         \
tohost: .dword 0;                          \
    .balign 64;                            \
    .globl fromhost;                       \
fromhost: .dword 0;                        \
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
    ret

#endif
