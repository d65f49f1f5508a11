/* User networking (`--net=user`): Debian's libslirp as a struct net_backend, the network QEMU
 * calls "user": the guest is 10.0.2.15 on 10.0.2.0/24 with DHCP, the host (and the outside
 * world, by the host's own sockets) is 10.0.2.2 and DNS 10.0.2.3; `hostfwd` rules forward a
 * port of the host's to one of the guest's. libslirp is not thread-safe: a service thread
 * polls its sockets and runs its timers under a mutex that the device's send takes too;
 * frames for the guest queue here (NET_SLIRP_QUEUE of them, the rest dropped as a network
 * would) and the machine is kicked to take them with virtio_net_poll. */
#ifndef VM_DEV_NET_SLIRP_H
#define VM_DEV_NET_SLIRP_H

#include "dev/virtio_net.h"

#define NET_SLIRP_QUEUE 128

struct net_slirp;

/* Starts user networking as spec says ("user[,hostfwd=tcp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:
 * GUESTPORT]...", also udp): 0 with *out, or -1 after printing why not. kick(opaque) is
 * called from the service thread when frames wait for the guest. */
int net_slirp_open(struct net_slirp **out, const char *spec, void (*kick)(void *opaque),
                   void *opaque);
/* The backend over s. */
struct net_backend net_slirp_backend(struct net_slirp *s);
void net_slirp_close(struct net_slirp *s);

#endif
