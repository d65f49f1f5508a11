/* Serial input: bytes piped to vm's stdin arrive through the UART's receive FIFO; each is
 * printed in hex until a newline. */
#include "lib.h"

int main(void *boot_params)
{
    for (;;) {
        int c = getc_serial();
        puthex((uint64_t)c);
        putc_serial(c == '\n' ? '\n' : ' ');
        if (c == '\n')
            return 0;
    }
}
