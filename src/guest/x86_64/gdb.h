/* The x86-64 guest's register map and target description for gdb (gdb.c). */
#ifndef VM_GUEST_X86_64_GDB_H
#define VM_GUEST_X86_64_GDB_H

#include "core/registry.h"

extern const struct guest_gdb x64_gdb;

#endif
