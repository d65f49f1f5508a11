/* The initial stack of a new program, as Linux's execve builds it: at the top the strings
 * (execfn, platform, argv and envp strings) and 16 random bytes, below them the auxiliary
 * vector, envp, argv and argc, with the stack pointer 16-byte aligned at argc. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include "linux/load.h"

#define AUXV_MAX 24

struct stack_builder {
    struct uspace *us;
    uint64_t sp;        /* next free byte is below sp */
    uint64_t floor;     /* strings may not go below this */
};

static int push_bytes(struct stack_builder *b, const void *data, size_t len, uint64_t *addr)
{
    if (b->sp - b->floor < len)
        return -E2BIG;
    b->sp -= len;
    memcpy(uspace_g2h(b->us, b->sp), data, len);
    *addr = b->sp;
    return 0;
}

static int push_string(struct stack_builder *b, const char *s, uint64_t *addr)
{
    return push_bytes(b, s, strlen(s) + 1, addr);
}

/* Pushes each string of list (NULL-terminated), recording its guest address in addrs. */
static int push_strings(struct stack_builder *b, char **list, uint64_t *addrs)
{
    for (size_t i = 0; list[i]; i++) {
        int err = push_string(b, list[i], &addrs[i]);
        if (err < 0)
            return err;
    }
    return 0;
}

static size_t count(char **list)
{
    size_t n = 0;
    while (list[n])
        n++;
    return n;
}

static void put64(struct uspace *us, uint64_t addr, uint64_t v)
{
    memcpy(uspace_g2h(us, addr), &v, sizeof(v));
}

struct auxv {
    uint64_t v[2 * AUXV_MAX];
    unsigned n;
};

static void aux(struct auxv *av, uint64_t type, uint64_t value)
{
    av->v[av->n++] = type;
    av->v[av->n++] = value;
}

static void fill_auxv(struct auxv *av, const struct linux_proc *proc, const struct load_info *li,
                      uint64_t execfn, uint64_t platform, uint64_t random)
{
    const struct guest_linux_ops *g = proc->guest_linux;
    av->n = 0;
    aux(av, AT_PHDR, li->phdr);
    aux(av, AT_PHENT, sizeof(Elf64_Phdr));
    aux(av, AT_PHNUM, li->phnum);
    aux(av, AT_PAGESZ, USPACE_PAGE_SIZE);
    aux(av, AT_BASE, li->interp_base);
    aux(av, AT_FLAGS, 0);
    aux(av, AT_ENTRY, li->prog_entry);
    aux(av, AT_UID, getuid());
    aux(av, AT_EUID, geteuid());
    aux(av, AT_GID, getgid());
    aux(av, AT_EGID, getegid());
    aux(av, AT_SECURE, 0);
    aux(av, AT_RANDOM, random);
    aux(av, AT_HWCAP, g->hwcap ? g->hwcap() : 0);
    if (g->hwcap2)
        aux(av, AT_HWCAP2, g->hwcap2());
    if (g->minsigstksz)
        aux(av, AT_MINSIGSTKSZ, g->minsigstksz);
    aux(av, AT_CLKTCK, (uint64_t)sysconf(_SC_CLK_TCK));
    aux(av, AT_EXECFN, execfn);
    if (platform)
        aux(av, AT_PLATFORM, platform);
    aux(av, AT_NULL, 0);
}

/* Guest addresses of everything pushed as bytes, for the pointer part of the stack. */
struct stack_strings {
    uint64_t *argv, *envp;      /* argc + 1 and envc + 1 entries, NULL-terminated */
    uint64_t execfn, platform, random;
};

static int push_all(struct stack_builder *b, const struct linux_proc *proc, char **argv,
                    char **envp, const char *execfn, struct stack_strings *ss)
{
    uint8_t random[16];
    int err;
    if (getrandom(random, sizeof(random), 0) != sizeof(random))
        return -EIO;
    if ((err = push_string(b, execfn, &ss->execfn)) < 0)
        return err;
    if (proc->guest_linux->platform && (err = push_string(b, proc->guest_linux->platform, &ss->platform)) < 0)
        return err;
    if ((err = push_bytes(b, random, sizeof(random), &ss->random)) < 0)
        return err;
    if ((err = push_strings(b, envp, ss->envp)) < 0)
        return err;
    return push_strings(b, argv, ss->argv);
}

int stack_build(struct linux_proc *proc, const struct load_info *li, char **argv, char **envp,
                const char *execfn, uint64_t *sp)
{
    struct uspace *us = &proc->us;
    uint64_t top = us->limit, bottom = top - proc->stack_size;
    int err = uspace_map(us, bottom, proc->stack_size,
                         PROT_READ | PROT_WRITE | (li->exec_stack ? PROT_EXEC : 0),
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (err < 0)
        return err;
    /* Like Linux, strings may take a quarter of the stack (ARG_MAX). */
    struct stack_builder b = { us, top - sizeof(uint64_t), top - proc->stack_size / 4 };
    size_t argc = count(argv), envc = count(envp);
    struct stack_strings ss = { .argv = calloc(argc + envc + 2, sizeof(uint64_t)) };
    if (!ss.argv)
        return -ENOMEM;
    ss.envp = ss.argv + argc + 1;
    if ((err = push_all(&b, proc, argv, envp, execfn, &ss)) < 0) {
        free(ss.argv);
        return err;
    }

    struct auxv av;
    fill_auxv(&av, proc, li, ss.execfn, ss.platform, ss.random);
    uint64_t words = 1 + (argc + 1) + (envc + 1) + av.n;
    if (words * sizeof(uint64_t) + 16 > b.sp - bottom - proc->stack_size / 2) {
        free(ss.argv);
        return -E2BIG;
    }
    uint64_t p = (b.sp - words * sizeof(uint64_t)) & ~15ull;
    *sp = p;
    put64(us, p, argc);
    p += 8;
    for (size_t i = 0; i <= argc; i++, p += 8)
        put64(us, p, ss.argv[i]);
    for (size_t i = 0; i <= envc; i++, p += 8)
        put64(us, p, ss.envp[i]);
    for (unsigned i = 0; i < av.n; i++, p += 8)
        put64(us, p, av.v[i]);
    free(ss.argv);
    return 0;
}
