/* mem_trace against accesses made inside helpers as well as by IR loads and stores (run.sh),
 * x86-64: a locked XADD, CMPXCHG16B (a helper's read-modify-write of 16 bytes), an x87
 * load and store (the x87 helper's), FXSAVE and FXRSTOR (512 bytes each), an SSE load, an
 * AVX2 masked load and store with one element on (the AVX helper's, element by element),
 * XSAVE of x87, SSE and AVX (832 bytes); each at a label x1..x10 whose access run.sh
 * expects. */
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
    mov  $-1, %eax
    movd %eax, %xmm1
x8: vpmaskmovd (%rdi), %xmm1, %xmm2
x9: vpmaskmovd %xmm2, %xmm1, 4(%rdi)
    mov  $7, %eax
    xor  %edx, %edx
x10: xsave (%rsi)
    mov  $60, %eax
    xor  %edi, %edi
    syscall

    .data
    .balign 16
data: .space 32
    .balign 64
area: .space 1024
