// SPDX-License-Identifier: Apache-2.0
#include "base/error.hpp"
#include "base/fd.hpp"
#include "oci/state.hpp"
#include "tests/support/error_of.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include <csignal>
#include <unistd.h>

using rnh::oci::parse_state;

namespace {

std::string error_of(const std::string& json)
{
    return ::error_of([&] { parse_state(json); });
}

} // namespace

TEST(OciState, RuncPrestart)
{
    auto s = parse_state(R"({"ociVersion":"1.0.2-dev","id":"c1","status":"creating","pid":70,
        "bundle":"/b","annotations":{"rdma.netns/devices":"rxe0"}})");
    EXPECT_EQ(s.id, "c1");
    EXPECT_EQ(s.status, "creating");
    EXPECT_EQ(s.pid, 70);
    EXPECT_EQ(s.bundle, "/b");
    ASSERT_TRUE(s.annotations);
    EXPECT_EQ(s.annotations->at("rdma.netns/devices"), "rxe0");
}

TEST(OciState, RuncPoststopHasNoPid)
{
    auto s =
        parse_state(R"({"ociVersion":"1.0.2-dev","id":"c1","status":"stopped","bundle":"/b"})");
    EXPECT_FALSE(s.pid);
    EXPECT_FALSE(s.annotations);
}

TEST(OciState, CrunShapes)
{
    auto pre = parse_state(R"({"ociVersion":"1.0","id":"c2","pid":99,"root":"rootfs",
        "bundle":"/b","status":"created","annotations":{}})");
    EXPECT_EQ(pre.pid, 99);
    ASSERT_TRUE(pre.annotations);
    EXPECT_TRUE(pre.annotations->empty());
    auto post = parse_state(
        R"({"ociVersion":"1.0","id":"c2","pid":0,"root":"rootfs","bundle":"/b","status":"stopped"})");
    EXPECT_FALSE(post.pid);
}

TEST(OciState, Errors)
{
    EXPECT_EQ(error_of(R"({"id":"c","status":"creating","bundle":"/b","pid":"70"})"),
              "the OCI state on stdin: \"pid\" must be an integer, not string");
    EXPECT_EQ(error_of(R"({"id":"c","status":"creating","bundle":"/b","pid":-4})"),
              "the OCI state on stdin: \"pid\" -4 is not a process id");
    EXPECT_EQ(error_of(R"({"status":"creating","bundle":"/b"})"),
              "the OCI state on stdin has no \"id\"");
    EXPECT_EQ(error_of(R"({"id":5,"status":"creating","bundle":"/b"})"),
              "the OCI state on stdin: \"id\" must be a string, not number");
    EXPECT_EQ(error_of(R"([1,2])"), "the OCI state on stdin must be a JSON object, not array");
    EXPECT_EQ(error_of(R"({"id":"c","status":"x","bundle":"/b","annotations":{"a":1}})"),
              "the OCI state on stdin: annotation \"a\" must be a string, not number");
    EXPECT_EQ(error_of(R"({"id":"../etc","status":"x","bundle":"/b"})"),
              "container id \"../etc\" is not a valid OCI container id; ids are 1 to 1024 of "
              "[A-Za-z0-9_.+-], not starting with a dot");
    EXPECT_NE(error_of(R"({"id":"c","status)").find("is not valid JSON"), std::string::npos);
    EXPECT_NE(
        error_of("{\"id\":\"c\xff\",\"status\":\"x\",\"bundle\":\"/b\"}").find("is not valid JSON"),
        std::string::npos);
    EXPECT_EQ(error_of(std::string(40, '[') + std::string(40, ']')),
              "the OCI state on stdin nests deeper than 32 levels");
}

TEST(OciState, OversizedStdinIsRefusedNotTruncated)
{
    // The writer may still be writing when the reader gives up and closes.
    struct sigaction ignore {
    }, saved{};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &saved);
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    rnh::Fd reader(fds[0]);
    std::thread writer([fd = fds[1]] {
        std::string chunk(65536, ' ');
        for (std::size_t sent = 0; sent <= rnh::oci::state_max_bytes; sent += chunk.size())
            if (write(fd, chunk.data(), chunk.size()) < 0)
                break;
        close(fd);
    });
    try {
        rnh::oci::read_state(reader.get());
        ADD_FAILURE() << "an oversized state was accepted";
    } catch (const rnh::Error& e) {
        EXPECT_STREQ(e.what(), "the OCI state on stdin is larger than 1048576 bytes; it is "
                               "refused rather than truncated");
    }
    reader.reset();
    writer.join();
    sigaction(SIGPIPE, &saved, nullptr);
}
