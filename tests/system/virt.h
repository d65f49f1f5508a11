/* The virt board's devices for the bare-metal test programs (assembly): the UART's
 * registers, printing through it, and powering off through the SiFive test device (vm exits
 * with the status). */
#ifndef TESTS_SYSTEM_VIRT_H
#define TESTS_SYSTEM_VIRT_H

#define TEST_DEV 0x100000
#define RTC 0x101000
#define CLINT 0x2000000
#define CLINT_MTIMECMP 0x4000
#define CLINT_MTIME 0xbff8
#define PLIC 0xc000000
#define PLIC_PENDING 0x1000
#define PLIC_ENABLE 0x2000                 /* + 0x80 per context */
#define PLIC_CONTEXT 0x200000              /* + 0x1000 per context: threshold, claim */
#define UART 0x10000000
#define UART_IRQ 10
#define RTC_IRQ 11
#define UART_RBR 0
#define UART_THR 0
#define UART_IER 1
#define UART_IIR 2
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7
#define MIP_MSIP 0x8
#define MIP_MTIP 0x80
#define MIP_SEIP 0x200
#define MIP_MEIP 0x800

/* Powers off: vm exits 0. */
#define POWEROFF                           \
    li t0, TEST_DEV;                       \
    li t1, 0x5555;                         \
    sw t1, 0(t0);                          \
99: j 99b

/* Powers off with a failure: vm exits with code (1 to 255). */
#define POWEROFF_FAIL(code)                \
    li t0, TEST_DEV;                       \
    li t1, ((code) << 16) | 0x3333;        \
    sw t1, 0(t0);                          \
99: j 99b

/* Branches to fail_with (which powers off with status s11) unless a == b; s11 = n. */
#define EXPECT(n, a, b)                    \
    li s11, n;                             \
    bne a, b, fail_with

/* uart_puts (a0 = a NUL-terminated string) and uart_putc (a0 = byte), waiting for the
 * transmitter as a driver does; fail_with. Clobber t0-t3. */
#define VIRT_DEFINE                        \
uart_puts:                                 \
    li t0, UART;                           \
1:  lbu t1, 0(a0);                         \
    beqz t1, 3f;                           \
2:  lbu t3, UART_LSR(t0);                  \
    andi t3, t3, 0x20;                     \
    beqz t3, 2b;                           \
    sb t1, UART_THR(t0);                   \
    addi a0, a0, 1;                        \
    j 1b;                                  \
3:  ret;                                   \
uart_putc:                                 \
    li t0, UART;                           \
4:  lbu t3, UART_LSR(t0);                  \
    andi t3, t3, 0x20;                     \
    beqz t3, 4b;                           \
    sb a0, UART_THR(t0);                   \
    ret;                                   \
fail_with:                                 \
    li t0, TEST_DEV;                       \
    slli t1, s11, 16;                      \
    li t2, 0x3333;                         \
    or t1, t1, t2;                         \
    sw t1, 0(t0);                          \
5:  j 5b

#endif
