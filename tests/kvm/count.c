/* A guest that counts, for the control socket and snapshots (control_test.py): N lines
 * "count I sum S check C" (N from "lines=N" on the command line, default 40), one every 2
 * ticks of the PIT at 100 Hz (IRQ 0 through the PIC at vector 0x20), waiting in HLT between
 * them, so it costs few instructions however long it runs; then "done" and the i8042 reset.
 * S (3 a line) lives in xmm0, which nothing else touches, and C = 31 C + I (from 7) in a
 * callee-saved register, so a restore that loses the FPU state or a register shows in the
 * output; the tick count lives in RAM, its handler on the interrupt path. xmm0 is changed
 * through FXSAVE and FXRSTOR only: a KVM that runs ring 0 through its instruction emulator
 * (this host's kvm_pvm) emulates those two, but no SSE or x87 arithmetic. */
#include "lib.h"

#define VECTOR 0x20
#define PIT_HZ 1193182
#define TICK_HZ 100
#define TICKS_PER_LINE 2
#define BOOT_CMDLINE_PTR 0x228

struct __attribute__((packed)) gate {
    uint16_t off0, sel;
    uint8_t ist, type;
    uint16_t off1;
    uint32_t off2, zero;
};

static struct gate idt[256];
static volatile uint64_t ticks;
static uint8_t fx[512] __attribute__((aligned(16)));   /* FXSAVE's area */
#define FX_XMM0 160

void tick_handler(void)
{
    ticks++;
    outb(0x20, 0x20);              /* EOI to the master PIC */
}

__asm__(".text\n"
        "tick_entry:\n"
        "  push %rax; push %rcx; push %rdx; push %rsi; push %rdi\n"
        "  push %r8; push %r9; push %r10; push %r11\n"
        "  call tick_handler\n"
        "  pop %r11; pop %r10; pop %r9; pop %r8\n"
        "  pop %rdi; pop %rsi; pop %rdx; pop %rcx; pop %rax\n"
        "  iretq\n");
void tick_entry(void);

/* "lines=N" in the command line, or the default. */
static uint64_t lines_arg(const uint8_t *bp)
{
    const char *p = (const char *)(uint64_t)*(const uint32_t *)(bp + BOOT_CMDLINE_PTR);
    for (; p && *p; p++)
        if (p[0] == 'l' && p[1] == 'i' && p[2] == 'n' && p[3] == 'e' && p[4] == 's' && p[5] == '=') {
            uint64_t n = 0;
            for (p += 6; *p >= '0' && *p <= '9'; p++)
                n = n * 10 + (uint64_t)(*p - '0');
            return n;
        }
    return 40;
}

static void putdec(uint64_t v)
{
    char buf[21];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        putc_serial(buf[--n]);
}

int main(uint8_t *bp)
{
    uint64_t lines = lines_arg(bp);
    uint64_t h = (uint64_t)tick_entry;
    idt[VECTOR] = (struct gate){ (uint16_t)h, 0x08, 0, 0x8e, (uint16_t)(h >> 16),
                                 (uint32_t)(h >> 32), 0 };
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } d = { sizeof(idt) - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" :: "m"(d));
    /* SSE state on (CR4.OSFXSR, OSXMMEXCPT) with xmm0 = 0. */
    uint64_t cr;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr));
    __asm__ volatile("mov %0, %%cr4" :: "r"(cr | 0x600));
    __asm__ volatile("fxsave %0" : "=m"(fx));
    for (int k = 0; k < 16; k++)
        fx[FX_XMM0 + k] = 0;
    __asm__ volatile("fxrstor %0" :: "m"(fx));
    /* ICW1-4 for both PICs: vectors 0x20 and 0x28, cascade on IRQ 2, 8086 mode; IRQ 0 only. */
    outb(0x20, 0x11); outb(0xa0, 0x11);
    outb(0x21, 0x20); outb(0xa1, 0x28);
    outb(0x21, 0x04); outb(0xa1, 0x02);
    outb(0x21, 0x01); outb(0xa1, 0x01);
    outb(0x21, 0xfe); outb(0xa1, 0xff);
    /* PIT channel 0, lobyte/hibyte, mode 2 (rate generator). */
    outb(0x43, 0x34);
    outb(0x40, (uint8_t)(PIT_HZ / TICK_HZ));
    outb(0x40, (uint8_t)((PIT_HZ / TICK_HZ) >> 8));
    __asm__ volatile("sti");
    uint64_t check = 7, next = ticks + TICKS_PER_LINE;
    for (uint64_t i = 0; i < lines; i++) {
        while (ticks < next)
            __asm__ volatile("hlt");
        next += TICKS_PER_LINE;
        check = check * 31 + i;
        __asm__ volatile("fxsave %0" : "=m"(fx));
        uint64_t sum = *(uint64_t *)(fx + FX_XMM0) + 3;
        *(uint64_t *)(fx + FX_XMM0) = sum;
        __asm__ volatile("fxrstor %0" :: "m"(fx));
        puts_serial("count ");
        putdec(i);
        puts_serial(" sum ");
        putdec(sum);
        puts_serial(" check ");
        putdec(check & 0xffffffff);
        putc_serial('\n');
    }
    __asm__ volatile("cli");
    puts_serial("done\n");
    return 0;
}
