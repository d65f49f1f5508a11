/* The plugins' test program (run.sh), x86_64: as loop-rv64.S, 8 + 2 * 1000 + 5 + 3 = 2016
 * instructions. */
    .text
    .globl _start
_start:
    lea  data(%rip), %rdi
    mov  $42, %rsi
m1: mov  %rsi, (%rdi)
m2: mov  %esi, 8(%rdi)
m3: mov  %sil, 12(%rdi)
m4: mov  (%rdi), %rdx
m5: movzwl 8(%rdi), %ecx
    mov  $1000, %r8
loop:
    dec  %r8
    jnz  loop
    mov  $1, %edi
    lea  msg(%rip), %rsi
    mov  $3, %edx
    mov  $1, %eax
    syscall
    xor  %edi, %edi
    mov  $60, %eax
    syscall

    .data
    .balign 16
data: .space 16
msg: .ascii "ok\n"
