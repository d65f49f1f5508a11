/* User networking without libslirp (a host that lacks it): --net says so. */
#include "dev/net_slirp.h"

#include "core/log.h"

int net_slirp_open(struct net_slirp **out, const char *spec, void (*kick)(void *opaque),
                   void *opaque)
{
    vm_error("--net=%s: this vm was built without libslirp (user networking)", spec);
    return -1;
}

struct net_backend net_slirp_backend(struct net_slirp *s)
{
    return (struct net_backend){ 0 };
}

void net_slirp_close(struct net_slirp *s)
{
}
