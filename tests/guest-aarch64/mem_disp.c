/* Loads and stores whose base register lies outside the guest address space while
 * base + displacement lies inside it: just above the top of the stack (the top of the space
 * in vm) with a negative displacement, and wrapping past 2^64 with a positive one (a fault at
 * a low address, whose si_addr must be base + displacement). Each access is the first
 * instruction of its function, so the base comes straight from the guest register. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>

uint64_t ldr_m16(uint64_t base);
uint64_t ldrb_m16(uint64_t base);
void str_m16(uint64_t base, uint64_t value);
void strb_m16(uint64_t base, uint64_t value);
uint64_t ldr_p16(uint64_t base);
void str_p16(uint64_t base, uint64_t value);
__asm__(".text\n"
        ".globl ldr_m16\n ldr_m16: ldur x0, [x0, #-16]\n ret\n"
        ".globl ldrb_m16\n ldrb_m16: ldurb w0, [x0, #-16]\n ret\n"
        ".globl str_m16\n str_m16: stur x1, [x0, #-16]\n ret\n"
        ".globl strb_m16\n strb_m16: sturb w1, [x0, #-16]\n ret\n"
        ".globl ldr_p16\n ldr_p16: ldr x0, [x0, #16]\n ret\n"
        ".globl str_p16\n str_p16: str x1, [x0, #16]\n ret\n");

static sigjmp_buf jb;
static void *volatile fault_addr;
static volatile int fault_code;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    fault_addr = si->si_addr;
    fault_code = si->si_code;
    siglongjmp(jb, 1);
}

/* The end of the stack's mapping in /proc/self/maps, or 0. */
static uint64_t stack_top(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    uint64_t lo, hi, top = 0, sp = (uint64_t)__builtin_frame_address(0);
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo <= sp && sp < hi)
            top = hi;
    if (f)
        fclose(f);
    return top;
}

int main(void)
{
    uint64_t top = stack_top();
    if (!top) {
        printf("no stack in /proc/self/maps\n");
        return 1;
    }
    volatile uint64_t *want = (uint64_t *)(top - 8), *twice = (uint64_t *)(top - 24);
    uint64_t saved_want = *want, saved_twice = *twice, base = top + 8;

    *want = 0x1111111111111181ull;
    *twice = 0x2222222222222222ull;
    printf("ldur  [top+8 - 16] = %#lx\n", ldr_m16(base));
    printf("ldurb [top+8 - 16] = %#lx\n", ldrb_m16(base));
    str_m16(base, 0x3333333333333333ull);
    printf("stur  [top+8 - 16]: top-8 = %#lx, top-24 = %#lx\n", *want, *twice);
    strb_m16(base, 0x44);
    printf("sturb [top+8 - 16]: top-8 = %#lx, top-24 = %#lx\n", *want, *twice);
    *want = saved_want;
    *twice = saved_twice;

    struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
    sigaction(SIGSEGV, &sa, NULL);
    if (!sigsetjmp(jb, 1))
        printf("ldr [-8 + 16] did not fault: %#lx\n", ldr_p16(-8ull));
    printf("ldr [-8 + 16]: SIGSEGV code %d at %p\n", fault_code, fault_addr);
    if (!sigsetjmp(jb, 1)) {
        str_p16(-8ull, 1);
        printf("str [-8 + 16] did not fault\n");
    }
    printf("str [-8 + 16]: SIGSEGV code %d at %p\n", fault_code, fault_addr);
    return 0;
}
