/* A shared object with the version symbol but no vm_plugin_install: vm must refuse it. */
#include <vm/plugin.h>

VM_PLUGIN_DEFINE_VERSION;
