/* Network interface queries through ioctl on a socket (SIOCGIFINDEX, SIOCGIFNAME,
 * SIOCGIFFLAGS, SIOCGIFMTU), as if_nametoindex and if_indextoname make them: the loopback
 * interface is found both ways. */
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
    char name[IF_NAMESIZE];
    unsigned index = if_nametoindex("lo");
    printf("if_nametoindex(lo) found: %d\n", index != 0);
    printf("if_indextoname: %s\n", index && if_indextoname(index, name) ? name : "?");
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    strcpy(ifr.ifr_name, "lo");
    printf("SIOCGIFFLAGS: %d, up and loopback: %d\n", ioctl(fd, SIOCGIFFLAGS, &ifr),
           (ifr.ifr_flags & (IFF_UP | IFF_LOOPBACK)) == (IFF_UP | IFF_LOOPBACK));
    printf("SIOCGIFMTU: %d, mtu > 0: %d\n", ioctl(fd, SIOCGIFMTU, &ifr), ifr.ifr_mtu > 0);
    close(fd);
    return 0;
}
