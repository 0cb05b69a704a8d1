// SPDX-License-Identifier: Apache-2.0
// runc's command line, as far as the wrapper needs it: the command, the bundle
// of `create` and `run`, and where runc is told to log (so that a refusal
// reaches the error a container engine shows).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace rnh::runtime {

struct RuncArgs {
    std::string command; // the first argument that is not a global option; "" if none
    std::optional<std::string>
        bundle; // create/run: --bundle, -b or --bundle=; unset: the working directory
    std::optional<std::string> log;  // global --log FILE
    std::string log_format = "text"; // global --log-format text|json
    std::string problem;             // create/run: what is wrong with the command line, if anything
    bool help = false;               // global --help or -h: the wrapper's usage first
    bool version = false;            // global --version or -v: the wrapper's version first

    // `create` and `run` start a container from a bundle: the wrapper edits its config.json.
    bool starts_container() const { return command == "create" || command == "run"; }
};

// `args` is argv without argv[0]. Commands other than create and run are
// passed on untouched whatever they hold; for those two a --bundle without a
// value sets `problem` (the global options are still read, to report it).
RuncArgs parse_runc_args(const std::vector<std::string>& args);

// What --help prints before the runtime's own help.
extern const char* const usage_text;

} // namespace rnh::runtime
