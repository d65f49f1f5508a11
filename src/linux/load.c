/* The ELF loader: maps a program's PT_LOAD segments (at a chosen base for ET_DYN), zeroes
 * their bss, places brk after the program, and loads the PT_INTERP dynamic linker from the
 * sysroot, as Linux's binfmt_elf does. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/log.h"
#include "exec/tcache.h"
#include "linux/load.h"

#define PAGE_MASK (USPACE_PAGE_SIZE - 1)
#define MAX_SEGMENT_ALIGN (1ull << 30)

static uint64_t page_down(uint64_t a)
{
    return a & ~PAGE_MASK;
}

static uint64_t page_up(uint64_t a)
{
    return (a + PAGE_MASK) & ~PAGE_MASK;
}

static int elf_prot(uint32_t pf)
{
    return (pf & PF_R ? PROT_READ : 0) | (pf & PF_W ? PROT_WRITE : 0) |
           (pf & PF_X ? PROT_EXEC : 0);
}

/* The page-rounded span [lo, hi) of an image's PT_LOAD segments and their largest alignment. */
struct span {
    uint64_t lo, hi, align;
};

static struct span image_span(const struct elf_file *ef)
{
    struct span s = { UINT64_MAX, 0, USPACE_PAGE_SIZE };
    for (unsigned i = 0; i < ef->eh.e_phnum; i++) {
        const Elf64_Phdr *p = &ef->ph[i];
        if (p->p_type != PT_LOAD)
            continue;
        if (p->p_vaddr < s.lo)
            s.lo = p->p_vaddr;
        if (p->p_vaddr + p->p_memsz > s.hi)
            s.hi = p->p_vaddr + p->p_memsz;
        if (p->p_align > s.align && p->p_align <= MAX_SEGMENT_ALIGN &&
            !(p->p_align & (p->p_align - 1)))
            s.align = p->p_align;
    }
    s.lo = page_down(s.lo);
    s.hi = s.hi > UINT64_MAX - PAGE_MASK ? UINT64_MAX & ~PAGE_MASK : page_up(s.hi);
    return s;
}

/* Maps one PT_LOAD at bias: file pages, the zeroed rest of the last file page, then anonymous
 * pages up to p_memsz. */
static int map_segment(struct uspace *us, const struct elf_file *ef, const Elf64_Phdr *p,
                       uint64_t bias)
{
    int prot = elf_prot(p->p_flags), err;
    uint64_t start = p->p_vaddr + bias;
    uint64_t file_end = start + p->p_filesz, mem_end = start + p->p_memsz;
    uint64_t anon_start = page_down(start);
    if (p->p_filesz) {
        bool zero_tail = p->p_memsz > p->p_filesz && (file_end & PAGE_MASK);
        err = uspace_map(us, page_down(start), page_up(file_end) - page_down(start),
                         prot | (zero_tail ? PROT_WRITE : 0), MAP_PRIVATE, ef->fd,
                         (off_t)page_down(p->p_offset));
        if (err < 0)
            return err;
        tcache_map(page_down(start), page_up(file_end) - page_down(start),
                   prot & PROT_EXEC ? ef->fd : -1, NULL);
        if (zero_tail) {
            memset(uspace_g2h(us, file_end), 0, page_up(file_end) - file_end);
            if (!(prot & PROT_WRITE) &&
                (err = uspace_protect(us, page_down(file_end), USPACE_PAGE_SIZE, prot)) < 0)
                return err;
        }
        anon_start = page_up(file_end);
    }
    if (page_up(mem_end) > anon_start)
        return uspace_map(us, anon_start, page_up(mem_end) - anon_start, prot,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return 0;
}

/* Guest address of the program headers: PT_PHDR, else the PT_LOAD whose file bytes hold them. */
static uint64_t phdr_addr(const struct elf_file *ef, uint64_t bias)
{
    uint64_t size = (uint64_t)ef->eh.e_phnum * sizeof(Elf64_Phdr);
    for (unsigned i = 0; i < ef->eh.e_phnum; i++)
        if (ef->ph[i].p_type == PT_PHDR)
            return ef->ph[i].p_vaddr + bias;
    for (unsigned i = 0; i < ef->eh.e_phnum; i++) {
        const Elf64_Phdr *p = &ef->ph[i];
        if (p->p_type == PT_LOAD && p->p_offset <= ef->eh.e_phoff &&
            ef->eh.e_phoff + size <= p->p_offset + p->p_filesz)
            return p->p_vaddr + (ef->eh.e_phoff - p->p_offset) + bias;
    }
    return 0;
}

/* Maps an image: ET_EXEC where it says, ET_DYN at `base` (0: anywhere, top-down).
 * Returns 0 and the load bias, or -errno with *why set. */
static int map_image(struct uspace *us, const struct elf_file *ef, uint64_t base,
                     uint64_t *bias, uint64_t *end, const char **why)
{
    struct span s = image_span(ef);
    *why = "segment outside the guest address space";
    if (s.hi > us->limit || s.lo >= s.hi)
        return -ENOEXEC;
    if (ef->eh.e_type == ET_DYN) {
        uint64_t len = s.hi - s.lo;
        if (!base && (base = uspace_find_free(us, 0, len + s.align - USPACE_PAGE_SIZE)))
            base = (base + s.align - 1) & ~(s.align - 1);
        if (!base || base > us->limit - len)
            return -ENOMEM;
        *bias = base - s.lo;
    } else {
        *bias = 0;
    }
    *why = "segments overlap something already mapped";
    if (s.lo + *bias < USPACE_MIN_ADDR || !uspace_is_free(us, s.lo + *bias, s.hi - s.lo))
        return -ENOEXEC;
    *why = NULL;
    for (unsigned i = 0; i < ef->eh.e_phnum; i++) {
        if (ef->ph[i].p_type != PT_LOAD)
            continue;
        int err = map_segment(us, ef, &ef->ph[i], *bias);
        if (err < 0)
            return err;
    }
    *end = s.hi + *bias;
    return 0;
}

/* Where Linux puts ET_DYN programs: two thirds of the way up (ELF_ET_DYN_BASE). */
static uint64_t dyn_base(const struct uspace *us, uint64_t align)
{
    uint64_t base = page_down(us->limit / 3 * 2);
    return (base + align - 1) & ~(align - 1);
}

static void report(const char *path, int err, const char *why)
{
    vm_error("%s: %s", path, why ? why : strerror(-err));
}

/* An interpreter must be executable, as Linux requires (open_exec). */
static int open_exec(struct elf_file *ef, const char *path, const char **why)
{
    *why = NULL;
    return access(path, X_OK) < 0 ? -errno : elf_open(ef, path, why);
}

/* Opens the interpreter under the sysroot, falling back to the host's own path (multiarch). */
static int open_interp(struct linux_proc *proc, const char *prog_path, const char *interp,
                       struct elf_file *ef)
{
    char path[PATH_MAX];
    const char *why;
    int err = -ENOENT;
    if (proc->sysroot && snprintf(path, sizeof(path), "%s%s", proc->sysroot, interp) < PATH_MAX)
        err = open_exec(ef, path, &why);
    if (err == -ENOENT) {
        snprintf(path, sizeof(path), "%s", interp);
        err = open_exec(ef, path, &why);
    }
    if (err == -ENOENT) {
        vm_error("%s: interpreter %s not found under %s", prog_path, interp,
                 proc->sysroot ? proc->sysroot : "/");
        return err;
    }
    if (err < 0) {
        vm_error("%s: interpreter %s: %s", prog_path, path, why ? why : strerror(-err));
        return err;
    }
    return 0;
}

static int load_interp(struct linux_proc *proc, const struct elf_file *prog, const char *path,
                       struct load_info *li)
{
    struct elf_file interp;
    const char *why;
    uint64_t bias, end;
    int err = open_interp(proc, path, prog->interp, &interp);
    if (err < 0)
        return err;
    if (interp.eh.e_machine != prog->eh.e_machine) {
        vm_error("%s: interpreter %s is for machine %u", path, prog->interp, interp.eh.e_machine);
        elf_close(&interp);
        return -ENOEXEC;
    }
    err = map_image(&proc->us, &interp, 0, &bias, &end, &why);
    if (err < 0)
        vm_error("%s: interpreter %s: %s", path, prog->interp, why ? why : strerror(-err));
    li->interp_base = bias + image_span(&interp).lo;
    li->entry = interp.eh.e_entry + bias;
    elf_close(&interp);
    return err;
}

int load_program(struct linux_proc *proc, struct elf_file *prog, const char *path,
                 struct load_info *li)
{
    struct uspace *us = &proc->us;
    const char *why;
    uint64_t bias, end;
    us->mmap_base = us->limit - GUEST_STACK_GAP + GUEST_STACK_SIZE - proc->stack_size;
    int err = map_image(us, prog, dyn_base(us, image_span(prog).align), &bias, &end, &why);
    if (err < 0) {
        report(path, err, why);
        return err;
    }
    us->brk_start = us->brk_cur = page_up(end);
    memset(li, 0, sizeof(*li));
    li->prog_entry = li->entry = prog->eh.e_entry + bias;
    li->phdr = phdr_addr(prog, bias);
    li->phnum = prog->eh.e_phnum;
    for (unsigned i = 0; i < prog->eh.e_phnum; i++)   /* nested-function trampolines */
        if (prog->ph[i].p_type == PT_GNU_STACK)
            li->exec_stack = prog->ph[i].p_flags & PF_X;
    return prog->interp[0] ? load_interp(proc, prog, path, li) : 0;
}
