#include "hook/moves.hpp"

#include "base/error.hpp"
#include "hook/devices.hpp"
#include "hook/fault.hpp"
#include "hook/rdma_in.hpp"

#include <algorithm>
#include <thread>

namespace rnh {
void move_each(const std::vector<nl::Device>& devices, nl::Socket& host, const Netns& target,
               std::vector<nl::Device>& moved)
{
    for (const auto& device : devices) {
        try {
            nl::move_device(host, device.index, target.fd.get());
        } catch (const Error& e) {
            throw Error("moving RDMA device " + device.name +
                            " into the container's network namespace: " + e.context(),
                        e.err(), e.hint());
        }
        moved.push_back(device);
        if (moved.size() < devices.size())
            fault_point("between-moves");
    }
}

std::vector<std::string> move_home(const std::vector<nl::Device>& devices, const Netns& from,
                                   const Netns& host_ns, const Config& config)
{
    return with_rdma_in(from, config, [&](nl::Socket& inside) {
        std::vector<std::string> errors;
        for (const auto& device : devices) {
            try {
                nl::move_device(inside, device.index, host_ns.fd.get());
            } catch (const Error& e) {
                errors.push_back("returning " + device.name + " to the host: " + e.what());
            }
        }
        return errors;
    });
}

void verify_in(const std::vector<nl::Device>& devices, nl::Socket& host, const Netns& target,
               const Config& config)
{
    auto inside = with_rdma_in(target, config, [](nl::Socket& s) { return nl::dump_devices(s); });
    auto outside = nl::dump_devices(host);
    for (const auto& device : devices) {
        if (find_named(inside, device.name) == nullptr)
            fail("RDMA device " + device.name +
                 " was moved but is not listed inside the container's network namespace");
        if (find_named(outside, device.name) != nullptr)
            fail("RDMA device " + device.name + " was moved but the host still lists it");
    }
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
