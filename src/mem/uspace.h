/* The user-mode guest address space: one host reservation, guest address + base = host address.
 * Guest protections are mirrored on the host pages (so a guest store to a read-only page faults
 * on the host and becomes the guest's SIGSEGV); a sparse table of page flags records the guest's
 * own view (including PROT_EXEC, which the host pages never get). */
#ifndef VM_MEM_USPACE_H
#define VM_MEM_USPACE_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mem/aspace.h"

#define USPACE_PAGE_SIZE 4096ull
/* PROT_NONE host memory reserved on both sides of the space. JIT code checks a guest base
 * register once and then adds any 32-bit displacement: whatever that reaches outside the space
 * lands in a guard, faults, and becomes the guest's SIGSEGV (base + disp is at most
 * 2 x 2 GiB + an access size away from the space). */
#define USPACE_GUARD (8ull << 30)
/* Lowest address uspace_find_free hands out (Linux's default vm.mmap_min_addr). */
#define USPACE_MIN_ADDR 0x10000ull

/* Guest page flags. */
enum {
    USPACE_READ = 1, USPACE_WRITE = 2, USPACE_EXEC = 4, /* == PROT_* */
    USPACE_MAPPED = 8,
};

/* Page flags are a byte per page in leaves of USPACE_LEAF_PAGES pages, found through a
 * directory whose entry is the leaf's address, or, below 256, the flags of every page the leaf
 * would cover: a terabyte mapped or unmapped at once costs a few thousand entries, not a byte
 * per page. */
#define USPACE_LEAF_PAGES (1ull << 15)

struct uspace {
    struct aspace as;    /* what CPUs running in this space point to: flat, base and limit */
    uint8_t *base;       /* host address of guest address 0 */
    uint64_t limit;      /* size of the space; guest addresses are [0, limit) */
    uintptr_t *dir;      /* a page flags entry per leaf (lazily backed, MAP_NORESERVE) */
    uint8_t *spare;      /* leaves no directory entry uses, chained through their first word:
                          * kept, not freed, since a syscall of another thread may be reading
                          * one without the mm lock */
    uint64_t mmap_base;  /* where address-less mmaps start searching (top-down below this) */
    uint64_t brk_start, brk_cur;
};

/* Reserve a space of `size` bytes (a multiple of the page size) whose guest address 0 is host
 * address `host_base`, or wherever the host has room when it is 0. Returns 0 or -errno
 * (-EEXIST: something of the host's is in the way at host_base). */
int uspace_init(struct uspace *us, uint64_t size, uint64_t host_base);
void uspace_destroy(struct uspace *us);

/* Host address of guest address addr, which must lie in the space. */
static inline void *uspace_g2h(const struct uspace *us, uint64_t addr)
{
    return us->base + addr;
}

/* Where Linux's access_ok stops taking user addresses: x86-64's and riscv64 Sv48's 47 bits
 * (arm64's 48 are more). */
#define USPACE_USER_TOP (1ull << 47)

/* The host address a host system call may be given for guest address addr. Inside the space
 * it is addr's host page, whose protection mirrors the guest's (a range running past the space
 * meets the guard above it); above the space but below USPACE_USER_TOP, the guard above it
 * (a user address the host faults on); beyond, an address in the host kernel's half, which the
 * host's access_ok refuses as Linux's refuses addr. Outside the space addr's offset in its
 * page is kept, so alignment checks still see it. Either way the host kernel fails with EFAULT
 * at the point Linux does (after checking fds and flags, or with the bytes done so far). */
static inline void *uspace_kernel_addr(const struct uspace *us, uint64_t addr)
{
    uint64_t offset = addr & (USPACE_PAGE_SIZE - 1);
    if (addr < us->limit)
        return us->base + addr;
    if (addr < USPACE_USER_TOP)
        return us->base + us->limit + offset;
    return (void *)(uintptr_t)(0x8000000000000000ull | offset);
}

/* Map [addr, addr+len) with guest prot (PROT_*), like mmap(MAP_FIXED) with flags
 * (MAP_PRIVATE/MAP_SHARED/MAP_ANONYMOUS) and fd/off for file mappings. 0 or -errno; a mapping
 * the host refuses leaves the range unchanged, one that fails for want of memory may leave it
 * unmapped (as on Linux). Nothing but the guest's own mappings is ever put inside the space. */
int uspace_map(struct uspace *us, uint64_t addr, uint64_t len, int prot, int flags, int fd,
               off_t off);
/* Attaches SysV shared memory segment shmid at [addr, addr+len) (shmat's SHM_RDONLY and
 * SHM_EXEC in shmflg). 0 or -errno. uspace_unmap detaches it. */
int uspace_shmat(struct uspace *us, uint64_t addr, uint64_t len, int shmid, int shmflg);
/* Unmapped pages go back to the PROT_NONE reservation; nothing else can ever land there. */
int uspace_unmap(struct uspace *us, uint64_t addr, uint64_t len);
/* Like mremap(MREMAP_FIXED): moves the mapping at [old, old+old_len) to dest as new_len bytes
 * (the host carries contents and file backing along; the pages past old_len get the last
 * page's flags) and gives the old range back to the reservation. The ranges must not overlap.
 * On failure dest has lost what it held, as on Linux. 0 or -errno. */
int uspace_move(struct uspace *us, uint64_t old, uint64_t old_len, uint64_t dest,
                uint64_t new_len);
/* Like mprotect: -ENOMEM unless every page is mapped. */
int uspace_protect(struct uspace *us, uint64_t addr, uint64_t len, int prot);
/* Find a free range of len bytes, at hint if it is free, else top-down below mmap_base,
 * never below USPACE_MIN_ADDR. Returns the address or 0 if there is none. */
uint64_t uspace_find_free(struct uspace *us, uint64_t hint, uint64_t len);
bool uspace_is_free(const struct uspace *us, uint64_t addr, uint64_t len);
/* True if every page of [addr, addr+len) is mapped with all bits of prot (len 0: always). */
bool uspace_access_ok(const struct uspace *us, uint64_t addr, uint64_t len, int prot);
/* The flags (USPACE_*) of addr's page, and in *end the end of the run of pages from addr on
 * with the same flags (at most the end of the space). addr must lie in the space. */
uint8_t uspace_flags_run(const struct uspace *us, uint64_t addr, uint64_t *end);
/* Copy guest code for the translator: fails with -EFAULT unless every byte is executable. */
int uspace_fetch(const struct uspace *us, uint64_t addr, void *buf, size_t len);
/* Copies between guest and host memory for syscalls; -EFAULT if not accessible. A host fault
 * during the copy (a file mapping past its end gives SIGBUS) also makes them fail with -EFAULT:
 * the process's SIGSEGV/SIGBUS handler must siglongjmp to uspace_copy_guard when it is set. */
extern __thread sigjmp_buf *uspace_copy_guard;
int uspace_read(const struct uspace *us, uint64_t addr, void *buf, size_t len);
int uspace_write(struct uspace *us, uint64_t addr, const void *buf, size_t len);
/* Length of the NUL-terminated guest string at addr (max bytes searched), or -EFAULT. */
long uspace_strnlen(const struct uspace *us, uint64_t addr, size_t max);

#endif
