// SPDX-License-Identifier: Apache-2.0
#include "base/escape.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace std::string_literals;

TEST(Escaped, KeepsPrintableAsciiAndUtf8)
{
    EXPECT_EQ(rnh::escaped("mlx5_0"), "mlx5_0");
    EXPECT_EQ(rnh::escaped("r\xc3\xa9seau \xe2\x82\xac"), "r\xc3\xa9seau \xe2\x82\xac");
}

TEST(Escaped, WritesControlAndInvalidBytesAsHex)
{
    EXPECT_EQ(rnh::escaped("a\nb\x1b[31m\x7f"), "a\\x0ab\\x1b[31m\\x7f");
    EXPECT_EQ(rnh::escaped("\0x"s), "\\x00x");
    EXPECT_EQ(rnh::escaped("\xff\xfe"), "\\xff\\xfe");
    EXPECT_EQ(rnh::escaped("\xc0\xaf"), "\\xc0\\xaf");          // overlong '/'
    EXPECT_EQ(rnh::escaped("\xed\xa0\x80"), "\\xed\\xa0\\x80"); // a surrogate
    EXPECT_EQ(rnh::escaped("\xc2\x85"), "\\xc2\\x85");          // C1 NEL
    EXPECT_EQ(rnh::escaped("\xe2\x82"), "\\xe2\\x82");          // cut short
}

TEST(Escaped, CutsALongTextWithAMarker)
{
    const std::string name(200000, 'n');
    const auto shown = rnh::escaped(name);
    EXPECT_EQ(shown, std::string(64, 'n') + "...(200000 bytes)");
    EXPECT_EQ(rnh::escaped(std::string(64, 'n')), std::string(64, 'n'));
    EXPECT_EQ(rnh::escaped_line(name), name);
}

TEST(PrintableUtf8, RefusesControlCharactersAndInvalidUtf8)
{
    EXPECT_TRUE(rnh::printable_utf8("net-1 r\xc3\xa9seau"));
    EXPECT_TRUE(rnh::printable_utf8(""));
    EXPECT_FALSE(rnh::printable_utf8("a\tb"));
    EXPECT_FALSE(rnh::printable_utf8("a\x7f"));
    EXPECT_FALSE(rnh::printable_utf8("\xff"));
    EXPECT_FALSE(rnh::printable_utf8("\xf4\x90\x80\x80")); // above U+10FFFF
}
