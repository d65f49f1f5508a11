/* The aarch64 guest as gdb sees it: a target description with gdb's standard features
 * (org.gnu.gdb.aarch64.core, .fpu) and its registers by number: x0..x30 (0..30), sp (31),
 * pc (32), cpsr (33, NZCV), v0..v31 (34..65), fpsr and fpcr (66, 67). */
#include <string.h>

#include "core/registry.h"
#include "guest/aarch64/cpu.h"
#include "guest/aarch64/gdb.h"

static const char a64_target_xml[] =
    "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\"><target version=\"1.0"
    "\"><architecture>aarch64</architecture><feature name=\"org.gnu.gdb.aarch64.core\"><reg n"
    "ame=\"x0\" bitsize=\"64\" type=\"int\" regnum=\"0\"/><reg name=\"x1\" bitsize=\"64\" typ"
    "e=\"int\"/><reg name=\"x2\" bitsize=\"64\" type=\"int\"/><reg name=\"x3\" bitsize=\"64\""
    " type=\"int\"/><reg name=\"x4\" bitsize=\"64\" type=\"int\"/><reg name=\"x5\" bitsize=\""
    "64\" type=\"int\"/><reg name=\"x6\" bitsize=\"64\" type=\"int\"/><reg name=\"x7\" bitsiz"
    "e=\"64\" type=\"int\"/><reg name=\"x8\" bitsize=\"64\" type=\"int\"/><reg name=\"x9\" bi"
    "tsize=\"64\" type=\"int\"/><reg name=\"x10\" bitsize=\"64\" type=\"int\"/><reg name=\"x1"
    "1\" bitsize=\"64\" type=\"int\"/><reg name=\"x12\" bitsize=\"64\" type=\"int\"/><reg nam"
    "e=\"x13\" bitsize=\"64\" type=\"int\"/><reg name=\"x14\" bitsize=\"64\" type=\"int\"/><r"
    "eg name=\"x15\" bitsize=\"64\" type=\"int\"/><reg name=\"x16\" bitsize=\"64\" type=\"int"
    "\"/><reg name=\"x17\" bitsize=\"64\" type=\"int\"/><reg name=\"x18\" bitsize=\"64\" type"
    "=\"int\"/><reg name=\"x19\" bitsize=\"64\" type=\"int\"/><reg name=\"x20\" bitsize=\"64"
    "\" type=\"int\"/><reg name=\"x21\" bitsize=\"64\" type=\"int\"/><reg name=\"x22\" bitsiz"
    "e=\"64\" type=\"int\"/><reg name=\"x23\" bitsize=\"64\" type=\"int\"/><reg name=\"x24\" "
    "bitsize=\"64\" type=\"int\"/><reg name=\"x25\" bitsize=\"64\" type=\"int\"/><reg name=\""
    "x26\" bitsize=\"64\" type=\"int\"/><reg name=\"x27\" bitsize=\"64\" type=\"int\"/><reg n"
    "ame=\"x28\" bitsize=\"64\" type=\"int\"/><reg name=\"x29\" bitsize=\"64\" type=\"int\"/>"
    "<reg name=\"x30\" bitsize=\"64\" type=\"int\"/><reg name=\"sp\" bitsize=\"64\" type=\"da"
    "ta_ptr\"/><reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\"/><flags id=\"cpsr_flags\" si"
    "ze=\"4\"><field name=\"V\" start=\"28\" end=\"28\"/><field name=\"C\" start=\"29\" end="
    "\"29\"/><field name=\"Z\" start=\"30\" end=\"30\"/><field name=\"N\" start=\"31\" end=\""
    "31\"/></flags><reg name=\"cpsr\" bitsize=\"32\" type=\"cpsr_flags\"/></feature><feature "
    "name=\"org.gnu.gdb.aarch64.fpu\"><vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/><v"
    "ector id=\"v2u\" type=\"uint64\" count=\"2\"/><vector id=\"v2i\" type=\"int64\" count=\""
    "2\"/><vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/><vector id=\"v4u\" type=\"uint"
    "32\" count=\"4\"/><vector id=\"v4i\" type=\"int32\" count=\"4\"/><vector id=\"v8u\" type"
    "=\"uint16\" count=\"8\"/><vector id=\"v8i\" type=\"int16\" count=\"8\"/><vector id=\"v16"
    "u\" type=\"uint8\" count=\"16\"/><vector id=\"v16i\" type=\"int8\" count=\"16\"/><vector"
    " id=\"v1u\" type=\"uint128\" count=\"1\"/><vector id=\"v1i\" type=\"int128\" count=\"1\""
    "/><union id=\"vnd\"><field name=\"f\" type=\"v2d\"/><field name=\"u\" type=\"v2u\"/><fie"
    "ld name=\"s\" type=\"v2i\"/></union><union id=\"vns\"><field name=\"f\" type=\"v4f\"/><f"
    "ield name=\"u\" type=\"v4u\"/><field name=\"s\" type=\"v4i\"/></union><union id=\"vnh\">"
    "<field name=\"u\" type=\"v8u\"/><field name=\"s\" type=\"v8i\"/></union><union id=\"vnb"
    "\"><field name=\"u\" type=\"v16u\"/><field name=\"s\" type=\"v16i\"/></union><union id="
    "\"vnq\"><field name=\"u\" type=\"v1u\"/><field name=\"s\" type=\"v1i\"/></union><union i"
    "d=\"aarch64v\"><field name=\"d\" type=\"vnd\"/><field name=\"s\" type=\"vns\"/><field na"
    "me=\"h\" type=\"vnh\"/><field name=\"b\" type=\"vnb\"/><field name=\"q\" type=\"vnq\"/><"
    "/union><reg name=\"v0\" bitsize=\"128\" type=\"aarch64v\" regnum=\"34\"/><reg name=\"v1"
    "\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v2\" bitsize=\"128\" type=\"aarch64v\""
    "/><reg name=\"v3\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v4\" bitsize=\"128\" t"
    "ype=\"aarch64v\"/><reg name=\"v5\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v6\" b"
    "itsize=\"128\" type=\"aarch64v\"/><reg name=\"v7\" bitsize=\"128\" type=\"aarch64v\"/><r"
    "eg name=\"v8\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v9\" bitsize=\"128\" type="
    "\"aarch64v\"/><reg name=\"v10\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v11\" bit"
    "size=\"128\" type=\"aarch64v\"/><reg name=\"v12\" bitsize=\"128\" type=\"aarch64v\"/><re"
    "g name=\"v13\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v14\" bitsize=\"128\" type"
    "=\"aarch64v\"/><reg name=\"v15\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v16\" bi"
    "tsize=\"128\" type=\"aarch64v\"/><reg name=\"v17\" bitsize=\"128\" type=\"aarch64v\"/><r"
    "eg name=\"v18\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v19\" bitsize=\"128\" typ"
    "e=\"aarch64v\"/><reg name=\"v20\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v21\" b"
    "itsize=\"128\" type=\"aarch64v\"/><reg name=\"v22\" bitsize=\"128\" type=\"aarch64v\"/><"
    "reg name=\"v23\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v24\" bitsize=\"128\" ty"
    "pe=\"aarch64v\"/><reg name=\"v25\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v26\" "
    "bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v27\" bitsize=\"128\" type=\"aarch64v\"/>"
    "<reg name=\"v28\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v29\" bitsize=\"128\" t"
    "ype=\"aarch64v\"/><reg name=\"v30\" bitsize=\"128\" type=\"aarch64v\"/><reg name=\"v31\""
    " bitsize=\"128\" type=\"aarch64v\"/><reg name=\"fpsr\" bitsize=\"32\" type=\"int\"/><reg"
    " name=\"fpcr\" bitsize=\"32\" type=\"int\"/></feature></target>";

enum { A64_GDB_PC = 32, A64_GDB_CPSR, A64_GDB_V0, A64_GDB_FPSR = 66, A64_GDB_FPCR, A64_GDB_NREGS };

static unsigned a64_read_reg(struct cpu *cpu, unsigned n, uint8_t *buf)
{
    struct a64_cpu *r = (struct a64_cpu *)cpu;
    uint32_t w;
    if (n < 32) {
        memcpy(buf, &r->x[n], 8);
        return 8;
    }
    if (n == A64_GDB_PC) {
        memcpy(buf, &cpu->pc, 8);
        return 8;
    }
    if (n >= A64_GDB_V0 && n < A64_GDB_FPSR) {
        memcpy(buf, r->v[n - A64_GDB_V0], 16);
        return 16;
    }
    if (n == A64_GDB_CPSR)
        w = a64_nzcv(r);
    else if (n == A64_GDB_FPSR)
        w = (uint32_t)r->fpsr;
    else if (n == A64_GDB_FPCR)
        w = (uint32_t)r->fpcr;
    else
        return 0;
    memcpy(buf, &w, 4);
    return 4;
}

static void a64_write_reg(struct cpu *cpu, unsigned n, const uint8_t *buf)
{
    struct a64_cpu *r = (struct a64_cpu *)cpu;
    uint32_t w;
    if (n < 32)
        memcpy(&r->x[n], buf, 8);
    else if (n == A64_GDB_PC)
        memcpy(&cpu->pc, buf, 8);
    else if (n >= A64_GDB_V0 && n < A64_GDB_FPSR)
        memcpy(r->v[n - A64_GDB_V0], buf, 16);
    else {
        memcpy(&w, buf, 4);
        if (n == A64_GDB_CPSR)
            a64_set_nzcv(r, w & 0xf0000000u);
        else if (n == A64_GDB_FPSR)
            r->fpsr = w;
        else if (n == A64_GDB_FPCR)
            r->fpcr = w;
    }
}

const struct guest_gdb a64_gdb = {
    .target_xml = a64_target_xml,
    .n_regs = A64_GDB_NREGS,
    .read_reg = a64_read_reg,
    .write_reg = a64_write_reg,
};
