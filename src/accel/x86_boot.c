/* The Linux 64-bit boot protocol for x86-64 kernels (accel/x86_boot.h), for an ELF kernel
 * and for a bzImage. Offsets into boot_params are those of Linux's
 * Documentation/arch/x86/zero-page.rst and boot.rst. */
#include "accel/x86_boot.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"

/* boot_params (the zero page) and its setup header, which a bzImage also begins with. */
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_SETUP_SECTS 0x1f1
#define BP_BOOT_FLAG 0x1fe
#define BP_JUMP_END 0x201           /* the setup header ends at 0x202 plus this byte */
#define BP_HEADER 0x202
#define BP_VERSION 0x206
#define BP_TYPE_OF_LOADER 0x210
#define BP_CODE32_START 0x214
#define BP_RAMDISK_IMAGE 0x218
#define BP_RAMDISK_SIZE 0x21c
#define BP_CMD_LINE_PTR 0x228
#define BP_KERNEL_ALIGNMENT 0x230
#define BP_CMDLINE_SIZE 0x238
#define BP_XLOADFLAGS 0x236
#define BP_INIT_SIZE 0x260
#define BP_SETUP_HEADER_MAX 0x290   /* where boot_params' later fields begin */
#define BP_E820_TABLE 0x2d0
#define E820_ENTRY_SIZE 20
#define E820_RAM 1

#define BOOT_FLAG 0xaa55
#define HDRS 0x53726448            /* "HdrS" */
#define PROTOCOL_VERSION 0x020f
#define LOADER_UNDEFINED 0xff
#define BZ_MIN_VERSION 0x020c       /* boot protocol 2.12: xloadflags says the 64-bit entry exists */
#define XLF_KERNEL_64 0x1
#define BZ_ENTRY_64 0x200           /* the 64-bit entry's offset in the protected-mode kernel */

/* Page table entry bits. */
#define PTE_P 0x1ull
#define PTE_W 0x2ull
#define PTE_PS 0x80ull
#define PAGE 4096

/* Control register and EFER bits the entry state sets. */
#define CR0_PE 0x1ull
#define CR0_ET 0x10ull
#define CR0_PG 0x80000000ull
#define CR4_PAE 0x20ull
#define EFER_LME 0x100ull
#define EFER_LMA 0x400ull

/* The flat GDT: null, 64-bit code (0x08), data (0x10), a busy 64-bit TSS (0x18). */
static const uint64_t gdt[] = {
    0, 0x00af9b000000ffffull, 0x00cf93000000ffffull, 0x008f8b000000ffffull,
};
#define SEL_CODE 0x08
#define SEL_DATA 0x10
#define SEL_TSS 0x18

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

/* The whole file at path in a malloc'd buffer, or NULL after printing why. */
static uint8_t *read_file(const char *path, size_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    uint8_t *buf = NULL;
    if (fd < 0 || fstat(fd, &st) < 0) {
        vm_error("%s: %s", path, strerror(errno));
        goto out;
    }
    buf = malloc(st.st_size ? (size_t)st.st_size : 1);
    if (!buf) {
        vm_error("%s: %s", path, strerror(ENOMEM));
        goto out;
    }
    size_t done = 0;
    while (done < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);
        if (n <= 0) {
            vm_error("%s: %s", path, n < 0 ? strerror(errno) : "shorter than its size");
            free(buf);
            buf = NULL;
            goto out;
        }
        done += (size_t)n;
    }
    *size = done;
out:
    if (fd >= 0)
        close(fd);
    return buf;
}

/* Checks every header and segment of the ELF in f before copying any. *end is where the
 * highest segment ends. */
static int load_elf(const struct x86_ram *ram, const char *path, const uint8_t *f, size_t size,
                    uint64_t *entry, uint64_t *end)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;
    if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
        eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
        eh->e_machine != EM_X86_64) {
        vm_error("%s: not an x86-64 ELF64 kernel (--accel=kvm runs x86-64 guests)", path);
        return -1;
    }
    if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > size ||
        (size - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum) {
        vm_error("%s: truncated ELF program headers", path);
        return -1;
    }
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(f + eh->e_phoff);
    bool any = false;
    *end = 0;
    for (unsigned pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < eh->e_phnum; i++) {
            const Elf64_Phdr *p = &ph[i];
            if (p->p_type != PT_LOAD || !p->p_memsz)
                continue;
            if (pass == 0) {
                if (p->p_filesz > p->p_memsz || p->p_offset > size ||
                    size - p->p_offset < p->p_filesz) {
                    vm_error("%s: a segment lies outside the file", path);
                    return -1;
                }
                if (p->p_paddr < X86_BOOT_KERNEL_MIN || p->p_paddr > ram->low ||
                    ram->low - p->p_paddr < p->p_memsz) {
                    vm_error("%s: segment at 0x%llx+0x%llx is outside RAM from 1 MiB to "
                             "0x%llx (--memory)", path, (unsigned long long)p->p_paddr,
                             (unsigned long long)p->p_memsz, (unsigned long long)ram->low);
                    return -1;
                }
                any = true;
                if (p->p_paddr + p->p_memsz > *end)
                    *end = p->p_paddr + p->p_memsz;
                continue;
            }
            memcpy(ram->host + p->p_paddr, f + p->p_offset, p->p_filesz);
            memset(ram->host + p->p_paddr + p->p_filesz, 0, p->p_memsz - p->p_filesz);
        }
    if (!any) {
        vm_error("%s: no loadable segment", path);
        return -1;
    }
    *entry = eh->e_entry;
    return 0;
}

static bool is_bzimage(const uint8_t *f, size_t size)
{
    return size > BP_SETUP_HEADER_MAX && get16(f + BP_BOOT_FLAG) == BOOT_FLAG &&
           get32(f + BP_HEADER) == HDRS;
}

/* A bzImage: its setup code (which the 64-bit entry does not run) is skipped, the protected-
 * mode kernel after it goes at 1 MiB with room for the init_size bytes it decompresses into,
 * and its setup header is copied into boot_params (bp), where the loader's fields then go.
 * Everything is checked before anything is copied. */
static int load_bzimage(const struct x86_ram *ram, const char *path, const uint8_t *f,
                        size_t size, const char *cmdline, uint8_t *bp, uint64_t *entry,
                        uint64_t *end)
{
    if (get16(f + BP_VERSION) < BZ_MIN_VERSION || !(get16(f + BP_XLOADFLAGS) & XLF_KERNEL_64)) {
        vm_error("%s: a bzImage without a 64-bit entry (boot protocol %u.%02u; 2.12 and "
                 "XLF_KERNEL_64 needed)", path, get16(f + BP_VERSION) >> 8,
                 get16(f + BP_VERSION) & 0xff);
        return -1;
    }
    size_t setup = ((size_t)(f[BP_SETUP_SECTS] ? f[BP_SETUP_SECTS] : 4) + 1) * 512;
    if (setup >= size) {
        vm_error("%s: truncated bzImage (no kernel after %zu bytes of setup)", path, setup);
        return -1;
    }
    uint64_t load = X86_BOOT_KERNEL_MIN, need = size - setup;
    if (get32(f + BP_INIT_SIZE) > need)
        need = get32(f + BP_INIT_SIZE);
    if (ram->low < load || ram->low - load < need) {
        vm_error("%s: needs 0x%llx bytes of RAM from 1 MiB, RAM ends at 0x%llx (--memory)",
                 path, (unsigned long long)need, (unsigned long long)ram->low);
        return -1;
    }
    if (strlen(cmdline) > get32(f + BP_CMDLINE_SIZE)) {
        vm_error("--append: longer than the %u bytes %s takes", get32(f + BP_CMDLINE_SIZE), path);
        return -1;
    }
    size_t header_end = 0x202 + f[BP_JUMP_END];
    if (header_end > BP_SETUP_HEADER_MAX)
        header_end = BP_SETUP_HEADER_MAX;
    memcpy(ram->host + load, f + setup, size - setup);
    memcpy(bp + BP_SETUP_SECTS, f + BP_SETUP_SECTS, header_end - BP_SETUP_SECTS);
    put32(bp + BP_CODE32_START, (uint32_t)load);
    *entry = load + BZ_ENTRY_64;
    *end = load + need;
    return 0;
}

static void page_tables(uint8_t *low)
{
    uint8_t *pml4 = low + X86_BOOT_PML4, *pdpt = pml4 + PAGE, *pd = pdpt + PAGE;
    memset(pml4, 0, 6 * PAGE);
    put64(pml4, (X86_BOOT_PML4 + PAGE) | PTE_P | PTE_W);
    for (uint64_t g = 0; g < 4; g++) {
        put64(pdpt + 8 * g, (X86_BOOT_PML4 + (2 + g) * PAGE) | PTE_P | PTE_W);
        for (uint64_t m = 0; m < 512; m++)
            put64(pd + g * PAGE + 8 * m, ((g << 30) | (m << 21)) | PTE_P | PTE_W | PTE_PS);
    }
}

static unsigned e820_add(uint8_t *bp, unsigned n, uint64_t addr, uint64_t size)
{
    uint8_t *e = bp + BP_E820_TABLE + n * E820_ENTRY_SIZE;
    put64(e, addr);
    put64(e + 8, size);
    put32(e + 16, E820_RAM);
    return n + 1;
}

int x86_boot_load(const struct x86_ram *ram, const char *kernel, const char *initrd,
                  const char *append, uint64_t *entry)
{
    size_t ksize, isize = 0;
    uint8_t *k = read_file(kernel, &ksize), *i = NULL;
    int err = -1;
    if (!k)
        return -1;
    if (initrd && !(i = read_file(initrd, &isize)))
        goto out;
    if (append && strlen(append) >= X86_BOOT_CMDLINE_MAX) {
        vm_error("--append: longer than %d bytes", X86_BOOT_CMDLINE_MAX - 1);
        goto out;
    }
    uint8_t *low = ram->host, *bp = low + X86_BOOT_PARAMS;
    uint64_t kernel_end, initrd_at = 0;
    memset(bp, 0, PAGE);
    if (is_bzimage(k, ksize)) {
        if (load_bzimage(ram, kernel, k, ksize, append ? append : "", bp, entry, &kernel_end) < 0)
            goto out;
    } else {
        if (load_elf(ram, kernel, k, ksize, entry, &kernel_end) < 0)
            goto out;
        put16(bp + BP_BOOT_FLAG, BOOT_FLAG);
        put32(bp + BP_HEADER, HDRS);
        put16(bp + BP_VERSION, PROTOCOL_VERSION);
        put32(bp + BP_KERNEL_ALIGNMENT, 0x01000000);
        put32(bp + BP_CMDLINE_SIZE, X86_BOOT_CMDLINE_MAX - 1);
    }
    if (i) {
        initrd_at = (ram->low - isize) & ~(uint64_t)(PAGE - 1);
        if (isize > ram->low || initrd_at < kernel_end) {
            vm_error("%s: does not fit in RAM (--memory)", initrd);
            goto out;
        }
        memcpy(low + initrd_at, i, isize);
    }
    memcpy(low + X86_BOOT_GDT, gdt, sizeof(gdt));
    memset(low + X86_BOOT_IDT, 0, 8);
    page_tables(low);
    strcpy((char *)low + X86_BOOT_CMDLINE, append ? append : "");
    bp[BP_TYPE_OF_LOADER] = LOADER_UNDEFINED;
    put32(bp + BP_CMD_LINE_PTR, X86_BOOT_CMDLINE);
    put32(bp + BP_RAMDISK_IMAGE, (uint32_t)initrd_at);
    put32(bp + BP_RAMDISK_SIZE, (uint32_t)isize);
    put32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(initrd_at >> 32));
    put32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)((uint64_t)isize >> 32));
    unsigned n = e820_add(bp, 0, 0, X86_BOOT_EBDA);
    n = e820_add(bp, n, X86_BOOT_KERNEL_MIN, ram->low - X86_BOOT_KERNEL_MIN);
    if (ram->high)
        n = e820_add(bp, n, X86_RAM_HIGH_BASE, ram->high);
    bp[BP_E820_ENTRIES] = (uint8_t)n;
    err = 0;
out:
    free(k);
    free(i);
    return err;
}

static void segment(struct kvm_segment *s, uint16_t selector, uint8_t type, bool code)
{
    *s = (struct kvm_segment){
        .base = 0, .limit = 0xffffffff, .selector = selector, .type = type, .present = 1,
        .dpl = 0, .db = !code, .s = 1, .l = code, .g = 1,
    };
}

int x86_boot_vcpu(int vcpu_fd, uint64_t entry)
{
    struct kvm_sregs s;
    if (ioctl(vcpu_fd, KVM_GET_SREGS, &s) < 0) {
        vm_error("kvm: KVM_GET_SREGS: %s", strerror(errno));
        return -1;
    }
    segment(&s.cs, SEL_CODE, 0xb, true);
    segment(&s.ds, SEL_DATA, 0x3, false);
    s.es = s.fs = s.gs = s.ss = s.ds;
    s.tr = (struct kvm_segment){ .base = 0, .limit = 0xfffff, .selector = SEL_TSS,
                                 .type = 0xb, .present = 1 };
    s.gdt.base = X86_BOOT_GDT;
    s.gdt.limit = sizeof(gdt) - 1;
    s.idt.base = X86_BOOT_IDT;
    s.idt.limit = 7;
    s.cr0 = CR0_PE | CR0_ET | CR0_PG;
    s.cr3 = X86_BOOT_PML4;
    s.cr4 = CR4_PAE;
    s.efer = EFER_LME | EFER_LMA;
    struct kvm_regs r = { .rflags = 2, .rip = entry, .rsp = X86_BOOT_STACK,
                          .rbp = X86_BOOT_STACK, .rsi = X86_BOOT_PARAMS };
    struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };
    if (ioctl(vcpu_fd, KVM_SET_SREGS, &s) < 0 || ioctl(vcpu_fd, KVM_SET_REGS, &r) < 0 ||
        ioctl(vcpu_fd, KVM_SET_FPU, &fpu) < 0) {
        vm_error("kvm: cannot set the vCPU's entry state: %s", strerror(errno));
        return -1;
    }
    return 0;
}
