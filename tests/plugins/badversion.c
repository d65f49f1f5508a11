/* A plugin built for an API version vm does not have: vm must refuse it before installing. */
#include <stdio.h>

#include <vm/plugin.h>

const uint32_t vm_plugin_version = VM_PLUGIN_VERSION + 998;

int vm_plugin_install(struct vm_plugin *self, const struct vm_plugin_api *api,
                      const struct vm_plugin_info *info)
{
    puts("badversion: installed (it must not be)");
    return 0;
}
