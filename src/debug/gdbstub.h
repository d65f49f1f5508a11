/* The gdb remote stub: vm as a target of gdb's remote serial protocol (`target remote`), on a
 * TCP port or a unix socket. Mode-neutral: it sees CPUs through core/debug.h (the OS layer
 * registers each CPU as a gdb thread and calls it when one stops) and registers through the
 * guest's struct guest_gdb. */
#ifndef VM_DEBUG_GDBSTUB_H
#define VM_DEBUG_GDBSTUB_H

/* Listens on spec (a TCP port number, or a unix socket path) and waits for gdb to connect;
 * then attaches as the debugger (core/debug.h), so the guest stops before its first
 * instruction. Returns 0, or a negative errno after printing why. */
int gdbstub_start(const char *spec);

#endif
