// One function per command of rdma-netns-hook; main() picks one.
#pragma once

#include "hook/config.hpp"
#include "oci/state.hpp"

namespace rnh {

// prestart and createRuntime: move what the container asks for into its
// network namespace, or move nothing and throw.
void run_prestart(const Config& config, oci::State state);
// poststop: return the container's devices to the host.
void run_poststop(const Config& config, const oci::State& state);
// recover: return the devices of containers that are gone, and of prestarts
// that were interrupted; safe at any time, also beside running hooks.
void run_recover(const Config& config);
// status: the mode, the host's devices, and the journal.
void run_status(const Config& config, bool json);

} // namespace rnh
