// SPDX-License-Identifier: Apache-2.0
// Container Device Interface: a spec that makes every CDI engine (Podman,
// containerd, CRI-O, device plugins) run this hook for the devices it hands out.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace rnh {

inline constexpr const char* cdi_kind = "rdma.netns/device";
inline constexpr const char* cdi_version = "0.5.0";

struct CdiDevice {
    std::string name;
    std::optional<std::string> verbs_node; // "uverbsN"
    bool with_netdevs = false;             // its hook entry moves its netdevs too
};

// One CDI device per RDMA device: its verbs node and rdma_cm, a createRuntime
// hook entry that moves it in (checking the verbs node), a poststop one that
// returns it. `hook_path` is the absolute path of this program.
std::string cdi_spec(const std::vector<CdiDevice>& devices, const std::string& hook_path);

} // namespace rnh
