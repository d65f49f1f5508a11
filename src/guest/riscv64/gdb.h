/* The riscv64 guest's register map and target description for gdb (gdb.c). */
#ifndef VM_GUEST_RISCV64_GDB_H
#define VM_GUEST_RISCV64_GDB_H

#include "core/registry.h"

extern const struct guest_gdb rv64_gdb;

#endif
