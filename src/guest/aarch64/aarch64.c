/* The aarch64 guest as the rest of vm sees it: its guest_ops (translation, disassembly, state
 * dump), registered by name and ELF machine. Its Linux ABI is linux/guest_aarch64.c. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/registry.h"
#include "guest/aarch64/cpu.h"
#include "guest/aarch64/decode.h"
#include "guest/aarch64/gdb.h"
#include "guest/aarch64/translate.h"

#define EM_AARCH64 183

static struct a64_cpu *a64(struct cpu *cpu)
{
    return (struct a64_cpu *)cpu;
}

static void a64_dump_state(struct cpu *cpu, FILE *f)
{
    struct a64_cpu *r = a64(cpu);
    uint32_t nzcv = a64_nzcv(r);
    fprintf(f, "pc  %016" PRIx64 "  nzcv %u%u%u%u\n", cpu->pc, nzcv >> 31, nzcv >> 30 & 1,
            nzcv >> 29 & 1, nzcv >> 28 & 1);
    for (unsigned i = 0; i < 32; i++)
        fprintf(f, "%s%-2u %016" PRIx64 "%s", i == 31 ? "sp" : "x", i == 31 ? 0 : i, r->x[i],
                i % 4 == 3 ? "\n" : "  ");
    for (unsigned i = 0; i < 32; i++)
        fprintf(f, "v%-2u %016" PRIx64 "%016" PRIx64 "%s", i, r->v[i][1], r->v[i][0],
                i % 2 == 1 ? "\n" : "  ");
    fprintf(f, "fpcr %08" PRIx64 "  fpsr %08" PRIx64 "  tpidr %016" PRIx64 "\n", r->fpcr, r->fpsr,
            r->tpidr);
}

static const struct guest_ops a64_guest_ops = {
    .name = "aarch64",
    .elf_machine = EM_AARCH64,
    .state_size = sizeof(struct a64_cpu),
    .translate_insn = a64_translate_insn,
    .carry_state = a64_carry_state,
    .disas = a64_disas,
    .dump_state = a64_dump_state,
    .gdb = &a64_gdb,
};
GUEST_REGISTER(a64_guest_ops)
