// SPDX-License-Identifier: Apache-2.0
#include "hook/kernel/moves.hpp"

#include "hook/kernel/fault_points.hpp"
#include "hook/plan/device_list.hpp"

#include <algorithm>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

namespace rnh {
namespace {

// Moves `devices` to the namespace `to_fd` from up to session.move_threads
// threads, each in `from` (null: the hook's own namespace) with a socket of
// its own. Moves of different devices overlap in the kernel:
// rdma_dev_change_netns() waits for the device's clients to let go of it under
// that device's unregistration_lock, and takes the global devices_rwsem for
// writing only for a moment (disable_device(), enable_device_and_get()).
Moves move_batch(const std::vector<nl::Device>& devices, const Netns* from, int to_fd,
                 const RdmaSession& session, bool stop_at_failure)
{
    Moves batch;
    std::mutex lock;
    std::size_t next = 0;
    auto take = [&]() -> const nl::Device* {
        std::lock_guard guard(lock);
        bool stopped = stop_at_failure && !batch.failed.empty();
        return stopped || next == devices.size() ? nullptr : &devices[next++];
    };
    auto work = [&] {
        std::optional<nl::Socket> socket;
        std::optional<Error> broken;
        try {
            if (from != nullptr)
                enter_netns(from->fd.get());
            socket = session.open();
        } catch (...) {
            broken = current_error();
        }
        while (const auto* device = take()) {
            std::optional<Error> error = broken;
            if (!error) {
                try {
                    if (from != nullptr && fault_fails("return"))
                        fail_errno(EIO, "returning RDMA device " + device->name +
                                            " (fault point \"return\")");
                    nl::move_device(*socket, device->index, to_fd);
                } catch (...) {
                    error = current_error();
                }
            }
            std::unique_lock guard(lock);
            if (error) {
                batch.failed.emplace_back(*device, *error);
                continue;
            }
            batch.moved.push_back(*device);
            bool more = batch.moved.size() < devices.size();
            guard.unlock();
            if (more)
                fault_point("between-moves");
        }
    };
    std::vector<std::jthread> workers;
    const auto count = std::min<std::size_t>(session.move_threads, devices.size());
    for (std::size_t i = 0; i < count; ++i) {
        try {
            workers.emplace_back(work);
        } catch (const std::system_error& e) {
            if (workers.empty())
                fail_errno(e.code().value(), "starting a thread to move RDMA devices");
            break; // the threads already running move every device
        }
    }
    workers.clear(); // joins them
    return batch;
}

} // namespace

Moves move_in(const std::vector<nl::Device>& devices, const Netns& target,
              const RdmaSession& session)
{
    return move_batch(devices, nullptr, target.fd.get(), session, true);
}

Moves move_home(const std::vector<nl::Device>& devices, const Netns& from, const Netns& host_ns,
                const RdmaSession& session)
{
    auto moves = move_batch(devices, &from, host_ns.fd.get(), session, false);
    for (auto& [device, error] : moves.failed)
        error = error.wrap("returning " + device.name + " to the host");
    return moves;
}

std::vector<std::string> wait_home(const std::vector<std::string>& names, nl::Socket& host,
                                   std::chrono::milliseconds deadline)
{
    const auto until = std::chrono::steady_clock::now() + deadline;
    for (;;) {
        auto present = nl::dump_devices(host);
        std::vector<std::string> missing;
        for (const auto& name : names)
            if (find_named(present, name) == nullptr)
                missing.push_back(name);
        if (missing.empty() || std::chrono::steady_clock::now() >= until)
            return missing;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

} // namespace rnh
