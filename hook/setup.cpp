#include "hook/commands.hpp"
#include "hook/rdma_in.hpp"

#include <cstdio>

namespace rnh {

void run_setup_exclusive(const Config& config)
{
    auto host = open_rdma(config);
    if (nl::get_netns_mode(host) == nl::NetnsMode::shared)
        nl::set_netns_mode(host, nl::NetnsMode::exclusive);
    std::puts("RDMA netns mode: exclusive");
}

} // namespace rnh
