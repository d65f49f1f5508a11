/* The devices' interrupts taken by the hart in M-mode: the ACLINT's timer (mtimecmp 1 ms
 * ahead, waited for with WFI: cause 7), its software interrupt (msip: cause 3) and
 * the UART's received-data interrupt through the PLIC (cause 11: the handler claims source
 * 10, reads the byte, completes). The handler checks mcause against what the case expects
 * (s1) and counts (s2); a mismatch powers off with the check's number. All pass: "irq ok". */
#include "virt.h"

#define INTERRUPT (1 << 63)

    .section .text.init
    .globl _start
_start:
    la t0, handler
    csrw mtvec, t0
    li s0, CLINT
    li s3, CLINT + CLINT_MTIMECMP
    li s4, CLINT + CLINT_MTIME
    csrsi mstatus, 8                  /* MIE */

    li s1, INTERRUPT | 7              /* the timer */
    li s2, 0
    li t0, MIP_MTIP
    csrw mie, t0
    ld t0, 0(s4)
    li t1, 10000
    add s7, t0, t1
    sd s7, 0(s3)
1:  wfi
    beqz s2, 1b
    li t0, 1
    EXPECT(1, s2, t0)
    ld t0, 0(s4)                      /* not before mtimecmp */
    sltu t0, t0, s7
    EXPECT(2, t0, zero)

    li s1, INTERRUPT | 3              /* software */
    li s2, 0
    li t0, MIP_MSIP
    csrw mie, t0
    li t0, 1
    sw t0, 0(s0)
2:  beqz s2, 2b                       /* taken at a block boundary, soon */
    li t0, 1
    EXPECT(3, s2, t0)

    li s1, INTERRUPT | 11             /* external: the UART through the PLIC */
    li s2, 0
    li t0, MIP_MEIP
    csrw mie, t0
    li t0, PLIC
    li t1, 1
    sw t1, 4 * UART_IRQ(t0)
    li t0, PLIC + PLIC_ENABLE
    li t1, 1 << UART_IRQ
    sw t1, 0(t0)
    li s5, UART
    li t0, 0x10                       /* loopback */
    sb t0, UART_MCR(s5)
    li t0, 1                          /* received data */
    sb t0, UART_IER(s5)
    li t0, 'q'
    sb t0, UART_THR(s5)
3:  beqz s2, 3b
    li t0, 1
    EXPECT(4, s2, t0)
    li t0, 'q'                        /* the handler read the byte */
    EXPECT(5, s6, t0)
    csrr t0, mip
    EXPECT(6, t0, zero)
    sb zero, UART_IER(s5)
    sb zero, UART_MCR(s5)
    csrw mie, zero
    la a0, ok
    call uart_puts
    POWEROFF

    .balign 4
handler:
    csrr t0, mcause
    li s11, 10
    bne t0, s1, fail_with
    addi s2, s2, 1
    li t1, INTERRUPT | 7
    bne t0, t1, 1f
    li t0, -1                         /* the timer: pushed back to never */
    sd t0, 0(s3)
    mret
1:  li t1, INTERRUPT | 3
    bne t0, t1, 2f
    sw zero, 0(s0)                    /* msip cleared */
    mret
2:  li t0, PLIC + PLIC_CONTEXT
    lw t1, 4(t0)                      /* claim */
    li t2, UART_IRQ
    li s11, 11
    bne t1, t2, fail_with
    lbu s6, UART_RBR(s5)
    sw t1, 4(t0)                      /* complete */
    mret

VIRT_DEFINE

    .section .rodata
ok: .asciz "irq ok\n"
