// One function per command of rdma-netns-hook; main() picks one.
#pragma once

#include "hook/config.hpp"
#include "oci/state.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rnh {

// What a hook entry's own arguments add to a container's request: CDI specs
// name the device there, since the engine passes no annotation for it.
struct HookArguments {
    std::vector<std::string> devices;
    std::map<std::string, std::string> verbs_nodes; // device -> uverbsN it must have
};

// prestart and createRuntime: move what the container asks for into its
// network namespace, or move nothing and throw.
void run_prestart(const Config& config, oci::State state, const HookArguments& extra);
// poststop: return the container's devices to the host.
void run_poststop(const Config& config, const oci::State& state);
// recover: return the devices of containers that are gone, and of prestarts
// that were interrupted; safe at any time, also beside running hooks.
void run_recover(const Config& config);
// status: the mode, the host's devices, and the journal.
void run_status(const Config& config, bool json);
// cdi generate: a CDI spec for every RDMA device in the host, on stdout or
// written atomically to `output`.
void run_cdi_generate(const Config& config, const std::optional<std::string>& output);
// setup --exclusive: switch the RDMA subsystem to exclusive netns mode.
void run_setup_exclusive(const Config& config);
// audit TARGET: which RDMA devices the target (a pid, a container id of the
// journal, or a network namespace path) sees or opens on each access path,
// against what the journal says it was given. Prints a table (or JSON) and
// returns true when the two match; otherwise prints one line per breach on
// stderr and returns false.
bool run_audit(const Config& config, const std::string& target, bool json);

} // namespace rnh
