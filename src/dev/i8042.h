/* The PC keyboard controller (i8042) as far as a machine without a keyboard needs it: its
 * data (0x60) and command/status (0x64) ports read 0 (no data, ready for a command), and the
 * command 0xFE (pulse the reset line) asks the board to reset, which is how Linux reboots
 * with reboot=k. Other commands and data are ignored. */
#ifndef VM_DEV_I8042_H
#define VM_DEV_I8042_H

#include "mem/softmmu.h"

#define I8042_BASE 0x60            /* port of the data register */
#define I8042_SIZE 5               /* to the command/status register at 0x64 */

struct i8042 {
    void (*reset)(void *opaque);   /* the reset line was pulsed */
    void *opaque;
};

extern const struct mmio_ops i8042_ops;

#endif
