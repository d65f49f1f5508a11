/* Serial output: a line through the polled UART, then the i8042 reset ends vm with 0. */
#include "lib.h"

int main(void *boot_params)
{
    puts_serial("hello, kvm\n");
    return 0;
}
