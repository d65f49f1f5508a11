/* The riscv64 guest as the rest of vm sees it: its guest_ops (translation, disassembly, state
 * dump), registered by name and ELF machine. Its Linux ABI is linux/guest_riscv64.c. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/registry.h"
#include "guest/riscv64/cpu.h"
#include "guest/riscv64/decode.h"
#include "guest/riscv64/gdb.h"
#include "guest/riscv64/system.h"
#include "guest/riscv64/translate.h"

#define EM_RISCV 243

static struct rv64_cpu *rv(struct cpu *cpu)
{
    return (struct rv64_cpu *)cpu;
}

static void dump_regs(FILE *f, const char *const names[32], const uint64_t regs[32])
{
    for (unsigned i = 0; i < 32; i++)
        fprintf(f, "%-4s %016" PRIx64 "%s", names[i], regs[i], i % 4 == 3 ? "\n" : "  ");
}

static void rv64_dump_state(struct cpu *cpu, FILE *f)
{
    struct rv64_cpu *r = rv(cpu);
    fprintf(f, "pc   %016" PRIx64 "\n", cpu->pc);
    dump_regs(f, rv64_xreg_names, r->x);
    dump_regs(f, rv64_freg_names, r->f);
    fprintf(f, "fflags %02" PRIx64 "  frm %" PRIu64 "  reservation %016" PRIx64 "\n", r->fflags,
            r->frm, r->res_addr);
}

static const struct guest_ops rv64_guest_ops = {
    .name = "riscv64",
    .elf_machine = EM_RISCV,
    .state_size = sizeof(struct rv64_cpu),
    .translate_insn = rv64_translate_insn,
    .disas = rv64_disas,
    .dump_state = rv64_dump_state,
    .gdb = &rv64_gdb,
    .system = &rv64_system_ops,
};
GUEST_REGISTER(rv64_guest_ops)
