/* The plugins' test program (run.sh), riscv64: five memory accesses at labels m1..m5 to
 * known addresses, a loop of 1000 iterations at `loop`, a write of "ok\n" and exit(0), with
 * no library around it, so every instruction, access and system call is known:
 * 9 + 2 * 1000 + 6 + 3 = 2018 instructions (`lla` is two instructions; built with --no-relax so the linker keeps them). */
    .text
    .globl _start
_start:
    lla  t0, data
    li   t1, 42
m1: sd   t1, 0(t0)
m2: sw   t1, 8(t0)
m3: sb   t1, 12(t0)
m4: ld   t2, 0(t0)
m5: lhu  t3, 8(t0)
    li   t4, 1000
loop:
    addi t4, t4, -1
    bnez t4, loop
    li   a0, 1
    lla  a1, msg
    li   a2, 3
    li   a7, 64
    ecall
    li   a0, 0
    li   a7, 93
    ecall

    .data
    .balign 16
data: .space 16
msg: .ascii "ok\n"
