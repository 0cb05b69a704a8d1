// SPDX-License-Identifier: Apache-2.0
#include "hook/kernel/rdma_session.hpp"

#include "base/error.hpp"
#include "hook/plan/netns_mode.hpp"

#include <linux/netlink.h>

namespace rnh {

nl::Socket RdmaSession::open() const
{
    return nl::Socket::open(NETLINK_RDMA, timeout);
}

void require_exclusive_mode(nl::Socket& host)
{
    if (nl::get_netns_mode(host) == nl::NetnsMode::shared)
        fail("the RDMA subsystem is in shared network namespace mode, where every namespace "
             "sees every RDMA device",
             shared_mode_remedy);
}

} // namespace rnh
