/* mem_trace against accesses made inside helpers as well as by IR loads and stores (run.sh),
 * x86-64: a locked XADD, CMPXCHG16B (a helper's read-modify-write of 16 bytes), an x87
 * load and store (the x87 helper's), FXSAVE and FXRSTOR (512 bytes each), an SSE load; each
 * at a label x1..x7 whose access run.sh expects. */
    .text
    .globl _start
_start:
    lea  data(%rip), %rdi
    mov  $42, %rax
x1: lock xadd %rax, (%rdi)
    xor  %eax, %eax
    xor  %edx, %edx
    mov  $1, %ebx
    xor  %ecx, %ecx
x2: lock cmpxchg16b (%rdi)
x3: fldl 16(%rdi)
x4: fstps 24(%rdi)
    lea  area(%rip), %rsi
x5: fxsave (%rsi)
x6: fxrstor (%rsi)
x7: movsd 8(%rdi), %xmm0
    mov  $60, %eax
    xor  %edi, %edi
    syscall

    .data
    .balign 16
data: .space 32
    .balign 16
area: .space 512
