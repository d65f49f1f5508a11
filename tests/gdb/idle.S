/* A bare-metal kernel for vm boot --gdb (tests/gdb/run.sh) that sleeps in WFI for good: the
 * machine timer's interrupt is enabled in mie but its compare is the end of time, so the
 * hart's thread sleeps, and only a debugger's interrupt (Ctrl-C) can stop it. */
    .section .text.init
    .globl _start
_start:
    li t0, 0x2004000        /* the ACLINT's mtimecmp of hart 0 */
    li t1, -1
    sd t1, 0(t0)
    li t0, 0x80             /* mie.MTIE */
    csrw mie, t0
1:  wfi
    j 1b
