// SPDX-License-Identifier: Apache-2.0
#include "hook/commands.hpp"

#include <cstdio>

namespace rnh {

void run_setup_exclusive(const Config& config)
{
    auto host = rdma_session(config).open();
    if (nl::get_netns_mode(host) == nl::NetnsMode::shared)
        nl::set_netns_mode(host, nl::NetnsMode::exclusive);
    std::puts("RDMA netns mode: exclusive");
}

} // namespace rnh
