// SPDX-License-Identifier: Apache-2.0
#include "hook/kernel/netns.hpp"

#include "base/error.hpp"
#include "base/file.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>

namespace rnh {
namespace {

// The cookie of the calling thread's network namespace.
std::uint64_t current_cookie(const std::string& what)
{
    Fd socket(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!socket)
        fail_errno("creating a socket in " + what);
    std::uint64_t value = 0;
    socklen_t size = sizeof value;
    if (::getsockopt(socket.get(), SOL_SOCKET, SO_NETNS_COOKIE, &value, &size) != 0)
        fail_errno("reading the cookie of " + what, "rdma-netns-hook needs Linux 5.14 or later");
    return value;
}

NsId identity_with_cookie(int ns_fd, std::uint64_t cookie, const std::string& what)
{
    struct stat st {};
    if (::fstat(ns_fd, &st) != 0)
        fail_errno("checking " + what);
    return {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino), cookie};
}

Fd open_pidfd(pid_t pid, const std::string& who, const std::string& hint)
{
    Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd && errno == ESRCH)
        fail(who + " does not exist", hint);
    if (!pidfd)
        fail_errno("opening a pidfd for " + who);
    return pidfd;
}

// Opens a file of nsfs, the namespaces' file system. A symbolic link is followed
// only where the kernel made it, in procfs: /proc/PID/ns/net leads to the
// namespace itself (proc_ns_get_link()). Any other file is refused before it is
// opened for reading, where a FIFO would block and a device could act.
Fd open_nsfs(const std::string& path, const std::string& what)
{
    const auto slash = path.rfind('/');
    const std::string dir =
        slash == std::string::npos ? "." : path.substr(0, std::max<std::size_t>(slash, 1));
    const std::string name = path.substr(slash == std::string::npos ? 0 : slash + 1);
    Fd dirfd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dirfd)
        fail_errno("opening " + what + " (" + path + ")");
    Fd fd(::openat(dirfd.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    struct stat st {};
    struct statfs fs {};
    if (fd && (::fstat(fd.get(), &st) != 0 || ::fstatfs(fd.get(), &fs) != 0))
        fail_errno("checking " + what + " (" + path + ")");
    if (fd && S_ISLNK(st.st_mode)) {
        if (fs.f_type != PROC_SUPER_MAGIC)
            fail(what + " (" + path + ") is a symbolic link, which is not followed",
                 "name the namespace itself: a bind mount such as /run/netns/NAME, or "
                 "/proc/PID/ns/net");
        fd = Fd(::openat(dirfd.get(), name.c_str(), O_PATH | O_CLOEXEC));
        if (fd && ::fstatfs(fd.get(), &fs) != 0)
            fail_errno("checking " + what + " (" + path + ")");
    }
    if (!fd)
        fail_errno("opening " + what + " (" + path + ")");
    if (fs.f_type != NSFS_MAGIC)
        fail(path + " is not a namespace",
             "give a network namespace path such as /run/netns/NAME or /proc/PID/ns/net");
    Fd readable(
        ::open(("/proc/self/fd/" + std::to_string(fd.get())).c_str(), O_RDONLY | O_CLOEXEC));
    if (!readable)
        fail_errno("opening " + what + " (" + path + ")");
    return readable;
}

} // namespace

Fd open_namespace(const std::string& path, int type, const std::string& what)
{
    Fd fd = open_nsfs(path, what);
    int actual = ::ioctl(fd.get(), NS_GET_NSTYPE);
    if (actual < 0)
        fail_errno(path + " is not a namespace",
                   "give a network namespace path such as /run/netns/NAME or /proc/PID/ns/net");
    if (actual != type)
        fail(path + " is a namespace, but not a " + (type == CLONE_NEWNET ? "network" : "mount") +
             " namespace");
    return fd;
}

NsId netns_identity(int ns_fd, const std::string& what)
{
    return identity_with_cookie(ns_fd, in_netns(ns_fd, [&what] { return current_cookie(what); }),
                                what);
}

Netns own_netns()
{
    const std::string what = "the hook's own network namespace";
    auto fd = open_namespace("/proc/thread-self/ns/net", CLONE_NEWNET, what);
    auto id = identity_with_cookie(fd.get(), current_cookie(what), what);
    return {std::move(fd), id};
}

ProcessNamespaces namespaces_of_pid(pid_t pid, const std::string& who, const std::string& hint,
                                    bool with_mount)
{
    auto pidfd = open_pidfd(pid, who, hint);
    const auto dir = "/proc/" + std::to_string(pid) + "/ns/";
    ProcessNamespaces ns;
    ns.net = netns_at_path(dir + "net", "the network namespace of " + who);
    if (with_mount)
        ns.mnt = open_namespace(dir + "mnt", CLONE_NEWNS, "the mount namespace of " + who);
    // The pid may have been reused between pidfd_open and the opens above; a
    // signal 0 through the pidfd fails if the process it pinned is gone.
    if (::syscall(SYS_pidfd_send_signal, pidfd.get(), 0, nullptr, 0) != 0)
        fail_errno(who + " exited while its namespaces were being opened");
    return ns;
}

Netns netns_of_pid(pid_t pid)
{
    return namespaces_of_pid(pid, "container process " + std::to_string(pid),
                             "the container exited before the hook ran", false)
        .net;
}

Netns netns_at_path(const std::string& path, const std::string& what)
{
    auto fd = open_namespace(path, CLONE_NEWNET, what);
    auto id = netns_identity(fd.get(), what);
    return {std::move(fd), id};
}

Netns container_netns(const Container& container)
{
    if (container.pid)
        return netns_of_pid(*container.pid);
    if (container.netns_path)
        return netns_at_path(*container.netns_path, "the network namespace path from config.json");
    fail("the OCI state of container " + container.id +
             " has no pid and its config.json names no network namespace",
         "run the hook at the prestart or createRuntime stage, when the container exists");
}

std::vector<std::string> nsfs_mount_points(std::string_view mountinfo)
{
    // "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER",
    // with space, tab, newline and backslash in names written as \ooo (show_mountinfo()).
    auto unescape = [](std::string_view field) {
        std::string out;
        for (std::size_t i = 0; i < field.size(); ++i) {
            if (field[i] == '\\' && i + 3 < field.size()) {
                out += static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 +
                                         (field[i + 3] - '0'));
                i += 3;
            } else {
                out += field[i];
            }
        }
        return out;
    };
    std::vector<std::string> points;
    while (!mountinfo.empty()) {
        auto end = mountinfo.find('\n');
        std::string_view line = mountinfo.substr(0, end);
        mountinfo.remove_prefix(end == std::string_view::npos ? mountinfo.size() : end + 1);
        std::vector<std::string_view> fields;
        for (std::size_t start = 0; start <= line.size();) {
            auto space = line.find(' ', start);
            if (space == std::string_view::npos)
                space = line.size();
            fields.push_back(line.substr(start, space - start));
            start = space + 1;
        }
        auto dash = std::find(fields.begin(), fields.end(), "-");
        if (fields.size() > 4 && dash != fields.end() && dash + 1 != fields.end() &&
            *(dash + 1) == "nsfs")
            points.push_back(unescape(fields[4]));
    }
    return points;
}

std::optional<Netns> find_netns(NsId id, const std::optional<std::string>& path)
{
    auto matches = [id](const std::string& candidate) -> std::optional<Netns> {
        try {
            Fd fd = open_namespace(candidate, CLONE_NEWNET, candidate);
            struct stat st {};
            // The cookie costs a thread: only for a candidate whose inode matches.
            if (::fstat(fd.get(), &st) != 0 || st.st_dev != id.dev || st.st_ino != id.ino)
                return std::nullopt;
            if (auto candidate_id = netns_identity(fd.get(), candidate); candidate_id == id)
                return Netns{std::move(fd), candidate_id};
        } catch (const Error&) {
            // gone, or not a namespace: not this one
        }
        return std::nullopt;
    };
    if (path)
        if (auto ns = matches(*path))
            return ns;
    for (const auto& point : nsfs_mount_points(read_file("/proc/self/mountinfo", 64 << 20)))
        if (auto ns = matches(point))
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
