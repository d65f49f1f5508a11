/* Console input through the UART: reads four bytes (waiting on LSR.DR) and prints each as
 * "<byte in hex>", then powers off. Fed "ab\x01\x01c" (Ctrl-A Ctrl-A is one Ctrl-A), it
 * prints "61 62 01 63". */
#include "virt.h"

    .section .text.init
    .globl _start
_start:
    li s0, UART
    li s1, 4
1:  lbu t0, UART_LSR(s0)
    andi t0, t0, 1
    beqz t0, 1b
    lbu s2, UART_RBR(s0)
    srli a0, s2, 4
    call hex_digit
    andi a0, s2, 15
    call hex_digit
    addi s1, s1, -1
    li a0, ' '
    beqz s1, 2f
    call uart_putc
    j 1b
2:  li a0, '\n'
    call uart_putc
    POWEROFF

hex_digit:                            /* a0 = 0..15 */
    mv t4, ra
    addi a0, a0, '0'
    li t0, '9'
    ble a0, t0, 4f
    addi a0, a0, 'a' - '9' - 1
4:  call uart_putc
    mv ra, t4
    ret

VIRT_DEFINE
