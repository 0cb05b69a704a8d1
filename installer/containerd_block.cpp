// SPDX-License-Identifier: Apache-2.0
// A line scanner, not a TOML parser: table headers, `key = "string"` and
// `version = N` lines are all it needs to recognise.
#include "installer/containerd_block.hpp"

#include "base/error.hpp"

#include <vector>

namespace rnh::installer {

namespace {

constexpr std::string_view begin_marker = "# >>> rdma-netns-install >>>";
// A text that did not end in a newline got one before the block; this marker
// says so, and removing the block removes that newline too.
constexpr std::string_view begin_marker_newline =
    "# >>> rdma-netns-install (newline added above) >>>";
constexpr std::string_view begin_comment =
    "# The RuntimeClass handler \"rdma\"; `rdma-netns-install --uninstall` removes this block.\n";
constexpr std::string_view end_marker = "# <<< rdma-netns-install <<<";

struct Line {
    std::string_view text; // without its newline
    std::size_t begin;
    std::size_t end; // after its newline, if it has one
};

std::vector<Line> split_lines(std::string_view text)
{
    std::vector<Line> lines;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        auto end = nl == std::string_view::npos ? text.size() : nl + 1;
        auto len = (nl == std::string_view::npos ? text.size() : nl) - pos;
        lines.push_back({text.substr(pos, len), pos, end});
        pos = end;
    }
    return lines;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// The name of the table a header line opens, without blanks outside quotes
// ("plugins.\"io.containerd.grpc.v1.cri\".cni"); nullopt for any other line.
std::optional<std::string> header(std::string_view line)
{
    line = trim(line);
    if (line.empty() || line.front() != '[')
        return std::nullopt;
    line.remove_prefix(line.starts_with("[[") ? 2 : 1);
    std::string name;
    char quote = 0;
    for (char c : line) {
        if (quote != 0) {
            name += c;
            if (c == quote)
                quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
            name += c;
        } else if (c == ']') {
            return name;
        } else if (c != ' ' && c != '\t') {
            name += c;
        }
    }
    return std::nullopt;
}

struct KeyValue {
    std::string_view key;
    std::string_view value; // the rest of the line, trimmed
};

std::optional<KeyValue> key_value(std::string_view line)
{
    line = trim(line);
    auto eq = line.find('=');
    if (line.empty() || line.front() == '#' || line.front() == '[' || eq == std::string_view::npos)
        return std::nullopt;
    return KeyValue{trim(line.substr(0, eq)), trim(line.substr(eq + 1))};
}

// A basic string without escapes or a literal string, as the whole value.
std::optional<std::string> plain_string(std::string_view value)
{
    if (value.size() < 2 || (value.front() != '"' && value.front() != '\''))
        return std::nullopt;
    auto close = value.find(value.front(), 1);
    if (close == std::string_view::npos)
        return std::nullopt;
    auto s = value.substr(1, close - 1);
    if (value.front() == '"' && s.find('\\') != std::string_view::npos)
        return std::nullopt;
    auto rest = trim(value.substr(close + 1));
    if (!rest.empty() && rest.front() != '#')
        return std::nullopt;
    return std::string(s);
}

struct Block {
    std::size_t begin; // with the newline added before it, if any
    std::size_t end;
    bool newline_added;
};

std::optional<Block> find_block(std::string_view text)
{
    std::optional<Block> block;
    bool open = false;
    for (const auto& line : split_lines(text)) {
        if (line.text.starts_with("# >>> rdma-netns-install")) {
            if (block || open)
                fail("more than one block of rdma-netns-install",
                     "remove all but one of the lines from \"" + std::string(begin_marker) +
                         "\" to \"" + std::string(end_marker) + "\"");
            const bool added = line.text == begin_marker_newline;
            if (added && (line.begin == 0 || text[line.begin - 1] != '\n'))
                fail("the block of rdma-netns-install says a newline was added before it, "
                     "but there is none",
                     "remove the block by hand");
            block = Block{added ? line.begin - 1 : line.begin, 0, added};
            open = true;
        } else if (open && line.text.starts_with(end_marker)) {
            block->end = line.end;
            open = false;
        }
    }
    if (open)
        fail("the block of rdma-netns-install has no end line \"" + std::string(end_marker) + "\"",
             "remove the block by hand, from its first line to where it was meant to end");
    return block;
}

std::string runtime_table(std::string_view name)
{
    return std::string(cri_table) + ".containerd.runtimes." + std::string(name);
}

// What the text outside the block declares, checked for the block to go in.
bool declares_runc(std::string_view outside)
{
    std::optional<std::string> version;
    bool in_top = true;
    bool runc = false;
    const auto runc_table = runtime_table("runc");
    const auto rdma_table = runtime_table("rdma");
    for (const auto& line : split_lines(outside)) {
        if (auto name = header(line.text)) {
            in_top = false;
            if (*name == runc_table || name->starts_with(runc_table + "."))
                runc = true;
            if (*name == rdma_table || name->starts_with(rdma_table + "."))
                fail("it declares the runtime handler \"rdma\" itself ([" + *name + "])",
                     "remove that table: rdma-netns-install adds its own, in a marked block");
        } else if (auto kv = key_value(line.text); kv && in_top && kv->key == "version") {
            version = std::string(kv->value.substr(0, kv->value.find_first_of(" \t#")));
        }
    }
    if (version == "3")
        fail("it is a version 3 configuration (containerd 2)",
             "rdma-netns-install edits version 2 (containerd 1.6 and 1.7); add the handler by hand "
             "as deploy/containerd-runtime.toml shows it, in the table of the CRI runtime plugin");
    if (version != "2")
        fail("it is not a version 2 configuration (no \"version = 2\" before its first table)",
             "rdma-netns-install edits the version 2 format of containerd 1.6 and 1.7; "
             "`containerd config default` writes one");
    return runc;
}

std::string render(const std::string& wrapper, bool with_runc, bool newline_added)
{
    std::string block = newline_added ? "\n" : "";
    block += newline_added ? begin_marker_newline : begin_marker;
    block += "\n";
    block += begin_comment;
    block += handler_tables(wrapper, with_runc);
    block += end_marker;
    block += "\n";
    return block;
}

} // namespace

std::string handler_tables(const std::string& wrapper, bool with_runc)
{
    // appended piece by piece: GCC 12 warns (-Wrestrict) on "[" + std::string
    auto table = [](std::string& t, std::string_view indent, std::string_view name) {
        t.append(indent).append("[").append(runtime_table(name)).append("]\n");
    };
    std::string t;
    if (with_runc) {
        t += "# containerd 1.6 drops its default runc once any runtime is declared: runc again\n";
        table(t, "", "runc");
        t += "  runtime_type = \"io.containerd.runc.v2\"\n";
    }
    table(t, "", "rdma");
    t += "  runtime_type = \"io.containerd.runc.v2\"\n";
    t += "  pod_annotations = [\"rdma.netns/*\"]\n";
    table(t, "  ", "rdma.options");
    t.append("    BinaryName = \"").append(wrapper).append("\"\n");
    return t;
}

std::string with_block(std::string_view config, const std::string& wrapper)
{
    if (wrapper.find_first_of("\"\\\n") != std::string::npos)
        fail("the runtime's path " + wrapper + " holds a quote, a backslash or a newline",
             "install it under a plainer path");
    const auto block = find_block(config);
    const auto prefix = config.substr(0, block ? block->begin : config.size());
    const auto suffix = block ? config.substr(block->end) : std::string_view{};
    const std::string outside = std::string(prefix) + std::string(suffix);
    const bool runc = declares_runc(outside);
    const bool newline = block ? block->newline_added : !prefix.empty() && prefix.back() != '\n';
    return std::string(prefix) + render(wrapper, !runc, newline) + std::string(suffix);
}

std::string without_block(std::string_view config)
{
    const auto block = find_block(config);
    if (!block)
        return std::string(config);
    return std::string(config.substr(0, block->begin)) + std::string(config.substr(block->end));
}

bool has_block(std::string_view config)
{
    return find_block(config).has_value();
}

std::optional<std::string> cni_bin_dir(std::string_view config)
{
    const auto cni = std::string(cri_table) + ".cni";
    bool in_cni = false;
    std::optional<std::string> dir;
    for (const auto& line : split_lines(config)) {
        if (auto name = header(line.text))
            in_cni = *name == cni;
        else if (auto kv = key_value(line.text); kv && in_cni && kv->key == "bin_dir")
            dir = plain_string(kv->value);
    }
    return dir;
}

} // namespace rnh::installer
