/* The x86-64 disassembler for --log=in_asm: the row's mnemonic (the operand size's spelling
 * where it has several) and its operands in the SDM's notation, which is all the decoder
 * keeps; capstone's full listing is the test's oracle, not vm's. */
#include "guest/x86_64/decode.h"

#include <stdio.h>
#include <string.h>

/* "cbw/cwde/cdqe" -> the spelling for the operand size (16, 32, 64 bits in order); other
 * rows with several spellings print their first. */
static void mnemonic(const struct x64_insn *in, char *out, size_t outlen)
{
    const char *name = in->def->name;
    unsigned alts = 1, pick = 0;
    for (const char *p = name; *p; p++)
        alts += *p == '/';
    unsigned fam = in->def->family;
    if (alts == 3 && (fam == X64_FAM_cbw || fam == X64_FAM_cwd || fam == X64_FAM_string))
        pick = in->opsize == 2 ? 0 : in->opsize == 4 ? 1 : 2;
    while (pick--)
        name = strchr(name, '/') + 1;
    size_t n = strcspn(name, "/");
    snprintf(out, outlen, "%.*s", (int)n, name);
}

int x64_disas(uint64_t pc, const uint8_t *code, size_t len, char *out, size_t outlen)
{
    struct x64_insn in;
    (void)pc;
    if (x64_decode(code, len, &in) != 0)
        return 0;
    char name[24];
    mnemonic(&in, name, sizeof(name));
    snprintf(out, outlen, "%s%s%s", name, in.def->ops[0] ? " " : "", in.def->ops);
    return in.len;
}
