// SPDX-License-Identifier: Apache-2.0
// rdma-netns-runtime: an OCI runtime in front of runc. On create and run it
// adds the hook to a bundle whose container asks for RDMA devices in its
// environment; for every command it then execs the real runtime with the same
// arguments. A refusal is one line on stderr, in runc's log file and in the
// system log, and exit status 1.
#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/version.hpp"
#include "hook/config/config.hpp"
#include "runtime/args.hpp"
#include "runtime/bundle.hpp"
#include "runtime/report.hpp"
#include "runtime/settings.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <string>
#include <vector>

#ifndef RNH_HOOK_PATH
#error "RNH_HOOK_PATH (the installed hook) must be defined by the build"
#endif

namespace {

// This program's own path, to find the hook installed beside it.
std::string self_exe()
{
    std::string path(PATH_MAX, '\0');
    const auto n = ::readlink("/proc/self/exe", path.data(), path.size());
    if (n < 0)
        rnh::fail_errno("finding this program (/proc/self/exe)", "is /proc mounted?");
    path.resize(static_cast<std::size_t>(n));
    return path;
}

rnh::runtime::FileId self_id()
{
    struct stat st {};
    if (::stat("/proc/self/exe", &st) != 0)
        rnh::fail_errno("finding this program (/proc/self/exe)", "is /proc mounted?");
    return {st.st_dev, st.st_ino};
}

void refuse(const std::string& what, const rnh::runtime::RuncArgs& args)
{
    const std::string message = "rdma-netns-runtime: " + what;
    std::fprintf(stderr, "%s\n", message.c_str());
    if (args.log) {
        rnh::Fd log(::open(args.log->c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
        if (log) {
            auto line = rnh::runtime::log_record(message, args.log_format, std::time(nullptr));
            [[maybe_unused]] auto n = ::write(log.get(), line.data(), line.size());
        }
    }
    openlog("rdma-netns-runtime", LOG_PID, LOG_DAEMON);
    syslog(LOG_ERR, "%s", what.c_str());
}

// A broken settings file is reported, not obeyed, by every command but create
// and run, the only ones that give a container devices: delete runs the hook's
// poststop, and kill stops what holds devices. Only delete says so on stderr
// too: containerd reads the stderr of state and ps as part of their JSON.
rnh::Config settings_file(const rnh::runtime::RuncArgs& args)
{
    if (args.starts_container())
        return rnh::load_config(std::nullopt);
    auto loaded = rnh::load_config_for_release(std::nullopt);
    if (loaded.warning) {
        if (args.command == "delete")
            std::fprintf(stderr, "rdma-netns-runtime: warning: %s\n", loaded.warning->c_str());
        openlog("rdma-netns-runtime", LOG_PID, LOG_DAEMON);
        syslog(LOG_WARNING, "warning: %s", loaded.warning->c_str());
    }
    return std::move(loaded.config);
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    rnh::runtime::RuncArgs runc;
    std::string runtime;
    try {
        runc = rnh::runtime::parse_runc_args(args);
        if (!runc.problem.empty())
            rnh::fail(runc.problem);
        if (runc.help)
            std::fputs(rnh::runtime::usage_text, stdout);
        if (runc.version)
            std::fputs(rnh::version_text("rdma-netns-runtime").c_str(), stdout);
        std::fflush(stdout); // before the runtime's own text
        auto settings = rnh::runtime::resolve_settings(
            ::getenv, settings_file(runc),
            rnh::runtime::default_hook_path(self_exe(), RNH_HOOK_PATH));
        const char* path = ::getenv("PATH");
        runtime = rnh::runtime::find_runtime(
            settings.runtime, path != nullptr ? path : rnh::runtime::default_path, self_id());
        if (runc.starts_container())
            rnh::runtime::edit_bundle(runc.bundle.value_or("."), settings.hook_path);
    } catch (const std::exception& e) {
        refuse(e.what(), runc);
        return 1;
    }
    std::vector<char*> exec_args{runtime.data()};
    for (int i = 1; i < argc; ++i)
        exec_args.push_back(argv[i]);
    exec_args.push_back(nullptr);
    ::execv(runtime.c_str(), exec_args.data());
    refuse("running the OCI runtime " + runtime + ": " + std::strerror(errno), runc);
    return 1;
}
