// SPDX-License-Identifier: Apache-2.0
// settle_devices(): which device dumps to take and what to trust of them,
// on scripted dumps. How the parts are counted is in netlink_reply_test.
#include "netlink/device_dump.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <utility>
#include <vector>

namespace {

using rnh::nl::Device;
using rnh::nl::DeviceDump;

// Hands out the scripted dumps in order and counts how many were taken.
struct Script {
    std::vector<DeviceDump> dumps;
    std::size_t taken = 0;

    std::vector<Device> settle()
    {
        return rnh::nl::settle_devices([this] {
            if (taken == dumps.size())
                ADD_FAILURE() << "more dumps taken than scripted";
            return taken < dumps.size() ? dumps[taken++] : DeviceDump{};
        });
    }
};

const Device a{1, "rxc0"}, b{2, "rxc1"}, c{3, "rxc2"}, d{4, "rxc3"};

TEST(NetlinkDeviceDump, OnePartIsTrustedAfterOneDump)
{
    Script script{{{{a, b, c}, 1}}};
    EXPECT_EQ(script.settle(), (std::vector<Device>{a, b, c}));
    EXPECT_EQ(script.taken, 1u);
}

TEST(NetlinkDeviceDump, EmptyDumpIsTrustedAfterOneDump)
{
    Script script{{{{}, 0}}};
    EXPECT_TRUE(script.settle().empty());
    EXPECT_EQ(script.taken, 1u);
}

TEST(NetlinkDeviceDump, SeveralPartsTakeASecondDumpThatWinsInOnePart)
{
    // b left between the parts of the first dump, which then skipped c; b is
    // gone by the second dump, which came in one part: it alone is true.
    Script script{{{{a, b, d}, 2}, {{a, c, d}, 1}}};
    EXPECT_EQ(script.settle(), (std::vector<Device>{a, c, d}));
    EXPECT_EQ(script.taken, 2u);
}

TEST(NetlinkDeviceDump, TwoDumpsInPartsAreMergedByIndex)
{
    // Each skipped a different device; one listed d twice (it arrived between
    // parts). A device is missing only if both dumps miss it.
    Script script{{{{a, c, d, d}, 3}, {{b, c, d}, 2}}};
    EXPECT_EQ(script.settle(), (std::vector<Device>{a, b, c, d}));
    EXPECT_EQ(script.taken, 2u);

    Script both_miss{{{{a, d}, 2}, {{a, d}, 2}}};
    EXPECT_EQ(both_miss.settle(), (std::vector<Device>{a, d}));
}

TEST(NetlinkDeviceDump, MergeKeepsTheSecondDumpsName)
{
    const Device renamed{2, "rxc9"};
    Script script{{{{a, b}, 2}, {{renamed, c}, 2}}};
    EXPECT_EQ(script.settle(), (std::vector<Device>{a, renamed, c}));
}

} // namespace
