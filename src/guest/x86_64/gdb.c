/* The x86-64 guest as gdb sees it: a target description with gdb's standard features
 * (org.gnu.gdb.i386.core, .sse, .segments) and its registers by gdb's amd64 numbers: rax,
 * rbx, rcx, rdx, rsi, rdi, rbp, rsp, r8..r15 (0..15), rip (16), eflags (17), the segment
 * selectors (18..23, read as 0), st0..st7 (24..31), the x87 control registers (32..39),
 * xmm0..xmm15 (40..55), mxcsr (56), fs_base and gs_base (57, 58). */
#include <string.h>

#include "core/registry.h"
#include "guest/x86_64/cpu.h"
#include "guest/x86_64/gdb.h"

static const char x64_target_xml[] =
    "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\"><target version=\"1.0"
    "\"><architecture>i386:x86-64</architecture><feature name=\"org.gnu.gdb.i386.core\"><flag"
    "s id=\"i386_eflags\" size=\"4\"><field name=\"CF\" start=\"0\" end=\"0\"/><field name=\""
    "\" start=\"1\" end=\"1\"/><field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" s"
    "tart=\"4\" end=\"4\"/><field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start"
    "=\"7\" end=\"7\"/><field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9"
    "\" end=\"9\"/><field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11"
    "\" end=\"11\"/><field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16"
    "\" end=\"16\"/><field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18"
    "\" end=\"18\"/><field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\""
    "20\" end=\"20\"/><field name=\"ID\" start=\"21\" end=\"21\"/></flags><reg name=\"rax\" b"
    "itsize=\"64\" type=\"int64\" regnum=\"0\"/><reg name=\"rbx\" bitsize=\"64\" type=\"int64"
    "\"/><reg name=\"rcx\" bitsize=\"64\" type=\"int64\"/><reg name=\"rdx\" bitsize=\"64\" ty"
    "pe=\"int64\"/><reg name=\"rsi\" bitsize=\"64\" type=\"int64\"/><reg name=\"rdi\" bitsize"
    "=\"64\" type=\"int64\"/><reg name=\"rbp\" bitsize=\"64\" type=\"data_ptr\"/><reg name=\""
    "rsp\" bitsize=\"64\" type=\"data_ptr\"/><reg name=\"r8\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"r9\" bitsize=\"64\" type=\"int64\"/><reg name=\"r10\" bitsize=\"64\" type=\""
    "int64\"/><reg name=\"r11\" bitsize=\"64\" type=\"int64\"/><reg name=\"r12\" bitsize=\"64"
    "\" type=\"int64\"/><reg name=\"r13\" bitsize=\"64\" type=\"int64\"/><reg name=\"r14\" bi"
    "tsize=\"64\" type=\"int64\"/><reg name=\"r15\" bitsize=\"64\" type=\"int64\"/><reg name="
    "\"rip\" bitsize=\"64\" type=\"code_ptr\"/><reg name=\"eflags\" bitsize=\"32\" type=\"i38"
    "6_eflags\"/><reg name=\"cs\" bitsize=\"32\" type=\"int32\"/><reg name=\"ss\" bitsize=\"3"
    "2\" type=\"int32\"/><reg name=\"ds\" bitsize=\"32\" type=\"int32\"/><reg name=\"es\" bit"
    "size=\"32\" type=\"int32\"/><reg name=\"fs\" bitsize=\"32\" type=\"int32\"/><reg name=\""
    "gs\" bitsize=\"32\" type=\"int32\"/><reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\"/><reg name=\"st2\" bitsize=\"80\" typ"
    "e=\"i387_ext\"/><reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\"/><reg name=\"st4\" bi"
    "tsize=\"80\" type=\"i387_ext\"/><reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\"/><reg"
    " name=\"st6\" bitsize=\"80\" type=\"i387_ext\"/><reg name=\"st7\" bitsize=\"80\" type=\""
    "i387_ext\"/><reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\"/><reg name="
    "\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\"/><reg name=\"ftag\" bitsize=\"32\""
    " type=\"int\" group=\"float\"/><reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"f"
    "loat\"/><reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\"/><reg name=\"fos"
    "eg\" bitsize=\"32\" type=\"int\" group=\"float\"/><reg name=\"fooff\" bitsize=\"32\" typ"
    "e=\"int\" group=\"float\"/><reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\""
    "/></feature><feature name=\"org.gnu.gdb.i386.sse\"><vector id=\"v4f\" type=\"ieee_single"
    "\" count=\"4\"/><vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/><vector id=\"v16i8"
    "\" type=\"int8\" count=\"16\"/><vector id=\"v8i16\" type=\"int16\" count=\"8\"/><vector "
    "id=\"v4i32\" type=\"int32\" count=\"4\"/><vector id=\"v2i64\" type=\"int64\" count=\"2\""
    "/><union id=\"vec128\"><field name=\"v4_float\" type=\"v4f\"/><field name=\"v2_double\" "
    "type=\"v2d\"/><field name=\"v16_int8\" type=\"v16i8\"/><field name=\"v8_int16\" type=\"v"
    "8i16\"/><field name=\"v4_int32\" type=\"v4i32\"/><field name=\"v2_int64\" type=\"v2i64\""
    "/><field name=\"uint128\" type=\"uint128\"/></union><reg name=\"xmm0\" bitsize=\"128\" t"
    "ype=\"vec128\" regnum=\"40\"/><reg name=\"xmm1\" bitsize=\"128\" type=\"vec128\"/><reg n"
    "ame=\"xmm2\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm3\" bitsize=\"128\" type=\""
    "vec128\"/><reg name=\"xmm4\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm5\" bitsize"
    "=\"128\" type=\"vec128\"/><reg name=\"xmm6\" bitsize=\"128\" type=\"vec128\"/><reg name="
    "\"xmm7\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm8\" bitsize=\"128\" type=\"vec1"
    "28\"/><reg name=\"xmm9\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm10\" bitsize=\""
    "128\" type=\"vec128\"/><reg name=\"xmm11\" bitsize=\"128\" type=\"vec128\"/><reg name=\""
    "xmm12\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm13\" bitsize=\"128\" type=\"vec1"
    "28\"/><reg name=\"xmm14\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm15\" bitsize="
    "\"128\" type=\"vec128\"/><reg name=\"mxcsr\" bitsize=\"32\" type=\"int\" group=\"vector"
    "\"/></feature><feature name=\"org.gnu.gdb.i386.segments\"><reg name=\"fs_base\" bitsize="
    "\"64\" type=\"int\" regnum=\"57\"/><reg name=\"gs_base\" bitsize=\"64\" type=\"int\"/></"
    "feature></target>";

enum {
    GDB_RIP = 16, GDB_EFLAGS, GDB_CS, GDB_ST0 = 24, GDB_FCTRL = 32, GDB_FOP = 39, GDB_XMM0 = 40,
    GDB_MXCSR = 56, GDB_FS_BASE, GDB_GS_BASE, GDB_NREGS,
};

/* gdb's order of the first sixteen registers, as encoding numbers. */
static const uint8_t gpr_of[16] = {
    X64_RAX, X64_RBX, X64_RCX, X64_RDX, X64_RSI, X64_RDI, X64_RBP, X64_RSP,
    X64_R8, X64_R9, X64_R10, X64_R11, X64_R12, X64_R13, X64_R14, X64_R15,
};

static uint8_t *st_reg(struct x64_cpu *r, unsigned i)
{
    unsigned top = (r->x87.fsw >> 11) & 7;
    return r->x87.fpr[(top + i) & 7];
}

/* The x87 control registers in gdb's order: fctrl fstat ftag fiseg fioff foseg fooff fop. */
static uint32_t x87_field(const struct x64_cpu *r, unsigned i)
{
    switch (i) {
    case 0: return r->x87.fcw;
    case 1: return r->x87.fsw;
    case 2: return r->x87.ftw;
    case 4: return (uint32_t)r->x87.fip;
    case 6: return (uint32_t)r->x87.fdp;
    case 7: return r->x87.fop;
    default: return 0;
    }
}

static unsigned x64_read_reg(struct cpu *cpu, unsigned n, uint8_t *buf)
{
    struct x64_cpu *r = (struct x64_cpu *)cpu;
    uint32_t w;
    if (n < 16) {
        memcpy(buf, &r->r[gpr_of[n]], 8);
        return 8;
    }
    if (n == GDB_RIP || n == GDB_FS_BASE || n == GDB_GS_BASE) {
        uint64_t v = n == GDB_RIP ? cpu->pc : n == GDB_FS_BASE ? r->fs_base : r->gs_base;
        memcpy(buf, &v, 8);
        return 8;
    }
    if (n >= GDB_ST0 && n < GDB_FCTRL) {
        memcpy(buf, st_reg(r, n - GDB_ST0), 10);
        return 10;
    }
    if (n >= GDB_XMM0 && n < GDB_MXCSR) {
        memcpy(buf, r->ymm[n - GDB_XMM0], 16);
        return 16;
    }
    if (n == GDB_EFLAGS)
        w = (uint32_t)x64_eflags(r);
    else if (n >= GDB_CS && n < GDB_ST0)
        w = 0;
    else if (n >= GDB_FCTRL && n <= GDB_FOP)
        w = x87_field(r, n - GDB_FCTRL);
    else if (n == GDB_MXCSR)
        w = r->mxcsr;
    else
        return 0;
    memcpy(buf, &w, 4);
    return 4;
}

static void x64_write_reg(struct cpu *cpu, unsigned n, const uint8_t *buf)
{
    struct x64_cpu *r = (struct x64_cpu *)cpu;
    uint32_t w;
    if (n < 16) {
        memcpy(&r->r[gpr_of[n]], buf, 8);
    } else if (n == GDB_RIP) {
        memcpy(&cpu->pc, buf, 8);
    } else if (n == GDB_FS_BASE) {
        memcpy(&r->fs_base, buf, 8);
    } else if (n == GDB_GS_BASE) {
        memcpy(&r->gs_base, buf, 8);
    } else if (n >= GDB_ST0 && n < GDB_FCTRL) {
        memcpy(st_reg(r, n - GDB_ST0), buf, 10);
    } else if (n >= GDB_XMM0 && n < GDB_MXCSR) {
        memcpy(r->ymm[n - GDB_XMM0], buf, 16);
    } else {
        memcpy(&w, buf, 4);
        if (n == GDB_EFLAGS)
            x64_set_eflags(r, w);
        else if (n == GDB_MXCSR)
            r->mxcsr = w;
        else if (n == GDB_FCTRL)
            r->x87.fcw = (uint16_t)w;
        else if (n == GDB_FCTRL + 1)
            r->x87.fsw = (uint16_t)w;
        else if (n == GDB_FCTRL + 2)
            r->x87.ftw = (uint16_t)w;
        else if (n == GDB_FOP)
            r->x87.fop = (uint16_t)w;
    }
}

const struct guest_gdb x64_gdb = {
    .target_xml = x64_target_xml,
    .n_regs = GDB_NREGS,
    .read_reg = x64_read_reg,
    .write_reg = x64_write_reg,
};
