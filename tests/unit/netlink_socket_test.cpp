// SPDX-License-Identifier: Apache-2.0
// Socket on this machine's kernel. RDMA netlink may be missing here, so the
// exchange itself (send, dump until NLMSG_DONE, ACK, errors, timeout) is
// proven on rtnetlink, which every kernel has; RDMA is proven in the VM tests.
#include "netlink/rdma.hpp"
#include "netlink/socket.hpp"

#include "base/error.hpp"
#include "tests/support/error_of.hpp"

#include <gtest/gtest.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <string>

namespace {

using namespace std::chrono_literals;
using rnh::nl::Message;
using rnh::nl::Socket;

TEST(NetlinkSocket, RdmaOpensOrSaysWhy)
{
    try {
        Socket socket = Socket::open(NETLINK_RDMA, 1000ms);
        // A kernel with RDMA netlink must answer SYS_GET with a mode.
        const auto mode = rnh::nl::get_netns_mode(socket);
        EXPECT_TRUE(mode == rnh::nl::NetnsMode::exclusive || mode == rnh::nl::NetnsMode::shared);
    } catch (const rnh::Error& e) {
        EXPECT_EQ(e.err(), EPROTONOSUPPORT) << e.what();
        EXPECT_NE(e.hint().find("ib_core"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("opening an RDMA netlink socket"), std::string::npos);
    }
}

TEST(NetlinkSocket, RefusesANonPositiveTimeout)
{
    EXPECT_THROW(Socket::open(NETLINK_ROUTE, 0ms), rnh::Error);
}

Message getlink(std::uint16_t flags, int ifindex)
{
    Message request(RTM_GETLINK, flags);
    auto* ifi = static_cast<ifinfomsg*>(request.put_extra_header(sizeof(ifinfomsg)));
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = ifindex;
    return request;
}

TEST(NetlinkSocket, DumpEndsAtDone)
{
    Socket socket = Socket::open(NETLINK_ROUTE, 1000ms);
    EXPECT_NE(socket.portid(), 0u);
    Message request = getlink(NLM_F_REQUEST | NLM_F_DUMP, 0);
    bool loopback = false;
    int links = 0;
    socket.transact(request, "listing links", [&](const nlmsghdr& nlh) {
        ASSERT_EQ(nlh.nlmsg_type, RTM_NEWLINK);
        const auto* ifi = static_cast<const ifinfomsg*>(NLMSG_DATA(&nlh));
        loopback |= ifi->ifi_index == 1; // lo is 1 in every network namespace
        ++links;
    });
    EXPECT_TRUE(loopback);
    EXPECT_GE(links, 1);
    EXPECT_EQ(request.header().nlmsg_seq, 1u);

    // The next request gets the next sequence number and its own answer.
    Message again = getlink(NLM_F_REQUEST | NLM_F_DUMP, 0);
    int links_again = 0;
    socket.transact(again, "listing links", [&](const nlmsghdr&) { ++links_again; });
    EXPECT_EQ(again.header().nlmsg_seq, 2u);
    EXPECT_GE(links_again, 1);
}

TEST(NetlinkSocket, RequestEndsAtAck)
{
    Socket socket = Socket::open(NETLINK_ROUTE, 1000ms);
    Message request = getlink(NLM_F_REQUEST | NLM_F_ACK, 1);
    int replies = 0;
    socket.transact(request, "reading link 1", [&](const nlmsghdr&) { ++replies; });
    EXPECT_EQ(replies, 1);
}

TEST(NetlinkSocket, KernelErrorBecomesError)
{
    Socket socket = Socket::open(NETLINK_ROUTE, 1000ms);
    Message request = getlink(NLM_F_REQUEST | NLM_F_ACK, 0x7ffffff0);
    const auto e = error_from([&] {
        socket.transact(
            request, "reading a link that is not there", [](const nlmsghdr&) {},
            [](int err) { return err == ENODEV ? std::string("pick another") : std::string(); });
    });
    ASSERT_TRUE(e) << "no error thrown";
    EXPECT_EQ(e->err(), ENODEV);
    EXPECT_EQ(e->context().rfind("reading a link that is not there", 0), 0u) << e->what();
    EXPECT_EQ(e->hint(), "pick another");
    // The socket is still good for the next request.
    Message next = getlink(NLM_F_REQUEST | NLM_F_ACK, 1);
    int replies = 0;
    socket.transact(next, "reading link 1", [&](const nlmsghdr&) { ++replies; });
    EXPECT_EQ(replies, 1);
}

TEST(NetlinkSocket, NoReplyTimesOut)
{
    // The kernel answers a control message only if it asks for an ACK.
    Socket socket = Socket::open(NETLINK_ROUTE, 30ms);
    Message silent(NLMSG_NOOP, NLM_F_REQUEST);
    const auto e =
        error_from([&] { socket.transact(silent, "waiting for nothing", [](const nlmsghdr&) {}); });
    ASSERT_TRUE(e) << "no error thrown";
    EXPECT_EQ(e->err(), ETIMEDOUT) << e->what();
    Message acked(NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK);
    int replies = 0;
    socket.transact(acked, "pinging", [&](const nlmsghdr&) { ++replies; });
    EXPECT_EQ(replies, 0);
}

TEST(NetlinkSocket, ThrowingCallbackLeavesTheSocketUsable)
{
    Socket socket = Socket::open(NETLINK_ROUTE, 1000ms);
    Message dump = getlink(NLM_F_REQUEST | NLM_F_DUMP, 0);
    EXPECT_THROW(
        socket.transact(dump, "listing links", [](const nlmsghdr&) { rnh::fail("stop here"); }),
        rnh::Error);
    // The next dump gets its own answer.
    Message again = getlink(NLM_F_REQUEST | NLM_F_DUMP, 0);
    int replies = 0;
    socket.transact(again, "listing links", [&](const nlmsghdr& nlh) {
        EXPECT_EQ(nlh.nlmsg_seq, 2u);
        ++replies;
    });
    EXPECT_GE(replies, 1);
}

} // namespace
