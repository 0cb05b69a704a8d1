// SPDX-License-Identifier: Apache-2.0
// Network namespace handles. Every namespace is held by an open fd, and
// known by its NsId (hook/state/ns_id.hpp).
#pragma once

#include "base/fd.hpp"
#include "hook/plan/container.hpp"
#include "hook/state/ns_id.hpp"

#include <sys/types.h>

#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

namespace rnh {

struct Netns {
    Fd fd;
    NsId id;
};

// Opens a namespace file and checks it is a namespace of `type` (CLONE_NEWNET...).
Fd open_namespace(const std::string& path, int type, const std::string& what);
// The identity of the network namespace `ns_fd` refers to.
NsId netns_identity(int ns_fd, const std::string& what);
// The namespace this process runs in: the host's, for a hook.
Netns own_netns();
// The network namespace of a live process, and its mount namespace when
// `with_mount`, race-free: a pidfd pins the process while they are opened, and
// a signal 0 through it afterwards fails if the pid was reused in between.
// `who` names the process in errors; `hint` says what to do if it is gone.
struct ProcessNamespaces {
    Netns net;
    Fd mnt;
};
ProcessNamespaces namespaces_of_pid(pid_t pid, const std::string& who, const std::string& hint,
                                    bool with_mount);
// The network namespace of a container's process.
Netns netns_of_pid(pid_t pid);
// A namespace bind mount such as /run/netns/NAME; `what` names it in errors.
Netns netns_at_path(const std::string& path, const std::string& what);
// The container's network namespace: through its pid (pidfd, race-free), or
// the path config.json gives when the state has no pid.
Netns container_netns(const Container& container);
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
