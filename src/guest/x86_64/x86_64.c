/* The x86-64 guest as the rest of vm sees it: its guest_ops (translation, disassembly, state
 * dump, gdb), registered by name and ELF machine. Its Linux ABI is linux/guest_x86_64.c. */
#include <inttypes.h>
#include <stdio.h>

#include "core/registry.h"
#include "guest/x86_64/cpu.h"
#include "guest/x86_64/decode.h"
#include "guest/x86_64/gdb.h"
#include "guest/x86_64/translate.h"

#define EM_X86_64 62

static const char *const reg_names[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

static void x64_dump_state(struct cpu *cpu, FILE *f)
{
    struct x64_cpu *r = (struct x64_cpu *)cpu;
    fprintf(f, "rip %016" PRIx64 "  rflags %08" PRIx64 "  fs_base %016" PRIx64
               "  gs_base %016" PRIx64 "\n", cpu->pc, x64_eflags(r), r->fs_base, r->gs_base);
    for (unsigned i = 0; i < 16; i++)
        fprintf(f, "%-3s %016" PRIx64 "%s", reg_names[i], r->r[i], i % 4 == 3 ? "\n" : "  ");
    for (unsigned i = 0; i < 16; i++)
        fprintf(f, "ymm%-2u %016" PRIx64 "%016" PRIx64 "%016" PRIx64 "%016" PRIx64 "\n", i,
                r->ymm[i][3], r->ymm[i][2], r->ymm[i][1], r->ymm[i][0]);
    fprintf(f, "mxcsr %08" PRIx32 "  fcw %04x  fsw %04x  ftw %04x\n", r->mxcsr, r->x87.fcw,
            r->x87.fsw, r->x87.ftw);
}

static const struct guest_ops x64_guest_ops = {
    .name = "x86_64",
    .elf_machine = EM_X86_64,
    .state_size = sizeof(struct x64_cpu),
    .translate_insn = x64_translate_insn,
    .carry_state = x64_carry_state,
    .disas = x64_disas,
    .dump_state = x64_dump_state,
    .gdb = &x64_gdb,
};
GUEST_REGISTER(x64_guest_ops)
