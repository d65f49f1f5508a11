/* host_disas (host/disas.h): capstone through dlopen, looked up once per process and opened
 * once per thread and ISA. The headers give the types and constants; the library's soname is
 * the major version those headers are of. */
#include <stdio.h>

#include "core/dynlib.h"
#include "host/disas.h"

#if HAVE_CAPSTONE
#include <capstone/capstone.h>

#define STR_(x) #x
#define STR(x) STR_(x)
#define CAPSTONE_SONAME "libcapstone.so." STR(CS_API_MAJOR)

static struct {
    cs_err (*open)(cs_arch arch, cs_mode mode, csh *handle);
    size_t (*disasm)(csh handle, const uint8_t *code, size_t size, uint64_t address,
                     size_t count, cs_insn **insn);
    void (*free)(cs_insn *insn, size_t count);
} cs;
static const struct dynlib_sym cs_syms[] = {
    { "cs_open", (void **)&cs.open }, { "cs_disasm", (void **)&cs.disasm },
    { "cs_free", (void **)&cs.free },
};
static struct dynlib cs_lib = DYNLIB(CAPSTONE_SONAME, cs_syms);

size_t host_disas(enum host_disas_isa isa, const uint8_t *code, size_t len, uint64_t addr,
                  char *out, size_t outlen)
{
    static const struct { cs_arch arch; cs_mode mode; } isas[] = {
        [HOST_DISAS_X86_64] = { CS_ARCH_X86, CS_MODE_64 },
        [HOST_DISAS_AARCH64] = { CS_ARCH_ARM64, CS_MODE_ARM },
    };
    static __thread csh handle[2];
    static __thread int opened[2];   /* 0: not yet, 1: open, -1: cannot */
    cs_insn *insn;
    if (!opened[isa])
        opened[isa] = !dynlib_open(&cs_lib) && cs.open(isas[isa].arch, isas[isa].mode, &handle[isa]) == CS_ERR_OK
                          ? 1 : -1;
    if (opened[isa] < 0 || cs.disasm(handle[isa], code, len, addr, 1, &insn) != 1)
        return 0;
    snprintf(out, outlen, "%s %s", insn->mnemonic, insn->op_str);
    size_t size = insn->size;
    cs.free(insn, 1);
    return size;
}
#else
size_t host_disas(enum host_disas_isa isa, const uint8_t *code, size_t len, uint64_t addr,
                  char *out, size_t outlen)
{
    return 0;
}
#endif
