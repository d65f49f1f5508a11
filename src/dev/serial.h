/* What a serial port is connected to on the host (the console, a file, a test's buffer):
 * a byte sink and a byte source that never blocks. */
#ifndef VM_DEV_SERIAL_H
#define VM_DEV_SERIAL_H

#include <stdint.h>

struct serial_backend {
    void (*write)(void *opaque, uint8_t byte);
    int (*read)(void *opaque);     /* the next input byte, or -1 when there is none now */
    void *opaque;
};

#endif
