// SPDX-License-Identifier: Apache-2.0
// Writes the seed corpus of fuzz_netlink: datagrams as the kernel sends them
// in answer to the hook's requests (nldev.c, af_netlink.c), with the port id
// and sequence number fuzz_netlink's fixed request uses.
//
//   netlink_seeds write DIR   (re)writes the seeds into DIR
//   netlink_seeds check DIR   fails unless DIR holds these seeds as written
//                             (other files, such as regression inputs, may be there too)
#include "tests/support/netlink_datagram.hpp"

#include <linux/netlink.h>
#include <rdma/rdma_netlink.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::uint32_t portid = 4242; // as in fuzz_netlink.cpp
constexpr std::uint32_t seq = 7;

using Bytes = std::vector<std::uint8_t>;
using rnh::test::Datagram;
using rnh::test::nldev;

Bytes bytes_of(const Datagram& d)
{
    const auto* p = reinterpret_cast<const std::uint8_t*>(d.bytes().data());
    return Bytes(p, p + d.bytes().size());
}

Datagram& device(Datagram& d, std::uint32_t index, const std::string& name)
{
    return d.begin(nldev(RDMA_NLDEV_CMD_GET), NLM_F_MULTI)
        .attr_u32(RDMA_NLDEV_ATTR_DEV_INDEX, index)
        .attr_str(RDMA_NLDEV_ATTR_DEV_NAME, name)
        .attr_u32(RDMA_NLDEV_ATTR_PORT_INDEX, 1) // number of ports, for CMD_GET
        .attr_u64(RDMA_NLDEV_ATTR_CAP_FLAGS, 0x1c2c6c21)
        .attr_str(RDMA_NLDEV_ATTR_FW_VERSION, "6.1.0")
        .attr_u64(RDMA_NLDEV_ATTR_NODE_GUID, 0x0250b6fffe1a2b3cULL)
        .attr_u64(RDMA_NLDEV_ATTR_SYS_IMAGE_GUID, 0x0250b6fffe1a2b3cULL)
        .attr_u8(RDMA_NLDEV_ATTR_DEV_NODE_TYPE, RDMA_NODE_IB_CA)
        .attr_str(RDMA_NLDEV_ATTR_DEV_PROTOCOL, "roce")
        .attr_u8(RDMA_NLDEV_ATTR_DEV_DIM, 0)
        .end();
}

// A port message, left open for the netdev attributes.
Datagram& port(Datagram& d, std::uint32_t index, const std::string& name)
{
    return d.begin(nldev(RDMA_NLDEV_CMD_PORT_GET), NLM_F_MULTI)
        .attr_u32(RDMA_NLDEV_ATTR_DEV_INDEX, index)
        .attr_str(RDMA_NLDEV_ATTR_DEV_NAME, name)
        .attr_u32(RDMA_NLDEV_ATTR_PORT_INDEX, 1)
        .attr_u64(RDMA_NLDEV_ATTR_CAP_FLAGS, 0x4290000)
        .attr_u64(RDMA_NLDEV_ATTR_SUBNET_PREFIX, 0xfe80000000000000ULL)
        .attr_u8(RDMA_NLDEV_ATTR_PORT_STATE, 4)
        .attr_u8(RDMA_NLDEV_ATTR_PORT_PHYS_STATE, 5);
}

Datagram& done_msg(Datagram& d, std::int32_t error, const std::string& text = {})
{
    d.begin(NLMSG_DONE, NLM_F_MULTI | (text.empty() ? 0 : NLM_F_ACK_TLVS)).i32(error);
    if (!text.empty())
        d.attr_str(NLMSGERR_ATTR_MSG, text);
    return d.end();
}

// An NLMSG_ERROR for `request` (type, flags): with NETLINK_CAP_ACK only its
// header comes back, else its header and payload; then the extended ack.
Datagram& error_msg(Datagram& d, std::int32_t error, std::uint16_t type, std::uint16_t flags,
                    std::span<const std::byte> payload, bool capped, const std::string& text = {})
{
    std::uint16_t out_flags = 0;
    if (capped)
        out_flags |= NLM_F_CAPPED;
    if (!text.empty())
        out_flags |= NLM_F_ACK_TLVS;
    d.begin(NLMSG_ERROR, out_flags).i32(error);
    d.u32(static_cast<std::uint32_t>(sizeof(nlmsghdr) + payload.size()))
        .u16(type)
        .u16(flags)
        .u32(seq)
        .u32(portid);
    if (!capped && !payload.empty())
        d.raw(payload.data(), payload.size()).pad();
    if (!text.empty())
        d.attr_str(NLMSGERR_ATTR_MSG, text).attr_u32(NLMSGERR_ATTR_OFFS, sizeof(nlmsghdr));
    return d.end();
}

// A datagram of the messages `build` writes.
template <typename F> Bytes datagram(F build)
{
    Datagram d(portid, seq);
    build(d);
    return bytes_of(d);
}

std::map<std::string, Bytes> seeds()
{
    const std::uint16_t ack = NLM_F_REQUEST | NLM_F_ACK;
    const auto set = nldev(RDMA_NLDEV_CMD_SET);
    // The payload of a RDMA_NLDEV_CMD_SET moving device 3 to fd 5.
    Datagram set_request(portid, seq);
    set_request.attr_u32(RDMA_NLDEV_ATTR_DEV_INDEX, 3).attr_u32(RDMA_NLDEV_NET_NS_FD, 5);
    const auto set_payload = set_request.bytes();

    std::map<std::string, Bytes> s;
    s["device-dump"] = datagram([](Datagram& d) {
        device(d, 1, "rxe0");
        device(d, 2, "mlx5_0");
    });
    s["device-dump-done"] = datagram([](Datagram& d) { done_msg(device(d, 3, "siw0"), 0); });
    s["port"] = datagram([](Datagram& d) {
        port(d, 1, "rxe0")
            .attr_u32(RDMA_NLDEV_ATTR_NDEV_INDEX, 2)
            .attr_str(RDMA_NLDEV_ATTR_NDEV_NAME, "eth0")
            .end();
    });
    // Its netdev lives elsewhere.
    s["port-other-netns"] = datagram([](Datagram& d) { port(d, 2, "mlx5_0").end(); });
    s["sys"] = datagram([](Datagram& d) {
        d.begin(nldev(RDMA_NLDEV_CMD_SYS_GET))
            .attr_u8(RDMA_NLDEV_SYS_ATTR_NETNS_MODE, 0)
            .attr_u8(RDMA_NLDEV_SYS_ATTR_COPY_ON_FORK, 1)
            .attr_u8(RDMA_NLDEV_SYS_ATTR_PRIVILEGED_QKEY_MODE, 0)
            .end();
    });
    s["sys-then-ack"] = datagram([&](Datagram& d) {
        d.begin(nldev(RDMA_NLDEV_CMD_SYS_GET)).attr_u8(RDMA_NLDEV_SYS_ATTR_NETNS_MODE, 1).end();
        error_msg(d, 0, nldev(RDMA_NLDEV_CMD_SYS_GET), ack, {}, true);
    });
    s["ack"] = datagram([&](Datagram& d) { error_msg(d, 0, set, ack, set_payload, true); });
    s["error-ext-ack"] = datagram([&](Datagram& d) {
        error_msg(d, -EOPNOTSUPP, set, ack, set_payload, true,
                  "Device doesn't support netns change");
    });
    s["error-ext-ack-uncapped"] = datagram([&](Datagram& d) {
        error_msg(d, -EINVAL, set, ack, set_payload, false, "Invalid network namespace fd");
    });
    s["error-plain"] = datagram(
        [&](Datagram& d) { error_msg(d, -EPERM, nldev(RDMA_NLDEV_CMD_SYS_SET), ack, {}, false); });
    s["done"] = datagram([](Datagram& d) { done_msg(d, 0); });
    s["done-error"] = datagram([](Datagram& d) { done_msg(d, -EMSGSIZE, "dump interrupted"); });
    s["overrun"] = datagram([](Datagram& d) { d.begin(NLMSG_OVERRUN).end(); });
    return s;
}

Bytes read_file(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

} // namespace

int main(int argc, char** argv)
{
    const std::string mode = argc == 3 ? argv[1] : "";
    if (mode != "write" && mode != "check") {
        std::fprintf(stderr, "usage: %s write|check DIR\n", argv[0]);
        return 2;
    }
    const std::filesystem::path dir = argv[2];
    const auto wanted = seeds();
    if (mode == "write") {
        std::filesystem::create_directories(dir);
        for (const auto& [name, bytes] : wanted) {
            std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
            out.write(reinterpret_cast<const char*>(bytes.data()),
                      static_cast<std::streamsize>(bytes.size()));
            if (!out) {
                std::fprintf(stderr, "%s: cannot write %s\n", argv[0], (dir / name).c_str());
                return 1;
            }
        }
        return 0;
    }
    int problems = 0;
    for (const auto& [name, bytes] : wanted)
        if (read_file(dir / name) != bytes) {
            std::fprintf(stderr, "%s: %s is missing or differs from what this program writes\n",
                         argv[0], (dir / name).c_str());
            ++problems;
        }
    if (problems != 0)
        std::fprintf(stderr, "%s: regenerate with: %s write %s\n", argv[0], argv[0], dir.c_str());
    return problems == 0 ? 0 : 1;
}
