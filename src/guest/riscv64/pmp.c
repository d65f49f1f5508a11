/* Physical memory protection (guest/riscv64/pmp.h), as the privileged spec's PMP chapter
 * says: 16 entries with a 4-byte grain (OpenSBI finds both by writing pmpaddr and reading it
 * back), each OFF, TOR, NA4 or NAPOT; the lowest-numbered entry that matches any byte of an
 * access decides, and an access it matches only in part fails. M-mode is bound by locked
 * entries only and passes where nothing matches; S and U fail where nothing matches once any
 * entry is on (with every entry off, as after reset, nothing is checked: bare-metal programs
 * that never program the PMP run in S and U-mode as before). */
#include "guest/riscv64/pmp.h"

#include "guest/riscv64/system.h"
#include "mem/aspace.h"
#include "mem/softmmu.h"

#define PMP_R 0x01u
#define PMP_W 0x02u
#define PMP_X 0x04u
#define PMP_A_SHIFT 3
#define PMP_A (3u << PMP_A_SHIFT)
#define PMP_L 0x80u
enum { PMP_OFF = 0, PMP_TOR = 1, PMP_NA4 = 2, PMP_NAPOT = 3 };
#define PMPCFG_BYTE_WRITABLE (PMP_L | PMP_A | PMP_X | PMP_W | PMP_R)
#define PMPADDR_WRITABLE ((1ull << 54) - 1)     /* physical address bits 55..2 */
#define PMPCFG_ANY(bit) (0x0101010101010101ull * (bit))

static unsigned cfg_of(const struct rv64_cpu *r, unsigned i)
{
    return (unsigned)(r->pmpcfg[i / 8] >> 8 * (i % 8)) & 0xff;
}

void rv64_pmp_write_cfg(struct rv64_cpu *r, unsigned reg, uint64_t value)
{
    uint64_t cfg = r->pmpcfg[reg];
    for (unsigned b = 0; b < 8; b++) {
        unsigned old = (unsigned)(cfg >> 8 * b) & 0xff;
        unsigned now = (unsigned)(value >> 8 * b) & PMPCFG_BYTE_WRITABLE;
        /* R = 0 with W = 1 is reserved: such a write leaves the entry as it was. */
        if ((old & PMP_L) || ((now & (PMP_R | PMP_W)) == PMP_W))
            continue;
        cfg = (cfg & ~(0xffull << 8 * b)) | (uint64_t)now << 8 * b;
    }
    r->pmpcfg[reg] = cfg;
    rv64_pmp_refresh(r);
}

void rv64_pmp_write_addr(struct rv64_cpu *r, unsigned n, uint64_t value)
{
    /* Locked, or the bottom of a locked TOR entry above it. */
    if ((cfg_of(r, n) & PMP_L) ||
        (n + 1 < RV_PMP_ENTRIES && (cfg_of(r, n + 1) & (PMP_L | PMP_A)) ==
                                       (PMP_L | PMP_TOR << PMP_A_SHIFT)))
        return;
    r->pmpaddr[n] = value & PMPADDR_WRITABLE;
    rv64_pmp_refresh(r);
}

/* Entry i's range [*lo, *hi): false when it is off or empty. */
static bool entry_range(const struct rv64_cpu *r, unsigned i, uint64_t *lo, uint64_t *hi)
{
    uint64_t addr = r->pmpaddr[i];
    switch ((cfg_of(r, i) & PMP_A) >> PMP_A_SHIFT) {
    case PMP_TOR:
        *lo = i ? r->pmpaddr[i - 1] << 2 : 0;
        *hi = addr << 2;
        return *lo < *hi;
    case PMP_NA4:
        *lo = addr << 2;
        *hi = *lo + 4;
        return true;
    case PMP_NAPOT: {
        /* pmpaddr holds base / 4 with size / 8 - 1 in its low bits (54 bits: t <= 54). */
        unsigned t = (unsigned)__builtin_ctzll(~addr);
        *lo = (addr & ~((1ull << t) - 1)) << 2;
        *hi = *lo + (8ull << t);
        return true;
    }
    default:
        return false;
    }
}

void rv64_pmp_refresh(struct rv64_cpu *r)
{
    r->n_pmp_on = 0;
    for (unsigned i = 0; i < RV_PMP_ENTRIES; i++) {
        uint64_t lo, hi;
        if (entry_range(r, i, &lo, &hi))
            r->pmp_on[r->n_pmp_on++] = (struct rv64_pmp_range){ lo, hi, cfg_of(r, i) };
    }
}

/* The first entry on matching any byte of [start, start + len), or NULL; *whole says
 * whether it matches all of them. */
static const struct rv64_pmp_range *first_match(const struct rv64_cpu *r, uint64_t start,
                                                uint64_t len, bool *whole)
{
    for (const struct rv64_pmp_range *e = r->pmp_on; e < r->pmp_on + r->n_pmp_on; e++) {
        if (e->hi <= start || e->lo >= start + len)
            continue;
        *whole = e->lo <= start && e->hi >= start + len;
        return e;
    }
    *whole = true;
    return NULL;
}

/* What entry e (NULL: none matched) lets priv do. PMP's R, W and X are MEM_READ, MEM_WRITE
 * and MEM_EXEC. */
static unsigned entry_prot(const struct rv64_pmp_range *e, unsigned priv)
{
    unsigned all = MEM_READ | MEM_WRITE | MEM_EXEC;
    if (!e)
        return priv == RV_PRIV_M ? all : 0;
    if (priv == RV_PRIV_M && !(e->cfg & PMP_L))
        return all;
    return e->cfg & (PMP_R | PMP_W | PMP_X);
}

/* Whether accesses of priv are checked at all. */
static bool checked(const struct rv64_cpu *r, unsigned priv)
{
    uint64_t on = (r->pmpcfg[0] | r->pmpcfg[1]) & PMPCFG_ANY(PMP_A);
    uint64_t locked = (r->pmpcfg[0] | r->pmpcfg[1]) & PMPCFG_ANY(PMP_L);
    return priv == RV_PRIV_M ? locked != 0 : on != 0;
}

unsigned rv64_pmp_page_prot(const struct rv64_cpu *r, uint64_t pa, unsigned priv,
                            bool *uncached)
{
    *uncached = false;
    if (!checked(r, priv))
        return MEM_READ | MEM_WRITE | MEM_EXEC;
    bool whole;
    const struct rv64_pmp_range *e =
        first_match(r, pa & ~(SOFTMMU_PAGE_SIZE - 1), SOFTMMU_PAGE_SIZE, &whole);
    if (!whole) {
        *uncached = true;
        e = first_match(r, pa, 1, &whole);
    }
    return entry_prot(e, priv);
}

bool rv64_pmp_allows(const struct rv64_cpu *r, uint64_t pa, uint64_t len, unsigned access,
                     unsigned priv)
{
    if (!checked(r, priv))
        return true;
    bool whole;
    const struct rv64_pmp_range *e = first_match(r, pa, len, &whole);
    return whole && (entry_prot(e, priv) & access) == access;
}
