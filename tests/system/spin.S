/* Spins forever: ended only by Ctrl-A X on the console. */
    .section .text.init
    .globl _start
_start:
    j _start
