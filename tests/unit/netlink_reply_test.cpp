// SPDX-License-Identifier: Apache-2.0
// Replies, built by hand from linux/netlink.h and rdma/rdma_netlink.h:
// process_datagram() on whole datagrams, and the nldev reply parsers.
#include "netlink/rdma.hpp"
#include "netlink/reply.hpp"

#include "base/error.hpp"
#include "tests/support/error_of.hpp"
#include "tests/support/netlink_datagram.hpp"

#include <gtest/gtest.h>
#include <linux/netlink.h>
#include <rdma/rdma_netlink.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace {

using rnh::nl::Progress;
using rnh::nl::ReplyContext;

// The attribute numbers are kernel ABI: a header that moved them would break
// every reply parsed below.
static_assert(RDMA_NL_NLDEV == 5);
static_assert(RDMA_NLDEV_ATTR_DEV_INDEX == 1 && RDMA_NLDEV_ATTR_DEV_NAME == 2 &&
              RDMA_NLDEV_ATTR_PORT_INDEX == 3 && RDMA_NLDEV_ATTR_NDEV_INDEX == 50 &&
              RDMA_NLDEV_ATTR_NDEV_NAME == 51 && RDMA_NLDEV_SYS_ATTR_NETNS_MODE == 66 &&
              RDMA_NLDEV_NET_NS_FD == 68);

constexpr std::uint32_t our_portid = 4242;
constexpr std::uint32_t our_seq = 17;

// Datagrams answering the request of our_portid and our_seq.
struct Wire : rnh::test::Datagram {
    Wire() : Datagram(our_portid, our_seq) {}
};

using rnh::test::nldev;

// An NLMSG_ERROR as a NETLINK_CAP_ACK socket gets it: errno, the request's
// header, then the extended ack TLVs if any.
rnh::test::Datagram& error_message(rnh::test::Datagram& w, int error, const std::string& text = {})
{
    const std::uint16_t flags = NLM_F_CAPPED | (text.empty() ? 0 : NLM_F_ACK_TLVS);
    w.begin(NLMSG_ERROR, flags).i32(error);
    w.u32(16).u16(nldev(RDMA_NLDEV_CMD_SET)).u16(NLM_F_REQUEST | NLM_F_ACK).u32(our_seq).u32(0);
    if (!text.empty())
        w.attr_u32(NLMSGERR_ATTR_OFFS, 20).attr_str(NLMSGERR_ATTR_MSG, text);
    return w.end();
}

struct Collected {
    std::vector<std::uint16_t> types;
    rnh::nl::OnMessage callback()
    {
        return [this](const nlmsghdr& nlh) { types.push_back(nlh.nlmsg_type); };
    }
};

ReplyContext context(rnh::nl::Hint hint = {})
{
    return ReplyContext{our_portid, our_seq, "moving RDMA device 3", std::move(hint)};
}

Progress process(const Wire& w, Collected& got, std::uint32_t sender = 0)
{
    return rnh::nl::process_datagram(w.bytes(), sender, context(), got.callback());
}

// process() must throw for `w`, with this errno and context.
void expect_error(const Wire& w, int err, const std::string& context)
{
    Collected got;
    const auto e = error_from([&] { process(w, got); });
    ASSERT_TRUE(e) << "no error thrown";
    EXPECT_EQ(e->err(), err);
    EXPECT_EQ(e->context(), context);
}

// --- process_datagram -----------------------------------------------------

TEST(NetlinkReply, DataThenAckInOneDatagram)
{
    Wire w;
    w.begin(nldev(RDMA_NLDEV_CMD_SYS_GET)).attr_u8(RDMA_NLDEV_SYS_ATTR_NETNS_MODE, 0).end();
    error_message(w, 0);
    Collected got;
    EXPECT_EQ(process(w, got), Progress::done);
    EXPECT_EQ(got.types, std::vector<std::uint16_t>{nldev(RDMA_NLDEV_CMD_SYS_GET)});
}

TEST(NetlinkReply, DumpGoesOnUntilDone)
{
    Wire first;
    first.begin(nldev(RDMA_NLDEV_CMD_GET), NLM_F_MULTI).end();
    first.begin(nldev(RDMA_NLDEV_CMD_GET), NLM_F_MULTI).end();
    Wire last;
    last.begin(NLMSG_DONE, NLM_F_MULTI).i32(0).end();
    Collected got;
    EXPECT_EQ(process(first, got), Progress::more);
    EXPECT_EQ(process(last, got), Progress::done);
    EXPECT_EQ(got.types.size(), 2u);
}

// --- ReplyReader: the parts of a dump --------------------------------------

Wire device_messages(std::initializer_list<std::uint32_t> indexes)
{
    Wire w;
    for (std::uint32_t index : indexes)
        w.begin(nldev(RDMA_NLDEV_CMD_GET), NLM_F_MULTI)
            .attr_u32(RDMA_NLDEV_ATTR_DEV_INDEX, index)
            .attr_str(RDMA_NLDEV_ATTR_DEV_NAME, "rxe" + std::to_string(index))
            .end();
    return w;
}

Wire done_message()
{
    Wire w;
    w.begin(NLMSG_DONE, NLM_F_MULTI).i32(0).end();
    return w;
}

// A reader that collects what it is fed.
struct NetlinkReplyReader : ::testing::Test {
    Collected got;
    const ReplyContext ctx = context();
    const rnh::nl::OnMessage on_msg = got.callback();
    rnh::nl::ReplyReader reader{ctx, on_msg};
};

TEST_F(NetlinkReplyReader, DumpInOnePartThenDoneAlone)
{
    // netlink_dump(): one callback call fills a datagram; the next finds
    // nothing more and sends NLMSG_DONE alone.
    EXPECT_EQ(reader.feed(device_messages({1, 2, 3}).bytes(), 0), Progress::more);
    EXPECT_EQ(reader.feed(done_message().bytes(), 0), Progress::done);
    EXPECT_EQ(got.types.size(), 3u);
    EXPECT_EQ(reader.parts(), 1u);
}

TEST_F(NetlinkReplyReader, DumpInSeveralParts)
{
    EXPECT_EQ(reader.feed(device_messages({1, 2}).bytes(), 0), Progress::more);
    EXPECT_EQ(reader.feed(device_messages({4}).bytes(), 0), Progress::more);
    EXPECT_EQ(reader.feed(done_message().bytes(), 0), Progress::done);
    EXPECT_EQ(got.types.size(), 3u);
    EXPECT_EQ(reader.parts(), 2u);
}

TEST_F(NetlinkReplyReader, OnlyDatagramsWithDataOfThisReplyAreParts)
{
    Wire stale; // left over from an earlier request
    stale.begin(nldev(RDMA_NLDEV_CMD_GET), NLM_F_MULTI, our_seq - 1).end();
    EXPECT_EQ(reader.feed(stale.bytes(), 0), Progress::more);
    EXPECT_EQ(reader.feed(device_messages({7}).bytes(), 1234), Progress::more); // not the kernel
    EXPECT_EQ(reader.parts(), 0u);
    Wire last = device_messages({1, 2});
    last.begin(NLMSG_DONE, NLM_F_MULTI).i32(0).end(); // the whole dump in one datagram
    EXPECT_EQ(reader.feed(last.bytes(), 0), Progress::done);
    EXPECT_EQ(reader.parts(), 1u);
    EXPECT_EQ(got.types.size(), 2u);
}

TEST(NetlinkReply, ErrorCarriesErrnoExtAckAndHint)
{
    Wire w;
    error_message(w, -EOPNOTSUPP, "device cannot move");
    Collected got;
    const auto e = error_from([&] {
        rnh::nl::process_datagram(w.bytes(), 0, context([](int err) {
                                      return err == EOPNOTSUPP ? std::string("switch modes")
                                                               : std::string();
                                  }),
                                  got.callback());
    });
    ASSERT_TRUE(e) << "no error thrown";
    EXPECT_EQ(e->err(), EOPNOTSUPP);
    EXPECT_EQ(e->context(), "moving RDMA device 3 (kernel: device cannot move)");
    EXPECT_EQ(e->hint(), "switch modes");
    EXPECT_EQ(std::string(e->what()), "moving RDMA device 3 (kernel: device cannot move): " +
                                          std::string(std::strerror(EOPNOTSUPP)) +
                                          "; switch modes");
}

TEST(NetlinkReply, ErrorWithoutExtAck)
{
    Wire w;
    error_message(w, -EINVAL);
    Collected got;
    const auto e = error_from([&] { process(w, got); });
    ASSERT_TRUE(e) << "no error thrown";
    EXPECT_EQ(e->err(), EINVAL);
    EXPECT_EQ(e->context(), "moving RDMA device 3");
    EXPECT_EQ(e->hint(), "");
}

TEST(NetlinkReply, UncappedErrorEchoesTheRequestBeforeTheExtAck)
{
    // Without NETLINK_CAP_ACK the whole request (here 28 bytes) is echoed;
    // its attribute 1 must not be taken for NLMSGERR_ATTR_MSG.
    Wire w;
    w.begin(NLMSG_ERROR, NLM_F_ACK_TLVS).i32(-EPERM);
    w.u32(28).u16(nldev(RDMA_NLDEV_CMD_SET)).u16(NLM_F_REQUEST).u32(our_seq).u32(0);
    w.attr_str(1, "echoed");
    w.attr_str(NLMSGERR_ATTR_MSG, "not allowed").end();
    expect_error(w, EPERM, "moving RDMA device 3 (kernel: not allowed)");
}

TEST(NetlinkReply, DumpErrorComesInDone)
{
    // nldev_port_get_dumpit() failing: the errno is NLMSG_DONE's payload.
    Wire w;
    w.begin(NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS).i32(-EINVAL);
    w.attr_str(NLMSGERR_ATTR_MSG, "no such device").end();
    expect_error(w, EINVAL, "moving RDMA device 3 (kernel: no such device)");
}

TEST(NetlinkReply, DamagedExtAckKeepsTheErrno)
{
    Wire w;
    w.begin(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS).i32(-EBUSY);
    w.u32(16).u16(0).u16(0).u32(our_seq).u32(0);
    w.u16(200).u16(NLMSGERR_ATTR_MSG).raw("abc", 4).end(); // nla_len beyond the message
    expect_error(w, EBUSY, "moving RDMA device 3");
}

TEST(NetlinkReply, StrayMessagesAreSkipped)
{
    Wire w;
    // Left over from an earlier request that threw: its data and its ACK.
    w.begin(nldev(RDMA_NLDEV_CMD_GET), 0, our_seq - 1).end();
    w.begin(NLMSG_ERROR, NLM_F_CAPPED, our_seq - 1).i32(0);
    w.u32(16).u16(0).u16(0).u32(our_seq - 1).u32(0).end();
    // Addressed to another socket.
    w.begin(nldev(RDMA_NLDEV_CMD_GET), 0, our_seq, our_portid + 1).end();
    // The answer to this request.
    w.begin(nldev(RDMA_NLDEV_CMD_PORT_GET)).end();
    error_message(w, 0);
    Collected got;
    EXPECT_EQ(process(w, got), Progress::done);
    EXPECT_EQ(got.types, std::vector<std::uint16_t>{nldev(RDMA_NLDEV_CMD_PORT_GET)});
}

TEST(NetlinkReply, DatagramsNotFromTheKernelAreSkipped)
{
    Wire w;
    w.begin(nldev(RDMA_NLDEV_CMD_GET)).end();
    error_message(w, -EPERM);
    Collected got;
    EXPECT_EQ(process(w, got, /*sender=*/1234), Progress::more);
    EXPECT_TRUE(got.types.empty());
}

TEST(NetlinkReply, NoopIsSkippedOverrunThrows)
{
    Wire noop;
    noop.begin(NLMSG_NOOP).end();
    Collected got;
    EXPECT_EQ(process(noop, got), Progress::more);
    EXPECT_TRUE(got.types.empty());

    Wire overrun;
    overrun.begin(NLMSG_OVERRUN).end();
    const auto e = error_from([&] { process(overrun, got); });
    ASSERT_TRUE(e) << "no error thrown";
    EXPECT_EQ(e->err(), ENOBUFS);
}

void expect_malformed(const Wire& w, std::size_t size)
{
    Collected got;
    const auto e = error_from(
        [&] { rnh::nl::process_datagram(w.bytes().first(size), 0, context(), got.callback()); });
    ASSERT_TRUE(e) << "no error thrown";
    EXPECT_EQ(e->err(), EPROTO) << e->what();
    EXPECT_EQ(std::string(e->what()).rfind("moving RDMA device 3: malformed netlink reply (", 0),
              0u)
        << e->what();
}

TEST(NetlinkReply, MalformedDatagramsThrow)
{
    Wire data;
    data.begin(nldev(RDMA_NLDEV_CMD_GET)).attr_u32(RDMA_NLDEV_ATTR_DEV_INDEX, 1).end();
    expect_malformed(data, data.bytes().size() - 4); // nlmsg_len beyond the datagram
    expect_malformed(data, 8);                       // not even a header

    Wire short_error;
    short_error.begin(NLMSG_ERROR).i32(-1).end(); // no echoed header
    expect_malformed(short_error, short_error.bytes().size());

    Wire positive;
    error_message(positive, 5);
    expect_malformed(positive, positive.bytes().size());

    Wire huge;
    error_message(huge, -100000);
    expect_malformed(huge, huge.bytes().size());

    Wire done;
    done.begin(NLMSG_DONE).i32(3).end();
    expect_malformed(done, done.bytes().size());
}

// --- parsers ---------------------------------------------------------------

TEST(NetlinkRdmaParse, Device)
{
    // fill_dev_info(): handle, PORT_INDEX (port count), then more we skip.
    Wire w;
    w.begin(nldev(RDMA_NLDEV_CMD_GET), NLM_F_MULTI)
        .attr_u32(RDMA_NLDEV_ATTR_DEV_INDEX, 3)
        .attr_str(RDMA_NLDEV_ATTR_DEV_NAME, "rxe0")
        .attr_u32(RDMA_NLDEV_ATTR_PORT_INDEX, 1)
        .attr_str(RDMA_NLDEV_ATTR_FW_VERSION, "1.0")
        .attr(RDMA_NLDEV_ATTR_CAP_FLAGS, std::string(8, '\xff'))
        .attr(RDMA_NLDEV_ATTR_MAX + 20, "future attribute")
        .end();
    const rnh::nl::Device device = rnh::nl::parse_device(w.message());
    EXPECT_EQ(device.index, 3u);
    EXPECT_EQ(device.name, "rxe0");
}

TEST(NetlinkRdmaParse, PortWithNetDevice)
{
    Wire w;
    w.begin(nldev(RDMA_NLDEV_CMD_PORT_GET), NLM_F_MULTI)
        .attr_u32(RDMA_NLDEV_ATTR_DEV_INDEX, 2)
        .attr_str(RDMA_NLDEV_ATTR_DEV_NAME, "mlx5_1")
        .attr_u32(RDMA_NLDEV_ATTR_PORT_INDEX, 1)
        .attr_u8(RDMA_NLDEV_ATTR_PORT_STATE, 4)
        .attr_u32(RDMA_NLDEV_ATTR_NDEV_INDEX, 12)
        .attr_str(RDMA_NLDEV_ATTR_NDEV_NAME, "enp3s0f1")
        .end();
    const rnh::nl::Port port = rnh::nl::parse_port(w.message());
    EXPECT_EQ(port.dev_index, 2u);
    EXPECT_EQ(port.dev_name, "mlx5_1");
    EXPECT_EQ(port.ndev_name, "enp3s0f1");
}

TEST(NetlinkRdmaParse, PortWithoutNetDevice)
{
    // fill_port_info() leaves the net device out when it is in another namespace.
    Wire w;
    w.begin(nldev(RDMA_NLDEV_CMD_PORT_GET), NLM_F_MULTI)
        .attr_u32(RDMA_NLDEV_ATTR_DEV_INDEX, 2)
        .attr_str(RDMA_NLDEV_ATTR_DEV_NAME, "rxe1")
        .attr_u32(RDMA_NLDEV_ATTR_PORT_INDEX, 1)
        .end();
    const rnh::nl::Port port = rnh::nl::parse_port(w.message());
    EXPECT_EQ(port.ndev_name, "");
}

TEST(NetlinkRdmaParse, SysMode)
{
    Wire exclusive;
    exclusive.begin(nldev(RDMA_NLDEV_CMD_SYS_GET))
        .attr_u8(RDMA_NLDEV_SYS_ATTR_NETNS_MODE, 0)
        .attr_u8(RDMA_NLDEV_SYS_ATTR_COPY_ON_FORK, 1)
        .end();
    EXPECT_EQ(rnh::nl::parse_sys(exclusive.message()), rnh::nl::NetnsMode::exclusive);
    Wire shared;
    shared.begin(nldev(RDMA_NLDEV_CMD_SYS_GET)).attr_u8(RDMA_NLDEV_SYS_ATTR_NETNS_MODE, 1).end();
    EXPECT_EQ(rnh::nl::parse_sys(shared.message()), rnh::nl::NetnsMode::shared);
}

template <class Parse> void expect_parse_error(const Wire& w, Parse parse)
{
    const auto e = error_from([&] { parse(w.message()); });
    ASSERT_TRUE(e) << "no error thrown";
    EXPECT_EQ(e->err(), EPROTO) << e->what();
}

TEST(NetlinkRdmaParse, MissingAttributes)
{
    Wire no_name;
    no_name.begin(nldev(RDMA_NLDEV_CMD_GET)).attr_u32(RDMA_NLDEV_ATTR_DEV_INDEX, 1).end();
    expect_parse_error(no_name, rnh::nl::parse_device);

    Wire no_device_name;
    no_device_name.begin(nldev(RDMA_NLDEV_CMD_PORT_GET))
        .attr_u32(RDMA_NLDEV_ATTR_DEV_INDEX, 1)
        .attr_u32(RDMA_NLDEV_ATTR_PORT_INDEX, 1)
        .end();
    expect_parse_error(no_device_name, rnh::nl::parse_port);

    Wire no_mode;
    no_mode.begin(nldev(RDMA_NLDEV_CMD_SYS_GET)).end();
    expect_parse_error(no_mode, rnh::nl::parse_sys);
}

TEST(NetlinkRdmaParse, WrongAttributeLengths)
{
    Wire short_index;
    short_index.begin(nldev(RDMA_NLDEV_CMD_GET))
        .attr(RDMA_NLDEV_ATTR_DEV_INDEX, std::string_view("\x01\x00", 2))
        .attr_str(RDMA_NLDEV_ATTR_DEV_NAME, "rxe0")
        .end();
    expect_parse_error(short_index, rnh::nl::parse_device);

    Wire long_index;
    long_index.begin(nldev(RDMA_NLDEV_CMD_GET))
        .attr(RDMA_NLDEV_ATTR_DEV_INDEX, std::string(8, '\0'))
        .attr_str(RDMA_NLDEV_ATTR_DEV_NAME, "rxe0")
        .end();
    expect_parse_error(long_index, rnh::nl::parse_device);

    Wire unterminated;
    unterminated.begin(nldev(RDMA_NLDEV_CMD_GET))
        .attr_u32(RDMA_NLDEV_ATTR_DEV_INDEX, 1)
        .attr(RDMA_NLDEV_ATTR_DEV_NAME, "rxe0")
        .end();
    expect_parse_error(unterminated, rnh::nl::parse_device);

    Wire wide_mode;
    wide_mode.begin(nldev(RDMA_NLDEV_CMD_SYS_GET))
        .attr_u32(RDMA_NLDEV_SYS_ATTR_NETNS_MODE, 0)
        .end();
    expect_parse_error(wide_mode, rnh::nl::parse_sys);

    Wire unknown_mode;
    unknown_mode.begin(nldev(RDMA_NLDEV_CMD_SYS_GET))
        .attr_u8(RDMA_NLDEV_SYS_ATTR_NETNS_MODE, 2)
        .end();
    expect_parse_error(unknown_mode, rnh::nl::parse_sys);
}

TEST(NetlinkRdmaParse, TruncatedAttributes)
{
    // The last attribute claims more bytes than the message holds.
    Wire w;
    w.begin(nldev(RDMA_NLDEV_CMD_GET)).attr_u32(RDMA_NLDEV_ATTR_DEV_INDEX, 1);
    w.u16(40).u16(RDMA_NLDEV_ATTR_DEV_NAME).raw("rxe0", 5).end();
    expect_parse_error(w, rnh::nl::parse_device);

    // A stub of an attribute header at the end.
    Wire stub;
    stub.begin(nldev(RDMA_NLDEV_CMD_GET))
        .attr_u32(RDMA_NLDEV_ATTR_DEV_INDEX, 1)
        .attr_str(RDMA_NLDEV_ATTR_DEV_NAME, "rxe0")
        .u16(2)
        .end();
    expect_parse_error(stub, rnh::nl::parse_device);

    // nla_len smaller than the attribute header.
    Wire tiny;
    tiny.begin(nldev(RDMA_NLDEV_CMD_GET)).u16(2).u16(RDMA_NLDEV_ATTR_DEV_INDEX).end();
    expect_parse_error(tiny, rnh::nl::parse_device);
}

} // namespace

// Found by fuzz_netlink: lengths of 2^31 and more, and ones that wrap when aligned.
TEST(NetlinkReplyFuzzFindings, HugeLengthsAreMalformedNotFollowed)
{
    for (std::uint32_t len : {0xffffffffu, 0xfffffffdu, 0x80000000u, 0x80000010u}) {
        alignas(4) std::array<std::byte, 16> datagram{};
        nlmsghdr h{};
        h.nlmsg_len = len;
        h.nlmsg_type = NLMSG_ERROR;
        std::memcpy(datagram.data(), &h, sizeof h);
        rnh::nl::ReplyContext ctx{0, 0, "reading", {}};
        EXPECT_EQ(
            error_of([&] { rnh::nl::process_datagram(datagram, 0, ctx, [](const nlmsghdr&) {}); }),
            "reading: malformed netlink reply (truncated message at byte 0): Protocol "
            "error; report this with the kernel version (uname -r)")
            << len;
    }
}
