// SPDX-License-Identifier: Apache-2.0
// The udev rule and the systemd unit that keep the CDI spec true: the events
// the rule matches, by udev's rules (udev(7): each "KEY==value" must match, a
// value is a shell glob with "|" between alternatives), and the command the
// unit runs, read by the hook's own command-line parser.
#include "hook/cli.hpp"

#include <gtest/gtest.h>

#include <fnmatch.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::vector<std::string> lines_of(const std::string& path)
{
    std::ifstream in(path);
    EXPECT_TRUE(in) << path;
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line.front() != '#')
            lines.push_back(line);
    return lines;
}

std::vector<std::string> words(const std::string& text)
{
    std::istringstream in(text);
    std::vector<std::string> list;
    for (std::string word; in >> word;)
        list.push_back(word);
    return list;
}

// KEY+OPERATOR -> value, for the one rule of the file.
std::map<std::string, std::string> rule()
{
    auto lines = lines_of(std::string(RNH_PACKAGING_DIR) + "/90-rdma-netns-cdi.rules");
    EXPECT_EQ(lines.size(), 1u) << "one rule, on one line";
    std::map<std::string, std::string> keys;
    static const std::regex pair(R"re(\s*([A-Z]+)\s*(==|!=|\+=|=)\s*"([^"]*)"\s*(,|$))re");
    const std::string text = lines.empty() ? "" : lines.front();
    auto it = std::sregex_iterator(text.begin(), text.end(), pair);
    std::size_t consumed = 0;
    for (; it != std::sregex_iterator(); ++it) {
        EXPECT_EQ(it->position(), static_cast<long>(consumed)) << "unparsed: " << text;
        consumed = static_cast<std::size_t>(it->position() + it->length());
        keys[(*it)[1].str() + (*it)[2].str()] = (*it)[3].str();
    }
    EXPECT_EQ(consumed, text.size()) << "unparsed: " << text;
    return keys;
}

bool glob_matches(const std::string& pattern, const std::string& value)
{
    std::istringstream alternatives(pattern);
    for (std::string glob; std::getline(alternatives, glob, '|');)
        if (::fnmatch(glob.c_str(), value.c_str(), 0) == 0)
            return true;
    return false;
}

bool fires(const std::map<std::string, std::string>& keys, const std::string& action,
           const std::string& subsystem)
{
    for (const auto& [key, value] : keys) {
        if (key == "ACTION==" && !glob_matches(value, action))
            return false;
        if (key == "SUBSYSTEM==" && !glob_matches(value, subsystem))
            return false;
    }
    return true;
}

// Section.Key -> value of the unit built for this tree (naming the hook just built).
std::map<std::string, std::string> unit()
{
    std::map<std::string, std::string> keys;
    std::string section;
    for (const auto& line : lines_of(std::string(RNH_SYSTEMD_DIR) + "/rdma-netns-cdi.service")) {
        if (line.front() == '[') {
            section = line.substr(1, line.find(']') - 1);
            continue;
        }
        auto eq = line.find('=');
        EXPECT_NE(eq, std::string::npos) << line;
        EXPECT_FALSE(keys.contains(section + "." + line.substr(0, eq))) << line;
        keys[section + "." + line.substr(0, eq)] = line.substr(eq + 1);
    }
    return keys;
}

} // namespace

TEST(CdiPackaging, TheRuleFiresOnEveryEventOfAnRdmaDeviceOrItsNodes)
{
    auto keys = rule();
    for (const auto* subsystem : {"infiniband", "infiniband_verbs", "infiniband_mad"})
        for (const auto* action : {"add", "remove", "move"})
            EXPECT_TRUE(fires(keys, action, subsystem)) << action << " " << subsystem;
    EXPECT_FALSE(fires(keys, "change", "infiniband"));
    EXPECT_FALSE(fires(keys, "bind", "infiniband"));
    EXPECT_FALSE(fires(keys, "add", "net"));
    EXPECT_FALSE(fires(keys, "move", "net"));
    EXPECT_FALSE(fires(keys, "add", "infiniband_cm"));
    for (const auto& [key, value] : keys)
        EXPECT_TRUE(key == "ACTION==" || key == "SUBSYSTEM==" || key == "RUN+=") << key;
}

TEST(CdiPackaging, TheRuleRestartsTheUnit)
{
    auto run = words(rule()["RUN+="]);
    ASSERT_EQ(run.size(), 4u);
    EXPECT_TRUE(run[0] == "/bin/systemctl" || run[0] == "/usr/bin/systemctl") << run[0];
    EXPECT_EQ(run[1], "--no-block") << "udev waits for RUN programs";
    EXPECT_EQ(run[2], "restart") << "a start while the unit runs would be merged and lost";
    EXPECT_EQ(run[3], "rdma-netns-cdi.service");
    EXPECT_TRUE(std::filesystem::exists(std::string(RNH_SYSTEMD_DIR) + "/" + run[3]));
}

TEST(CdiPackaging, TheUnitRunsCdiGenerateIntoTheSpecItKeeps)
{
    auto keys = unit();
    EXPECT_EQ(keys["Service.Type"], "oneshot");
    EXPECT_FALSE(keys.contains("Service.RemainAfterExit")) << "each restart must run it again";
    auto exec = words(keys["Service.ExecStart"]);
    ASSERT_GE(exec.size(), 2u);
    EXPECT_EQ(exec[0].front(), '/') << "an absolute path";
    EXPECT_EQ(std::filesystem::path(exec[0]).filename(), "rdma-netns-hook");
    auto inv = rnh::parse_command_line({exec.begin() + 1, exec.end()});
    EXPECT_EQ(inv.command, rnh::Command::cdi_generate);
    ASSERT_TRUE(inv.output);
    EXPECT_EQ(*inv.output, "/etc/cdi/rdma-netns.json");
    EXPECT_TRUE(inv.cdi_mad_nodes);
    EXPECT_EQ(keys["Unit.ConditionPathExists"], *inv.output)
        << "it keeps a spec the operator created, and writes none of its own";
    EXPECT_TRUE(keys["Unit.Documentation"].starts_with("man:rdma-netns-hook"));
}
