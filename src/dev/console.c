/* The host console (dev/console.h). The terminal's settings are saved once per process and
 * restored by an atexit handler and by the handlers of the fatal signals, which then re-raise
 * the signal with its default action, so a crash or a kill never leaves the shell raw. */
#include "dev/console.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define CTRL_A 0x01

static struct termios saved_termios;
static int raw_fd = -1;            /* the terminal in raw mode, or -1 */

static void restore_terminal(void)
{
    if (raw_fd >= 0)
        tcsetattr(raw_fd, TCSANOW, &saved_termios);
}

static void fatal_signal(int sig)
{
    restore_terminal();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void make_raw(int fd)
{
    static const int fatal[] = { SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGABRT, SIGFPE,
                                 SIGILL };
    static bool hooked;
    struct termios t;
    if (raw_fd >= 0 || !isatty(fd) || tcgetattr(fd, &saved_termios) < 0)
        return;
    t = saved_termios;
    cfmakeraw(&t);
    /* Keep output processing so a guest's bare "\n" still starts a new line. */
    t.c_oflag |= OPOST;
    if (tcsetattr(fd, TCSANOW, &t) < 0)
        return;
    raw_fd = fd;
    if (!hooked) {
        hooked = true;
        atexit(restore_terminal);
        for (size_t k = 0; k < sizeof(fatal) / sizeof(fatal[0]); k++)
            signal(fatal[k], fatal_signal);
    }
}

static void push(struct console *c, uint8_t byte)
{
    pthread_mutex_lock(&c->lock);
    if (c->head - c->tail < CONSOLE_BUFFER)
        c->buffer[c->head++ % CONSOLE_BUFFER] = byte;
    pthread_mutex_unlock(&c->lock);
}

/* Input bytes with the Ctrl-A commands taken out. */
static void input(struct console *c, const uint8_t *p, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (c->escape) {
            c->escape = false;
            if (p[k] == 'x' || p[k] == 'X')
                c->quit = true;
            else if (p[k] == CTRL_A)
                push(c, CTRL_A);
        } else if (p[k] == CTRL_A) {
            c->escape = true;
        } else {
            push(c, p[k]);
        }
    }
}

/* Reads input until end of file or an error (or cancellation, only inside read). */
static void *reader(void *arg)
{
    struct console *c = arg;
    uint8_t buf[256];
    for (;;) {
        ssize_t n = read(c->in_fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return NULL;
        pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
        input(c, buf, (size_t)n);
        c->notify(c->notify_opaque);
        pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
    }
}

int console_open(struct console *c, int in_fd, int out_fd, void (*notify)(void *opaque),
                 void *opaque)
{
    memset(c, 0, sizeof(*c));
    c->in_fd = in_fd;
    c->out_fd = out_fd;
    c->notify = notify;
    c->notify_opaque = opaque;
    pthread_mutex_init(&c->lock, NULL);
    make_raw(in_fd);
    int err = pthread_create(&c->reader, NULL, reader, c);
    if (err) {
        restore_terminal();
        return -err;
    }
    c->reading = true;
    return 0;
}

void console_close(struct console *c)
{
    if (c->reading) {
        pthread_cancel(c->reader);
        pthread_join(c->reader, NULL);
        c->reading = false;
    }
    restore_terminal();
    raw_fd = -1;
}

void console_write(struct console *c, uint8_t byte)
{
    while (write(c->out_fd, &byte, 1) < 0 && errno == EINTR)
        ;
}

int console_read(struct console *c)
{
    int byte = -1;
    pthread_mutex_lock(&c->lock);
    if (c->head != c->tail)
        byte = c->buffer[c->tail++ % CONSOLE_BUFFER];
    pthread_mutex_unlock(&c->lock);
    return byte;
}

bool console_has_input(struct console *c)
{
    pthread_mutex_lock(&c->lock);
    bool has = c->head != c->tail;
    pthread_mutex_unlock(&c->lock);
    return has;
}

int console_save(void *opaque, struct state_writer *w)
{
    struct console *c = opaque;
    pthread_mutex_lock(&c->lock);
    state_put_u32(w, c->head - c->tail);
    for (unsigned k = c->tail; k != c->head; k++)
        state_put_u8(w, c->buffer[k % CONSOLE_BUFFER]);
    pthread_mutex_unlock(&c->lock);
    return 0;
}

int console_load(void *opaque, struct state_reader *r, bool commit)
{
    struct console *c = opaque;
    uint32_t n = state_get_u32(r);
    uint8_t saved[CONSOLE_BUFFER];
    state_check(r, n <= CONSOLE_BUFFER);
    if (n <= CONSOLE_BUFFER)
        state_get_bytes(r, saved, n);
    int err = state_reader_done(r);
    if (err || !commit)
        return err;
    pthread_mutex_lock(&c->lock);
    /* What does not fit is the newest input, dropped as push drops it. */
    unsigned room = CONSOLE_BUFFER - (c->head - c->tail);
    if (n > room)
        c->head -= n - room;
    c->tail -= n;
    for (uint32_t k = 0; k < n; k++)
        c->buffer[(c->tail + k) % CONSOLE_BUFFER] = saved[k];
    pthread_mutex_unlock(&c->lock);
    return 0;
}
