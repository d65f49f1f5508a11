/* The HTIF device (system/htif.h). Commands are tohost values: device in bits 63-56,
 * command in 55-48, payload below. Device 0 command 0 is the syscall proxy (payload odd:
 * exit with status payload >> 1; even: the physical address of eight words: number and
 * arguments, the result written back to the first) and device 1 command 1 the console's
 * putchar. A handled command clears tohost and acknowledges in fromhost, as Spike does. */
#include "system/htif.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define HTIF_SYS_WRITE 64
#define HTIF_SYS_EXIT 93

static uint64_t *word(struct htif *h, uint64_t pa)
{
    if (pa - h->page_pa <= SOFTMMU_PAGE_SIZE - 8)
        return (uint64_t *)(h->page + (pa - h->page_pa));
    return (uint64_t *)physmap_ram(h->map, pa, 8);
}

static void guest_exit(struct htif *h, uint64_t status)
{
    h->exited = true;
    h->exit_status = status;
    h->exited_fn(h->opaque);
}

static void write_all(int fd, const uint8_t *p, uint64_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n <= 0 && errno != EINTR)
            return;
        if (n > 0) {
            p += n;
            len -= (uint64_t)n;
        }
    }
}

/* The syscall proxy: magic[0] is the number, magic[1..] the arguments. */
static void syscall_proxy(struct htif *h, uint64_t magic_pa)
{
    uint64_t args[8];
    for (unsigned k = 0; k < 8; k++) {
        uint64_t *w = word(h, magic_pa + 8 * k);
        if (!w || magic_pa % 8)
            return;
        memcpy(&args[k], w, 8);
    }
    int64_t result = -ENOSYS;
    if (args[0] == HTIF_SYS_EXIT) {
        guest_exit(h, args[1]);
        result = 0;
    } else if (args[0] == HTIF_SYS_WRITE) {
        const uint8_t *buf = physmap_ram(h->map, args[2], args[3]);
        if (args[1] != 1 && args[1] != 2)
            result = -EBADF;
        else if (!buf && args[3])
            result = -EFAULT;
        else {
            write_all(args[1] == 1 ? h->out_fd : 2, buf, args[3]);
            result = (int64_t)args[3];
        }
    }
    memcpy(word(h, magic_pa), &result, 8);
}

static void command(struct htif *h, uint64_t value)
{
    unsigned device = value >> 56, cmd = (value >> 48) & 0xff;
    uint64_t payload = value & ((1ull << 48) - 1);
    if (device == 0 && cmd == 0) {
        if (payload & 1)
            guest_exit(h, payload >> 1);
        else
            syscall_proxy(h, payload);
    } else if (device == 1 && cmd == 1) {
        uint8_t c = payload & 0xff;
        write_all(h->out_fd, &c, 1);
    }
    uint64_t zero = 0, ack = (uint64_t)device << 56 | (uint64_t)cmd << 48 | 1;
    memcpy(word(h, h->tohost), &zero, 8);
    uint64_t *from = h->fromhost ? word(h, h->fromhost) : NULL;
    if (from && !h->exited)
        memcpy(from, device == 0 ? &(uint64_t){ 1 } : &ack, 8);
}

static uint64_t htif_read(void *opaque, uint64_t offset, unsigned size)
{
    struct htif *h = opaque;
    uint64_t v = 0;
    memcpy(&v, h->page + offset, size);
    return v;
}

/* A store that completes tohost's eight bytes (one 64-bit store, or the upper half last as
 * RV32 programs do) issues the command. */
static void htif_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct htif *h = opaque;
    memcpy(h->page + offset, &value, size);
    uint64_t at = h->tohost - h->page_pa, v;
    if (offset + size == at + 8 && offset >= at) {
        memcpy(&v, h->page + at, 8);
        if (v)
            command(h, v);
    }
}

/* Its words are guest RAM, saved with it; the state is where they are, which a loading
 * machine must have the same (the same kernel's symbols). */
static int htif_save(void *opaque, struct state_writer *w)
{
    const struct htif *h = opaque;
    state_put_u64(w, h->tohost);
    state_put_u64(w, h->fromhost);
    return 0;
}

static int htif_load(void *opaque, struct state_reader *r, bool commit)
{
    const struct htif *h = opaque;
    state_check(r, state_get_u64(r) == h->tohost);
    state_check(r, state_get_u64(r) == h->fromhost);
    return state_reader_done(r);
}

const struct mmio_ops htif_mmio_ops = {
    .name = "htif", .read = htif_read, .write = htif_write, .save = htif_save, .load = htif_load,
};
