/* What the plugin host's files share: the callbacks registered, the numbering of vCPUs and
 * the block API that instrument.c implements for the table in host.c. */
#ifndef VM_PLUGIN_INTERNAL_H
#define VM_PLUGIN_INTERNAL_H

#include "plugin/plugin.h"
#include "vm/plugin.h"

/* One registered callback of a kind (its function, the plugin's data). */
struct plugin_reg {
    void (*fn)(void);
    void *udata;
};
#define PLUGIN_MAX_REGS 16   /* per kind, for all plugins together */

struct plugin_regs {
    struct plugin_reg r[PLUGIN_MAX_REGS];
    unsigned n;
};
extern struct plugin_regs plugin_tb_trans;

/* The number plugins know the CPU by (vm/plugin.h's vcpu). */
unsigned plugin_vcpu(const struct cpu *cpu);

uint64_t plugin_tb_pc(const struct vm_tb *tb);
size_t plugin_tb_n_insns(const struct vm_tb *tb);
struct vm_insn *plugin_tb_insn(struct vm_tb *tb, size_t index);
uint64_t plugin_insn_pc(const struct vm_insn *insn);
size_t plugin_insn_size(const struct vm_insn *insn);
const uint8_t *plugin_insn_bytes(const struct vm_insn *insn);
int plugin_insn_disas(const struct vm_insn *insn, char *buf, size_t size);
void plugin_tb_exec(struct vm_tb *tb, vm_exec_cb cb, void *udata);
void plugin_insn_exec(struct vm_insn *insn, vm_exec_cb cb, void *udata);
void plugin_insn_mem(struct vm_insn *insn, vm_mem_cb cb, unsigned access, void *udata);

#endif
