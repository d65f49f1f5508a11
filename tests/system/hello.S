/* Prints one line through the console's putchar and one through the syscall proxy's write,
 * then exits with status 0. */
#include "htif.h"

    .section .text.init
    .globl _start
_start:
    la s0, console_line
1:  lbu a0, 0(s0)
    beqz a0, 2f
    call htif_putc
    addi s0, s0, 1
    j 1b
2:  la a0, write_line
    la a1, write_line_end
    sub a1, a1, a0
    call htif_write
    HTIF_EXIT(0)

HTIF_DEFINE

    .section .rodata
console_line: .asciz "hello, console\n"
write_line: .ascii "hello, write\n"
write_line_end:
