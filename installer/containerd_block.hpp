// SPDX-License-Identifier: Apache-2.0
// The text of containerd's config.toml as rdma-netns-install edits it: a
// marked block, appended at the end, declares the runtime handler "rdma". Not
// an `imports` drop-in: containerd 1.6 replaces a whole plugin section with an
// imported one, so a drop-in that adds one runtime resets the rest of the CRI
// plugin (Debian's bin_dir = "/usr/lib/cni" among it). Pure: text in, text out.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rnh::installer {

// The CRI plugin's table in a version 2 configuration (containerd 1.6, 1.7).
inline constexpr std::string_view cri_table = R"(plugins."io.containerd.grpc.v1.cri")";

// `config` with the block that makes `wrapper` (a path on the node) the runtime
// handler "rdma": appended when absent, replaced where it is when present. The
// block declares runtimes.runc again unless the text outside it does (containerd
// 1.6 drops its default runc once any runtime is declared). Fails when the
// configuration is not of version 2, or declares "rdma" itself.
std::string with_block(std::string_view config, const std::string& wrapper);

// `config` without the block: exactly the text before with_block() added it.
// Unchanged when there is none; fails on a block without its end.
std::string without_block(std::string_view config);

// Whether `config` holds the block.
bool has_block(std::string_view config);

// The CRI plugin's CNI bin_dir, when `config` sets it as a plain string.
std::optional<std::string> cni_bin_dir(std::string_view config);

// The tables of the block, without its marker lines (what deploy/ shows).
std::string handler_tables(const std::string& wrapper, bool with_runc);

} // namespace rnh::installer
