/* mem_trace against accesses made inside helpers as well as by IR loads and stores (run.sh),
 * aarch64: LDXR and a store-exclusive that succeeds (a helper's store) and one that fails
 * (no access), an LSE atomic, an FP store and load, the SIMD structure load LD1 and store
 * ST2 (a helper's, one access per element), a CASP pair; each at a label b1..b9 whose
 * accesses run.sh expects. Exit status 0 when the second store-exclusive failed. */
    .arch armv8.1-a
    .text
    .globl _start
_start:
    adr  x0, data
    mov  x1, #42
b1: ldxr x2, [x0]
b2: stxr w3, x1, [x0]
b3: stxr w9, x1, [x0]
b4: ldadd x1, x2, [x0]
    fmov d0, x1
b5: str  d0, [x0, #16]
b6: ldr  s1, [x0, #8]
b7: ld1  {v2.2d}, [x0]
b8: st2  {v2.4s, v3.4s}, [x0]
    mov  x4, #0
    mov  x5, #0
    mov  x6, #1
    mov  x7, #2
b9: casp x4, x5, x6, x7, [x0]
    eor  x0, x9, #1
    mov  x8, #93
    svc  #0

    .data
    .balign 16
data: .space 32
