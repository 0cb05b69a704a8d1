// SPDX-License-Identifier: Apache-2.0
// prestart and createRuntime: the container's request, checked and confined,
// then one start (hook/start.cpp).
#include "hook/commands.hpp"
#include "hook/kernel/confine.hpp"
#include "hook/kernel/fault_points.hpp"
#include "hook/plan/container.hpp"
#include "hook/plan/limits.hpp"
#include "hook/plan/policy.hpp"
#include "hook/start.hpp"

namespace rnh {

void run_prestart(const Config& config, oci::State state, const Invocation& args)
{
    auto container = describe_container(std::move(state), args.devices);
    if (args.with_netdevs && !container.request.with_netdevs)
        container.request.with_netdevs = true;
    if (container.request.empty())
        return;
    check_request(config.policy, container.request, config.source);
    container.limits = plan_limits(config, container.request, container.spec_memlock);
    require_privileges();
    confine();
    start(config, std::move(container), args.verbs_nodes);
    report_usage();
}

} // namespace rnh
