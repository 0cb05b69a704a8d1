#include "hook/netns.hpp"

#include "base/error.hpp"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

namespace rnh {
namespace {

NsId identity(int fd, const std::string& what)
{
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        fail_errno("checking " + what);
    return {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
}

Netns open_netns_file(const std::string& path, const std::string& what)
{
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd)
        fail_errno("opening " + what + " (" + path + ")");
    int type = ::ioctl(fd.get(), NS_GET_NSTYPE);
    if (type < 0)
        fail_errno(path + " is not a namespace");
    if (type != CLONE_NEWNET)
        fail(path + " is a namespace, but not a network namespace");
    auto id = identity(fd.get(), what);
    return {std::move(fd), id};
}

} // namespace

Netns own_netns()
{
    return open_netns_file("/proc/thread-self/ns/net", "the hook's own network namespace");
}

Netns netns_of_pid(pid_t pid)
{
    const std::string who = "container process " + std::to_string(pid);
    Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd && errno == ESRCH)
        fail(who + " does not exist", "the container exited before the hook ran");
    if (!pidfd)
        fail_errno("opening a pidfd for " + who);
    auto ns = open_netns_file("/proc/" + std::to_string(pid) + "/ns/net",
                              "the network namespace of " + who);
    // The pid may have been reused between pidfd_open and the open above; a
    // signal 0 through the pidfd fails if the process it pinned is gone.
    if (::syscall(SYS_pidfd_send_signal, pidfd.get(), 0, nullptr, 0) != 0)
        fail_errno(who + " exited while its network namespace was being opened");
    return ns;
}

Netns netns_at_path(const std::string& path)
{
    return open_netns_file(path, "the network namespace path from config.json");
}

std::optional<Netns> find_netns(NsId id, const std::optional<std::string>& path)
{
    auto matches = [id](const std::string& candidate) -> std::optional<Netns> {
        try {
            auto ns = open_netns_file(candidate, candidate);
            if (ns.id == id)
                return ns;
        } catch (const Error&) {
            // gone, or not a namespace: not this one
        }
        return std::nullopt;
    };
    if (path)
        if (auto ns = matches(*path))
            return ns;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        const auto name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos)
            continue;
        if (auto ns = matches(entry.path().string() + "/ns/net"))
            return ns;
    }
    return std::nullopt;
}

void enter_netns(int ns_fd)
{
    if (::setns(ns_fd, CLONE_NEWNET) != 0)
        fail_errno("entering the container's network namespace",
                   "the hook needs CAP_SYS_ADMIN in the host: run it as root");
}

} // namespace rnh
