/* The riscv64 guest as gdb sees it: a target description with gdb's standard features
 * (org.gnu.gdb.riscv.cpu, .fpu) and its registers by number: x0..x31 (0..31), pc (32),
 * f0..f31 (33..64), fflags, frm, fcsr (65..67). */
#include <string.h>

#include "core/registry.h"
#include "guest/riscv64/cpu.h"
#include "guest/riscv64/gdb.h"

static const char rv64_target_xml[] =
    "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
    "<target version=\"1.0\"><architecture>riscv:rv64</architecture>"
    "<feature name=\"org.gnu.gdb.riscv.cpu\">"
    "<reg name=\"zero\" bitsize=\"64\" type=\"int\" regnum=\"0\"/>"
    "<reg name=\"ra\" bitsize=\"64\" type=\"code_ptr\"/>"
    "<reg name=\"sp\" bitsize=\"64\" type=\"data_ptr\"/>"
    "<reg name=\"gp\" bitsize=\"64\" type=\"data_ptr\"/>"
    "<reg name=\"tp\" bitsize=\"64\" type=\"data_ptr\"/>"
    "<reg name=\"t0\" bitsize=\"64\" type=\"int\"/><reg name=\"t1\" bitsize=\"64\" type=\"int\"/>"
    "<reg name=\"t2\" bitsize=\"64\" type=\"int\"/><reg name=\"fp\" bitsize=\"64\" type=\"data_ptr\"/>"
    "<reg name=\"s1\" bitsize=\"64\" type=\"int\"/><reg name=\"a0\" bitsize=\"64\" type=\"int\"/>"
    "<reg name=\"a1\" bitsize=\"64\" type=\"int\"/><reg name=\"a2\" bitsize=\"64\" type=\"int\"/>"
    "<reg name=\"a3\" bitsize=\"64\" type=\"int\"/><reg name=\"a4\" bitsize=\"64\" type=\"int\"/>"
    "<reg name=\"a5\" bitsize=\"64\" type=\"int\"/><reg name=\"a6\" bitsize=\"64\" type=\"int\"/>"
    "<reg name=\"a7\" bitsize=\"64\" type=\"int\"/><reg name=\"s2\" bitsize=\"64\" type=\"int\"/>"
    "<reg name=\"s3\" bitsize=\"64\" type=\"int\"/><reg name=\"s4\" bitsize=\"64\" type=\"int\"/>"
    "<reg name=\"s5\" bitsize=\"64\" type=\"int\"/><reg name=\"s6\" bitsize=\"64\" type=\"int\"/>"
    "<reg name=\"s7\" bitsize=\"64\" type=\"int\"/><reg name=\"s8\" bitsize=\"64\" type=\"int\"/>"
    "<reg name=\"s9\" bitsize=\"64\" type=\"int\"/><reg name=\"s10\" bitsize=\"64\" type=\"int\"/>"
    "<reg name=\"s11\" bitsize=\"64\" type=\"int\"/><reg name=\"t3\" bitsize=\"64\" type=\"int\"/>"
    "<reg name=\"t4\" bitsize=\"64\" type=\"int\"/><reg name=\"t5\" bitsize=\"64\" type=\"int\"/>"
    "<reg name=\"t6\" bitsize=\"64\" type=\"int\"/>"
    "<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\"/></feature>"
    "<feature name=\"org.gnu.gdb.riscv.fpu\">"
    "<union id=\"riscv_double\"><field name=\"float\" type=\"ieee_single\"/>"
    "<field name=\"double\" type=\"ieee_double\"/></union>"
    "<reg name=\"ft0\" bitsize=\"64\" type=\"riscv_double\" regnum=\"33\"/>"
    "<reg name=\"ft1\" bitsize=\"64\" type=\"riscv_double\"/><reg name=\"ft2\" bitsize=\"64\" type=\"riscv_double\"/>"
    "<reg name=\"ft3\" bitsize=\"64\" type=\"riscv_double\"/><reg name=\"ft4\" bitsize=\"64\" type=\"riscv_double\"/>"
    "<reg name=\"ft5\" bitsize=\"64\" type=\"riscv_double\"/><reg name=\"ft6\" bitsize=\"64\" type=\"riscv_double\"/>"
    "<reg name=\"ft7\" bitsize=\"64\" type=\"riscv_double\"/><reg name=\"fs0\" bitsize=\"64\" type=\"riscv_double\"/>"
    "<reg name=\"fs1\" bitsize=\"64\" type=\"riscv_double\"/><reg name=\"fa0\" bitsize=\"64\" type=\"riscv_double\"/>"
    "<reg name=\"fa1\" bitsize=\"64\" type=\"riscv_double\"/><reg name=\"fa2\" bitsize=\"64\" type=\"riscv_double\"/>"
    "<reg name=\"fa3\" bitsize=\"64\" type=\"riscv_double\"/><reg name=\"fa4\" bitsize=\"64\" type=\"riscv_double\"/>"
    "<reg name=\"fa5\" bitsize=\"64\" type=\"riscv_double\"/><reg name=\"fa6\" bitsize=\"64\" type=\"riscv_double\"/>"
    "<reg name=\"fa7\" bitsize=\"64\" type=\"riscv_double\"/><reg name=\"fs2\" bitsize=\"64\" type=\"riscv_double\"/>"
    "<reg name=\"fs3\" bitsize=\"64\" type=\"riscv_double\"/><reg name=\"fs4\" bitsize=\"64\" type=\"riscv_double\"/>"
    "<reg name=\"fs5\" bitsize=\"64\" type=\"riscv_double\"/><reg name=\"fs6\" bitsize=\"64\" type=\"riscv_double\"/>"
    "<reg name=\"fs7\" bitsize=\"64\" type=\"riscv_double\"/><reg name=\"fs8\" bitsize=\"64\" type=\"riscv_double\"/>"
    "<reg name=\"fs9\" bitsize=\"64\" type=\"riscv_double\"/><reg name=\"fs10\" bitsize=\"64\" type=\"riscv_double\"/>"
    "<reg name=\"fs11\" bitsize=\"64\" type=\"riscv_double\"/><reg name=\"ft8\" bitsize=\"64\" type=\"riscv_double\"/>"
    "<reg name=\"ft9\" bitsize=\"64\" type=\"riscv_double\"/><reg name=\"ft10\" bitsize=\"64\" type=\"riscv_double\"/>"
    "<reg name=\"ft11\" bitsize=\"64\" type=\"riscv_double\"/>"
    "<reg name=\"fflags\" bitsize=\"32\" type=\"int\"/><reg name=\"frm\" bitsize=\"32\" type=\"int\"/>"
    "<reg name=\"fcsr\" bitsize=\"32\" type=\"int\"/></feature></target>";

enum { RV_GDB_PC = 32, RV_GDB_F0 = 33, RV_GDB_FFLAGS = 65, RV_GDB_FRM, RV_GDB_FCSR, RV_GDB_NREGS };

static unsigned rv64_read_reg(struct cpu *cpu, unsigned n, uint8_t *buf)
{
    struct rv64_cpu *r = (struct rv64_cpu *)cpu;
    uint64_t v;
    uint32_t w;
    if (n < 32)
        v = r->x[n];
    else if (n == RV_GDB_PC)
        v = cpu->pc;
    else if (n < RV_GDB_FFLAGS)
        v = r->f[n - RV_GDB_F0];
    else if (n < RV_GDB_NREGS) {
        w = n == RV_GDB_FFLAGS ? (uint32_t)r->fflags
            : n == RV_GDB_FRM  ? (uint32_t)r->frm
                               : (uint32_t)(r->fflags | r->frm << 5);
        memcpy(buf, &w, 4);
        return 4;
    } else
        return 0;
    memcpy(buf, &v, 8);
    return 8;
}

static void rv64_write_reg(struct cpu *cpu, unsigned n, const uint8_t *buf)
{
    struct rv64_cpu *r = (struct rv64_cpu *)cpu;
    uint64_t v = 0;
    memcpy(&v, buf, n >= RV_GDB_FFLAGS ? 4 : 8);
    if (n == 0)
        return;                      /* x0 stays zero */
    if (n < 32)
        r->x[n] = v;
    else if (n == RV_GDB_PC)
        cpu->pc = v;
    else if (n < RV_GDB_FFLAGS)
        r->f[n - RV_GDB_F0] = v;
    else if (n == RV_GDB_FFLAGS)
        r->fflags = v & 0x1f;
    else if (n == RV_GDB_FRM)
        r->frm = v & 7;
    else if (n == RV_GDB_FCSR) {
        r->fflags = v & 0x1f;
        r->frm = v >> 5 & 7;
    }
}

const struct guest_gdb rv64_gdb = {
    .target_xml = rv64_target_xml,
    .n_regs = RV_GDB_NREGS,
    .read_reg = rv64_read_reg,
    .write_reg = rv64_write_reg,
};
