// SPDX-License-Identifier: Apache-2.0
// Which runtime the wrapper hands over to and which hook it adds: environment
// variables, then the project's config file (its keys "runtime" and
// "hook_path", read by hook/config), then the built-in defaults.
#pragma once

#include "hook/config/config.hpp"

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace rnh::runtime {

inline constexpr const char* env_runtime = "RDMA_NETNS_RUNTIME";
inline constexpr const char* env_hook = "RDMA_NETNS_HOOK";
inline constexpr const char* default_runtime = "runc";
inline constexpr const char* default_path =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct Settings {
    std::string runtime;   // an absolute path, or a name to look up on PATH
    std::string hook_path; // absolute
};

// getenv: the environment (a function, for tests). file: the config file's
// settings. default_hook: the hook's installed path, fixed at build time.
Settings resolve_settings(const std::function<const char*(const char*)>& getenv, const Config& file,
                          const std::string& default_hook);

// The hook to add when nothing names one: the rdma-netns-hook beside this
// program (`self_exe`, its resolved path) if that is an executable file, so that
// an install under any prefix works; else `installed`, fixed at build time.
std::string default_hook_path(const std::string& self_exe, const std::string& installed);

// Fails, saying how to fix it, unless `hook_path` is an executable regular file:
// a missing hook would otherwise fail later inside the OCI runtime. Checked only
// for a container that asks for devices (edit_bundle).
void check_hook_exists(const std::string& hook_path);

// A file identity, to recognise this very program under another name.
struct FileId {
    dev_t dev = 0;
    ino_t ino = 0;
    bool operator==(const FileId&) const = default;
};

// `runtime` itself when it holds a '/', else the first executable regular file
// of that name in the directories of `path` ("" entries mean the working
// directory, as for execvp). A file that is `self` is skipped, so that a
// wrapper installed as "runc" does not run itself; an explicit path to `self`
// is an error. Nothing found is an error.
std::string find_runtime(const std::string& runtime, std::string_view path, const FileId& self);

} // namespace rnh::runtime
