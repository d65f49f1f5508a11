/* Threads of vm's own (the control socket, the metrics responder, the gdb stub): started
 * detached with every signal blocked, so that a signal meant for the guest or for vm's exit
 * (SIGTERM restoring the terminal) never runs on them. */
#ifndef VM_CORE_THREAD_H
#define VM_CORE_THREAD_H

/* Starts fn(arg) on a detached thread with all signals blocked: 0 or a negative errno. */
int service_thread_start(void *(*fn)(void *), void *arg);

#endif
