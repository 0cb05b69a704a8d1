// Writes the seed corpus of fuzz_netlink: datagrams as the kernel sends them
// in answer to the hook's requests (nldev.c, af_netlink.c), with the port id
// and sequence number fuzz_netlink's fixed request uses.
//
//   netlink_seeds write DIR   (re)writes the seeds into DIR
//   netlink_seeds check DIR   fails unless DIR holds these seeds as written
//                             (other files, such as regression inputs, may be there too)
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
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::uint32_t portid = 4242; // as in fuzz_netlink.cpp
constexpr std::uint32_t seq = 7;

constexpr std::size_t align4(std::size_t n)
{
    return (n + 3) & ~std::size_t{3};
}

constexpr std::uint16_t nldev(unsigned command)
{
    return static_cast<std::uint16_t>(RDMA_NL_GET_TYPE(unsigned{RDMA_NL_NLDEV}, command));
}

using Bytes = std::vector<std::uint8_t>;

// One netlink message; attributes are padded to 4 bytes, nla_len excludes the padding.
class Msg {
public:
    Msg(std::uint16_t type, std::uint16_t flags)
    {
        nlmsghdr h{};
        h.nlmsg_type = type;
        h.nlmsg_flags = flags;
        h.nlmsg_seq = seq;
        h.nlmsg_pid = portid;
        raw(&h, sizeof h);
    }

    Msg& raw(const void* data, std::size_t size)
    {
        const auto* p = static_cast<const std::uint8_t*>(data);
        bytes_.insert(bytes_.end(), p, p + size);
        bytes_.resize(align4(bytes_.size()));
        return *this;
    }
    Msg& attr(std::uint16_t type, const void* data, std::size_t size)
    {
        nlattr a{static_cast<std::uint16_t>(NLA_HDRLEN + size), type};
        raw(&a, sizeof a);
        return raw(data, size);
    }
    Msg& u8(std::uint16_t type, std::uint8_t v) { return attr(type, &v, sizeof v); }
    Msg& u32(std::uint16_t type, std::uint32_t v) { return attr(type, &v, sizeof v); }
    Msg& u64(std::uint16_t type, std::uint64_t v) { return attr(type, &v, sizeof v); }
    Msg& str(std::uint16_t type, std::string_view s)
    {
        std::string z(s);
        return attr(type, z.c_str(), z.size() + 1);
    }

    // The finished message: nlmsg_len set.
    Bytes done() const
    {
        Bytes out = bytes_;
        const auto len = static_cast<std::uint32_t>(out.size());
        std::memcpy(out.data() + offsetof(nlmsghdr, nlmsg_len), &len, sizeof len);
        return out;
    }

private:
    Bytes bytes_;
};

Bytes datagram(std::initializer_list<Bytes> messages)
{
    Bytes out;
    for (const auto& m : messages)
        out.insert(out.end(), m.begin(), m.end());
    return out;
}

Bytes device(std::uint32_t index, std::string_view name)
{
    return Msg(nldev(RDMA_NLDEV_CMD_GET), NLM_F_MULTI)
        .u32(RDMA_NLDEV_ATTR_DEV_INDEX, index)
        .str(RDMA_NLDEV_ATTR_DEV_NAME, name)
        .u32(RDMA_NLDEV_ATTR_PORT_INDEX, 1) // number of ports, for CMD_GET
        .u64(RDMA_NLDEV_ATTR_CAP_FLAGS, 0x1c2c6c21)
        .str(RDMA_NLDEV_ATTR_FW_VERSION, "6.1.0")
        .u64(RDMA_NLDEV_ATTR_NODE_GUID, 0x0250b6fffe1a2b3cULL)
        .u64(RDMA_NLDEV_ATTR_SYS_IMAGE_GUID, 0x0250b6fffe1a2b3cULL)
        .u8(RDMA_NLDEV_ATTR_DEV_NODE_TYPE, RDMA_NODE_IB_CA)
        .str(RDMA_NLDEV_ATTR_DEV_PROTOCOL, "roce")
        .u8(RDMA_NLDEV_ATTR_DEV_DIM, 0)
        .done();
}

Msg port(std::uint32_t index, std::string_view name)
{
    Msg m(nldev(RDMA_NLDEV_CMD_PORT_GET), NLM_F_MULTI);
    m.u32(RDMA_NLDEV_ATTR_DEV_INDEX, index)
        .str(RDMA_NLDEV_ATTR_DEV_NAME, name)
        .u32(RDMA_NLDEV_ATTR_PORT_INDEX, 1)
        .u64(RDMA_NLDEV_ATTR_CAP_FLAGS, 0x4290000)
        .u64(RDMA_NLDEV_ATTR_SUBNET_PREFIX, 0xfe80000000000000ULL)
        .u8(RDMA_NLDEV_ATTR_PORT_STATE, 4)
        .u8(RDMA_NLDEV_ATTR_PORT_PHYS_STATE, 5);
    return m;
}

Bytes done_msg(std::int32_t error, std::string_view text = {})
{
    Msg m(NLMSG_DONE, NLM_F_MULTI | (text.empty() ? 0 : NLM_F_ACK_TLVS));
    m.raw(&error, sizeof error);
    if (!text.empty())
        m.str(NLMSGERR_ATTR_MSG, text);
    return m.done();
}

// An NLMSG_ERROR for `request` (type, flags): with NETLINK_CAP_ACK only its
// header comes back, else its header and payload; then the extended ack.
Bytes error_msg(std::int32_t error, std::uint16_t type, std::uint16_t flags, const Bytes& payload,
                bool capped, std::string_view text = {})
{
    std::uint16_t out_flags = 0;
    if (capped)
        out_flags |= NLM_F_CAPPED;
    if (!text.empty())
        out_flags |= NLM_F_ACK_TLVS;
    Msg m(NLMSG_ERROR, out_flags);
    nlmsgerr e{};
    e.error = error;
    e.msg.nlmsg_len = static_cast<std::uint32_t>(sizeof(nlmsghdr) + payload.size());
    e.msg.nlmsg_type = type;
    e.msg.nlmsg_flags = flags;
    e.msg.nlmsg_seq = seq;
    e.msg.nlmsg_pid = portid;
    m.raw(&e, sizeof e);
    if (!capped && !payload.empty())
        m.raw(payload.data(), payload.size());
    if (!text.empty()) {
        m.str(NLMSGERR_ATTR_MSG, text);
        m.u32(NLMSGERR_ATTR_OFFS, sizeof(nlmsghdr));
    }
    return m.done();
}

std::map<std::string, Bytes> seeds()
{
    const std::uint16_t ack = NLM_F_REQUEST | NLM_F_ACK;
    // The payload of a RDMA_NLDEV_CMD_SET moving device 3 to fd 5.
    const Bytes set_payload = [] {
        Bytes b = Msg(0, 0).u32(RDMA_NLDEV_ATTR_DEV_INDEX, 3).u32(RDMA_NLDEV_NET_NS_FD, 5).done();
        return Bytes(b.begin() + sizeof(nlmsghdr), b.end());
    }();

    std::map<std::string, Bytes> s;
    s["device-dump"] = datagram({device(1, "rxe0"), device(2, "mlx5_0")});
    s["device-dump-done"] = datagram({device(3, "siw0"), done_msg(0)});
    s["port"] = port(1, "rxe0")
                    .u32(RDMA_NLDEV_ATTR_NDEV_INDEX, 2)
                    .str(RDMA_NLDEV_ATTR_NDEV_NAME, "eth0")
                    .done();
    s["port-other-netns"] = port(2, "mlx5_0").done(); // its netdev lives elsewhere
    s["sys"] = Msg(nldev(RDMA_NLDEV_CMD_SYS_GET), 0)
                   .u8(RDMA_NLDEV_SYS_ATTR_NETNS_MODE, 0)
                   .u8(RDMA_NLDEV_SYS_ATTR_COPY_ON_FORK, 1)
                   .u8(RDMA_NLDEV_SYS_ATTR_PRIVILEGED_QKEY_MODE, 0)
                   .done();
    s["sys-then-ack"] = datagram(
        {Msg(nldev(RDMA_NLDEV_CMD_SYS_GET), 0).u8(RDMA_NLDEV_SYS_ATTR_NETNS_MODE, 1).done(),
         error_msg(0, nldev(RDMA_NLDEV_CMD_SYS_GET), ack, {}, true)});
    s["ack"] = error_msg(0, nldev(RDMA_NLDEV_CMD_SET), ack, set_payload, true);
    s["error-ext-ack"] = error_msg(-EOPNOTSUPP, nldev(RDMA_NLDEV_CMD_SET), ack, set_payload, true,
                                   "Device doesn't support netns change");
    s["error-ext-ack-uncapped"] = error_msg(-EINVAL, nldev(RDMA_NLDEV_CMD_SET), ack, set_payload,
                                            false, "Invalid network namespace fd");
    s["error-plain"] = error_msg(-EPERM, nldev(RDMA_NLDEV_CMD_SYS_SET), ack, {}, false);
    s["done"] = done_msg(0);
    s["done-error"] = done_msg(-EMSGSIZE, "dump interrupted");
    s["overrun"] = Msg(NLMSG_OVERRUN, 0).done();
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
