/* The time CSR is the ACLINT's mtime: it lies between two reads of mtime, and follows mtime
 * when the guest sets it (to 0, then to 2^40). A mismatch powers off with the check's
 * number; all pass: status 0. */
#include "virt.h"

    .section .text.init
    .globl _start
_start:
    li s3, CLINT + CLINT_MTIME
    ld t0, 0(s3)
    csrr t1, time
    ld t2, 0(s3)
    sltu t3, t1, t0
    EXPECT(1, t3, zero)
    sltu t3, t2, t1
    EXPECT(2, t3, zero)
    sd zero, 0(s3)                    /* mtime = 0: time is below a second */
    csrr t1, time
    li t2, 10000000
    sltu t3, t1, t2
    li t4, 1
    EXPECT(3, t3, t4)
    li t0, 1 << 40                    /* mtime = 2^40: time is at least that */
    sd t0, 0(s3)
    csrr t1, time
    sltu t3, t1, t0
    EXPECT(4, t3, zero)
    rdtime t1                         /* the pseudo-instruction reads the same CSR */
    sltu t3, t1, t0
    EXPECT(5, t3, zero)
    POWEROFF

VIRT_DEFINE
