/* Linked below RAM: vm must refuse to load it. */
    .section .text.init
    .globl _start
_start:
    j _start
