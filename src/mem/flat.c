/* The flat address space of user mode: guest address + base = host address. Engines inline
 * its accesses (they see flat_base), so its ops serve only the callers that go through the
 * interface: each checks the range and touches host memory, where a host fault is the
 * guest's data fault. */
#include "mem/aspace.h"
#include "mem/smc.h"

#include <string.h>

static void *flat_host_ptr(struct cpu *cpu, uint64_t addr, unsigned size, unsigned access,
                           unsigned mmu_idx)
{
    mem_check_flat(cpu, addr, size);
    return cpu->as->flat_base + addr;
}

static uint64_t flat_load(struct cpu *cpu, uint64_t addr, unsigned memop)
{
    unsigned size = 1u << (memop & IR_MO_SIZE);
    uint64_t v = 0;
    memcpy(&v, flat_host_ptr(cpu, addr, size, MEM_READ, 0), size);
    return v;
}

static void flat_store(struct cpu *cpu, uint64_t addr, unsigned memop, uint64_t value)
{
    unsigned size = 1u << (memop & IR_MO_SIZE);
    memcpy(flat_host_ptr(cpu, addr, size, MEM_WRITE, 0), &value, size);
}

static const struct aspace_ops flat_ops = {
    .host_ptr = flat_host_ptr,
    .load = flat_load,
    .store = flat_store,
    .protect_code = smc_protect,
    .code_writes = smc_flush_dirty,
};

void aspace_flat_init(struct aspace *as, uint8_t *base, uint64_t size)
{
    as->ops = &flat_ops;
    as->flat_base = base;
    as->flat_limit = size;
}
