/* The host side of the serial console: vm's stdin and stdout. A terminal is put in raw mode
 * (restored at close, at exit and on fatal signals); a pipe or file works as is, so tests can
 * feed input and read output. A reader thread reads input into a buffer the UART drains and
 * calls notify so the hart leaves guest code and the board passes the input on. As in QEMU,
 * Ctrl-A X asks to quit and Ctrl-A Ctrl-A sends one Ctrl-A; other keys after Ctrl-A are
 * dropped with it. */
#ifndef VM_DEV_CONSOLE_H
#define VM_DEV_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/state.h"

#define CONSOLE_BUFFER 4096

struct console {
    int in_fd, out_fd;
    bool reading;                  /* the reader thread runs */
    pthread_t reader;
    pthread_mutex_t lock;          /* guards the buffer */
    uint8_t buffer[CONSOLE_BUFFER];
    unsigned head, tail;           /* bytes in [tail, head), indexes mod CONSOLE_BUFFER */
    bool escape;                   /* the last input byte was Ctrl-A */
    volatile bool quit;            /* Ctrl-A X was typed */
    void (*notify)(void *opaque);  /* input arrived or quit asked (reader thread) */
    void *notify_opaque;
};

/* Starts the console on in_fd/out_fd (a terminal among them is put in raw mode). 0 or a
 * negative errno. */
int console_open(struct console *c, int in_fd, int out_fd, void (*notify)(void *opaque),
                 void *opaque);
void console_close(struct console *c);
void console_write(struct console *c, uint8_t byte);
/* The next input byte, or -1 when there is none yet. */
int console_read(struct console *c);
/* Whether console_read has a byte. */
bool console_has_input(struct console *c);
/* Its state in a snapshot (core/state.h): the input the guest has not read yet, which a
 * load puts before any input the console has already taken from its new host side. */
state_save_fn console_save;
state_load_fn console_load;

#endif
