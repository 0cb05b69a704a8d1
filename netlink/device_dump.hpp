// SPDX-License-Identifier: Apache-2.0
// What a device listing can trust of RDMA device dumps that came in parts.
// Pure: the dumps come from a callable, so tests can script them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace rnh::nl {

struct Device {
    std::uint32_t index;
    std::string name;
    bool operator==(const Device&) const = default;
};

// One device dump as it arrived, and in how many parts (ReplyReader::parts()).
struct DeviceDump {
    std::vector<Device> devices;
    std::size_t parts = 0;
};

// The devices of a namespace, from dumps taken by `take`. The kernel resumes
// a device dump by position, not by device index (_nldev_get_dumpit() in
// nldev.c skips the first cb->args[0] devices that ib_enum_all_devs() in
// device.c finds in the namespace), so a device that leaves the namespace
// between two parts makes the next part skip another, present one; nothing
// marks such a dump. One part is built under devices_rwsem and is exact.
// So: a dump in at most one part is returned as it is (one dump, the common
// case); otherwise a second is taken, returned as it is if it came in one
// part, else merged with the first by device index (the second's name wins).
// A device is then missing only if two dumps agree that it is.
std::vector<Device> settle_devices(const std::function<DeviceDump()>& take);

} // namespace rnh::nl
