/* A Linux Image that firmware runs as its next stage in S-mode: it prints "hello from
 * S-mode, hart N" through the SBI's legacy console putchar and shuts the machine down
 * through the SBI's system reset extension, which the firmware does with the test device. */
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
    .ascii "RISCV\0\0\0"
    .ascii "RSC\x05"
    .word 0
start:
    mv s0, a0                         /* the hart's id */
    la s1, hello
1:  lbu a0, 0(s1)
    beqz a0, 2f
    li a7, 1                          /* legacy console putchar */
    ecall
    addi s1, s1, 1
    j 1b
2:  addi a0, s0, '0'
    li a7, 1
    ecall
    li a0, '\n'
    li a7, 1
    ecall
    li a7, 0x53525354                 /* SRST: shutdown, no reason */
    li a6, 0
    li a0, 0
    li a1, 0
    ecall
3:  j 3b

    .section .rodata
hello: .asciz "hello from S-mode, hart "
