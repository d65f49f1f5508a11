/* The test guests' entry: vm starts it in long mode with rsi = boot_params; main gets
 * boot_params and its return value ends the machine through guest_exit (lib.c). */
    .section .text.start, "ax"
    .globl _start
_start:
    lea stack_top(%rip), %rsp
    mov %rsi, %rdi
    call main
    mov %eax, %edi
    call guest_exit
1:  hlt
    jmp 1b

    .bss
    .balign 16
    .space 16384
stack_top:
    .section .note.GNU-stack, "", @progbits
