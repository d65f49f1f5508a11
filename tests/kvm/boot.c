/* The boot state of the 64-bit boot protocol: long mode with paging (CR0, CR4, EFER), the
 * flat GDT and its selectors, the page tables at CR3 mapping the first 4 GiB one to one in
 * 2 MiB pages, rsi = boot_params with the setup header, the command line and the e820 map
 * (printed, so the expected output pins them to --memory and --append). Booted as an ELF and,
 * wrapped by bzimage.py, as a bzImage, whose setup header must reach boot_params. */
#include "lib.h"

static uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}

static void field(const char *name, uint64_t v)
{
    puts_serial(name);
    putc_serial('=');
    puthex(v);
    putc_serial(' ');
}

/* Whether the tables at cr3 map va to itself through a 2 MiB page. */
static int identity(uint64_t cr3, uint64_t va)
{
    const uint64_t *pml4 = (const uint64_t *)(cr3 & ~0xfffull);
    uint64_t e = pml4[(va >> 39) & 511];
    if (!(e & 1))
        return 0;
    e = ((const uint64_t *)(e & 0xffffffffff000ull))[(va >> 30) & 511];
    if (!(e & 1) || (e & 0x80))
        return 0;
    e = ((const uint64_t *)(e & 0xffffffffff000ull))[(va >> 21) & 511];
    return (e & 0x81) == 0x81 && (e & 0xfffffffe00000ull) == (va & ~0x1fffffull);
}

int main(uint8_t *bp)
{
    uint64_t cr0, cr3, cr4;
    uint16_t cs, ds, ss, tr;
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } gdt;
    __asm__ volatile("mov %%cr0, %0; mov %%cr3, %1; mov %%cr4, %2" : "=r"(cr0), "=r"(cr3), "=r"(cr4));
    __asm__ volatile("mov %%cs, %0; mov %%ds, %1; mov %%ss, %2; str %3" : "=r"(cs), "=r"(ds), "=r"(ss), "=r"(tr));
    __asm__ volatile("sgdt %0" : "=m"(gdt));
    field("cr0", cr0);
    field("cr3", cr3);
    field("cr4", cr4);
    field("efer", rdmsr(0xc0000080) & 0xd01);  /* SCE, LME, LMA, NXE */
    putc_serial('\n');
    field("cs", cs);
    field("ds", ds);
    field("ss", ss);
    field("tr", tr);
    field("gdt", gdt.base);
    field("limit", gdt.limit);
    const uint64_t *g = (const uint64_t *)gdt.base;
    field("code", g[cs >> 3]);
    field("data", g[ds >> 3]);
    putc_serial('\n');
    int ok = 1;
    for (uint64_t va = 0; va < (4ull << 30); va += 0x200000)
        ok &= identity(cr3, va);
    puts_serial(ok ? "identity map 0-4G ok\n" : "identity map wrong\n");
    field("rsi", (uint64_t)bp);
    field("flag", *(uint16_t *)(bp + 0x1fe));
    field("hdr", *(uint32_t *)(bp + 0x202));
    field("loader", bp[0x210]);
    field("initrd", *(uint32_t *)(bp + 0x218));
    field("size", *(uint32_t *)(bp + 0x21c));
    putc_serial('\n');
    field("setup", bp[0x1f1]);
    field("version", *(uint16_t *)(bp + 0x206));
    field("code32", *(uint32_t *)(bp + 0x214));
    field("align", *(uint32_t *)(bp + 0x230));
    field("cmdmax", *(uint32_t *)(bp + 0x238));
    putc_serial('\n');
    puts_serial("cmdline=");
    puts_serial((const char *)(uint64_t)*(uint32_t *)(bp + 0x228));
    putc_serial('\n');
    unsigned n = bp[0x1e8];
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *e = bp + 0x2d0 + 20 * i;
        field("e820", *(const uint64_t *)e);
        field("size", *(const uint64_t *)(e + 8));
        field("type", *(const uint32_t *)(e + 16));
        putc_serial('\n');
    }
    return 0;
}
