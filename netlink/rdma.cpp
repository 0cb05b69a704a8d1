// SPDX-License-Identifier: Apache-2.0
#include "netlink/rdma.hpp"

#include "base/error.hpp"
#include "netlink/attributes.hpp"

#include <libmnl/libmnl.h>
#include <rdma/rdma_netlink.h>

#include <array>
#include <cerrno>
#include <optional>
#include <string>

namespace rnh::nl {

namespace {

std::uint16_t nldev_type(rdma_nldev_command command)
{
    return static_cast<std::uint16_t>(RDMA_NL_GET_TYPE(unsigned{RDMA_NL_NLDEV}, unsigned{command}));
}

constexpr std::uint16_t do_flags = NLM_F_REQUEST | NLM_F_ACK;
constexpr std::uint16_t dump_flags = NLM_F_REQUEST | NLM_F_DUMP;

// The attributes this module reads, with their types in rdma_netlink.h and
// the names used in error messages; every other attribute is skipped.
struct AttrSpec {
    std::uint16_t type;
    mnl_attr_data_type data;
    const char* name;
};

constexpr std::array<AttrSpec, 4> read_attrs{{
    {RDMA_NLDEV_ATTR_DEV_INDEX, MNL_TYPE_U32, "device index"},
    {RDMA_NLDEV_ATTR_DEV_NAME, MNL_TYPE_NUL_STRING, "device name"},
    {RDMA_NLDEV_ATTR_NDEV_NAME, MNL_TYPE_NUL_STRING, "net device name"},
    {RDMA_NLDEV_SYS_ATTR_NETNS_MODE, MNL_TYPE_U8, "netns mode"},
}};

const AttrSpec* spec_of(std::uint16_t type)
{
    for (const AttrSpec& spec : read_attrs)
        if (spec.type == type)
            return &spec;
    return nullptr;
}

const char* name_of(std::uint16_t type)
{
    const AttrSpec* spec = spec_of(type);
    return spec != nullptr ? spec->name : "attribute";
}

// The validated attributes of one reply message, by type.
class Attrs {
public:
    Attrs(const nlmsghdr& nlh, std::string_view reply) : reply_(reply)
    {
        for_each_attr(nlh, 0, reply_, [this](const nlattr& attr) {
            const AttrSpec* spec = spec_of(mnl_attr_get_type(&attr));
            if (spec == nullptr)
                return;
            if (mnl_attr_validate(&attr, spec->data) < 0)
                malformed(reply_, std::string("the ") + spec->name +
                                      " attribute has the wrong length or format");
            found_[spec - read_attrs.data()] = &attr;
        });
    }

    const nlattr* find(std::uint16_t type) const
    {
        const AttrSpec* spec = spec_of(type);
        return spec != nullptr ? found_[spec - read_attrs.data()] : nullptr;
    }

    const nlattr& get(std::uint16_t type) const
    {
        const nlattr* attr = find(type);
        if (attr == nullptr)
            malformed(reply_, std::string("no ") + name_of(type) + " attribute");
        return *attr;
    }

    std::uint32_t u32(std::uint16_t type) const { return mnl_attr_get_u32(&get(type)); }
    std::uint8_t u8(std::uint16_t type) const { return mnl_attr_get_u8(&get(type)); }
    std::string str(std::uint16_t type) const { return mnl_attr_get_str(&get(type)); }

private:
    std::string_view reply_;
    std::array<const nlattr*, read_attrs.size()> found_{};
};

std::string set_mode_hint(int err)
{
    switch (err) {
    case EPERM:
        return "changing it needs CAP_NET_ADMIN in the initial user namespace";
    case EBUSY:
        return "the kernel changes it only while no network namespace but the initial one "
               "exists; set it at boot instead with the ib_core module parameter netns_mode=0";
    case EINVAL:
        return "this kernel has no RDMA network namespace modes (Linux 5.2 or newer has)";
    default:
        return {};
    }
}

std::string get_mode_hint(int err)
{
    if (err == EINVAL)
        return "this kernel has no RDMA network namespace modes (Linux 5.2 or newer has)";
    return {};
}

} // namespace

std::string_view to_string(NetnsMode mode) noexcept
{
    return mode == NetnsMode::shared ? "shared" : "exclusive";
}

Message build_sys_get()
{
    return Message(nldev_type(RDMA_NLDEV_CMD_SYS_GET), do_flags);
}

Message build_sys_set_netns_mode(NetnsMode mode)
{
    Message request(nldev_type(RDMA_NLDEV_CMD_SYS_SET), do_flags);
    request.put_u8(RDMA_NLDEV_SYS_ATTR_NETNS_MODE, mode == NetnsMode::shared ? 1 : 0);
    return request;
}

Message build_dev_dump()
{
    return Message(nldev_type(RDMA_NLDEV_CMD_GET), dump_flags);
}

Message build_port_dump(std::uint32_t dev_index)
{
    Message request(nldev_type(RDMA_NLDEV_CMD_PORT_GET), dump_flags);
    request.put_u32(RDMA_NLDEV_ATTR_DEV_INDEX, dev_index);
    return request;
}

Message build_dev_set_netns(std::uint32_t dev_index, int netns_fd)
{
    if (netns_fd < 0)
        fail("moving RDMA device " + std::to_string(dev_index) + ": invalid network namespace fd " +
             std::to_string(netns_fd));
    Message request(nldev_type(RDMA_NLDEV_CMD_SET), do_flags);
    request.put_u32(RDMA_NLDEV_ATTR_DEV_INDEX, dev_index);
    request.put_u32(RDMA_NLDEV_NET_NS_FD, static_cast<std::uint32_t>(netns_fd));
    return request;
}

NetnsMode parse_sys(const nlmsghdr& nlh)
{
    const Attrs attrs(nlh, "RDMA system");
    const std::uint8_t mode = attrs.u8(RDMA_NLDEV_SYS_ATTR_NETNS_MODE);
    if (mode > 1)
        malformed("RDMA system", "unknown netns mode " + std::to_string(mode));
    return mode == 1 ? NetnsMode::shared : NetnsMode::exclusive;
}

Device parse_device(const nlmsghdr& nlh)
{
    const Attrs attrs(nlh, "RDMA device");
    return Device{attrs.u32(RDMA_NLDEV_ATTR_DEV_INDEX), attrs.str(RDMA_NLDEV_ATTR_DEV_NAME)};
}

Port parse_port(const nlmsghdr& nlh)
{
    const Attrs attrs(nlh, "RDMA port");
    Port port{attrs.u32(RDMA_NLDEV_ATTR_DEV_INDEX), attrs.str(RDMA_NLDEV_ATTR_DEV_NAME), {}};
    if (attrs.find(RDMA_NLDEV_ATTR_NDEV_NAME) != nullptr)
        port.ndev_name = attrs.str(RDMA_NLDEV_ATTR_NDEV_NAME);
    return port;
}

NetnsMode get_netns_mode(Socket& socket)
{
    const std::string what = "reading the RDMA network namespace mode";
    Message request = build_sys_get();
    std::optional<NetnsMode> mode;
    socket.transact(
        request, what, [&](const nlmsghdr& nlh) { mode = parse_sys(nlh); }, get_mode_hint);
    if (!mode)
        fail_errno(EPROTO, what + ": the kernel acknowledged without answering",
                   "this kernel has no RDMA network namespace modes (Linux 5.2 or newer has)");
    return *mode;
}

void set_netns_mode(Socket& socket, NetnsMode mode)
{
    Message request = build_sys_set_netns_mode(mode);
    socket.transact(
        request, "setting the RDMA network namespace mode to " + std::string(to_string(mode)),
        [](const nlmsghdr&) {}, set_mode_hint);
}

std::vector<Device> dump_devices(Socket& socket)
{
    return settle_devices([&socket] {
        Message request = build_dev_dump();
        DeviceDump dump;
        dump.parts = socket.transact(request, "listing RDMA devices", [&](const nlmsghdr& nlh) {
            dump.devices.push_back(parse_device(nlh));
        });
        return dump;
    });
}

std::vector<Port> dump_ports(Socket& socket, std::uint32_t dev_index)
{
    Message request = build_port_dump(dev_index);
    std::vector<Port> ports;
    try {
        socket.transact(request, "listing the ports of RDMA device " + std::to_string(dev_index),
                        [&](const nlmsghdr& nlh) { ports.push_back(parse_port(nlh)); });
    } catch (const Error& e) {
        // nldev_port_get_dumpit(): EINVAL when ib_device_get_by_index() finds
        // no such device in the socket's namespace, at any part of the dump.
        if (e.err() != EINVAL)
            throw;
        return {};
    }
    return ports;
}

void move_device(Socket& socket, std::uint32_t dev_index, int netns_fd)
{
    Message request = build_dev_set_netns(dev_index, netns_fd);
    const auto hint = [dev_index, netns_fd](int err) -> std::string {
        switch (err) {
        case EINVAL:
            return "either no RDMA device has index " + std::to_string(dev_index) +
                   " in the socket's network namespace, or fd " + std::to_string(netns_fd) +
                   " is not a network namespace";
        case EBADF:
            return "fd " + std::to_string(netns_fd) + " is not open in this process";
        case EPERM:
            return "moving a device needs CAP_NET_ADMIN in the initial user namespace and over "
                   "the target network namespace";
        case EOPNOTSUPP:
            return "either the RDMA subsystem is in shared mode (it must be exclusive: ib_core "
                   "netns_mode=0, or rdma system set netns exclusive), or the device's driver "
                   "cannot move between namespaces (it lacks disassociate_ucontext)";
        case ENODEV:
            return "the device is going away, or this thread is no longer in the network "
                   "namespace the netlink socket was opened in";
        default:
            return {};
        }
    };
    socket.transact(
        request,
        "device index " + std::to_string(dev_index) + ", network namespace fd " +
            std::to_string(netns_fd),
        [](const nlmsghdr&) {}, hint);
}

} // namespace rnh::nl
