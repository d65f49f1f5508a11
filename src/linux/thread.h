/* Guest threads (sys_thread.c): creation for clone with CLONE_THREAD, shared by clone and
 * clone3 in sys_process.c. */
#ifndef VM_LINUX_THREAD_H
#define VM_LINUX_THREAD_H

#include <stdint.h>

#include "core/cpu.h"

/* Starts a host thread running a copy of cpu with sp/tls/tids as clone asks; returns its tid
 * (the new thread sees 0) or -errno. */
long clone_thread(struct cpu *cpu, uint64_t flags, uint64_t sp, uint64_t ptid, uint64_t tls,
                  uint64_t ctid);

#endif
