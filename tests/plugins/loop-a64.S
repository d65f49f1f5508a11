/* The plugins' test program (run.sh), aarch64: as loop-rv64.S, 9 + 2 * 1000 + 6 + 3 = 2018
 * instructions. */
    .text
    .globl _start
_start:
    adrp x0, data
    add  x0, x0, :lo12:data
    mov  x1, #42
m1: str  x1, [x0]
m2: str  w1, [x0, #8]
m3: strb w1, [x0, #12]
m4: ldr  x2, [x0]
m5: ldrh w3, [x0, #8]
    mov  x4, #1000
loop:
    subs x4, x4, #1
    b.ne loop
    mov  x0, #1
    adrp x1, msg
    add  x1, x1, :lo12:msg
    mov  x2, #3
    mov  x8, #64
    svc  #0
    mov  x0, #0
    mov  x8, #93
    svc  #0

    .data
    .balign 16
data: .space 16
msg: .ascii "ok\n"
