// SPDX-License-Identifier: Apache-2.0
// One function per command of rdma-netns-hook; main() picks one.
#pragma once

#include "hook/audit/run.hpp"
#include "hook/cli.hpp"
#include "hook/config/config.hpp"
#include "hook/kernel/rdma_session.hpp"
#include "oci/state.hpp"

#include <optional>
#include <string>

namespace rnh {

// What the kernel code needs of the settings.
inline RdmaSession rdma_session(const Config& config)
{
    return {config.netlink_timeout, config.move_threads};
}

// prestart and createRuntime: move what the container asks for into its
// network namespace, or move nothing and throw. The hook entry's own
// arguments (--device, --verbs-node) add to the container's annotations: CDI
// specs name the device there, since the engine passes no annotation for it.
void run_prestart(const Config& config, oci::State state, const Invocation& args);
// poststop: return the container's devices to the host.
void run_poststop(const Config& config, const oci::State& state);
// recover: return the devices of containers that are gone, and of prestarts
// that were interrupted; safe at any time, also beside running hooks.
void run_recover(const Config& config);
// status: the mode, the host's devices, and the journal.
void run_status(const Config& config, bool json);
// cdi generate: a CDI spec for every RDMA device in the host, on stdout or
// written atomically to `output`.
void run_cdi_generate(const Config& config, const std::optional<std::string>& output,
                      bool with_netdevs);
// setup --exclusive: switch the RDMA subsystem to exclusive netns mode.
void run_setup_exclusive(const Config& config);

} // namespace rnh
