/* Physical memory protection of the riscv64 hart in system mode (guest/riscv64/pmp.c): the
 * 16 entries' pmpcfg and pmpaddr writes with their WARL and lock rules, and the permissions
 * they give an access at a privilege level. The page walk asks them when it fills the TLB,
 * never on a TLB hit; every write of an entry flushes the TLB. */
#ifndef VM_GUEST_RISCV64_PMP_H
#define VM_GUEST_RISCV64_PMP_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/riscv64/cpu.h"

#define RV_PMP_ENTRIES 16

/* A write of pmpcfg register reg (0 for pmpcfg0, 1 for pmpcfg2), or of pmpaddr n: the
 * fields of locked entries keep their value. */
void rv64_pmp_write_cfg(struct rv64_cpu *r, unsigned reg, uint64_t value);
void rv64_pmp_write_addr(struct rv64_cpu *r, unsigned n, uint64_t value);
/* Decodes pmp_on from pmpcfg and pmpaddr: after a reset or a snapshot's load (the writes
 * above call it themselves). */
void rv64_pmp_refresh(struct rv64_cpu *r);

/* The kinds of access (MEM_*) the PMP lets privilege level priv make to physical page
 * ppage, read for the access at pa inside it. *uncached is set when the answer holds for pa
 * only (an entry's boundary lies inside the page), so the TLB must ask again next time. With
 * no entry on, or in M-mode with no entry locked, everything is allowed. */
unsigned rv64_pmp_page_prot(const struct rv64_cpu *r, uint64_t pa, unsigned priv,
                            bool *uncached);
/* True if the PMP lets priv make an access of kind access to all of [pa, pa + len). */
bool rv64_pmp_allows(const struct rv64_cpu *r, uint64_t pa, uint64_t len, unsigned access,
                     unsigned priv);

#endif
