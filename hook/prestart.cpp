// SPDX-License-Identifier: Apache-2.0
// prestart and createRuntime: the container the OCI state describes,
// confined, then one start (hook/start.cpp).
#include "hook/commands.hpp"
#include "hook/kernel/confine.hpp"
#include "hook/kernel/fault_points.hpp"
#include "hook/oci_container.hpp"
#include "hook/start.hpp"

namespace rnh {

void run_prestart(const Config& config, const oci::State& state, const Invocation& args)
{
    auto container = describe_container(state, args.devices);
    if (args.with_netdevs && !container.request.with_netdevs)
        container.request.with_netdevs = true;
    if (container.request.empty())
        return;
    container.verbs_nodes = args.verbs_nodes;
    require_privileges();
    confine();
    start(config, container);
    report_usage();
}

} // namespace rnh
