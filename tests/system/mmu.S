/* Paging: Sv39, Sv48 and Sv57 walks from S-mode, U-mode and M-mode with MPRV. The code and
 * data are one S-mode gigapage at VA = PA 0x80000000 (and a U-mode alias at 0xc0000000);
 * test pages at VA 0x1000 * i are level-0 entries the code rewrites, followed by
 * SFENCE.VMA. Each case expects either no trap or a page or access fault with its exact
 * cause and mtval (the M-mode handler records them in s6 and s7 and skips the instruction;
 * a fetch fault returns to ra). A mismatch exits with the case number (s4); all pass:
 * "mmu ok", status 0. t5 and t6 belong to the handler. */
#include "htif.h"
#include "mstart.h"

#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_A 0x40
#define PTE_D 0x80
#define RAD (PTE_V | PTE_R | PTE_A | PTE_D)
#define RWAD (RAD | PTE_W)
#define MAGIC 0x1234567887654321
#define MAGIC2 0x0badcafe0badcafe
#define USER_ALIAS 0x40000000          /* VA of the U-mode alias minus the PA */
#define HOLE 0xf0000000                /* no RAM and no device (on QEMU's spike either) */

/* Level-0 entry i maps the page at label with flags. */
#define SETPTE_PA(i, label, flags) \
    la t0, label; srli t0, t0, 12; slli t0, t0, 10; ori t0, t0, flags; \
    la t1, l0; sd t0, (i) * 8(t1); sfence.vma
#define SETPTE(i, flags) SETPTE_PA(i, tpage, flags)
/* A load of va that must not trap and must read MAGIC. */
#define LOAD_OK(n, va) \
    li s4, n; li s6, -1; li t0, va; ld t1, 0(t0); bgez s6, fail; \
    li t2, MAGIC; bne t1, t2, fail
/* insn (on the address in t0 = va) must trap with cause and tval va. */
#define FAULTS(n, cause, va, insn) \
    li s4, n; li s6, -1; li t0, va; insn; li t1, cause; bne s6, t1, fail; \
    li t1, va; bne s7, t1, fail
#define NO_TRAP(n, va, insn) li s4, n; li s6, -1; li t0, va; insn; bgez s6, fail
#define LD ld t1, 0(t0)
#define SD sd t1, 0(t0)
#define CALL jalr ra, t0
#define AMO amoadd.d t1, t1, (t0)
#define LR lr.d t1, (t0)
#define SC sc.d t1, t1, (t0)

    .option norvc
    .section .text.init
    .globl _start
_start:
    M_START(mtrap)
    /* Sv39 tables: l2[2] the S gigapage at 0x80000000, l2[3] its U alias, l2[0] -> l1,
     * l1[0] -> l0. */
    la t2, l2
    li t0, (0x80000000 >> 12) << 10 | RWAD | PTE_X
    sd t0, 2 * 8(t2)
    ori t0, t0, PTE_U
    sd t0, 3 * 8(t2)
    la t0, l1
    srli t0, t0, 12
    slli t0, t0, 10
    ori t0, t0, PTE_V
    sd t0, 0(t2)
    la t0, l0
    srli t0, t0, 12
    slli t0, t0, 10
    ori t0, t0, PTE_V
    la t1, l1
    sd t0, 0(t1)
    la t0, l2
    srli t0, t0, 12
    li t1, 8 << 60
    or t0, t0, t1
    csrw satp, t0
    /* To S-mode at s_start. */
    li t0, 3 << 11
    csrc mstatus, t0
    li t0, 1 << 11
    csrs mstatus, t0
    la t0, s_start
    csrw mepc, t0
    mret

s_start:
    /* Leaf permissions. */
    SETPTE(1, RAD)
    LOAD_OK(1, 0x1000)
    FAULTS(2, 15, 0x1008, SD)
    SETPTE(1, RWAD)
    li s4, 3                                /* a store lands in the page */
    li t0, 0x1010
    li t1, MAGIC2
    sd t1, 0(t0)
    la t0, tpage
    ld t2, 16(t0)
    bne t1, t2, fail
    SETPTE(1, 0)                            /* not valid */
    FAULTS(4, 13, 0x1000, LD)
    FAULTS(5, 15, 0x1000, SD)
    SETPTE(1, PTE_V | PTE_X | PTE_A | PTE_D)   /* execute-only */
    FAULTS(6, 13, 0x1000, LD)
    li t0, 1 << 19                          /* MXR: executable pages are readable */
    csrs sstatus, t0
    LOAD_OK(7, 0x1000)
    FAULTS(8, 15, 0x1000, SD)
    li t0, 1 << 19
    csrc sstatus, t0
    FAULTS(9, 13, 0x1000, LD)
    SETPTE(1, PTE_V | PTE_W | PTE_A | PTE_D)   /* W without R: reserved */
    FAULTS(10, 13, 0x1000, LD)
    FAULTS(11, 15, 0x1000, SD)
    SETPTE(1, RWAD | PTE_U)                 /* a U page: only with SUM */
    FAULTS(12, 13, 0x1000, LD)
    FAULTS(13, 15, 0x1000, SD)
    li t0, 1 << 18
    csrs sstatus, t0
    LOAD_OK(14, 0x1000)
    NO_TRAP(15, 0x1008, SD)
    li t0, 1 << 18
    csrc sstatus, t0
    FAULTS(16, 13, 0x1000, LD)

    /* Atomics: AMO and SC are stores, LR a load. */
    SETPTE(1, RAD)
    FAULTS(17, 15, 0x1000, AMO)
    NO_TRAP(18, 0x1000, LR)
    FAULTS(19, 15, 0x1000, SC)
    SETPTE(1, 0)
    FAULTS(20, 13, 0x1000, LR)

    /* Fetches: each at an address not run before. */
    SETPTE_PA(2, fpage, RAD)                /* not executable */
    FAULTS(21, 12, 0x2000, CALL)
    SETPTE_PA(3, fpage, PTE_V | PTE_X | PTE_U | PTE_A | PTE_D)
    li t0, 1 << 18                          /* S never runs U code, SUM or not */
    csrs sstatus, t0
    FAULTS(22, 12, 0x3000, CALL)
    li t0, 1 << 18
    csrc sstatus, t0
    SETPTE_PA(4, fpage, PTE_V | PTE_X | PTE_A | PTE_D)
    NO_TRAP(23, 0x4000, CALL)
    li t1, 0x4000                           /* fpage returns its own pc */
    bne a0, t1, fail

    /* A and D: set by the walk in memory, D only by a store. */
    SETPTE(5, PTE_V | PTE_R | PTE_W)
    LOAD_OK(24, 0x5000)
    la t2, l0
    ld t0, 5 * 8(t2)
    andi t0, t0, PTE_A | PTE_D
    li t1, PTE_A
    bne t0, t1, fail
    NO_TRAP(25, 0x5008, SD)
    ld t0, 5 * 8(t2)
    andi t0, t0, PTE_A | PTE_D
    li t1, PTE_A | PTE_D
    bne t0, t1, fail

    /* SFENCE.VMA of one address after the entry changes: the new page is seen. */
    SETPTE(6, RWAD)
    LOAD_OK(26, 0x6000)
    la t0, tpage2
    srli t0, t0, 12
    slli t0, t0, 10
    ori t0, t0, RWAD
    la t1, l0
    sd t0, 6 * 8(t1)
    li t0, 0x6000
    sfence.vma t0
    li s4, 27
    ld t1, 0(t0)
    li t2, MAGIC2
    bne t1, t2, fail

    /* Superpages: a megapage, misaligned ones, a table outside RAM. */
    la t2, l1
    li t0, (0x80200000 >> 12) << 10 | RWAD
    sd t0, 1 * 8(t2)
    li t0, (0x80201000 >> 12) << 10 | RAD
    sd t0, 2 * 8(t2)
    li t0, (HOLE >> 12) << 10 | PTE_V       /* a level-0 table in a hole */
    sd t0, 3 * 8(t2)
    la t2, l2
    li t0, (0x80001000 >> 12) << 10 | RAD
    sd t0, 1 * 8(t2)
    sfence.vma
    li s4, 28
    li t0, 0x200000 + 0x1238                /* the megapage is PA 0x80200000 */
    li t1, MAGIC2
    sd t1, 0(t0)
    li t0, 0x80201238
    ld t2, 0(t0)
    bne t1, t2, fail
    FAULTS(29, 13, 0x400010, LD)            /* misaligned megapage */
    FAULTS(30, 13, 0x40000000, LD)          /* misaligned gigapage */
    FAULTS(31, 5, 0x600000, LD)             /* table read in a hole: access fault */
    FAULTS(32, 7, 0x600000, SD)
    FAULTS(33, 13, 0x8000000000, LD)        /* not sign-extended from bit 38 */
    FAULTS(34, 12, 0x8000000000, CALL)

    /* SFENCE.VMA of one address of a megapage drops every 4 KiB piece of it the TLB holds:
     * the megapage at VA 0x200000 moves from PA 0x80200000 to 0x80400000, and the fence
     * names its page 0x201000 while 0x205000 was read (both PAs are reached through the
     * gigapage too). */
    li t0, 0x80205238
    li t1, MAGIC2
    sd t1, 0(t0)
    li t0, 0x80405238
    li t1, MAGIC
    sd t1, 0(t0)
    li s4, 50
    li t0, 0x205238
    ld t1, 0(t0)
    li t2, MAGIC2
    bne t1, t2, fail
    la t2, l1
    li t0, (0x80400000 >> 12) << 10 | RWAD
    sd t0, 1 * 8(t2)
    li t0, 0x201000
    sfence.vma t0
    LOAD_OK(51, 0x205238)
    li t0, (0x80200000 >> 12) << 10 | RWAD
    sd t0, 1 * 8(t2)
    sfence.vma

    /* U-mode: U pages only, never S code; the results come back in a0-a3. */
    SETPTE(7, RWAD | PTE_U)
    SETPTE(8, RWAD)
    la s9, 1f
    li t0, 0x100
    csrc sstatus, t0                        /* SPP = U */
    la t0, u_code + USER_ALIAS
    csrw sepc, t0
    sret
1:  li s4, 36
    li t0, MAGIC
    bne a0, t0, fail
    li t0, 13
    bne a1, t0, fail
    li t0, 12
    bne a2, t0, fail

    /* Sv48: the same tree under a level-3 table, a terapage and a misaligned one. */
    la t2, root4
    la t0, l2
    srli t0, t0, 12
    slli t0, t0, 10
    ori t0, t0, PTE_V
    sd t0, 0(t2)
    li t0, RWAD                             /* PA 0 */
    sd t0, 1 * 8(t2)
    li t0, (1 << 10) | RAD                  /* PA 0x1000 */
    sd t0, 2 * 8(t2)
    srli t0, t2, 12
    li t1, 9 << 60
    or t0, t0, t1
    csrw satp, t0
    csrr t1, satp
    li s4, 37
    bne t0, t1, fail
    SETPTE(1, RAD)
    LOAD_OK(38, 0x1000)
    la t0, tpage                            /* the terapage maps PA 0 at 1 << 39 */
    li t1, 1 << 39
    add t0, t0, t1
    li s4, 39
    ld t1, 0(t0)
    li t2, MAGIC
    bne t1, t2, fail
    FAULTS(40, 13, 2 << 39, LD)
    FAULTS(41, 13, 1 << 47, LD)

    /* Sv57: a level-4 table above, a petapage and a misaligned one. */
    la t2, root5
    la t0, root4
    srli t0, t0, 12
    slli t0, t0, 10
    ori t0, t0, PTE_V
    sd t0, 0(t2)
    li t0, RWAD
    sd t0, 1 * 8(t2)
    li t0, (1 << 10) | RAD
    sd t0, 2 * 8(t2)
    srli t0, t2, 12
    li t1, 10 << 60
    or t0, t0, t1
    csrw satp, t0
    li t1, 11 << 60                         /* an unsupported mode: the write is ignored */
    csrw satp, t1
    csrr t1, satp
    li s4, 42
    bne t0, t1, fail
    LOAD_OK(43, 0x1000)
    la t0, tpage
    li t1, 1 << 48
    add t0, t0, t1
    li s4, 44
    ld t1, 0(t0)
    li t2, MAGIC
    bne t1, t2, fail
    li t0, 1 << 39                          /* that terapage is under root5[0] too */
    la t1, tpage
    add t0, t0, t1
    ld t1, 0(t0)
    bne t1, t2, fail
    FAULTS(45, 13, 2 << 48, LD)
    FAULTS(46, 13, 1 << 56, LD)

    /* A page fault delegated to S-mode: stval and sepc. */
    la t0, strap
    csrw stvec, t0
    la s9, 1f
    li a0, 1
    ecall                                   /* M-mode sets medeleg, back at s9 */
1:  li s4, 35
    li s6, -1
    li t0, 0x9000
    la s3, 2f
2:  ld t1, 0(t0)
    li t1, 13 | 0x100
    bne s6, t1, fail
    bne s7, t0, fail
    bne s8, s3, fail

    /* M-mode with MPRV: loads and stores as MPP, fetches untranslated. */
    la s9, m_mprv
    li a0, 2
    ecall

m_mprv:
    SETPTE(1, RAD)
    li t0, 1 << 17 | 1 << 11                /* MPRV, MPP = S */
    csrs mstatus, t0
    LOAD_OK(47, 0x1000)
    li t0, 3 << 11                          /* MPP = U: the page is not a U page */
    csrc mstatus, t0
    FAULTS(48, 13, 0x1000, LD)
    li t0, 1 << 17
    csrc mstatus, t0
    FAULTS(49, 7, HOLE, SD)                 /* untranslated again: a physical hole */
    la a0, ok
    la a1, ok_end
    sub a1, a1, a0
    call htif_print
    HTIF_EXIT(0)

fail:
    mv a0, s4
    slli a0, a0, 1
    ori a0, a0, 1
    li t0, 1 << 17                          /* MPRV off: tohost is a physical address */
    csrc mstatus, t0
    la t1, tohost
    sd a0, 0(t1)
3:  j 3b

/* U-mode, run at the U alias: a0 = the U page's word, a1 = the cause of a load from an S
 * page, a2 = the cause of a fetch from S code; then back to S-mode. */
u_code:
    li t0, 0x7000
    ld a0, 0(t0)
    li s6, -1
    li t0, 0x8000
    ld t1, 0(t0)
    mv a1, s6
    li s6, -1
    li t0, 0x4000
    jalr ra, t0
    mv a2, s6
    ecall

/* Records cause and tval and skips the instruction (a fetch fault returns to ra); ecall
 * from U goes to S-mode at s9, ecall from S back to S-mode at s9 with load page faults
 * delegated (a0 = 1) or to M-mode at s9 (a0 = 2). */
    .balign 4
mtrap:
    csrr t6, mcause
    li t5, 8
    beq t6, t5, u_ecall
    li t5, 9
    beq t6, t5, s_ecall
    mv s6, t6
    csrr s7, mtval
    li t5, 12
    beq t6, t5, 1f
    li t5, 1
    beq t6, t5, 1f
    csrr t5, mepc
    addi t5, t5, 4
    csrw mepc, t5
    mret
1:  csrw mepc, ra
    mret
u_ecall:
    li t5, 1 << 11
    csrs mstatus, t5
    csrw mepc, s9
    mret
s_ecall:                                    /* a0 = 1: medeleg = load page faults */
    csrw mepc, s9
    li t5, 2
    beq a0, t5, 1f
    li t5, 1 << 13
    csrs medeleg, t5
    mret
1:  li t5, 3 << 11                          /* a0 = 2: to M-mode */
    csrs mstatus, t5
    mret

/* S-mode's handler for delegated page faults: s6 = cause | 0x100, s7 = stval,
 * s8 = sepc. */
    .balign 4
strap:
    csrr s6, scause
    ori s6, s6, 0x100
    csrr s7, stval
    csrr s8, sepc
    csrr t5, sepc
    addi t5, t5, 4
    csrw sepc, t5
    sret

/* A code page: returns its own pc in a0. */
    .balign 4096
fpage:
    auipc a0, 0
    ret
    .balign 4096

HTIF_DEFINE

    .data
    .balign 4096
tpage: .dword MAGIC, 0, 0
    .balign 4096
tpage2: .dword MAGIC2
    .section .rodata
ok: .ascii "mmu ok\n"
ok_end:
    .bss
    .balign 4096
l2: .space 4096
l1: .space 4096
l0: .space 4096
root4: .space 4096
root5: .space 4096
