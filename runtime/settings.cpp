#include "runtime/settings.hpp"

#include "base/error.hpp"
#include "base/json.hpp"

#include <sys/stat.h>
#include <unistd.h>

namespace rnh::runtime {
namespace {

// A runtime is a bare name (looked up on PATH) or an absolute path.
std::string check_runtime(const std::string& runtime, const std::string& source)
{
    if (runtime.empty() || (runtime.find('/') != std::string::npos && runtime.front() != '/'))
        fail(source + ": the runtime \"" + runtime + "\" is neither a name nor an absolute path",
             "name the real OCI runtime, such as runc or /usr/sbin/runc");
    return runtime;
}

std::string check_hook(const std::string& hook, const std::string& source)
{
    if (hook.empty() || hook.front() != '/')
        fail(source + ": the hook's path \"" + hook + "\" is not absolute",
             "name the installed rdma-netns-hook, such as /usr/bin/rdma-netns-hook");
    return hook;
}

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

FileSettings parse_settings_file(std::string_view json, const std::string& what)
{
    auto doc = parse_json(json, what);
    if (!doc.is_object())
        fail(what + " must be a JSON object");
    FileSettings settings;
    if (member(doc, "runtime", what) != nullptr)
        settings.runtime =
            check_runtime(string_member(doc, "runtime", what), what + ": \"runtime\"");
    if (member(doc, "hook_path", what) != nullptr)
        settings.hook_path =
            check_hook(string_member(doc, "hook_path", what), what + ": \"hook_path\"");
    return settings;
}

Settings resolve_settings(const std::function<const char*(const char*)>& getenv,
                          const FileSettings& file, const std::string& default_hook)
{
    Settings settings{default_runtime, default_hook};
    if (file.runtime)
        settings.runtime = *file.runtime;
    if (file.hook_path)
        settings.hook_path = *file.hook_path;
    if (const char* v = getenv(env_runtime); v != nullptr && *v != '\0')
        settings.runtime = check_runtime(v, std::string("environment variable ") + env_runtime);
    if (const char* v = getenv(env_hook); v != nullptr && *v != '\0')
        settings.hook_path = check_hook(v, std::string("environment variable ") + env_hook);
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
