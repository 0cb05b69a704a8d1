// SPDX-License-Identifier: Apache-2.0
// One function per command of rdma-netns-hook; main() picks one.
#pragma once

#include "hook/audit/run.hpp"
#include "hook/cli.hpp"
#include "hook/config/config.hpp"
#include "hook/sessions.hpp"
#include "oci/state.hpp"

#include <optional>
#include <string>

namespace rnh {

// prestart and createRuntime: move what the container asks for into its
// network namespace, or move nothing and throw. The hook entry's own
// arguments (--device, --verbs-node) add to the container's annotations: CDI
// specs name the device there, since the engine passes no annotation for it.
void run_prestart(const Config& config, const oci::State& state, const Invocation& args);
// poststop: return the container's devices to the host.
void run_poststop(const Config& config, const oci::State& state);
// recover: return the devices of containers that are gone, and of prestarts
// that were interrupted; safe at any time, also beside running hooks.
void run_recover(const Config& config);
// status: the mode, the host's devices, and the journal.
void run_status(const Config& config, bool json);
// cdi generate: a CDI spec for every RDMA device in the host or held by a
// container, on stdout or written atomically to `args.output` unless that
// file already holds the same text.
void run_cdi_generate(const Config& config, const Invocation& args);
// setup --exclusive: switch the RDMA subsystem to exclusive netns mode.
void run_setup_exclusive(const Config& config);

} // namespace rnh
