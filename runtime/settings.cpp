// SPDX-License-Identifier: Apache-2.0
#include "runtime/settings.hpp"

#include "base/error.hpp"

#include <sys/stat.h>
#include <unistd.h>

namespace rnh::runtime {
namespace {

std::optional<FileId> file_id(const std::string& path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return std::nullopt;
    return FileId{st.st_dev, st.st_ino};
}

// The identity of an executable regular file at `path`, if it is one.
std::optional<FileId> executable(const std::string& path)
{
    auto id = file_id(path);
    if (!id || ::access(path.c_str(), X_OK) != 0)
        return std::nullopt;
    return id;
}

} // namespace

std::string default_hook_path(const std::string& self_exe, const std::string& installed)
{
    const auto slash = self_exe.rfind('/');
    if (slash == std::string::npos)
        return installed;
    auto beside = self_exe.substr(0, slash + 1) + "rdma-netns-hook";
    return executable(beside) ? beside : installed;
}

void check_hook_exists(const std::string& hook_path)
{
    if (!executable(hook_path))
        fail("the hook to add to the container, " + hook_path + ", is not an executable file",
             "install rdma-netns-hook beside rdma-netns-runtime or at that path, or name it with " +
                 std::string(env_hook) + " or \"hook_path\" in the config file");
}

Settings resolve_settings(const std::function<const char*(const char*)>& getenv, const Config& file,
                          const std::string& default_hook)
{
    Settings settings{default_runtime, default_hook};
    if (file.runtime)
        settings.runtime = *file.runtime;
    if (file.hook_path)
        settings.hook_path = *file.hook_path;
    if (const char* v = getenv(env_runtime); v != nullptr && *v != '\0')
        settings.runtime = check_runtime(v, std::string("environment variable ") + env_runtime);
    if (const char* v = getenv(env_hook); v != nullptr && *v != '\0')
        settings.hook_path = check_hook_path(v, std::string("environment variable ") + env_hook);
    return settings;
}

std::string find_runtime(const std::string& runtime, std::string_view path, const FileId& self)
{
    if (runtime.find('/') != std::string::npos) {
        auto id = executable(runtime);
        if (!id)
            fail("the OCI runtime " + runtime + " is not an executable file",
                 "install runc or name the real runtime in RDMA_NETNS_RUNTIME");
        if (*id == self)
            fail("the OCI runtime " + runtime + " is rdma-netns-runtime itself",
                 "name the real runtime, such as /usr/sbin/runc");
        return runtime;
    }
    for (;;) {
        auto colon = path.find(':');
        std::string dir(path.substr(0, colon));
        std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + runtime;
        if (auto id = executable(candidate); id && !(*id == self))
            return candidate;
        if (colon == std::string_view::npos)
            break;
        path.remove_prefix(colon + 1);
    }
    fail("no OCI runtime named " + runtime + " on PATH (other than rdma-netns-runtime itself)",
         "install runc or name the real runtime in RDMA_NETNS_RUNTIME");
}

} // namespace rnh::runtime
