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
// The CDI device that stands for every RDMA device of the spec.
inline constexpr const char* cdi_all = "all";
// The variable each device's edits set in the container: the RDMA devices it
// was given, comma-separated.
inline constexpr const char* cdi_env = "RDMA_NETNS_DEVICES";

struct CdiDevice {
    std::string name;
    std::optional<std::string> verbs_node; // "uverbsN"
    std::vector<std::string> mad_nodes;    // "umadN", "issmN", one pair per port
    bool with_netdevs = false;             // its hook entry moves its netdevs too
};

// One CDI device per RDMA device, in the order given: its verbs and MAD nodes
// and rdma_cm, RDMA_NETNS_DEVICES=<name>, a createRuntime hook entry that
// moves it in (checking the verbs node), a poststop one that returns it. Then,
// unless `devices` is empty, the device `all`: every node, every name, their
// createRuntime entries one after another, one poststop entry. `hook_path` is the absolute path of
// this program. Throws rnh::Error if an RDMA device is named `all`.
std::string cdi_spec(const std::vector<CdiDevice>& devices, const std::string& hook_path);

// Replaces the file at `path` with `spec` atomically (mode 0644), unless it
// already holds exactly that text: then it is left alone, inode and mtime
// included. Returns whether it wrote.
bool write_cdi_spec(const std::string& path, const std::string& spec);

} // namespace rnh
