// SPDX-License-Identifier: Apache-2.0
// Where rdma-netns-install puts things on a node (paths on the node, under
// --host-root when the installer runs in a container), and the hooks.d files it
// writes there.
#pragma once

#include <string>
#include <string_view>

namespace rnh::installer {

inline constexpr std::string_view default_cni_bin_dir = "/opt/cni/bin";
inline constexpr std::string_view bin_dir = "/opt/rdma-netns/bin";
inline constexpr std::string_view hooks_d_dir = "/etc/containers/oci/hooks.d";
inline constexpr std::string_view default_containerd_config = "/etc/containerd/config.toml";

// The hooks.d file of `stage` (prestart, poststop) that runs `hook`: the
// package's hooks.d/rdma-netns-hook.json.in with that path.
std::string hooks_d_file(std::string_view stage, const std::string& hook);

} // namespace rnh::installer
