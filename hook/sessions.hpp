// SPDX-License-Identifier: Apache-2.0
// What the kernel code needs of the settings: the netlink sessions, made from
// the operator's config (hook/kernel/ knows nothing of Config).
#pragma once

#include "hook/config/config.hpp"
#include "hook/kernel/rdma_session.hpp"
#include "hook/kernel/route_session.hpp"

namespace rnh {

inline RdmaSession rdma_session(const Config& config)
{
    return {config.netlink_timeout, config.move_threads};
}

inline RouteSession route_session(const Config& config)
{
    return {config.netlink_timeout};
}

} // namespace rnh
