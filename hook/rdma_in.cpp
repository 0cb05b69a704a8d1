#include "hook/rdma_in.hpp"

#include "base/error.hpp"

#include <linux/netlink.h>

namespace rnh {

nl::Socket open_rdma(const Config& config)
{
    return nl::Socket::open(NETLINK_RDMA, config.netlink_timeout);
}

void require_exclusive_mode(nl::Socket& host)
{
    if (nl::get_netns_mode(host) == nl::NetnsMode::shared)
        fail("the RDMA subsystem is in shared network namespace mode, where every namespace "
             "sees every RDMA device",
             "switch to exclusive mode: `rdma system set netns exclusive` before any container "
             "starts, or boot with `options ib_core netns_mode=0` in /etc/modprobe.d");
}

} // namespace rnh
