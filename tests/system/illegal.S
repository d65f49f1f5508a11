/* An all-zero instruction word at the entry: illegal. Without trap handling vm reports it. */
#include "htif.h"

    .section .text.init
    .globl _start
_start:
    .word 0
    HTIF_EXIT(1)

HTIF_DEFINE
