// SPDX-License-Identifier: Apache-2.0
// The plugin's commands on the hook's core: an ADD is one start
// (hook/start.cpp), a DEL one release (hook/release.cpp), both under the
// journal name attachment_key(CNI_CONTAINERID, CNI_IFNAME).
#pragma once

#include "cni/env.hpp"
#include "cni/netconf.hpp"
#include "hook/config/config.hpp"

#include <optional>

namespace rnh::cni {

// ADD: moves the request, or the device bound to `derive_from`, into CNI_NETNS;
// prints the result.
void run_add(const Config& config, const Env& env, const NetConf& conf,
             const std::optional<SandboxInterface>& derive_from);
// DEL: returns the attachment's devices; nothing recorded is success.
void run_del(const Config& config, const Env& env);
// CHECK: the attachment's devices are in CNI_NETNS, and none is in the host.
void run_check(const Config& config, const Env& env);
// STATUS: exclusive mode, and RDMA netlink answers.
void run_status(const Config& config);
// GC: releases this network's attachments that `valid` does not list.
void run_gc(const Config& config, const NetConf& conf, const std::vector<ValidAttachment>& valid);

} // namespace rnh::cni
