// SPDX-License-Identifier: Apache-2.0
// The RoCE default GID of a MAC, and back: the one rule the CNI plugin's
// lookup and audit's netdev check both rely on.
#include "hook/plan/roce_gid.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cctype>
#include <string>

TEST(RoceGid, DefaultGidOfAMac)
{
    EXPECT_EQ(rnh::default_gid("52:54:00:12:34:56"), "fe80:0000:0000:0000:5054:00ff:fe12:3456");
    EXPECT_EQ(rnh::default_gid("B8:CE:F6:0A:0B:0C"), "fe80:0000:0000:0000:bace:f6ff:fe0a:0b0c");
    for (const char* bad :
         {"", "52:54:00:12:34", "52:54:00:12:34:5g", "52-54-00-12-34-56", "52:54:00:12:34:56:78"})
        EXPECT_FALSE(rnh::default_gid(bad)) << bad;
}

TEST(RoceGid, TheMacOfADefaultGid)
{
    EXPECT_EQ(rnh::mac_of_default_gid("fe80:0000:0000:0000:5054:00ff:fe12:3456"),
              "52:54:00:12:34:56");
    EXPECT_EQ(rnh::mac_of_default_gid("fe80:0000:0000:0000:0054:00ff:fe12:3456"),
              "02:54:00:12:34:56");
    // an IPv4-mapped GID, an IB GID, a truncated one, a MAC without ff:fe
    EXPECT_EQ(rnh::mac_of_default_gid("0000:0000:0000:0000:0000:ffff:0a09:0001"), "");
    EXPECT_EQ(rnh::mac_of_default_gid("fe80:0000:0000:0000:0002:c903:0001:2345"), "");
    EXPECT_EQ(rnh::mac_of_default_gid("fe80:0000:0000:0000:5054:00ff:fe12:345"), "");
    EXPECT_EQ(rnh::mac_of_default_gid("fe80:0000:0000:0000:5054:00ff:fe12:3456:"), "");
    EXPECT_EQ(rnh::mac_of_default_gid("fe80:0000:0000:0000:5054:00aa:fe12:3456"), "");
    EXPECT_EQ(rnh::mac_of_default_gid("fe80-0000:0000:0000:5054:00ff:fe12:3456"), "");
    EXPECT_EQ(rnh::mac_of_default_gid(""), "");
}

// Every MAC, upper or lower case, comes back from its default GID as it was
// (lower case): the two directions are one rule.
TEST(RoceGid, MacToGidAndBackIsTheSameMac)
{
    const char* macs[] = {"52:54:00:12:34:56", "00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff",
                          "02:00:5e:10:00:01", "B8:CE:F6:0A:0B:0C", "fe:ff:ff:fe:00:02"};
    for (const char* mac : macs) {
        const auto gid = rnh::default_gid(mac);
        ASSERT_TRUE(gid) << mac;
        std::string lower = mac;
        for (auto& c : lower)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        EXPECT_EQ(rnh::mac_of_default_gid(*gid), lower) << mac;
    }
    for (unsigned byte = 0; byte < 256; ++byte) {
        const std::array<unsigned char, 6> mac{static_cast<unsigned char>(byte),      1, 2, 3, 4,
                                               static_cast<unsigned char>(255 - byte)};
        const auto text = rnh::mac_text(mac);
        EXPECT_EQ(rnh::mac_of_default_gid(rnh::default_gid(text).value()), text);
    }
}
