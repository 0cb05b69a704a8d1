// SPDX-License-Identifier: Apache-2.0
#include "cni/plugin.hpp"

#include "base/error.hpp"
#include "cni/lookup.hpp"
#include "cni/result.hpp"
#include "hook/kernel/confine.hpp"
#include "hook/kernel/netns.hpp"
#include "hook/kernel/verify.hpp"
#include "hook/plan/device_list.hpp"
#include "hook/release.hpp"
#include "hook/sessions.hpp"
#include "hook/start.hpp"
#include "hook/state/journal.hpp"
#include "netlink/route.hpp"

#include <algorithm>
#include <cstdio>

namespace rnh::cni {
namespace {

std::string key_of(const Env& env)
{
    return attachment_key(env.container_id, env.ifname);
}

// What ADD moves: the configuration's request; else what an earlier ADD of
// the same attachment moved (its device is in the pod now, out of sight);
// else the device bound to the interface the previous plugin moved in, which
// must be in CNI_NETNS (`netns`).
oci::Request request_of(const Config& config, const NetConf& conf, const std::string& key,
                        const std::string& netns,
                        const std::optional<SandboxInterface>& derive_from)
{
    auto request = conf.request;
    if (conf.aux_device)
        request.devices = aux_rdma_devices(config.sysfs_root, *conf.aux_device);
    if (!request.empty() || !derive_from)
        return request;
    const auto links =
        route_session(config).in(netns_at_path(netns, "CNI_NETNS"),
                                 [](nl::Socket& inside) { return nl::dump_links(inside); });
    require_in_sandbox(*derive_from, links, netns);
    if (auto earlier = Journal(config.state_dir).read(key))
        request.devices = names_of(earlier->devices);
    else {
        auto host = rdma_session(config).open();
        request.devices = {device_bound_to(*derive_from, host, config.sysfs_root)};
    }
    return request;
}

} // namespace

void run_add(const Config& config, const Env& env, const NetConf& conf,
             const std::optional<SandboxInterface>& derive_from)
{
    if (!conf.has_request() && !derive_from) { // a pod asking nothing by its annotations
        std::fputs(add_result(conf).c_str(), stdout);
        return;
    }
    Container container;
    container.id = key_of(env);
    container.netns_path = env.netns;
    const auto pod = env.args.find("K8S_POD_UID");
    container.cni = CniAttachment{env.container_id, env.ifname, conf.name,
                                  pod == env.args.end() ? "" : pod->second, conf.config_id};
    if (conf.allocation)
        container.allocation = std::vector<std::string>{*conf.allocation};
    require_privileges();
    confine();
    container.request = request_of(config, conf, container.id, env.netns, derive_from);
    start(config, container);
    std::fputs(add_result(conf).c_str(), stdout);
}

void run_del(const Config& config, const Env& env)
{
    const Journal journal(config.state_dir);
    const auto seen = journal.read(key_of(env));
    if (!seen)
        return;
    require_privileges();
    confine();
    release_locked(config, journal, *seen);
}

void run_check(const Config& config, const Env& env)
{
    require_privileges();
    confine();
    const auto key = key_of(env);
    const auto attachment = Journal(config.state_dir).read(key);
    if (!attachment)
        fail("rdma-netns has no attachment of " + who(env) + " on " + env.ifname,
             "its ADD did not run or failed, or a DEL removed it");
    if (attachment->phase != Assignment::Phase::held)
        fail("the ADD of " + key + " did not finish", "run `rdma-netns-hook recover`");
    const auto target = netns_at_path(env.netns, "CNI_NETNS");
    if (target.id != attachment->netns)
        fail("CNI_NETNS " + env.netns + " is not the network namespace the devices of " + key +
             " were moved into");
    const auto session = rdma_session(config);
    auto host = session.open();
    require_exclusive_mode(host);
    verify_in(attachment->devices, attachment->netdevs, host, target, session,
              route_session(config));
}

void run_status(const Config& config)
{
    require_privileges();
    confine();
    auto host = rdma_session(config).open();
    require_exclusive_mode(host);
}

void run_gc(const Config& config, const NetConf& conf, const std::vector<ValidAttachment>& valid)
{
    require_privileges();
    confine();
    auto stale = [&](const Assignment& a) -> std::string {
        if (!a.cni || a.cni->network != conf.name || a.cni->config_id != conf.config_id ||
            std::find(valid.begin(), valid.end(),
                      ValidAttachment{a.cni->container_id, a.cni->ifname}) != valid.end())
            return {};
        return "not a valid attachment of network " + conf.name + " (configuration " +
               conf.config_id + ")";
    };
    release_each(config, Journal(config.state_dir), stale, "GC left devices out of the host");
}

} // namespace rnh::cni
