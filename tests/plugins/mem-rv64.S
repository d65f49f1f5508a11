/* mem_trace against accesses made inside helpers as well as by IR loads and stores (run.sh),
 * riscv64: an AMO, an FP store and load, LR and a store-conditional that succeeds (a
 * helper's store) and one that fails (no access at all), a 32-bit AMO; each at a label
 * n1..n7 whose access run.sh expects. Exit status 0 when the second SC failed. */
    .text
    .globl _start
_start:
    lla  t0, data
    li   t1, 42
n1: amoadd.d t2, t1, (t0)
    fmv.d.x ft0, t1
n2: fsd  ft0, 16(t0)
n3: flw  ft1, 8(t0)
n4: lr.d t2, (t0)
n5: sc.d t3, t1, (t0)
n6: sc.d t3, t1, (t0)
    addi t4, t0, 8
n7: amoswap.w t2, t1, (t4)
    xori a0, t3, 1
    li   a7, 93
    ecall

    .data
    .balign 16
data: .space 32
