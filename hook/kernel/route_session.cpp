// SPDX-License-Identifier: Apache-2.0
#include "hook/kernel/route_session.hpp"

#include <linux/netlink.h>

namespace rnh {

nl::Socket RouteSession::open() const
{
    return nl::Socket::open(NETLINK_ROUTE, timeout);
}

} // namespace rnh
