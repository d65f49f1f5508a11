/* The aarch64 guest's register map and target description for gdb (gdb.c). */
#ifndef VM_GUEST_AARCH64_GDB_H
#define VM_GUEST_AARCH64_GDB_H

#include "core/registry.h"

extern const struct guest_gdb a64_gdb;

#endif
