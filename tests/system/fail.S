/* Powers off through the test device with failure code 42: vm exits 42. */
#include "virt.h"

    .section .text.init
    .globl _start
_start:
    POWEROFF_FAIL(42)
