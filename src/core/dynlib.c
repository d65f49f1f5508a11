/* dynlib_open (core/dynlib.h): one dlopen per library and process, however many threads ask. */
#include "core/dynlib.h"

#include <dlfcn.h>
#include <stdio.h>

const char *dynlib_open(struct dynlib *lib)
{
    if (__atomic_load_n(&lib->opened, __ATOMIC_ACQUIRE))
        return lib->error;
    pthread_mutex_lock(&lib->lock);
    if (!lib->opened) {
        void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            snprintf(lib->why, sizeof(lib->why), "%s", dlerror());
            lib->error = lib->why;
        }
        for (size_t k = 0; h && k < lib->n_syms; k++) {
            if (!(*lib->syms[k].slot = dlsym(h, lib->syms[k].name))) {
                snprintf(lib->why, sizeof(lib->why), "%s lacks %s", lib->soname,
                         lib->syms[k].name);
                lib->error = lib->why;
                break;
            }
        }
        __atomic_store_n(&lib->opened, true, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&lib->lock);
    return lib->error;
}
