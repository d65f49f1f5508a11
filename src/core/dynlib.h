/* A shared library opened with dlopen on first use, its functions looked up into the caller's
 * pointers. vm opens libslirp, libzstd, libfdt and capstone this way instead of linking them:
 * a start of vm that does not need one (user mode, a KVM microVM) does not pay to map and
 * relocate it and what it pulls in. */
#ifndef VM_CORE_DYNLIB_H
#define VM_CORE_DYNLIB_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

struct dynlib_sym {
    const char *name;
    void **slot;                   /* the function pointer it fills */
};

struct dynlib {
    const char *soname;
    const struct dynlib_sym *syms;
    size_t n_syms;
    pthread_mutex_t lock;
    bool opened;                   /* tried, with error the outcome */
    const char *error;
    char why[160];
};

#define DYNLIB(soname_, syms_)                                                              \
    { .soname = (soname_), .syms = (syms_), .n_syms = sizeof(syms_) / sizeof((syms_)[0]),   \
      .lock = PTHREAD_MUTEX_INITIALIZER }

/* Opens the library the first time (later calls give the same answer): NULL once every
 * function is found, otherwise why not. */
const char *dynlib_open(struct dynlib *lib);

#endif
