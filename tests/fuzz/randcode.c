/* A guest program (riscv64 or aarch64) that runs the random programs of a file written by
 * randcode_gen and prints, for each, how it ended: the signal, its code, the pc and the fault
 * address (relative to the code page or the scratch when inside them), and hashes of the
 * integer registers at the signal and of the scratch memory. Every record ends in a signal:
 * the code page is full of breakpoints around the sequence. A virtual-time timer ends the
 * ones that loop ("timeout"). Run under vm and under qemu-user, the outputs must be equal.
 *
 * Usage: randcode FILE [INDEX]   (INDEX: also print every register of that record)
 * The runner (run_code, in assembly) saves the program's registers in the save area, loads
 * the record's and jumps to the code; the signal handler records the result and points the
 * interrupted context at recover, which restores the program's registers and returns from
 * run_code. */
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

#include "randcode.h"

#define STR2(x) #x
#define STR(x) STR2(x)

struct save {
    uint64_t regs[64];        /* the runner's, see the assembly */
    int64_t sig, code;
    uint64_t pc, addr;
    uint64_t x[33];           /* at the signal: riscv64 pc x1..x31; aarch64 x0..x30 sp pstate */
};

void run_code(const struct randcode_record *r);
void recover(void);

#if defined(__riscv)
#define TRAP_WORD 0x00100073u   /* ebreak */
__asm__(".text\n"
        ".globl run_code\n"
        "run_code:\n"
        "  li t0, " STR(RANDCODE_SAVE) "\n"
        "  sd ra, 0(t0)\n sd sp, 8(t0)\n sd gp, 16(t0)\n sd tp, 24(t0)\n"
        "  .irp n,0,1,2,3,4,5,6,7,8,9,10,11\n"
        "  sd s\\n, (32+\\n*8)(t0)\n fsd fs\\n, (128+\\n*8)(t0)\n"
        "  .endr\n"
        "  fscsr zero\n"
        "  .irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
        "  fld f\\n, (256+\\n*8)(a0)\n"
        "  .endr\n"
        "  .irp n,1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
        "  ld x\\n, (\\n*8)(a0)\n"
        "  .endr\n"
        "  ld a0, 80(a0)\n"
        "  jr t6\n"
        ".globl recover\n"
        "recover:\n"
        "  li t0, " STR(RANDCODE_SAVE) "\n"
        "  ld ra, 0(t0)\n ld sp, 8(t0)\n ld gp, 16(t0)\n ld tp, 24(t0)\n"
        "  .irp n,0,1,2,3,4,5,6,7,8,9,10,11\n"
        "  ld s\\n, (32+\\n*8)(t0)\n fld fs\\n, (128+\\n*8)(t0)\n"
        "  .endr\n"
        "  fscsr zero\n"
        "  ret\n");

static uint64_t context_pc(ucontext_t *uc)
{
    return uc->uc_mcontext.__gregs[REG_PC];
}

static void context_save(ucontext_t *uc, struct save *s)
{
    for (int i = 0; i < 32; i++)
        s->x[i] = uc->uc_mcontext.__gregs[i];
    s->x[32] = uc->uc_mcontext.__fpregs.__d.__fcsr;
}

static void context_resume(ucontext_t *uc, void (*at)(void))
{
    uc->uc_mcontext.__gregs[REG_PC] = (uintptr_t)at;
}
#elif defined(__aarch64__)
#define TRAP_WORD 0xd4200000u   /* brk #0 */
__asm__(".text\n"
        ".globl run_code\n"
        "run_code:\n"
        "  ldr x9, =" STR(RANDCODE_SAVE) "\n"
        "  mov x10, sp\n"
        "  stp x29, x30, [x9, #0]\n"
        "  str x10, [x9, #16]\n"
        "  mrs x10, tpidr_el0\n"
        "  str x10, [x9, #24]\n"
        "  stp x19, x20, [x9, #32]\n stp x21, x22, [x9, #48]\n stp x23, x24, [x9, #64]\n"
        "  stp x25, x26, [x9, #80]\n stp x27, x28, [x9, #96]\n"
        "  stp d8, d9, [x9, #128]\n stp d10, d11, [x9, #144]\n stp d12, d13, [x9, #160]\n"
        "  stp d14, d15, [x9, #176]\n"
        "  msr fpcr, xzr\n msr fpsr, xzr\n msr nzcv, xzr\n"
        "  .irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
        "  ldr d\\n, [x0, #(256+\\n*8)]\n"
        "  .endr\n"
        "  ldr x1, [x0, #248]\n"
        "  mov sp, x1\n"
        "  .irp n,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30\n"
        "  ldr x\\n, [x0, #(\\n*8)]\n"
        "  .endr\n"
        "  ldr x0, [x0]\n"
        "  br x16\n"
        ".globl recover\n"
        "recover:\n"
        "  ldr x9, =" STR(RANDCODE_SAVE) "\n"
        "  ldp x29, x30, [x9, #0]\n"
        "  ldr x10, [x9, #16]\n"
        "  mov sp, x10\n"
        "  ldr x10, [x9, #24]\n"
        "  msr tpidr_el0, x10\n"
        "  ldp x19, x20, [x9, #32]\n ldp x21, x22, [x9, #48]\n ldp x23, x24, [x9, #64]\n"
        "  ldp x25, x26, [x9, #80]\n ldp x27, x28, [x9, #96]\n"
        "  ldp d8, d9, [x9, #128]\n ldp d10, d11, [x9, #144]\n ldp d12, d13, [x9, #160]\n"
        "  ldp d14, d15, [x9, #176]\n"
        "  msr fpcr, xzr\n"
        "  ret\n"
        ".ltorg\n");

static uint64_t context_pc(ucontext_t *uc)
{
    return uc->uc_mcontext.pc;
}

static void context_save(ucontext_t *uc, struct save *s)
{
    for (int i = 0; i < 31; i++)
        s->x[i] = uc->uc_mcontext.regs[i];
    s->x[31] = uc->uc_mcontext.sp;
    s->x[32] = uc->uc_mcontext.pstate & 0xf0000000u;   /* NZCV */
}

static void context_resume(ucontext_t *uc, void (*at)(void))
{
    uc->uc_mcontext.pc = (uintptr_t)at;
}
#else
#error "randcode runs on riscv64 and aarch64 guests"
#endif

static struct save *const save = (struct save *)RANDCODE_SAVE;

static bool in_code_page(uint64_t pc)
{
    return pc >= RANDCODE_CODE && pc < RANDCODE_CODE + RANDCODE_PAGE;
}

/* Uses no global or thread-local state of the program: the random code may have left any
 * value in gp and tp. */
static void on_signal(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    uint64_t pc = context_pc(uc);
    if (sig == SIGVTALRM && !in_code_page(pc))
        return;   /* the timer fired in the runner: the next tick ends the record */
    save->sig = sig;
    save->code = si->si_code;
    save->pc = pc;
    save->addr = (uintptr_t)si->si_addr;
    context_save(uc, save);
    context_resume(uc, recover);
}

static uint64_t fnv(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

/* An address as text: relative to the code page or the scratch when inside them. */
static void format_address(char *out, size_t n, uint64_t a)
{
    if (in_code_page(a))
        snprintf(out, n, "code+%#llx", (unsigned long long)(a - RANDCODE_CODE));
    else if (a >= RANDCODE_SCRATCH && a < RANDCODE_SCRATCH + RANDCODE_SCRATCH_SIZE)
        snprintf(out, n, "scratch+%#llx", (unsigned long long)(a - RANDCODE_SCRATCH));
    else
        snprintf(out, n, "%#llx", (unsigned long long)a);
}

static void *map_fixed(uint64_t addr, size_t size, int prot)
{
    void *p = mmap((void *)addr, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                   -1, 0);
    if (p != (void *)addr) {
        perror("randcode: mmap");
        exit(2);
    }
    return p;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: randcode FILE [INDEX]\n");
        return 2;
    }
    long verbose = argc > 2 ? atol(argv[2]) : -1;
    int fd = open(argv[1], O_RDONLY);
    off_t size = fd < 0 ? -1 : lseek(fd, 0, SEEK_END);
    if (size < 0) {
        perror("randcode: open");
        return 2;
    }
    struct randcode_record *records = malloc(size);
    if (!records || pread(fd, records, size, 0) != size) {
        perror("randcode: read");
        return 2;
    }
    close(fd);
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);

    uint32_t *code = map_fixed(RANDCODE_CODE, RANDCODE_PAGE, PROT_READ | PROT_WRITE);
    uint8_t *scratch = map_fixed(RANDCODE_SCRATCH, RANDCODE_SCRATCH_SIZE, PROT_READ | PROT_WRITE);
    map_fixed(RANDCODE_SAVE, RANDCODE_PAGE, PROT_READ | PROT_WRITE);
    stack_t alt = { .ss_sp = map_fixed(RANDCODE_ALTSTACK, RANDCODE_ALTSTACK_SIZE,
                                       PROT_READ | PROT_WRITE),
                    .ss_size = RANDCODE_ALTSTACK_SIZE };
    sigaltstack(&alt, NULL);
    struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO | SA_ONSTACK };
    sigfillset(&sa.sa_mask);
    static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGVTALRM };
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaction(sigs[i], &sa, NULL);

    size_t n = size / sizeof(struct randcode_record);
    for (size_t i = 0; i < n; i++) {
        const struct randcode_record *r = &records[i];
        uint64_t state = i * 0x9e3779b97f4a7c15ull + 1;
        for (unsigned j = 0; j < RANDCODE_SCRATCH_SIZE; j += 8) {
            state ^= state << 13, state ^= state >> 7, state ^= state << 17;
            memcpy(scratch + j, &state, 8);
        }
        mprotect(code, RANDCODE_PAGE, PROT_READ | PROT_WRITE);
        for (unsigned j = 0; j < RANDCODE_PAGE / 4; j++)
            code[j] = TRAP_WORD;
        memcpy((uint8_t *)code + RANDCODE_ENTRY_OFFSET, r->code, r->len);
        mprotect(code, RANDCODE_PAGE, PROT_READ | PROT_EXEC);
        __builtin___clear_cache((char *)code, (char *)code + RANDCODE_PAGE);

        struct itimerval tick = { { 0, 20000 }, { 0, 20000 } }, off = { { 0, 0 }, { 0, 0 } };
        save->sig = 0;
        setitimer(ITIMER_VIRTUAL, &tick, NULL);
        run_code(r);
        setitimer(ITIMER_VIRTUAL, &off, NULL);

        if (save->sig == SIGVTALRM) {
            printf("%zu timeout\n", i);
            continue;
        }
        char pc[40], addr[40];
        format_address(pc, sizeof(pc), save->pc);
        format_address(addr, sizeof(addr), save->addr);
        printf("%zu sig %lld code %lld pc %s addr %s regs %016llx mem %016llx\n", i,
               (long long)save->sig, (long long)save->code, pc, addr,
               (unsigned long long)fnv(save->x, sizeof(save->x)),
               (unsigned long long)fnv(scratch, RANDCODE_SCRATCH_SIZE));
        if ((long)i == verbose)
            for (int j = 0; j < 33; j++)
                printf("  r%d %016llx\n", j, (unsigned long long)save->x[j]);
    }
    return 0;
}
