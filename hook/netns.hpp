// Network namespace handles. Every namespace is held by an open fd. Its
// identity is the (device, inode) of that fd plus the namespace's cookie: the
// kernel reuses nsfs inode numbers once a namespace is freed, but never a
// cookie within a boot (SO_NETNS_COOKIE, Linux 5.14).
#pragma once

#include "base/fd.hpp"

#include <sys/types.h>

#include <compare>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

namespace rnh {

struct NsId {
    std::uint64_t dev = 0;
    std::uint64_t ino = 0;
    std::uint64_t cookie = 0;
    auto operator<=>(const NsId&) const = default;
};

struct Netns {
    Fd fd;
    NsId id;
};

// Opens a namespace file and checks it is a namespace of `type` (CLONE_NEWNET...).
Fd open_namespace(const std::string& path, int type, const std::string& what);
// The identity of the network namespace `ns_fd` refers to.
NsId netns_identity(int ns_fd, const std::string& what);
// A pidfd that pins process `pid`; `who` and `hint` word the error if it is gone.
Fd open_pidfd(pid_t pid, const std::string& who, const std::string& hint);
// Fails if the process a pidfd pinned has exited (its pid may be reused since).
void require_alive(int pidfd, const std::string& who);

// The namespace this process runs in: the host's, for a hook.
Netns own_netns();
// The namespace of a live process, race-free: the pidfd pins the process
// while its ns/net is opened, and is checked afterwards.
Netns netns_of_pid(pid_t pid);
// A namespace bind mount such as /run/netns/NAME (config.json's linux.namespaces).
Netns netns_at_path(const std::string& path);
// Mount points of nsfs bind mounts in a /proc/PID/mountinfo text: how
// namespaces with no process in them stay alive (ip netns, CNI, Docker's
// sandboxes under /var/run/docker/netns).
std::vector<std::string> nsfs_mount_points(std::string_view mountinfo);

// Finds a namespace that may be alive still: the path first (if it still
// names that namespace), then nsfs bind mounts, then the processes in /proc.
std::optional<Netns> find_netns(NsId id, const std::optional<std::string>& path);

// setns(CLONE_NEWNET) for the calling thread only.
void enter_netns(int ns_fd);

// Runs f() on a new thread that has joined the namespace `ns_fd`, and returns
// its result or rethrows its error. Sockets created by f stay bound to that
// namespace for their lifetime; the calling thread's namespace never changes.
template <typename F> auto in_netns(int ns_fd, F f) -> decltype(f())
{
    using R = decltype(f());
    std::optional<std::conditional_t<std::is_void_v<R>, bool, R>> result;
    std::exception_ptr error;
    std::thread worker([&] {
        try {
            enter_netns(ns_fd);
            if constexpr (std::is_void_v<R>) {
                f();
                result.emplace(true);
            } else {
                result.emplace(f());
            }
        } catch (...) {
            error = std::current_exception();
        }
    });
    worker.join();
    if (error)
        std::rethrow_exception(error);
    if constexpr (!std::is_void_v<R>)
        return std::move(*result);
}

} // namespace rnh
