/* A RISC-V Linux Image (built into a flat binary): the 64-byte header, then code that prints
 * "hello, image" through the UART and powers off. */
#include "virt.h"

    .option norvc
    .section .text.init
    .globl _start
_start:
    j start                           /* code0 */
    .word 0                           /* code1 */
    .dword 0                          /* text_offset */
    .dword 0x10000                    /* image_size */
    .dword 0                          /* flags */
    .word 2                           /* version */
    .word 0
    .dword 0
    .ascii "RISCV\0\0\0"              /* magic (deprecated) */
    .ascii "RSC\x05"                  /* magic2 */
    .word 0
start:
    la a0, hello
    call uart_puts
    POWEROFF

VIRT_DEFINE

    .section .rodata
hello: .asciz "hello, image\n"
